#include "module/filter_chain_config.h"

#include "config/field_path.h"
#include "config/struct_merge.h"
#include "module/config_access.h"

namespace switchyard::module {

namespace {

std::shared_ptr<const FilterConfig> createFilterConfig(const std::shared_ptr<LoadedModule>& module,
                                                       ConfigAccess& config, const std::string& filter_name,
                                                       const std::string& context, std::vector<std::string>* errors) {
  sy_config_context config_context{filter_name, &config};
  std::string error;
  auto created = FilterConfig::create(module, &config_context, context, &error);
  if (!created) errors->push_back(error);
  return created;
}

// Where a listener filter's config sits in the file, for error messages.
std::string filterConfigPath(size_t listener_index, size_t filter_index) {
  return "listeners[" + std::to_string(listener_index) + "].filters[" + std::to_string(filter_index) + "].config";
}

}  // namespace

std::unique_ptr<const FilterChainConfig> FilterChainConfig::build(const config::ListenerConfig& listener,
                                                                  const std::string& source, ModuleLoader& loader,
                                                                  std::vector<std::string>* errors) {
  auto chain = std::make_unique<FilterChainConfig>();
  const config::Listener& proto = *listener.proto;
  size_t errors_before = errors->size();
  std::string listener_context =
      source + ": listeners[" + std::to_string(listener.index) + "] '" + listener.name + "'";

  std::vector<std::shared_ptr<LoadedModule>> modules;
  for (int fi = 0; fi < proto.filters_size(); ++fi) {
    const auto& filter_proto = proto.filters(fi);
    std::string context = listener_context + ": filters[" + std::to_string(fi) + "] '" + filter_proto.name() + "'";
    std::string module_name = filter_proto.module().empty() ? filter_proto.name() : filter_proto.module();
    std::string error;
    auto module = loader.load(module_name, filter_proto.path(), context, &error);
    modules.push_back(module);
    if (!module) {
      errors->push_back(error);
      chain->filters_.push_back(FilterSlot{filter_proto.name(), nullptr});
      continue;
    }
    ConfigAccess access(filter_proto.config(), source + ": " + filterConfigPath(listener.index, size_t(fi)));
    auto config = createFilterConfig(module, access, filter_proto.name(), context, errors);
    chain->filters_.push_back(FilterSlot{filter_proto.name(), config});
    if (module->asksForRequestReplay()) chain->request_replay_buffer_bytes_ = listener.request_replay_buffer_limit;
  }

  // Route ids count the routes of every virtual host in config order.
  for (int vi = 0; vi < proto.virtual_hosts_size(); ++vi) {
    const config::VirtualHost& vhost = proto.virtual_hosts(vi);
    for (int ri = 0; ri < vhost.routes_size(); ++ri) {
      const config::Route& route = vhost.routes(ri);
      std::string route_name = route.name().empty() ? vhost.name() + "/" + std::to_string(ri) : route.name();
      std::string overrides_path = "listeners[" + std::to_string(listener.index) + "].virtual_hosts[" +
                                   std::to_string(vi) + "].routes[" + std::to_string(ri) + "].filter_overrides";
      auto& overrides = chain->route_overrides_.emplace_back(chain->filters_.size());
      for (const auto& [filter_name, override_struct] : route.filter_overrides()) {
        for (size_t fi = 0; fi < chain->filters_.size(); ++fi) {
          // A listener config that was rejected is reported once, not again
          // for every route that merges it.
          if (chain->filters_[fi].name != filter_name || !chain->filters_[fi].listener_config) continue;
          std::string context = listener_context + ": route '" + route_name + "': filter_overrides." + filter_name;
          // The route states only what differs: its override is merged into
          // the listener's config (config/struct_merge.h).
          ConfigAccess access(config::mergeStructs(proto.filters(int(fi)).config(), override_struct),
                              source + ": " + filterConfigPath(listener.index, fi), override_struct,
                              source + ": " + config::mapKeyPath(overrides_path, filter_name));
          overrides[fi] = createFilterConfig(modules[fi], access, filter_name, context, errors);
        }
      }
    }
  }
  if (errors->size() != errors_before) return nullptr;
  return chain;
}

const FilterConfig& FilterChainConfig::effectiveConfig(size_t route_id, size_t filter_index) const {
  if (route_id != kNoRoute) {
    const auto& override_config = route_overrides_[route_id][filter_index];
    if (override_config) return *override_config;
  }
  return *filters_[filter_index].listener_config;
}

}  // namespace switchyard::module
