// ClusterMembership: the hosts of one cluster as every worker should see
// them, shared by the control loop (which publishes) and the workers (which
// follow). Each publication is an immutable snapshot with a version number;
// a worker compares the atomic version before each host pick and takes the
// mutex only in the rare case that it changed (ClusterState::syncMembership).
//
// Also shared: one counter per slot of the requests in flight on it, summed
// over workers (each worker's HostSet adds to it), which discovery reads
// before it gives a draining slot to another address.
//
// A STATIC cluster publishes its endpoints once, at construction, and never
// again; a STRICT_DNS cluster starts with every slot empty.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "config/proxy_config.h"

namespace switchyard::upstream {

struct MembershipSnapshot {
  uint64_t version = 0;
  // One per slot: the member's endpoint, or nullopt for a slot without one
  // (never used, or its host left).
  std::vector<std::optional<config::EndpointConfig>> slots;
};

class ClusterMembership {
 public:
  explicit ClusterMembership(const config::ClusterConfig& cluster);
  ClusterMembership(const ClusterMembership&) = delete;
  ClusterMembership& operator=(const ClusterMembership&) = delete;

  size_t slotCount() const { return slot_count_; }

  // Control loop: `slots` (slotCount() entries) becomes the next version.
  void publish(std::vector<std::optional<config::EndpointConfig>> slots);

  // Workers: compare version() with the one they synced to; only when it
  // moved, take snapshot() (locks).
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const MembershipSnapshot> snapshot() const;

  // For each worker's HostSet to count into, and for discovery to read.
  std::atomic<uint32_t>* sharedActiveRequests() { return active_requests_.get(); }
  uint32_t activeRequests(size_t slot) const { return active_requests_[slot].load(std::memory_order_relaxed); }

 private:
  const size_t slot_count_;
  mutable std::mutex mutex_;
  std::shared_ptr<const MembershipSnapshot> current_;  // guarded by mutex_
  std::atomic<uint64_t> version_{0};
  std::unique_ptr<std::atomic<uint32_t>[]> active_requests_;
};

// Every cluster's membership, by ClusterConfig::index.
class ClusterMemberships {
 public:
  explicit ClusterMemberships(const config::ProxyConfig& config);
  ClusterMembership& of(const config::ClusterConfig& cluster) { return *memberships_[cluster.index]; }

 private:
  std::vector<std::unique_ptr<ClusterMembership>> memberships_;
};

}  // namespace switchyard::upstream
