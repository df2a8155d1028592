#include "config/proxy_config.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "common/uv_util.h"
#include "config/config_validator.h"

namespace switchyard::config {

namespace {

constexpr size_t kDefaultMaxRequestHeadersBytes = 60 * 1024;
constexpr size_t kDefaultMaxRequestHeadersCount = 100;  // as Envoy's
constexpr size_t kDefaultMaxBufferBytes = 1024 * 1024;
constexpr size_t kDefaultRequestReplayBufferBytes = 64 * 1024;
constexpr uint64_t kDefaultIdleTimeoutMs = 60'000;
constexpr uint64_t kDefaultRequestHeadersTimeoutMs = 10'000;
constexpr uint64_t kDefaultDrainTimeoutMs = 15'000;
constexpr uint64_t kDefaultConnectTimeoutMs = 5'000;
constexpr uint64_t kDefaultUpstreamIdleTimeoutMs = 60'000;
constexpr uint32_t kDefaultMaxConnections = 1024;
constexpr uint64_t kDefaultMinimumRingSize = 1024;  // as Envoy's
constexpr double kDefaultHealthyPanicThresholdPercent = 50;  // as Envoy's
constexpr uint64_t kDefaultHealthCheckIntervalMs = 5'000;
constexpr uint64_t kDefaultHealthCheckTimeoutMs = 1'000;
constexpr uint32_t kDefaultUnhealthyThreshold = 3;
constexpr uint32_t kDefaultHealthyThreshold = 2;
constexpr HealthCheckConfig::StatusRange kDefaultExpectedStatuses{200, 300};
// Envoy's outlier detection defaults.
constexpr uint32_t kDefaultConsecutive5xx = 5;
constexpr uint32_t kDefaultConsecutiveGatewayFailure = 5;
constexpr uint64_t kDefaultBaseEjectionMs = 30'000;
constexpr uint64_t kDefaultMaxEjectionMs = 300'000;
constexpr uint32_t kDefaultMaxEjectionPercent = 10;
constexpr uint64_t kDefaultDnsRefreshRateMs = 5'000;
constexpr uint64_t kDefaultDnsMinRefreshRateMs = 1'000;
constexpr uint64_t kDefaultDnsMaxRefreshRateMs = 60'000;

uint64_t durationMs(bool has, const google::protobuf::Duration& value, uint64_t fallback) {
  if (!has) return fallback;
  return uint64_t(google::protobuf::util::TimeUtil::DurationToMilliseconds(value));
}

HealthCheckConfig compileHealthCheck(const HealthCheck& proto, const std::string& cluster_name) {
  HealthCheckConfig check;
  check.interval_ms = durationMs(proto.has_interval(), proto.interval(), kDefaultHealthCheckIntervalMs);
  check.timeout_ms = durationMs(proto.has_timeout(), proto.timeout(), kDefaultHealthCheckTimeoutMs);
  check.interval_jitter_ms = durationMs(proto.has_interval_jitter(), proto.interval_jitter(), 0);
  check.interval_jitter_percent = proto.interval_jitter_percent();
  check.unhealthy_threshold =
      proto.unhealthy_threshold() == 0 ? kDefaultUnhealthyThreshold : proto.unhealthy_threshold();
  check.healthy_threshold = proto.healthy_threshold() == 0 ? kDefaultHealthyThreshold : proto.healthy_threshold();
  check.http = proto.has_http_health_check();
  if (check.http) {
    const auto& http = proto.http_health_check();
    check.http_path = http.path();
    check.http_host = http.host().empty() ? cluster_name : http.host();
    for (const auto& range : http.expected_statuses()) {
      check.expected_statuses.push_back({int(range.start()), int(range.end())});
    }
    if (check.expected_statuses.empty()) check.expected_statuses.push_back(kDefaultExpectedStatuses);
  }
  return check;
}

OutlierDetectionConfig compileOutlierDetection(const OutlierDetection& proto) {
  OutlierDetectionConfig outliers;
  outliers.consecutive_5xx = proto.has_consecutive_5xx() ? proto.consecutive_5xx() : kDefaultConsecutive5xx;
  outliers.consecutive_gateway_failure = proto.has_consecutive_gateway_failure()
                                             ? proto.consecutive_gateway_failure()
                                             : kDefaultConsecutiveGatewayFailure;
  outliers.base_ejection_ms =
      durationMs(proto.has_base_ejection_time(), proto.base_ejection_time(), kDefaultBaseEjectionMs);
  outliers.max_ejection_ms = durationMs(proto.has_max_ejection_time(), proto.max_ejection_time(),
                                        std::max(kDefaultMaxEjectionMs, outliers.base_ejection_ms));
  outliers.max_ejection_percent =
      proto.has_max_ejection_percent() ? proto.max_ejection_percent() : kDefaultMaxEjectionPercent;
  outliers.require_check_to_return = proto.require_check_to_return();
  return outliers;
}

void compileDnsDiscovery(const Cluster& proto, DnsDiscoveryConfig& dns) {
  for (const auto& endpoint : proto.endpoints()) {
    dns.targets.push_back(DnsTarget{endpoint.address(), uint16_t(endpoint.port()),
                                    endpoint.weight() == 0 ? 1 : endpoint.weight()});
  }
  dns.refresh_rate_ms = durationMs(proto.has_dns_refresh_rate(), proto.dns_refresh_rate(), kDefaultDnsRefreshRateMs);
  dns.respect_ttl = !proto.has_respect_dns_ttl() || proto.respect_dns_ttl();
  dns.min_refresh_rate_ms =
      durationMs(proto.has_dns_min_refresh_rate(), proto.dns_min_refresh_rate(), kDefaultDnsMinRefreshRateMs);
  dns.max_refresh_rate_ms =
      durationMs(proto.has_dns_max_refresh_rate(), proto.dns_max_refresh_rate(), kDefaultDnsMaxRefreshRateMs);
  dns.resolvers.assign(proto.dns_resolvers().begin(), proto.dns_resolvers().end());
  dns.lookup_family = proto.dns_lookup_family();
}

std::unique_ptr<ClusterConfig> compileCluster(const Cluster& proto, size_t index) {
  auto cluster = std::make_unique<ClusterConfig>();
  cluster->name = proto.name();
  cluster->index = index;
  cluster->type = proto.type();
  if (proto.type() == Cluster::STRICT_DNS) {
    compileDnsDiscovery(proto, cluster->dns);
    cluster->host_slots = proto.max_hosts() == 0 ? kDefaultMaxDnsHosts : proto.max_hosts();
  } else {
    for (const auto& endpoint_proto : proto.endpoints()) {
      EndpointConfig endpoint;
      parseSocketAddress(endpoint_proto.address(), uint16_t(endpoint_proto.port()), &endpoint.address);
      endpoint.text = formatSocketAddress(endpoint.address);
      endpoint.weight = endpoint_proto.weight() == 0 ? 1 : endpoint_proto.weight();
      cluster->endpoints.push_back(endpoint);
    }
    cluster->host_slots = cluster->endpoints.size();
  }
  cluster->metrics = std::make_unique<stats::ClusterMetrics>(stats::MetricRegistry::global(), cluster->name,
                                                             cluster->host_slots);
  cluster->lb_policy = proto.lb_policy();
  const RingHashLbConfig& ring = proto.ring_hash_lb_config();
  cluster->ring_hash.minimum_ring_size =
      ring.minimum_ring_size() == 0 ? kDefaultMinimumRingSize : ring.minimum_ring_size();
  cluster->ring_hash.maximum_ring_size =
      ring.maximum_ring_size() == 0 ? kMaxRingSize : ring.maximum_ring_size();
  uint64_t maglev_table_size = proto.maglev_lb_config().table_size();
  cluster->maglev_table_size = maglev_table_size == 0 ? kDefaultMaglevTableSize : maglev_table_size;
  cluster->connect_timeout_ms =
      durationMs(proto.has_connect_timeout(), proto.connect_timeout(), kDefaultConnectTimeoutMs);
  cluster->idle_timeout_ms = durationMs(proto.has_idle_timeout(), proto.idle_timeout(), kDefaultUpstreamIdleTimeoutMs);
  cluster->max_connections = proto.max_connections() == 0 ? kDefaultMaxConnections : proto.max_connections();
  cluster->healthy_panic_threshold_percent = proto.has_healthy_panic_threshold()
                                                 ? proto.healthy_panic_threshold()
                                                 : kDefaultHealthyPanicThresholdPercent;
  if (proto.has_health_check()) cluster->health_check = compileHealthCheck(proto.health_check(), proto.name());
  if (proto.has_outlier_detection()) cluster->outlier_detection = compileOutlierDetection(proto.outlier_detection());
  return cluster;
}

std::unique_ptr<ListenerConfig> compileListener(const Listener& proto, size_t index) {
  auto listener = std::make_unique<ListenerConfig>();
  listener->name = proto.name();
  listener->index = index;
  listener->proto = &proto;
  parseSocketAddress(proto.address().empty() ? "127.0.0.1" : proto.address(), uint16_t(proto.port()),
                     &listener->address);
  const auto& limits = proto.limits();
  listener->max_request_headers_bytes =
      limits.max_request_headers_bytes() == 0 ? kDefaultMaxRequestHeadersBytes : limits.max_request_headers_bytes();
  listener->max_request_headers_count = limits.max_request_headers_count() == 0 ? kDefaultMaxRequestHeadersCount
                                                                               : limits.max_request_headers_count();
  listener->max_buffer_bytes = limits.max_buffer_bytes() == 0 ? kDefaultMaxBufferBytes : limits.max_buffer_bytes();
  listener->request_replay_buffer_limit = limits.request_replay_buffer_bytes() == 0
                                              ? kDefaultRequestReplayBufferBytes
                                              : limits.request_replay_buffer_bytes();
  const auto& timeouts = proto.timeouts();
  listener->idle_timeout_ms = durationMs(timeouts.has_idle_timeout(), timeouts.idle_timeout(), kDefaultIdleTimeoutMs);
  listener->request_headers_timeout_ms =
      durationMs(timeouts.has_request_headers_timeout(), timeouts.request_headers_timeout(),
                 kDefaultRequestHeadersTimeoutMs);
  listener->drain_timeout_ms =
      durationMs(timeouts.has_drain_timeout(), timeouts.drain_timeout(), kDefaultDrainTimeoutMs);
  return listener;
}

}  // namespace

const ClusterConfig* ProxyConfig::findCluster(const std::string& name) const {
  auto it = clusters_by_name.find(name);
  return it == clusters_by_name.end() ? nullptr : it->second;
}

std::shared_ptr<const ProxyConfig> compileProxyConfig(std::shared_ptr<const Bootstrap> bootstrap) {
  auto proxy = std::make_shared<ProxyConfig>();
  proxy->bootstrap = bootstrap;
  for (const auto& cluster_proto : bootstrap->clusters()) {
    auto cluster = compileCluster(cluster_proto, proxy->clusters.size());
    proxy->clusters_by_name[cluster->name] = cluster.get();
    proxy->clusters.push_back(std::move(cluster));
  }
  for (int i = 0; i < bootstrap->listeners_size(); ++i) {
    proxy->listeners.push_back(compileListener(bootstrap->listeners(i), size_t(i)));
  }
  if (bootstrap->has_admin()) {
    proxy->has_admin = true;
    const auto& admin = bootstrap->admin();
    parseSocketAddress(admin.address().empty() ? "127.0.0.1" : admin.address(), uint16_t(admin.port()),
                       &proxy->admin_address);
  }
  return proxy;
}

}  // namespace switchyard::config
