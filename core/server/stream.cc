#include "server/stream.h"

#include <algorithm>

#include "common/uv_util.h"
#include "http/message_encoder.h"
#include "server/downstream_connection.h"
#include "server/worker.h"

namespace switchyard::server {

namespace {

size_t routeIdOf(const router::RouteEntry* route) {
  return route != nullptr ? route->id : stats::StreamMetrics::kNoRoute;
}

std::string_view codeOf(sy_response_flag flag) {
  sy_slice code = sy_response_flag_code(flag);
  return std::string_view(code.ptr, code.len);
}

}  // namespace

Stream::Stream(DownstreamConnection& connection, Worker& worker, const ServingListener& listener, uint64_t id)
    : connection_(connection),
      listener_(listener),
      id_text_(std::to_string(id)),
      start_ms_(monotonicNowMs()),
      access_log_(listener.access_logs.get()),
      upstream_(*this, worker.loop(), *listener.routes, worker.config(), worker.clusters(),
                listener.filters->requestReplayBufferBytes()),
      chain_(*this, worker, *listener.filters, upstream_, listener.config->max_buffer_bytes),
      metrics_(*listener.metrics) {}

Stream::~Stream() { completed_ = true; }

// ---------------------------------------------------------------------------
// Request direction

void Stream::onRequestHeaders(http::HeaderMap&& headers, const http::RequestInfo& info) {
  request_info_ = info;
  request_method_ = std::string(headers.get(":method").value_or(""));
  request_path_ = std::string(headers.get(":path").value_or(""));
  access_log_.onRequestHeaders(headers);
  if (info.expect_continue && info.http_minor >= 1 && !info.end_stream) {
    // The proxy answers 100-continue itself so the client starts sending
    // while the upstream connection is set up.
    connection_.write(std::string("HTTP/1.1 100 Continue\r\n\r\n"));
  }
  headers.remove("expect");
  upstream_.selectRoute(headers);
  const router::RouteEntry* route = upstream_.route();
  if (!chain_.createContexts(route != nullptr ? route->id : module::FilterChainConfig::kNoRoute)) {
    // Only the filters that have stream state see the reply.
    respondLocally(chain_.filtersWithContext(), 500, "filter failed to start\n", "text/plain",
                   "filter_stream_new_failed");
    return;
  }
  chain_.request().receiveHeaders(std::move(headers), info.end_stream);
}

void Stream::onRequestBody(std::string_view data) {
  access_log_.onRequestBody(data.size());
  if (request_abandoned_ || chain_.request().cancelled()) return;
  chain_.request().receiveBody(data, false);
  applyRequestFlowControl();
}

void Stream::onRequestTrailers(http::HeaderMap&& trailers) {
  if (request_abandoned_ || chain_.request().cancelled()) return;
  chain_.request().receiveTrailers(std::move(trailers));
}

void Stream::onRequestComplete() {
  request_complete_ = true;
  FilterPipeline& request = chain_.request();
  if (!request_abandoned_ && !request.cancelled() && !request_info_.end_stream && !request.endDelivered()) {
    request.receiveBody({}, true);
  }
  maybeComplete();
}

void Stream::flushUpstream() {
  upstream_.flush();
  applyRequestFlowControl();
}

void Stream::applyRequestFlowControl() {
  size_t queued = chain_.heldBytes() + upstream_.queuedRequestBytes();
  size_t limit = listener_.config->max_buffer_bytes;
  if (queued > limit && !reading_paused_for_upstream_) {
    reading_paused_for_upstream_ = true;
    connection_.pauseReading();
  } else if (queued <= limit / 2 && reading_paused_for_upstream_) {
    reading_paused_for_upstream_ = false;
    connection_.resumeReading();
  }
}

void Stream::onFilteredRequestHeaders(http::HeaderMap& headers, bool end_stream) {
  access_log_.onRequestSentUpstream(headers);
  if (!upstream_.start(headers, end_stream, connection_.clientIp())) {
    addFlag(codeOf(SY_FLAG_NO_ROUTE));
    respondLocally(chain_.filterCount(), 404, "no route matched\n", "text/plain", "route_not_found");
  }
}

void Stream::onFilteredRequestBody(std::string& body, bool end_stream) {
  if (!response_complete_) upstream_.sendBody(body, end_stream);
}

void Stream::onFilteredRequestTrailers(http::HeaderMap& trailers) {
  if (!response_complete_) upstream_.sendTrailers(trailers);
}

void Stream::onFilterBufferOverflow(bool request_direction) {
  if (request_direction) {
    respondLocally(chain_.filterCount(), 413, "request body too large\n", "text/plain", "request_buffer_overflow");
  } else if (response_headers_sent_) {
    onFilterReset("response_buffer_overflow");
  } else {
    respondLocally(0, 500, "response body too large to buffer\n", "text/plain", "response_buffer_overflow");
  }
}

// ---------------------------------------------------------------------------
// Upstream attempts and the accepted response

void Stream::runAttemptStarted(const sy_attempt_info& attempt, http::HeaderMap& headers) {
  chain_.runAttemptStarted(attempt, headers);
}

void Stream::runAttemptFinished(const sy_attempt_info& attempt) {
  if (!completed_) chain_.runAttemptFinished(attempt);
}

sy_admission Stream::runAttemptAdmit(const sy_attempt_info& candidate, std::string* reason) {
  return completed_ ? SY_ADMIT_REFUSE_ATTEMPT : chain_.runAttemptAdmit(candidate, reason);
}

bool Stream::downstreamDispatching() const { return connection_.dispatching(); }

sy_result Stream::attemptControlAllowed() const {
  if (answered_ || completed_) return SY_ERR_BAD_STATE;
  if (response_headers_sent_) return SY_ERR_HEADERS_SENT;
  return SY_OK;
}

void Stream::onUpstreamResponseHeaders(http::HeaderMap&& headers, bool end_stream) {
  response_status_ = http::statusOf(headers);
  access_log_.onUpstreamResponseHeaders();
  chain_.startResponse(chain_.filterCount()).receiveHeaders(std::move(headers), end_stream);
  if (end_stream) maybeComplete();
}

void Stream::onUpstreamResponseBody(std::string_view data) {
  FilterPipeline* response = chain_.response();
  if (response == nullptr || response->cancelled()) return;
  response->receiveBody(data, false);
  applyResponseFlowControl();
}

void Stream::onUpstreamResponseTrailers(http::HeaderMap&& trailers) {
  FilterPipeline* response = chain_.response();
  if (response == nullptr || response->cancelled()) return;
  response->receiveTrailers(std::move(trailers));
}

void Stream::onUpstreamResponseComplete() {
  FilterPipeline* response = chain_.response();
  if (response != nullptr && !response->cancelled() && !response->endDelivered()) response->receiveBody({}, true);
  maybeComplete();
}

void Stream::onUpstreamFailed(int status, std::string_view body, std::string_view details) {
  respondLocally(chain_.filterCount(), status, body, "text/plain", details);
}

void Stream::onUpstreamOverloaded(std::string_view reason) {
  respondLocally(chain_.filterCount(), 503, "upstream overloaded: " + std::string(reason) + "\n", "text/plain",
                 "upstream_overflow", reason);
}

void Stream::onUpstreamResponseReset(std::string_view reason, std::string_view details) {
  if (answered_ || completed_) return;
  if (response_headers_sent_) {
    // Too late for an error status: cut the response short so the client
    // sees it was incomplete.
    abort(details);
    connection_.resetAbruptly();
    return;
  }
  respondLocally(chain_.filterCount(), 502, "upstream error: " + std::string(reason) + "\n", "text/plain", details);
}

// ---------------------------------------------------------------------------
// Response direction: HTTP/1 framing to the client

void Stream::applyResponseFlowControl() {
  FilterPipeline* response = chain_.response();
  size_t queued = connection_.writeQueueBytes() + (response != nullptr ? response->heldBytes() : 0);
  size_t limit = listener_.config->max_buffer_bytes;
  if (queued > limit && !upstream_paused_for_downstream_) {
    upstream_paused_for_downstream_ = true;
    upstream_.pauseResponse();
  } else if (queued <= limit / 2 && upstream_paused_for_downstream_) {
    upstream_paused_for_downstream_ = false;
    upstream_.resumeResponse();
  }
}

void Stream::onDownstreamWriteDrained() { applyResponseFlowControl(); }

void Stream::onFilterResumed(bool request_direction) {
  if (request_direction) {
    applyRequestFlowControl();
  } else {
    applyResponseFlowControl();
  }
}

void Stream::onFilteredResponseHeaders(http::HeaderMap& headers, bool end_stream) {
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
  access_log_.onResponseHeaders(headers);
  std::string head;
  http::appendResponseHead(head, headers, request_info_.http_minor);
  response_headers_sent_ = true;
  connection_.write(std::move(head));
  if (end_stream) finishResponse();
}

void Stream::onFilteredResponseBody(std::string& data, bool end_stream) {
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

void Stream::onFilteredResponseTrailers(http::HeaderMap& trailers) {
  if (response_chunked_) {
    std::string last;
    http::appendLastChunk(last, &trailers);
    connection_.write(std::move(last));
  }
  finishResponse();
}

void Stream::finishResponse() {
  response_complete_ = true;
  metrics_.responded(routeIdOf(upstream_.route()), response_status_);
  maybeComplete();
}

// ---------------------------------------------------------------------------
// Local replies, resets, teardown

void Stream::abort(std::string_view details) {
  response_details_ = std::string(details);
  answered_ = true;
  chain_.request().cancel();
  if (FilterPipeline* response = chain_.response()) response->cancel();
  upstream_.close();
}

void Stream::respondLocally(size_t filter_count, int status, std::string_view body, std::string_view content_type,
                            std::string_view details, std::string_view overloaded_reason) {
  // `body` and the reason may point into state that abort() releases.
  std::string reply_body(body);
  std::string overloaded(overloaded_reason);
  abort(details);
  // A request without a body completes right after its headers; only a body
  // still on the wire makes the reply cut the request short.
  if (!request_complete_ && !request_info_.end_stream) request_abandoned_ = true;
  http::HeaderMap headers;
  headers.add(":status", std::to_string(status));
  headers.add("content-length", std::to_string(reply_body.size()));
  if (!reply_body.empty()) headers.add("content-type", content_type.empty() ? "text/plain" : content_type);
  if (!overloaded.empty()) headers.add("x-switchyard-overloaded", overloaded);
  FilterPipeline& response = chain_.startResponse(filter_count);
  response.receiveHeaders(std::move(headers), reply_body.empty());
  if (!reply_body.empty() && !response.cancelled()) response.receiveBody(reply_body, true);
}

void Stream::sendErrorReply(int status, std::string_view details) {
  if (response_headers_sent_) {
    connection_.resetAbruptly();
    return;
  }
  std::string body = std::string(http::reasonPhrase(status)) + "\n";
  respondLocally(chain_.filtersWithContext(), status, body, "text/plain", details);
}

sy_result Stream::onFilterLocalReply(size_t filter_index, int status, std::string_view body,
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

sy_result Stream::onFilterReset(std::string_view details) {
  if (completed_) return SY_ERR_BAD_STATE;
  addFlag(codeOf(SY_FLAG_LOCAL_RESET));
  abort(details);
  connection_.resetAbruptly();
  return SY_OK;
}

void Stream::onDownstreamReset() {
  if (completed_) return;
  if (!response_complete_) addFlag(codeOf(SY_FLAG_DOWNSTREAM_CONNECTION_TERMINATION));
  abort(response_details_.empty() ? std::string_view("downstream_reset") : std::string_view(response_details_));
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
  upstream_.close();
  chain_.runStreamComplete();
  metrics_.completed(routeIdOf(upstream_.route()), response_flags_);
  writeAccessLog(monotonicNowMs() - start_ms_);
}

void Stream::addResponseFlag(sy_response_flag flag) { addFlag(codeOf(flag)); }

void Stream::addFlag(std::string_view flag) {
  std::string_view rest = response_flags_;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    if (rest.substr(0, comma) == flag) return;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  if (!response_flags_.empty()) response_flags_ += ',';
  response_flags_ += flag;
}

sy_result Stream::onFilterRequestId(std::string_view id) {
  id_text_ = std::string(id);
  return SY_OK;
}

}  // namespace switchyard::server
