/* The retry filter's config: read through the host's typed config calls
 * and validated once, then shared read-only by every worker. README.md
 * documents each field. */
#ifndef SWITCHYARD_RETRY_CONFIG_H
#define SWITCHYARD_RETRY_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config_reader.h"
#include "retry_conditions.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds that keep a config sane; a value outside is a config error. */
enum {
  RETRY_MAX_NUM_RETRIES = 100,
  RETRY_MAX_INITIAL_REQUESTS = 10,
};
#define RETRY_MAX_INTERVAL_MS UINT64_C(3600000)         /* back-off and Retry-After: an hour */
#define RETRY_MAX_PER_TRY_TIMEOUT_MS UINT64_C(86400000) /* a day */

/* Metric ids, filled in by config_new in retry.c. */
typedef struct retry_metrics {
  uint32_t retries;
  uint32_t retry_success;
  uint32_t retry_overflow;
  uint32_t retry_limit_exceeded;
  uint32_t per_try_timeouts;
  uint32_t hedges;
  uint32_t not_replayable;
} retry_metrics;

typedef struct retry_config {
  uint32_t retry_on; /* retry_condition bits */
  retry_response_rules rules;
  uint32_t num_retries;
  uint64_t per_try_timeout_ms; /* 0: off */

  uint64_t backoff_base_ms;
  uint64_t backoff_max_ms;

  int honor_retry_after;
  uint64_t retry_after_max_delay_ms;

  int budget_enabled;
  double budget_percent;
  uint32_t budget_min_concurrency;

  int avoid_tried_hosts;

  int hedge_on_per_try_timeout;
  uint32_t hedge_initial_requests;

  int retry_non_idempotent;
  char *attempt_count_header; /* NULL: off */
  size_t attempt_count_header_len;
  int request_overrides;

  retry_metrics metrics;
} retry_config;

/* Reads and validates the config of `reader`. Returns NULL when it is not
 * valid; the errors, each naming its field path (e.g. "...config.budget.
 * percent: expected a number from 0 to 100, got 150"), are recorded on the
 * reader's context. */
retry_config *retry_config_read(const config_reader *reader);
void retry_config_free(retry_config *config);

#ifdef __cplusplus
}
#endif

#endif
