// HostSet: one worker's view of one cluster's hosts — each host's endpoint
// (address and weight), its health flags, and how many requests this worker
// has in flight on it. Health checks, outlier detection and service
// discovery write here; load balancers only read. Indices are stable and
// match the cluster's endpoints (and its per-endpoint pools).
//
// Owned by the worker's ClusterState; not thread-safe, like everything else
// a worker owns.
#pragma once

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
  void onRequestStarted(size_t host) { ++hosts_[host].active_requests; }
  void onRequestFinished(size_t host) { --hosts_[host].active_requests; }
  uint32_t activeRequests(size_t host) const { return hosts_[host].active_requests; }

 private:
  struct Host {
    config::EndpointConfig endpoint;
    uint8_t health_flags = 0;  // HostHealthFlag bits
    uint32_t active_requests = 0;
  };

  void setHealthFlags(size_t host, uint8_t flags);

  std::vector<Host> hosts_;
  size_t healthy_count_ = 0;
};

}  // namespace switchyard::upstream
