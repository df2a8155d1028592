#include "upstream/host_set.h"

namespace switchyard::upstream {

HostSet::HostSet(const std::vector<config::EndpointConfig>& endpoints, std::shared_ptr<ClusterHealth> health,
                 double healthy_panic_threshold_percent)
    : health_(std::move(health)),
      healthy_panic_threshold_percent_(healthy_panic_threshold_percent),
      member_count_(endpoints.size()) {
  hosts_.reserve(endpoints.size());
  for (const auto& endpoint : endpoints) hosts_.push_back(Host{endpoint, 0, true});
}

HostSet::HostSet(std::shared_ptr<ClusterHealth> health, double healthy_panic_threshold_percent)
    : hosts_(health->size()),
      health_(std::move(health)),
      healthy_panic_threshold_percent_(healthy_panic_threshold_percent) {}

void HostSet::onRequestStarted(size_t host) {
  ++hosts_[host].active_requests;
  health_->host(host).active_requests.fetch_add(1, std::memory_order_relaxed);
}

void HostSet::onRequestFinished(size_t host) {
  --hosts_[host].active_requests;
  health_->host(host).active_requests.fetch_sub(1, std::memory_order_relaxed);
}

void HostSet::addHost(size_t slot, const config::EndpointConfig& endpoint) {
  hosts_[slot].endpoint = endpoint;
  if (!hosts_[slot].member) ++member_count_;
  hosts_[slot].member = true;
  ++membership_generation_;
}

void HostSet::removeHost(size_t slot) {
  if (!hosts_[slot].member) return;
  hosts_[slot].member = false;
  --member_count_;
  ++membership_generation_;
}

}  // namespace switchyard::upstream
