#include "server/admin_endpoints.h"

#include <map>
#include <set>

#include "access_log/access_log_format.h"
#include "admin/query_params.h"
#include "common/log.h"
#include "common/runtime_values.h"
#include "config/config_dump.h"

namespace switchyard::server {

namespace {

using admin::AdminResponse;

std::string jsonString(std::string_view text) {
  std::string out;
  access_log::appendJsonString(text, out);
  return out;
}

std::string modulesJson(const module::ModuleLoader& loader, const ServingConfig& serving) {
  // Module path → names of the listeners with a filter of it, in config order.
  std::map<std::string, std::vector<std::string>> listeners_by_path;
  for (const auto& listener : serving.listeners) {
    std::set<std::string> paths;
    for (size_t i = 0; i < listener.filters->size(); ++i) {
      paths.insert(listener.filters->slot(i).listener_config->module()->path);
    }
    for (const auto& path : paths) listeners_by_path[path].push_back(listener.config->name);
  }
  std::string json = "[";
  for (const auto& info : loader.loadedModules()) {
    if (json.size() > 1) json += ",";
    json += "{\"name\":" + jsonString(info.name) + ",\"version\":" + jsonString(info.version) + ",\"abi\":\"" +
            std::to_string(info.abi.major) + "." + std::to_string(info.abi.minor) +
            "\",\"path\":" + jsonString(info.path) + ",\"listeners\":[";
    const auto& listeners = listeners_by_path[info.path];
    for (size_t i = 0; i < listeners.size(); ++i) {
      if (i > 0) json += ",";
      json += jsonString(listeners[i]);
    }
    json += "]}";
  }
  return json + "]\n";
}

AdminResponse setLogLevel(std::string_view query) {
  auto params = admin::parseQuery(query);
  if (!params || params->size() != 1 || params->front().first != "level") {
    return {400, "give one parameter: POST /logging?level=trace|debug|info|warn|error|off\n"};
  }
  auto level = log::parseLevel(params->front().second);
  if (!level) return {400, "unknown level '" + params->front().second + "': trace, debug, info, warn, error or off\n"};
  log::setLevel(*level);
  SY_LOG(kInfo, "admin: log level set to %s", params->front().second.c_str());
  return {200, "level: " + std::string(log::levelName(*level)) + "\n"};
}

AdminResponse runtimeJson() {
  auto snapshot = common::RuntimeValues::global().snapshot();
  std::string json = "{";
  for (const auto& [key, value] : *snapshot) {
    if (json.size() > 1) json += ",";
    json += jsonString(key) + ":" + jsonString(value);
  }
  return {200, json + "}\n"};
}

AdminResponse modifyRuntime(std::string_view query) {
  auto params = admin::parseQuery(query);
  if (!params) return {400, "malformed %-escape in the query\n"};
  if (params->empty()) return {400, "give keys to set: POST /runtime_modify?key1=value1&key2= (empty removes)\n"};
  for (const auto& [key, value] : *params) {
    if (key.empty()) return {400, "empty key\n"};
  }
  for (const auto& [key, value] : *params) common::RuntimeValues::global().set(key, value);
  return {200, "OK\n"};
}

}  // namespace

void addServerEndpoints(admin::AdminHandlers& handlers, const ServerAdminState& state) {
  handlers.add({"GET", "/ready", "text/plain",
                "200 LIVE while serving; 503 DRAINING once a drain began, HEALTHCHECK_FAILED after "
                "POST /healthcheck/fail",
                [state](std::string_view) {
                  if (state.draining()) return AdminResponse{503, "DRAINING\n"};
                  if (*state.healthcheck_failed) return AdminResponse{503, "HEALTHCHECK_FAILED\n"};
                  return AdminResponse{200, "LIVE\n"};
                }});
  handlers.add({"POST", "/healthcheck/fail", "text/plain",
                "make /ready answer 503 so that load balancers drain traffic away (serving goes on)",
                [state](std::string_view) {
                  *state.healthcheck_failed = true;
                  SY_LOG(kInfo, "admin: health check failed by the operator; /ready answers 503");
                  return AdminResponse{200, "OK\n"};
                }});
  handlers.add({"POST", "/healthcheck/ok", "text/plain", "undo /healthcheck/fail",
                [state](std::string_view) {
                  *state.healthcheck_failed = false;
                  SY_LOG(kInfo, "admin: health check restored; /ready answers 200");
                  return AdminResponse{200, "OK\n"};
                }});
  handlers.add({"GET", "/modules", "application/json",
                "the loaded filter modules: name, version, ABI, path, the listeners using each",
                [state](std::string_view) {
                  return AdminResponse{200, modulesJson(*state.loader, *state.serving)};
                }});
  handlers.add({"GET", "/logging", "text/plain", "the log level", [](std::string_view) {
                  return AdminResponse{200, "level: " + std::string(log::levelName(log::level())) + "\n"};
                }});
  handlers.add({"POST", "/logging", "text/plain", "?level=trace|debug|info|warn|error|off sets the log level",
                &setLogLevel});
  handlers.add({"GET", "/runtime", "application/json", "every runtime key and value (filters read them)",
                [](std::string_view) { return runtimeJson(); }});
  handlers.add({"POST", "/runtime_modify", "text/plain", "?key1=value1&key2= sets runtime keys (empty removes)",
                &modifyRuntime});
  handlers.add({"GET", "/config_dump", "application/json", "the loaded config as JSON, secrets redacted",
                [state](std::string_view) {
                  return AdminResponse{200, config::redactedConfigJson(*state.serving->proxy->bootstrap)};
                }});
}

}  // namespace switchyard::server
