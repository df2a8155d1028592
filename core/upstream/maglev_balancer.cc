#include "upstream/maglev_balancer.h"

#include <algorithm>
#include <limits>

#include "common/stable_hash.h"
#include "upstream/host_candidates.h"
#include "upstream/host_identity.h"

namespace switchyard::upstream {

namespace {

constexpr uint32_t kEmptySlot = std::numeric_limits<uint32_t>::max();

// Turns a host of `weight` has taken after `rounds` rounds, when the
// heaviest host takes one per round: rounds * weight / heaviest, rounded
// up, so that every host's first turn is in the first round.
uint64_t turnsAfter(uint64_t rounds, uint64_t weight, uint64_t heaviest) {
  return (rounds * weight + heaviest - 1) / heaviest;
}

}  // namespace

MaglevBalancer::MaglevBalancer(const HostSet& hosts, uint64_t table_size, std::mt19937_64 random)
    : hosts_(hosts), table_size_(table_size), random_(random) {
  fillTable();
  candidates_.reserve(hosts.size());
}

void MaglevBalancer::fillTable() {
  built_generation_ = hosts_.membershipGeneration();
  const uint64_t table_size = table_size_;
  // Each host's permutation: slot_j = (start + j * step) mod table_size.
  // `next_slot` is where each host looks next.
  std::vector<uint64_t> identities = hostIdentities(hosts_);
  std::vector<uint64_t> step(hosts_.size());
  std::vector<uint64_t> next_slot(hosts_.size());
  uint64_t heaviest = 0;
  std::vector<size_t> members;
  for (size_t host = 0; host < hosts_.size(); ++host) {
    if (!hosts_.isMember(host)) continue;
    members.push_back(host);
    // Two differently salted mixes of the identity: start and step must not
    // be related, or hosts whose starts are close would also step alike.
    next_slot[host] = mixBits(identities[host] ^ 0x5bd1e995ull) % table_size;
    step[host] = mixBits(identities[host] ^ 0xc2b2ae35ull) % (table_size - 1) + 1;
    heaviest = std::max<uint64_t>(heaviest, hosts_.weight(host));
  }

  table_.assign(table_size, kEmptySlot);
  if (members.empty()) return;  // no pick until a member comes (load_balancer.h)
  uint64_t filled = 0;
  for (uint64_t round = 0; filled < table_size; ++round) {
    for (size_t host : members) {
      if (filled == table_size) break;
      uint64_t weight = hosts_.weight(host);
      if (turnsAfter(round + 1, weight, heaviest) == turnsAfter(round, weight, heaviest)) continue;
      while (table_[next_slot[host]] != kEmptySlot)
        next_slot[host] = (next_slot[host] + step[host]) % table_size;
      table_[next_slot[host]] = uint32_t(host);
      ++filled;
    }
  }
}

size_t MaglevBalancer::chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> hash_key) {
  if (hosts_.membershipGeneration() != built_generation_) fillTable();
  if (!hash_key) {
    selectCandidates(hosts_, avoid, candidates_);
    return drawByWeight(hosts_, candidates_, random_);
  }
  size_t slot = *hash_key % table_.size();
  size_t host = table_[slot];
  // The common case, without building the candidate list: a routable host
  // the request has not tried is always a candidate.
  if (isRoutable(hosts_, host) && std::find(avoid.begin(), avoid.end(), host) == avoid.end()) return host;

  selectCandidates(hosts_, avoid, candidates_);
  // Every member holds a slot, and there is always a candidate, so the walk
  // ends within one pass over the table.
  while (!std::binary_search(candidates_.begin(), candidates_.end(), host)) {
    slot = slot + 1 == table_.size() ? 0 : slot + 1;
    host = table_[slot];
  }
  return host;
}

}  // namespace switchyard::upstream
