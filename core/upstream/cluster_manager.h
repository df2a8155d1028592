// ClusterManager: one worker's view of every cluster — a load balancer and
// a connection pool per endpoint. Built from the shared ProxyConfig; the
// state inside is the worker's alone, so nothing here is locked.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/host_pool.h"
#include "upstream/load_balancer.h"

namespace switchyard::upstream {

struct ClusterState {
  const config::ClusterConfig* config;
  RoundRobinBalancer balancer;
  std::vector<std::unique_ptr<ConnectionPool>> pools;  // one per endpoint
};

class ClusterManager {
 public:
  // Makes the connection pool of one endpoint; tests pass fakes.
  using PoolFactory =
      std::function<std::unique_ptr<ConnectionPool>(const config::ClusterConfig&, const config::EndpointConfig&)>;

  // With real keep-alive pools (HostPool) on `loop`.
  ClusterManager(uv_loop_t* loop, const config::ProxyConfig& config);
  ClusterManager(const config::ProxyConfig& config, const PoolFactory& make_pool);
  ClusterState& cluster(const config::ClusterConfig& config) { return *clusters_[config.index]; }
  void closeIdleConnections();

 private:
  std::vector<std::unique_ptr<ClusterState>> clusters_;
};

}  // namespace switchyard::upstream
