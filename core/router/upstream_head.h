// What the router does to a request head before it goes upstream, and what
// the client gets when no attempt produced a response: the two policies of
// the upstream request that are pure functions of their inputs.
#pragma once

#include <switchyard/filter.h>

#include <string>

#include "http/header_map.h"
#include "router/route_table.h"

namespace switchyard::router {

// The head every attempt starts from: the route's rewrites, hop-by-hop
// headers removed, x-forwarded-for appended and x-forwarded-proto set, and
// chunked framing when a body follows without content-length (a filter that
// changes the body's length removes it). Sets *chunked accordingly.
http::HeaderMap upstreamHead(const RouteEntry& route, http::HeaderMap& filtered_headers, bool end_stream,
                             const std::string& client_ip, bool* chunked);

struct FailureReply {
  int status;
  sy_response_flag flag;
  std::string body;
};

// The reply when the last attempt ended with `outcome` and nothing else is
// in flight or pending: 503 UF for a connect failure, 504 UT for a timeout,
// 503 LR when a filter cancelled it, else 502 UC (the connection closed or
// broke before a whole response head).
FailureReply failureReplyFor(sy_attempt_outcome outcome, const std::string& reason);

}  // namespace switchyard::router
