/* Which requests the fault filter may touch: those routed to one of the
 * configured upstream clusters, carrying headers that match every
 * matcher, from one of the configured downstream callers (named by a
 * request header). An empty list leaves that part open. */
#ifndef SWITCHYARD_FAULT_SCOPE_H
#define SWITCHYARD_FAULT_SCOPE_H

#include <switchyard/filter.h>

#include "fault_config.h"

/* 1 when the request on `stream` with `headers` is in the config's scope. */
int fault_scope_matches(const sy_host_api *host, const fault_config *config, sy_stream *stream,
                        const sy_headers *headers);

#endif
