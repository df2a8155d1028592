// What the tracing filter's files share: the host table, set once by the
// entry symbol before any other call.
#pragma once

#include <switchyard/filter.h>

#include <string>
#include <string_view>

namespace tracing {

extern const sy_host_api* host;

inline sy_slice sliceOf(std::string_view text) { return sy_slice{text.data(), text.size()}; }
inline std::string_view viewOf(sy_slice slice) {
  return slice.ptr == nullptr ? std::string_view() : std::string_view(slice.ptr, slice.len);
}

}  // namespace tracing
