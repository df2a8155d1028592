#include "upstream/upstream_health.h"

namespace switchyard::upstream {

UpstreamHealth::UpstreamHealth(const config::ProxyConfig& config) {
  for (const auto& cluster : config.clusters) {
    Entry entry;
    entry.health = std::make_shared<ClusterHealth>(cluster->host_slots);
    if (cluster->outlier_detection) {
      entry.outliers = std::make_unique<OutlierDetector>(*cluster->outlier_detection, *entry.health);
    }
    clusters_.push_back(std::move(entry));
  }
}

}  // namespace switchyard::upstream
