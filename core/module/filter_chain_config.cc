#include "module/filter_chain_config.h"

#include "config/config_loader.h"
#include "module/host_api.h"

namespace switchyard::module {

namespace {

std::shared_ptr<const FilterConfig> createFilterConfig(const std::shared_ptr<LoadedModule>& module,
                                                       const google::protobuf::Struct* config,
                                                       const std::string& filter_name, const std::string& context,
                                                       std::vector<std::string>* errors) {
  std::string json = config != nullptr ? config::structToJson(*config) : "{}";
  sy_config_context metrics_context{filter_name};
  std::string error;
  auto created = FilterConfig::create(module, json, &metrics_context, context, &error);
  if (!created) errors->push_back(error);
  return created;
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
    auto config = createFilterConfig(module, filter_proto.has_config() ? &filter_proto.config() : nullptr,
                                     filter_proto.name(), context, errors);
    chain->filters_.push_back(FilterSlot{filter_proto.name(), config});
    if (module->asksForRequestReplay()) chain->request_replay_buffer_bytes_ = listener.request_replay_buffer_limit;
  }

  for (const auto& vhost : proto.virtual_hosts()) {
    for (int ri = 0; ri < vhost.routes_size(); ++ri) {
      const config::Route& route = vhost.routes(ri);
      std::string route_name = route.name().empty() ? vhost.name() + "/" + std::to_string(ri) : route.name();
      auto& overrides = chain->route_overrides_.emplace_back(chain->filters_.size());
      for (const auto& [filter_name, config_struct] : route.filter_overrides()) {
        for (size_t fi = 0; fi < chain->filters_.size(); ++fi) {
          if (chain->filters_[fi].name != filter_name || !modules[fi]) continue;
          std::string context = listener_context + ": route '" + route_name + "': filter_overrides." + filter_name;
          overrides[fi] = createFilterConfig(modules[fi], &config_struct, filter_name, context, errors);
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
