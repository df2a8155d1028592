#include "zipkin_encoder.h"

#include <cstdio>

namespace tracing {

namespace {

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

void appendMember(std::string& out, std::string_view name, std::string_view value) {
  appendJsonString(out, name);
  out += ':';
  appendJsonString(out, value);
}

// "ip:port" or "[ipv6]:port" as a Zipkin endpoint object's members.
void appendRemoteEndpoint(std::string& out, const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return;
  std::string ip = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  bool ipv6 = ip.size() >= 2 && ip.front() == '[' && ip.back() == ']';
  if (ipv6) ip = ip.substr(1, ip.size() - 2);
  out += ",\"remoteEndpoint\":{";
  appendMember(out, ipv6 ? "ipv6" : "ipv4", ip);
  if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos && port.size() <= 5) {
    out += ",\"port\":" + port;
  }
  out += '}';
}

}  // namespace

std::string encodeZipkin(const std::vector<Span>& spans, const std::string& service_name) {
  std::string out = "[";
  for (const Span& span : spans) {
    if (out.size() > 1) out += ',';
    out += '{';
    appendMember(out, "traceId", hex(span.trace_id));
    out += ',';
    appendMember(out, "id", hex(span.span_id));
    if (span.parent_span_id != 0) {
      out += ',';
      appendMember(out, "parentId", hex(span.parent_span_id));
    }
    out += ',';
    appendMember(out, "name", span.name);
    out += ',';
    appendMember(out, "kind", span.kind == SpanKind::kServer ? "SERVER" : "CLIENT");
    uint64_t start_us = span.start_unix_ns / 1000;
    uint64_t end_us = span.end_unix_ns / 1000;
    // Zipkin reads a duration of 0 as "unknown"; a span that ended has one.
    uint64_t duration_us = end_us > start_us ? end_us - start_us : 1;
    out += ",\"timestamp\":" + std::to_string(start_us) + ",\"duration\":" + std::to_string(duration_us);
    out += ",\"localEndpoint\":{";
    appendMember(out, "serviceName", service_name);
    out += '}';
    if (!span.remote_address.empty()) appendRemoteEndpoint(out, span.remote_address);
    out += ",\"tags\":{";
    bool first = true;
    for (const auto& [key, value] : span.tags) {
      if (!first) out += ',';
      first = false;
      appendMember(out, key, value);
    }
    if (span.error) {
      if (!first) out += ',';
      appendMember(out, "error", "true");
    }
    out += "}}";
  }
  out += ']';
  return out;
}

}  // namespace tracing
