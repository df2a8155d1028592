// MAGLEV: consistent hashing with a lookup table, as in Google's Maglev
// load balancer (Eisenbud et al., NSDI 2016). A request's hash key picks
// the slot key mod table_size, and the slot names the host.
//
// The table (table_size slots, a prime) is filled in rounds. Each host has
// its own permutation of the slots, from its identity (host_identity.h): a
// start and a step, stepping through every slot because the size is prime.
// In its turn a host takes the next slot of its permutation that no host
// took yet. A host of the highest weight takes a turn every round, a host of
// weight w one in every (highest / w) rounds, spread evenly and starting
// with the first round, so every host gets a slot and shares follow weight.
// Hosts thus hold nearly equal parts of the table (per unit of weight), and
// since each host prefers the same slots whatever the others are, adding or
// removing a host moves about its own share of the keys and a little more
// (the slots hosts took only because another one got there first).
//
// A key whose host is not a candidate (unhealthy, or already tried by this
// request; see load_balancer.h) walks on through the table to the first slot
// of a candidate. The table is not rebuilt when health changes: a rebuild
// over the healthy hosts would also move some keys of healthy hosts, each
// time a host fails and again when it recovers. With the walk, a host going
// unhealthy moves only its own keys; as its slots are scattered through the
// table, the next slot's host is in effect drawn by weight, so those keys
// spread over the others by weight, and they come back when it recovers.
// A request without a key goes to a random candidate by weight.
//
// The table holds the members only. It is built at construction and again
// at the first pick after the membership changed (service discovery), which
// moves about the keys of the hosts that came or went, as above. A pick
// otherwise is one lookup (a short walk when its host is out) and allocates
// nothing.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "upstream/load_balancer.h"

namespace switchyard::upstream {

class MaglevBalancer final : public LoadBalancer {
 public:
  // `table_size` is a prime, at least the number of host slots (config
  // validation checks both).
  MaglevBalancer(const HostSet& hosts, uint64_t table_size, std::mt19937_64 random);
  size_t chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> hash_key) override;

 private:
  void fillTable();

  const HostSet& hosts_;
  const uint64_t table_size_;
  std::vector<uint32_t> table_;  // slot → host
  uint64_t built_generation_ = 0;  // the HostSet's membershipGeneration() table_ is of
  std::mt19937_64 random_;
  std::vector<size_t> candidates_;
};

}  // namespace switchyard::upstream
