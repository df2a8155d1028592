// RANDOM: each pick draws one candidate at random, with probability
// proportional to its weight. Keeps no state between picks besides the
// generator, so it suits many proxies in front of one cluster, where each
// one's round robin would start at the same host.
#pragma once

#include <random>
#include <vector>

#include "upstream/load_balancer.h"

namespace switchyard::upstream {

class RandomBalancer final : public LoadBalancer {
 public:
  RandomBalancer(const HostSet& hosts, std::mt19937_64 random);
  size_t chooseHost(const std::vector<size_t>& avoid, std::optional<uint64_t> hash_key) override;

 private:
  const HostSet& hosts_;
  std::mt19937_64 random_;
  std::vector<size_t> candidates_;
};

}  // namespace switchyard::upstream
