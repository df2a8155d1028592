#include "upstream/upstream_connection.h"

#include "common/log.h"
#include "common/uv_util.h"
#include "stats/core_metrics.h"
#include "upstream/host_pool.h"

namespace switchyard::upstream {

namespace {

struct WriteOp {
  uv_write_t request;
  std::string data;
  UpstreamConnection* connection;
};

}  // namespace

const char* upstreamFailureName(UpstreamFailure failure) {
  switch (failure) {
    case UpstreamFailure::kConnectFailure: return "connect_failure";
    case UpstreamFailure::kResetBeforeHeaders: return "reset_before_headers";
    case UpstreamFailure::kResetAfterHeaders: return "reset_after_headers";
    case UpstreamFailure::kProtocolError: return "protocol_error";
  }
  return "unknown";
}

UpstreamConnection::UpstreamConnection(HostPool& pool, uv_loop_t* loop, size_t max_response_headers_bytes)
    : pool_(pool),
      socket_(new uv_tcp_t),
      connect_timer_(new uv_timer_t),
      decoder_(*this, max_response_headers_bytes) {
  uv_tcp_init(loop, socket_);
  socket_->data = this;
  uv_timer_init(loop, connect_timer_);
  connect_timer_->data = this;
}

void UpstreamConnection::connect(const sockaddr_storage& address, uint64_t timeout_ms) {
  stats::recordMetric(stats::CoreMetrics::get().upstream_cx_total);
  stats::recordMetric(stats::CoreMetrics::get().upstream_cx_active);
  connect_request_.data = this;
  int rc = uv_tcp_connect(&connect_request_, socket_, reinterpret_cast<const sockaddr*>(&address),
                          &UpstreamConnection::onConnect);
  if (rc != 0) {
    // Report asynchronously-equivalent: the pool handles it like a refusal.
    stats::recordMetric(stats::CoreMetrics::get().upstream_cx_connect_fail);
    pool_.onConnectFailed(*this, uv_strerror(rc));
    return;
  }
  if (timeout_ms > 0) uv_timer_start(connect_timer_, &UpstreamConnection::onConnectTimeout, timeout_ms, 0);
}

void UpstreamConnection::onConnectTimeout(uv_timer_t* timer) {
  auto* self = static_cast<UpstreamConnection*>(timer->data);
  if (self->connected_ || self->closing_) return;
  stats::recordMetric(stats::CoreMetrics::get().upstream_cx_connect_fail);
  self->pool_.onConnectFailed(*self, "connect timeout");
}

void UpstreamConnection::onConnect(uv_connect_t* request, int status) {
  auto* self = static_cast<UpstreamConnection*>(request->data);
  if (self->closing_) return;
  uv_timer_stop(self->connect_timer_);
  if (status != 0) {
    stats::recordMetric(stats::CoreMetrics::get().upstream_cx_connect_fail);
    self->pool_.onConnectFailed(*self, uv_strerror(status));
    return;
  }
  self->connected_ = true;
  uv_tcp_nodelay(self->socket_, 1);
  self->startReading();
  self->pool_.onConnected(*self);
}

void UpstreamConnection::attach(UpstreamResponseHandler* handler, bool request_is_head) {
  handler_ = handler;
  decoder_.expectResponse(request_is_head);
  response_keep_alive_ = true;
  response_bytes_received_ = 0;
  ++requests_served_;
  resumeReading();
}

void UpstreamConnection::detach() { handler_ = nullptr; }

bool UpstreamConnection::reusable() const {
  return connected_ && !closing_ && !broken_ && response_keep_alive_ && decoder_.complete() &&
         writeQueueBytes() == 0;
}

void UpstreamConnection::watchWhileIdle() {
  idle_since_ms_ = uv_now(socket_->loop);
  resumeReading();
}

uint64_t UpstreamConnection::idleMs() const { return uv_now(socket_->loop) - idle_since_ms_; }

void UpstreamConnection::write(std::string&& data) {
  if (closing_ || data.empty()) return;
  auto* op = new WriteOp{uv_write_t{}, std::move(data), this};
  op->request.data = op;
  uv_buf_t buf = uv_buf_init(op->data.data(), unsigned(op->data.size()));
  int rc = uv_write(&op->request, reinterpret_cast<uv_stream_t*>(socket_), &buf, 1, &UpstreamConnection::onWrite);
  if (rc != 0) {
    delete op;
    fail(decoder_.headersReceived() ? UpstreamFailure::kResetAfterHeaders : UpstreamFailure::kResetBeforeHeaders,
         std::string("write failed: ") + uv_strerror(rc));
  }
}

size_t UpstreamConnection::writeQueueBytes() const {
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(socket_));
}

void UpstreamConnection::onWrite(uv_write_t* request, int status) {
  auto* op = static_cast<WriteOp*>(request->data);
  UpstreamConnection* self = op->connection;
  delete op;
  if (self->closing_) return;
  if (status != 0) {
    self->fail(self->decoder_.headersReceived() ? UpstreamFailure::kResetAfterHeaders
                                                : UpstreamFailure::kResetBeforeHeaders,
               std::string("write failed: ") + uv_strerror(status));
    return;
  }
  if (self->handler_ != nullptr && self->writeQueueBytes() == 0) self->handler_->onUpstreamWriteDrained();
}

void UpstreamConnection::startReading() {
  if (reading_ || closing_ || !connected_) return;
  reading_ = true;
  uv_read_start(reinterpret_cast<uv_stream_t*>(socket_), &UpstreamConnection::onAlloc, &UpstreamConnection::onRead);
}

void UpstreamConnection::pauseReading() {
  read_paused_ = true;
  if (reading_) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(socket_));
    reading_ = false;
  }
}

void UpstreamConnection::resumeReading() {
  read_paused_ = false;
  startReading();
}

void UpstreamConnection::onAlloc(uv_handle_t*, size_t, uv_buf_t* buf) { *buf = threadReadBuffer(); }

void UpstreamConnection::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<UpstreamConnection*>(stream->data);
  if (nread == 0 || self->closing_) return;
  if (self->handler_ == nullptr) {
    // Idle: the upstream closed, or sent bytes nobody asked for.
    self->broken_ = true;
    self->pool_.onIdleConnectionClosed(*self);
    return;
  }
  if (nread < 0) {
    if (nread == UV_EOF && self->decoder_.finish()) return;  // close-delimited body ended
    bool after_headers = self->decoder_.headersReceived();
    self->fail(after_headers ? UpstreamFailure::kResetAfterHeaders : UpstreamFailure::kResetBeforeHeaders,
               nread == UV_EOF ? "upstream closed the connection" : uv_strerror(int(nread)));
    return;
  }
  self->response_bytes_received_ += uint64_t(nread);
  if (!self->decoder_.feed(std::string_view(buf->base, size_t(nread)))) {
    if (self->handler_ != nullptr) {
      stats::recordMetric(stats::CoreMetrics::get().upstream_rq_protocol_error);
      self->fail(UpstreamFailure::kProtocolError, self->decoder_.errorReason());
    }
  }
}

void UpstreamConnection::onResponseHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) {
  response_keep_alive_ = info.keep_alive;
  if (handler_ != nullptr) handler_->onUpstreamHeaders(std::move(headers), info);
}

void UpstreamConnection::onResponseBody(std::string_view data) {
  if (handler_ != nullptr) handler_->onUpstreamBody(data);
}

void UpstreamConnection::onResponseTrailers(http::HeaderMap&& trailers) {
  if (handler_ != nullptr) handler_->onUpstreamTrailers(std::move(trailers));
}

void UpstreamConnection::onResponseComplete() {
  if (handler_ != nullptr) handler_->onUpstreamComplete();
}

void UpstreamConnection::fail(UpstreamFailure failure, const std::string& reason) {
  broken_ = true;
  decoder_.stop();
  UpstreamResponseHandler* handler = handler_;
  handler_ = nullptr;
  if (handler != nullptr) {
    stats::recordMetric(stats::CoreMetrics::get().upstream_rq_reset);
    handler->onUpstreamFailure(failure, reason);
  }
}

void UpstreamConnection::close() {
  if (closing_) return;
  closing_ = true;
  stats::recordMetric(stats::CoreMetrics::get().upstream_cx_active, -1);
  closeAndDelete(connect_timer_);
  connect_timer_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(socket_), [](uv_handle_t* handle) {
    auto* self = static_cast<UpstreamConnection*>(handle->data);
    delete reinterpret_cast<uv_tcp_t*>(handle);
    delete self;
  });
  pool_.onConnectionGone(*this);
}

}  // namespace switchyard::upstream
