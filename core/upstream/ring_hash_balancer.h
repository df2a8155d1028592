// RING_HASH: consistent hashing on a ring of 64-bit positions. Each host
// owns points on the ring, placed by its identity (host_identity.h), and a
// request's hash key goes to the host of the first point at or after the
// key, wrapping around. A host owns the arcs that end at its points, so its
// share of the keys follows its share of the points.
//
// Points per host: a host of the lowest weight gets minimum_ring_size of
// them and every other host as many per multiple of that weight (weights
// 1, 1, 2 with minimum_ring_size 1024 give 1024, 1024, 2048). The count of a host depends only on
// its weight and the lowest weight, not on how many hosts there are, so
// adding or removing a host (not below the lowest weight) leaves the other
// hosts every point: only the keys on the new or removed host's arcs move,
// about 1/(N+1) of them. When the points would pass maximum_ring_size,
// every count is scaled down to fit; each host keeps at least one point.
// A host's points are the first entries of one fixed sequence, so a smaller
// count keeps a subset of the points it had.
//
// A key whose host is not a candidate (unhealthy, or already tried by this
// request; see load_balancer.h) walks on along the ring to the first point
// of a candidate. That is exactly where the key would land if the host were
// not on the ring at all, so a host going unhealthy moves only its own keys,
// spread over the others by their arcs, and they come back when it
// recovers. A request without a key goes to a random candidate by weight.
//
// The ring holds the members only. It is built at construction and again at
// the first pick after the membership changed (service discovery); since a
// host's points depend only on its address and weight, a rebuild moves just
// the keys of the hosts that came or went. A pick otherwise binary searches
// it and allocates nothing.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/load_balancer.h"

namespace switchyard::upstream {

class RingHashBalancer final : public LoadBalancer {
 public:
  RingHashBalancer(const HostSet& hosts, const config::RingHashSizes& sizes, std::mt19937_64 random);
  size_t chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> hash_key) override;

  size_t ringSize() const { return ring_.size(); }

 private:
  struct Point {
    uint64_t position;
    uint32_t host;
  };

  void buildRing();

  const HostSet& hosts_;
  const config::RingHashSizes sizes_;
  std::vector<Point> ring_;  // by position, then host
  uint64_t built_generation_ = 0;  // the HostSet's membershipGeneration() ring_ is of
  std::mt19937_64 random_;
  std::vector<size_t> candidates_;
};

}  // namespace switchyard::upstream
