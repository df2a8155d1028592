#include "server/proxy_config.h"

#include <google/protobuf/util/time_util.h>

#include "common/uv_util.h"
#include "config/field_path.h"
#include "config/struct_merge.h"
#include "module/config_access.h"

namespace switchyard::server {

namespace {

constexpr size_t kDefaultMaxRequestHeadersBytes = 60 * 1024;
constexpr size_t kDefaultMaxBufferBytes = 1024 * 1024;
constexpr size_t kDefaultRequestReplayBufferBytes = 64 * 1024;
constexpr uint64_t kDefaultIdleTimeoutMs = 60'000;
constexpr uint64_t kDefaultRequestHeadersTimeoutMs = 10'000;
constexpr uint64_t kDefaultDrainTimeoutMs = 15'000;
constexpr uint64_t kDefaultConnectTimeoutMs = 5'000;
constexpr uint64_t kDefaultUpstreamIdleTimeoutMs = 60'000;
constexpr uint32_t kDefaultMaxConnections = 1024;

// Where a listener filter's config sits in the file, for error messages.
std::string filterConfigPath(int listener_index, size_t filter_index) {
  return "listeners[" + std::to_string(listener_index) + "].filters[" + std::to_string(filter_index) + "].config";
}

uint64_t durationMs(bool has, const google::protobuf::Duration& value, uint64_t fallback) {
  if (!has) return fallback;
  return uint64_t(google::protobuf::util::TimeUtil::DurationToMilliseconds(value));
}

std::shared_ptr<const module::FilterConfig> createFilterConfig(const std::shared_ptr<module::LoadedModule>& module,
                                                               module::ConfigAccess& config,
                                                               const std::string& filter_name,
                                                               const std::string& context,
                                                               std::vector<std::string>* errors) {
  sy_config_context config_context{filter_name, &config};
  std::string error;
  auto created = module::FilterConfig::create(module, &config_context, context, &error);
  if (!created) errors->push_back(error);
  return created;
}

}  // namespace

const module::FilterConfig& ListenerConfig::effectiveFilterConfig(const router::RouteEntry* route,
                                                                  size_t filter_index) const {
  if (route != nullptr) {
    const auto& override_config = route_overrides[route->id][filter_index];
    if (override_config) return *override_config;
  }
  return *filters[filter_index].listener_config;
}

const ClusterConfig* ProxyConfig::findCluster(const std::string& name) const {
  auto it = clusters_by_name.find(name);
  return it == clusters_by_name.end() ? nullptr : it->second;
}

std::shared_ptr<const ProxyConfig> buildProxyConfig(std::shared_ptr<const config::Bootstrap> bootstrap,
                                                    const std::string& source,
                                                    module::ModuleLoader& loader,
                                                    std::vector<std::string>* errors) {
  auto proxy = std::make_shared<ProxyConfig>();
  proxy->bootstrap = bootstrap;
  size_t errors_before = errors->size();

  for (const auto& cluster_proto : bootstrap->clusters()) {
    auto cluster = std::make_unique<ClusterConfig>();
    cluster->name = cluster_proto.name();
    cluster->index = proxy->clusters.size();
    for (const auto& endpoint_proto : cluster_proto.endpoints()) {
      EndpointConfig endpoint;
      parseSocketAddress(endpoint_proto.address(), uint16_t(endpoint_proto.port()), &endpoint.address);
      endpoint.text = formatSocketAddress(endpoint.address);
      endpoint.weight = endpoint_proto.weight() == 0 ? 1 : endpoint_proto.weight();
      cluster->endpoints.push_back(endpoint);
    }
    cluster->connect_timeout_ms = durationMs(cluster_proto.has_connect_timeout(),
                                             cluster_proto.connect_timeout(), kDefaultConnectTimeoutMs);
    cluster->idle_timeout_ms = durationMs(cluster_proto.has_idle_timeout(),
                                          cluster_proto.idle_timeout(), kDefaultUpstreamIdleTimeoutMs);
    cluster->max_connections =
        cluster_proto.max_connections() == 0 ? kDefaultMaxConnections : cluster_proto.max_connections();
    proxy->clusters_by_name[cluster->name] = cluster.get();
    proxy->clusters.push_back(std::move(cluster));
  }

  for (int li = 0; li < bootstrap->listeners_size(); ++li) {
    const auto& listener_proto = bootstrap->listeners(li);
    auto listener = std::make_unique<ListenerConfig>();
    listener->name = listener_proto.name();
    parseSocketAddress(listener_proto.address().empty() ? "127.0.0.1" : listener_proto.address(),
                       uint16_t(listener_proto.port()), &listener->address);
    const auto& limits = listener_proto.limits();
    listener->max_request_headers_bytes = limits.max_request_headers_bytes() == 0
                                              ? kDefaultMaxRequestHeadersBytes
                                              : limits.max_request_headers_bytes();
    listener->max_buffer_bytes =
        limits.max_buffer_bytes() == 0 ? kDefaultMaxBufferBytes : limits.max_buffer_bytes();
    const auto& timeouts = listener_proto.timeouts();
    listener->idle_timeout_ms = durationMs(timeouts.has_idle_timeout(), timeouts.idle_timeout(),
                                           kDefaultIdleTimeoutMs);
    listener->request_headers_timeout_ms =
        durationMs(timeouts.has_request_headers_timeout(), timeouts.request_headers_timeout(),
                   kDefaultRequestHeadersTimeoutMs);
    listener->drain_timeout_ms = durationMs(timeouts.has_drain_timeout(), timeouts.drain_timeout(),
                                            kDefaultDrainTimeoutMs);

    std::vector<std::shared_ptr<module::LoadedModule>> modules;
    for (int fi = 0; fi < listener_proto.filters_size(); ++fi) {
      const auto& filter_proto = listener_proto.filters(fi);
      std::string context = source + ": listeners[" + std::to_string(li) + "] '" + listener->name +
                            "': filters[" + std::to_string(fi) + "] '" + filter_proto.name() + "'";
      std::string module_name = filter_proto.module().empty() ? filter_proto.name() : filter_proto.module();
      std::string error;
      auto module = loader.load(module_name, filter_proto.path(), context, &error);
      modules.push_back(module);
      if (!module) {
        errors->push_back(error);
        listener->filters.push_back(FilterSlot{filter_proto.name(), nullptr});
        continue;
      }
      module::ConfigAccess access(filter_proto.config(), source + ": " + filterConfigPath(li, fi));
      auto config = createFilterConfig(module, access, filter_proto.name(), context, errors);
      listener->filters.push_back(FilterSlot{filter_proto.name(), config});
    }

    for (const auto& module : modules) {
      if (module && module->asksForRequestReplay()) {
        listener->request_replay_buffer_bytes = limits.request_replay_buffer_bytes() == 0
                                                    ? kDefaultRequestReplayBufferBytes
                                                    : limits.request_replay_buffer_bytes();
      }
    }

    listener->routes = std::make_unique<router::RouteTable>(listener_proto);
    listener->route_overrides.resize(listener->routes->routeCount());
    // Route ids count the routes of every virtual host in config order.
    size_t route_id = 0;
    for (int vi = 0; vi < listener_proto.virtual_hosts_size(); ++vi) {
      const auto& host_proto = listener_proto.virtual_hosts(vi);
      for (int ri = 0; ri < host_proto.routes_size(); ++ri, ++route_id) {
        const router::RouteEntry& route = listener->routes->route(route_id);
        auto& overrides = listener->route_overrides[route_id];
        overrides.resize(listener->filters.size());
        for (const auto& [filter_name, override_struct] : route.proto->filter_overrides()) {
          for (size_t fi = 0; fi < listener->filters.size(); ++fi) {
            // A listener config that was rejected is reported once, not
            // again for every route that merges it.
            if (listener->filters[fi].name != filter_name || !listener->filters[fi].listener_config) continue;
            std::string context = source + ": listeners[" + std::to_string(li) + "] '" + listener->name +
                                  "': route '" + route.name + "': filter_overrides." + filter_name;
            const auto& listener_struct = listener_proto.filters(int(fi)).config();
            std::string overrides_path = "listeners[" + std::to_string(li) + "].virtual_hosts[" +
                                         std::to_string(vi) + "].routes[" + std::to_string(ri) +
                                         "].filter_overrides";
            module::ConfigAccess access(config::mergeStructs(listener_struct, override_struct),
                                        source + ": " + filterConfigPath(li, fi), override_struct,
                                        source + ": " + config::mapKeyPath(overrides_path, filter_name));
            overrides[fi] = createFilterConfig(modules[fi], access, filter_name, context, errors);
          }
        }
      }
    }
    proxy->listeners.push_back(std::move(listener));
  }

  if (bootstrap->has_admin()) {
    proxy->has_admin = true;
    const auto& admin = bootstrap->admin();
    parseSocketAddress(admin.address().empty() ? "127.0.0.1" : admin.address(), uint16_t(admin.port()),
                       &proxy->admin_address);
  }
  if (errors->size() != errors_before) return nullptr;
  return proxy;
}

}  // namespace switchyard::server
