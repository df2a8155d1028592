#include "upstream/ring_hash_balancer.h"

#include <algorithm>
#include <cmath>

#include "common/stable_hash.h"
#include "upstream/host_candidates.h"
#include "upstream/host_identity.h"

namespace switchyard::upstream {

namespace {

// The increment of splitmix64: consecutive multiples of it, mixed, give a
// host a sequence of well-spread positions from its identity alone.
constexpr uint64_t kPointStride = 0x9e3779b97f4a7c15ull;

// Points per unit of weight: minimum_ring_size for the lowest weight,
// scaled down when the total would pass maximum_ring_size.
double pointsPerWeight(const HostSet& hosts, const config::RingHashSizes& sizes) {
  uint64_t total_weight = 0;
  uint32_t lowest_weight = UINT32_MAX;
  for (size_t host = 0; host < hosts.size(); ++host) {
    if (!hosts.isMember(host)) continue;
    total_weight += hosts.weight(host);
    lowest_weight = std::min(lowest_weight, hosts.weight(host));
  }
  double per_weight = double(sizes.minimum_ring_size) / lowest_weight;
  return std::min(per_weight, double(sizes.maximum_ring_size) / double(total_weight));
}

}  // namespace

RingHashBalancer::RingHashBalancer(const HostSet& hosts, const config::RingHashSizes& sizes,
                                   std::mt19937_64 random)
    : hosts_(hosts), sizes_(sizes), random_(random) {
  buildRing();
  candidates_.reserve(hosts.size());
}

void RingHashBalancer::buildRing() {
  ring_.clear();
  built_generation_ = hosts_.membershipGeneration();
  if (hosts_.memberCount() == 0) return;
  double per_weight = pointsPerWeight(hosts_, sizes_);
  std::vector<uint64_t> identities = hostIdentities(hosts_);
  for (size_t host = 0; host < hosts_.size(); ++host) {
    if (!hosts_.isMember(host)) continue;
    auto points = std::max<uint64_t>(1, std::llround(per_weight * hosts_.weight(host)));
    for (uint64_t i = 1; i <= points; ++i) {
      ring_.push_back(Point{mixBits(identities[host] + i * kPointStride), uint32_t(host)});
    }
  }
  // Equal positions (vanishingly rare) are ordered by host, so every
  // worker and proxy agrees on which one owns the key.
  std::sort(ring_.begin(), ring_.end(), [](const Point& a, const Point& b) {
    return a.position != b.position ? a.position < b.position : a.host < b.host;
  });
}

size_t RingHashBalancer::chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> hash_key) {
  if (hosts_.membershipGeneration() != built_generation_) buildRing();
  if (!hash_key) {
    selectCandidates(hosts_, avoid, candidates_);
    return drawByWeight(hosts_, candidates_, random_);
  }
  auto first = std::lower_bound(ring_.begin(), ring_.end(), *hash_key,
                                [](const Point& point, uint64_t key) { return point.position < key; });
  size_t index = first == ring_.end() ? 0 : size_t(first - ring_.begin());
  size_t host = ring_[index].host;
  // The common case, without building the candidate list: a routable host
  // the request has not tried is always a candidate.
  if (isRoutable(hosts_, host) && std::find(avoid.begin(), avoid.end(), host) == avoid.end()) return host;

  selectCandidates(hosts_, avoid, candidates_);
  // Every member has a point, and there is always a candidate, so the walk
  // ends within one turn of the ring.
  while (!std::binary_search(candidates_.begin(), candidates_.end(), host)) {
    index = index + 1 == ring_.size() ? 0 : index + 1;
    host = ring_[index].host;
  }
  return host;
}

}  // namespace switchyard::upstream
