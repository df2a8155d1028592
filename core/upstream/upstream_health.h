// UpstreamHealth: the health of every cluster's hosts (ClusterHealth) and
// each cluster's outlier detector, for one serving config. Created with the
// config, before any worker, and kept by the serving config, so it outlives
// every worker that reads it; the control loop's HealthSupervisor writes
// the results of active checks into it.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/cluster_health.h"
#include "upstream/outlier_detector.h"

namespace switchyard::upstream {

class UpstreamHealth {
 public:
  explicit UpstreamHealth(const config::ProxyConfig& config);
  UpstreamHealth(const UpstreamHealth&) = delete;
  UpstreamHealth& operator=(const UpstreamHealth&) = delete;

  // By config::ClusterConfig::index.
  const std::shared_ptr<ClusterHealth>& cluster(size_t index) const { return clusters_[index].health; }
  // Null when the cluster has no outlier_detection.
  OutlierDetector* outlierDetector(size_t index) const { return clusters_[index].outliers.get(); }

 private:
  struct Entry {
    std::shared_ptr<ClusterHealth> health;
    std::unique_ptr<OutlierDetector> outliers;
  };
  std::vector<Entry> clusters_;
};

}  // namespace switchyard::upstream
