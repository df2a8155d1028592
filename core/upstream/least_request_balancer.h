// LEAST_REQUEST: power of two choices. Each pick draws two distinct
// candidates at random, each draw in proportion to weight, and keeps the one
// with fewer active requests per unit of weight (active / weight, so like
// Envoy's weighted least request, requests are scaled by weight); a tie
// goes to the first drawn. Two random choices rather than the least loaded
// host of all: nearly as good at avoiding busy hosts, and workers, each
// counting only its own requests (HostSet), do not all pile onto the one
// host that looks idle to every one of them.
//
// Weight enters both the draw and the comparison. With every host idle the
// draws alone decide, so sequential traffic spreads by weight; under load a
// host of weight 3 carries about three times the active requests of a host
// of weight 1 before it loses comparisons. With equal weights this is plain
// power of two choices.
#pragma once

#include <random>
#include <vector>

#include "upstream/load_balancer.h"

namespace switchyard::upstream {

class LeastRequestBalancer final : public LoadBalancer {
 public:
  LeastRequestBalancer(const HostSet& hosts, std::mt19937_64 random);
  size_t chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> hash_key) override;

 private:
  // Whether `a` carries fewer active requests per unit of weight than `b`.
  bool lessLoaded(size_t a, size_t b) const;

  const HostSet& hosts_;
  std::mt19937_64 random_;
  std::vector<size_t> candidates_;
};

}  // namespace switchyard::upstream
