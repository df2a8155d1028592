#include "upstream/health_check_state.h"

namespace switchyard::upstream {

HealthCheckState::HealthCheckState(uint32_t healthy_threshold, uint32_t unhealthy_threshold)
    : healthy_threshold_(healthy_threshold), unhealthy_threshold_(unhealthy_threshold) {}

bool HealthCheckState::onProbeResult(bool passed) {
  probed_ = true;
  if (passed == healthy_) {
    run_ = 0;
    return false;
  }
  ++run_;
  if (run_ < (healthy_ ? unhealthy_threshold_ : healthy_threshold_)) return false;
  healthy_ = passed;
  run_ = 0;
  return true;
}

ActiveCheckState HealthCheckState::state() const {
  if (!probed_) return ActiveCheckState::kNotChecked;
  return healthy_ ? ActiveCheckState::kPassing : ActiveCheckState::kFailing;
}

void HealthCheckState::reset() {
  healthy_ = true;
  probed_ = false;
  run_ = 0;
}

}  // namespace switchyard::upstream
