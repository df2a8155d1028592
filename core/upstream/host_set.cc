#include "upstream/host_set.h"

namespace switchyard::upstream {

HostSet::HostSet(const std::vector<config::EndpointConfig>& endpoints, std::shared_ptr<ClusterHealth> health,
                 double healthy_panic_threshold_percent)
    : health_(std::move(health)), healthy_panic_threshold_percent_(healthy_panic_threshold_percent) {
  hosts_.reserve(endpoints.size());
  for (const auto& endpoint : endpoints) hosts_.push_back(Host{endpoint});
}

void HostSet::onRequestStarted(size_t host) {
  ++hosts_[host].active_requests;
  health_->host(host).active_requests.fetch_add(1, std::memory_order_relaxed);
}

void HostSet::onRequestFinished(size_t host) {
  --hosts_[host].active_requests;
  health_->host(host).active_requests.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace switchyard::upstream
