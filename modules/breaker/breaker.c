/* The breaker filter module (README.md): bulkheads and circuit breakers
 * with a half-open state, per cluster, per host and per route, shared by
 * every worker. This file holds the module table, the config lifecycle and
 * the admin report; breaker_stream.c the per-stream hooks; breaker_state.c
 * the state machine; breaker_registry.c the process-wide breakers. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <switchyard/filter.h>

#include "breaker_config.h"
#include "breaker_module.h"
#include "breaker_registry.h"
#include "breaker_stream.h"
#include "config_reader.h"

const sy_host_api *breaker_host;

/* What this module needs beyond the typed config calls: attempt admission
 * and reports (ABI 1.3). */
static int host_has_admission(void) {
  return SY_HAS_FIELD(breaker_host, sy_host_api, report_field) && breaker_host->report_field != NULL &&
         breaker_host->cluster_stats != NULL && breaker_host->attempt_cancel != NULL;
}

static sy_result check_host(char *error, size_t error_capacity) {
  if (!config_host_has_typed_access(breaker_host)) {
    return config_refuse_host(breaker_host, "breaker", error, error_capacity);
  }
  if (!host_has_admission()) {
    snprintf(error, error_capacity,
             "breaker needs ABI 1.3 (attempt admission and cluster reports), but this host has ABI %u.%u",
             (unsigned)breaker_host->abi.major, (unsigned)breaker_host->abi.minor);
    return SY_ERR_UNSUPPORTED;
  }
  return SY_OK;
}

static sy_result module_init(char *error, size_t error_capacity) { return check_host(error, error_capacity); }

static void module_shutdown(void) { breaker_registry_clear(); }

static sy_result config_new(sy_config_context *context, sy_slice json, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json; /* the same config is read through the typed calls */
  sy_result host_check = check_host(error, error_capacity);
  if (host_check != SY_OK) return host_check;
  const config_reader reader = {breaker_host, context};
  breaker_config *config = breaker_config_read(&reader);
  if (config == NULL) return SY_ERR_INVALID_ARGUMENT;
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) { breaker_config_free(config); }

/* ---- the admin report ------------------------------------------------------ */

typedef struct report_writer {
  sy_report *report;
  uint64_t now_ns;
} report_writer;

static void add_field(const report_writer *writer, const char *prefix, const char *name, const char *value) {
  char full[512];
  int length = snprintf(full, sizeof full, "%s%s", prefix, name);
  if (length < 0) return;
  sy_slice name_slice = {full, (size_t)length < sizeof full ? (size_t)length : sizeof full - 1};
  sy_slice value_slice = {value, strlen(value)};
  breaker_host->report_field(writer->report, name_slice, value_slice);
}

static void add_number(const report_writer *writer, const char *prefix, const char *name, uint64_t value) {
  char text[32];
  snprintf(text, sizeof text, "%" PRIu64, value);
  add_field(writer, prefix, name, text);
}

/* One breaker's fields, each name prefixed by `prefix` ("" for the
 * cluster's own, "ip:port." for a host's). */
static void report_entry(const report_writer *writer, const char *prefix, const breaker_entry *entry) {
  const breaker_state *state = &entry->state;
  add_field(writer, prefix, "state", breaker_phase_name(breaker_current_phase(state)));
  uint64_t remaining_ns = breaker_open_remaining_ns(state, writer->now_ns);
  if (remaining_ns > 0) add_number(writer, prefix, "open_remaining_ms", (remaining_ns + 999999) / 1000000);
  add_number(writer, prefix, "active",
             atomic_load_explicit(&((breaker_entry *)entry)->active, memory_order_relaxed));
  breaker_state *mutable_state = (breaker_state *)state;
  add_number(writer, prefix, "trips", atomic_load_explicit(&mutable_state->trips, memory_order_relaxed));
  add_number(writer, prefix, "probes_admitted",
             atomic_load_explicit(&mutable_state->probes_admitted, memory_order_relaxed));
  add_number(writer, prefix, "probes_succeeded",
             atomic_load_explicit(&mutable_state->probes_succeeded, memory_order_relaxed));
  add_number(writer, prefix, "probes_failed",
             atomic_load_explicit(&mutable_state->probes_failed, memory_order_relaxed));
  for (int reason = 0; reason < BREAKER_REASON_COUNT; ++reason) {
    uint64_t count = atomic_load_explicit(&((breaker_entry *)entry)->rejected[reason], memory_order_relaxed);
    if (count == 0) continue;
    char name[64];
    snprintf(name, sizeof name, "rejected.%s", breaker_reason_token((breaker_reason)reason));
    add_number(writer, prefix, name, count);
  }
}

static void report_cluster_entry(const breaker_entry *entry, void *user_data) {
  report_entry(user_data, "", entry);
}

static void report_host_entry(const breaker_entry *entry, void *user_data) {
  char prefix[300];
  snprintf(prefix, sizeof prefix, "%.280s.", entry->host);
  report_entry(user_data, prefix, entry);
}

static void cluster_report(sy_slice cluster_name, sy_report *report) {
  report_writer writer = {report, breaker_host->monotonic_time_ns()};
  breaker_registry_visit(BREAKER_SCOPE_CLUSTER, cluster_name.ptr, cluster_name.len, report_cluster_entry,
                         &writer);
  breaker_registry_visit(BREAKER_SCOPE_HOST, cluster_name.ptr, cluster_name.len, report_host_entry, &writer);
}

static const sy_filter_module breaker_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "breaker",
    .version = "1.0.0",
    .module_init = module_init,
    .module_shutdown = module_shutdown,
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = breaker_stream_new,
    .stream_destroy = breaker_stream_destroy,
    .stream_complete = breaker_stream_complete,
    .attempt_started = breaker_attempt_started,
    .attempt_finished = breaker_attempt_finished,
    .attempt_admit = breaker_attempt_admit,
    .cluster_report = cluster_report,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api);
SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  breaker_host = host_api;
  return &breaker_module;
}
