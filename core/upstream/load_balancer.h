// LoadBalancer: picks the host for each attempt of a request, by the
// cluster's lb_policy. One instance per cluster per worker, reading that
// worker's HostSet; not thread-safe.
//
// Every policy chooses among the same candidates:
//  1. The healthy hosts (no HostHealthFlag set). When fewer than the
//     cluster's healthy_panic_threshold percent are healthy (or none is),
//     every host: panic mode, as in Envoy. When most hosts look down the
//     signal is likelier wrong than the hosts, and the few left would drown
//     in all the traffic (see host_candidates.h). Only members count, in
//     both: a slot whose host left the cluster (service discovery), or that
//     never had one, is never picked, not even in panic mode.
//  2. Of those, the hosts not in `avoid` (the ones this request already
//     tried), unless that leaves none: another try on a tried host beats no
//     try at all.
// Then each policy picks among the candidates (the hash-based policies
// start from the key's own host and keep it whenever it is a candidate):
//  ROUND_ROBIN    smooth weighted round robin (see round_robin_balancer.h).
//  LEAST_REQUEST  power of two choices: two distinct candidates drawn at
//                 random in proportion to weight; the one with fewer active
//                 requests per unit of weight wins, the first drawn on a tie
//                 (see least_request_balancer.h).
//  RANDOM         one candidate drawn at random in proportion to weight.
//  RING_HASH      the request's hash key on a ring of points per host
//                 (see ring_hash_balancer.h).
//  MAGLEV         the request's hash key in a Maglev lookup table (see
//                 maglev_balancer.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "config.pb.h"
#include "upstream/host_set.h"

namespace switchyard::upstream {

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // Index of the host for the next attempt. Skips hosts listed in `avoid`
  // (the hosts this request already tried) unless that leaves none, and
  // unhealthy hosts unless too few are healthy (then: panic mode, above).
  // `hash_key` is the request's key from its route's hash_policy, the same
  // for every attempt of the request, or nullopt when the request has none;
  // only the hash-based policies read it.
  virtual size_t chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> hash_key) = 0;
};

// A balancer by `cluster`'s lb_policy (and its table sizes). `hosts` must
// outlive the balancer; chooseHost needs at least one member. `random` is
// the policy's own generator; callers seed it, tests with a fixed seed. A
// hash-based balancer builds its table at once, and again whenever the
// membership changes.
std::unique_ptr<LoadBalancer> makeLoadBalancer(const config::ClusterConfig& cluster, const HostSet& hosts,
                                               std::mt19937_64 random);

}  // namespace switchyard::upstream
