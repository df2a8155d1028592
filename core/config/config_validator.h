// Semantic validation of a Bootstrap that already matched the schema: the
// rules protobuf cannot express (required fields, ranges, references
// between listeners, routes, filters and clusters).
//
// Everything here is checked up front so that the code building the
// running proxy from a Bootstrap can trust it: addresses parse, ports fit
// in 16 bits, every route's cluster exists and every override names a
// filter.
#pragma once

#include <string>
#include <vector>

#include "config.pb.h"

namespace switchyard::config {

// Limits on fields whose zero value means "use the default".
inline constexpr uint32_t kMinRequestHeadersLimit = 1024;
inline constexpr uint32_t kMaxRequestHeadersLimit = 1024 * 1024;
inline constexpr uint32_t kMinBufferLimit = 16 * 1024;
inline constexpr uint32_t kMaxEndpointWeight = 1'000'000;

// Returns every problem found (not just the first), each as
// "FIELD.PATH: problem", e.g. "clusters[0].endpoints[1].port: 70000 is
// out of range 1-65535". Empty means the config is valid.
std::vector<std::string> validateBootstrap(const Bootstrap& bootstrap);

}  // namespace switchyard::config
