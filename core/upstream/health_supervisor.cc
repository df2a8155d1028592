#include "upstream/health_supervisor.h"

#include <algorithm>
#include <cstdint>
#include <random>

#include "common/uv_util.h"

namespace switchyard::upstream {

HealthSupervisor::HealthSupervisor(uv_loop_t* loop, const config::ProxyConfig& config, UpstreamHealth& health,
                                   ClusterMemberships& memberships)
    : config_(config), health_(health) {
  std::random_device seed_source;
  uint64_t sweep_interval_ms = UINT64_MAX;
  for (const auto& cluster : config.clusters) {
    if (cluster->health_check) {
      checkers_.push_back(std::make_unique<HealthChecker>(loop, *cluster, *health.cluster(cluster->index),
                                                          memberships.of(*cluster),
                                                          health.outlierDetector(cluster->index), seed_source()));
    }
    if (const OutlierDetector* outliers = health.outlierDetector(cluster->index)) {
      sweep_interval_ms = std::min(sweep_interval_ms, outliers->sweepIntervalMs());
    }
  }
  if (sweep_interval_ms == UINT64_MAX) return;
  sweep_timer_ = new uv_timer_t;
  uv_timer_init(loop, sweep_timer_);
  sweep_timer_->data = this;
  uv_timer_start(sweep_timer_, &HealthSupervisor::onSweep, sweep_interval_ms, sweep_interval_ms);
}

HealthSupervisor::~HealthSupervisor() { stop(); }

void HealthSupervisor::stop() {
  checkers_.clear();
  closeAndDelete(sweep_timer_);
  sweep_timer_ = nullptr;
}

void HealthSupervisor::onSweep(uv_timer_t* timer) {
  auto* self = static_cast<HealthSupervisor*>(timer->data);
  uint64_t now_ms = monotonicNowMs();
  for (const auto& cluster : self->config_.clusters) {
    if (OutlierDetector* outliers = self->health_.outlierDetector(cluster->index)) outliers->sweep(now_ms);
  }
}

}  // namespace switchyard::upstream
