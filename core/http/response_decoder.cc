#include "http/response_decoder.h"

namespace switchyard::http {

ResponseDecoder::ResponseDecoder(ResponseDecoderCallbacks& callbacks, size_t max_headers_bytes)
    : callbacks_(callbacks), max_headers_bytes_(max_headers_bytes) {
  llhttp_settings_init(&settings_);
  settings_.on_status = &ResponseDecoder::onStatus;
  settings_.on_header_field = &ResponseDecoder::onHeaderField;
  settings_.on_header_value = &ResponseDecoder::onHeaderValue;
  settings_.on_headers_complete = &ResponseDecoder::onHeadersComplete;
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
  reading_value_ = false;
  header_bytes_ = 0;
  interim_ = false;
  headers_received_ = false;
  complete_ = false;
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
  llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
  if (err == HPE_OK) return true;
  if (err == HPE_PAUSED) {
    llhttp_resume(&parser_);
    const char* rest = llhttp_get_error_pos(&parser_);
    size_t used = size_t(rest - data.data());
    if (complete_ && used < data.size()) {
      error_reason_ = "unexpected data after response";
      return false;
    }
    return true;  // complete, or the owner asked to stop and drops the rest
  }
  if (error_reason_.empty()) {
    const char* reason = llhttp_get_error_reason(&parser_);
    error_reason_ = reason != nullptr && *reason != '\0' ? reason : llhttp_errno_name(err);
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

void ResponseDecoder::commitHeaderField() {
  if (!reading_value_) return;
  headers_.add(field_, value_);
  field_.clear();
  value_.clear();
  reading_value_ = false;
}

int ResponseDecoder::onStatus(llhttp_t* parser, const char*, size_t length) {
  ResponseDecoder& d = self(parser);
  d.header_bytes_ += length;
  return HPE_OK;
}

int ResponseDecoder::onHeaderField(llhttp_t* parser, const char* at, size_t length) {
  ResponseDecoder& d = self(parser);
  d.commitHeaderField();
  d.field_.append(at, length);
  d.header_bytes_ += length;
  if (d.header_bytes_ > d.max_headers_bytes_) {
    d.error_reason_ = "upstream response headers too large";
    return HPE_USER;
  }
  return HPE_OK;
}

int ResponseDecoder::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  ResponseDecoder& d = self(parser);
  d.reading_value_ = true;
  d.value_.append(at, length);
  d.header_bytes_ += length;
  if (d.header_bytes_ > d.max_headers_bytes_) {
    d.error_reason_ = "upstream response headers too large";
    return HPE_USER;
  }
  return HPE_OK;
}

int ResponseDecoder::onHeadersComplete(llhttp_t* parser) {
  ResponseDecoder& d = self(parser);
  d.commitHeaderField();
  if (d.headers_received_) return HPE_OK;  // trailers of a chunked body
  int status = parser->status_code;
  if (status >= 100 && status < 200) {
    if (status == 101) {
      d.error_reason_ = "upstream switched protocols without being asked";
      return HPE_USER;
    }
    d.interim_ = true;
    d.headers_.clear();
    d.header_bytes_ = 0;
    return HPE_OK;
  }
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

int ResponseDecoder::onBody(llhttp_t* parser, const char* at, size_t length) {
  ResponseDecoder& d = self(parser);
  d.callbacks_.onResponseBody(std::string_view(at, length));
  return d.afterCallback();
}

int ResponseDecoder::onMessageComplete(llhttp_t* parser) {
  ResponseDecoder& d = self(parser);
  if (d.interim_) {
    d.interim_ = false;
    return HPE_OK;
  }
  d.commitHeaderField();
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
