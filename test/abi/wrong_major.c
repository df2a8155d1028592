/* Fixture: a module built for ABI 2.0. The host must refuse it with
 * "needs ABI 2.x, host has 1.y" before trusting anything past the table's
 * size and version. */
#include "fixture.h"

static const sy_filter_module wrong_major_module = {
    .size = sizeof(sy_filter_module),
    .abi = {2, 0},
    .name = "wrong_major",
    .version = "2.0.0",
    .config_new = fixture_accept_config,
    .config_destroy = fixture_destroy_config,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host) {
  (void)host;
  return &wrong_major_module;
}
