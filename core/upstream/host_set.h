// HostSet: one worker's view of one cluster's hosts — each host's endpoint
// (address and weight), its health (read from the cluster's shared
// ClusterHealth, which health checks and outlier detection write), the
// cluster's panic threshold, and how many requests this worker has in
// flight on each host. Load balancers only read it. Indices are stable and
// match the cluster's endpoints (and its per-endpoint pools).
//
// Owned by the worker's ClusterState. Apart from the shared health, which
// is atomic, it is not thread-safe, like everything else a worker owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/cluster_health.h"

namespace switchyard::upstream {

class HostSet {
 public:
  // Copies the endpoints: discovery will change hosts without new config.
  // `health` holds one entry per endpoint.
  HostSet(const std::vector<config::EndpointConfig>& endpoints, std::shared_ptr<ClusterHealth> health,
          double healthy_panic_threshold_percent);

  size_t size() const { return hosts_.size(); }
  const config::EndpointConfig& endpoint(size_t host) const { return hosts_[host].endpoint; }
  uint32_t weight(size_t host) const { return hosts_[host].endpoint.weight; }

  void setHealthFlag(size_t host, HostHealthFlag flag) { health_->setFlag(host, flag); }
  void clearHealthFlag(size_t host, HostHealthFlag flag) { health_->clearFlag(host, flag); }
  bool hasHealthFlag(size_t host, HostHealthFlag flag) const { return health_->hasFlag(host, flag); }
  bool healthy(size_t host) const { return health_->healthy(host); }
  size_t healthyCount() const { return health_->healthyCount(); }
  // Below this percent of healthy hosts, balancers use every host (see
  // host_candidates.h).
  double healthyPanicThresholdPercent() const { return healthy_panic_threshold_percent_; }

  // Requests this worker has sent to a host and not yet finished with,
  // from the attempt's start to its release: what least-request compares.
  // Also counted, over every worker, in the shared health (admin API).
  void onRequestStarted(size_t host);
  void onRequestFinished(size_t host);
  uint32_t activeRequests(size_t host) const { return hosts_[host].active_requests; }

 private:
  struct Host {
    config::EndpointConfig endpoint;
    uint32_t active_requests = 0;
  };

  std::vector<Host> hosts_;
  std::shared_ptr<ClusterHealth> health_;
  const double healthy_panic_threshold_percent_;
};

}  // namespace switchyard::upstream
