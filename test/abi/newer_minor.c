/* Fixture: a module that claims ABI 1.99, a minor no host has yet. It may
 * rely on host functions this host lacks, so the host must refuse it. */
#include "fixture.h"

static const sy_filter_module newer_minor_module = {
    .size = sizeof(sy_filter_module),
    .abi = {1, 99},
    .name = "newer_minor",
    .version = "1.0.0",
    .config_new = fixture_accept_config,
    .config_destroy = fixture_destroy_config,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host) {
  (void)host;
  return &newer_minor_module;
}
