// The host for one upstream attempt: the load balancer's pick, offered to
// the filters' attempt_admit hooks (ABI 1.3), which may refuse that host
// (the balancer is asked again, without it) or the attempt on any host.
#pragma once

#include <switchyard/filter.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <cstdint>
#include <vector>

#include "upstream/cluster_manager.h"

namespace switchyard::router {

// Asks the filters about one candidate (number, hedged and upstream_host
// set); may set *reason on a refusal.
using AdmitHost = std::function<sy_admission(const sy_attempt_info& candidate, std::string* reason)>;

// The attempt being placed.
struct AttemptToPlace {
  uint32_t number;  // the number it will get if it starts
  bool hedged;
  const std::vector<size_t>& avoid;  // hosts to avoid while another remains
  std::optional<uint64_t> hash_key;  // for the hashing policies
};

struct HostChoice {
  std::optional<size_t> host;  // empty: the attempt was refused, or no host
  std::string refusal_reason;  // the last refusal's reason, for the client
  // No host can take it: the cluster has no member (discovery found none
  // yet), or none is healthy and panic mode is off.
  bool no_host = false;
};

// Picks a host by the cluster's balancer, avoiding `attempt.avoid` (the
// hosts this request already tried, when the attempt asks for a fresh one)
// while another remains, and never one the filters refused for this
// attempt. Each host is offered at most once. Follows the cluster's latest
// membership first; with no routable host, says no_host.
HostChoice chooseAdmittedHost(upstream::ClusterState& cluster, const AttemptToPlace& attempt,
                              const AdmitHost& admit);

}  // namespace switchyard::router
