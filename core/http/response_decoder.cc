#include "http/response_decoder.h"

#include <utility>

namespace switchyard::http {

namespace {

std::string_view trimTrailingOws(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

ResponseDecoder::ResponseDecoder(ResponseDecoderCallbacks& callbacks, size_t max_headers_bytes,
                                 size_t max_headers_count)
    : callbacks_(callbacks), max_headers_bytes_(max_headers_bytes), max_headers_count_(max_headers_count) {
  llhttp_settings_init(&settings_);
  settings_.on_status = &ResponseDecoder::onStatus;
  settings_.on_header_field = &ResponseDecoder::onHeaderField;
  settings_.on_header_field_complete = &ResponseDecoder::onHeaderFieldComplete;
  settings_.on_header_value = &ResponseDecoder::onHeaderValue;
  settings_.on_header_value_complete = &ResponseDecoder::onHeaderValueComplete;
  settings_.on_headers_complete = &ResponseDecoder::onHeadersComplete;
  settings_.on_chunk_header = &ResponseDecoder::onChunkHeader;
  settings_.on_chunk_extension_name = &ResponseDecoder::onChunkExtensionPart;
  settings_.on_chunk_extension_name_complete = &ResponseDecoder::onChunkExtensionPartComplete;
  settings_.on_chunk_extension_value = &ResponseDecoder::onChunkExtensionPart;
  settings_.on_chunk_extension_value_complete = &ResponseDecoder::onChunkExtensionPartComplete;
  settings_.on_body = &ResponseDecoder::onBody;
  settings_.on_message_complete = &ResponseDecoder::onMessageComplete;
  llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  parser_.data = this;
}

void ResponseDecoder::expectResponse(bool request_was_head) {
  request_was_head_ = request_was_head;
  headers_.clear();
  field_.clear();
  value_.clear();
  header_bytes_ = 0;
  interim_ = false;
  headers_received_ = false;
  complete_ = false;
  scanner_.begin(HeaderSectionScanner::StartLine::kStatus);
}

bool ResponseDecoder::feed(std::string_view data) {
  if (!error_reason_.empty()) return false;
  if (complete_) {
    // Bytes after a complete response that nobody asked for: the upstream is
    // out of step, so the connection must not be reused.
    error_reason_ = "unexpected data after response";
    return false;
  }
  stop_requested_ = false;
  size_t used = 0;
  while (true) {
    std::string_view rest = data.substr(used);
    // The raw bytes of a header or trailer section are checked before llhttp
    // parses them.
    if (!scanner_.done()) {
      if (const char* error = scanner_.scan(rest)) {
        fail(error);
        return false;
      }
    }
    llhttp_errno_t err = llhttp_execute(&parser_, rest.data(), rest.size());
    if (err == HPE_OK) return true;
    if (err != HPE_PAUSED) break;
    llhttp_resume(&parser_);
    used += size_t(llhttp_get_error_pos(&parser_) - rest.data());
    if (next_section_) {
      scanner_.begin(*next_section_);
      next_section_.reset();
      continue;
    }
    if (complete_ && used < data.size()) {
      error_reason_ = "unexpected data after response";
      return false;
    }
    return true;  // complete, or the owner asked to stop and drops the rest
  }
  if (error_reason_.empty()) {
    const char* reason = llhttp_get_error_reason(&parser_);
    error_reason_ = reason != nullptr && *reason != '\0' ? reason : llhttp_errno_name(llhttp_get_errno(&parser_));
  }
  return false;
}

bool ResponseDecoder::finish() {
  if (complete_) return true;
  if (!error_reason_.empty()) return false;
  // llhttp completes a close-delimited body on finish; anything else that is
  // still open was cut short.
  if (llhttp_finish(&parser_) != HPE_OK && !complete_) {
    error_reason_ = "upstream closed the connection before the response ended";
    return false;
  }
  if (!complete_) {
    error_reason_ = "upstream closed the connection before the response ended";
    return false;
  }
  return true;
}

int ResponseDecoder::fail(std::string reason) {
  if (error_reason_.empty()) error_reason_ = std::move(reason);
  return HPE_USER;
}

int ResponseDecoder::countHeaderBytes(size_t length) {
  header_bytes_ += length;
  return header_bytes_ > max_headers_bytes_ ? fail("upstream response headers too large") : HPE_OK;
}

int ResponseDecoder::onStatus(llhttp_t* parser, const char*, size_t length) {
  return self(parser).countHeaderBytes(length);
}

int ResponseDecoder::onHeaderField(llhttp_t* parser, const char* at, size_t length) {
  ResponseDecoder& d = self(parser);
  d.field_.append(at, length);
  return d.countHeaderBytes(length);
}

int ResponseDecoder::onHeaderFieldComplete(llhttp_t* parser) {
  ResponseDecoder& d = self(parser);
  if (!isToken(d.field_)) return d.fail("invalid header field name in upstream response");
  if (d.headers_.size() >= d.max_headers_count_) return d.fail("upstream response has too many header fields");
  return HPE_OK;
}

int ResponseDecoder::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  ResponseDecoder& d = self(parser);
  d.value_.append(at, length);
  return d.countHeaderBytes(length);
}

int ResponseDecoder::onHeaderValueComplete(llhttp_t* parser) {
  ResponseDecoder& d = self(parser);
  // llhttp drops the whitespace before a value, not the whitespace after it.
  d.headers_.add(d.field_, trimTrailingOws(d.value_));
  d.field_.clear();
  d.value_.clear();
  return HPE_OK;
}

int ResponseDecoder::checkResponseHead(const llhttp_t& parser) {
  if (parser.http_major != 1 || parser.http_minor > 1) return fail("upstream response has an unsupported HTTP version");
  if (parser.status_code < 100 || parser.status_code > 599) return fail("upstream response status out of range");
  if (headers_.countOf("transfer-encoding") > 0) {
    if (parser.http_minor == 0) return fail("Transfer-Encoding on an HTTP/1.0 upstream response");
    // Only chunked can be relayed: the proxy re-frames the body and cannot
    // pass another transfer coding on.
    if (checkTransferEncoding(headers_) != TransferCoding::kChunked || (parser.flags & F_CHUNKED) == 0) {
      return fail("upstream response has an invalid or unsupported Transfer-Encoding");
    }
  }
  return HPE_OK;
}

int ResponseDecoder::onHeadersComplete(llhttp_t* parser) {
  ResponseDecoder& d = self(parser);
  if (d.headers_received_) return HPE_OK;  // trailers of a chunked body
  int status = parser->status_code;
  if (status == 101) return d.fail("upstream switched protocols without being asked");
  if (status >= 100 && status < 200) {
    d.interim_ = true;
    d.headers_.clear();
    d.header_bytes_ = 0;
    // A 1xx response ends with its head (RFC 9110 15.2), whatever its
    // Content-Length says; bytes after it start the next response.
    return 1;
  }
  if (int error = d.checkResponseHead(*parser); error != HPE_OK) return error;
  HeaderMap response;
  response.add(":status", std::to_string(status));
  for (auto& field : d.headers_.fields()) response.add(field.name, field.value);
  d.headers_.clear();
  d.header_bytes_ = 0;

  ResponseInfo info;
  info.keep_alive = llhttp_should_keep_alive(parser) != 0;
  info.chunked = (parser->flags & F_CHUNKED) != 0;
  info.has_content_length = (parser->flags & F_CONTENT_LENGTH) != 0;
  info.content_length = info.has_content_length ? parser->content_length : 0;
  bool bodiless = d.request_was_head_ || status == 204 || status == 304;
  info.end_stream = bodiless || (!info.chunked && info.has_content_length && info.content_length == 0);
  d.headers_received_ = true;
  d.callbacks_.onResponseHeaders(std::move(response), info);
  if (d.stop_requested_) return HPE_PAUSED;
  // 1 tells llhttp that no body follows (HEAD, 204, 304).
  return bodiless ? 1 : HPE_OK;
}

int ResponseDecoder::onChunkHeader(llhttp_t* parser) {
  if (parser->content_length != 0) return HPE_OK;
  // The last chunk: stop so that feed() checks the raw trailer section
  // before llhttp parses it.
  self(parser).next_section_ = HeaderSectionScanner::StartLine::kNone;
  return HPE_PAUSED;
}

int ResponseDecoder::onChunkExtensionPart(llhttp_t* parser, const char*, size_t length) {
  self(parser).chunk_extension_part_bytes_ += length;
  return HPE_OK;
}

int ResponseDecoder::onChunkExtensionPartComplete(llhttp_t* parser) {
  ResponseDecoder& d = self(parser);
  // llhttp accepts an empty extension name or value; the grammar does not.
  if (std::exchange(d.chunk_extension_part_bytes_, 0) == 0) return d.fail("empty chunk extension in upstream response");
  return HPE_OK;
}

int ResponseDecoder::onBody(llhttp_t* parser, const char* at, size_t length) {
  ResponseDecoder& d = self(parser);
  d.callbacks_.onResponseBody(std::string_view(at, length));
  return d.afterCallback();
}

int ResponseDecoder::onMessageComplete(llhttp_t* parser) {
  ResponseDecoder& d = self(parser);
  if (d.interim_) {
    d.interim_ = false;
    // The final response's head follows: scan it as its own section.
    d.next_section_ = HeaderSectionScanner::StartLine::kStatus;
    return HPE_PAUSED;
  }
  if (!d.headers_.empty()) {
    d.callbacks_.onResponseTrailers(std::move(d.headers_));
    d.headers_.clear();
  }
  d.complete_ = true;
  d.callbacks_.onResponseComplete();
  // Pause so bytes after this response are noticed rather than parsed as the
  // start of another response.
  return HPE_PAUSED;
}

}  // namespace switchyard::http
