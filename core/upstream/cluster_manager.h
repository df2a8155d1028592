// ClusterManager: one worker's view of every cluster — its hosts, a load
// balancer over them, and a connection pool per host. Built from the shared
// ProxyConfig; the state inside is the worker's alone, so nothing here is
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

namespace switchyard::upstream {

struct ClusterState {
  // `random` becomes the balancer's own generator.
  ClusterState(const config::ClusterConfig& config, std::mt19937_64 random);
  // The balancer keeps a reference to `hosts`.
  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  const config::ClusterConfig* config;
  HostSet hosts;
  std::unique_ptr<LoadBalancer> balancer;              // by config->lb_policy, over `hosts`
  std::vector<std::unique_ptr<ConnectionPool>> pools;  // one per host, same index
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
