// Each filter module of this tree (retry, timeout, headers, breaker, fault, tracing) loaded as the
// proxy loads it, with the core's host table, and handed hostile configs
// through config_new: the input is a listener's filter config, and when it
// holds a NUL byte, what follows is a route's override, merged into it as
// the core merges filter_overrides. Only JSON objects are tried: the core
// never hands a module anything else.
//
// Besides ASan, UBSan and LeakSanitizer (config_destroy must free what
// config_new built, and a rejected config must leave nothing behind) it
// checks that a config is either created or rejected with a message that
// names its context, never both or neither.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/struct_merge.h"
#include "fuzz_support.h"
#include "module/config_access.h"
#include "module/filter_config.h"
#include "module/host_api.h"
#include "module/module_loader.h"

namespace switchyard::fuzz {
namespace {

constexpr const char* kModuleNames[] = {"retry", "timeout", "headers", "breaker", "fault", "tracing"};

std::vector<std::shared_ptr<module::LoadedModule>> loadModules() {
  static module::ModuleLoader loader({SY_MODULE_BUILD_DIR}, module::hostApi());
  std::vector<std::shared_ptr<module::LoadedModule>> modules;
  for (const char* name : kModuleNames) {
    std::string error;
    auto loaded = loader.load(name, "", std::string("fuzz: ") + name, &error);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::abort();
    }
    modules.push_back(std::move(loaded));
  }
  return modules;
}

bool parseObject(std::string_view json, google::protobuf::Struct* out) {
  return google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(json.data(), json.size()), out)
      .ok();
}

void createAndCheck(const std::shared_ptr<module::LoadedModule>& module, module::ConfigAccess& access,
                    const std::string& context) {
  sy_config_context config_context{module->name, &access};
  std::string error;
  auto created = module::FilterConfig::create(module, &config_context, context, &error);
  SY_FUZZ_CHECK((created == nullptr) != error.empty());
  if (!created) SY_FUZZ_CHECK(error.starts_with(context + ": "));
}

}  // namespace
}  // namespace switchyard::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace switchyard;
  static const auto modules = fuzz::loadModules();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  google::protobuf::Struct listener_config;
  if (!fuzz::parseObject(input.substr(0, split), &listener_config)) return 0;
  google::protobuf::Struct route_override;
  bool has_override = split != std::string_view::npos && fuzz::parseObject(input.substr(split + 1), &route_override);
  google::protobuf::Struct merged;
  if (has_override) merged = config::mergeStructs(listener_config, route_override);

  for (const auto& loaded : modules) {
    module::ConfigAccess access(listener_config, "fuzz.yaml: listeners[0].filters[0].config");
    fuzz::createAndCheck(loaded, access, "fuzz.yaml: listeners[0] 'fuzz': filters[0] '" + loaded->name + "'");
    if (!has_override) continue;
    module::ConfigAccess override_access(merged, "fuzz.yaml: listeners[0].filters[0].config", route_override,
                                         "fuzz.yaml: listeners[0].virtual_hosts[0].routes[0].filter_overrides");
    fuzz::createAndCheck(loaded, override_access, "fuzz.yaml: listeners[0] 'fuzz': route 'r': filter_overrides");
  }
  return 0;
}
