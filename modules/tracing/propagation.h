// Reading a request's trace context from its headers and writing ours on
// the attempts that go upstream, in the formats the config names.
#pragma once

#include <switchyard/filter.h>

#include <optional>

#include "trace_context.h"
#include "tracing_config.h"

namespace tracing {

// The caller's context: a valid traceparent first (with its tracestate),
// else the single b3 header, else the X-B3-* headers. A malformed header
// counts as absent: the request starts a new trace.
ParsedContext readIncomingContext(const sy_headers* headers);

// Removes every trace header the caller sent (traceparent, tracestate, b3,
// X-B3-*), so that only ours go upstream.
void removeTraceHeaders(sy_headers* headers);

// What one attempt carries: its span, that span's parent and the decision.
struct OutgoingContext {
  TraceId trace_id{};
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;
  bool sampled = false;
  std::string tracestate;
};

// Sets the headers of every format `config` propagates.
void writeTraceHeaders(sy_headers* headers, const OutgoingContext& context, const Config& config);

}  // namespace tracing
