// ResponseDecoder: streaming HTTP/1.1 response parser on llhttp for the
// upstream side. Interim 1xx responses are swallowed (the proxy answers
// Expect: 100-continue itself); HEAD responses are parsed without a body.
// Every departure from the RFC 9112 / RFC 9110 grammar is an error (the
// proxy answers 502 and drops the connection), including what llhttp alone
// lets through (see grammar.h).
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/grammar.h"
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
  static constexpr size_t kDefaultMaxHeadersCount = 100;

  // `max_headers_count` bounds the field lines of a response's header
  // section and, separately, of its trailer section.
  ResponseDecoder(ResponseDecoderCallbacks& callbacks, size_t max_headers_bytes,
                  size_t max_headers_count = kDefaultMaxHeadersCount);
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
  static int onHeaderFieldComplete(llhttp_t* parser);
  static int onHeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderValueComplete(llhttp_t* parser);
  static int onHeadersComplete(llhttp_t* parser);
  static int onChunkHeader(llhttp_t* parser);
  static int onChunkExtensionPart(llhttp_t* parser, const char* at, size_t length);
  static int onChunkExtensionPartComplete(llhttp_t* parser);
  static int onBody(llhttp_t* parser, const char* at, size_t length);
  static int onMessageComplete(llhttp_t* parser);
  static ResponseDecoder& self(llhttp_t* parser) { return *static_cast<ResponseDecoder*>(parser->data); }
  int afterCallback() const { return stop_requested_ ? HPE_PAUSED : HPE_OK; }
  int fail(std::string reason);
  int countHeaderBytes(size_t length);
  // The checks of a final response's head that need all of it.
  int checkResponseHead(const llhttp_t& parser);

  ResponseDecoderCallbacks& callbacks_;
  const size_t max_headers_bytes_;
  const size_t max_headers_count_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  HeaderMap headers_;
  std::string field_;
  std::string value_;
  size_t header_bytes_ = 0;
  size_t chunk_extension_part_bytes_ = 0;
  HeaderSectionScanner scanner_;
  // Set where a callback paused llhttp because a new header section (a
  // final response after a 1xx, or trailers) starts at that byte.
  std::optional<HeaderSectionScanner::StartLine> next_section_;
  bool request_was_head_ = false;
  bool interim_ = false;
  bool headers_received_ = false;
  bool complete_ = false;
  bool stop_requested_ = false;
  std::string error_reason_;
};

}  // namespace switchyard::http
