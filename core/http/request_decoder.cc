#include "http/request_decoder.h"

#include <cstring>

namespace switchyard::http {

RequestDecoder::RequestDecoder(RequestDecoderCallbacks& callbacks, size_t max_headers_bytes)
    : callbacks_(callbacks), max_headers_bytes_(max_headers_bytes) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &RequestDecoder::onMessageBegin;
  settings_.on_url = &RequestDecoder::onUrl;
  settings_.on_header_field = &RequestDecoder::onHeaderField;
  settings_.on_header_value = &RequestDecoder::onHeaderValue;
  settings_.on_headers_complete = &RequestDecoder::onHeadersComplete;
  settings_.on_body = &RequestDecoder::onBody;
  settings_.on_message_complete = &RequestDecoder::onMessageComplete;
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  parser_.data = this;
}

bool RequestDecoder::rawHeaderBytesAreStrict(std::string_view data) {
  // Scans only the header section of the current message (request line and
  // fields, up to the empty line); the body and later messages are llhttp's.
  for (char byte : data) {
    if (raw_scan_done_) break;
    if (byte == '\n') {
      if (previous_raw_byte_ != '\r') {
        fail(400, "bare LF in request header section");
        return false;
      }
      if (at_line_start_ && raw_line_seen_) {
        raw_scan_done_ = true;  // the empty line that ends the header section
        break;
      }
      at_line_start_ = true;
      if (raw_line_seen_) raw_in_field_lines_ = true;
      raw_colon_seen_ = false;
    } else if (byte != '\r') {
      if (at_line_start_ && (byte == ' ' || byte == '\t') && raw_line_seen_) {
        fail(400, "obsolete line folding in request header");
        return false;
      }
      if (byte == ':' && raw_in_field_lines_ && !raw_colon_seen_) {
        raw_colon_seen_ = true;
        if (previous_raw_byte_ == ' ' || previous_raw_byte_ == '\t') {
          fail(400, "whitespace between header field name and colon");
          return false;
        }
      }
      at_line_start_ = false;
      raw_line_seen_ = true;
    }
    previous_raw_byte_ = byte;
  }
  return true;
}

size_t RequestDecoder::feed(std::string_view data) {
  if (failed() || paused_ || data.empty()) return 0;
  stop_requested_ = false;
  if (!rawHeaderBytesAreStrict(data)) return 0;
  llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
  if (err == HPE_OK) return data.size();
  // Bytes from the error position on were not parsed yet.
  size_t consumed = size_t(llhttp_get_error_pos(&parser_) - data.data());
  if (err == HPE_PAUSED) {
    // Our pause flags track why we stopped; llhttp's own is cleared so the
    // next llhttp_execute continues where this one left off.
    llhttp_resume(&parser_);
    return consumed;
  }
  if (!failed()) {
    const char* reason = llhttp_get_error_reason(&parser_);
    fail(400, reason != nullptr && *reason != '\0' ? reason : llhttp_errno_name(err));
  }
  return consumed;
}

void RequestDecoder::resume() {
  if (!paused_) return;
  paused_ = false;
  in_message_ = false;
  headers_complete_ = false;
  in_trailers_ = false;
  previous_raw_byte_ = 0;
  at_line_start_ = true;
  raw_line_seen_ = false;
  raw_scan_done_ = false;
  raw_in_field_lines_ = false;
  raw_colon_seen_ = false;
}

int RequestDecoder::fail(int status, std::string reason) {
  if (error_status_ == 0) {
    error_status_ = status;
    error_reason_ = std::move(reason);
  }
  return HPE_USER;
}

int RequestDecoder::countHeaderBytes(size_t length) {
  header_bytes_ += length;
  if (header_bytes_ > max_headers_bytes_) {
    return fail(431, "request header fields too large");
  }
  return HPE_OK;
}

void RequestDecoder::commitHeaderField() {
  if (!reading_value_) return;
  headers_.add(field_, value_);
  field_.clear();
  value_.clear();
  reading_value_ = false;
}

int RequestDecoder::onMessageBegin(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  d.headers_.clear();
  d.url_.clear();
  d.field_.clear();
  d.value_.clear();
  d.reading_value_ = false;
  d.header_bytes_ = 0;
  d.in_message_ = true;
  d.headers_complete_ = false;
  d.in_trailers_ = false;
  return HPE_OK;
}

int RequestDecoder::onUrl(llhttp_t* parser, const char* at, size_t length) {
  RequestDecoder& d = self(parser);
  if (d.url_.size() + length > d.max_headers_bytes_) return d.fail(414, "request URI too long");
  d.url_.append(at, length);
  return d.countHeaderBytes(length) == HPE_OK ? HPE_OK : d.fail(414, "request URI too long");
}

int RequestDecoder::onHeaderField(llhttp_t* parser, const char* at, size_t length) {
  RequestDecoder& d = self(parser);
  d.commitHeaderField();
  d.field_.append(at, length);
  return d.countHeaderBytes(length);
}

int RequestDecoder::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  RequestDecoder& d = self(parser);
  d.reading_value_ = true;
  d.value_.append(at, length);
  return d.countHeaderBytes(length);
}

int RequestDecoder::onHeadersComplete(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  d.commitHeaderField();
  d.headers_complete_ = true;
  if (d.in_trailers_) {
    // llhttp reports trailers of a chunked body through the same callbacks.
    return HPE_OK;
  }
  if (parser->http_major != 1) return d.fail(400, "unsupported HTTP version");
  if (d.url_.empty() || (d.url_[0] != '/' && d.url_ != "*")) {
    // Absolute-form targets are for forward proxies; this is a reverse proxy.
    if (d.url_.rfind("http://", 0) != 0) return d.fail(400, "invalid request target");
  }
  HeaderMap request;
  request.add(":method", llhttp_method_name(llhttp_method_t(parser->method)));
  std::string_view target = d.url_;
  std::string authority_from_target;
  if (target.rfind("http://", 0) == 0) {
    std::string_view rest = target.substr(7);
    size_t slash = rest.find('/');
    authority_from_target = std::string(rest.substr(0, slash));
    target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  }
  request.add(":path", target);
  auto host = d.headers_.get("host");
  size_t host_count = d.headers_.countOf("host");
  if (host_count > 1) return d.fail(400, "multiple Host headers");
  if (parser->http_minor >= 1 && host_count == 0) return d.fail(400, "missing Host header");
  request.add(":authority", !authority_from_target.empty() ? std::string_view(authority_from_target)
                                                           : host.value_or(""));
  request.add(":scheme", "http");
  for (auto& field : d.headers_.fields()) {
    if (equalsIgnoreCase(field.name, "host")) continue;
    request.add(field.name, field.value);
  }

  RequestInfo info;
  info.http_minor = uint8_t(parser->http_minor);
  info.keep_alive = llhttp_should_keep_alive(parser) != 0;
  info.chunked = (parser->flags & F_CHUNKED) != 0;
  info.has_content_length = (parser->flags & F_CONTENT_LENGTH) != 0;
  info.content_length = info.has_content_length ? parser->content_length : 0;
  if (auto expect = request.get("expect"); expect && equalsIgnoreCase(*expect, "100-continue")) {
    info.expect_continue = true;
  }
  info.end_stream = !info.chunked && info.content_length == 0;
  d.in_trailers_ = info.chunked;  // any further header callbacks are trailers
  d.headers_.clear();
  d.callbacks_.onRequestHeaders(std::move(request), info);
  return d.afterCallback();
}

int RequestDecoder::onBody(llhttp_t* parser, const char* at, size_t length) {
  RequestDecoder& d = self(parser);
  d.callbacks_.onRequestBody(std::string_view(at, length));
  return d.afterCallback();
}

int RequestDecoder::onMessageComplete(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  d.commitHeaderField();
  if (!d.headers_.empty()) {
    d.callbacks_.onRequestTrailers(std::move(d.headers_));
    d.headers_.clear();
  }
  d.paused_ = true;
  d.callbacks_.onRequestComplete();
  return HPE_PAUSED;
}

}  // namespace switchyard::http
