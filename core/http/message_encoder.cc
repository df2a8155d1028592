#include "http/message_encoder.h"

#include <charconv>
#include <vector>

namespace switchyard::http {

namespace {

bool isPseudo(std::string_view name) { return !name.empty() && name[0] == ':'; }

void appendFields(std::string& out, const HeaderMap& headers) {
  for (const auto& field : headers.fields()) {
    if (isPseudo(field.name)) continue;
    out.append(field.name).append(": ").append(field.value).append("\r\n");
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

void removeHopByHopHeaders(HeaderMap& headers) {
  std::vector<std::string> named;
  for (size_t i = 0; auto value = headers.get("connection", i); ++i) {
    std::string_view list = *value;
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view token = trim(list.substr(0, comma));
      if (!token.empty()) named.emplace_back(token);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  for (const auto& name : named) headers.remove(name);
  for (std::string_view name : {"connection", "keep-alive", "proxy-connection", "te",
                                "transfer-encoding", "upgrade", "trailer"}) {
    headers.remove(name);
  }
}

void appendRequestHead(std::string& out, const HeaderMap& headers) {
  out.append(headers.get(":method").value_or("GET"))
      .append(" ")
      .append(headers.get(":path").value_or("/"))
      .append(" HTTP/1.1\r\nHost: ")
      .append(headers.get(":authority").value_or(""))
      .append("\r\n");
  appendFields(out, headers);
  out.append("\r\n");
}

void appendResponseHead(std::string& out, const HeaderMap& headers, int http_minor) {
  int status = statusOf(headers);
  out.append(http_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
      .append(std::to_string(status))
      .append(" ")
      .append(reasonPhrase(status))
      .append("\r\n");
  appendFields(out, headers);
  out.append("\r\n");
}

void appendChunkPrefix(std::string& out, size_t chunk_size) {
  char hex[20];
  auto [end, ec] = std::to_chars(hex, hex + sizeof hex, chunk_size, 16);
  (void)ec;
  out.append(hex, end).append("\r\n");
}

void appendLastChunk(std::string& out, const HeaderMap* trailers) {
  out.append("0\r\n");
  if (trailers != nullptr) appendFields(out, *trailers);
  out.append("\r\n");
}

int statusOf(const HeaderMap& response_headers) {
  auto text = response_headers.get(":status");
  if (!text) return 0;
  int status = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), status);
  if (ec != std::errc() || ptr != text->data() + text->size() || status < 100 || status > 999) return 0;
  return status;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace switchyard::http
