#include "module/module_loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>

namespace switchyard::module {

namespace {

// The fields every ABI 1.x module table must have, through config_destroy.
constexpr size_t kMinimumTableSize = offsetof(sy_filter_module, config_destroy) + sizeof(void*);

bool isFile(const std::string& path) {
  struct stat info{};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

bool validModuleName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string failure(LoadError kind, LoadError* kind_out, const std::string& context, const std::string& detail) {
  if (kind_out != nullptr) *kind_out = kind;
  return context + ": " + loadErrorMessage(kind) + " (" + loadErrorName(kind) + "): " + detail;
}

}  // namespace

LoadedModule::~LoadedModule() {
  if (table != nullptr && table->module_shutdown != nullptr) table->module_shutdown();
  if (dl_handle != nullptr) dlclose(dl_handle);
}

ModuleLoader::ModuleLoader(std::vector<std::string> search_path, const sy_host_api* host)
    : search_path_(std::move(search_path)), host_(host) {}

std::vector<std::string> ModuleLoader::defaultSearchPath() {
  std::vector<std::string> dirs;
  char exe[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length > 0) {
    std::string path(exe, size_t(length));
    std::string dir = path.substr(0, path.rfind('/'));
    dirs.push_back(dir + "/../modules");
  }
  dirs.push_back(SY_MODULE_INSTALL_DIR);
  return dirs;
}

std::shared_ptr<LoadedModule> ModuleLoader::load(const std::string& module_name, const std::string& explicit_path,
                                                 const std::string& context, std::string* error,
                                                 LoadError* kind) {
  if (!explicit_path.empty()) {
    if (!isFile(explicit_path)) {
      *error = failure(LoadError::kNotFound, kind, context, "no file at " + explicit_path);
      return nullptr;
    }
    return open(explicit_path, context, error, kind);
  }
  if (!validModuleName(module_name)) {
    *error = failure(LoadError::kNotFound, kind, context,
                     "invalid module name '" + module_name + "' (use lowercase letters, digits, '_' and '-')");
    return nullptr;
  }
  std::string searched;
  for (const auto& dir : search_path_) {
    for (const std::string& candidate : {dir + "/" + module_name + ".so",
                                         dir + "/" + module_name + "/" + module_name + ".so"}) {
      if (isFile(candidate)) return open(candidate, context, error, kind);
    }
    searched += (searched.empty() ? "" : ", ") + dir;
  }
  *error = failure(LoadError::kNotFound, kind, context,
                   "module '" + module_name + "' (" + module_name + ".so) not in: " + searched);
  return nullptr;
}

std::shared_ptr<LoadedModule> ModuleLoader::open(const std::string& path, const std::string& context,
                                                 std::string* error, LoadError* kind) {
  char resolved[PATH_MAX];
  std::string real = realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
  std::lock_guard lock(mutex_);
  if (auto it = by_path_.find(real); it != by_path_.end()) return it->second;

  void* handle = dlopen(real.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    *error = failure(LoadError::kOpenFailed, kind, context, reason != nullptr ? reason : real);
    return nullptr;
  }
  auto module = std::make_shared<LoadedModule>();
  module->path = real;
  module->dl_handle = handle;
  auto entry = reinterpret_cast<sy_module_entry_fn>(dlsym(handle, SY_MODULE_ENTRY_SYMBOL));
  if (entry == nullptr) {
    *error = failure(LoadError::kNoEntrySymbol, kind, context, real + " does not export " SY_MODULE_ENTRY_SYMBOL);
    return nullptr;
  }
  const sy_filter_module* table = entry(host_);
  if (table == nullptr || table->size < kMinimumTableSize || table->name == nullptr) {
    *error = failure(LoadError::kBadTable, kind, context,
                     real + (table == nullptr ? ": entry returned no table"
                                              : ": table too small or unnamed for ABI 1.0"));
    return nullptr;
  }
  std::string host_version = std::to_string(SY_ABI_VERSION_MAJOR) + "." + std::to_string(SY_ABI_VERSION_MINOR);
  if (table->abi.major != SY_ABI_VERSION_MAJOR) {
    *error = failure(LoadError::kAbiMismatch, kind, context,
                     "module " + std::string(table->name) + " (" + real + ") needs ABI " +
                         std::to_string(table->abi.major) + ".x, host has " + host_version);
    return nullptr;
  }
  if (table->abi.minor > SY_ABI_VERSION_MINOR) {
    *error = failure(LoadError::kAbiMismatch, kind, context,
                     "module " + std::string(table->name) + " (" + real + ") needs ABI " +
                         std::to_string(table->abi.major) + "." + std::to_string(table->abi.minor) +
                         ", host has only " + host_version);
    return nullptr;
  }
  if (table->config_new == nullptr || table->config_destroy == nullptr) {
    *error = failure(LoadError::kBadTable, kind, context,
                     real + ": required hooks config_new and config_destroy must be set");
    return nullptr;
  }
  if (table->module_init != nullptr) {
    char message[1024] = "";
    if (table->module_init(message, sizeof message) != SY_OK) {
      message[sizeof message - 1] = '\0';
      *error = failure(LoadError::kInitFailed, kind, context, real + ": " + message);
      return nullptr;
    }
  }
  module->table = table;
  module->name = table->name;
  module->version = table->version != nullptr ? table->version : "";
  module->abi = table->abi;
  by_path_.emplace(real, module);
  return module;
}

std::vector<ModuleInfo> ModuleLoader::loadedModules() const {
  std::lock_guard lock(mutex_);
  std::vector<ModuleInfo> list;
  for (const auto& [path, module] : by_path_) list.push_back(ModuleInfo{module->name, module->version, path, module->abi});
  return list;
}

}  // namespace switchyard::module
