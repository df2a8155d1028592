// HealthSupervisor: the control loop's share of upstream health. It runs
// the timer that ends outlier ejections whose time is up, for every
// cluster, on one loop (the proxy's own, also in embedded mode), so each
// host has exactly one writer of those decisions; workers see the results
// through the shared UpstreamHealth.
//
// stop() closes every handle (drain, shutdown); so does the destructor.
#pragma once

#include <uv.h>

#include "config/proxy_config.h"
#include "upstream/upstream_health.h"

namespace switchyard::upstream {

class HealthSupervisor {
 public:
  // Starts at once. `config` and `health` must outlive it.
  HealthSupervisor(uv_loop_t* loop, const config::ProxyConfig& config, UpstreamHealth& health);
  ~HealthSupervisor();
  HealthSupervisor(const HealthSupervisor&) = delete;
  HealthSupervisor& operator=(const HealthSupervisor&) = delete;

  // Idempotent. Health stays as it was last written.
  void stop();

 private:
  static void onSweep(uv_timer_t* timer);

  const config::ProxyConfig& config_;
  UpstreamHealth& health_;
  uv_timer_t* sweep_timer_ = nullptr;  // only with outlier detection on some cluster
};

}  // namespace switchyard::upstream
