// UpstreamConnection: one TCP connection to an upstream host, speaking
// HTTP/1.1 through a ResponseDecoder. It is owned by its HostPool while idle
// or connecting and lent to one stream at a time while busy. It deletes
// itself after its socket is closed.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "http/response_decoder.h"

namespace switchyard::upstream {

class HostPool;

enum class UpstreamFailure {
  kConnectFailure,     // could not connect (refused, unreachable, timed out)
  kResetBeforeHeaders, // closed or reset before a complete response head
  kResetAfterHeaders,  // closed or reset in the middle of the body
  kProtocolError,      // the response was malformed
};

const char* upstreamFailureName(UpstreamFailure failure);

// Implemented by whoever borrows a busy connection (a stream's upstream
// request).
class UpstreamResponseHandler {
 public:
  virtual ~UpstreamResponseHandler() = default;
  virtual void onUpstreamHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) = 0;
  virtual void onUpstreamBody(std::string_view data) = 0;
  virtual void onUpstreamTrailers(http::HeaderMap&& trailers) = 0;
  virtual void onUpstreamComplete() = 0;
  virtual void onUpstreamFailure(UpstreamFailure failure, const std::string& reason) = 0;
  // The write queue fell below the low watermark after being above the high.
  virtual void onUpstreamWriteDrained() = 0;
};

class UpstreamConnection : private http::ResponseDecoderCallbacks {
 public:
  UpstreamConnection(HostPool& pool, uv_loop_t* loop, size_t max_response_headers_bytes);

  // Starts connecting; the pool hears onConnected/onConnectFailed.
  void connect(const sockaddr_storage& address, uint64_t timeout_ms);
  // Lends the connection to a request; `handler` gets the response.
  void attach(UpstreamResponseHandler* handler, bool request_is_head);
  // Takes it back. The connection is reusable only if the response completed
  // cleanly and the upstream allows keep-alive.
  void detach();
  // Copies `data` into the socket's write queue.
  void write(std::string&& data);
  // Flow control of the response direction.
  void pauseReading();
  void resumeReading();
  size_t writeQueueBytes() const;
  bool reusable() const;
  // Closes the socket; the object deletes itself afterwards.
  void close();
  // Start watching an idle connection for a close or stray bytes.
  void watchWhileIdle();
  // How long the connection sat idle in its pool before this request.
  uint64_t idleMs() const;

  bool connected() const { return connected_; }
  uint64_t requestsServed() const { return requests_served_; }
  // Bytes read since the current request attached.
  uint64_t responseBytesReceived() const { return response_bytes_received_; }

 private:
  static void onConnect(uv_connect_t* request, int status);
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* request, int status);
  static void onConnectTimeout(uv_timer_t* timer);

  void onResponseHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) override;
  void onResponseBody(std::string_view data) override;
  void onResponseTrailers(http::HeaderMap&& trailers) override;
  void onResponseComplete() override;
  void fail(UpstreamFailure failure, const std::string& reason);
  void startReading();

  HostPool& pool_;
  uv_tcp_t* socket_;
  uv_timer_t* connect_timer_;
  uv_connect_t connect_request_{};
  http::ResponseDecoder decoder_;
  UpstreamResponseHandler* handler_ = nullptr;
  bool connected_ = false;
  bool closing_ = false;
  bool reading_ = false;
  bool read_paused_ = false;
  bool write_blocked_ = false;
  bool response_keep_alive_ = true;
  bool broken_ = false;  // a failure means the connection must not be reused
  uint64_t requests_served_ = 0;
  uint64_t response_bytes_received_ = 0;
  uint64_t idle_since_ms_ = 0;  // loop time when it last went idle
  char read_buffer_[64 * 1024];
};

}  // namespace switchyard::upstream
