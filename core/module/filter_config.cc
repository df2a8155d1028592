#include "module/filter_config.h"

namespace switchyard::module {

namespace {

// config_new writes its reason here; longer reasons are cut.
constexpr size_t kConfigErrorCapacity = 1024;

}  // namespace

std::shared_ptr<const FilterConfig> FilterConfig::create(std::shared_ptr<LoadedModule> module, std::string_view json,
                                                         sy_config_context* context, const std::string& error_context,
                                                         std::string* error) {
  void* config = nullptr;
  char reason[kConfigErrorCapacity] = "";
  sy_result result =
      module->table->config_new(context, sy_slice{json.data(), json.size()}, &config, reason, sizeof reason);
  if (result != SY_OK) {
    reason[sizeof reason - 1] = '\0';
    *error = formatLoadError(LoadError::kConfigRejected, error_context,
                             "module '" + module->name + "' (" + module->path +
                                 "): " + (reason[0] != '\0' ? reason : "no reason given"));
    return nullptr;
  }
  return std::shared_ptr<const FilterConfig>(new FilterConfig(std::move(module), config));
}

FilterConfig::~FilterConfig() { module_->table->config_destroy(config_); }

}  // namespace switchyard::module
