#include "retry_stream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "retry_backoff.h"
#include "retry_budget.h"
#include "retry_conditions.h"
#include "retry_config.h"
#include "retry_method.h"
#include "retry_module.h"
#include "retry_overrides.h"
#include "retry_after.h"

typedef struct retry_stream retry_stream;

/* What the filter knows about one upstream attempt. Each record is its own
 * allocation and never moves, because its per-try timer points at it. */
typedef struct attempt_record {
  retry_stream *owner;
  uint32_t number;
  sy_timer *per_try_timer; /* made on first use; the host frees it */
  int timer_armed;
  int in_flight;       /* started, not finished */
  int timed_out_by_us; /* this filter's per-try timer cancelled it */
} attempt_record;

/* Per-stream state. Everything that changes during a stream lives here,
 * never in the shared config. */
struct retry_stream {
  sy_stream *stream;
  const retry_config *config;
  /* retry_on and num_retries, or what the request's override headers say. */
  uint32_t conditions;
  uint32_t max_retries;
  int method_retriable;  /* may be retried or hedged after a failure */
  int method_idempotent; /* may be hedged from the start */
  /* Retries scheduled and hedges started by this filter; both count
   * against max_retries. */
  uint32_t retries_used;
  uint32_t in_flight;
  /* A retry this filter scheduled has not started yet. */
  int retry_pending;
  int limit_flagged;
  /* Indexed by attempt number - 1; grows as attempts start. */
  attempt_record **attempts;
  size_t attempt_capacity;
};

/* What came of asking for one more attempt. */
typedef enum extra_attempt {
  EXTRA_STARTED,        /* a retry is scheduled or a hedge started */
  EXTRA_NOT_ALLOWED,    /* the method may not be sent twice */
  EXTRA_LIMIT_EXCEEDED, /* max_retries used up, or Retry-After asks too long */
  EXTRA_OVERFLOW,       /* the cluster's retry budget is spent */
  EXTRA_NOT_REPLAYABLE, /* the body outgrew the host's replay buffer */
  EXTRA_REFUSED,        /* the host said no: a retry is already pending, or
                           the stream was answered */
} extra_attempt;

typedef enum attempt_kind { KIND_RETRY, KIND_HEDGE } attempt_kind;

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

static void count_one(uint32_t metric_id) { retry_host->metric_record(metric_id, 1); }

static const char *outcome_name(sy_attempt_outcome outcome) {
  switch (outcome) {
    case SY_ATTEMPT_RESPONSE:
      return "response";
    case SY_ATTEMPT_CONNECT_FAILURE:
      return "connect failure";
    case SY_ATTEMPT_RESET_BEFORE_HEADERS:
      return "reset before headers";
    case SY_ATTEMPT_RESET_AFTER_HEADERS:
      return "reset after headers";
    case SY_ATTEMPT_TIMED_OUT:
      return "per-try timeout";
    case SY_ATTEMPT_CANCELLED:
      return "cancelled";
    default:
      return "unknown outcome";
  }
}

/* ---- attempt records ---------------------------------------------------- */

static attempt_record *find_record(const retry_stream *context, uint32_t number) {
  if (number == 0 || number > context->attempt_capacity) return NULL;
  return context->attempts[number - 1];
}

/* The record of attempt `number`, made on first use; NULL when memory runs
 * out, which costs that attempt its per-try timeout and nothing else. */
static attempt_record *record_for(retry_stream *context, uint32_t number) {
  if (number == 0) return NULL;
  const size_t index = number - 1;
  if (index >= context->attempt_capacity) {
    size_t capacity = context->attempt_capacity == 0 ? 4 : context->attempt_capacity * 2;
    if (capacity <= index) capacity = index + 1;
    attempt_record **grown = realloc(context->attempts, capacity * sizeof *grown);
    if (grown == NULL) return NULL;
    memset(grown + context->attempt_capacity, 0, (capacity - context->attempt_capacity) * sizeof *grown);
    context->attempts = grown;
    context->attempt_capacity = capacity;
  }
  if (context->attempts[index] == NULL) {
    attempt_record *record = calloc(1, sizeof *record);
    if (record == NULL) return NULL;
    record->owner = context;
    record->number = number;
    context->attempts[index] = record;
  }
  return context->attempts[index];
}

static void stop_per_try_timer(attempt_record *record) {
  if (!record->timer_armed) return;
  retry_host->timer_cancel(record->per_try_timer);
  record->timer_armed = 0;
}

/* ---- one more attempt: limit, delay, budget ---------------------------- */

/* The delay before the next retry: what a 503 or 429 asked for in
 * Retry-After when the config honors it, else the jittered back-off.
 * Returns 0 when Retry-After asks for longer than max_delay_ms. */
static int retry_delay(const retry_stream *context, const sy_attempt_info *failed, uint64_t *delay_ms_out) {
  const retry_config *config = context->config;
  if (config->honor_retry_after && failed != NULL && failed->outcome == SY_ATTEMPT_RESPONSE &&
      (failed->status == 503 || failed->status == 429) && failed->response_headers != NULL) {
    sy_slice value;
    uint64_t delay_ms;
    if (retry_host->header_get(failed->response_headers, slice_of("retry-after"), 0, &value) == SY_OK &&
        retry_after_parse(value.ptr, value.len, (int64_t)time(NULL), &delay_ms)) {
      if (delay_ms > config->retry_after_max_delay_ms) {
        retry_log(SY_LOG_DEBUG,
                  "attempt %" PRIu32 ": Retry-After asks for %" PRIu64 " ms, above max_delay_ms (%" PRIu64
                  ")",
                  failed->number, delay_ms, config->retry_after_max_delay_ms);
        return 0;
      }
      *delay_ms_out = delay_ms;
      return 1;
    }
  }
  *delay_ms_out = retry_backoff_delay_ms(config->backoff_base_ms, config->backoff_max_ms,
                                         context->retries_used + 1, retry_host->random_u64());
  return 1;
}

static int budget_allows(const retry_stream *context) {
  const retry_config *config = context->config;
  if (!config->budget_enabled) return 1;
  sy_cluster_stats stats;
  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  /* Without a cluster there is no load to protect; attempts only happen
   * after routing, so this is the host being unable to say. */
  if (retry_host->cluster_stats(context->stream, &stats) != SY_OK) return 1;
  return retry_budget_allows(stats.active_retries, stats.active_requests, config->budget_percent,
                             config->budget_min_concurrency);
}

/* Asks the host for a retry (after a delay) or a hedge (now), if the retry
 * limit and the budget allow one. The caller has checked the method.
 * `failed` is the attempt being retried, for Retry-After; NULL for hedges. */
static extra_attempt start_extra_attempt(retry_stream *context, attempt_kind kind,
                                         const sy_attempt_info *failed) {
  const retry_config *config = context->config;
  const char *what = kind == KIND_RETRY ? "retry" : "hedge";
  if (context->retries_used >= context->max_retries) {
    count_one(config->metrics.retry_limit_exceeded);
    retry_log(SY_LOG_DEBUG, "no %s: all %" PRIu32 " retries used", what, context->max_retries);
    return EXTRA_LIMIT_EXCEEDED;
  }
  uint64_t delay_ms = 0;
  if (kind == KIND_RETRY && !retry_delay(context, failed, &delay_ms)) {
    count_one(config->metrics.retry_limit_exceeded);
    return EXTRA_LIMIT_EXCEEDED;
  }
  if (!budget_allows(context)) {
    count_one(config->metrics.retry_overflow);
    retry_log(SY_LOG_DEBUG, "no %s: the cluster's retry budget is spent", what);
    return EXTRA_OVERFLOW;
  }
  /* Reserved before the call and given back on failure: a host may run
   * the new attempt's hooks before the call returns, and their decisions
   * must already see this one counted. */
  const int was_pending = context->retry_pending;
  context->retries_used++;
  if (kind == KIND_RETRY) context->retry_pending = 1;
  const sy_result result =
      kind == KIND_RETRY ? retry_host->attempt_retry(context->stream, delay_ms, config->avoid_tried_hosts)
                         : retry_host->attempt_start_parallel(context->stream, config->avoid_tried_hosts);
  if (result == SY_OK) {
    count_one(kind == KIND_RETRY ? config->metrics.retries : config->metrics.hedges);
    if (kind == KIND_RETRY) {
      retry_log(SY_LOG_DEBUG, "retry %" PRIu32 " of %" PRIu32 " in %" PRIu64 " ms", context->retries_used,
                context->max_retries, delay_ms);
    } else {
      retry_log(SY_LOG_DEBUG, "hedge %" PRIu32 " of %" PRIu32 " started", context->retries_used,
                context->max_retries);
    }
    return EXTRA_STARTED;
  }
  context->retries_used--;
  /* LIMIT: a retry (this filter's or another's) is pending already. */
  if (kind == KIND_RETRY) context->retry_pending = was_pending || result == SY_ERR_LIMIT;
  if (result == SY_ERR_NOT_REPLAYABLE) {
    count_one(config->metrics.not_replayable);
    retry_log(SY_LOG_DEBUG, "no %s: the request body outgrew the replay buffer", what);
    return EXTRA_NOT_REPLAYABLE;
  }
  retry_log(SY_LOG_DEBUG, "no %s: the host refused (result %d)", what, (int)result);
  return EXTRA_REFUSED;
}

static void flag_limit_exceeded(retry_stream *context) {
  if (context->limit_flagged) return;
  context->limit_flagged = 1;
  retry_host->stream_add_response_flag(context->stream, sy_response_flag_code(SY_FLAG_RETRY_LIMIT_EXCEEDED));
}

/* ---- per-try timeout ------------------------------------------------------ */

static void on_per_try_timeout(sy_timer *timer, void *user_data) {
  attempt_record *record = user_data;
  retry_stream *context = record->owner;
  const retry_config *config = context->config;
  (void)timer;
  record->timer_armed = 0;
  if (!record->in_flight) return;
  count_one(config->metrics.per_try_timeouts);
  retry_log(SY_LOG_DEBUG, "attempt %" PRIu32 ": no response within %" PRIu64 " ms", record->number,
            config->per_try_timeout_ms);
  if (config->hedge_on_per_try_timeout && (context->conditions & RETRY_ON_TIMEOUT_CONDITIONS) != 0) {
    /* Hedging never cancels: the slow attempt may still answer first, and
     * when no hedge is allowed it runs on until the route's own timeout. */
    if (context->method_retriable) start_extra_attempt(context, KIND_HEDGE, NULL);
    return;
  }
  /* attempt_finished runs, with TIMED_OUT, before attempt_cancel returns;
   * the retry decision happens there like for any other failure. */
  record->timed_out_by_us = 1;
  if (retry_host->attempt_cancel(context->stream, record->number, SY_ATTEMPT_TIMED_OUT) != SY_OK) {
    record->timed_out_by_us = 0;
  }
}

static void arm_per_try_timer(retry_stream *context, attempt_record *record) {
  const uint64_t timeout_ms = context->config->per_try_timeout_ms;
  if (timeout_ms == 0 || record == NULL) return;
  if (record->per_try_timer == NULL) {
    record->per_try_timer = retry_host->timer_new_for_stream(context->stream, on_per_try_timeout, record);
    if (record->per_try_timer == NULL) {
      retry_log(SY_LOG_WARN, "attempt %" PRIu32 ": the host gave no timer; it runs without a per-try timeout",
                record->number);
      return;
    }
  }
  record->timer_armed = retry_host->timer_arm(record->per_try_timer, timeout_ms) == SY_OK;
}

/* ---- hooks ---------------------------------------------------------------- */

sy_result retry_stream_new(sy_stream *stream, const void *config, void **stream_context_out) {
  retry_stream *context = calloc(1, sizeof *context);
  if (context == NULL) return SY_ERR_NO_MEMORY;
  context->stream = stream;
  context->config = config;
  context->conditions = context->config->retry_on;
  context->max_retries = context->config->num_retries;
  *stream_context_out = context;
  return SY_OK;
}

/* The host has already freed the stream's timers; only memory is left. */
void retry_stream_destroy(void *stream_context) {
  retry_stream *context = stream_context;
  if (context == NULL) return;
  for (size_t i = 0; i < context->attempt_capacity; ++i) free(context->attempts[i]);
  free(context->attempts);
  free(context);
}

/* With request_overrides the filter is the headers' consumer, so it removes
 * them even when their value is malformed (and then ignored): they are
 * meant for this hop. Without it they are not its business and pass on
 * untouched. Only the first value of a repeated header is read. */
static void apply_request_overrides(retry_stream *context, sy_headers *headers) {
  sy_slice value;
  if (retry_host->header_get(headers, slice_of(RETRY_ON_HEADER), 0, &value) == SY_OK) {
    if (!retry_override_parse_conditions(value.ptr, value.len, &context->conditions)) {
      retry_log(SY_LOG_DEBUG, "ignoring " RETRY_ON_HEADER ": \"%.*s\" is not a list of retry_on words",
                (int)(value.len > 100 ? 100 : value.len), value.ptr);
    }
    retry_host->header_remove(headers, slice_of(RETRY_ON_HEADER));
  }
  if (retry_host->header_get(headers, slice_of(MAX_RETRIES_HEADER), 0, &value) == SY_OK) {
    if (!retry_override_parse_max_retries(value.ptr, value.len, RETRY_MAX_NUM_RETRIES,
                                          &context->max_retries)) {
      retry_log(SY_LOG_DEBUG, "ignoring " MAX_RETRIES_HEADER ": \"%.*s\" is not a whole number from 0 to %d",
                (int)(value.len > 100 ? 100 : value.len), value.ptr, RETRY_MAX_NUM_RETRIES);
    }
    retry_host->header_remove(headers, slice_of(MAX_RETRIES_HEADER));
  }
}

sy_filter_status retry_request_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                       int end_stream) {
  retry_stream *context = stream_context;
  (void)stream;
  (void)end_stream;
  sy_slice method;
  if (retry_host->header_get(headers, slice_of(":method"), 0, &method) == SY_OK) {
    context->method_idempotent = retry_method_is_idempotent(method.ptr, method.len);
    context->method_retriable = context->method_idempotent || context->config->retry_non_idempotent;
  }
  if (context->config->request_overrides) apply_request_overrides(context, headers);
  return SY_FILTER_CONTINUE;
}

static void set_attempt_count_header(const retry_config *config, uint32_t number,
                                     sy_headers *request_headers) {
  if (config->attempt_count_header == NULL || request_headers == NULL) return;
  char digits[16];
  const int length = snprintf(digits, sizeof digits, "%" PRIu32, number);
  const sy_slice name = {config->attempt_count_header, config->attempt_count_header_len};
  const sy_slice value = {digits, (size_t)length};
  retry_host->header_set(request_headers, name, value);
}

/* hedge.initial_requests: the first attempt does not go alone. Only
 * idempotent requests, even with retry_non_idempotent: these copies go out
 * whether or not anything fails. */
static void start_initial_hedges(retry_stream *context) {
  if (!context->method_idempotent) return;
  for (uint32_t hedge = 1; hedge < context->config->hedge_initial_requests; ++hedge) {
    if (start_extra_attempt(context, KIND_HEDGE, NULL) != EXTRA_STARTED) return;
  }
}

void retry_attempt_started(sy_stream *stream, void *stream_context, const sy_attempt_info *attempt,
                           sy_headers *request_headers) {
  retry_stream *context = stream_context;
  (void)stream;
  attempt_record *record = record_for(context, attempt->number);
  if (record != NULL && !record->in_flight) {
    record->in_flight = 1;
    context->in_flight++;
  }
  /* A retry starts as a plain attempt; hedges are marked. */
  if (!attempt->hedged && attempt->number > 1) context->retry_pending = 0;
  set_attempt_count_header(context->config, attempt->number, request_headers);
  arm_per_try_timer(context, record);
  if (attempt->number == 1 && context->config->hedge_initial_requests > 1) start_initial_hedges(context);
}

void retry_attempt_finished(sy_stream *stream, void *stream_context, const sy_attempt_info *attempt) {
  retry_stream *context = stream_context;
  const retry_config *config = context->config;
  (void)stream;
  /* A second outcome of an attempt whose response was already accepted. */
  if (attempt->outcome == SY_ATTEMPT_RESET_AFTER_HEADERS) return;
  attempt_record *record = find_record(context, attempt->number);
  int timed_out_by_us = 0;
  if (record != NULL) {
    stop_per_try_timer(record);
    if (record->in_flight) {
      record->in_flight = 0;
      context->in_flight--;
    }
    timed_out_by_us = record->timed_out_by_us;
  }
  if (attempt->outcome == SY_ATTEMPT_CANCELLED) return;
  /* A timeout this filter did not cause is another filter's deadline (the
   * route timeout); a retry would outlive it. */
  if (attempt->outcome == SY_ATTEMPT_TIMED_OUT && !timed_out_by_us) return;

  const int is_response = attempt->outcome == SY_ATTEMPT_RESPONSE;
  if (!retry_outcome_is_retriable(context->conditions, &config->rules, attempt->outcome, attempt->status,
                                  is_response ? attempt->response_headers : NULL, retry_host->header_get)) {
    if (is_response && attempt->number > 1) count_one(config->metrics.retry_success);
    return;
  }
  if (is_response) {
    retry_log(SY_LOG_DEBUG, "attempt %" PRIu32 " failed: status %" PRIu32, attempt->number, attempt->status);
  } else {
    retry_log(SY_LOG_DEBUG, "attempt %" PRIu32 " failed: %s", attempt->number,
              outcome_name(attempt->outcome));
  }
  const extra_attempt result =
      context->method_retriable ? start_extra_attempt(context, KIND_RETRY, attempt) : EXTRA_NOT_ALLOWED;
  if (result == EXTRA_STARTED) return;
  /* No retry. A retriable response is still dropped when another attempt
   * could answer instead (a hedge in flight, a retry pending); the host
   * refuses when none could, and then this response goes to the client. */
  const int outcome_stands = is_response ? retry_host->attempt_reject_response(context->stream) != SY_OK
                                         : context->in_flight == 0 && !context->retry_pending;
  if (result == EXTRA_LIMIT_EXCEEDED && outcome_stands) flag_limit_exceeded(context);
}
