/* Fixture: a module without config_destroy, one of the two hooks every
 * module must have. */
#include "fixture.h"

static const sy_filter_module missing_required_hook_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "missing_required_hook",
    .version = "1.0.0",
    .config_new = fixture_accept_config,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host) {
  (void)host;
  return &missing_required_hook_module;
}
