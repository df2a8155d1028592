#include "router/upstream_head.h"

#include "http/message_encoder.h"

namespace switchyard::router {

http::HeaderMap upstreamHead(const RouteEntry& route, http::HeaderMap& filtered_headers, bool end_stream,
                             const std::string& client_ip, bool* chunked) {
  RouteTable::applyRewrites(route, filtered_headers);
  http::HeaderMap head = filtered_headers;
  http::removeHopByHopHeaders(head);
  if (auto forwarded = head.get("x-forwarded-for")) {
    head.set("x-forwarded-for", std::string(*forwarded) + ", " + client_ip);
  } else {
    head.add("x-forwarded-for", client_ip);
  }
  head.set("x-forwarded-proto", "http");
  *chunked = !end_stream && !head.get("content-length");
  if (*chunked) head.add("transfer-encoding", "chunked");
  return head;
}

FailureReply failureReplyFor(sy_attempt_outcome outcome, const std::string& reason) {
  switch (outcome) {
    case SY_ATTEMPT_CONNECT_FAILURE:
      return {503, SY_FLAG_UPSTREAM_CONNECTION_FAILURE, "upstream connect error: " + reason + "\n"};
    case SY_ATTEMPT_TIMED_OUT:
      return {504, SY_FLAG_UPSTREAM_TIMEOUT, "upstream request timeout\n"};
    case SY_ATTEMPT_CANCELLED:
      // A filter cancelled the last attempt without retrying: the proxy
      // itself ended the exchange.
      return {503, SY_FLAG_LOCAL_RESET, "upstream request cancelled\n"};
    default:
      return {502, SY_FLAG_UPSTREAM_CONNECTION_TERMINATION, "upstream error: " + reason + "\n"};
  }
}

}  // namespace switchyard::router
