// The hash key of a request, for the hash-based load-balancing policies
// (RING_HASH, MAGLEV): computed once per request, from the matched route's
// hash_policy, and the same for every attempt of the request.
//
// The policies are tried in config order and the first that yields a value
// gives the key; they are not combined. First-wins makes a fallback chain
// easy to state ("the session cookie, else the user header, else the client
// address") and a key easy to predict. No value from any policy: no key,
// and the balancer picks at random by weight.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config.pb.h"
#include "http/header_map.h"

namespace switchyard::router {

// Compiled form of one config::HashPolicy.
struct HashPolicy {
  enum class Source { kHeader, kCookie, kSourceIp };

  Source source = Source::kSourceIp;
  std::string name;  // the header's or the cookie's; empty for kSourceIp
};

// `proto` passed config validation: one of its sources is set.
HashPolicy compileHashPolicy(const config::HashPolicy& proto);

// The key: stableHash (common/stable_hash.h) of the first value a policy
// yields, so that every worker and proxy maps a value to the same key.
// What yields a value:
//  header     the header's first line, when not empty;
//  cookie     the first cookie of that name in the Cookie header(s), when
//             not empty ("a=1; b=2": pairs split at ';', spaces and tabs
//             around a pair ignored, the name compared case-sensitively);
//  source_ip  the client's IP address as text, when known.
std::optional<uint64_t> requestHashKey(std::span<const HashPolicy> policies, const http::HeaderMap& headers,
                                       std::string_view client_ip);

}  // namespace switchyard::router
