// OutlierDetector: passive health checking of one cluster (its config is
// Cluster.outlier_detection; the rules are documented there). Every worker
// reports each attempt's result; a host whose failures in a row reach a
// threshold is ejected — flagged in the shared ClusterHealth, so that every
// worker's balancer skips it — for base_ejection_time × the number of times
// it was ejected, capped at max_ejection_time. The control loop's sweep()
// brings hosts back when their time is up.
//
// Shared by every worker: counting and ejecting use atomics only (no lock
// on the request path). Times are monotonicNowMs() values, passed in so that
// tests control the clock.
#pragma once

#include <switchyard/filter.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/uv_util.h"
#include "config/proxy_config.h"
#include "upstream/cluster_health.h"

namespace switchyard::upstream {

class OutlierDetector {
 public:
  // `health` must outlive the detector.
  OutlierDetector(const config::OutlierDetectionConfig& config, ClusterHealth& health);

  // From any worker, once per attempt that ended: its outcome and, for a
  // response, its status. Cancelled attempts say nothing about the host.
  // True when this attempt got the host ejected (for the cluster's stats).
  bool recordAttempt(size_t host, sy_attempt_outcome outcome, int status) {
    return recordAttempt(host, outcome, status, monotonicNowMs());
  }
  bool recordAttempt(size_t host, sy_attempt_outcome outcome, int status, uint64_t now_ms);

  // From the control loop, every sweepIntervalMs(): ends the ejections
  // whose time is up (unless they wait for a passing active check), and
  // lowers the back-off of hosts that stayed in rotation a
  // base_ejection_time since it last changed.
  void sweep(uint64_t now_ms);
  // From the control loop after a passing active probe of `host`: with
  // require_check_to_return, ends its ejection if its time is up.
  void onActiveCheckPassed(size_t host, uint64_t now_ms);

  // From the control loop when `host`'s slot goes to another address
  // (service discovery): the new host starts with a clean record — not
  // ejected, no failures counted, no back-off.
  void forgetHost(size_t host, uint64_t now_ms);

  // How often sweep() must run: a tenth of base_ejection_time, within
  // 10 ms-1 s, so a host returns at most that late.
  uint64_t sweepIntervalMs() const;
  // max_ejection_percent of the member hosts, rounded down, but at least one.
  size_t maxEjectedHosts() const;
  size_t ejectedHosts() const { return ejected_hosts_.load(std::memory_order_relaxed); }
  const config::OutlierDetectionConfig& config() const { return config_; }

 private:
  // False when the host is already out or the max_ejection_percent cap is full.
  bool eject(size_t host, uint64_t now_ms);
  void endEjection(size_t host, uint64_t now_ms);

  const config::OutlierDetectionConfig config_;
  ClusterHealth& health_;
  std::atomic<size_t> ejected_hosts_{0};
};

}  // namespace switchyard::upstream
