#include "config/proxy_config.h"

#include <google/protobuf/util/time_util.h>

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

uint64_t durationMs(bool has, const google::protobuf::Duration& value, uint64_t fallback) {
  if (!has) return fallback;
  return uint64_t(google::protobuf::util::TimeUtil::DurationToMilliseconds(value));
}

std::unique_ptr<ClusterConfig> compileCluster(const Cluster& proto, size_t index) {
  auto cluster = std::make_unique<ClusterConfig>();
  cluster->name = proto.name();
  cluster->index = index;
  for (const auto& endpoint_proto : proto.endpoints()) {
    EndpointConfig endpoint;
    parseSocketAddress(endpoint_proto.address(), uint16_t(endpoint_proto.port()), &endpoint.address);
    endpoint.text = formatSocketAddress(endpoint.address);
    endpoint.weight = endpoint_proto.weight() == 0 ? 1 : endpoint_proto.weight();
    cluster->endpoints.push_back(endpoint);
  }
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
