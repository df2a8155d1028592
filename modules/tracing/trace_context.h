// Trace context on the wire: W3C Trace Context (traceparent, tracestate)
// and Zipkin's B3 (the X-B3-* headers and the single `b3` header), parsed
// strictly and formatted from one in-memory form. Pure functions: no host
// calls, so test/unit/tracing compiles them directly.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tracing {

// A 128-bit trace id, big-endian bytes as on the wire; all zero is invalid.
using TraceId = std::array<uint8_t, 16>;

// What a request carried: the caller's trace and span, and its sampling
// decision when it made one.
struct IncomingContext {
  TraceId trace_id{};
  uint64_t parent_span_id = 0;  // the caller's span: our server span's parent
  std::optional<bool> sampled;  // absent: the caller left the decision to us
  std::string tracestate;       // W3C only; passed on unchanged
};

// The parts a B3 or W3C header may carry; absent parts are not on the wire.
struct ParsedContext {
  std::optional<IncomingContext> context;  // ids present and valid
  std::optional<bool> sampled;             // a sampling decision alone (B3 "0", "1", "d")
};

// traceparent per W3C Trace Context level 1: "00-<32 hex>-<16 hex>-<2 hex>",
// lowercase hex, neither id all zero, version ff refused; a later version
// may append "-..." after the flags. nullopt when malformed.
std::optional<IncomingContext> parseTraceparent(std::string_view value);

// The single b3 header: "<trace>-<span>[-<sampling>[-<parent>]]" with a 16
// or 32 hex trace id (a 64-bit one is padded to 128 bits with zeros), or a
// sampling state alone ("0", "1" or "d" for debug, which samples).
ParsedContext parseB3Single(std::string_view value);

// The X-B3-* headers (absent ones empty). Sampled is "1"/"0" (also
// "true"/"false"); Flags "1" is debug, which samples.
ParsedContext parseB3Multi(std::string_view trace_id, std::string_view span_id, std::string_view sampled,
                           std::string_view flags);

// A tracestate value worth passing on: at most 512 bytes of visible ASCII,
// spaces, tabs and commas; "" for anything else.
std::string acceptedTracestate(std::string_view value);

std::string hex(const TraceId& id);
std::string hex(uint64_t id);  // 16 lowercase hex digits

// "00-<trace>-<span>-01" (or -00 when not sampled).
std::string formatTraceparent(const TraceId& trace_id, uint64_t span_id, bool sampled);
// "<trace>-<span>-<1|0>[-<parent>]" (no parent when it is 0).
std::string formatB3Single(const TraceId& trace_id, uint64_t span_id, bool sampled, uint64_t parent_span_id);

// A new, valid random id from `random` (retried past zero).
TraceId newTraceId(uint64_t (*random)());
uint64_t newSpanId(uint64_t (*random)());

}  // namespace tracing
