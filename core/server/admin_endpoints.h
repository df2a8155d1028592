// The admin endpoints the server itself serves (other folders add theirs:
// stats, clusters): readiness and the health check switch, the loaded
// modules and the listeners using them, the log level, the runtime
// key/value store, and the effective config.
//
//   GET  /ready               200 LIVE; 503 DRAINING or HEALTHCHECK_FAILED
//   POST /healthcheck/fail    /ready answers 503 (drain traffic away, as
//   POST /healthcheck/ok      Envoy does); ok undoes it. Serving goes on.
//   GET  /modules             JSON: each module and the listeners using it
//   GET  /logging             the log level; POST /logging?level=L sets it
//   GET  /runtime             JSON of every runtime key and value
//   POST /runtime_modify?k=v  sets keys (an empty value removes one)
//   GET  /config_dump         the loaded config as JSON, secrets redacted
#pragma once

#include <functional>
#include <memory>

#include "admin/admin_handlers.h"
#include "module/module_loader.h"
#include "server/serving_config.h"

namespace switchyard::server {

struct ServerAdminState {
  std::function<bool()> draining;
  std::shared_ptr<const ServingConfig> serving;
  const module::ModuleLoader* loader = nullptr;
  // Set by POST /healthcheck/fail; owned by the proxy, control loop only.
  bool* healthcheck_failed = nullptr;
};

void addServerEndpoints(admin::AdminHandlers& handlers, const ServerAdminState& state);

}  // namespace switchyard::server
