#include "server/stream.h"

#include <algorithm>
#include <cstddef>

#include "common/log.h"
#include "common/uv_util.h"
#include "http/message_encoder.h"
#include "http/method.h"
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
  // Attempts end without reports: no filter hook may run from here on.
  completed_ = true;
  closeAndDelete(retry_timer_);
  releaseUpstream(false);
  for (size_t i = 0; i < filters_with_context_; ++i) {
    if (moduleOf(i).stream_destroy != nullptr) moduleOf(i).stream_destroy(filters_[i].context);
  }
  // After stream_destroy, which may still cancel or free its timers.
  for (module::FilterTimer* timer : timers_) module::freeTimer(timer);
  record(stats::CoreMetrics::get().downstream_rq_active, -1);
}

sy_stream* Stream::handleOf(size_t filter_index) {
  return reinterpret_cast<sy_stream*>(&filters_[filter_index].handle);
}

const sy_filter_module& Stream::moduleOf(size_t filter_index) const {
  return *filters_[filter_index].config->module()->table;
}

bool Stream::createFilterContexts() {
  for (size_t i = 0; i < filters_.size(); ++i) {
    filters_[i].config = &listener_.effectiveFilterConfig(route_, i);
  }
  for (size_t i = 0; i < filters_.size(); ++i) {
    auto stream_new = moduleOf(i).stream_new;
    if (stream_new != nullptr && stream_new(handleOf(i), filters_[i].config->config(), &filters_[i].context) != SY_OK) {
      SY_LOG(kWarn, "filter '%s' failed to create stream state; stream %s answered 500",
             listener_.filters[i].name.c_str(), id_text_.c_str());
      filters_[i].context = nullptr;
      return false;
    }
    filters_with_context_ = i + 1;
  }
  return true;
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
  bool filters_ready = createFilterContexts();
  request_invoker_ = std::make_unique<RequestInvoker>(*this);
  request_ = std::make_unique<FilterPipeline>(*request_invoker_, filters_.size(), listener_.max_buffer_bytes);
  if (!filters_ready) {
    // Only the filters that have stream state see the reply.
    respondLocally(filters_with_context_, 500, "filter failed to start\n", "text/plain", "filter_stream_new_failed");
    return;
  }
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
  // The slowest attempt sets the pace: every attempt gets every byte.
  size_t attempt_queued = 0;
  for (const auto& attempt : attempts_) attempt_queued = std::max(attempt_queued, attempt->queuedBytes());
  size_t queued = (request_ ? request_->heldBytes() : 0) + attempt_queued;
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
  cluster_counters_ = cluster_config->counters.get();
  cluster_counters_->active_requests.fetch_add(1, std::memory_order_relaxed);

  router::RouteTable::applyRewrites(*route_, headers);
  upstream_headers_ = headers;
  http::removeHopByHopHeaders(upstream_headers_);
  std::string client_ip = connection_.clientIp();
  if (auto forwarded = upstream_headers_.get("x-forwarded-for")) {
    upstream_headers_.set("x-forwarded-for", std::string(*forwarded) + ", " + client_ip);
  } else {
    upstream_headers_.add("x-forwarded-for", client_ip);
  }
  upstream_headers_.set("x-forwarded-proto", "http");
  // Framing follows the headers the filters left, not the client's: a
  // filter that changes the body's length removes content-length, and the
  // body then goes upstream chunked.
  if (!end_stream && !upstream_headers_.get("content-length")) {
    upstream_request_chunked_ = true;
    upstream_headers_.add("transfer-encoding", "chunked");
  }
  upstream_request_complete_ = end_stream;
  startAttempt(false, false);
}

void Stream::startAttempt(bool hedged, bool exclude_tried_hosts) {
  static const std::vector<size_t> kNoHostsToAvoid;
  size_t endpoint = cluster_->balancer->chooseHost(exclude_tried_hosts ? tried_endpoints_ : kNoHostsToAvoid);
  if (std::find(tried_endpoints_.begin(), tried_endpoints_.end(), endpoint) == tried_endpoints_.end()) {
    tried_endpoints_.push_back(endpoint);
  }
  upstream::HostPool& pool = *cluster_->pools[endpoint];
  upstream_host_text_ = pool.endpoint().text;
  uint32_t number = ++attempt_count_;

  // Each attempt gets its own copy of the head, for attempt_started hooks
  // to change; without replay there is only ever this one attempt.
  http::HeaderMap attempt_headers =
      listener_.request_replay_buffer_bytes > 0 ? upstream_headers_ : std::move(upstream_headers_);
  sy_attempt_info info{};
  info.size = sizeof info;
  info.number = number;
  info.upstream_host = sliceOf(upstream_host_text_);
  info.hedged = hedged ? 1 : 0;
  ++attempt_hook_depth_;
  for (size_t i = 0; i < filters_.size() && !answered_; ++i) {
    if (auto hook = moduleOf(i).attempt_started) {
      hook(handleOf(i), filters_[i].context, &info, module::asHandle(&attempt_headers));
    }
  }
  --attempt_hook_depth_;
  if (answered_ || completed_) return;

  std::string request;
  http::appendRequestHead(request, attempt_headers);
  request.append(replay_body_);
  auto attempt = std::make_unique<UpstreamAttempt>(
      static_cast<AttemptEvents&>(*this), number, hedged, endpoint, pool, cluster_->hosts, *cluster_counters_,
      request_method_ == "HEAD", http::isIdempotentMethod(request_method_));
  if (upstream_request_complete_) attempt->markRequestSent();
  UpstreamAttempt& started = *attempt;
  attempts_.push_back(std::move(attempt));
  // Retries and hedges count against retry budgets while they load the
  // upstream, not while they wait out a back-off.
  if (number > 1) changeActiveRetries(1);
  record(stats::CoreMetrics::get().upstream_rq_total);
  if (number > 1 && !hedged) record(stats::CoreMetrics::get().upstream_rq_retry);
  // The pool may fail or answer before start() returns; either is handled
  // by the attempt callbacks.
  started.start(std::move(request), connection_.dispatching());
  startQueuedAttempts();
}

void Stream::startQueuedAttempts() {
  while (attempt_hook_depth_ == 0 && !queued_parallel_attempts_.empty() && !answered_ && !completed_ &&
         response_attempt_ == nullptr) {
    bool exclude = queued_parallel_attempts_.front();
    queued_parallel_attempts_.erase(queued_parallel_attempts_.begin());
    startAttempt(true, exclude);
  }
}

void Stream::onRetryTimer(uv_timer_t* timer) {
  auto* stream = static_cast<Stream*>(timer->data);
  if (!stream->retry_pending_) return;
  stream->retry_pending_ = false;
  if (stream->answered_ || stream->completed_ || stream->response_attempt_ != nullptr) return;
  if (stream->replay_overflowed_) {
    // The body outgrew the replay buffer during the back-off.
    stream->afterAttemptFailed(SY_ATTEMPT_RESET_BEFORE_HEADERS, "request body outgrew the replay buffer");
    return;
  }
  stream->startAttempt(false, stream->retry_excludes_tried_hosts_);
}

void Stream::writeUpstream(std::string&& data) {
  if (data.empty()) return;
  if (listener_.request_replay_buffer_bytes > 0 && !replay_overflowed_) {
    if (replay_body_.size() + data.size() > listener_.request_replay_buffer_bytes) {
      replay_overflowed_ = true;
      std::string().swap(replay_body_);
    } else {
      replay_body_.append(data);
    }
  }
  // While the downstream connection is still parsing the bytes of one read,
  // attempts hold what it produces: one write per read, and a request whose
  // body turns out malformed in the same read never reaches the upstream.
  bool hold = connection_.dispatching();
  if (attempts_.size() == 1) {
    attempts_.front()->send(std::move(data), hold);
  } else {
    for (auto& attempt : attempts_) attempt->sendCopy(data, hold);
  }
  if (upstream_request_complete_) {
    for (auto& attempt : attempts_) attempt->markRequestSent();
  }
}

void Stream::flushUpstream() {
  for (auto& attempt : attempts_) attempt->flush();
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

void Stream::onAttemptWriteDrained(UpstreamAttempt&) { applyRequestFlowControl(); }

bool Stream::reportAttemptFinished(const UpstreamAttempt& attempt, sy_attempt_outcome outcome, int status,
                                   const http::HeaderMap* response_headers, std::string_view details) {
  sy_attempt_info info{};
  info.size = sizeof info;
  info.number = attempt.number();
  info.upstream_host = sliceOf(attempt.hostText());
  info.hedged = attempt.hedged() ? 1 : 0;
  info.outcome = outcome;
  info.status = uint32_t(status);
  info.response_headers =
      response_headers != nullptr ? module::asHandle(const_cast<http::HeaderMap*>(response_headers)) : nullptr;
  info.details = sliceOf(details);

  const UpstreamAttempt* outer_judged = judged_attempt_;
  bool outer_rejected = judged_response_rejected_;
  judged_attempt_ = outcome == SY_ATTEMPT_RESPONSE ? &attempt : nullptr;
  judged_response_rejected_ = false;
  ++attempt_hook_depth_;
  for (size_t i = 0; i < filters_with_context_ && !completed_; ++i) {
    if (auto hook = moduleOf(i).attempt_finished) hook(handleOf(i), filters_[i].context, &info);
  }
  --attempt_hook_depth_;
  bool rejected = judged_response_rejected_;
  judged_attempt_ = outer_judged;
  judged_response_rejected_ = outer_rejected;
  return rejected;
}

UpstreamAttempt& Stream::retireAttempt(UpstreamAttempt& attempt, bool reuse_connection) {
  if (!attempt.discarding()) attempt.release(reuse_connection);
  if (attempt.number() > 1) changeActiveRetries(-1);
  if (&attempt == response_attempt_) response_attempt_ = nullptr;
  for (auto it = attempts_.begin(); it != attempts_.end(); ++it) {
    if (it->get() == &attempt) {
      retired_attempts_.push_back(std::move(*it));
      attempts_.erase(it);
      break;
    }
  }
  return attempt;
}

void Stream::afterAttemptFailed(sy_attempt_outcome outcome, const std::string& reason) {
  startQueuedAttempts();
  if (answered_ || completed_ || response_attempt_ != nullptr) return;
  if (retry_pending_ || !attempts_.empty()) return;  // something else may still answer
  int status = 502;
  const char* flag = "UC";
  std::string body = "upstream error: " + reason + "\n";
  switch (outcome) {
    case SY_ATTEMPT_CONNECT_FAILURE:
      status = 503;
      flag = "UF";
      body = "upstream connect error: " + reason + "\n";
      break;
    case SY_ATTEMPT_TIMED_OUT:
      status = 504;
      flag = "UT";
      body = "upstream request timeout\n";
      break;
    case SY_ATTEMPT_CANCELLED:
      status = 503;
      flag = "UO";
      body = "upstream request cancelled\n";
      break;
    default:
      break;
  }
  addResponseFlag(flag);
  respondLocally(filters_.size(), status, body, "text/plain", reason);
}

void Stream::cancelAttempts(sy_attempt_outcome outcome, std::string_view details) {
  if (retry_pending_) {
    retry_pending_ = false;
    if (retry_timer_ != nullptr) uv_timer_stop(retry_timer_);
  }
  queued_parallel_attempts_.clear();
  std::vector<UpstreamAttempt*> cancelled;
  for (auto& attempt : attempts_) {
    if (attempt.get() != response_attempt_) cancelled.push_back(attempt.get());
  }
  for (UpstreamAttempt* attempt : cancelled) {
    retireAttempt(*attempt, false);
    reportAttemptFinished(*attempt, outcome, 0, nullptr, details);
  }
}

void Stream::releaseUpstream(bool reuse_connection) {
  cancelAttempts(SY_ATTEMPT_CANCELLED, "stream ended");
  if (response_attempt_ != nullptr) {
    retireAttempt(*response_attempt_, reuse_connection && upstream_request_complete_ && upstream_response_complete_);
  }
  if (cluster_counters_ != nullptr) {
    cluster_counters_->active_requests.fetch_sub(1, std::memory_order_relaxed);
    cluster_counters_ = nullptr;
  }
}

void Stream::changeActiveRetries(int64_t delta) {
  active_retries_ += delta;
  if (cluster_counters_ == nullptr) return;
  if (delta > 0) {
    cluster_counters_->active_retries.fetch_add(uint64_t(delta), std::memory_order_relaxed);
  } else {
    cluster_counters_->active_retries.fetch_sub(uint64_t(-delta), std::memory_order_relaxed);
  }
}

// ---------------------------------------------------------------------------
// Response direction

void Stream::startResponse(size_t filter_count) {
  if (response_) retired_pipelines_.push_back(std::move(response_));
  response_invoker_ = std::make_unique<ResponseInvoker>(*this, filter_count);
  response_ = std::make_unique<FilterPipeline>(*response_invoker_, filter_count, listener_.max_buffer_bytes);
}

void Stream::onAttemptHeaders(UpstreamAttempt& attempt, http::HeaderMap&& headers,
                              const http::ResponseInfo& info) {
  int status = http::statusOf(headers);
  bool rejected = reportAttemptFinished(attempt, SY_ATTEMPT_RESPONSE, status, &headers, "response");
  if (answered_ || completed_) return;
  if (rejected) {
    // A filter retries or waits for another attempt: this response never
    // reaches the client; its connection goes back to the pool once the
    // rest of it has been read, when that is cheap.
    attempt.discardResponse();
    retireAttempt(attempt, false);
    afterAttemptFailed(SY_ATTEMPT_RESPONSE, "response " + std::to_string(status) + " rejected");
    return;
  }
  response_attempt_ = &attempt;
  upstream_host_text_ = attempt.hostText();
  cancelAttempts(SY_ATTEMPT_CANCELLED, "another attempt's response was accepted");

  response_status_ = status;
  if (info.end_stream) upstream_response_complete_ = true;
  http::removeHopByHopHeaders(headers);
  startResponse(filters_.size());
  response_->receiveHeaders(std::move(headers), info.end_stream);
  if (info.end_stream) maybeComplete();
}

void Stream::onAttemptBody(UpstreamAttempt& attempt, std::string_view data) {
  if (&attempt != response_attempt_ || !response_ || response_->cancelled()) return;
  response_->receiveBody(data, false);
  applyResponseFlowControl();
}

void Stream::onAttemptTrailers(UpstreamAttempt& attempt, http::HeaderMap&& trailers) {
  if (&attempt != response_attempt_ || !response_ || response_->cancelled()) return;
  response_->receiveTrailers(std::move(trailers));
}

void Stream::onAttemptComplete(UpstreamAttempt& attempt) {
  if (&attempt != response_attempt_) return;
  upstream_response_complete_ = true;
  if (response_ && !response_->cancelled() && !response_->endDelivered()) response_->receiveBody({}, true);
  if (response_attempt_ != nullptr && upstream_request_complete_) retireAttempt(*response_attempt_, true);
  maybeComplete();
}

void Stream::onAttemptFailure(UpstreamAttempt& attempt, upstream::UpstreamFailure failure,
                              const std::string& reason) {
  SY_LOG(kDebug, "stream %s: attempt %u to %s failed (%s): %s", id_text_.c_str(), attempt.number(),
         attempt.hostText().c_str(), upstream::upstreamFailureName(failure), reason.c_str());
  if (&attempt == response_attempt_) {
    // The accepted response broke off: nothing can be retried any more.
    retireAttempt(attempt, false);
    reportAttemptFinished(attempt, SY_ATTEMPT_RESET_AFTER_HEADERS, response_status_, nullptr, reason);
    if (answered_ || completed_) return;
    if (response_headers_sent_) {
      // Too late for an error status: cut the response short so the client
      // sees it was incomplete.
      response_details_ = upstream::upstreamFailureName(failure);
      addResponseFlag("UC");
      connection_.resetAbruptly();
      return;
    }
    addResponseFlag("UC");
    respondLocally(filters_.size(), 502, "upstream error: " + reason + "\n", "text/plain",
                   upstream::upstreamFailureName(failure));
    return;
  }
  sy_attempt_outcome outcome = failure == upstream::UpstreamFailure::kConnectFailure
                                   ? SY_ATTEMPT_CONNECT_FAILURE
                                   : SY_ATTEMPT_RESET_BEFORE_HEADERS;
  retireAttempt(attempt, false);
  reportAttemptFinished(attempt, outcome, 0, nullptr, reason);
  afterAttemptFailed(outcome, reason);
}

void Stream::applyResponseFlowControl() {
  if (response_attempt_ == nullptr) return;
  size_t queued = connection_.writeQueueBytes() + (response_ ? response_->heldBytes() : 0);
  if (queued > listener_.max_buffer_bytes && !upstream_paused_for_downstream_) {
    upstream_paused_for_downstream_ = true;
    response_attempt_->pauseReading();
  } else if (queued <= listener_.max_buffer_bytes / 2 && upstream_paused_for_downstream_) {
    upstream_paused_for_downstream_ = false;
    response_attempt_->resumeReading();
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
  answered_ = true;
  if (request_) request_->cancel();
  // A request without a body completes right after its headers; only a body
  // still on the wire makes the reply cut the request short.
  if (!request_complete_ && !request_info_.end_stream) request_abandoned_ = true;
  cancelAttempts(SY_ATTEMPT_CANCELLED, "stream answered locally");
  if (response_attempt_ != nullptr) retireAttempt(*response_attempt_, false);
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
  respondLocally(filters_with_context_, status, body, "text/plain", details);
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
  answered_ = true;
  if (request_) request_->cancel();
  if (response_) response_->cancel();
  cancelAttempts(SY_ATTEMPT_CANCELLED, "stream reset");
  if (response_attempt_ != nullptr) retireAttempt(*response_attempt_, false);
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
  answered_ = true;
  if (request_) request_->cancel();
  if (response_) response_->cancel();
  cancelAttempts(SY_ATTEMPT_CANCELLED, "downstream reset");
  if (response_attempt_ != nullptr) retireAttempt(*response_attempt_, false);
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
  releaseUpstream(upstream_response_complete_);
  for (size_t i = 0; i < filters_with_context_; ++i) {
    if (moduleOf(i).stream_complete != nullptr) moduleOf(i).stream_complete(handleOf(i), filters_[i].context);
  }
  uint64_t duration_ms = monotonicNowMs() - start_ms_;
  record(stats::CoreMetrics::get().downstream_rq_time_ms, int64_t(duration_ms));
  std::string flags;
  for (const auto& flag : response_flags_) flags += (flags.empty() ? "" : ",") + flag;
  SY_LOG(kDebug, "access %s \"%s %s\" %d %llu %llums upstream=%s attempts=%u flags=%s %s",
         connection_.clientIp().c_str(), request_method_.c_str(), request_path_.c_str(), response_status_,
         static_cast<unsigned long long>(response_body_bytes_), static_cast<unsigned long long>(duration_ms),
         upstream_host_text_.empty() ? "-" : upstream_host_text_.c_str(), attempt_count_,
         flags.empty() ? "-" : flags.c_str(), response_details_.empty() ? "-" : response_details_.c_str());
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

// ---------------------------------------------------------------------------
// Attempt control (ABI 1.1)

sy_result Stream::retryAttempt(uint64_t delay_ms, bool exclude_tried_hosts) {
  if (answered_ || completed_ || cluster_ == nullptr) return SY_ERR_BAD_STATE;
  if (response_headers_sent_) return SY_ERR_HEADERS_SENT;
  if (response_attempt_ != nullptr) return SY_ERR_BAD_STATE;
  if (listener_.request_replay_buffer_bytes == 0 || replay_overflowed_) return SY_ERR_NOT_REPLAYABLE;
  if (retry_pending_) return SY_ERR_LIMIT;
  if (retry_timer_ == nullptr) {
    retry_timer_ = new uv_timer_t;
    uv_timer_init(worker_.loop(), retry_timer_);
    retry_timer_->data = this;
  }
  retry_pending_ = true;
  retry_excludes_tried_hosts_ = exclude_tried_hosts;
  if (judged_attempt_ != nullptr) judged_response_rejected_ = true;
  // Even a zero delay goes through the loop, so a retry never starts inside
  // the hooks that asked for it.
  uv_timer_start(retry_timer_, &Stream::onRetryTimer, delay_ms, 0);
  return SY_OK;
}

sy_result Stream::startParallelAttempt(bool exclude_tried_hosts) {
  if (answered_ || completed_ || cluster_ == nullptr) return SY_ERR_BAD_STATE;
  if (response_headers_sent_) return SY_ERR_HEADERS_SENT;
  if (response_attempt_ != nullptr) return SY_ERR_BAD_STATE;
  if (listener_.request_replay_buffer_bytes == 0 || replay_overflowed_) return SY_ERR_NOT_REPLAYABLE;
  queued_parallel_attempts_.push_back(exclude_tried_hosts);
  record(stats::CoreMetrics::get().upstream_rq_hedge);
  startQueuedAttempts();
  return SY_OK;
}

sy_result Stream::cancelAttempt(uint32_t number, sy_attempt_outcome reason) {
  if (reason != SY_ATTEMPT_TIMED_OUT && reason != SY_ATTEMPT_CANCELLED) return SY_ERR_INVALID_ARGUMENT;
  if (completed_) return SY_ERR_BAD_STATE;
  std::vector<UpstreamAttempt*> targets;
  for (auto& attempt : attempts_) {
    if (attempt.get() != response_attempt_ && (number == 0 || attempt->number() == number)) {
      targets.push_back(attempt.get());
    }
  }
  if (targets.empty()) return SY_ERR_NOT_FOUND;
  const char* details = reason == SY_ATTEMPT_TIMED_OUT ? "attempt timed out" : "attempt cancelled";
  for (UpstreamAttempt* attempt : targets) {
    retireAttempt(*attempt, false);
    reportAttemptFinished(*attempt, reason, 0, nullptr, details);
  }
  afterAttemptFailed(reason, details);
  return SY_OK;
}

sy_result Stream::rejectAttemptResponse() {
  if (judged_attempt_ == nullptr) return SY_ERR_BAD_STATE;
  bool another_in_flight = attempts_.size() > 1;
  if (!another_in_flight && !retry_pending_) return SY_ERR_BAD_STATE;
  judged_response_rejected_ = true;
  return SY_OK;
}

sy_result Stream::clusterStats(sy_cluster_stats* stats) {
  if (stats == nullptr || stats->size < offsetof(sy_cluster_stats, active_retries) + sizeof(uint64_t)) {
    return SY_ERR_INVALID_ARGUMENT;
  }
  if (route_ == nullptr) return SY_ERR_NOT_FOUND;
  const ClusterConfig* cluster = worker_.config().findCluster(route_->cluster);
  if (cluster == nullptr) return SY_ERR_NOT_FOUND;
  stats->active_requests = cluster->counters->active_requests.load(std::memory_order_relaxed);
  stats->pending_requests = cluster->counters->pending_requests.load(std::memory_order_relaxed);
  stats->active_retries = cluster->counters->active_retries.load(std::memory_order_relaxed);
  // Fields a caller built against a smaller struct does not have are left alone.
  if (stats->size >= offsetof(sy_cluster_stats, active_connections) + sizeof(uint64_t)) {
    stats->active_connections = cluster->counters->active_connections.load(std::memory_order_relaxed);
  }
  return SY_OK;
}

sy_result Stream::addResponseFlag(std::string_view flag) {
  if (flag.empty() || flag.size() > 16) return SY_ERR_INVALID_ARGUMENT;
  if (std::find(response_flags_.begin(), response_flags_.end(), flag) == response_flags_.end()) {
    response_flags_.emplace_back(flag);
  }
  return SY_OK;
}

}  // namespace switchyard::server
