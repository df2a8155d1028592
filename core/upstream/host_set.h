// HostSet: one worker's view of one cluster's hosts — which host slots have
// a member and each member's endpoint (address and weight), its health (read
// from the cluster's shared ClusterHealth, which health checks, outlier
// detection and membership changes write), the cluster's panic threshold,
// and how many requests this worker has in flight on each host. Load
// balancers only read it. Indices are stable and match the cluster's host
// slots (and the per-slot pools): a static cluster's endpoints, or the slots
// a discovered cluster's hosts come and go in (upstream/host_slots.h). A
// slot without a member takes no requests, not even in panic mode.
//
// Owned by the worker's ClusterState. Apart from the shared health, which
// is atomic, it is not thread-safe, like everything else a worker owns.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/cluster_health.h"

namespace switchyard::upstream {

class HostSet {
 public:
  // Every endpoint a member, in the slot of its index. `health` holds one
  // entry per slot, as do the other constructor's.
  HostSet(const std::vector<config::EndpointConfig>& endpoints, std::shared_ptr<ClusterHealth> health,
          double healthy_panic_threshold_percent);
  // `health->size()` slots without members, for the membership to fill
  // (ClusterState::syncMembership).
  HostSet(std::shared_ptr<ClusterHealth> health, double healthy_panic_threshold_percent);

  size_t size() const { return hosts_.size(); }
  const config::EndpointConfig& endpoint(size_t host) const { return hosts_[host].endpoint; }
  uint32_t weight(size_t host) const { return hosts_[host].endpoint.weight; }

  void setHealthFlag(size_t host, HostHealthFlag flag) { health_->setFlag(host, flag); }
  void clearHealthFlag(size_t host, HostHealthFlag flag) { health_->clearFlag(host, flag); }
  bool hasHealthFlag(size_t host, HostHealthFlag flag) const { return health_->hasFlag(host, flag); }
  bool healthy(size_t host) const { return health_->healthy(host); }
  // Healthy members. A slot without a member carries kDraining (see
  // ClusterMembership::publish), so the shared count holds members only;
  // capped by this worker's members for the instant between a publication
  // and this worker's sync.
  size_t healthyCount() const { return std::min(health_->healthyCount(), member_count_); }
  // Below this percent of healthy members, balancers use every member (see
  // host_candidates.h).
  double healthyPanicThresholdPercent() const { return healthy_panic_threshold_percent_; }

  // Requests this worker has sent to a host and not yet finished with,
  // from the attempt's start to its release: what least-request compares.
  // Also counted, over every worker, in the shared health: the admin API
  // shows it, and discovery reuses a draining slot only once it is zero.
  void onRequestStarted(size_t host);
  void onRequestFinished(size_t host);
  uint32_t activeRequests(size_t host) const { return hosts_[host].active_requests; }

  // Membership (service discovery), this worker's view of it. addHost makes
  // `endpoint` the slot's member; removeHost drops the member: requests in
  // flight on it finish, new ones never go there. The shared health flags
  // (kDraining, and the reset of a reused slot) are the publisher's to set.
  void addHost(size_t slot, const config::EndpointConfig& endpoint);
  void removeHost(size_t slot);
  bool isMember(size_t host) const { return hosts_[host].member; }
  size_t memberCount() const { return member_count_; }
  // Changes with every addHost and removeHost: balancers that keep state
  // per host compare it to know when to start over.
  uint64_t membershipGeneration() const { return membership_generation_; }

 private:
  struct Host {
    config::EndpointConfig endpoint;
    uint32_t active_requests = 0;
    bool member = false;
  };

  std::vector<Host> hosts_;
  std::shared_ptr<ClusterHealth> health_;
  const double healthy_panic_threshold_percent_;
  size_t member_count_ = 0;
  uint64_t membership_generation_ = 0;
};

}  // namespace switchyard::upstream
