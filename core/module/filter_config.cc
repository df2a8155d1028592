#include "module/filter_config.h"

#include "config/config_loader.h"

namespace switchyard::module {

namespace {

// config_new writes its reason here; longer reasons are cut.
constexpr size_t kConfigErrorCapacity = 1024;

}  // namespace

std::shared_ptr<const FilterConfig> FilterConfig::create(std::shared_ptr<LoadedModule> module,
                                                         sy_config_context* context, const std::string& error_context,
                                                         std::string* error) {
  std::string json = config::structToJson(context->config->config());
  void* config = nullptr;
  char reason[kConfigErrorCapacity] = "";
  sy_result result =
      module->table->config_new(context, sy_slice{json.data(), json.size()}, &config, reason, sizeof reason);
  const std::vector<std::string>& recorded = context->config->errors();
  if (result == SY_OK && recorded.empty()) {
    return std::shared_ptr<const FilterConfig>(new FilterConfig(std::move(module), config));
  }
  if (result == SY_OK) module->table->config_destroy(config);
  reason[sizeof reason - 1] = '\0';
  std::string detail = "module '" + module->name + "' (" + module->path + "):";
  if (recorded.empty()) {
    detail += std::string(" ") + (reason[0] != '\0' ? reason : "no reason given");
  } else {
    for (const auto& line : recorded) detail += "\n  " + line;
    if (reason[0] != '\0') detail += std::string("\n  ") + reason;
  }
  *error = formatLoadError(LoadError::kConfigRejected, error_context, detail);
  return nullptr;
}

FilterConfig::~FilterConfig() { module_->table->config_destroy(config_); }

}  // namespace switchyard::module
