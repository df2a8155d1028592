// ClusterMembership: the hosts of one cluster as every worker should see
// them, shared by the control loop (which publishes) and the workers (which
// follow). Each publication is an immutable snapshot with a version number;
// a worker compares the atomic version before each host pick and takes the
// mutex only in the rare case that it changed (ClusterState::syncMembership).
//
// Publishing also updates the cluster's shared health (cluster_health.h),
// once for every worker: a slot without a member carries kDraining, so that
// healthy counts and the panic threshold cover members only; a slot that
// goes to another address starts over with a clean health record (no
// failed check, no ejection), for the old host's record says nothing about
// the new one.
//
// A STATIC cluster publishes its endpoints once, at construction, and never
// again; a STRICT_DNS cluster starts with every slot empty.
//
// Publishing also shows each slot's per-host series under the address that
// holds it, and hides those of empty slots (stats/cluster_metrics.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/upstream_health.h"

namespace switchyard::upstream {

struct MembershipSnapshot {
  uint64_t version = 0;
  // One per slot: the member's endpoint, or nullopt for a slot without one
  // (never used, or its host left).
  std::vector<std::optional<config::EndpointConfig>> slots;
};

class ClusterMembership {
 public:
  // `health` (sized by the cluster's host slots) and `outliers` (null
  // without outlier detection) must outlive the membership.
  ClusterMembership(const config::ClusterConfig& cluster, ClusterHealth& health, OutlierDetector* outliers);
  ClusterMembership(const ClusterMembership&) = delete;
  ClusterMembership& operator=(const ClusterMembership&) = delete;

  size_t slotCount() const { return slot_count_; }

  // Control loop: `slots` (slotCount() entries) becomes the next version,
  // after the shared health is updated for it (see above).
  void publish(std::vector<std::optional<config::EndpointConfig>> slots);

  // Workers: compare version() with the one they synced to; only when it
  // moved, take snapshot() (locks).
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const MembershipSnapshot> snapshot() const;

 private:
  // For publish(): marks the slots without a member and resets reused ones.
  void updateHealth(const std::vector<std::optional<config::EndpointConfig>>& slots);
  // For publish(): per-host series follow the slots that changed.
  void updateHostSeries(const std::vector<std::optional<config::EndpointConfig>>& slots);

  const size_t slot_count_;
  const stats::ClusterMetrics& metrics_;
  ClusterHealth& health_;
  OutlierDetector* const outliers_;
  // Each slot's last address ("" before its first): a slot that gets
  // another one is reused. Control loop only.
  std::vector<std::string> last_addresses_;
  // Each slot's address as its series show it ("" while hidden; nullopt
  // before the first publication, which binds or hides every slot since a
  // previous config may have shown another address there). Control loop only.
  std::vector<std::optional<std::string>> shown_addresses_;
  mutable std::mutex mutex_;
  std::shared_ptr<const MembershipSnapshot> current_;  // guarded by mutex_
  std::atomic<uint64_t> version_{0};
};

// Every cluster's membership, by ClusterConfig::index.
class ClusterMemberships {
 public:
  // `health` must outlive the memberships.
  ClusterMemberships(const config::ProxyConfig& config, UpstreamHealth& health);
  ClusterMembership& of(const config::ClusterConfig& cluster) { return *memberships_[cluster.index]; }
  const ClusterMembership& of(const config::ClusterConfig& cluster) const { return *memberships_[cluster.index]; }

 private:
  std::vector<std::unique_ptr<ClusterMembership>> memberships_;
};

}  // namespace switchyard::upstream
