#include "upstream/cluster_manager.h"

#include "upstream/host_pool.h"

namespace switchyard::upstream {

namespace {
// Response heads from upstreams get the same default bound as request heads.
constexpr size_t kMaxResponseHeadersBytes = 60 * 1024;
}  // namespace

ClusterState::ClusterState(const config::ClusterConfig& cluster, std::mt19937_64 random)
    : config(&cluster), hosts(cluster.endpoints), balancer(makeLoadBalancer(cluster, hosts, random)) {}

ClusterManager::ClusterManager(uv_loop_t* loop, const config::ProxyConfig& config)
    : ClusterManager(config, [loop](const config::ClusterConfig& cluster, const config::EndpointConfig& endpoint) {
        return std::make_unique<HostPool>(loop, cluster, endpoint, kMaxResponseHeadersBytes);
      }) {}

ClusterManager::ClusterManager(const config::ProxyConfig& config, const PoolFactory& make_pool) {
  // Every worker and cluster draws its own sequence: workers that started
  // together must not all send their first random picks to the same host.
  std::random_device seed_source;
  for (const auto& cluster : config.clusters) {
    auto state = std::make_unique<ClusterState>(*cluster, std::mt19937_64(seed_source()));
    for (const auto& endpoint : cluster->endpoints) state->pools.push_back(make_pool(*cluster, endpoint));
    clusters_.push_back(std::move(state));
  }
}

void ClusterManager::closeIdleConnections() {
  for (auto& cluster : clusters_) {
    for (auto& pool : cluster->pools) pool->closeIdle();
  }
}

}  // namespace switchyard::upstream
