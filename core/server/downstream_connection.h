// DownstreamConnection: one accepted client connection. It reads bytes into
// the RequestDecoder, runs one Stream at a time (pipelined requests wait in
// the input buffer, so responses go out in order), writes responses, and
// enforces the idle and request-header timeouts. It deletes itself after its
// socket closes.
#pragma once

#include <uv.h>

#include <memory>
#include <string>

#include "http/request_decoder.h"
#include "server/serving_config.h"

namespace switchyard::server {

class Stream;
class Worker;

class DownstreamConnection : private http::RequestDecoderCallbacks {
 public:
  DownstreamConnection(Worker& worker, const ServingListener& listener);
  ~DownstreamConnection() override;

  uv_stream_t* socket() { return reinterpret_cast<uv_stream_t*>(socket_); }
  // Called once the socket was accepted.
  void start();

  void write(std::string&& data);
  size_t writeQueueBytes() const;
  void pauseReading();
  void resumeReading();
  // The current stream finished; `close_after` ends the connection once the
  // response is written.
  void onStreamComplete(bool close_after);
  // Close at once with a TCP reset (a response was cut short).
  void resetAbruptly();
  // Stop taking requests: close now if idle, else after the current response.
  void drain();
  void close();

  bool draining() const { return draining_; }
  // True while bytes of one read are being parsed.
  bool dispatching() const { return dispatching_; }
  const std::string& clientIp() const { return client_ip_; }
  const std::string& clientPortText() const { return client_port_; }

 private:
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* request, int status);
  // The socket is closed (by close() or resetAbruptly()): the end of the connection.
  static void onSocketClosed(uv_handle_t* handle);

  void onRequestHeaders(http::HeaderMap&& headers, const http::RequestInfo& info) override;
  void onRequestBody(std::string_view data) override;
  void onRequestTrailers(http::HeaderMap&& trailers) override;
  void onRequestComplete() override;

  // Parses `data`; returns how many bytes were used.
  size_t dispatch(std::string_view data);
  void processBufferedInput();
  void handleDecodeError();
  void writeErrorAndClose(int status, std::string_view reason);
  void closeAfterWrites();
  void armIdleTimer();
  void armRequestHeadersTimer();
  void onPeerClosed();
  // After the shutdown of the write side: see kLingerMs.
  void lingerThenClose();
  // How long a closing connection discards what the client still sends.
  static constexpr uint64_t kLingerMs = 2000;
  // Bytes from the client wait in the socket, not read yet.
  bool requestBytesWaiting() const;

  Worker& worker_;
  const ServingListener& listener_;
  uv_tcp_t* socket_;
  uv_timer_t* idle_timer_;
  uv_timer_t* headers_timer_;
  http::RequestDecoder decoder_;
  std::unique_ptr<Stream> stream_;
  std::string input_;  // bytes read but not yet parsed (pipelined requests)
  std::string client_ip_;
  std::string client_port_;
  bool reading_ = false;
  bool read_paused_ = false;
  bool dispatching_ = false;
  bool draining_ = false;
  bool closing_ = false;
  bool shutting_down_ = false;
  bool peer_closed_ = false;
  bool lingering_ = false;  // shut down, discarding input until the client closes
};

}  // namespace switchyard::server
