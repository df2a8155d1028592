/* Fixture: a table whose size stops before the required config hooks, as
 * if it were built from a truncated or hand-written struct. The hooks it
 * does fill in lie past its size, so the host must not see them. */
#include <stddef.h>

#include "fixture.h"

static const sy_filter_module short_table_module = {
    .size = offsetof(sy_filter_module, module_init),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "short_table",
    .version = "1.0.0",
    .config_new = fixture_accept_config,
    .config_destroy = fixture_destroy_config,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host) {
  (void)host;
  return &short_table_module;
}
