#include "upstream/cluster_manager.h"

namespace switchyard::upstream {

namespace {
// Response heads from upstreams get the same default bound as request heads.
constexpr size_t kMaxResponseHeadersBytes = 60 * 1024;
}  // namespace

ClusterState::ClusterState(uv_loop_t* loop, const server::ClusterConfig& cluster, std::mt19937_64 random)
    : config(&cluster),
      hosts(cluster.endpoints),
      balancer(makeLoadBalancer(cluster.lb_policy, hosts, random)) {
  for (const auto& endpoint : cluster.endpoints) {
    pools.push_back(std::make_unique<HostPool>(loop, cluster, endpoint, kMaxResponseHeadersBytes));
  }
}

ClusterManager::ClusterManager(uv_loop_t* loop, const server::ProxyConfig& config) {
  // Every worker and cluster draws its own sequence: workers that started
  // together must not all send their first random picks to the same host.
  std::random_device seed_source;
  for (const auto& cluster : config.clusters) {
    clusters_.push_back(std::make_unique<ClusterState>(loop, *cluster, std::mt19937_64(seed_source())));
  }
}

void ClusterManager::closeIdleConnections() {
  for (auto& cluster : clusters_) {
    for (auto& pool : cluster->pools) pool->closeIdle();
  }
}

}  // namespace switchyard::upstream
