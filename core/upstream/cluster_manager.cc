#include "upstream/cluster_manager.h"

#include "upstream/host_pool.h"

namespace switchyard::upstream {

namespace {
// Response heads from upstreams get the same default bound as request heads.
constexpr size_t kMaxResponseHeadersBytes = 60 * 1024;
}  // namespace

ClusterState::ClusterState(const config::ClusterConfig& cluster, const UpstreamHealth& health,
                           std::mt19937_64 random)
    : config(&cluster),
      hosts(cluster.endpoints, health.cluster(cluster.index), cluster.healthy_panic_threshold_percent),
      balancer(makeLoadBalancer(cluster, hosts, random)),
      outlier_detector(health.outlierDetector(cluster.index)) {}

ClusterManager::ClusterManager(uv_loop_t* loop, const config::ProxyConfig& config, const UpstreamHealth& health)
    : ClusterManager(config, health, [loop, &health](const config::ClusterConfig& cluster, size_t host) {
        return std::make_unique<HostPool>(loop, cluster, cluster.endpoints[host],
                                          health.cluster(cluster.index)->host(host), kMaxResponseHeadersBytes);
      }) {}

ClusterManager::ClusterManager(const config::ProxyConfig& config, const UpstreamHealth& health,
                               const PoolFactory& make_pool) {
  // Every worker and cluster draws its own sequence: workers that started
  // together must not all send their first random picks to the same host.
  std::random_device seed_source;
  for (const auto& cluster : config.clusters) {
    auto state = std::make_unique<ClusterState>(*cluster, health, std::mt19937_64(seed_source()));
    for (size_t host = 0; host < cluster->endpoints.size(); ++host) state->pools.push_back(make_pool(*cluster, host));
    clusters_.push_back(std::move(state));
  }
}

void ClusterManager::closeIdleConnections() {
  for (auto& cluster : clusters_) {
    for (auto& pool : cluster->pools) pool->closeIdle();
  }
}

}  // namespace switchyard::upstream
