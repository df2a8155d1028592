#include "module/filter_config.h"

namespace switchyard::module {

std::shared_ptr<const FilterConfig> FilterConfig::create(std::shared_ptr<LoadedModule> module, std::string_view json,
                                                         sy_config_context* context, const std::string& error_context,
                                                         std::string* error) {
  void* config = nullptr;
  char message[1024] = "";
  sy_result result =
      module->table->config_new(context, sy_slice{json.data(), json.size()}, &config, message, sizeof message);
  if (result != SY_OK) {
    message[sizeof message - 1] = '\0';
    *error = error_context + ": " + loadErrorMessage(LoadError::kConfigRejected) + " (" +
             loadErrorName(LoadError::kConfigRejected) + "): module " + module->name + ": " +
             (message[0] != '\0' ? message : "no reason given");
    return nullptr;
  }
  return std::shared_ptr<const FilterConfig>(new FilterConfig(std::move(module), config));
}

FilterConfig::~FilterConfig() { module_->table->config_destroy(config_); }

}  // namespace switchyard::module
