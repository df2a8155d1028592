#include "upstream/cluster_membership.h"

namespace switchyard::upstream {

ClusterMembership::ClusterMembership(const config::ClusterConfig& cluster)
    : slot_count_(cluster.host_slots), active_requests_(std::make_unique<std::atomic<uint32_t>[]>(slot_count_)) {
  std::vector<std::optional<config::EndpointConfig>> slots(slot_count_);
  if (cluster.type == config::Cluster::STATIC) {
    for (size_t i = 0; i < cluster.endpoints.size(); ++i) slots[i] = cluster.endpoints[i];
  }
  publish(std::move(slots));
}

void ClusterMembership::publish(std::vector<std::optional<config::EndpointConfig>> slots) {
  auto next = std::make_shared<MembershipSnapshot>();
  next->slots = std::move(slots);
  std::lock_guard lock(mutex_);
  next->version = version_.load(std::memory_order_relaxed) + 1;
  current_ = std::move(next);
  // After the snapshot: a worker that sees the new version finds it.
  version_.store(current_->version, std::memory_order_release);
}

std::shared_ptr<const MembershipSnapshot> ClusterMembership::snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

ClusterMemberships::ClusterMemberships(const config::ProxyConfig& config) {
  for (const auto& cluster : config.clusters) memberships_.push_back(std::make_unique<ClusterMembership>(*cluster));
}

}  // namespace switchyard::upstream
