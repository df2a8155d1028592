// The hosts one pick may choose from, by the rule every load-balancing
// policy shares (healthy hosts or, in panic, all; minus the hosts a request
// already tried unless none would remain; see load_balancer.h), and a draw
// among them in proportion to weight.
#pragma once

#include <cstddef>
#include <random>
#include <span>
#include <vector>

#include "upstream/host_set.h"

namespace switchyard::upstream {

// Whether `host` may take requests now: it is a member (a slot whose host
// left, or that never had one, never may) and healthy, or no member is.
bool isRoutable(const HostSet& hosts, size_t host);

// Replaces `candidates` with the hosts one pick may choose from, in
// ascending index order; never empty while the HostSet has a member. Balancers keep
// the vector between picks so that picking allocates nothing.
void selectCandidates(const HostSet& hosts, const std::vector<size_t>& avoid,
                      std::vector<size_t>& candidates);

// One of `candidates` (not empty), each with probability weight / total.
size_t drawByWeight(const HostSet& hosts, std::span<const size_t> candidates, std::mt19937_64& random);

}  // namespace switchyard::upstream
