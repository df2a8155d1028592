/* The retry filter: retries failed upstream attempts (with back-off, a
 * budget, per-try timeouts and Retry-After) and hedges slow ones, through
 * the upstream-attempt calls of filter ABI 1.1.
 *
 * This file holds the module table, the host check and the config
 * lifecycle; retry_stream.c decides per stream, retry_config.c reads the
 * config through the host's typed config calls, and the pure decision
 * pieces (conditions, back-off, budget, Retry-After, methods, override
 * headers) each have their own retry_*.c file. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <switchyard/filter.h>

#include "retry_config.h"
#include "retry_module.h"
#include "retry_stream.h"

const sy_host_api *retry_host;

/* Longer log lines are cut; the host cuts at about 8 KiB anyway. */
enum { LOG_LINE_CAPACITY = 512 };

void retry_log(sy_log_level level, const char *format, ...) {
  if (!retry_host->log_enabled(level)) return;
  char line[LOG_LINE_CAPACITY] = "retry: ";
  const size_t prefix_len = strlen(line);
  va_list args;
  va_start(args, format);
  int written = vsnprintf(line + prefix_len, sizeof line - prefix_len, format, args);
  va_end(args);
  if (written < 0) return;
  size_t length = prefix_len + (size_t)written;
  if (length >= sizeof line) length = sizeof line - 1;
  sy_slice message = {line, length};
  retry_host->log(level, message);
}

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

/* A host that declares ABI 1.1 has the upstream-attempt calls; this guards
 * against one whose table stops short of them (or leaves them NULL), since
 * the filter can do nothing useful without them. */
static int host_has_attempt_calls(void) {
  return SY_HAS_FIELD(retry_host, sy_host_api, stream_add_response_flag) &&
         retry_host->attempt_retry != NULL && retry_host->attempt_start_parallel != NULL &&
         retry_host->attempt_cancel != NULL && retry_host->attempt_reject_response != NULL &&
         retry_host->cluster_stats != NULL && retry_host->stream_add_response_flag != NULL;
}

static sy_result refuse_host(char *error, size_t error_capacity) {
  snprintf(error, error_capacity,
           "retry needs the ABI 1.1 upstream-attempt calls (attempt_retry, attempt_start_parallel, "
           "attempt_cancel, attempt_reject_response, cluster_stats, stream_add_response_flag), "
           "but this host (ABI %u.%u) does not provide them",
           (unsigned)retry_host->abi.major, (unsigned)retry_host->abi.minor);
  return SY_ERR_UNSUPPORTED;
}

static sy_result check_host(char *error, size_t error_capacity) {
  if (!host_has_attempt_calls()) return refuse_host(error, error_capacity);
  if (!config_host_has_typed_access(retry_host)) return config_refuse_host(retry_host, "retry", error, error_capacity);
  return SY_OK;
}

static sy_result module_init(char *error, size_t error_capacity) { return check_host(error, error_capacity); }

typedef struct metric_definition {
  const char *name;
  size_t offset; /* of the id in retry_metrics */
} metric_definition;

static const metric_definition metric_definitions[] = {
    {"retries", offsetof(retry_metrics, retries)},
    {"retry_success", offsetof(retry_metrics, retry_success)},
    {"retry_overflow", offsetof(retry_metrics, retry_overflow)},
    {"retry_limit_exceeded", offsetof(retry_metrics, retry_limit_exceeded)},
    {"per_try_timeouts", offsetof(retry_metrics, per_try_timeouts)},
    {"hedges", offsetof(retry_metrics, hedges)},
    {"not_replayable", offsetof(retry_metrics, not_replayable)},
};

static sy_result config_new(sy_config_context *context, sy_slice json, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json; /* the same config is read through the typed calls */
  /* Checked here too: module_init is where a host reports the problem
   * first, but a host is not obliged to call an optional hook. */
  sy_result host_check = check_host(error, error_capacity);
  if (host_check != SY_OK) return host_check;
  const config_reader reader = {retry_host, context};
  retry_config *config = retry_config_read(&reader);
  if (config == NULL) return SY_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < sizeof metric_definitions / sizeof metric_definitions[0]; ++i) {
    uint32_t *id = (uint32_t *)((char *)&config->metrics + metric_definitions[i].offset);
    if (retry_host->metric_define(context, SY_METRIC_COUNTER, slice_of(metric_definitions[i].name), id) !=
        SY_OK) {
      snprintf(error, error_capacity, "metrics: the host refused to define %s", metric_definitions[i].name);
      retry_config_free(config);
      return SY_ERR_FAILED;
    }
  }
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) { retry_config_free(config); }

static const sy_filter_module retry_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "retry",
    .version = "1.0.0",
    .module_init = module_init,
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = retry_stream_new,
    .stream_destroy = retry_stream_destroy,
    .request_headers = retry_request_headers,
    .attempt_started = retry_attempt_started,
    .attempt_finished = retry_attempt_finished,
    .capabilities = SY_CAPABILITY_REQUEST_REPLAY,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api);
SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  retry_host = host_api;
  return &retry_module;
}
