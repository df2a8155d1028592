// The hosts one pick may choose from, by the rule every load-balancing
// policy shares (see load_balancer.h), and a draw among them in proportion
// to weight.
//
// The rule: the healthy members, unless the cluster is in panic mode —
// fewer than healthy_panic_threshold percent of its members healthy, or none
// at all, with a threshold above 0 — where every member is routable. A slot without a member never is. Then, of the routable hosts, those a
// request has not tried yet, unless none would remain.
#pragma once

#include <cstddef>
#include <random>
#include <span>
#include <vector>

#include "upstream/host_set.h"

namespace switchyard::upstream {

// Whether too few hosts are healthy to balance over the healthy ones alone:
// none is, or fewer than `threshold_percent` of them. Only members count,
// in both numbers.
bool inPanic(size_t healthy_hosts, size_t hosts, double threshold_percent);
bool inPanic(const HostSet& hosts);

// Whether any host may take requests now: a member is healthy, or the
// cluster is in panic mode. False with panic mode off (threshold 0) and no
// healthy member: the request gets "no healthy upstream".
bool hasRoutableHost(const HostSet& hosts);

// Whether `host` may take requests now: it is a member (a slot whose host
// left, or that never had one, never may) and healthy, or a member while
// the cluster is in panic mode.
bool isRoutable(const HostSet& hosts, size_t host);

// Replaces `candidates` with the hosts one pick may choose from, in
// ascending index order; never empty while hasRoutableHost(hosts). Balancers keep
// the vector between picks so that picking allocates nothing.
void selectCandidates(const HostSet& hosts, const std::vector<size_t>& avoid,
                      std::vector<size_t>& candidates);

// One of `candidates` (not empty), each with probability weight / total.
size_t drawByWeight(const HostSet& hosts, std::span<const size_t> candidates, std::mt19937_64& random);

}  // namespace switchyard::upstream
