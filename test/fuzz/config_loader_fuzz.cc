// config::loadConfigText on hostile text, read both as YAML and as JSON; a
// config that loads is compiled as the proxy compiles it (ProxyConfig and
// each listener's RouteTable). Besides ASan and UBSan it checks that a load
// either gives a Bootstrap or reports errors, never both or neither, that
// every error names the source it was given, and that validation let no
// route name a cluster that does not exist.
#include <string>
#include <string_view>

#include "config/config_loader.h"
#include "config/proxy_config.h"
#include "fuzz_support.h"
#include "router/route_table.h"

namespace switchyard::fuzz {
namespace {

void loadAs(std::string_view text, const std::string& source, config::ConfigFormat format) {
  config::LoadedConfig loaded = config::loadConfigText(text, source, format);
  SY_FUZZ_CHECK(loaded.ok() == (loaded.bootstrap != nullptr));
  for (const std::string& error : loaded.errors) SY_FUZZ_CHECK(error.starts_with(source + ":"));
  if (!loaded.ok()) return;
  auto proxy = config::compileProxyConfig(loaded.bootstrap);
  for (const auto& listener : proxy->listeners) {
    router::RouteTable routes(*listener->proto);
    for (size_t id = 0; id < routes.routeCount(); ++id) {
      SY_FUZZ_CHECK(proxy->findCluster(routes.route(id).cluster) != nullptr);
    }
  }
}

}  // namespace
}  // namespace switchyard::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace switchyard;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::loadAs(text, "fuzz.yaml", config::ConfigFormat::kYaml);
  fuzz::loadAs(text, "fuzz.json", config::ConfigFormat::kJson);
  return 0;
}
