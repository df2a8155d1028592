// Spans as the body of an OTLP/HTTP export call: a serialised
// ExportTraceServiceRequest (proto/otlp_trace.proto).
#pragma once

#include <string>
#include <vector>

#include "span.h"

namespace tracing {

// Tags whose values are integers (http.status_code, attempt numbers) go
// out as int_value, the rest as string_value.
std::string encodeOtlp(const std::vector<Span>& spans, const std::string& service_name);

}  // namespace tracing
