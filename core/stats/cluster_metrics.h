// ClusterMetrics: one cluster's series — "cluster.<name>.*" in /stats,
// switchyard_cluster_* {cluster="<name>"} for Prometheus — and, per host,
// "cluster.<name>.host.<ip:port>.*" {cluster, host}.
//
// Defined when the cluster's config is compiled (ids resolved once, found
// again by name after a reload) and recorded by the router and the upstream
// layer on the request path, and by health checks on the control loop.
//
// Per-host series are defined per host slot (upstream/host_slots.h), not per
// address: a cluster has a fixed number of slots, so DNS churn reuses the
// same bounded set of series. A slot's series are shown under the address
// that holds it (bindHost), start from zero when another address takes the
// slot, and are hidden while the slot is empty (unbindHost). The cluster's
// membership (upstream/cluster_membership.h) binds them once its config
// serves.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "stats/metric_registry.h"

namespace switchyard::stats {

// How one upstream attempt ended, as far as stats tell them apart.
enum class AttemptEnd : uint8_t { kResponse, kConnectFailure, kReset, kTimeout, kCancelled };

class ClusterMetrics {
 public:
  ClusterMetrics(MetricRegistry& registry, const std::string& cluster, size_t host_slots);

  // Request path, any worker. `host_slot` is the host's index in the cluster.
  void attemptStarted(size_t host_slot, bool retry, bool hedged) const;
  void attemptEnded(size_t host_slot, AttemptEnd end, int status, uint64_t duration_us) const;
  void connectionOpened() const { registry_.record(cx_total_, 1); }
  void connectFailed() const { registry_.record(cx_connect_fail_, 1); }
  void connectionReused() const { registry_.record(cx_reused_, 1); }
  // A request that ended overflowed (flag UO) or timed out (flag UT).
  void requestOverflowed() const { registry_.record(rq_pending_overflow_, 1); }
  void requestTimedOut() const { registry_.record(rq_timeout_, 1); }
  void hostEjected() const { registry_.record(ejections_enforced_, 1); }
  // Control loop.
  void healthChecked(bool passed) const;
  void bindHost(size_t host_slot, const std::string& address) const;
  void unbindHost(size_t host_slot) const;
  // Hides the series of the slots that an earlier config of this cluster
  // had from `host_slots` on (a reload that lowered max_hosts).
  void hideHostsFrom(size_t host_slots) const;

 private:
  // A host slot's series, in the order hostNames() names them.
  enum HostSeries : size_t { kHostRqTotal, kHostRqClass1xx, kHostCxConnectFail = kHostRqClass1xx + 5,
                             kHostRqPerTryTimeout, kHostSeriesCount };
  using HostIds = std::array<uint32_t, kHostSeriesCount>;
  // A slot's series as shown while `address` holds it; with no address,
  // under the slot's index, which is the series' identity.
  std::vector<MetricName> hostNames(size_t host_slot, const std::string& address) const;

  MetricRegistry& registry_;
  const std::string name_;
  uint32_t rq_total_, rq_by_class_[5], rq_retry_, rq_hedge_, rq_per_try_timeout_, rq_timeout_;
  uint32_t rq_rx_reset_, rq_cancelled_, rq_pending_overflow_, rq_time_;
  uint32_t cx_total_, cx_connect_fail_, cx_reused_;
  uint32_t ejections_enforced_, health_check_attempt_, health_check_success_, health_check_failure_;
  std::vector<HostIds> hosts_;
};

}  // namespace switchyard::stats
