#include "upstream/cluster_membership.h"

#include "common/uv_util.h"

namespace switchyard::upstream {

ClusterMembership::ClusterMembership(const config::ClusterConfig& cluster, ClusterHealth& health,
                                     OutlierDetector* outliers)
    : slot_count_(cluster.host_slots),
      metrics_(*cluster.metrics),
      health_(health),
      outliers_(outliers),
      last_addresses_(slot_count_),
      shown_addresses_(slot_count_) {
  metrics_.hideHostsFrom(slot_count_);
  std::vector<std::optional<config::EndpointConfig>> slots(slot_count_);
  if (cluster.type == config::Cluster::STATIC) {
    for (size_t i = 0; i < cluster.endpoints.size(); ++i) slots[i] = cluster.endpoints[i];
  }
  publish(std::move(slots));
}

void ClusterMembership::updateHealth(const std::vector<std::optional<config::EndpointConfig>>& slots) {
  for (size_t slot = 0; slot < slot_count_; ++slot) {
    if (!slots[slot]) {
      health_.setFlag(slot, HostHealthFlag::kDraining);
      continue;
    }
    if (slots[slot]->text != last_addresses_[slot]) {
      // Another host (or the first one) in this slot. Discovery reuses a
      // slot only once no request is in flight there (host_slots.h), so no
      // worker reports on the old host any more.
      if (outliers_ != nullptr) outliers_->forgetHost(slot, monotonicNowMs());
      health_.clearFlag(slot, HostHealthFlag::kFailedActiveCheck);
      health_.host(slot).check_state.store(ActiveCheckState::kNotChecked, std::memory_order_relaxed);
      last_addresses_[slot] = slots[slot]->text;
    }
    health_.clearFlag(slot, HostHealthFlag::kDraining);
  }
}

void ClusterMembership::updateHostSeries(const std::vector<std::optional<config::EndpointConfig>>& slots) {
  for (size_t slot = 0; slot < slot_count_; ++slot) {
    const std::string& address = slots[slot] ? slots[slot]->text : std::string();
    if (address == shown_addresses_[slot]) continue;
    if (address.empty()) {
      metrics_.unbindHost(slot);
    } else {
      metrics_.bindHost(slot, address);
    }
    shown_addresses_[slot] = address;
  }
}

void ClusterMembership::publish(std::vector<std::optional<config::EndpointConfig>> slots) {
  updateHealth(slots);
  updateHostSeries(slots);
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

ClusterMemberships::ClusterMemberships(const config::ProxyConfig& config, UpstreamHealth& health) {
  for (const auto& cluster : config.clusters) {
    memberships_.push_back(std::make_unique<ClusterMembership>(*cluster, *health.cluster(cluster->index),
                                                               health.outlierDetector(cluster->index)));
  }
}

}  // namespace switchyard::upstream
