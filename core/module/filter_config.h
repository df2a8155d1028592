// FilterConfig: one module config object (from config_new), immutable and
// shared by every worker; config_destroy runs when the last user lets go.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "module/module_loader.h"

namespace switchyard::module {

class FilterConfig {
 public:
  // Null with *error ("<context>: the module rejected its config ...: <the
  // module's message>") when config_new fails.
  static std::shared_ptr<const FilterConfig> create(std::shared_ptr<LoadedModule> module, std::string_view json,
                                                    sy_config_context* context, const std::string& error_context,
                                                    std::string* error);
  ~FilterConfig();
  FilterConfig(const FilterConfig&) = delete;
  FilterConfig& operator=(const FilterConfig&) = delete;

  const std::shared_ptr<LoadedModule>& module() const { return module_; }
  const void* config() const { return config_; }

 private:
  FilterConfig(std::shared_ptr<LoadedModule> module, void* config) : module_(std::move(module)), config_(config) {}
  std::shared_ptr<LoadedModule> module_;
  void* config_;
};

}  // namespace switchyard::module
