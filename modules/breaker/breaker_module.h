/* What breaker.c (the module table, config lifecycle and reports) and
 * breaker_stream.c (the per-stream hooks) share. */
#ifndef SWITCHYARD_BREAKER_MODULE_H
#define SWITCHYARD_BREAKER_MODULE_H

#include <switchyard/filter.h>

/* Set once by the entry symbol; valid for the module's whole life. */
extern const sy_host_api *breaker_host;

#endif
