// FilterConfig: one module config object (from config_new). It is immutable
// once created and shared read-only by every worker; config_destroy runs
// when the last listener, route or in-flight stream lets go of it.
#pragma once

#include <switchyard/filter.h>

#include <memory>
#include <string>

#include "module/config_access.h"
#include "module/module_loader.h"

namespace switchyard::module {

class FilterConfig {
 public:
  // Hands the config of `context` (which the caller fills in and which
  // need only live for this call) to the module's config_new: as typed
  // access, and as JSON text for modules built against ABI 1.0/1.1. On
  // rejection returns null and sets *error to "<error_context>: the module
  // rejected its config (config_rejected): module '<name>' (<path>): " and
  // then the module's message, or, when typed reads or the module recorded
  // errors on the context, each of them on a line of its own (indented),
  // followed by the module's message if it wrote one. Recorded errors
  // reject a config even when config_new returned SY_OK.
  static std::shared_ptr<const FilterConfig> create(std::shared_ptr<LoadedModule> module,
                                                    sy_config_context* context, const std::string& error_context,
                                                    std::string* error);
  ~FilterConfig();
  FilterConfig(const FilterConfig&) = delete;
  FilterConfig& operator=(const FilterConfig&) = delete;

  // The module stays loaded at least as long as this config.
  const std::shared_ptr<LoadedModule>& module() const { return module_; }
  // Module-owned; what stream_new receives.
  const void* config() const { return config_; }

 private:
  FilterConfig(std::shared_ptr<LoadedModule> module, void* config) : module_(std::move(module)), config_(config) {}

  const std::shared_ptr<LoadedModule> module_;
  void* const config_;
};

}  // namespace switchyard::module
