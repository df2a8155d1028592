// ServingConfig: what the workers serve from — the compiled config
// (config::ProxyConfig), for each of its listeners the route table and the
// filter chain built from it, the upstream hosts' health and each
// cluster's membership. Immutable once built and shared read-only by every
// worker, except the health and the memberships (which change inside,
// thread-safely); a new config is a new ServingConfig.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/proxy_config.h"
#include "module/filter_chain_config.h"
#include "module/module_loader.h"
#include "router/route_table.h"
#include "server/listener_access_logs.h"
#include "stats/listener_metrics.h"
#include "upstream/cluster_membership.h"
#include "upstream/upstream_health.h"

namespace switchyard::server {

struct ServingListener {
  const config::ListenerConfig* config = nullptr;
  std::unique_ptr<const router::RouteTable> routes;
  std::unique_ptr<const module::FilterChainConfig> filters;
  std::unique_ptr<const ListenerAccessLogs> access_logs;  // null: none
  // The listener's and its routes' series (by route id).
  std::unique_ptr<const stats::ListenerMetrics> metrics;
};

struct ServingConfig {
  std::shared_ptr<const config::ProxyConfig> proxy;
  std::vector<ServingListener> listeners;  // in config order, as proxy->listeners
  // Written by health checks and outlier detection, read by every worker.
  std::shared_ptr<upstream::UpstreamHealth> health;
  // Each cluster's hosts: published by discovery on the control loop,
  // followed by every worker. Thread-safe, hence mutable in a const config.
  // Built after `health`, whose flags its publications update.
  std::shared_ptr<upstream::ClusterMemberships> memberships;
  // Every access log file the listeners write, for reopening and flushing.
  AccessLogFiles access_log_files;
};

// Loads every module the listeners name, creates their configs and opens
// their access logs. On
// failure returns null and appends one message per problem, each starting
// with `source` (the config file name).
std::shared_ptr<const ServingConfig> buildServingConfig(std::shared_ptr<const config::Bootstrap> bootstrap,
                                                        const std::string& source, module::ModuleLoader& loader,
                                                        std::vector<std::string>* errors);

}  // namespace switchyard::server
