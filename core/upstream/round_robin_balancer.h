// ROUND_ROBIN: smooth weighted round robin (as nginx does it). Every pick
// adds each routable host's weight to its score, takes the candidate with
// the highest score (the lowest index on a tie), and subtracts the total
// added from the winner. Weights 5,1,1 give a,a,b,a,c,a,a rather than a
// burst of five a's.
//
// A host skipped because the request already tried it still gains its
// weight, so one retry does not shift the long-run shares. An unhealthy
// host gains nothing while it is out: it must not come back owed a burst of
// the traffic it missed. When hosts join or leave, every score restarts at 0.
#pragma once

#include <cstdint>
#include <vector>

#include "upstream/load_balancer.h"

namespace switchyard::upstream {

class RoundRobinBalancer final : public LoadBalancer {
 public:
  explicit RoundRobinBalancer(const HostSet& hosts);
  size_t chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> hash_key) override;

 private:
  const HostSet& hosts_;
  std::vector<int64_t> scores_;  // per host
  uint64_t scored_generation_;   // the HostSet membership the scores are for
  std::vector<size_t> candidates_;
};

}  // namespace switchyard::upstream
