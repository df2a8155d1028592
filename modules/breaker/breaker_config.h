/* The breaker filter's config (README.md): bulkhead limits, failure state
 * machines and what counts as a failure, per cluster (by name, or the
 * `default` entry for clusters not named), optionally per host of the
 * cluster, and a per-route bulkhead. Immutable after config_new. */
#ifndef SWITCHYARD_BREAKER_CONFIG_H
#define SWITCHYARD_BREAKER_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <switchyard/filter.h>

#include "breaker_registry.h"
#include "breaker_state.h"
#include "config_reader.h"

/* What an attempt's outcome must be to count as a failure. */
typedef struct breaker_failure_rules {
  uint32_t outcomes; /* BREAKER_FAILURE_* bits */
  uint32_t statuses[32];
  size_t status_count;
} breaker_failure_rules;

#define BREAKER_FAILURE_5XX (1u << 0)
#define BREAKER_FAILURE_GATEWAY_ERROR (1u << 1)
#define BREAKER_FAILURE_RESET (1u << 2)
#define BREAKER_FAILURE_CONNECT_FAILURE (1u << 3)
#define BREAKER_FAILURE_TIMEOUT (1u << 4)

/* A breaker (cluster or host): 0 in a limit means unlimited; `trips` is 0
 * when neither trigger is set (no state machine, only the bulkhead). */
typedef struct breaker_settings {
  uint32_t max_requests;
  int trips;
  breaker_policy policy;
} breaker_settings;

typedef struct breaker_metrics {
  uint32_t state; /* gauge: 0 closed, 1 open, 2 half-open */
  uint32_t trips;
  uint32_t probes_admitted, probes_succeeded, probes_failed;
  uint32_t rejected[BREAKER_REASON_COUNT];
} breaker_metrics;

typedef struct breaker_cluster_config {
  char *cluster;                 /* NULL for the `default` entry */
  breaker_settings settings;     /* max_requests: concurrent requests on the cluster */
  uint32_t max_pending_requests; /* checked against the host's cluster counters */
  uint32_t max_retries;
  uint32_t max_connections;
  breaker_failure_rules failure;
  int per_host;          /* `per_host` given: a breaker for each host */
  breaker_settings host; /* max_requests: concurrent attempts on one host */
  breaker_metrics metrics;
  int has_metrics;
} breaker_cluster_config;

typedef struct breaker_config {
  breaker_cluster_config *clusters;
  size_t cluster_count;
  breaker_cluster_config *fallback; /* `default`, or NULL */
  uint32_t route_max_requests;      /* `route.max_requests`; 0: no route bulkhead */
} breaker_config;

/* Reads the config through the host's typed calls; errors are recorded on
 * the reader's context. Returns NULL on an error or out of memory. */
breaker_config *breaker_config_read(const config_reader *reader);
void breaker_config_free(breaker_config *config);

/* The entry for `cluster`: its own, else `default`, else NULL. */
const breaker_cluster_config *breaker_config_for_cluster(const breaker_config *config, sy_slice cluster);

/* Whether an attempt that ended so is a failure by `rules`. */
int breaker_is_failure(const breaker_failure_rules *rules, sy_attempt_outcome outcome, uint32_t status);

#endif
