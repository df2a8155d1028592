#include "upstream/load_balancer.h"

namespace switchyard::upstream {

RoundRobinBalancer::RoundRobinBalancer(std::vector<uint32_t> weights)
    : weights_(std::move(weights)), current_(weights_.size(), 0) {
  for (uint32_t weight : weights_) total_ += weight;
}

size_t RoundRobinBalancer::pick() {
  size_t best = 0;
  for (size_t i = 0; i < weights_.size(); ++i) {
    current_[i] += weights_[i];
    if (current_[i] > current_[best]) best = i;
  }
  current_[best] -= total_;
  return best;
}

}  // namespace switchyard::upstream
