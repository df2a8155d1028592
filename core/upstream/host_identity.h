// A stable 64-bit identity per host for the hash-based load balancers,
// which place hosts by it: on the ring (RING_HASH) and in the lookup table's
// permutations (MAGLEV).
//
// The identity comes from the host's address ("ip:port"), not its index, so
// that every worker and every proxy with the same endpoints places them the
// same way, and adding or removing one endpoint leaves the others where they
// were. An address listed twice would get one place twice and its second
// listing no traffic of its own; each repeat is told apart by how many
// listings of the same address come before it.
#pragma once

#include <cstdint>
#include <vector>

#include "upstream/host_set.h"

namespace switchyard::upstream {

// One identity per host, by host index.
std::vector<uint64_t> hostIdentities(const HostSet& hosts);

}  // namespace switchyard::upstream
