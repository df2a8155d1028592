// The rules of one cluster of the config: endpoints, timeouts, load
// balancing tables, health checks, outlier detection and DNS discovery.
// Part of validateBootstrap (config_validator.h).
#pragma once

#include <string>

#include "config.pb.h"
#include "config/field_checks.h"

namespace switchyard::config {

// Records every problem of `cluster` (at `path`, e.g. "clusters[2]") on `checks`.
void checkCluster(const Cluster& cluster, const std::string& path, FieldChecks& checks);

}  // namespace switchyard::config
