/* Fixture: module_init fails with a reason. The host must report the reason
 * and must not call module_shutdown for a module that never started. */
#include <stdio.h>
#include <string.h>

#include "fixture.h"

static const sy_host_api *host;

static sy_result module_init(char *error, size_t error_capacity) {
  snprintf(error, error_capacity, "cannot read license file /nonexistent/init_fails.key");
  return SY_ERR_FAILED;
}

static void module_shutdown(void) {
  const char message[] = "init_fails: module_shutdown";
  sy_slice line = {message, strlen(message)};
  host->log(SY_LOG_INFO, line);
}

static const sy_filter_module init_fails_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "init_fails",
    .version = "1.0.0",
    .module_init = module_init,
    .module_shutdown = module_shutdown,
    .config_new = fixture_accept_config,
    .config_destroy = fixture_destroy_config,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &init_fails_module;
}
