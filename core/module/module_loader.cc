#include "module/module_loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>

namespace switchyard::module {

namespace {

// Every table starts with size and abi, whatever its major; they are read
// before anything else so that a module of another major gets an ABI
// message rather than a complaint about its layout.
constexpr size_t kTableHeaderSize = offsetof(sy_filter_module, abi) + sizeof(sy_abi_version);
// An ABI 1.x table must reach at least through the required config hooks.
constexpr size_t kMinimumTableSize =
    offsetof(sy_filter_module, config_destroy) + sizeof(sy_filter_module::config_destroy);
// module_init writes its reason here; longer reasons are cut.
constexpr size_t kInitErrorCapacity = 1024;

bool isRegularFile(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// Names become file names, so anything that could walk the file system
// ("../x", "/x", "a/b") is refused before the search.
bool validModuleName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string abiText(sy_abi_version abi) { return std::to_string(abi.major) + "." + std::to_string(abi.minor); }

std::string realPathOf(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

std::shared_ptr<LoadedModule> fail(LoadError error, const std::string& context, const std::string& detail,
                                   std::string* error_out, LoadError* kind_out) {
  *error_out = formatLoadError(error, context, detail);
  if (kind_out != nullptr) *kind_out = error;
  return nullptr;
}

}  // namespace

LoadedModule::~LoadedModule() {
  if (initialized_ && table->module_shutdown != nullptr) table->module_shutdown();
  dlclose(dl_handle_);
}

ModuleLoader::ModuleLoader(std::vector<std::string> search_path, const sy_host_api* host)
    : search_path_(std::move(search_path)), host_(host) {}

std::vector<std::string> ModuleLoader::defaultSearchPath() {
  std::vector<std::string> dirs;
  char executable[PATH_MAX];
  ssize_t length = ::readlink("/proc/self/exe", executable, sizeof executable - 1);
  if (length > 0) {
    std::filesystem::path exe(std::string(executable, size_t(length)));
    dirs.push_back((exe.parent_path() / ".." / "modules").lexically_normal().string());
  }
  dirs.push_back(SY_MODULE_INSTALL_DIR);
  return dirs;
}

std::shared_ptr<LoadedModule> ModuleLoader::load(const std::string& module_name, const std::string& explicit_path,
                                                 const std::string& context, std::string* error,
                                                 LoadError* kind) {
  if (!explicit_path.empty()) {
    if (!isRegularFile(explicit_path)) {
      return fail(LoadError::kNotFound, context, "module '" + module_name + "': no file at " + explicit_path,
                  error, kind);
    }
    return open(module_name, explicit_path, context, error, kind);
  }
  if (!validModuleName(module_name)) {
    return fail(LoadError::kInvalidName, context, "'" + module_name + "'", error, kind);
  }
  std::string searched;
  for (const auto& dir : search_path_) {
    for (const std::string& candidate :
         {dir + "/" + module_name + ".so", dir + "/" + module_name + "/" + module_name + ".so"}) {
      if (isRegularFile(candidate)) return open(module_name, candidate, context, error, kind);
    }
    searched += (searched.empty() ? "" : ", ") + dir;
  }
  return fail(LoadError::kNotFound, context,
              "no " + module_name + ".so or " + module_name + "/" + module_name + ".so in " +
                  (searched.empty() ? "an empty search path" : searched) +
                  " (add a directory with --module-path or module_paths, or give the filter a path)",
              error, kind);
}

std::shared_ptr<LoadedModule> ModuleLoader::open(const std::string& module_name, const std::string& path,
                                                 const std::string& context, std::string* error,
                                                 LoadError* kind) {
  const std::string real_path = realPathOf(path);
  const std::string module = "module '" + module_name + "' (" + real_path + ")";
  std::lock_guard lock(mutex_);
  if (auto cached = by_real_path_.find(real_path); cached != by_real_path_.end()) return cached->second;

  void* handle = dlopen(real_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return fail(LoadError::kOpenFailed, context, module + ": " + (reason != nullptr ? reason : "unknown reason"),
                error, kind);
  }
  // From here on, dropping `loaded` on a failure path closes the handle.
  std::shared_ptr<LoadedModule> loaded(new LoadedModule(handle));
  loaded->path = real_path;

  auto entry = reinterpret_cast<sy_module_entry_fn>(dlsym(handle, SY_MODULE_ENTRY_SYMBOL));
  if (entry == nullptr) {
    return fail(LoadError::kNoEntrySymbol, context, module + " does not export " SY_MODULE_ENTRY_SYMBOL, error,
                kind);
  }
  const sy_filter_module* table = entry(host_);
  if (table == nullptr) {
    return fail(LoadError::kBadTable, context, module + ": " SY_MODULE_ENTRY_SYMBOL " returned NULL", error, kind);
  }
  if (table->size < kTableHeaderSize) {
    return fail(LoadError::kBadTable, context,
                module + ": table size " + std::to_string(table->size) + " is too small to hold its ABI version",
                error, kind);
  }
  const sy_abi_version host_abi{SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR};
  if (table->abi.major != host_abi.major) {
    return fail(LoadError::kAbiMismatch, context,
                module + " needs ABI " + std::to_string(table->abi.major) + ".x, host has " + abiText(host_abi),
                error, kind);
  }
  if (table->abi.minor > host_abi.minor) {
    return fail(LoadError::kAbiMismatch, context,
                module + " needs ABI " + abiText(table->abi) + ", host has " + abiText(host_abi) +
                    " (a module built against a newer minor needs a newer switchyard)",
                error, kind);
  }
  if (table->size < kMinimumTableSize) {
    return fail(LoadError::kBadTable, context,
                module + ": table size " + std::to_string(table->size) + " is smaller than the " +
                    std::to_string(kMinimumTableSize) + " bytes every ABI 1.x table has",
                error, kind);
  }
  if (table->name == nullptr || table->name[0] == '\0') {
    return fail(LoadError::kBadTable, context, module + ": the table has no name", error, kind);
  }
  for (auto [hook, present] : {std::pair{"config_new", table->config_new != nullptr},
                               std::pair{"config_destroy", table->config_destroy != nullptr}}) {
    if (!present) {
      return fail(LoadError::kBadTable, context, module + ": required hook " + hook + " is NULL", error, kind);
    }
  }

  std::memcpy(&loaded->table_copy_, table, std::min<size_t>(table->size, sizeof(sy_filter_module)));
  loaded->name = table->name;
  loaded->version = table->version != nullptr ? table->version : "";
  loaded->abi = table->abi;

  if (table->module_init != nullptr) {
    char reason[kInitErrorCapacity] = "";
    if (table->module_init(reason, sizeof reason) != SY_OK) {
      reason[sizeof reason - 1] = '\0';
      return fail(LoadError::kInitFailed, context, module + ": " + (reason[0] != '\0' ? reason : "no reason given"),
                  error, kind);
    }
  }
  loaded->initialized_ = true;
  by_real_path_.emplace(real_path, loaded);
  return loaded;
}

std::vector<ModuleInfo> ModuleLoader::loadedModules() const {
  std::lock_guard lock(mutex_);
  std::vector<ModuleInfo> modules;
  for (const auto& [path, loaded] : by_real_path_) {
    modules.push_back(ModuleInfo{loaded->name, loaded->version, path, loaded->abi});
  }
  std::stable_sort(modules.begin(), modules.end(),
                   [](const ModuleInfo& a, const ModuleInfo& b) { return a.name < b.name; });
  return modules;
}

std::vector<ModuleClusterReport> ModuleLoader::reportCluster(std::string_view cluster) const {
  std::lock_guard lock(mutex_);
  std::vector<ModuleClusterReport> reports;
  for (const auto& [path, loaded] : by_real_path_) {
    if (loaded->table->cluster_report == nullptr) continue;
    sy_report report;
    loaded->table->cluster_report(sy_slice{cluster.data(), cluster.size()}, &report);
    if (!report.fields.empty()) reports.push_back(ModuleClusterReport{loaded->name, std::move(report.fields)});
  }
  std::stable_sort(reports.begin(), reports.end(),
                   [](const ModuleClusterReport& a, const ModuleClusterReport& b) { return a.module < b.module; });
  return reports;
}

}  // namespace switchyard::module
