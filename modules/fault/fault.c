/* The fault filter module (README.md): delays, aborts and response rate
 * limits injected into a share of the requests, scoped by cluster, headers
 * and caller, optionally asked for by request headers, capped in flight,
 * and tunable at run time. This file holds the module table and the config
 * lifecycle; fault_config.c reads the config, fault_plan.c turns it (with
 * runtime values and headers) into one request's faults, fault_scope.c
 * says which requests qualify, fault_stream.c runs the hooks and
 * fault_throttle.c paces a response body. */
#include <stdio.h>
#include <switchyard/filter.h>

#include "config_reader.h"
#include "fault_config.h"
#include "fault_module.h"
#include "fault_stream.h"

const sy_host_api *fault_host;

/* Beyond the typed config calls: runtime values and response body pacing
 * (both ABI 1.4). */
static sy_result check_host(char *error, size_t error_capacity) {
  if (!config_host_has_typed_access(fault_host)) {
    return config_refuse_host(fault_host, "fault", error, error_capacity);
  }
  if (!SY_HAS_FIELD(fault_host, sy_host_api, stream_release_response_body) ||
      fault_host->stream_release_response_body == NULL || fault_host->runtime_get == NULL) {
    snprintf(
        error, error_capacity,
        "fault needs ABI 1.4 (runtime_get and stream_release_response_body), but this host has ABI %u.%u",
        (unsigned)fault_host->abi.major, (unsigned)fault_host->abi.minor);
    return SY_ERR_UNSUPPORTED;
  }
  return SY_OK;
}

static sy_result module_init(char *error, size_t error_capacity) { return check_host(error, error_capacity); }

static sy_result config_new(sy_config_context *context, sy_slice json, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json; /* the same config is read through the typed calls */
  sy_result host_check = check_host(error, error_capacity);
  if (host_check != SY_OK) return host_check;
  const config_reader reader = {fault_host, context};
  fault_config *config = fault_config_read(&reader);
  if (config == NULL) return SY_ERR_INVALID_ARGUMENT;
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) { fault_config_free(config); }

static const sy_filter_module fault_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "fault",
    .version = "1.0.0",
    .module_init = module_init,
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = fault_stream_new,
    .stream_destroy = fault_stream_destroy,
    .request_headers = fault_request_headers,
    .response_body = fault_response_body,
    .stream_complete = fault_stream_complete,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api);
SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  fault_host = host_api;
  return &fault_module;
}
