#include "upstream/cluster_manager.h"

namespace switchyard::upstream {

namespace {
// Response heads from upstreams get the same default bound as request heads.
constexpr size_t kMaxResponseHeadersBytes = 60 * 1024;
}  // namespace

ClusterManager::ClusterManager(uv_loop_t* loop, const config::ProxyConfig& config)
    : ClusterManager(config, [loop](const config::ClusterConfig& cluster, const config::EndpointConfig& endpoint) {
        return std::make_unique<HostPool>(loop, cluster, endpoint, kMaxResponseHeadersBytes);
      }) {}

ClusterManager::ClusterManager(const config::ProxyConfig& config, const PoolFactory& make_pool) {
  for (const auto& cluster : config.clusters) {
    std::vector<uint32_t> weights;
    for (const auto& endpoint : cluster->endpoints) weights.push_back(endpoint.weight);
    auto state = std::make_unique<ClusterState>(ClusterState{cluster.get(), RoundRobinBalancer(weights), {}});
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
