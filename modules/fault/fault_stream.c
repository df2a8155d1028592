#include "fault_stream.h"

#include <stdlib.h>
#include <string.h>

#include "fault_chance.h"
#include "fault_config.h"
#include "fault_module.h"
#include "fault_plan.h"
#include "fault_scope.h"
#include "fault_throttle.h"

typedef struct fault_stream {
  sy_stream *stream;
  const fault_config *config;
  int holds_slot; /* counted in active_faults (and against max_active_faults) */
  sy_timer *delay_timer;
  int delaying;
  int abort_after_delay;
  uint32_t abort_status;
  fault_throttle throttle;
} fault_stream;

static void count(uint32_t metric, int64_t value) {
  if (metric != UINT32_MAX) fault_host->metric_record(metric, value);
}

static void add_flag(sy_stream *stream, sy_response_flag flag) {
  fault_host->stream_add_response_flag(stream, sy_response_flag_code(flag));
}

/* One number per decision: from the seeded sequence when the config has a
 * seed (the same requests get the same faults on every run with one
 * worker), else from the host. */
static uint64_t draw(const fault_config *config) {
  if (!config->has_seed) return fault_host->random_u64();
  uint64_t index = atomic_fetch_add_explicit(&config->shared->draws, 1, memory_order_relaxed);
  return fault_seeded_draw(config->seed, index);
}

/* A slot among the config's max_active_faults, over every worker. */
static int take_slot(fault_stream *s) {
  fault_shared *shared = s->config->shared;
  uint_fast32_t limit = s->config->max_active_faults;
  uint_fast32_t active = atomic_load_explicit(&shared->active_faults, memory_order_relaxed);
  do {
    if (limit > 0 && active >= limit) return 0;
  } while (!atomic_compare_exchange_weak_explicit(&shared->active_faults, &active, active + 1,
                                                  memory_order_relaxed, memory_order_relaxed));
  s->holds_slot = 1;
  count(s->config->metrics.active_faults, +1);
  return 1;
}

static void give_back_slot(fault_stream *s) {
  if (!s->holds_slot) return;
  s->holds_slot = 0;
  atomic_fetch_sub_explicit(&s->config->shared->active_faults, 1, memory_order_relaxed);
  count(s->config->metrics.active_faults, -1);
}

static void inject_abort(fault_stream *s, uint32_t status) {
  static const char body[] = "fault filter abort\n";
  static const char details[] = "fault_abort";
  sy_slice body_slice = {body, sizeof body - 1};
  sy_slice no_type = {NULL, 0};
  sy_slice details_slice = {details, sizeof details - 1};
  if (fault_host->send_local_reply(s->stream, status, body_slice, no_type, details_slice) != SY_OK) return;
  add_flag(s->stream, SY_FLAG_FAULT_INJECTED);
  count(s->config->metrics.aborts_injected, 1);
}

static void on_delay_over(sy_timer *timer, void *user_data) {
  (void)timer;
  fault_stream *s = user_data;
  s->delaying = 0;
  if (s->abort_after_delay) {
    inject_abort(s, s->abort_status);
  } else {
    fault_host->stream_continue_request(s->stream);
  }
}

/* Holds the request for `delay_ms`; 0 when no timer could be had (the
 * request then goes on undelayed rather than stuck). */
static int start_delay(fault_stream *s, uint64_t delay_ms) {
  s->delay_timer = fault_host->timer_new_for_stream(s->stream, on_delay_over, s);
  if (s->delay_timer == NULL || fault_host->timer_arm(s->delay_timer, delay_ms) != SY_OK) return 0;
  s->delaying = 1;
  add_flag(s->stream, SY_FLAG_DELAY_INJECTED);
  count(s->config->metrics.delays_injected, 1);
  return 1;
}

sy_result fault_stream_new(sy_stream *stream, const void *config, void **context_out) {
  fault_stream *s = calloc(1, sizeof *s);
  if (s == NULL) return SY_ERR_NO_MEMORY;
  s->stream = stream;
  s->config = config;
  *context_out = s;
  return SY_OK;
}

sy_filter_status fault_request_headers(sy_stream *stream, void *context, sy_headers *headers,
                                       int end_stream) {
  (void)stream;
  (void)end_stream;
  fault_stream *s = context;
  if (s == NULL || !fault_scope_matches(fault_host, s->config, s->stream, headers)) return SY_FILTER_CONTINUE;
  fault_plan plan;
  fault_plan_build(fault_host, s->config, headers, &plan);
  /* Every decision takes its number, whatever the others decide, so that a
   * seeded run gives each fault the same sequence whatever is configured. */
  int delay = fault_chance_hits(plan.delay_on ? plan.delay_ppm : 0, draw(s->config));
  int abort_now = fault_chance_hits(plan.abort_on ? plan.abort_ppm : 0, draw(s->config));
  int throttle = fault_chance_hits(plan.rate_limit_on ? plan.rate_limit_ppm : 0, draw(s->config));
  if (!delay && !abort_now && !throttle) return SY_FILTER_CONTINUE;
  if (!take_slot(s)) {
    count(s->config->metrics.faults_overflow, 1);
    return SY_FILTER_CONTINUE;
  }
  if (throttle) {
    fault_throttle_start(&s->throttle, s->stream, plan.rate_limit_kbps);
    count(s->config->metrics.response_rate_limited, 1);
  }
  if (delay && start_delay(s, plan.delay_ms)) {
    s->abort_after_delay = abort_now;
    s->abort_status = plan.abort_status;
    return SY_FILTER_STOP_ITERATION;
  }
  if (abort_now) {
    inject_abort(s, plan.abort_status);
    return SY_FILTER_STOP_ITERATION;
  }
  return SY_FILTER_CONTINUE;
}

sy_filter_status fault_response_body(sy_stream *stream, void *context, sy_buffer *body, int end_stream) {
  (void)stream;
  fault_stream *s = context;
  if (s == NULL) return SY_FILTER_CONTINUE;
  return fault_throttle_on_body(&s->throttle, body, end_stream);
}

/* The fault is over with the exchange, however it ended (a client that went
 * away mid-delay included): the slot goes back at once, not when the host
 * gets round to destroying the stream. */
void fault_stream_complete(sy_stream *stream, void *context) {
  (void)stream;
  fault_stream *s = context;
  if (s == NULL) return;
  if (s->delaying) fault_host->timer_cancel(s->delay_timer);
  s->delaying = 0;
  fault_throttle_stop(&s->throttle);
  give_back_slot(s);
}

void fault_stream_destroy(void *context) {
  fault_stream *s = context;
  if (s == NULL) return;
  give_back_slot(s);
  free(s);
}
