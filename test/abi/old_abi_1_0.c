/* Fixture: a module built against the FROZEN ABI 1.0 header in abi_1_0/
 * (a verbatim copy of plugins_api/switchyard/filter.h as released in 1.0,
 * never to be edited). Every 1.x host must keep loading it: when later
 * minors grow the tables, this module's smaller table and its use of only
 * 1.0 host functions must still work. It uses that header alone. */
#include <string.h>
#include <switchyard/filter.h>

#if SY_ABI_VERSION_MAJOR != 1 || SY_ABI_VERSION_MINOR != 0
#error "old_abi_1_0 must be built against the frozen ABI 1.0 header in test/abi/abi_1_0"
#endif

static const sy_host_api *host;

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

static sy_result config_new(sy_config_context *context, sy_slice json_config, void **config_out, char *error,
                            size_t error_capacity) {
  (void)context;
  (void)json_config;
  (void)error;
  (void)error_capacity;
  *config_out = NULL;
  return SY_OK;
}

static void config_destroy(void *config) { (void)config; }

static sy_filter_status response_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                         int end_stream) {
  (void)stream;
  (void)stream_context;
  (void)end_stream;
  host->header_set(headers, slice_of("x-built-against"), slice_of("switchyard ABI 1.0"));
  return SY_FILTER_CONTINUE;
}

static const sy_filter_module old_abi_1_0_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "old_abi_1_0",
    .version = "1.0.0",
    .config_new = config_new,
    .config_destroy = config_destroy,
    .response_headers = response_headers,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &old_abi_1_0_module;
}
