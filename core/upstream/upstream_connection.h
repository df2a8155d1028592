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
#include "upstream/connection_pool.h"

namespace switchyard::upstream {

class HostPool;

class UpstreamConnection final : public PooledConnection, private http::ResponseDecoderCallbacks {
 public:
  UpstreamConnection(HostPool& pool, uv_loop_t* loop, size_t max_response_headers_bytes);

  // Starts connecting; the pool hears onConnected/onConnectFailed.
  void connect(const sockaddr_storage& address, uint64_t timeout_ms);
  // Lends the connection to a request; `handler` gets the response.
  void attach(UpstreamResponseHandler* handler, bool request_is_head) override;
  // Takes it back. The connection is reusable only if the response completed
  // cleanly and the upstream allows keep-alive.
  void detach() override;
  // Copies `data` into the socket's write queue.
  void write(std::string&& data) override;
  // Flow control of the response direction.
  void pauseReading() override;
  void resumeReading() override;
  size_t writeQueueBytes() const override;
  bool reusable() const;
  // Closes the socket; the object deletes itself afterwards.
  void close() override;
  // Start watching an idle connection for a close or stray bytes.
  void watchWhileIdle();
  // How long the connection sat idle in its pool before this request.
  uint64_t idleMs() const override;

  bool connected() const { return connected_; }
  uint64_t requestsServed() const { return requests_served_; }
  // Bytes read since the current request attached.
  uint64_t responseBytesReceived() const override { return response_bytes_received_; }

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
  bool response_keep_alive_ = true;
  bool broken_ = false;  // a failure means the connection must not be reused
  uint64_t requests_served_ = 0;
  uint64_t response_bytes_received_ = 0;
  uint64_t idle_since_ms_ = 0;  // loop time when it last went idle
};

}  // namespace switchyard::upstream
