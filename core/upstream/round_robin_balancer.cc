#include "upstream/round_robin_balancer.h"

#include <algorithm>

#include "upstream/host_candidates.h"

namespace switchyard::upstream {

RoundRobinBalancer::RoundRobinBalancer(const HostSet& hosts)
    : hosts_(hosts), scores_(hosts.size(), 0), scored_generation_(hosts.membershipGeneration()) {}

size_t RoundRobinBalancer::chooseHost(const std::vector<size_t>& avoid,
                                      std::optional<uint64_t> /*hash_key*/) {
  if (hosts_.membershipGeneration() != scored_generation_) {
    // Hosts came or left: start everyone even rather than let a newcomer
    // take a burst to catch up with scores it never earned.
    std::fill(scores_.begin(), scores_.end(), 0);
    scored_generation_ = hosts_.membershipGeneration();
  }
  selectCandidates(hosts_, avoid, candidates_);
  int64_t added = 0;
  for (size_t host = 0; host < hosts_.size(); ++host) {
    if (!isRoutable(hosts_, host)) continue;
    scores_[host] += hosts_.weight(host);
    added += hosts_.weight(host);
  }
  size_t best = candidates_.front();
  for (size_t host : candidates_) {
    if (scores_[host] > scores_[best]) best = host;
  }
  scores_[best] -= added;
  return best;
}

}  // namespace switchyard::upstream
