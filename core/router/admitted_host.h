// The host for one upstream attempt: the load balancer's pick, offered to
// the filters' attempt_admit hooks (ABI 1.3), which may refuse that host
// (the balancer is asked again, without it) or the attempt on any host.
#pragma once

#include <switchyard/filter.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "upstream/cluster_manager.h"

namespace switchyard::router {

// Asks the filters about one candidate host; may set *reason on a refusal.
using AdmitHost = std::function<sy_admission(size_t host, std::string* reason)>;

struct HostChoice {
  std::optional<size_t> host;  // empty: the attempt was refused, or no host
  std::string refusal_reason;  // the last refusal's reason, for the client
  bool cluster_empty = false;  // the cluster has no host (discovery found none yet)
};

// Picks a host avoiding `avoid` (the hosts this request already tried, when
// the attempt asks for a fresh one) while another remains, and never one
// the filters refused for this attempt. Each host is offered at most once.
// Follows the cluster's latest membership first.
HostChoice chooseAdmittedHost(upstream::ClusterState& cluster, const std::vector<size_t>& avoid,
                              const AdmitHost& admit);

}  // namespace switchyard::router
