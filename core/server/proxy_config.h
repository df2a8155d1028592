// ProxyConfig: a validated Bootstrap compiled into what the request path
// reads — listener addresses and limits, filter configs created by their
// modules, route tables with per-route filter overrides, and clusters.
//
// Immutable once built and shared read-only by every worker thread.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config.pb.h"
#include "module/filter_config.h"
#include "module/module_loader.h"
#include "router/route_table.h"

namespace switchyard::server {

struct FilterSlot {
  std::string name;  // the listener's name for it (stats prefix, override key)
  std::shared_ptr<const module::FilterConfig> listener_config;
};

struct ListenerConfig {
  std::string name;
  sockaddr_storage address{};
  size_t max_request_headers_bytes = 0;
  size_t max_buffer_bytes = 0;
  // Nonzero when a filter on the listener implements attempt_finished (so
  // it may retry): streams then keep this much request body for replay.
  size_t request_replay_buffer_bytes = 0;
  uint64_t idle_timeout_ms = 0;             // 0: none
  uint64_t request_headers_timeout_ms = 0;  // 0: none
  uint64_t drain_timeout_ms = 0;
  std::vector<FilterSlot> filters;
  std::unique_ptr<router::RouteTable> routes;
  // route_overrides[route id][filter index]: the route's config for that
  // filter, or null to use the listener's.
  std::vector<std::vector<std::shared_ptr<const module::FilterConfig>>> route_overrides;

  const module::FilterConfig& effectiveFilterConfig(const router::RouteEntry* route,
                                                    size_t filter_index) const;
};

struct EndpointConfig {
  sockaddr_storage address{};
  std::string text;  // "ip:port", for logs and sy_stream properties
  uint32_t weight = 1;
};

// Live counters of one cluster, summed over every worker (relaxed atomics:
// they feed retry budgets and stats, not synchronisation).
struct ClusterCounters {
  std::atomic<uint64_t> active_requests{0};   // streams with an attempt on the cluster
  std::atomic<uint64_t> pending_requests{0};  // attempts waiting for a pooled connection
  std::atomic<uint64_t> active_retries{0};    // attempts after the first, in flight
  std::atomic<uint64_t> active_connections{0};  // upstream connections, connecting, busy or idle
};

struct ClusterConfig {
  std::string name;
  size_t index = 0;  // dense, for per-worker cluster state
  std::vector<EndpointConfig> endpoints;
  config::Cluster::LbPolicy lb_policy = config::Cluster::ROUND_ROBIN;
  uint64_t connect_timeout_ms = 0;
  uint64_t idle_timeout_ms = 0;
  uint32_t max_connections = 0;
  // The one mutable part of the shared config.
  std::unique_ptr<ClusterCounters> counters = std::make_unique<ClusterCounters>();
};

struct ProxyConfig {
  std::shared_ptr<const config::Bootstrap> bootstrap;
  std::vector<std::unique_ptr<ListenerConfig>> listeners;
  std::vector<std::unique_ptr<ClusterConfig>> clusters;
  std::unordered_map<std::string, const ClusterConfig*> clusters_by_name;
  bool has_admin = false;
  sockaddr_storage admin_address{};

  const ClusterConfig* findCluster(const std::string& name) const;
};

// Loads every module the listeners name and creates their configs. On
// failure returns null and appends one message per problem, each starting
// with `source` (the config file name).
std::shared_ptr<const ProxyConfig> buildProxyConfig(std::shared_ptr<const config::Bootstrap> bootstrap,
                                                    const std::string& source,
                                                    module::ModuleLoader& loader,
                                                    std::vector<std::string>* errors);

}  // namespace switchyard::server
