// One finished span, as the exporters encode it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "trace_context.h"

namespace tracing {

enum class SpanKind { kServer, kClient };

struct Span {
  TraceId trace_id{};
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;  // 0: a root span
  SpanKind kind = SpanKind::kServer;
  std::string name;
  uint64_t start_unix_ns = 0;
  uint64_t end_unix_ns = 0;
  bool error = false;          // 5xx, or no response at all
  std::string tracestate;      // the caller's, passed on
  std::string remote_address;  // client spans: the upstream "ip:port"
  std::vector<std::pair<std::string, std::string>> tags;
};

}  // namespace tracing
