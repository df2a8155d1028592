#include "server/serving_config.h"

namespace switchyard::server {

namespace {

std::unique_ptr<const stats::ListenerMetrics> listenerMetrics(const config::ProxyConfig& proxy,
                                                              const config::ListenerConfig& listener,
                                                              const router::RouteTable& routes) {
  std::vector<stats::ListenerMetrics::Route> route_metrics;
  for (size_t id = 0; id < routes.routeCount(); ++id) {
    const config::ClusterConfig* cluster = proxy.findCluster(routes.route(id).cluster);
    route_metrics.push_back({routes.route(id).name, cluster != nullptr ? cluster->metrics.get() : nullptr});
  }
  return std::make_unique<stats::ListenerMetrics>(stats::MetricRegistry::global(), listener.name, route_metrics);
}

}  // namespace

std::shared_ptr<const ServingConfig> buildServingConfig(std::shared_ptr<const config::Bootstrap> bootstrap,
                                                        const std::string& source, module::ModuleLoader& loader,
                                                        std::vector<std::string>* errors) {
  auto serving = std::make_shared<ServingConfig>();
  serving->proxy = config::compileProxyConfig(std::move(bootstrap));
  serving->health = std::make_shared<upstream::UpstreamHealth>(*serving->proxy);
  bool ok = true;
  for (const auto& listener : serving->proxy->listeners) {
    ServingListener entry;
    entry.config = listener.get();
    entry.routes = std::make_unique<router::RouteTable>(*listener->proto);
    entry.metrics = listenerMetrics(*serving->proxy, *listener, *entry.routes);
    entry.filters = module::FilterChainConfig::build(*listener, source, loader, errors);
    entry.access_logs = buildListenerAccessLogs(*listener, source, serving->access_log_files, errors);
    bool logs_ok = entry.access_logs != nullptr || listener->proto->access_log().empty();
    ok = ok && entry.filters != nullptr && logs_ok;
    serving->listeners.push_back(std::move(entry));
  }
  if (!ok) return nullptr;
  // Last: publishing the memberships shows each host's series under its
  // address, which only a config that will serve may do.
  serving->memberships = std::make_shared<upstream::ClusterMemberships>(*serving->proxy, *serving->health);
  return serving;
}

}  // namespace switchyard::server
