// HealthCheckState: the verdict of an active health check on one host,
// from its probe results — healthy until unhealthy_threshold probes in a
// row fail, then unhealthy until healthy_threshold probes in a row pass.
// Hosts start healthy (traffic flows before the first probe finishes; see
// Cluster.health_check). Plain logic without sockets or clocks, so that the
// thresholds can be tested alone; HealthChecker feeds it.
#pragma once

#include <cstdint>

#include "upstream/cluster_health.h"

namespace switchyard::upstream {

class HealthCheckState {
 public:
  // Thresholds of at least 1 (config defaults apply before).
  HealthCheckState(uint32_t healthy_threshold, uint32_t unhealthy_threshold);

  // Back to the start: healthy, never probed (another host took the slot).
  void reset();

  // Takes one probe's result; true when the verdict changed with it.
  bool onProbeResult(bool passed);
  bool healthy() const { return healthy_; }
  // kNotChecked until the first probe, then kPassing or kFailing by the
  // verdict (not by the last probe alone).
  ActiveCheckState state() const;

 private:
  const uint32_t healthy_threshold_;
  const uint32_t unhealthy_threshold_;
  bool healthy_ = true;
  bool probed_ = false;
  uint32_t run_ = 0;  // probes in a row that disagree with the verdict
};

}  // namespace switchyard::upstream
