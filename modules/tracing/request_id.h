// The x-request-id a request keeps end to end: the caller's when it is
// usable as a stream's request id, else a new random UUID (version 4).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tracing {

// 1 to 128 visible ASCII bytes: what sy_host_api.stream_set_request_id
// accepts, so an id we keep is an id the access log can show.
bool usableRequestId(std::string_view id);

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" (RFC 9562 version 4, variant 10)
// from two random 64-bit numbers.
std::string uuidV4(uint64_t high, uint64_t low);

}  // namespace tracing
