#include "upstream/outlier_detector.h"

#include <algorithm>

namespace switchyard::upstream {

namespace {

constexpr uint64_t kMinSweepIntervalMs = 10;
constexpr uint64_t kMaxSweepIntervalMs = 1'000;

bool isGatewayFailureStatus(int status) { return status == 502 || status == 503 || status == 504; }

// Adds one to a run of failures; true when the run reached `threshold`
// (0: the rule is off).
bool extendRun(std::atomic<uint32_t>& run, uint32_t threshold) {
  uint32_t length = run.fetch_add(1, std::memory_order_relaxed) + 1;
  return threshold > 0 && length >= threshold;
}

}  // namespace

OutlierDetector::OutlierDetector(const config::OutlierDetectionConfig& config, ClusterHealth& health)
    : config_(config), health_(health) {}

bool OutlierDetector::recordAttempt(size_t host, sy_attempt_outcome outcome, int status, uint64_t now_ms) {
  HostHealth& state = health_.host(host);
  bool reached = false;
  switch (outcome) {
    case SY_ATTEMPT_RESPONSE:
      if (status < 500) {
        state.consecutive_5xx.store(0, std::memory_order_relaxed);
        state.consecutive_gateway_failures.store(0, std::memory_order_relaxed);
        return false;
      }
      reached = extendRun(state.consecutive_5xx, config_.consecutive_5xx);
      if (isGatewayFailureStatus(status)) {
        reached = extendRun(state.consecutive_gateway_failures, config_.consecutive_gateway_failure) || reached;
      } else {
        state.consecutive_gateway_failures.store(0, std::memory_order_relaxed);
      }
      break;
    case SY_ATTEMPT_CONNECT_FAILURE:
    case SY_ATTEMPT_RESET_BEFORE_HEADERS:
    case SY_ATTEMPT_RESET_AFTER_HEADERS:
    case SY_ATTEMPT_TIMED_OUT:
      // The proxy's own 503/504 for these counts as a 5xx of the host too.
      reached = extendRun(state.consecutive_5xx, config_.consecutive_5xx);
      reached = extendRun(state.consecutive_gateway_failures, config_.consecutive_gateway_failure) || reached;
      break;
    default:  // cancelled: says nothing about the host
      return false;
  }
  return reached && eject(host, now_ms);
}

bool OutlierDetector::eject(size_t host, uint64_t now_ms) {
  // Reserve a place under the cap first, so that workers ejecting at once
  // can never pass it together.
  size_t ejected = ejected_hosts_.load();
  do {
    if (ejected >= maxEjectedHosts()) return false;
  } while (!ejected_hosts_.compare_exchange_weak(ejected, ejected + 1));
  if (!health_.setFlag(host, HostHealthFlag::kEjectedByOutlierDetection)) {
    ejected_hosts_.fetch_sub(1);  // another worker ejected it first
    return false;
  }
  // Until the deadline below is stored, the host's deadline is kNoDeadline,
  // so a sweep in between cannot end this ejection early.
  HostHealth& state = health_.host(host);
  uint32_t multiplier = state.ejection_multiplier.fetch_add(1) + 1;
  state.multiplier_changed_ms.store(now_ms);
  state.ejected_until_ms.store(now_ms + std::min(config_.base_ejection_ms * multiplier, config_.max_ejection_ms));
  state.times_ejected.fetch_add(1, std::memory_order_relaxed);
  state.consecutive_5xx.store(0, std::memory_order_relaxed);
  state.consecutive_gateway_failures.store(0, std::memory_order_relaxed);
  return true;
}

void OutlierDetector::endEjection(size_t host, uint64_t now_ms) {
  HostHealth& state = health_.host(host);
  state.ejected_until_ms.store(HostHealth::kNoDeadline);
  state.multiplier_changed_ms.store(now_ms);
  if (health_.clearFlag(host, HostHealthFlag::kEjectedByOutlierDetection)) ejected_hosts_.fetch_sub(1);
}

void OutlierDetector::sweep(uint64_t now_ms) {
  for (size_t host = 0; host < health_.size(); ++host) {
    HostHealth& state = health_.host(host);
    if (health_.hasFlag(host, HostHealthFlag::kEjectedByOutlierDetection)) {
      uint64_t until = state.ejected_until_ms.load();
      if (until != HostHealth::kNoDeadline && now_ms >= until && !config_.require_check_to_return) {
        endEjection(host, now_ms);
      }
      continue;
    }
    uint32_t multiplier = state.ejection_multiplier.load();
    if (multiplier > 0 && now_ms - state.multiplier_changed_ms.load() >= config_.base_ejection_ms &&
        state.ejection_multiplier.compare_exchange_strong(multiplier, multiplier - 1)) {
      state.multiplier_changed_ms.store(now_ms);
    }
  }
}

void OutlierDetector::onActiveCheckPassed(size_t host, uint64_t now_ms) {
  if (!config_.require_check_to_return) return;
  if (!health_.hasFlag(host, HostHealthFlag::kEjectedByOutlierDetection)) return;
  uint64_t until = health_.host(host).ejected_until_ms.load();
  if (until != HostHealth::kNoDeadline && now_ms >= until) endEjection(host, now_ms);
}

uint64_t OutlierDetector::sweepIntervalMs() const {
  return std::clamp(config_.base_ejection_ms / 10, kMinSweepIntervalMs, kMaxSweepIntervalMs);
}

size_t OutlierDetector::maxEjectedHosts() const {
  // Over the members: a slot without one (kDraining; see
  // ClusterMembership::publish) is no host to keep in rotation. Counted
  // here, on the rare way to an ejection, rather than kept up to date.
  size_t members = 0;
  for (size_t host = 0; host < health_.size(); ++host) {
    if (!health_.hasFlag(host, HostHealthFlag::kDraining)) ++members;
  }
  return std::max<size_t>(1, members * config_.max_ejection_percent / 100);
}

void OutlierDetector::forgetHost(size_t host, uint64_t now_ms) {
  endEjection(host, now_ms);
  HostHealth& state = health_.host(host);
  state.consecutive_5xx.store(0, std::memory_order_relaxed);
  state.consecutive_gateway_failures.store(0, std::memory_order_relaxed);
  state.times_ejected.store(0, std::memory_order_relaxed);
  state.ejection_multiplier.store(0);
}

}  // namespace switchyard::upstream
