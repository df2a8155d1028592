// ClusterManager: one worker's view of every cluster — its hosts, a load
// balancer over them, and a connection pool per host. Built from the shared
// ProxyConfig and UpstreamHealth; apart from the health every worker shares
// (atomics), the state inside is the worker's alone, so nothing here is
// locked.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/connection_pool.h"
#include "upstream/host_set.h"
#include "upstream/load_balancer.h"
#include "upstream/upstream_health.h"

namespace switchyard::upstream {

struct ClusterState {
  // `random` becomes the balancer's own generator.
  ClusterState(const config::ClusterConfig& config, const UpstreamHealth& health, std::mt19937_64 random);
  // The balancer keeps a reference to `hosts`.
  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  const config::ClusterConfig* config;
  HostSet hosts;
  std::unique_ptr<LoadBalancer> balancer;              // by config->lb_policy, over `hosts`
  std::vector<std::unique_ptr<ConnectionPool>> pools;  // one per host, same index
  OutlierDetector* outlier_detector;                   // shared; null without outlier_detection
};

class ClusterManager {
 public:
  // Makes the connection pool of one endpoint (by its index in the
  // cluster); tests pass fakes.
  using PoolFactory = std::function<std::unique_ptr<ConnectionPool>(const config::ClusterConfig&, size_t host)>;

  // With real keep-alive pools (HostPool) on `loop`. `health` must outlive
  // the manager.
  ClusterManager(uv_loop_t* loop, const config::ProxyConfig& config, const UpstreamHealth& health);
  ClusterManager(const config::ProxyConfig& config, const UpstreamHealth& health, const PoolFactory& make_pool);
  ClusterState& cluster(const config::ClusterConfig& config) { return *clusters_[config.index]; }
  void closeIdleConnections();

 private:
  std::vector<std::unique_ptr<ClusterState>> clusters_;
};

}  // namespace switchyard::upstream
