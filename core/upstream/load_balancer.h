// Smooth weighted round robin (as nginx does it): every pick adds each
// endpoint's weight to its current score, takes the highest, and subtracts
// the total from the winner. Weights 5,1,1 give a,a,b,a,c,a,a rather than
// a burst of five a's. One instance per cluster per worker; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace switchyard::upstream {

class RoundRobinBalancer {
 public:
  explicit RoundRobinBalancer(std::vector<uint32_t> weights);
  // Index of the next endpoint, skipping those listed in `avoid` (the hosts
  // a request already tried) unless that would leave none.
  size_t pick(const std::vector<size_t>& avoid = {});

 private:
  std::vector<uint32_t> weights_;
  std::vector<int64_t> current_;
  int64_t total_ = 0;
};

}  // namespace switchyard::upstream
