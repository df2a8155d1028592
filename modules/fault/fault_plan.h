/* The faults one request may get and at which chance: the config's, then
 * runtime values over them (changed while serving through the admin API's
 * POST /runtime_modify), then, when header_control is enabled, what the
 * request's x-envoy-fault-* headers ask for within the config's bounds. */
#ifndef SWITCHYARD_FAULT_PLAN_H
#define SWITCHYARD_FAULT_PLAN_H

#include <stdint.h>
#include <switchyard/filter.h>

#include "fault_config.h"

typedef struct fault_plan {
  int delay_on;
  uint64_t delay_ms;
  uint32_t delay_ppm;
  int abort_on;
  uint32_t abort_status;
  uint32_t abort_ppm;
  int rate_limit_on;
  uint32_t rate_limit_kbps;
  uint32_t rate_limit_ppm;
} fault_plan;

/* The request headers fault_plan_build reads when header control is on. */
#define FAULT_HEADER_DELAY "x-envoy-fault-delay-request"
#define FAULT_HEADER_DELAY_PERCENTAGE "x-envoy-fault-delay-request-percentage"
#define FAULT_HEADER_ABORT "x-envoy-fault-abort-request"
#define FAULT_HEADER_ABORT_PERCENTAGE "x-envoy-fault-abort-request-percentage"
#define FAULT_HEADER_THROUGHPUT "x-envoy-fault-throughput-response"
#define FAULT_HEADER_THROUGHPUT_PERCENTAGE "x-envoy-fault-throughput-response-percentage"

/* Runtime values are read through `host` (runtime_get), headers from
 * `headers` (NULL: none). */
void fault_plan_build(const sy_host_api *host, const fault_config *config, const sy_headers *headers,
                      fault_plan *plan);

#endif
