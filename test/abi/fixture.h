/* Shared by the ABI fixture modules: the trivial hooks a fixture needs
 * when the hooks are not what it tests. (old_abi_1_0.c does not use this
 * file: it must build from the frozen 1.0 header alone.) */
#ifndef SY_ABI_FIXTURE_H
#define SY_ABI_FIXTURE_H

#include <switchyard/filter.h>

/* Accepts any config and keeps no state. */
static inline sy_result fixture_accept_config(sy_config_context *context, sy_slice json_config, void **config_out,
                                              char *error, size_t error_capacity) {
  (void)context;
  (void)json_config;
  (void)error;
  (void)error_capacity;
  *config_out = NULL;
  return SY_OK;
}

static inline void fixture_destroy_config(void *config) { (void)config; }

#endif
