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
// The tables of hash-based load balancing are built per worker and
// cluster, so these cap their memory: 8M ring points take 128 MiB, 5000011
// Maglev slots 20 MiB. The largest ring is also the default maximum.
inline constexpr uint64_t kMaxRingSize = 8 * 1024 * 1024;
inline constexpr uint64_t kDefaultMaglevTableSize = 65537;  // as Envoy's: a prime
inline constexpr uint32_t kDefaultMaxDnsHosts = 64;  // a STRICT_DNS cluster's host slots
inline constexpr uint64_t kMaxMaglevTableSize = 5'000'011;

// Returns every problem found (not just the first), each as
// "FIELD.PATH: problem", e.g. "clusters[0].endpoints[1].port: 70000 is
// out of range 1-65535". Empty means the config is valid.
std::vector<std::string> validateBootstrap(const Bootstrap& bootstrap);

}  // namespace switchyard::config
