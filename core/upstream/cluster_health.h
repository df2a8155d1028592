// ClusterHealth: the health of one cluster's hosts, shared by every worker.
// The health checker (control loop) and the outlier detector (any worker)
// write it; every worker's HostSet and balancers read it on the request
// path. Everything here is a lock-free atomic: writers take no lock and a
// pick never waits for one.
//
// One per cluster, owned by UpstreamHealth (upstream_health.h), which lives
// as long as the serving config and so outlives every worker. Indices match
// the cluster's host slots (a static cluster's endpoints; see
// cluster_membership.h, which marks the slots without a member kDraining).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace switchyard::upstream {

// Why a host takes no new requests. A host is healthy while none is set;
// the flags are independent, so clearing one leaves the others in force
// (an ejected host that also fails its active check stays out until both
// clear).
enum class HostHealthFlag : uint8_t {
  kFailedActiveCheck = 1 << 0,
  kEjectedByOutlierDetection = 1 << 1,
  kDraining = 1 << 2,  // the slot has no member (its host left, or it never had one)
};

// What the active health check last concluded about a host.
enum class ActiveCheckState : uint8_t {
  kNotChecked,  // no health check configured, or no probe finished yet
  kPassing,
  kFailing,
};

const char* activeCheckStateName(ActiveCheckState state);

// One host's shared state. Relaxed atomics: each field stands alone, and a
// reader that sees one of them a moment late only routes one request by
// slightly old news.
struct HostHealth {
  std::atomic<uint8_t> flags{0};  // HostHealthFlag bits; write through ClusterHealth
  std::atomic<ActiveCheckState> check_state{ActiveCheckState::kNotChecked};

  // Outlier detection (outlier_detector.h).
  std::atomic<uint32_t> consecutive_5xx{0};
  std::atomic<uint32_t> consecutive_gateway_failures{0};
  std::atomic<uint32_t> times_ejected{0};         // since start, for the admin API
  std::atomic<uint32_t> ejection_multiplier{0};  // the back-off: ejection time = base × this
  // monotonicNowMs() when the current ejection may end (a clock every
  // thread shares, unlike uv_now()); kNoDeadline while
  // the host is not ejected (or its ejection is still being recorded).
  std::atomic<uint64_t> ejected_until_ms{kNoDeadline};
  std::atomic<uint64_t> multiplier_changed_ms{0};
  static constexpr uint64_t kNoDeadline = UINT64_MAX;

  // Load, summed over every worker, for the admin API and for discovery,
  // which reuses a draining slot only once it has no request in flight
  // (least request keeps its own per-worker counts in HostSet).
  std::atomic<int64_t> active_requests{0};
  std::atomic<int64_t> active_connections{0};
};

class ClusterHealth {
 public:
  explicit ClusterHealth(size_t host_count);
  ClusterHealth(const ClusterHealth&) = delete;
  ClusterHealth& operator=(const ClusterHealth&) = delete;

  size_t size() const { return hosts_.size(); }
  HostHealth& host(size_t host) { return hosts_[host]; }
  const HostHealth& host(size_t host) const { return hosts_[host]; }

  // Both return whether this call changed the flag (false when it was
  // already set, or already clear): with several writers, exactly one wins.
  bool setFlag(size_t host, HostHealthFlag flag);
  bool clearFlag(size_t host, HostHealthFlag flag);
  bool hasFlag(size_t host, HostHealthFlag flag) const;
  uint8_t flags(size_t host) const { return hosts_[host].flags.load(std::memory_order_relaxed); }
  bool healthy(size_t host) const { return flags(host) == 0; }
  // Kept up to date by the flag setters, so that a balancer learns whether
  // it is in panic mode without a scan. Briefly out of step with the flags
  // while another thread is between its two updates.
  size_t healthyCount() const { return healthy_count_.load(std::memory_order_relaxed); }

 private:
  std::vector<HostHealth> hosts_;  // never resized: workers hold indices
  std::atomic<size_t> healthy_count_;
};

}  // namespace switchyard::upstream
