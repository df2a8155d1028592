#include "server/serving_config.h"

namespace switchyard::server {

std::shared_ptr<const ServingConfig> buildServingConfig(std::shared_ptr<const config::Bootstrap> bootstrap,
                                                        const std::string& source, module::ModuleLoader& loader,
                                                        std::vector<std::string>* errors) {
  auto serving = std::make_shared<ServingConfig>();
  serving->proxy = config::compileProxyConfig(std::move(bootstrap));
  serving->health = std::make_shared<upstream::UpstreamHealth>(*serving->proxy);
  serving->memberships = std::make_shared<upstream::ClusterMemberships>(*serving->proxy, *serving->health);
  bool ok = true;
  for (const auto& listener : serving->proxy->listeners) {
    ServingListener entry;
    entry.config = listener.get();
    entry.routes = std::make_unique<router::RouteTable>(*listener->proto);
    entry.filters = module::FilterChainConfig::build(*listener, source, loader, errors);
    entry.access_logs = buildListenerAccessLogs(*listener, source, serving->access_log_files, errors);
    bool logs_ok = entry.access_logs != nullptr || listener->proto->access_log().empty();
    ok = ok && entry.filters != nullptr && logs_ok;
    serving->listeners.push_back(std::move(entry));
  }
  if (!ok) return nullptr;
  return serving;
}

}  // namespace switchyard::server
