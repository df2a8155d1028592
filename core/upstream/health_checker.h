// HealthChecker: the active health check of one cluster (its config is
// Cluster.health_check). Every interval (plus jitter) it probes each member
// host, at the address its slot holds in the latest membership (so a
// discovered cluster's checks follow its hosts; an empty slot is skipped,
// and a slot that goes to another address starts its verdict over) —
// an HTTP GET on a fresh connection, or a bare TCP connect — and feeds the
// result to the host's HealthCheckState; a change of verdict sets or
// clears kFailedActiveCheck in the shared ClusterHealth, which every
// worker's balancer reads. A passing probe also tells the outlier detector
// (require_check_to_return).
//
// Runs on the control loop only; a probe never touches a worker, so checks
// cannot slow request traffic. The first probes go out at once (spread by
// the jitter). Destroying it closes every handle and abandons probes in
// flight.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/cluster_health.h"
#include "upstream/cluster_membership.h"
#include "upstream/outlier_detector.h"

namespace switchyard::upstream {

class HealthChecker {
 public:
  // `cluster` must have a health_check; it, `health`, `membership` and
  // `outliers` (null without outlier detection) must outlive the checker.
  HealthChecker(uv_loop_t* loop, const config::ClusterConfig& cluster, ClusterHealth& health,
                const ClusterMembership& membership, OutlierDetector* outliers, uint64_t seed);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

 private:
  class HostProbe;
  std::mt19937_64 random_;  // the jitter of every probe
  std::vector<std::unique_ptr<HostProbe>> probes_;  // one per host slot, same index
};

}  // namespace switchyard::upstream
