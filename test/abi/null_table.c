/* Fixture: an entry symbol that returns NULL instead of a module table. */
#include "fixture.h"

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host) {
  (void)host;
  return NULL;
}
