#include "server/stream.h"

#include "common/log.h"
#include "common/uv_util.h"
#include "http/message_encoder.h"
#include "module/host_api.h"
#include "server/downstream_connection.h"
#include "server/worker.h"
#include "stats/metric_registry.h"

namespace switchyard::server {

namespace {

void record(uint32_t id, int64_t value = 1) { stats::MetricRegistry::global().record(id, value); }

sy_slice sliceOf(std::string_view text) { return sy_slice{text.data(), text.size()}; }

}  // namespace

// Request direction: filters in listener order, then the router.
class Stream::RequestInvoker : public FilterPipelineInvoker {
 public:
  explicit RequestInvoker(Stream& stream) : stream_(stream) {}
  sy_filter_status invokeHeaders(size_t position, http::HeaderMap& headers, bool end_stream) override {
    auto hook = stream_.moduleOf(position).request_headers;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(stream_.handleOf(position), stream_.filters_[position].context, module::asHandle(&headers),
                end_stream ? 1 : 0);
  }
  sy_filter_status invokeBody(size_t position, std::string& body, bool end_stream) override {
    auto hook = stream_.moduleOf(position).request_body;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(stream_.handleOf(position), stream_.filters_[position].context, module::asHandle(&body),
                end_stream ? 1 : 0);
  }
  sy_filter_status invokeTrailers(size_t position, http::HeaderMap& trailers) override {
    auto hook = stream_.moduleOf(position).request_trailers;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(stream_.handleOf(position), stream_.filters_[position].context, module::asHandle(&trailers));
  }
  void sinkHeaders(http::HeaderMap& headers, bool end_stream) override { stream_.routeRequest(headers, end_stream); }
  void sinkBody(std::string& body, bool end_stream) override { stream_.sendUpstreamBody(body, end_stream); }
  void sinkTrailers(http::HeaderMap& trailers) override { stream_.sendUpstreamTrailers(trailers); }
  void bufferOverflow() override {
    stream_.respondLocally(stream_.filters_.size(), 413, "request body too large\n", "text/plain",
                           "request_buffer_overflow");
  }

 private:
  Stream& stream_;
};

// Response direction: the first `filter_count` filters in reverse order,
// then the downstream connection.
class Stream::ResponseInvoker : public FilterPipelineInvoker {
 public:
  ResponseInvoker(Stream& stream, size_t filter_count) : stream_(stream), filter_count_(filter_count) {}
  size_t filterAt(size_t position) const { return filter_count_ - 1 - position; }
  sy_filter_status invokeHeaders(size_t position, http::HeaderMap& headers, bool end_stream) override {
    size_t index = filterAt(position);
    auto hook = stream_.moduleOf(index).response_headers;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(stream_.handleOf(index), stream_.filters_[index].context, module::asHandle(&headers),
                end_stream ? 1 : 0);
  }
  sy_filter_status invokeBody(size_t position, std::string& body, bool end_stream) override {
    size_t index = filterAt(position);
    auto hook = stream_.moduleOf(index).response_body;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(stream_.handleOf(index), stream_.filters_[index].context, module::asHandle(&body),
                end_stream ? 1 : 0);
  }
  sy_filter_status invokeTrailers(size_t position, http::HeaderMap& trailers) override {
    size_t index = filterAt(position);
    auto hook = stream_.moduleOf(index).response_trailers;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(stream_.handleOf(index), stream_.filters_[index].context, module::asHandle(&trailers));
  }
  void sinkHeaders(http::HeaderMap& headers, bool end_stream) override {
    stream_.writeResponseHead(headers, end_stream);
  }
  void sinkBody(std::string& body, bool end_stream) override { stream_.writeResponseBody(body, end_stream); }
  void sinkTrailers(http::HeaderMap& trailers) override { stream_.writeResponseTrailers(trailers); }
  void bufferOverflow() override {
    if (stream_.response_headers_sent_) {
      stream_.resetFromFilter("response_buffer_overflow");
    } else {
      stream_.respondLocally(0, 500, "response body too large to buffer\n", "text/plain",
                             "response_buffer_overflow");
    }
  }

 private:
  Stream& stream_;
  const size_t filter_count_;
};

Stream::Stream(DownstreamConnection& connection, Worker& worker, const ListenerConfig& listener, uint64_t id)
    : connection_(connection),
      worker_(worker),
      listener_(listener),
      id_(id),
      id_text_(std::to_string(id)),
      start_ms_(monotonicNowMs()),
      filters_(listener.filters.size()) {
  for (size_t i = 0; i < filters_.size(); ++i) filters_[i].handle = FilterHandle{this, i};
  record(stats::CoreMetrics::get().downstream_rq_total);
  record(stats::CoreMetrics::get().downstream_rq_active);
}

Stream::~Stream() {
  for (module::FilterTimer* timer : timers_) module::freeTimer(timer);
  if (filter_contexts_created_) {
    for (size_t i = 0; i < filters_.size(); ++i) {
      if (moduleOf(i).stream_destroy != nullptr) moduleOf(i).stream_destroy(filters_[i].context);
    }
  }
  if (waiting_for_pool_ && pool_ != nullptr) pool_->cancel(*this);
  releaseUpstream(true);
  record(stats::CoreMetrics::get().downstream_rq_active, -1);
}

sy_stream* Stream::handleOf(size_t filter_index) {
  return reinterpret_cast<sy_stream*>(&filters_[filter_index].handle);
}

const sy_filter_module& Stream::moduleOf(size_t filter_index) const {
  return *filters_[filter_index].config->module()->table;
}

void Stream::createFilterContexts() {
  for (size_t i = 0; i < filters_.size(); ++i) {
    filters_[i].config = &listener_.effectiveFilterConfig(route_, i);
  }
  filter_contexts_created_ = true;
  for (size_t i = 0; i < filters_.size(); ++i) {
    auto stream_new = moduleOf(i).stream_new;
    if (stream_new == nullptr) continue;
    if (stream_new(handleOf(i), filters_[i].config->config(), &filters_[i].context) != SY_OK) {
      SY_LOG(kWarn, "filter '%s' failed to create stream state; stream %s answered 500",
             listener_.filters[i].name.c_str(), id_text_.c_str());
      filters_[i].context = nullptr;
    }
  }
}

// ---------------------------------------------------------------------------
// Request direction

void Stream::onRequestHeaders(http::HeaderMap&& headers, const http::RequestInfo& info) {
  request_info_ = info;
  request_method_ = std::string(headers.get(":method").value_or(""));
  request_path_ = std::string(headers.get(":path").value_or(""));
  if (info.expect_continue && info.http_minor >= 1 && !info.end_stream) {
    // The proxy answers 100-continue itself so the client starts sending
    // while the upstream connection is set up.
    connection_.write(std::string("HTTP/1.1 100 Continue\r\n\r\n"));
  }
  headers.remove("expect");
  route_ = listener_.routes->match(headers);
  createFilterContexts();
  request_invoker_ = std::make_unique<RequestInvoker>(*this);
  request_ = std::make_unique<FilterPipeline>(*request_invoker_, filters_.size(), listener_.max_buffer_bytes);
  request_->receiveHeaders(std::move(headers), info.end_stream);
}

void Stream::onRequestBody(std::string_view data) {
  if (request_abandoned_ || !request_ || request_->cancelled()) return;
  request_->receiveBody(data, false);
  applyRequestFlowControl();
}

void Stream::onRequestTrailers(http::HeaderMap&& trailers) {
  if (request_abandoned_ || !request_ || request_->cancelled()) return;
  request_->receiveTrailers(std::move(trailers));
}

void Stream::onRequestComplete() {
  request_complete_ = true;
  if (!request_abandoned_ && request_ && !request_->cancelled() && !request_info_.end_stream &&
      !request_->endDelivered()) {
    request_->receiveBody({}, true);
  }
  maybeComplete();
}

void Stream::applyRequestFlowControl() {
  size_t queued = (request_ ? request_->heldBytes() : 0) + upstream_pending_.size() +
                  (upstream_ != nullptr ? upstream_->writeQueueBytes() : 0);
  if (queued > listener_.max_buffer_bytes && !reading_paused_for_upstream_) {
    reading_paused_for_upstream_ = true;
    connection_.pauseReading();
  } else if (queued <= listener_.max_buffer_bytes / 2 && reading_paused_for_upstream_) {
    reading_paused_for_upstream_ = false;
    connection_.resumeReading();
  }
}

void Stream::routeRequest(http::HeaderMap& headers, bool end_stream) {
  // Filters may have changed :path or :authority; match on what they left.
  route_ = listener_.routes->match(headers);
  if (route_ == nullptr) {
    respondLocally(filters_.size(), 404, "no route matched\n", "text/plain", "route_not_found");
    return;
  }
  const ClusterConfig* cluster_config = worker_.config().findCluster(route_->cluster);
  cluster_ = &worker_.clusters().cluster(*cluster_config);
  size_t endpoint = cluster_->balancer.pick();
  pool_ = cluster_->pools[endpoint].get();
  upstream_host_text_ = pool_->endpoint().text;

  router::RouteTable::applyRewrites(*route_, headers);
  http::HeaderMap upstream_headers = headers;
  http::removeHopByHopHeaders(upstream_headers);
  std::string client_ip = connection_.clientIp();
  if (auto forwarded = upstream_headers.get("x-forwarded-for")) {
    upstream_headers.set("x-forwarded-for", std::string(*forwarded) + ", " + client_ip);
  } else {
    upstream_headers.add("x-forwarded-for", client_ip);
  }
  upstream_headers.set("x-forwarded-proto", "http");
  if (!end_stream) {
    if (request_info_.chunked || !request_info_.has_content_length) {
      upstream_request_chunked_ = true;
      upstream_headers.remove("content-length");
      upstream_headers.add("transfer-encoding", "chunked");
    }
  }
  http::appendRequestHead(upstream_pending_, upstream_headers);
  upstream_request_complete_ = end_stream;
  record(stats::CoreMetrics::get().upstream_rq_total);
  ++cluster_->active_requests;
  waiting_for_pool_ = true;
  pool_->request(*this);
}

void Stream::onPoolReady(upstream::UpstreamConnection& connection, bool) {
  waiting_for_pool_ = false;
  upstream_ = &connection;
  upstream_->attach(this, request_method_ == "HEAD");
  if (!connection_.dispatching()) flushUpstream();
}

void Stream::onPoolFailure(upstream::UpstreamFailure failure, const std::string& reason) {
  waiting_for_pool_ = false;
  onUpstreamFailure(failure, reason);
}

void Stream::writeUpstream(std::string&& data) {
  if (upstream_pending_.empty()) {
    upstream_pending_ = std::move(data);
  } else {
    upstream_pending_.append(data);
  }
  // While the downstream connection is still parsing the bytes of one read,
  // hold what it produces: one write per read, and a request whose body
  // turns out malformed in the same read never reaches the upstream.
  if (!connection_.dispatching()) flushUpstream();
}

void Stream::flushUpstream() {
  if (upstream_ != nullptr && !upstream_pending_.empty()) {
    std::string data = std::move(upstream_pending_);
    upstream_pending_.clear();
    upstream_->write(std::move(data));
  }
  applyRequestFlowControl();
}

void Stream::sendUpstreamBody(std::string& data, bool end_stream) {
  if (response_complete_ || upstream_response_complete_) return;
  std::string framed;
  if (upstream_request_chunked_) {
    if (!data.empty()) {
      http::appendChunkPrefix(framed, data.size());
      framed.append(data);
      framed.append(http::kChunkSuffix);
    }
    if (end_stream) http::appendLastChunk(framed, nullptr);
  } else {
    framed = std::move(data);
  }
  if (end_stream) upstream_request_complete_ = true;
  writeUpstream(std::move(framed));
}

void Stream::sendUpstreamTrailers(http::HeaderMap& trailers) {
  if (response_complete_ || upstream_response_complete_) return;
  std::string framed;
  if (upstream_request_chunked_) http::appendLastChunk(framed, &trailers);
  upstream_request_complete_ = true;
  writeUpstream(std::move(framed));
}

void Stream::onUpstreamWriteDrained() { applyRequestFlowControl(); }

void Stream::releaseUpstream(bool force_close) {
  if (cluster_ != nullptr) {
    --cluster_->active_requests;
    cluster_ = nullptr;
  }
  if (upstream_ == nullptr) return;
  upstream::UpstreamConnection* connection = upstream_;
  upstream_ = nullptr;
  connection->detach();
  if (force_close || !upstream_request_complete_ || !upstream_response_complete_) {
    connection->close();
  } else {
    pool_->release(*connection);
  }
}

// ---------------------------------------------------------------------------
// Response direction

void Stream::startResponse(size_t filter_count) {
  if (response_) retired_pipelines_.push_back(std::move(response_));
  response_invoker_ = std::make_unique<ResponseInvoker>(*this, filter_count);
  response_ = std::make_unique<FilterPipeline>(*response_invoker_, filter_count, listener_.max_buffer_bytes);
}

void Stream::onUpstreamHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) {
  response_status_ = http::statusOf(headers);
  if (info.end_stream) upstream_response_complete_ = true;
  http::removeHopByHopHeaders(headers);
  startResponse(filters_.size());
  response_->receiveHeaders(std::move(headers), info.end_stream);
  if (info.end_stream) maybeComplete();
}

void Stream::onUpstreamBody(std::string_view data) {
  if (!response_ || response_->cancelled()) return;
  response_->receiveBody(data, false);
  applyResponseFlowControl();
}

void Stream::onUpstreamTrailers(http::HeaderMap&& trailers) {
  if (!response_ || response_->cancelled()) return;
  response_->receiveTrailers(std::move(trailers));
}

void Stream::onUpstreamComplete() {
  upstream_response_complete_ = true;
  if (response_ && !response_->cancelled() && !response_->endDelivered()) response_->receiveBody({}, true);
  if (upstream_ != nullptr && upstream_request_complete_) releaseUpstream(false);
  maybeComplete();
}

void Stream::onUpstreamFailure(upstream::UpstreamFailure failure, const std::string& reason) {
  SY_LOG(kDebug, "stream %s: upstream %s failed (%s): %s", id_text_.c_str(), upstream_host_text_.c_str(),
         upstream::upstreamFailureName(failure), reason.c_str());
  releaseUpstream(true);
  if (response_headers_sent_) {
    // Too late for an error status: cut the response short so the client
    // sees it was incomplete.
    response_details_ = upstream::upstreamFailureName(failure);
    connection_.resetAbruptly();
    return;
  }
  int status = failure == upstream::UpstreamFailure::kConnectFailure ? 503 : 502;
  std::string body = status == 503 ? "upstream connect error: " + reason + "\n"
                                   : "upstream error: " + reason + "\n";
  respondLocally(filters_.size(), status, body, "text/plain", upstream::upstreamFailureName(failure));
}

void Stream::applyResponseFlowControl() {
  if (upstream_ == nullptr) return;
  size_t queued = connection_.writeQueueBytes() + (response_ ? response_->heldBytes() : 0);
  if (queued > listener_.max_buffer_bytes && !upstream_paused_for_downstream_) {
    upstream_paused_for_downstream_ = true;
    upstream_->pauseReading();
  } else if (queued <= listener_.max_buffer_bytes / 2 && upstream_paused_for_downstream_) {
    upstream_paused_for_downstream_ = false;
    upstream_->resumeReading();
  }
}

void Stream::onDownstreamWriteDrained() { applyResponseFlowControl(); }

void Stream::writeResponseHead(http::HeaderMap& headers, bool end_stream) {
  int status = http::statusOf(headers);
  response_status_ = status;
  bool head_request = request_method_ == "HEAD";
  response_has_body_ = !(head_request || status == 204 || status == 304 || (status >= 100 && status < 200));
  if (!request_info_.keep_alive || connection_.draining()) close_connection_after_ = true;
  if (request_abandoned_ && !request_complete_) close_connection_after_ = true;
  if (response_has_body_ && !end_stream && !headers.get("content-length")) {
    if (request_info_.http_minor >= 1) {
      response_chunked_ = true;
      headers.add("transfer-encoding", "chunked");
    } else {
      close_connection_after_ = true;  // HTTP/1.0: the body ends at close
    }
  }
  if (close_connection_after_) {
    headers.set("connection", "close");
  } else if (request_info_.http_minor == 0) {
    headers.set("connection", "keep-alive");
  }
  std::string head;
  http::appendResponseHead(head, headers, request_info_.http_minor);
  response_headers_sent_ = true;
  connection_.write(std::move(head));
  if (end_stream) finishResponse();
}

void Stream::writeResponseBody(std::string& data, bool end_stream) {
  if (response_has_body_ && !data.empty()) {
    response_body_bytes_ += data.size();
    if (response_chunked_) {
      std::string framed;
      framed.reserve(data.size() + 16);
      http::appendChunkPrefix(framed, data.size());
      framed.append(data);
      framed.append(http::kChunkSuffix);
      connection_.write(std::move(framed));
    } else {
      connection_.write(std::move(data));
    }
  }
  if (end_stream) {
    if (response_chunked_) {
      std::string last;
      http::appendLastChunk(last, nullptr);
      connection_.write(std::move(last));
    }
    finishResponse();
  }
}

void Stream::writeResponseTrailers(http::HeaderMap& trailers) {
  if (response_chunked_) {
    std::string last;
    http::appendLastChunk(last, &trailers);
    connection_.write(std::move(last));
  }
  finishResponse();
}

void Stream::finishResponse() {
  response_complete_ = true;
  recordResponseStatus(response_status_);
  maybeComplete();
}

void Stream::recordResponseStatus(int status) {
  const auto& metrics = stats::CoreMetrics::get();
  uint32_t ids[] = {metrics.downstream_rq_1xx, metrics.downstream_rq_2xx, metrics.downstream_rq_3xx,
                    metrics.downstream_rq_4xx, metrics.downstream_rq_5xx};
  if (status >= 100 && status < 600) record(ids[status / 100 - 1]);
}

void Stream::respondLocally(size_t filter_count, int status, std::string_view body, std::string_view content_type,
                            std::string_view details) {
  response_details_ = std::string(details);
  if (request_) request_->cancel();
  // A request without a body completes right after its headers; only a body
  // still on the wire makes the reply cut the request short.
  if (!request_complete_ && !request_info_.end_stream) request_abandoned_ = true;
  if (waiting_for_pool_ && pool_ != nullptr) {
    pool_->cancel(*this);
    waiting_for_pool_ = false;
  }
  releaseUpstream(true);
  upstream_response_complete_ = true;
  http::HeaderMap headers;
  headers.add(":status", std::to_string(status));
  headers.add("content-length", std::to_string(body.size()));
  if (!body.empty()) headers.add("content-type", content_type.empty() ? "text/plain" : content_type);
  startResponse(filter_count);
  response_->receiveHeaders(std::move(headers), body.empty());
  if (!body.empty() && !response_->cancelled()) response_->receiveBody(body, true);
}

void Stream::sendErrorReply(int status, std::string_view details) {
  if (response_headers_sent_) {
    connection_.resetAbruptly();
    return;
  }
  std::string body = std::string(http::reasonPhrase(status)) + "\n";
  respondLocally(filter_contexts_created_ ? filters_.size() : 0, status, body, "text/plain", details);
}

sy_result Stream::sendLocalReply(size_t filter_index, int status, std::string_view body,
                                 std::string_view content_type, std::string_view details) {
  if (response_headers_sent_) return SY_ERR_HEADERS_SENT;
  if (completed_) return SY_ERR_BAD_STATE;
  if (status < 200 || status > 599) return SY_ERR_INVALID_ARGUMENT;
  // The reply goes back through the filters before the sender (the ones
  // closer to the client), in reverse; the sender and those after it do not
  // see it.
  respondLocally(filter_index, status, body, content_type, details);
  return SY_OK;
}

sy_result Stream::resetFromFilter(std::string_view details) {
  if (completed_) return SY_ERR_BAD_STATE;
  response_details_ = std::string(details);
  if (request_) request_->cancel();
  if (response_) response_->cancel();
  releaseUpstream(true);
  connection_.resetAbruptly();
  return SY_OK;
}

sy_result Stream::continueRequest(size_t filter_index) {
  if (!request_ || completed_) return SY_ERR_BAD_STATE;
  sy_result result = request_->resume(filter_index);
  applyRequestFlowControl();
  return result;
}

sy_result Stream::continueResponse(size_t filter_index) {
  if (!response_ || completed_) return SY_ERR_BAD_STATE;
  auto* invoker = response_invoker_.get();
  size_t count = response_->filterCount();
  if (filter_index >= count) return SY_ERR_BAD_STATE;
  sy_result result = response_->resume(invoker->filterAt(filter_index));
  applyResponseFlowControl();
  return result;
}

// ---------------------------------------------------------------------------
// Completion

void Stream::onDownstreamReset() {
  if (completed_) return;
  if (response_details_.empty()) response_details_ = "downstream_reset";
  if (request_) request_->cancel();
  if (response_) response_->cancel();
  if (waiting_for_pool_ && pool_ != nullptr) {
    pool_->cancel(*this);
    waiting_for_pool_ = false;
  }
  releaseUpstream(true);
  complete();
}

void Stream::maybeComplete() {
  if (completed_ || !response_complete_) return;
  if (!request_complete_ && !request_abandoned_) return;
  complete();
  connection_.onStreamComplete(close_connection_after_ || !request_complete_);
}

void Stream::complete() {
  completed_ = true;
  if (waiting_for_pool_ && pool_ != nullptr) {
    pool_->cancel(*this);
    waiting_for_pool_ = false;
  }
  releaseUpstream(!upstream_response_complete_);
  if (filter_contexts_created_) {
    for (size_t i = 0; i < filters_.size(); ++i) {
      if (moduleOf(i).stream_complete != nullptr) moduleOf(i).stream_complete(handleOf(i), filters_[i].context);
    }
  }
  uint64_t duration_ms = monotonicNowMs() - start_ms_;
  record(stats::CoreMetrics::get().downstream_rq_time_ms, int64_t(duration_ms));
  SY_LOG(kDebug, "access %s \"%s %s\" %d %llu %llums upstream=%s %s", connection_.clientIp().c_str(),
         request_method_.c_str(), request_path_.c_str(), response_status_,
         static_cast<unsigned long long>(response_body_bytes_), static_cast<unsigned long long>(duration_ms),
         upstream_host_text_.empty() ? "-" : upstream_host_text_.c_str(),
         response_details_.empty() ? "-" : response_details_.c_str());
}

// ---------------------------------------------------------------------------
// Properties, attributes, timers

sy_result Stream::property(sy_stream_property property, sy_slice* value) {
  switch (property) {
    case SY_PROP_CLIENT_ADDRESS: *value = sliceOf(connection_.clientIp()); return SY_OK;
    case SY_PROP_CLIENT_PORT: *value = sliceOf(connection_.clientPortText()); return SY_OK;
    case SY_PROP_LISTENER_NAME: *value = sliceOf(listener_.name); return SY_OK;
    case SY_PROP_ROUTE_NAME:
      if (route_ == nullptr) return SY_ERR_NOT_FOUND;
      *value = sliceOf(route_->name);
      return SY_OK;
    case SY_PROP_CLUSTER_NAME:
      if (route_ == nullptr) return SY_ERR_NOT_FOUND;
      *value = sliceOf(route_->cluster);
      return SY_OK;
    case SY_PROP_UPSTREAM_HOST:
      if (upstream_host_text_.empty()) return SY_ERR_NOT_FOUND;
      *value = sliceOf(upstream_host_text_);
      return SY_OK;
    case SY_PROP_REQUEST_ID: *value = sliceOf(id_text_); return SY_OK;
    case SY_PROP_PROTOCOL:
      *value = sliceOf(request_info_.http_minor == 0 ? "HTTP/1.0" : "HTTP/1.1");
      return SY_OK;
    case SY_PROP_FORCE_INT32: break;
  }
  return SY_ERR_INVALID_ARGUMENT;
}

sy_result Stream::setAttribute(std::string_view key, std::string_view value) {
  attributes_[std::string(key)] = std::string(value);
  return SY_OK;
}

sy_result Stream::getAttribute(std::string_view key, sy_slice* value) {
  auto it = attributes_.find(std::string(key));
  if (it == attributes_.end()) return SY_ERR_NOT_FOUND;
  *value = sliceOf(it->second);
  return SY_OK;
}

void Stream::adoptTimer(module::FilterTimer* timer) { timers_.push_back(timer); }

}  // namespace switchyard::server
