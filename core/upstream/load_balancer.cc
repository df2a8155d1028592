#include "upstream/load_balancer.h"

#include <algorithm>

namespace switchyard::upstream {

RoundRobinBalancer::RoundRobinBalancer(std::vector<uint32_t> weights)
    : weights_(std::move(weights)), current_(weights_.size(), 0) {
  for (uint32_t weight : weights_) total_ += weight;
}

size_t RoundRobinBalancer::pick(const std::vector<size_t>& avoid) {
  auto avoided = [&avoid](size_t index) { return std::find(avoid.begin(), avoid.end(), index) != avoid.end(); };
  bool any_allowed = false;
  for (size_t i = 0; i < weights_.size() && !any_allowed; ++i) any_allowed = !avoided(i);
  // Every endpoint still gains its weight, so skipping one now does not
  // shift the long-run shares of the others.
  size_t best = weights_.size();
  for (size_t i = 0; i < weights_.size(); ++i) {
    current_[i] += weights_[i];
    if (any_allowed && avoided(i)) continue;
    if (best == weights_.size() || current_[i] > current_[best]) best = i;
  }
  current_[best] -= total_;
  return best;
}

}  // namespace switchyard::upstream
