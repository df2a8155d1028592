#include "upstream/least_request_balancer.h"

#include <algorithm>
#include <span>
#include <utility>

#include "upstream/host_candidates.h"

namespace switchyard::upstream {

LeastRequestBalancer::LeastRequestBalancer(const HostSet& hosts, std::mt19937_64 random)
    : hosts_(hosts), random_(random) {}

size_t LeastRequestBalancer::chooseHost(const std::vector<size_t>& avoid,
                                        std::optional<uint64_t> /*hash_key*/) {
  selectCandidates(hosts_, avoid, candidates_);
  if (candidates_.size() == 1) return candidates_.front();
  size_t first = drawByWeight(hosts_, candidates_, random_);
  // The second draw excludes the first: move it to the end, draw from the rest.
  std::swap(*std::find(candidates_.begin(), candidates_.end(), first), candidates_.back());
  size_t second = drawByWeight(hosts_, std::span(candidates_).first(candidates_.size() - 1), random_);
  return lessLoaded(second, first) ? second : first;
}

bool LeastRequestBalancer::lessLoaded(size_t a, size_t b) const {
  // active_a / weight_a < active_b / weight_b, in integers.
  return uint64_t{hosts_.activeRequests(a)} * hosts_.weight(b) <
         uint64_t{hosts_.activeRequests(b)} * hosts_.weight(a);
}

}  // namespace switchyard::upstream
