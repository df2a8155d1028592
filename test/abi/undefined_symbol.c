/* Fixture: a module that calls a function nothing defines (as when it was
 * linked against a library that is not installed). dlopen with RTLD_NOW
 * must fail up front, not at the first request. */
#include "fixture.h"

void sy_fixture_function_nobody_defines(void);

static sy_result module_init(char *error, size_t error_capacity) {
  (void)error;
  (void)error_capacity;
  sy_fixture_function_nobody_defines();
  return SY_OK;
}

static const sy_filter_module undefined_symbol_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "undefined_symbol",
    .version = "1.0.0",
    .module_init = module_init,
    .config_new = fixture_accept_config,
    .config_destroy = fixture_destroy_config,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host) {
  (void)host;
  return &undefined_symbol_module;
}
