// RequestDecoder: streaming HTTP/1.1 request parser on llhttp for the
// downstream side.
//
// It turns bytes into headers (with pseudo-headers), body pieces, trailers
// and a completion event, enforces the request-line and header limits, and
// refuses every departure from the RFC 9112 / RFC 9110 grammar (what llhttp
// alone lets through is checked here, see grammar.h). An Upgrade is never
// performed: the request stays plain HTTP/1.1. CONNECT is refused (405).
// After a complete message it pauses, so pipelined requests are handled one
// at a time: the caller keeps the unconsumed bytes and feeds them after
// resume().
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "http/grammar.h"
#include "http/header_map.h"

namespace switchyard::http {

struct RequestInfo {
  uint8_t http_minor = 1;     // HTTP/1.x
  bool keep_alive = true;     // per the version and the Connection header
  bool chunked = false;       // Transfer-Encoding: chunked
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool expect_continue = false;
  bool end_stream = false;    // no body follows the headers
};

class RequestDecoderCallbacks {
 public:
  virtual ~RequestDecoderCallbacks() = default;
  virtual void onRequestHeaders(HeaderMap&& headers, const RequestInfo& info) = 0;
  virtual void onRequestBody(std::string_view data) = 0;
  virtual void onRequestTrailers(HeaderMap&& trailers) = 0;
  virtual void onRequestComplete() = 0;
};

class RequestDecoder {
 public:
  static constexpr size_t kDefaultMaxHeadersCount = 100;

  // `max_headers_count` bounds the field lines of the header section and,
  // separately, of the trailer section (431 beyond).
  RequestDecoder(RequestDecoderCallbacks& callbacks, size_t max_headers_bytes,
                 size_t max_headers_count = kDefaultMaxHeadersCount);
  RequestDecoder(const RequestDecoder&) = delete;
  RequestDecoder& operator=(const RequestDecoder&) = delete;

  // Parses as much of `data` as it can and returns how many bytes it used.
  // It stops early after a complete message (paused() is then true), after
  // stop() was called from a callback, or on an error (failed()).
  size_t feed(std::string_view data);
  // Continue after a complete message.
  void resume();
  // Ask the decoder to stop at the next callback boundary (from a callback).
  void stop() { stop_requested_ = true; }

  bool paused() const { return paused_; }
  bool failed() const { return error_status_ != 0; }
  // 400, 405, 414, 431, 501 or 505 when failed().
  int errorStatus() const { return error_status_; }
  const std::string& errorReason() const { return error_reason_; }
  // True between the first byte of a request and its completion.
  bool inMessage() const { return in_message_; }
  bool headersComplete() const { return headers_complete_; }

 private:
  static int onMessageBegin(llhttp_t* parser);
  static int onUrl(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderField(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderFieldComplete(llhttp_t* parser);
  static int onHeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderValueComplete(llhttp_t* parser);
  static int onHeadersComplete(llhttp_t* parser);
  static int onChunkHeader(llhttp_t* parser);
  static int onChunkExtensionPart(llhttp_t* parser, const char* at, size_t length);
  static int onChunkExtensionPartComplete(llhttp_t* parser);
  static int onBody(llhttp_t* parser, const char* at, size_t length);
  static int onMessageComplete(llhttp_t* parser);
  static RequestDecoder& self(llhttp_t* parser) { return *static_cast<RequestDecoder*>(parser->data); }

  int fail(int status, std::string reason);
  int countHeaderBytes(size_t length);
  int afterCallback() const { return stop_requested_ ? HPE_PAUSED : HPE_OK; }
  // The checks of a complete header section that need all of it; returns
  // HPE_OK or the failure.
  int checkRequestHead(const llhttp_t& parser);

  RequestDecoderCallbacks& callbacks_;
  const size_t max_headers_bytes_;
  const size_t max_headers_count_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};

  HeaderMap headers_;
  std::string url_;
  std::string field_;
  std::string value_;
  size_t header_bytes_ = 0;
  size_t chunk_extension_part_bytes_ = 0;
  bool in_message_ = false;
  bool headers_complete_ = false;
  bool in_trailers_ = false;
  bool trailers_begin_ = false;  // paused at the last chunk to scan trailers
  bool paused_ = false;
  bool stop_requested_ = false;
  HeaderSectionScanner scanner_;
  int error_status_ = 0;
  std::string error_reason_;
};

}  // namespace switchyard::http
