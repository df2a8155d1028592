// ModuleLoader: finds filter modules on the search path, dlopens them,
// checks their ABI and table, runs module_init, and keeps them loaded for as
// long as any config uses them. Failures name the file and the config
// context and never crash the host.
#pragma once

#include <switchyard/filter.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "module/load_errors.h"

namespace switchyard::module {

// One loaded shared object, shared by every listener that names it.
struct LoadedModule {
  std::string name;
  std::string version;
  std::string path;
  sy_abi_version abi{};
  const sy_filter_module* table = nullptr;  // module-owned, static
  void* dl_handle = nullptr;
  ~LoadedModule();
};

struct ModuleInfo {
  std::string name, version, path;
  sy_abi_version abi;
};

class ModuleLoader {
 public:
  ModuleLoader(std::vector<std::string> search_path, const sy_host_api* host);

  // `context` starts every error, e.g. "demo.yaml: listeners[0] 'edge':
  // filters[1] 'headers'". Returns null and fills *error (and *kind) on failure.
  std::shared_ptr<LoadedModule> load(const std::string& module_name, const std::string& explicit_path,
                                     const std::string& context, std::string* error,
                                     LoadError* kind = nullptr);
  std::vector<ModuleInfo> loadedModules() const;
  // <dir of the executable>/../modules (the build tree), then the install dir.
  static std::vector<std::string> defaultSearchPath();

 private:
  std::shared_ptr<LoadedModule> open(const std::string& path, const std::string& context, std::string* error,
                                     LoadError* kind);

  std::vector<std::string> search_path_;
  const sy_host_api* host_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<LoadedModule>> by_path_;
};

}  // namespace switchyard::module
