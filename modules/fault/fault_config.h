/* The fault filter's config (README.md): which faults (delay, abort,
 * response rate limit) at which chance, for which requests (clusters,
 * headers, downstream callers), what request headers may ask for, the cap
 * on faults in flight, runtime keys and the seed. Immutable after
 * config_new, apart from `shared`, which holds the counters every worker
 * moves (atomics). */
#ifndef SWITCHYARD_FAULT_CONFIG_H
#define SWITCHYARD_FAULT_CONFIG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <switchyard/filter.h>

#include "config_reader.h"

/* A byte string the config owns (NUL-terminated copy). */
typedef struct fault_text {
  char *ptr;
  size_t len;
} fault_text;

typedef struct fault_text_list {
  fault_text *items;
  size_t count;
} fault_text_list;

typedef enum fault_match_kind {
  FAULT_MATCH_EXACT = 0,   /* exact_match: the value equals */
  FAULT_MATCH_PREFIX = 1,  /* prefix_match: the value starts with */
  FAULT_MATCH_PRESENT = 2, /* present_match: the header is there (true) or not (false) */
} fault_match_kind;

/* One entry of `headers`: Envoy's HeaderMatcher, without regexes. */
typedef struct fault_header_matcher {
  fault_text name;
  fault_match_kind kind;
  fault_text value; /* exact and prefix */
  int present;      /* present_match's value */
  int invert;       /* invert_match: the request matches when this does not */
} fault_header_matcher;

/* One fault: `enabled` when its section is in the config. */
typedef struct fault_delay_config {
  int enabled;
  uint64_t fixed_delay_ms;
  uint32_t ppm;
} fault_delay_config;

typedef struct fault_abort_config {
  int enabled;
  uint32_t http_status;
  uint32_t ppm;
} fault_abort_config;

typedef struct fault_rate_limit_config {
  int enabled;
  uint32_t limit_kbps; /* KiB per second */
  uint32_t ppm;
} fault_rate_limit_config;

/* What the x-envoy-fault-* request headers may ask for. */
typedef struct fault_header_control {
  int enabled;
  uint64_t max_delay_ms;
  uint32_t *allowed_statuses; /* none: any status from 200 to 599 */
  size_t allowed_status_count;
} fault_header_control;

/* The runtime keys, "<runtime_prefix>.<suffix>", in this order. */
typedef enum fault_runtime_key {
  FAULT_RUNTIME_DELAY_PERCENT = 0,
  FAULT_RUNTIME_DELAY_FIXED_DELAY_MS,
  FAULT_RUNTIME_ABORT_PERCENT,
  FAULT_RUNTIME_ABORT_HTTP_STATUS,
  FAULT_RUNTIME_RATE_LIMIT_PERCENT,
  FAULT_RUNTIME_RATE_LIMIT_KBPS,
  FAULT_RUNTIME_KEY_COUNT
} fault_runtime_key;

extern const char *const fault_runtime_key_suffixes[FAULT_RUNTIME_KEY_COUNT];

typedef struct fault_metrics {
  uint32_t delays_injected, aborts_injected, active_faults, response_rate_limited, faults_overflow;
} fault_metrics;

/* Shared by every worker's streams of one config. */
typedef struct fault_shared {
  atomic_uint_fast32_t active_faults; /* streams holding an injected fault */
  atomic_uint_fast64_t draws;         /* numbers taken from the seeded sequence */
} fault_shared;

typedef struct fault_config {
  fault_delay_config delay;
  fault_abort_config abort;
  fault_rate_limit_config rate_limit;
  fault_text_list clusters; /* none: every cluster */
  fault_header_matcher *headers;
  size_t header_count;
  fault_text_list downstream_nodes; /* none: every caller */
  fault_text downstream_service_header;
  fault_header_control header_control;
  uint32_t max_active_faults; /* 0: no cap */
  fault_text runtime_keys[FAULT_RUNTIME_KEY_COUNT];
  int has_seed;
  uint64_t seed;
  fault_metrics metrics;
  fault_shared *shared;
} fault_config;

/* Reads the config through the host's typed calls; errors are recorded on
 * the reader's context. Returns NULL on an error or out of memory. */
fault_config *fault_config_read(const config_reader *reader);
void fault_config_free(fault_config *config);

#endif
