/* Fixture: a module that reads its config through the typed config calls of
 * ABI 1.2 and relies on the host's error reporting alone: `threshold` (an
 * integer from 1 to 10, default 5), `timeout` (a duration up to a minute)
 * and nothing else. It returns SY_OK whatever it read, to prove that the
 * host rejects a config with recorded errors anyway (and destroys it:
 * config_destroy logs). An accepted config's threshold goes out in the
 * x-threshold response header, so a test can see which config a route got. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const sy_host_api *host;

typedef struct typed_config {
  int64_t threshold;
  char threshold_text[24];
} typed_config;

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

static sy_result module_init(char *error, size_t error_capacity) {
  if (SY_HAS_FIELD(host, sy_host_api, config_error_count)) return SY_OK;
  snprintf(error, error_capacity, "needs the typed config calls of ABI 1.2");
  return SY_ERR_UNSUPPORTED;
}

static sy_result config_new(sy_config_context *context, sy_slice json_config, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json_config;
  (void)error;
  (void)error_capacity;
  static const sy_slice known[] = {{"threshold", 9}, {"timeout", 7}};
  const sy_config_value *root = host->config_root(context);
  typed_config read = {.threshold = 5};
  uint64_t timeout_ms = 0;
  host->config_check_members(context, root, known, 2);
  host->config_read_integer(context, host->config_member(context, root, slice_of("threshold")), 1, 10,
                            &read.threshold);
  host->config_read_duration_ms(context, host->config_member(context, root, slice_of("timeout")), 0, 60000,
                                &timeout_ms);
  typed_config *config = malloc(sizeof *config);
  if (config == NULL) return SY_ERR_NO_MEMORY;
  *config = read;
  /* threshold is 1..10: one or two digits. */
  size_t at = 0;
  if (config->threshold >= 10) config->threshold_text[at++] = (char)('0' + config->threshold / 10);
  config->threshold_text[at++] = (char)('0' + config->threshold % 10);
  config->threshold_text[at] = '\0';
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) {
  host->log(SY_LOG_INFO, slice_of("typed_config: config_destroy"));
  free(config);
}

static sy_result stream_new(sy_stream *stream, const void *config, void **stream_context_out) {
  (void)stream;
  *stream_context_out = (void *)config;
  return SY_OK;
}

static sy_filter_status response_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                         int end_stream) {
  (void)stream;
  (void)end_stream;
  const typed_config *config = stream_context;
  host->header_set(headers, slice_of("x-threshold"), slice_of(config->threshold_text));
  return SY_FILTER_CONTINUE;
}

static const sy_filter_module typed_config_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "typed_config",
    .version = "1.0.0",
    .module_init = module_init,
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .response_headers = response_headers,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &typed_config_module;
}
