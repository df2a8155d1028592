#include "upstream/random_balancer.h"

#include "upstream/host_candidates.h"

namespace switchyard::upstream {

RandomBalancer::RandomBalancer(const HostSet& hosts, std::mt19937_64 random)
    : hosts_(hosts), random_(random) {}

size_t RandomBalancer::chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> /*hash_key*/) {
  selectCandidates(hosts_, avoid, candidates_);
  return drawByWeight(hosts_, candidates_, random_);
}

}  // namespace switchyard::upstream
