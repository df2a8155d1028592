#include "breaker_stream.h"

#include <stdlib.h>
#include <string.h>

#include "breaker_config.h"
#include "breaker_module.h"
#include "breaker_registry.h"

/* One attempt this stream admitted to a host with a per-host breaker. */
typedef struct host_hold {
  uint32_t number;
  breaker_entry *host;
  breaker_ticket ticket;
  int holds_unit; /* one unit of the host's bulkhead, given back once */
  int started;    /* attempt_started ran: attempt_finished will follow */
} host_hold;

typedef struct breaker_stream {
  sy_stream *stream;
  const breaker_config *config;
  const breaker_cluster_config *cluster_config; /* NULL: no breaker for its cluster */
  breaker_entry *cluster;
  breaker_entry *route;
  int resolved;         /* cluster and route looked up */
  int request_admitted; /* the request-level checks passed once */
  int holds_cluster_unit;
  int holds_route_unit;
  breaker_ticket ticket; /* the cluster breaker's generation at admission */
  sy_timer *probe_timer;
  int probe_timer_armed;
  host_hold *holds;
  size_t hold_count, hold_capacity;
} breaker_stream;

static uint64_t now_ns(void) { return breaker_host->monotonic_time_ns(); }

static void record_metric(const breaker_stream *s, uint32_t id, int64_t value) {
  if (s->cluster_config != NULL && s->cluster_config->has_metrics && id != UINT32_MAX) {
    breaker_host->metric_record(id, value);
  }
}

static void count_metric(const breaker_stream *s, uint32_t id) { record_metric(s, id, 1); }

/* Stats for a cluster breaker transition: the state gauge moves by the
 * difference of the phases' numbers (closed 0, open 1, half-open 2). */
static void note_cluster_transition(const breaker_stream *s, breaker_transition transition) {
  if (s->cluster_config == NULL) return;
  const breaker_metrics *metrics = &s->cluster_config->metrics;
  switch (transition) {
    case BREAKER_TRIPPED:
      count_metric(s, metrics->trips);
      record_metric(s, metrics->state, +1);
      break;
    case BREAKER_REOPENED:
      count_metric(s, metrics->trips);
      count_metric(s, metrics->probes_failed);
      record_metric(s, metrics->state, -1);
      break;
    case BREAKER_CLOSED_AGAIN:
      count_metric(s, metrics->probes_succeeded);
      record_metric(s, metrics->state, -2);
      break;
    case BREAKER_WENT_HALF_OPEN:
      record_metric(s, metrics->state, +1);
      break;
    case BREAKER_PROBE_SUCCEEDED:
      count_metric(s, metrics->probes_succeeded);
      break;
    case BREAKER_NO_CHANGE:
      break;
  }
}

static sy_admission refuse(breaker_stream *s, breaker_entry *entry, breaker_reason reason, sy_admission how,
                           sy_slice *reason_out) {
  if (entry != NULL) breaker_entry_count_rejection(entry, reason);
  if (s->cluster_config != NULL) count_metric(s, s->cluster_config->metrics.rejected[reason]);
  const char *token = breaker_reason_token(reason);
  reason_out->ptr = token;
  reason_out->len = strlen(token);
  return how;
}

static int property(sy_stream *stream, sy_stream_property which, sy_slice *value) {
  return breaker_host->stream_get_property(stream, which, value) == SY_OK;
}

/* Finds the stream's cluster and route entries, once the route is final
 * (the first admission). */
static void resolve(breaker_stream *s) {
  s->resolved = 1;
  sy_slice cluster;
  if (property(s->stream, SY_PROP_CLUSTER_NAME, &cluster)) {
    s->cluster_config = breaker_config_for_cluster(s->config, cluster);
    if (s->cluster_config != NULL) {
      s->cluster = breaker_registry_get(BREAKER_SCOPE_CLUSTER, cluster.ptr, cluster.len, "", 0);
      if (s->cluster == NULL) s->cluster_config = NULL; /* registry full: no breaker, never a crash */
    }
  }
  sy_slice listener, route;
  if (s->config->route_max_requests > 0 && property(s->stream, SY_PROP_LISTENER_NAME, &listener) &&
      property(s->stream, SY_PROP_ROUTE_NAME, &route) && route.len > 0) {
    s->route = breaker_registry_get(BREAKER_SCOPE_ROUTE, listener.ptr, listener.len, route.ptr, route.len);
  }
}

/* ---- probes --------------------------------------------------------------- */

static void end_cluster_probe(breaker_stream *s) {
  if (!s->ticket.probe) return;
  breaker_release_probe(&s->cluster->state, &s->ticket);
  s->ticket.probe = 0;
}

static void end_host_probe(host_hold *hold) {
  if (hold->host == NULL || !hold->ticket.probe) return;
  breaker_release_probe(&hold->host->state, &hold->ticket);
  hold->ticket.probe = 0;
}

static int holds_any_probe(const breaker_stream *s) {
  if (s->ticket.probe) return 1;
  for (size_t i = 0; i < s->hold_count; ++i) {
    if (s->holds[i].ticket.probe) return 1;
  }
  return 0;
}

/* A probe that has not answered within its timeout failed: the breaker
 * re-opens (so it can never stay half-open waiting), and the attempts are
 * cancelled as timed out. */
static void on_probe_timeout(sy_timer *timer, void *user_data) {
  (void)timer;
  breaker_stream *s = user_data;
  s->probe_timer_armed = 0;
  uint64_t now = now_ns();
  if (s->ticket.probe) {
    note_cluster_transition(
        s, breaker_record(&s->cluster->state, &s->cluster_config->settings.policy, &s->ticket, 1, now));
    end_cluster_probe(s);
  }
  for (size_t i = 0; i < s->hold_count; ++i) {
    host_hold *hold = &s->holds[i];
    if (!hold->ticket.probe) continue;
    breaker_record(&hold->host->state, &s->cluster_config->host.policy, &hold->ticket, 1, now);
    end_host_probe(hold);
  }
  breaker_host->attempt_cancel(s->stream, 0, SY_ATTEMPT_TIMED_OUT);
}

/* One timer per stream covers its probes (the cluster's and its hosts'):
 * armed by the first, it ends them all. */
static void arm_probe_timer(breaker_stream *s, uint64_t timeout_ms) {
  if (s->probe_timer_armed) return;
  if (s->probe_timer == NULL)
    s->probe_timer = breaker_host->timer_new_for_stream(s->stream, on_probe_timeout, s);
  if (s->probe_timer == NULL) return; /* no timer: the probe ends with its stream */
  s->probe_timer_armed = breaker_host->timer_arm(s->probe_timer, timeout_ms) == SY_OK;
}

static void disarm_probe_timer(breaker_stream *s) {
  if (!s->probe_timer_armed) return;
  breaker_host->timer_cancel(s->probe_timer);
  s->probe_timer_armed = 0;
}

/* ---- hooks ---------------------------------------------------------------- */

sy_result breaker_stream_new(sy_stream *stream, const void *config, void **context_out) {
  breaker_stream *s = calloc(1, sizeof *s);
  if (s == NULL) return SY_ERR_NO_MEMORY;
  s->stream = stream;
  s->config = config;
  *context_out = s;
  return SY_OK;
}

static host_hold *find_hold(breaker_stream *s, uint32_t number) {
  for (size_t i = 0; i < s->hold_count; ++i) {
    if (s->holds[i].number == number) return &s->holds[i];
  }
  return NULL;
}

static void give_back_host(host_hold *hold) {
  if (!hold->holds_unit) return;
  breaker_entry_give_back(hold->host);
  hold->holds_unit = 0;
}

/* A candidate this filter admitted but that never started (a later filter
 * refused it) gives back its host unit and probe when the next candidate
 * for the same attempt is asked about. */
static void drop_unstarted(breaker_stream *s, uint32_t number) {
  host_hold *hold = find_hold(s, number);
  if (hold == NULL || hold->started) return;
  give_back_host(hold);
  end_host_probe(hold);
  hold->host = NULL;
}

/* Request-level checks, once per request: route and cluster bulkheads and
 * the cluster breaker. */
static sy_admission admit_request(breaker_stream *s, sy_slice *reason_out) {
  if (s->route != NULL) {
    if (!breaker_entry_take(s->route, s->config->route_max_requests)) {
      return refuse(s, s->route, BREAKER_REASON_ROUTE_MAX_REQUESTS, SY_ADMIT_REFUSE_ATTEMPT, reason_out);
    }
    s->holds_route_unit = 1;
  }
  if (s->cluster_config == NULL) return SY_ADMIT;
  const breaker_settings *settings = &s->cluster_config->settings;
  if (settings->trips) {
    breaker_transition transition = BREAKER_NO_CHANGE;
    breaker_admission admission =
        breaker_admit(&s->cluster->state, &settings->policy, now_ns(), &s->ticket, &transition);
    note_cluster_transition(s, transition);
    if (admission != BREAKER_ADMITTED)
      return refuse(s, s->cluster, BREAKER_REASON_OPEN, SY_ADMIT_REFUSE_ATTEMPT, reason_out);
    if (s->ticket.probe) {
      count_metric(s, s->cluster_config->metrics.probes_admitted);
      arm_probe_timer(s, settings->policy.probe_timeout_ms);
    }
  }
  if (!breaker_entry_take(s->cluster, settings->max_requests)) {
    return refuse(s, s->cluster, BREAKER_REASON_MAX_REQUESTS, SY_ADMIT_REFUSE_ATTEMPT, reason_out);
  }
  s->holds_cluster_unit = 1;
  return SY_ADMIT;
}

/* Checks against the host's cluster counters, for every attempt. */
static sy_admission admit_by_cluster_counters(breaker_stream *s, const sy_attempt_info *candidate,
                                              sy_slice *reason_out) {
  const breaker_cluster_config *c = s->cluster_config;
  if (c->max_pending_requests == 0 && c->max_connections == 0 &&
      (c->max_retries == 0 || candidate->number == 1)) {
    return SY_ADMIT;
  }
  sy_cluster_stats stats;
  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  if (breaker_host->cluster_stats(s->stream, &stats) != SY_OK) return SY_ADMIT;
  if (candidate->number > 1 && c->max_retries > 0 && stats.active_retries >= c->max_retries) {
    return refuse(s, s->cluster, BREAKER_REASON_MAX_RETRIES, SY_ADMIT_REFUSE_ATTEMPT, reason_out);
  }
  if (c->max_pending_requests > 0 && stats.pending_requests >= c->max_pending_requests) {
    return refuse(s, s->cluster, BREAKER_REASON_MAX_PENDING, SY_ADMIT_REFUSE_ATTEMPT, reason_out);
  }
  /* Over the limit, only a request an idle connection can take goes on. */
  if (c->max_connections > 0 && stats.active_connections >= c->max_connections &&
      stats.idle_connections == 0) {
    return refuse(s, s->cluster, BREAKER_REASON_MAX_CONNECTIONS, SY_ADMIT_REFUSE_ATTEMPT, reason_out);
  }
  return SY_ADMIT;
}

static host_hold *new_hold(breaker_stream *s, uint32_t number) {
  host_hold *hold = find_hold(s, number);
  if (hold != NULL) return hold;
  if (s->hold_count == s->hold_capacity) {
    size_t capacity = s->hold_capacity == 0 ? 4 : s->hold_capacity * 2;
    host_hold *grown = realloc(s->holds, capacity * sizeof *grown);
    if (grown == NULL) return NULL;
    s->holds = grown;
    s->hold_capacity = capacity;
  }
  hold = &s->holds[s->hold_count++];
  memset(hold, 0, sizeof *hold);
  hold->number = number;
  return hold;
}

/* The per-host breaker and bulkhead of the candidate host. */
static sy_admission admit_host(breaker_stream *s, const sy_attempt_info *candidate, sy_slice *reason_out) {
  const breaker_settings *host_settings = &s->cluster_config->host;
  breaker_entry *host = breaker_registry_get(BREAKER_SCOPE_HOST, s->cluster->name, strlen(s->cluster->name),
                                             candidate->upstream_host.ptr, candidate->upstream_host.len);
  host_hold *hold = host != NULL ? new_hold(s, candidate->number) : NULL;
  if (hold == NULL) return SY_ADMIT; /* no room to track it: no per-host breaker, never a crash */
  breaker_ticket ticket = {0, 0};
  if (host_settings->trips) {
    breaker_transition transition = BREAKER_NO_CHANGE;
    if (breaker_admit(&host->state, &host_settings->policy, now_ns(), &ticket, &transition) !=
        BREAKER_ADMITTED) {
      return refuse(s, host, BREAKER_REASON_HOST_OPEN, SY_ADMIT_REFUSE_HOST, reason_out);
    }
  }
  if (!breaker_entry_take(host, host_settings->max_requests)) {
    breaker_release_probe(&host->state, &ticket);
    return refuse(s, host, BREAKER_REASON_HOST_MAX_REQUESTS, SY_ADMIT_REFUSE_HOST, reason_out);
  }
  hold->host = host;
  hold->ticket = ticket;
  hold->holds_unit = 1;
  if (ticket.probe) arm_probe_timer(s, host_settings->policy.probe_timeout_ms);
  return SY_ADMIT;
}

sy_admission breaker_attempt_admit(sy_stream *stream, void *context, const sy_attempt_info *candidate,
                                   sy_slice *reason_out) {
  (void)stream;
  breaker_stream *s = context;
  if (!s->resolved) resolve(s);
  drop_unstarted(s, candidate->number);
  if (s->cluster_config != NULL) {
    sy_admission by_counters = admit_by_cluster_counters(s, candidate, reason_out);
    if (by_counters != SY_ADMIT) return by_counters;
  }
  if (!s->request_admitted) {
    sy_admission request = admit_request(s, reason_out);
    if (request != SY_ADMIT) return request;
    s->request_admitted = 1;
  } else if (s->cluster_config != NULL && s->cluster_config->settings.trips &&
             breaker_current_phase(&s->cluster->state) == BREAKER_OPEN) {
    /* A retry or hedge while the breaker is open adds load it is there to stop. */
    return refuse(s, s->cluster, BREAKER_REASON_OPEN, SY_ADMIT_REFUSE_ATTEMPT, reason_out);
  }
  if (s->cluster_config != NULL && s->cluster_config->per_host) return admit_host(s, candidate, reason_out);
  return SY_ADMIT;
}

void breaker_attempt_started(sy_stream *stream, void *context, const sy_attempt_info *attempt,
                             sy_headers *request_headers) {
  (void)stream;
  (void)request_headers;
  host_hold *hold = find_hold(context, attempt->number);
  if (hold != NULL) hold->started = 1;
}

void breaker_attempt_finished(sy_stream *stream, void *context, const sy_attempt_info *attempt) {
  (void)stream;
  breaker_stream *s = context;
  if (s->cluster_config == NULL) return;
  host_hold *hold = find_hold(s, attempt->number);
  if (hold != NULL && attempt->outcome != SY_ATTEMPT_RESET_AFTER_HEADERS) give_back_host(hold);
  /* A cancelled attempt says nothing about the upstream's health. */
  if (attempt->outcome == SY_ATTEMPT_CANCELLED) return;
  int failed = breaker_is_failure(&s->cluster_config->failure, attempt->outcome, attempt->status);
  uint64_t now = now_ns();
  if (s->cluster_config->settings.trips && s->request_admitted) {
    note_cluster_transition(
        s, breaker_record(&s->cluster->state, &s->cluster_config->settings.policy, &s->ticket, failed, now));
    end_cluster_probe(s); /* a probe's first result is its answer */
  }
  if (hold != NULL && hold->host != NULL && s->cluster_config->host.trips) {
    breaker_record(&hold->host->state, &s->cluster_config->host.policy, &hold->ticket, failed, now);
    end_host_probe(hold);
  }
  if (!holds_any_probe(s)) disarm_probe_timer(s);
}

/* Gives back everything the stream holds; runs at stream_complete and
 * again (doing nothing) at stream_destroy. */
static void release_all(breaker_stream *s) {
  if (s->holds_cluster_unit) breaker_entry_give_back(s->cluster);
  if (s->holds_route_unit) breaker_entry_give_back(s->route);
  s->holds_cluster_unit = s->holds_route_unit = 0;
  if (s->cluster != NULL) end_cluster_probe(s);
  for (size_t i = 0; i < s->hold_count; ++i) {
    give_back_host(&s->holds[i]);
    end_host_probe(&s->holds[i]);
  }
  disarm_probe_timer(s);
}

void breaker_stream_complete(sy_stream *stream, void *context) {
  (void)stream;
  release_all(context);
}

void breaker_stream_destroy(void *context) {
  breaker_stream *s = context;
  release_all(s);
  free(s->holds);
  free(s);
}
