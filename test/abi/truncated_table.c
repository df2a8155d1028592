/* Fixture: a valid table that ends right after the required hooks, as a
 * table from an older, smaller ABI would. It fills in stream_new anyway,
 * past its own size: the host must treat that hook as absent (NULL), since
 * it may only read `size` bytes of a module's table. */
#include <stddef.h>

#include "fixture.h"

static sy_result stream_new_beyond_size(sy_stream *stream, const void *config, void **stream_context_out) {
  (void)stream;
  (void)config;
  (void)stream_context_out;
  return SY_ERR_FAILED;
}

static const sy_filter_module truncated_table_module = {
    .size = offsetof(sy_filter_module, config_destroy) + sizeof(void (*)(void *)),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "truncated_table",
    .version = "1.0.0",
    .config_new = fixture_accept_config,
    .config_destroy = fixture_destroy_config,
    .stream_new = stream_new_beyond_size,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host) {
  (void)host;
  return &truncated_table_module;
}
