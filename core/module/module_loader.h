// ModuleLoader: finds filter modules on the search path, dlopens them, checks
// their ABI version and table, runs module_init, and keeps each one loaded
// for as long as any config uses it. Every failure is a LoadError message
// that names the config context and the file; a broken module never crashes
// the host.
#pragma once

#include <switchyard/filter.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "module/module_report.h"
#include "module/load_errors.h"

namespace switchyard::module {

// One dlopen'ed module, shared by every listener and route that uses it.
// Destroyed when the last user lets go: module_shutdown, then dlclose.
struct LoadedModule {
  std::string name;     // from the module's table, e.g. "headers"
  std::string version;  // from the module's table; empty when it gives none
  std::string path;     // the resolved real path of the shared object
  sy_abi_version abi{};
  // The module's table as the host reads it: a host-owned copy, zero past
  // the module's own `size`, so a hook that the module's ABI minor predates
  // reads as NULL ("not implemented") instead of past the end of its struct.
  // `table->size` is still the module's, for SY_HAS_FIELD.
  const sy_filter_module* table = &table_copy_;

  // Streams of a listener with this module keep their request for replay:
  // the module sets SY_CAPABILITY_REQUEST_REPLAY, or was built against ABI
  // 1.1 (where implementing attempt_finished implied it) and implements it.
  bool asksForRequestReplay() const {
    if (table->capabilities & SY_CAPABILITY_REQUEST_REPLAY) return true;
    return abi.minor < 2 && table->attempt_finished != nullptr;
  }

  ~LoadedModule();
  LoadedModule(const LoadedModule&) = delete;
  LoadedModule& operator=(const LoadedModule&) = delete;

 private:
  friend class ModuleLoader;
  explicit LoadedModule(void* dl_handle) : dl_handle_(dl_handle) {}

  void* dl_handle_;
  sy_filter_module table_copy_{};
  bool initialized_ = false;  // module_init succeeded, so module_shutdown is owed
};

// What the admin /modules endpoint shows.
struct ModuleInfo {
  std::string name, version, path;
  sy_abi_version abi;
};

class ModuleLoader {
 public:
  // `host` is handed to every module's entry symbol and must outlive every
  // module this loader loads.
  ModuleLoader(std::vector<std::string> search_path, const sy_host_api* host);

  // Loads `explicit_path` when it is not empty, else searches each directory
  // for <module_name>.so, then <module_name>/<module_name>.so (the build
  // tree's layout). A file already loaded (same real path) is returned from
  // the cache, so listeners share one module and a config reload with the
  // same loader reuses it; a changed file on disk needs a restart.
  // On failure returns null and sets *error to "<context>: <message>
  // (<name>): <detail>" (context e.g. "demo.yaml: listeners[0] 'edge':
  // filters[1] 'headers'") and, when given, *kind.
  std::shared_ptr<LoadedModule> load(const std::string& module_name, const std::string& explicit_path,
                                     const std::string& context, std::string* error,
                                     LoadError* kind = nullptr);

  // Every module loaded so far, ordered by name.
  std::vector<ModuleInfo> loadedModules() const;
  // What each loaded module with a cluster_report hook says about
  // `cluster` (ABI 1.3), ordered by module name; modules that add nothing
  // are left out. Runs the hooks on the calling (control) thread.
  std::vector<ModuleClusterReport> reportCluster(std::string_view cluster) const;

  // <dir of /proc/self/exe>/../modules (the build tree), then the install
  // directory SY_MODULE_INSTALL_DIR.
  static std::vector<std::string> defaultSearchPath();

 private:
  std::shared_ptr<LoadedModule> open(const std::string& module_name, const std::string& path,
                                     const std::string& context, std::string* error, LoadError* kind);

  const std::vector<std::string> search_path_;
  const sy_host_api* const host_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<LoadedModule>> by_real_path_;
};

}  // namespace switchyard::module
