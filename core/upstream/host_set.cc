#include "upstream/host_set.h"

namespace switchyard::upstream {

HostSet::HostSet(const std::vector<config::EndpointConfig>& endpoints) : healthy_count_(endpoints.size()) {
  hosts_.reserve(endpoints.size());
  for (const auto& endpoint : endpoints) hosts_.push_back(Host{endpoint});
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
