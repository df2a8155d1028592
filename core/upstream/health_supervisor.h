// HealthSupervisor: the control loop's share of upstream health. It runs
// each cluster's active health checks (HealthChecker) and the timer that
// ends outlier ejections whose time is up, on one loop (the proxy's own,
// also in embedded mode), so each host is probed exactly once and has one
// writer of those decisions; workers see the results through the shared
// UpstreamHealth.
//
// stop() closes every handle (drain, shutdown); so does the destructor.
#pragma once

#include <uv.h>

#include <memory>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/cluster_membership.h"
#include "upstream/health_checker.h"
#include "upstream/upstream_health.h"

namespace switchyard::upstream {

class HealthSupervisor {
 public:
  // Starts at once. `config`, `health` and `memberships` must outlive it.
  HealthSupervisor(uv_loop_t* loop, const config::ProxyConfig& config, UpstreamHealth& health,
                   ClusterMemberships& memberships);
  ~HealthSupervisor();
  HealthSupervisor(const HealthSupervisor&) = delete;
  HealthSupervisor& operator=(const HealthSupervisor&) = delete;

  // Idempotent. Health stays as it was last written.
  void stop();

 private:
  static void onSweep(uv_timer_t* timer);

  const config::ProxyConfig& config_;
  UpstreamHealth& health_;
  std::vector<std::unique_ptr<HealthChecker>> checkers_;  // of the clusters with a health_check
  uv_timer_t* sweep_timer_ = nullptr;  // only with outlier detection on some cluster
};

}  // namespace switchyard::upstream
