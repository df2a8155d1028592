// Spans as the body of a Zipkin v2 export call: a JSON array of span
// objects, as POSTed to a collector's /api/v2/spans.
#pragma once

#include <string>
#include <vector>

#include "span.h"

namespace tracing {

// traceId (32 hex), id, parentId (absent for a root span), name, kind
// (SERVER or CLIENT), timestamp and duration in microseconds (duration at
// least 1), localEndpoint.serviceName, remoteEndpoint (ipv4/ipv6 and port)
// for a client span, and tags as strings.
std::string encodeZipkin(const std::vector<Span>& spans, const std::string& service_name);

}  // namespace tracing
