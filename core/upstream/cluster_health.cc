#include "upstream/cluster_health.h"

namespace switchyard::upstream {

const char* activeCheckStateName(ActiveCheckState state) {
  switch (state) {
    case ActiveCheckState::kNotChecked: return "not_checked";
    case ActiveCheckState::kPassing: return "passing";
    case ActiveCheckState::kFailing: return "failing";
  }
  return "unknown";
}

ClusterHealth::ClusterHealth(size_t host_count) : hosts_(host_count), healthy_count_(host_count) {}

bool ClusterHealth::setFlag(size_t host, HostHealthFlag flag) {
  auto bit = static_cast<uint8_t>(flag);
  uint8_t before = hosts_[host].flags.fetch_or(bit, std::memory_order_relaxed);
  if ((before & bit) != 0) return false;
  if (before == 0) healthy_count_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool ClusterHealth::clearFlag(size_t host, HostHealthFlag flag) {
  auto bit = static_cast<uint8_t>(flag);
  uint8_t before = hosts_[host].flags.fetch_and(static_cast<uint8_t>(~bit), std::memory_order_relaxed);
  if ((before & bit) == 0) return false;
  if (before == bit) healthy_count_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool ClusterHealth::hasFlag(size_t host, HostHealthFlag flag) const {
  return (flags(host) & static_cast<uint8_t>(flag)) != 0;
}

}  // namespace switchyard::upstream
