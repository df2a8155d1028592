/* Fixture: a small module that works. It counts requests with a metric and
 * logs every lifecycle call, so tests can check that the host makes them,
 * once each and in order. A histogram gets one observation of
 * kObservedValue per request, so tests can find it in a known bucket. */
#include <stdlib.h>
#include <string.h>
#include <switchyard/filter.h>

static const sy_host_api *host;

enum { kObservedValue = 7 };

typedef struct counter_config {
  uint32_t requests_metric;
  uint32_t observed_metric;
} counter_config;

static void log_event(const char *event) {
  sy_slice line = {event, strlen(event)};
  if (host->log_enabled(SY_LOG_INFO)) host->log(SY_LOG_INFO, line);
}

static sy_result module_init(char *error, size_t error_capacity) {
  (void)error;
  (void)error_capacity;
  log_event("counter: module_init");
  return SY_OK;
}

static void module_shutdown(void) { log_event("counter: module_shutdown"); }

static sy_result config_new(sy_config_context *context, sy_slice json_config, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json_config;
  (void)error;
  (void)error_capacity;
  counter_config *config = malloc(sizeof *config);
  if (config == NULL) return SY_ERR_NO_MEMORY;
  sy_slice metric_name = {"requests", strlen("requests")};
  sy_result defined = host->metric_define(context, SY_METRIC_COUNTER, metric_name, &config->requests_metric);
  sy_slice histogram_name = {"observed", strlen("observed")};
  if (defined == SY_OK) {
    defined = host->metric_define(context, SY_METRIC_HISTOGRAM, histogram_name, &config->observed_metric);
  }
  if (defined != SY_OK) {
    free(config);
    return defined;
  }
  *config_out = config;
  log_event("counter: config_new");
  return SY_OK;
}

static void config_destroy(void *config) {
  free(config);
  log_event("counter: config_destroy");
}

static sy_result stream_new(sy_stream *stream, const void *config, void **stream_context_out) {
  (void)stream;
  *stream_context_out = (void *)config;
  return SY_OK;
}

static sy_filter_status request_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                        int end_stream) {
  const counter_config *config = stream_context;
  (void)stream;
  (void)headers;
  (void)end_stream;
  host->metric_record(config->requests_metric, 1);
  host->metric_record(config->observed_metric, kObservedValue);
  return SY_FILTER_CONTINUE;
}

static const sy_filter_module counter_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "counter",
    .version = "0.1.0",
    .module_init = module_init,
    .module_shutdown = module_shutdown,
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .request_headers = request_headers,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &counter_module;
}
