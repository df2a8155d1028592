/* Fixture: a module that loads fine but rejects every config, naming the
 * field the way a real module should. */
#include <stdio.h>

#include "fixture.h"

static sy_result config_new(sy_config_context *context, sy_slice json_config, void **config_out, char *error,
                            size_t error_capacity) {
  (void)context;
  (void)json_config;
  (void)config_out;
  snprintf(error, error_capacity, "threshold: expected a number from 1 to 10");
  return SY_ERR_INVALID_ARGUMENT;
}

static const sy_filter_module config_rejects_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "config_rejects",
    .version = "1.0.0",
    .config_new = config_new,
    .config_destroy = fixture_destroy_config,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host) {
  (void)host;
  return &config_rejects_module;
}
