// HostSet: one worker's view of one cluster's hosts — each host's endpoint
// (address and weight), its health flags, and how many requests this worker
// has in flight on it. Health checks, outlier detection and service
// discovery write here; load balancers only read. Indices are stable and
// match the cluster's host slots (and the per-slot pools): a static
// cluster's endpoints, or the slots a discovered cluster's hosts come and go
// in (upstream/host_slots.h). A slot without a member takes no requests,
// not even in panic mode.
//
// Owned by the worker's ClusterState; not thread-safe, like everything else
// a worker owns.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "config/proxy_config.h"

namespace switchyard::upstream {

// Why a host takes no new requests. A host is healthy while none is set;
// the flags are independent, so clearing one leaves the others in force
// (an ejected host that also fails its active check stays out until both
// clear).
enum class HostHealthFlag : uint8_t {
  kFailedActiveCheck = 1 << 0,
  kEjectedByOutlierDetection = 1 << 1,
  kDraining = 1 << 2,
};

class HostSet {
 public:
  // Copies the endpoints: discovery will change hosts without new config.
  explicit HostSet(const std::vector<config::EndpointConfig>& endpoints);
  // `slot_count` slots without members, for discovery to fill. Requests
  // are also counted in `shared_active_requests` (one counter per slot,
  // summed over workers) when given: discovery reuses a slot only once no
  // worker has a request on it.
  HostSet(size_t slot_count, std::atomic<uint32_t>* shared_active_requests);

  size_t size() const { return hosts_.size(); }
  const config::EndpointConfig& endpoint(size_t host) const { return hosts_[host].endpoint; }
  uint32_t weight(size_t host) const { return hosts_[host].endpoint.weight; }

  void setHealthFlag(size_t host, HostHealthFlag flag);
  void clearHealthFlag(size_t host, HostHealthFlag flag);
  bool hasHealthFlag(size_t host, HostHealthFlag flag) const;
  bool healthy(size_t host) const { return hosts_[host].health_flags == 0; }
  // Kept up to date by the flag setters, so that a balancer learns whether
  // it must fall back to every host (panic) without a scan.
  size_t healthyCount() const { return healthy_count_; }

  // Requests this worker has sent to a host and not yet finished with,
  // from the attempt's start to its release: what least-request compares.
  void onRequestStarted(size_t host) {
    ++hosts_[host].active_requests;
    if (shared_active_requests_ != nullptr) shared_active_requests_[host].fetch_add(1, std::memory_order_relaxed);
  }
  void onRequestFinished(size_t host) {
    --hosts_[host].active_requests;
    if (shared_active_requests_ != nullptr) shared_active_requests_[host].fetch_sub(1, std::memory_order_relaxed);
  }
  uint32_t activeRequests(size_t host) const { return hosts_[host].active_requests; }

  // Membership (service discovery). addHost makes `endpoint` the slot's
  // member and clears kDraining; removeHost sets kDraining and drops the
  // member: requests in flight on it finish, new ones never go there.
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
    uint8_t health_flags = 0;  // HostHealthFlag bits
    uint32_t active_requests = 0;
    bool member = true;
  };

  void setHealthFlags(size_t host, uint8_t flags);

  std::vector<Host> hosts_;
  size_t healthy_count_ = 0;
  size_t member_count_ = 0;
  uint64_t membership_generation_ = 0;
  std::atomic<uint32_t>* shared_active_requests_ = nullptr;
};

}  // namespace switchyard::upstream
