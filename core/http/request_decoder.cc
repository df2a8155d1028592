#include "http/request_decoder.h"

#include <utility>

namespace switchyard::http {

namespace {

constexpr std::string_view kHttpScheme = "http://";

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

std::string_view trimTrailingOws(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

RequestDecoder::RequestDecoder(RequestDecoderCallbacks& callbacks, size_t max_headers_bytes,
                               size_t max_headers_count)
    : callbacks_(callbacks), max_headers_bytes_(max_headers_bytes), max_headers_count_(max_headers_count) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &RequestDecoder::onMessageBegin;
  settings_.on_url = &RequestDecoder::onUrl;
  settings_.on_header_field = &RequestDecoder::onHeaderField;
  settings_.on_header_field_complete = &RequestDecoder::onHeaderFieldComplete;
  settings_.on_header_value = &RequestDecoder::onHeaderValue;
  settings_.on_header_value_complete = &RequestDecoder::onHeaderValueComplete;
  settings_.on_headers_complete = &RequestDecoder::onHeadersComplete;
  settings_.on_chunk_header = &RequestDecoder::onChunkHeader;
  settings_.on_chunk_extension_name = &RequestDecoder::onChunkExtensionPart;
  settings_.on_chunk_extension_name_complete = &RequestDecoder::onChunkExtensionPartComplete;
  settings_.on_chunk_extension_value = &RequestDecoder::onChunkExtensionPart;
  settings_.on_chunk_extension_value_complete = &RequestDecoder::onChunkExtensionPartComplete;
  settings_.on_body = &RequestDecoder::onBody;
  settings_.on_message_complete = &RequestDecoder::onMessageComplete;
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  // llhttp refuses versions other than 0.9, 1.x and 2.0 itself with a
  // generic error; letting every single-digit version through makes all of
  // them 505 here. (llhttp 8.1 has no setter for this flag.)
  parser_.lenient_flags |= LENIENT_VERSION;
  parser_.data = this;
}

size_t RequestDecoder::feed(std::string_view data) {
  if (failed() || paused_ || data.empty()) return 0;
  stop_requested_ = false;
  size_t used = 0;
  while (true) {
    std::string_view rest = data.substr(used);
    // The raw bytes of a header or trailer section are checked before llhttp
    // parses them, so a refused section never reaches the callbacks.
    if (!scanner_.done()) {
      if (const char* error = scanner_.scan(rest)) {
        fail(400, error);
        return used;
      }
    }
    llhttp_errno_t err = llhttp_execute(&parser_, rest.data(), rest.size());
    if (err == HPE_OK) return data.size();
    // Bytes from the error position on were not parsed yet.
    used += size_t(llhttp_get_error_pos(&parser_) - rest.data());
    if (err != HPE_PAUSED) break;
    // Our own flags track why we stopped; llhttp's pause is cleared so the
    // next llhttp_execute continues where this one left off.
    llhttp_resume(&parser_);
    if (!trailers_begin_) return used;
    trailers_begin_ = false;
    scanner_.begin(HeaderSectionScanner::StartLine::kNone);
  }
  // llhttp stops at the HTTP/2 connection preface before any callback.
  if (llhttp_get_errno(&parser_) == HPE_PAUSED_H2_UPGRADE) fail(505, "HTTP/2 is not supported");
  if (!failed()) {
    const char* reason = llhttp_get_error_reason(&parser_);
    fail(400, reason != nullptr && *reason != '\0' ? reason : llhttp_errno_name(llhttp_get_errno(&parser_)));
  }
  return used;
}

void RequestDecoder::resume() {
  if (!paused_) return;
  paused_ = false;
  in_message_ = false;
  headers_complete_ = false;
  in_trailers_ = false;
  scanner_.begin(HeaderSectionScanner::StartLine::kRequest);
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

int RequestDecoder::onMessageBegin(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  d.headers_.clear();
  d.url_.clear();
  d.field_.clear();
  d.value_.clear();
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
  d.field_.append(at, length);
  return d.countHeaderBytes(length);
}

int RequestDecoder::onHeaderFieldComplete(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  // llhttp lets an empty name and spaces inside a name through; an empty
  // name would also let ":path: /x" pose as a pseudo-header.
  if (!isToken(d.field_)) return d.fail(400, "invalid header field name");
  if (d.headers_.size() >= d.max_headers_count_) return d.fail(431, "too many request header fields");
  return HPE_OK;
}

int RequestDecoder::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  RequestDecoder& d = self(parser);
  d.value_.append(at, length);
  return d.countHeaderBytes(length);
}

int RequestDecoder::onHeaderValueComplete(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  // llhttp drops the whitespace before a value, not the whitespace after it
  // (both are OWS around the field value).
  d.headers_.add(d.field_, trimTrailingOws(d.value_));
  d.field_.clear();
  d.value_.clear();
  return HPE_OK;
}

int RequestDecoder::checkRequestHead(const llhttp_t& parser) {
  if (parser.http_major != 1 || parser.http_minor > 1) return fail(505, "HTTP version not supported");
  if (parser.method == HTTP_CONNECT) return fail(405, "CONNECT is not supported");
  if (url_.find('#') != std::string::npos) return fail(400, "fragment in request target");
  bool absolute_form = startsWithIgnoreCase(url_, kHttpScheme);
  if (url_ == "*") {
    if (parser.method != HTTP_OPTIONS) return fail(400, "asterisk-form request target is only for OPTIONS");
  } else if (!url_.starts_with('/') && !absolute_form) {
    return fail(400, "invalid request target");
  }
  if (absolute_form) {
    std::string_view authority = std::string_view(url_).substr(kHttpScheme.size());
    authority = authority.substr(0, authority.find_first_of("/?"));
    if (!isValidAuthority(authority)) return fail(400, "invalid authority in request target");
  }
  size_t host_count = headers_.countOf("host");
  if (host_count > 1) return fail(400, "multiple Host headers");
  if (parser.http_minor == 1 && host_count == 0) return fail(400, "missing Host header");
  // The Host field must be valid even when an absolute-form target
  // replaces it (RFC 9112 3.2).
  if (host_count == 1 && !isValidAuthority(*headers_.get("host"))) return fail(400, "invalid Host header");
  if (headers_.countOf("transfer-encoding") > 0) {
    if (parser.http_minor == 0) return fail(400, "Transfer-Encoding on an HTTP/1.0 request");
    switch (checkTransferEncoding(headers_)) {
      case TransferCoding::kMalformed: return fail(400, "invalid Transfer-Encoding");
      case TransferCoding::kUnsupported: return fail(501, "transfer coding not implemented");
      case TransferCoding::kChunked: break;
    }
    // Never frame the body differently from how llhttp reads it.
    if ((parser.flags & F_CHUNKED) == 0) return fail(400, "invalid Transfer-Encoding");
  }
  return HPE_OK;
}

int RequestDecoder::onHeadersComplete(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  d.headers_complete_ = true;
  if (d.in_trailers_) {
    // llhttp reports trailers of a chunked body through the same callbacks.
    return HPE_OK;
  }
  if (int error = d.checkRequestHead(*parser); error != HPE_OK) return error;
  // The proxy performs no upgrade: Upgrade and Connection are hop-by-hop
  // and dropped when the request is forwarded, so the connection goes on as
  // HTTP/1.1 and llhttp must not stop after this message.
  parser->upgrade = 0;

  HeaderMap request;
  request.add(":method", llhttp_method_name(llhttp_method_t(parser->method)));
  std::string_view target = d.url_;
  std::string_view authority;
  if (startsWithIgnoreCase(target, kHttpScheme)) {
    // A proxy forwarding an absolute-form target takes Host from it
    // (RFC 9112 3.2.2).
    target.remove_prefix(kHttpScheme.size());
    size_t path_start = target.find_first_of("/?");
    authority = target.substr(0, path_start);
    target = path_start == std::string_view::npos ? std::string_view() : target.substr(path_start);
  } else {
    authority = d.headers_.get("host").value_or("");
  }
  // "http://h" and "http://h?q" have an empty path, sent as "/".
  std::string path(target.empty() || target[0] == '?' ? "/" : "");
  path.append(target);
  request.add(":path", path);
  request.add(":authority", authority);
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

int RequestDecoder::onChunkHeader(llhttp_t* parser) {
  if (parser->content_length != 0) return HPE_OK;
  // The last chunk: stop so that feed() checks the raw trailer section
  // before llhttp parses it.
  self(parser).trailers_begin_ = true;
  return HPE_PAUSED;
}

int RequestDecoder::onChunkExtensionPart(llhttp_t* parser, const char*, size_t length) {
  self(parser).chunk_extension_part_bytes_ += length;
  return HPE_OK;
}

int RequestDecoder::onChunkExtensionPartComplete(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  // llhttp accepts an empty extension name or value; the grammar does not.
  if (std::exchange(d.chunk_extension_part_bytes_, 0) == 0) return d.fail(400, "empty chunk extension");
  return HPE_OK;
}

int RequestDecoder::onBody(llhttp_t* parser, const char* at, size_t length) {
  RequestDecoder& d = self(parser);
  d.callbacks_.onRequestBody(std::string_view(at, length));
  return d.afterCallback();
}

int RequestDecoder::onMessageComplete(llhttp_t* parser) {
  RequestDecoder& d = self(parser);
  if (!d.headers_.empty()) {
    d.callbacks_.onRequestTrailers(std::move(d.headers_));
    d.headers_.clear();
  }
  d.paused_ = true;
  d.callbacks_.onRequestComplete();
  return HPE_PAUSED;
}

}  // namespace switchyard::http
