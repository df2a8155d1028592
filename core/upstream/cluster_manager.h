// ClusterManager: one worker's view of every cluster — its hosts, a load
// balancer over them, and a connection pool per host. Built from the shared
// ProxyConfig; the state inside is the worker's alone, so nothing here is
// locked.
#pragma once

#include <uv.h>

#include <memory>
#include <random>
#include <vector>

#include "server/proxy_config.h"
#include "upstream/host_pool.h"
#include "upstream/host_set.h"
#include "upstream/load_balancer.h"

namespace switchyard::upstream {

struct ClusterState {
  // `random` becomes the balancer's own generator.
  ClusterState(uv_loop_t* loop, const server::ClusterConfig& config, std::mt19937_64 random);
  // The balancer keeps a reference to `hosts`.
  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  const server::ClusterConfig* config;
  HostSet hosts;
  std::unique_ptr<LoadBalancer> balancer;        // by config->lb_policy, over `hosts`
  std::vector<std::unique_ptr<HostPool>> pools;  // one per host, same index
};

class ClusterManager {
 public:
  ClusterManager(uv_loop_t* loop, const server::ProxyConfig& config);
  ClusterState& cluster(const server::ClusterConfig& config) { return *clusters_[config.index]; }
  void closeIdleConnections();

 private:
  std::vector<std::unique_ptr<ClusterState>> clusters_;
};

}  // namespace switchyard::upstream
