// ResponseDecoder: streaming HTTP/1.1 response parser on llhttp for the
// upstream side. Interim 1xx responses are swallowed (the proxy answers
// Expect: 100-continue itself); HEAD responses are parsed without a body.
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "http/header_map.h"

namespace switchyard::http {

struct ResponseInfo {
  bool keep_alive = true;  // the upstream allows reusing the connection
  bool chunked = false;
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool end_stream = false;  // no body follows
};

class ResponseDecoderCallbacks {
 public:
  virtual ~ResponseDecoderCallbacks() = default;
  // `headers` carries ":status" first.
  virtual void onResponseHeaders(HeaderMap&& headers, const ResponseInfo& info) = 0;
  virtual void onResponseBody(std::string_view data) = 0;
  virtual void onResponseTrailers(HeaderMap&& trailers) = 0;
  virtual void onResponseComplete() = 0;
};

class ResponseDecoder {
 public:
  ResponseDecoder(ResponseDecoderCallbacks& callbacks, size_t max_headers_bytes);
  ResponseDecoder(const ResponseDecoder&) = delete;
  ResponseDecoder& operator=(const ResponseDecoder&) = delete;

  // Call before each request is sent: a HEAD response has no body.
  void expectResponse(bool request_was_head);
  // Returns false on a malformed response (see errorReason()).
  bool feed(std::string_view data);
  // The upstream closed: completes a close-delimited body, or reports that
  // the response was cut short (returns false).
  bool finish();
  // Stop at the next callback boundary (call from a callback).
  void stop() { stop_requested_ = true; }
  const std::string& errorReason() const { return error_reason_; }
  bool headersReceived() const { return headers_received_; }
  bool complete() const { return complete_; }

 private:
  static int onStatus(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderField(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int onHeadersComplete(llhttp_t* parser);
  static int onBody(llhttp_t* parser, const char* at, size_t length);
  static int onMessageComplete(llhttp_t* parser);
  static ResponseDecoder& self(llhttp_t* parser) { return *static_cast<ResponseDecoder*>(parser->data); }
  void commitHeaderField();
  int afterCallback() const { return stop_requested_ ? HPE_PAUSED : HPE_OK; }

  ResponseDecoderCallbacks& callbacks_;
  const size_t max_headers_bytes_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  HeaderMap headers_;
  std::string field_;
  std::string value_;
  bool reading_value_ = false;
  size_t header_bytes_ = 0;
  bool request_was_head_ = false;
  bool interim_ = false;
  bool headers_received_ = false;
  bool complete_ = false;
  bool stop_requested_ = false;
  std::string error_reason_;
};

}  // namespace switchyard::http
