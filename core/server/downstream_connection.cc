#include "server/downstream_connection.h"

#include <sys/socket.h>

#include "common/log.h"
#include "common/uv_util.h"
#include "http/message_encoder.h"
#include "server/stream.h"
#include "server/worker.h"
#include "stats/core_metrics.h"

namespace switchyard::server {

namespace {

struct WriteOp {
  uv_write_t request;
  std::string data;
  DownstreamConnection* connection;
};

}  // namespace

DownstreamConnection::DownstreamConnection(Worker& worker, const ServingListener& listener)
    : worker_(worker),
      listener_(listener),
      socket_(new uv_tcp_t),
      idle_timer_(new uv_timer_t),
      headers_timer_(new uv_timer_t),
      decoder_(*this, listener.config->max_request_headers_bytes, listener.config->max_request_headers_count) {
  uv_tcp_init(worker.loop(), socket_);
  socket_->data = this;
  uv_timer_init(worker.loop(), idle_timer_);
  idle_timer_->data = this;
  uv_timer_init(worker.loop(), headers_timer_);
  headers_timer_->data = this;
  listener_.metrics->connectionOpened();
}

DownstreamConnection::~DownstreamConnection() = default;

void DownstreamConnection::start() {
  sockaddr_storage peer{};
  int length = sizeof peer;
  if (uv_tcp_getpeername(socket_, reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
    client_ip_ = addressIp(peer);
    client_port_ = std::to_string(addressPort(peer));
  }
  uv_tcp_nodelay(socket_, 1);
  resumeReading();
  armIdleTimer();
}

void DownstreamConnection::armIdleTimer() {
  if (closing_ || listener_.config->idle_timeout_ms == 0) return;
  uv_timer_start(idle_timer_, [](uv_timer_t* timer) {
    auto* self = static_cast<DownstreamConnection*>(timer->data);
    if (!self->stream_ && self->input_.empty()) self->close();
  }, listener_.config->idle_timeout_ms, 0);
}

void DownstreamConnection::armRequestHeadersTimer() {
  if (closing_ || listener_.config->request_headers_timeout_ms == 0 || uv_is_active(reinterpret_cast<uv_handle_t*>(headers_timer_))) {
    return;
  }
  uv_timer_start(headers_timer_, [](uv_timer_t* timer) {
    auto* self = static_cast<DownstreamConnection*>(timer->data);
    if (!self->decoder_.headersComplete()) self->writeErrorAndClose(408, "request headers timeout");
  }, listener_.config->request_headers_timeout_ms, 0);
}

void DownstreamConnection::resumeReading() {
  read_paused_ = false;
  if (reading_ || closing_ || shutting_down_ || peer_closed_) return;
  reading_ = true;
  uv_read_start(socket(), &DownstreamConnection::onAlloc, &DownstreamConnection::onRead);
}

void DownstreamConnection::pauseReading() {
  read_paused_ = true;
  if (!reading_) return;
  reading_ = false;
  uv_read_stop(socket());
}

void DownstreamConnection::onAlloc(uv_handle_t*, size_t, uv_buf_t* buf) { *buf = threadReadBuffer(); }

void DownstreamConnection::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<DownstreamConnection*>(stream->data);
  if (nread == 0 || self->closing_) return;
  if (self->lingering_) {
    if (nread < 0) self->close();  // the client closed too (or reset)
    return;
  }
  if (nread < 0) {
    if (nread == UV_EOF) {
      self->onPeerClosed();
    } else {
      self->close();
    }
    return;
  }
  uv_timer_stop(self->idle_timer_);
  self->listener_.metrics->bytesReceived(uint64_t(nread));
  std::string_view data(buf->base, size_t(nread));
  if (!self->stream_ || self->decoder_.inMessage()) self->armRequestHeadersTimer();
  if (self->input_.empty()) {
    size_t used = self->dispatch(data);
    if (!self->closing_ && used < data.size()) self->input_.assign(data.substr(used));
  } else {
    self->input_.append(data);
    self->processBufferedInput();
  }
  // Pipelined requests queue up while a response is in progress; bound that.
  if (!self->closing_ && self->input_.size() > self->listener_.config->max_buffer_bytes) self->pauseReading();
}

size_t DownstreamConnection::dispatch(std::string_view data) {
  size_t used_total = 0;
  dispatching_ = true;
  while (used_total < data.size() && !closing_ && !shutting_down_) {
    if (decoder_.paused()) {
      if (stream_) break;  // the next request waits for this response
      decoder_.resume();
    }
    size_t used = decoder_.feed(data.substr(used_total));
    used_total += used;
    if (decoder_.failed()) {
      dispatching_ = false;
      handleDecodeError();
      return data.size();
    }
    if (used == 0 && !decoder_.paused()) break;
  }
  dispatching_ = false;
  if (stream_) stream_->flushUpstream();
  return used_total;
}

void DownstreamConnection::processBufferedInput() {
  if (input_.empty()) return;
  std::string pending = std::move(input_);
  input_.clear();
  size_t used = dispatch(pending);
  if (!closing_ && used < pending.size()) input_.assign(pending, used, std::string::npos);
}

void DownstreamConnection::handleDecodeError() {
  stats::recordMetric(stats::CoreMetrics::get().downstream_rq_bad_request);
  SY_LOG(kDebug, "client %s: rejected request: %d %s", client_ip_.c_str(), decoder_.errorStatus(),
         decoder_.errorReason().c_str());
  input_.clear();
  if (stream_ && !stream_->responseStarted()) {
    // The rest of the request cannot be trusted: answer and close.
    draining_ = true;
    stream_->sendErrorReply(decoder_.errorStatus(), decoder_.errorReason());
    if (!closing_) closeAfterWrites();
    return;
  }
  if (stream_) {
    resetAbruptly();
    return;
  }
  writeErrorAndClose(decoder_.errorStatus(), decoder_.errorReason());
}

void DownstreamConnection::writeErrorAndClose(int status, std::string_view reason) {
  if (closing_) return;
  if (stream_) {
    if (!stream_->responseStarted()) {
      draining_ = true;
      stream_->sendErrorReply(status, reason);
      closeAfterWrites();
    } else {
      resetAbruptly();
    }
    return;
  }
  listener_.metrics->requestRefused(status);
  std::string body = std::string(http::reasonPhrase(status)) + "\n";
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + std::string(http::reasonPhrase(status)) +
                         "\r\ncontent-type: text/plain\r\ncontent-length: " + std::to_string(body.size()) +
                         "\r\nconnection: close\r\n\r\n" + body;
  write(std::move(response));
  closeAfterWrites();
}

void DownstreamConnection::onRequestHeaders(http::HeaderMap&& headers, const http::RequestInfo& info) {
  uv_timer_stop(headers_timer_);
  stream_ = std::make_unique<Stream>(*this, worker_, listener_, Worker::nextStreamId());
  stream_->onRequestHeaders(std::move(headers), info);
}

void DownstreamConnection::onRequestBody(std::string_view data) {
  if (stream_) stream_->onRequestBody(data);
}

void DownstreamConnection::onRequestTrailers(http::HeaderMap&& trailers) {
  if (stream_) stream_->onRequestTrailers(std::move(trailers));
}

void DownstreamConnection::onRequestComplete() {
  if (stream_) stream_->onRequestComplete();
}

void DownstreamConnection::onStreamComplete(bool close_after) {
  worker_.deferDelete(std::move(stream_));
  if (close_after || draining_ || peer_closed_) {
    closeAfterWrites();
    return;
  }
  if (!dispatching_) processBufferedInput();
  if (closing_ || stream_) return;
  if (read_paused_) resumeReading();
  if (input_.empty() && (decoder_.paused() || !decoder_.inMessage())) armIdleTimer();
}

void DownstreamConnection::onPeerClosed() {
  peer_closed_ = true;
  reading_ = false;
  // A response already on its way is finished: a client that only
  // half-closed still reads it, and for one that closed fully the write
  // fails, which closes. A request still waiting for its response is
  // cancelled at once, as nginx (proxy_ignore_client_abort off) and Envoy
  // do: nobody is left to read the answer, and waiting for it would hold an
  // upstream connection (or a place in a pool's queue) for nothing. The
  // stream's access line carries DC. Requests pipelined behind it were
  // never started and nothing of them went upstream: they are dropped.
  if (stream_ && stream_->responseStarted()) return;
  close();
}

void DownstreamConnection::write(std::string&& data) {
  if (closing_ || data.empty()) return;
  auto* op = new WriteOp{uv_write_t{}, std::move(data), this};
  op->request.data = op;
  uv_buf_t buf = uv_buf_init(op->data.data(), unsigned(op->data.size()));
  if (uv_write(&op->request, socket(), &buf, 1, &DownstreamConnection::onWrite) != 0) {
    delete op;
    close();
  }
}

size_t DownstreamConnection::writeQueueBytes() const {
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(socket_));
}

void DownstreamConnection::onWrite(uv_write_t* request, int status) {
  auto* op = static_cast<WriteOp*>(request->data);
  DownstreamConnection* self = op->connection;
  if (status == 0) self->listener_.metrics->bytesSent(op->data.size());
  delete op;
  if (self->closing_) return;
  if (status != 0) {
    self->close();
    return;
  }
  if (self->stream_ && self->writeQueueBytes() <= self->listener_.config->max_buffer_bytes / 2) {
    self->stream_->onDownstreamWriteDrained();
  }
}

void DownstreamConnection::closeAfterWrites() {
  if (closing_ || shutting_down_) return;
  shutting_down_ = true;
  pauseReading();
  if (idle_timer_ != nullptr) uv_timer_stop(idle_timer_);
  if (headers_timer_ != nullptr) uv_timer_stop(headers_timer_);
  auto* request = new uv_shutdown_t;
  request->data = this;
  int rc = uv_shutdown(request, socket(), [](uv_shutdown_t* req, int) {
    auto* self = static_cast<DownstreamConnection*>(req->data);
    delete req;
    self->lingerThenClose();
  });
  if (rc != 0) {
    delete request;
    close();
  }
}

void DownstreamConnection::lingerThenClose() {
  if (closing_) return;
  if (peer_closed_) {
    close();
    return;
  }
  // Our FIN is out. Bytes the client still sends (the rest of a refused
  // request, a pipelined one) would make the kernel answer our close with a
  // reset, and a reset can destroy the response in the client's receive
  // buffer before it is read. So read and discard until the client closes
  // too, for at most kLingerMs.
  lingering_ = true;
  uv_timer_start(idle_timer_, [](uv_timer_t* timer) { static_cast<DownstreamConnection*>(timer->data)->close(); },
                 kLingerMs, 0);
  if (!reading_) {
    reading_ = true;
    uv_read_start(socket(), &DownstreamConnection::onAlloc, &DownstreamConnection::onRead);
  }
}

void DownstreamConnection::drain() {
  draining_ = true;
  // A request in progress, or one whose bytes already wait in the socket
  // (a connection accepted from the queue as the listener closed, or a
  // pipelined request not read yet), is answered with Connection: close
  // first; an idle connection closes now.
  bool mid_request = decoder_.inMessage() && !decoder_.paused();
  if (stream_ || !input_.empty() || mid_request || requestBytesWaiting()) return;
  closeAfterWrites();
}

bool DownstreamConnection::requestBytesWaiting() const {
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(socket_), &fd) != 0) return false;
  char byte;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

void DownstreamConnection::resetAbruptly() {
  if (closing_) return;
  if (stream_) {
    stream_->onDownstreamReset();
    worker_.deferDelete(std::move(stream_));
  }
  closing_ = true;
  closeAndDelete(idle_timer_);
  closeAndDelete(headers_timer_);
  idle_timer_ = nullptr;
  headers_timer_ = nullptr;
  // uv_tcp_close_reset sends RST so the client sees the response was cut.
  int rc = uv_tcp_close_reset(socket_, &DownstreamConnection::onSocketClosed);
  if (rc != 0) {
    closing_ = false;
    close();
  }
}

void DownstreamConnection::close() {
  if (closing_) return;
  closing_ = true;
  if (stream_) {
    stream_->onDownstreamReset();
    worker_.deferDelete(std::move(stream_));
  }
  closeAndDelete(idle_timer_);
  closeAndDelete(headers_timer_);
  idle_timer_ = nullptr;
  headers_timer_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(socket_), &DownstreamConnection::onSocketClosed);
}

void DownstreamConnection::onSocketClosed(uv_handle_t* handle) {
  auto* self = static_cast<DownstreamConnection*>(handle->data);
  // Before the worker hears of it: the last connection of a drain may free
  // the proxy, and the listener's metrics with it.
  self->listener_.metrics->connectionClosed();
  self->worker_.onConnectionClosed(self);
  delete reinterpret_cast<uv_tcp_t*>(handle);
  delete self;
}

}  // namespace switchyard::server
