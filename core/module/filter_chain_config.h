// FilterChainConfig: one listener's filters as the modules built them — the
// listener-level config of each filter, each route's override of it, and
// whether the listener's streams must keep their request for replay.
// Immutable once built and shared read-only by every worker.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/proxy_config.h"
#include "module/filter_config.h"
#include "module/module_loader.h"

namespace switchyard::module {

struct FilterSlot {
  std::string name;  // the listener's name for it (stats prefix, override key)
  std::shared_ptr<const FilterConfig> listener_config;
};

class FilterChainConfig {
 public:
  // Loads every module the listener names and creates their configs, the
  // routes' overrides included. On failure returns null and appends one
  // message per problem, each starting with `source` (the config file).
  static std::unique_ptr<const FilterChainConfig> build(const config::ListenerConfig& listener,
                                                        const std::string& source, ModuleLoader& loader,
                                                        std::vector<std::string>* errors);

  size_t size() const { return filters_.size(); }
  const FilterSlot& slot(size_t filter_index) const { return filters_[filter_index]; }
  // The config a stream on route `route_id` (kNoRoute: none matched) hands
  // to filter `filter_index`: the route's override, else the listener's.
  static constexpr size_t kNoRoute = size_t(-1);
  const FilterConfig& effectiveConfig(size_t route_id, size_t filter_index) const;
  // Nonzero when a filter asks for request replay: the most request body a
  // stream keeps so that an attempt can be sent again.
  size_t requestReplayBufferBytes() const { return request_replay_buffer_bytes_; }

 private:
  std::vector<FilterSlot> filters_;
  // route_overrides_[route id][filter index]: the route's config for that
  // filter, or null to use the listener's. Route ids number the routes in
  // config order across virtual hosts, as router::RouteTable does.
  std::vector<std::vector<std::shared_ptr<const FilterConfig>>> route_overrides_;
  size_t request_replay_buffer_bytes_ = 0;
};

}  // namespace switchyard::module
