/* Fixture: a module whose author misspelled the entry symbol, so it exports
 * no sy_filter_module_entry. */
#include "fixture.h"

static const sy_filter_module no_entry_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "no_entry",
    .version = "1.0.0",
    .config_new = fixture_accept_config,
    .config_destroy = fixture_destroy_config,
};

SY_EXPORT const sy_filter_module *sy_filter_entry(const sy_host_api *host) {
  (void)host;
  return &no_entry_module;
}
