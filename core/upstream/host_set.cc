#include "upstream/host_set.h"

namespace switchyard::upstream {

HostSet::HostSet(const std::vector<config::EndpointConfig>& endpoints)
    : healthy_count_(endpoints.size()), member_count_(endpoints.size()) {
  hosts_.reserve(endpoints.size());
  for (const auto& endpoint : endpoints) hosts_.push_back(Host{endpoint});
}

HostSet::HostSet(size_t slot_count, std::atomic<uint32_t>* shared_active_requests)
    : hosts_(slot_count, Host{{}, static_cast<uint8_t>(HostHealthFlag::kDraining), 0, false}),
      shared_active_requests_(shared_active_requests) {}

void HostSet::addHost(size_t slot, const config::EndpointConfig& endpoint) {
  hosts_[slot].endpoint = endpoint;
  if (!hosts_[slot].member) ++member_count_;
  hosts_[slot].member = true;
  clearHealthFlag(slot, HostHealthFlag::kDraining);
  ++membership_generation_;
}

void HostSet::removeHost(size_t slot) {
  if (!hosts_[slot].member) return;
  hosts_[slot].member = false;
  --member_count_;
  setHealthFlag(slot, HostHealthFlag::kDraining);
  ++membership_generation_;
}

void HostSet::setHealthFlag(size_t host, HostHealthFlag flag) {
  setHealthFlags(host, static_cast<uint8_t>(hosts_[host].health_flags | static_cast<uint8_t>(flag)));
}

void HostSet::clearHealthFlag(size_t host, HostHealthFlag flag) {
  setHealthFlags(host, static_cast<uint8_t>(hosts_[host].health_flags & ~static_cast<uint8_t>(flag)));
}

bool HostSet::hasHealthFlag(size_t host, HostHealthFlag flag) const {
  return (hosts_[host].health_flags & static_cast<uint8_t>(flag)) != 0;
}

void HostSet::setHealthFlags(size_t host, uint8_t flags) {
  bool was_healthy = healthy(host);
  hosts_[host].health_flags = flags;
  if (was_healthy && !healthy(host)) --healthy_count_;
  if (!was_healthy && healthy(host)) ++healthy_count_;
}

}  // namespace switchyard::upstream
