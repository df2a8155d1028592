#include "config/proxy_config.h"

#include <google/protobuf/util/time_util.h>

#include "common/uv_util.h"

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
constexpr uint64_t kDefaultDnsRefreshRateMs = 5'000;
constexpr uint64_t kDefaultDnsMinRefreshRateMs = 1'000;
constexpr uint64_t kDefaultDnsMaxRefreshRateMs = 60'000;
constexpr uint32_t kDefaultMaxDnsHosts = 64;

uint64_t durationMs(bool has, const google::protobuf::Duration& value, uint64_t fallback) {
  if (!has) return fallback;
  return uint64_t(google::protobuf::util::TimeUtil::DurationToMilliseconds(value));
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
  cluster->lb_policy = proto.lb_policy();
  cluster->connect_timeout_ms =
      durationMs(proto.has_connect_timeout(), proto.connect_timeout(), kDefaultConnectTimeoutMs);
  cluster->idle_timeout_ms = durationMs(proto.has_idle_timeout(), proto.idle_timeout(), kDefaultUpstreamIdleTimeoutMs);
  cluster->max_connections = proto.max_connections() == 0 ? kDefaultMaxConnections : proto.max_connections();
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
