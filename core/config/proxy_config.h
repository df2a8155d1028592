// ProxyConfig: a validated Bootstrap compiled into the plain data the request
// path reads — listener addresses, limits and timeouts, clusters with their
// endpoints and load-balancing policy, the admin address — with every default
// applied. Immutable once built and shared read-only by every worker thread
// (a cluster's live counters are its one mutable part).
//
// The runtime objects built from this data live with the folders that own
// them: route tables in router/, filter configs in module/, and the serving
// snapshot that ties them to each listener in server/ (serving_config.h).
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config.pb.h"
#include "stats/cluster_metrics.h"

namespace switchyard::config {

struct ListenerConfig {
  std::string name;
  size_t index = 0;  // position in the config, for field paths in messages
  sockaddr_storage address{};
  size_t max_request_headers_bytes = 0;
  size_t max_request_headers_count = 0;
  size_t max_buffer_bytes = 0;
  // The most request body a stream keeps for replay, when a filter of the
  // listener asks for replay at all (see module::FilterChainConfig).
  size_t request_replay_buffer_limit = 0;
  uint64_t idle_timeout_ms = 0;             // 0: none
  uint64_t request_headers_timeout_ms = 0;  // 0: none
  uint64_t drain_timeout_ms = 0;
  const Listener* proto = nullptr;  // borrowed from the ProxyConfig's Bootstrap
};

struct EndpointConfig {
  sockaddr_storage address{};
  std::string text;  // "ip:port", for logs and sy_stream properties
  uint32_t weight = 1;
};

// Live counters of one cluster, summed over every worker (relaxed atomics:
// they feed retry budgets and stats, not synchronisation).
struct ClusterCounters {
  std::atomic<uint64_t> active_requests{0};     // streams with an attempt on the cluster
  std::atomic<uint64_t> pending_requests{0};    // attempts waiting for a pooled connection
  std::atomic<uint64_t> active_retries{0};      // attempts after the first, in flight
  std::atomic<uint64_t> active_connections{0};  // upstream connections, connecting, busy or idle
  std::atomic<uint64_t> idle_connections{0};    // of those, idle in a pool
};

// Sizes of the hash-based balancers' tables, defaults applied; the
// policies themselves are described in config.proto (Cluster.LbPolicy).
struct RingHashSizes {
  uint64_t minimum_ring_size = 0;
  uint64_t maximum_ring_size = 0;
};

// A cluster's active health check (Cluster.health_check) with defaults applied.
struct HealthCheckConfig {
  struct StatusRange {
    int start;  // inclusive
    int end;    // exclusive
  };
  uint64_t interval_ms = 0;
  uint64_t timeout_ms = 0;
  uint64_t interval_jitter_ms = 0;
  uint32_t interval_jitter_percent = 0;
  uint32_t unhealthy_threshold = 0;
  uint32_t healthy_threshold = 0;
  bool http = false;  // else a TCP connect check
  std::string http_path;
  std::string http_host;
  std::vector<StatusRange> expected_statuses;
};

// A cluster's outlier detection (Cluster.outlier_detection) with defaults
// applied; a threshold of 0 disables that rule.
struct OutlierDetectionConfig {
  uint32_t consecutive_5xx = 0;
  uint32_t consecutive_gateway_failure = 0;
  uint64_t base_ejection_ms = 0;
  uint64_t max_ejection_ms = 0;
  uint32_t max_ejection_percent = 0;
  bool require_check_to_return = false;
};

// A STRICT_DNS endpoint: the name to look up, and the port and weight of
// every address it resolves to. A literal `hostname` resolves to itself.
struct DnsTarget {
  std::string hostname;
  uint16_t port = 0;
  uint32_t weight = 1;
};

// How a STRICT_DNS cluster looks its targets up (see Cluster in config.proto).
struct DnsDiscoveryConfig {
  std::vector<DnsTarget> targets;
  uint64_t refresh_rate_ms = 0;
  bool respect_ttl = true;
  uint64_t min_refresh_rate_ms = 0;
  uint64_t max_refresh_rate_ms = 0;
  std::vector<std::string> resolvers;  // "ip:port" / "[ipv6]:port"; empty: /etc/resolv.conf
  Cluster::DnsLookupFamily lookup_family = Cluster::V4_PREFERRED;
};

struct ClusterConfig {
  std::string name;
  size_t index = 0;  // dense, for per-worker cluster state
  Cluster::DiscoveryType type = Cluster::STATIC;
  // STATIC: the hosts, fixed. STRICT_DNS: empty; `dns` says how to find them.
  std::vector<EndpointConfig> endpoints;
  DnsDiscoveryConfig dns;
  // How many hosts the cluster can hold at once, each in a slot with a
  // stable index: endpoints.size() for STATIC, max_hosts for STRICT_DNS.
  size_t host_slots = 0;
  Cluster::LbPolicy lb_policy = Cluster::ROUND_ROBIN;
  RingHashSizes ring_hash;         // read with RING_HASH only
  uint64_t maglev_table_size = 0;  // read with MAGLEV only; a prime
  uint64_t connect_timeout_ms = 0;
  uint64_t idle_timeout_ms = 0;
  uint32_t max_connections = 0;
  double healthy_panic_threshold_percent = 0;
  std::optional<HealthCheckConfig> health_check;
  std::optional<OutlierDetectionConfig> outlier_detection;
  // The one mutable part of the shared config.
  std::unique_ptr<ClusterCounters> counters = std::make_unique<ClusterCounters>();
  // The cluster's series in the global registry (and one set per host slot).
  std::unique_ptr<const stats::ClusterMetrics> metrics;
};

struct ProxyConfig {
  std::shared_ptr<const Bootstrap> bootstrap;
  std::vector<std::unique_ptr<ListenerConfig>> listeners;
  std::vector<std::unique_ptr<ClusterConfig>> clusters;
  std::unordered_map<std::string, const ClusterConfig*> clusters_by_name;
  bool has_admin = false;
  sockaddr_storage admin_address{};

  const ClusterConfig* findCluster(const std::string& name) const;
};

// Compiles a Bootstrap that passed validation (config_loader.h).
std::shared_ptr<const ProxyConfig> compileProxyConfig(std::shared_ptr<const Bootstrap> bootstrap);

}  // namespace switchyard::config
