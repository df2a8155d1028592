#include "upstream/cluster_manager.h"

#include "upstream/host_pool.h"

namespace switchyard::upstream {

namespace {
// Response heads from upstreams get the same default bound as request heads.
constexpr size_t kMaxResponseHeadersBytes = 60 * 1024;
}  // namespace

ClusterState::ClusterState(const config::ClusterConfig& cluster, const UpstreamHealth& health,
                           ClusterMembership& membership, PoolFactory make_pool, std::mt19937_64 random)
    : config(&cluster),
      hosts(health.cluster(cluster.index), cluster.healthy_panic_threshold_percent),
      balancer(makeLoadBalancer(cluster, hosts, random)),
      pools(membership.slotCount()),
      outlier_detector(health.outlierDetector(cluster.index)),
      membership_(membership),
      make_pool_(std::move(make_pool)),
      pool_endpoints_(membership.slotCount()) {
  syncMembership();
}

void ClusterState::syncMembership() {
  if (membership_.version() == synced_version_) return;
  std::shared_ptr<const MembershipSnapshot> snapshot = membership_.snapshot();
  for (size_t slot = 0; slot < pools.size(); ++slot) syncSlot(slot, snapshot->slots[slot]);
  synced_version_ = snapshot->version;
}

void ClusterState::syncSlot(size_t slot, const std::optional<config::EndpointConfig>& member) {
  if (!member) {
    if (!hosts.isMember(slot)) return;
    hosts.removeHost(slot);
    pools[slot]->setDraining(true);
    return;
  }
  bool same_address = pools[slot] != nullptr && pool_endpoints_[slot]->text == member->text;
  if (same_address) {
    if (hosts.isMember(slot) && hosts.weight(slot) == member->weight) return;
    if (!hosts.isMember(slot)) pools[slot]->setDraining(false);  // back before its slot was reused
  } else {
    // Discovery gives a slot another address only once no worker has a
    // request in flight there (host_slots.h), so the old pool holds at most
    // idle connections, which its destructor closes.
    pools[slot].reset();
    pool_endpoints_[slot] = std::make_unique<const config::EndpointConfig>(*member);
    pools[slot] = make_pool_(*config, slot, *pool_endpoints_[slot]);
  }
  hosts.addHost(slot, *member);
}

void ClusterState::closeIdleConnections() {
  for (auto& pool : pools) {
    if (pool) pool->closeIdle();
  }
}

ClusterManager::ClusterManager(uv_loop_t* loop, const config::ProxyConfig& config, const UpstreamHealth& health,
                               ClusterMemberships& memberships)
    : ClusterManager(config, health, memberships,
                     [loop, &health](const config::ClusterConfig& cluster, size_t slot,
                                     const config::EndpointConfig& endpoint) {
                       return std::make_unique<HostPool>(loop, cluster, endpoint,
                                                         health.cluster(cluster.index)->host(slot),
                                                         kMaxResponseHeadersBytes);
                     }) {}

ClusterManager::ClusterManager(const config::ProxyConfig& config, const UpstreamHealth& health,
                               ClusterMemberships& memberships,
                               const PoolFactory& make_pool) {
  // Every worker and cluster draws its own sequence: workers that started
  // together must not all send their first random picks to the same host.
  std::random_device seed_source;
  for (const auto& cluster : config.clusters) {
    clusters_.push_back(std::make_unique<ClusterState>(*cluster, health, memberships.of(*cluster), make_pool,
                                                       std::mt19937_64(seed_source())));
  }
}

void ClusterManager::closeIdleConnections() {
  for (auto& cluster : clusters_) cluster->closeIdleConnections();
}

}  // namespace switchyard::upstream
