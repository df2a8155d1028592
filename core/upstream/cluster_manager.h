// ClusterManager: one worker's view of every cluster — its hosts, a load
// balancer over them, and a connection pool per host. Built from the shared
// ProxyConfig, the UpstreamHealth and each cluster's shared membership
// (cluster_membership.h); apart from the health every worker shares
// (atomics), the state inside is the worker's alone, so nothing here is
// locked except the rare membership sync.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/cluster_membership.h"
#include "upstream/connection_pool.h"
#include "upstream/host_set.h"
#include "upstream/load_balancer.h"
#include "upstream/upstream_health.h"

namespace switchyard::upstream {

// Makes the connection pool of the endpoint that holds host slot `slot`;
// tests pass fakes. The pool may keep a reference to the endpoint: it
// outlives the pool.
using PoolFactory = std::function<std::unique_ptr<ConnectionPool>(const config::ClusterConfig&, size_t slot,
                                                                  const config::EndpointConfig&)>;

struct ClusterState {
  // `random` becomes the balancer's own generator. `health` must outlive
  // the state. Syncs with `membership` at once.
  ClusterState(const config::ClusterConfig& config, const UpstreamHealth& health, ClusterMembership& membership,
               PoolFactory make_pool, std::mt19937_64 random);
  // The balancer keeps a reference to `hosts`.
  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  // Follows the membership's latest version, when it moved (one atomic load
  // otherwise): a new host gets a pool (a new one, or its old one back if it
  // was draining), a host that left drains (see HostSet::removeHost and
  // ConnectionPool::setDraining). Call before each host pick.
  void syncMembership();
  void closeIdleConnections();

  const config::ClusterConfig* config;
  HostSet hosts;
  std::unique_ptr<LoadBalancer> balancer;  // by config->lb_policy, over `hosts`
  // One per host slot, same index; null for a slot that never had a host.
  std::vector<std::unique_ptr<ConnectionPool>> pools;
  OutlierDetector* outlier_detector;  // shared; null without outlier_detection

 private:
  void syncSlot(size_t slot, const std::optional<config::EndpointConfig>& member);

  ClusterMembership& membership_;
  PoolFactory make_pool_;
  uint64_t synced_version_ = 0;
  // What each pool connects to, owned here because pools keep a reference.
  std::vector<std::unique_ptr<const config::EndpointConfig>> pool_endpoints_;
};

class ClusterManager {
 public:
  using PoolFactory = upstream::PoolFactory;

  // With real keep-alive pools (HostPool) on `loop`. `health` and
  // `memberships` must outlive the manager.
  ClusterManager(uv_loop_t* loop, const config::ProxyConfig& config, const UpstreamHealth& health,
                 ClusterMemberships& memberships);
  ClusterManager(const config::ProxyConfig& config, const UpstreamHealth& health, ClusterMemberships& memberships,
                 const PoolFactory& make_pool);
  ClusterState& cluster(const config::ClusterConfig& config) { return *clusters_[config.index]; }
  void closeIdleConnections();

 private:
  std::vector<std::unique_ptr<ClusterState>> clusters_;
};

}  // namespace switchyard::upstream
