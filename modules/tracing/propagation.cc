#include "propagation.h"

#include "tracing_module.h"

namespace tracing {

namespace {

std::optional<std::string_view> header(const sy_headers* headers, std::string_view name, size_t index = 0) {
  sy_slice value;
  if (host->header_get(headers, sliceOf(name), index, &value) != SY_OK) return std::nullopt;
  return viewOf(value);
}

// Exactly one value: a repeated traceparent or b3 is malformed.
std::optional<std::string_view> singleHeader(const sy_headers* headers, std::string_view name) {
  if (header(headers, name, 1)) return std::nullopt;
  return header(headers, name);
}

// Repeated tracestate fields form one list.
std::string joinedTracestate(const sy_headers* headers) {
  std::string joined;
  for (size_t i = 0;; ++i) {
    std::optional<std::string_view> value = header(headers, "tracestate", i);
    if (!value) break;
    if (!joined.empty()) joined += ',';
    joined += *value;
  }
  return acceptedTracestate(joined);
}

void setHeader(sy_headers* headers, std::string_view name, const std::string& value) {
  host->header_set(headers, sliceOf(name), sliceOf(value));
}

}  // namespace

ParsedContext readIncomingContext(const sy_headers* headers) {
  ParsedContext parsed;
  if (std::optional<std::string_view> traceparent = singleHeader(headers, "traceparent")) {
    parsed.context = parseTraceparent(*traceparent);
    if (parsed.context) {
      parsed.context->tracestate = joinedTracestate(headers);
      parsed.sampled = parsed.context->sampled;
      return parsed;
    }
  }
  if (std::optional<std::string_view> b3 = singleHeader(headers, "b3")) {
    parsed = parseB3Single(*b3);
    if (parsed.context || parsed.sampled) return parsed;
  }
  return parseB3Multi(
      header(headers, "x-b3-traceid").value_or(""), header(headers, "x-b3-spanid").value_or(""),
      header(headers, "x-b3-sampled").value_or(""), header(headers, "x-b3-flags").value_or(""));
}

void removeTraceHeaders(sy_headers* headers) {
  static constexpr std::string_view kNames[] = {"traceparent",  "tracestate",  "b3",
                                                "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid",
                                                "x-b3-sampled", "x-b3-flags"};
  for (std::string_view name : kNames) host->header_remove(headers, sliceOf(name));
}

void writeTraceHeaders(sy_headers* headers, const OutgoingContext& context, const Config& config) {
  if (config.propagate_w3c) {
    setHeader(headers, "traceparent", formatTraceparent(context.trace_id, context.span_id, context.sampled));
    if (!context.tracestate.empty()) setHeader(headers, "tracestate", context.tracestate);
  }
  if (config.propagate_b3) {
    setHeader(headers, "x-b3-traceid", hex(context.trace_id));
    setHeader(headers, "x-b3-spanid", hex(context.span_id));
    if (context.parent_span_id != 0) setHeader(headers, "x-b3-parentspanid", hex(context.parent_span_id));
    setHeader(headers, "x-b3-sampled", context.sampled ? "1" : "0");
  }
  if (config.propagate_b3_single) {
    setHeader(headers, "b3",
              formatB3Single(context.trace_id, context.span_id, context.sampled, context.parent_span_id));
  }
}

}  // namespace tracing
