// LoadBalancer: picks the host for each attempt of a request, by the
// cluster's lb_policy. One instance per cluster per worker, reading that
// worker's HostSet; not thread-safe.
//
// Every policy chooses among the same candidates:
//  1. The healthy hosts (no HostHealthFlag set). When none is healthy, every
//     host: panic mode, as in Envoy. Only members count: a slot whose host
//     left the cluster (service discovery) is never picked. A host that may have recovered is a
//     better bet than failing every request while health is unknown.
//  2. Of those, the hosts not in `avoid` (the ones this request already
//     tried), unless that leaves none: another try on a tried host beats no
//     try at all.
// Then each policy picks among the candidates:
//  ROUND_ROBIN    smooth weighted round robin (see round_robin_balancer.h).
//  LEAST_REQUEST  power of two choices: two distinct candidates drawn at
//                 random in proportion to weight; the one with fewer active
//                 requests per unit of weight wins, the first drawn on a tie
//                 (see least_request_balancer.h).
//  RANDOM         one candidate drawn at random in proportion to weight.
#pragma once

#include <cstddef>
#include <memory>
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
  // unhealthy hosts unless none is healthy (then: panic mode, above).
  virtual size_t chooseHost(const std::vector<size_t>& avoid) = 0;
};

// `hosts` must outlive the balancer; chooseHost needs at least one member. `random` is
// the policy's own generator; callers seed it, tests with a fixed seed.
std::unique_ptr<LoadBalancer> makeLoadBalancer(config::Cluster::LbPolicy policy, const HostSet& hosts,
                                               std::mt19937_64 random);

}  // namespace switchyard::upstream
