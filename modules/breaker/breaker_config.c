#include "breaker_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))
#define MAX_LIMIT 1000000u
#define MAX_INTERVAL_MS (24ull * 3600 * 1000)

/* A duration of the state machine: at least `min_ms`, at most a day. */
static void read_interval(const config_reader *reader, const sy_config_value *object, const char *name,
                          uint64_t min_ms, uint64_t *out) {
  config_read_ms_field(reader, object, name, min_ms, MAX_INTERVAL_MS, out);
}

/* ---- the state machine: triggers and recovery -------------------------- */

static const char *const failure_rate_fields[] = {"percent", "minimum_requests", "window"};
static const char *const half_open_fields[] = {"max_probes", "successes", "probe_timeout"};

static void read_settings(const config_reader *reader, const sy_config_value *object,
                          breaker_settings *settings) {
  breaker_policy *policy = &settings->policy;
  *policy = (breaker_policy){
      .consecutive_failures = 0,
      .failure_rate_percent = 0,
      .failure_rate_minimum_requests = 20,
      .failure_rate_window_ms = 10000,
      .open_interval_ms = 5000,
      .max_open_interval_ms = 0, /* below: ten times open_interval unless given */
      .half_open_max_probes = 1,
      .half_open_successes = 1,
      .probe_timeout_ms = 10000,
  };
  config_read_u32_field(reader, object, "max_requests", 0, MAX_LIMIT, &settings->max_requests);
  config_read_u32_field(reader, object, "consecutive_failures", 0, BREAKER_MAX_COUNT,
                        &policy->consecutive_failures);
  const sy_config_value *rate =
      config_read_section(reader, object, "failure_rate", failure_rate_fields, COUNT_OF(failure_rate_fields));
  if (rate != NULL) {
    config_read_u32_field(reader, rate, "percent", 1, 100, &policy->failure_rate_percent);
    config_read_u32_field(reader, rate, "minimum_requests", 1, BREAKER_MAX_COUNT,
                          &policy->failure_rate_minimum_requests);
    read_interval(reader, rate, "window", BREAKER_WINDOW_BUCKETS, &policy->failure_rate_window_ms);
    if (config_field(reader, rate, "percent") == NULL) {
      config_errorf(reader, rate,
                    "percent is required: the failure rate (1-100) above which the breaker opens");
    }
  }
  read_interval(reader, object, "open_interval", 1, &policy->open_interval_ms);
  read_interval(reader, object, "max_open_interval", 1, &policy->max_open_interval_ms);
  const sy_config_value *half_open =
      config_read_section(reader, object, "half_open", half_open_fields, COUNT_OF(half_open_fields));
  if (half_open != NULL) {
    config_read_u32_field(reader, half_open, "max_probes", 1, BREAKER_MAX_COUNT,
                          &policy->half_open_max_probes);
    config_read_u32_field(reader, half_open, "successes", 1, BREAKER_MAX_COUNT, &policy->half_open_successes);
    read_interval(reader, half_open, "probe_timeout", 1, &policy->probe_timeout_ms);
  }
  if (policy->max_open_interval_ms == 0) {
    policy->max_open_interval_ms = policy->open_interval_ms * 10;
  } else if (policy->max_open_interval_ms < policy->open_interval_ms) {
    config_errorf(reader, config_field(reader, object, "max_open_interval"),
                  "must not be shorter than open_interval (%llu ms)",
                  (unsigned long long)policy->open_interval_ms);
  }
  settings->trips = policy->consecutive_failures > 0 || policy->failure_rate_percent > 0;
}

/* ---- failure_on, failure_statuses -------------------------------------- */

static const struct {
  const char *word;
  uint32_t bit;
} failure_words[] = {
    {"5xx", BREAKER_FAILURE_5XX},         {"gateway_error", BREAKER_FAILURE_GATEWAY_ERROR},
    {"reset", BREAKER_FAILURE_RESET},     {"connect_failure", BREAKER_FAILURE_CONNECT_FAILURE},
    {"timeout", BREAKER_FAILURE_TIMEOUT},
};

typedef struct failure_fill {
  const config_reader *reader;
  breaker_failure_rules *rules;
} failure_fill;

static sy_result add_failure_word(void *user_data, sy_config_context *context, const sy_config_value *element,
                                  sy_slice word) {
  (void)context;
  failure_fill *fill = user_data;
  for (size_t i = 0; i < COUNT_OF(failure_words); ++i) {
    if (strlen(failure_words[i].word) == word.len && memcmp(failure_words[i].word, word.ptr, word.len) == 0) {
      fill->rules->outcomes |= failure_words[i].bit;
      return SY_OK;
    }
  }
  config_errorf(fill->reader, element,
                "unknown failure \"%.*s\" (expected 5xx, gateway_error, reset, connect_failure or timeout)",
                (int)(word.len > 40 ? 40 : word.len), word.ptr);
  return SY_OK; /* go on: report every unknown word */
}

static void read_failure_rules(const config_reader *reader, const sy_config_value *object,
                               breaker_failure_rules *rules) {
  rules->outcomes =
      BREAKER_FAILURE_5XX | BREAKER_FAILURE_RESET | BREAKER_FAILURE_CONNECT_FAILURE | BREAKER_FAILURE_TIMEOUT;
  const sy_config_value *words = config_field(reader, object, "failure_on");
  if (words != NULL) {
    rules->outcomes = 0;
    failure_fill fill = {reader, rules};
    reader->host->config_visit_strings(reader->context, words, add_failure_word, &fill);
  }
  const sy_config_value *statuses = config_field(reader, object, "failure_statuses");
  if (statuses == NULL) return;
  if (reader->host->config_kind(statuses) != SY_CONFIG_ARRAY) {
    config_errorf(reader, statuses, "expected an array of status codes, got %s",
                  config_kind_name(reader->host->config_kind(statuses)));
    return;
  }
  size_t count = reader->host->config_length(statuses);
  if (count > COUNT_OF(rules->statuses)) {
    config_errorf(reader, statuses, "at most %zu status codes", COUNT_OF(rules->statuses));
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    int64_t status;
    if (reader->host->config_read_integer(reader->context,
                                          reader->host->config_element(reader->context, statuses, i), 100,
                                          599, &status) == SY_OK) {
      rules->statuses[rules->status_count++] = (uint32_t)status;
    }
  }
}

/* ---- one cluster's entry ------------------------------------------------ */

static const char *const cluster_fields[] = {
    "cluster",      "max_requests",    "max_pending_requests",
    "max_retries",  "max_connections", "consecutive_failures",
    "failure_rate", "open_interval",   "max_open_interval",
    "half_open",    "failure_on",      "failure_statuses",
    "per_host",
};
static const char *const per_host_fields[] = {
    "max_requests", "consecutive_failures", "failure_rate", "open_interval", "max_open_interval", "half_open",
};

static void define_metric(const config_reader *reader, const char *prefix, const char *name,
                          sy_metric_kind kind, uint32_t *id) {
  char full[256];
  snprintf(full, sizeof full, "%s.%s", prefix, name);
  sy_slice slice = {full, strlen(full)};
  if (reader->host->metric_define(reader->context, kind, slice, id) != SY_OK) *id = UINT32_MAX;
}

/* Stats under "<filter>.<cluster>." (or "<filter>.default."). */
static void define_metrics(const config_reader *reader, breaker_cluster_config *entry) {
  const char *prefix = entry->cluster != NULL ? entry->cluster : "default";
  breaker_metrics *metrics = &entry->metrics;
  define_metric(reader, prefix, "state", SY_METRIC_GAUGE, &metrics->state);
  define_metric(reader, prefix, "trips", SY_METRIC_COUNTER, &metrics->trips);
  define_metric(reader, prefix, "probes_admitted", SY_METRIC_COUNTER, &metrics->probes_admitted);
  define_metric(reader, prefix, "probes_succeeded", SY_METRIC_COUNTER, &metrics->probes_succeeded);
  define_metric(reader, prefix, "probes_failed", SY_METRIC_COUNTER, &metrics->probes_failed);
  for (int reason = 0; reason < BREAKER_REASON_COUNT; ++reason) {
    char name[64];
    snprintf(name, sizeof name, "rejected.%s", breaker_reason_token((breaker_reason)reason));
    define_metric(reader, prefix, name, SY_METRIC_COUNTER, &metrics->rejected[reason]);
  }
  entry->has_metrics = 1;
}

static void read_cluster_entry(const config_reader *reader, const sy_config_value *object,
                               breaker_cluster_config *entry, int is_default) {
  if (!config_check_fields(reader, object, cluster_fields, COUNT_OF(cluster_fields))) return;
  if (is_default) {
    if (config_field(reader, object, "cluster") != NULL) {
      config_errorf(reader, config_field(reader, object, "cluster"),
                    "the default entry applies to every cluster not listed; it names none");
    }
  } else {
    const sy_config_value *name = config_field(reader, object, "cluster");
    sy_slice text = {NULL, 0};
    if (name == NULL) {
      config_errorf(reader, object, "cluster is required: the name of the cluster these settings apply to");
    } else if (reader->host->config_read_string(reader->context, name, &text) == SY_OK) {
      if (text.len == 0) config_errorf(reader, name, "must not be empty");
      entry->cluster = config_copy(reader, name, text);
    }
  }
  read_settings(reader, object, &entry->settings);
  config_read_u32_field(reader, object, "max_pending_requests", 0, MAX_LIMIT, &entry->max_pending_requests);
  config_read_u32_field(reader, object, "max_retries", 0, MAX_LIMIT, &entry->max_retries);
  config_read_u32_field(reader, object, "max_connections", 0, MAX_LIMIT, &entry->max_connections);
  read_failure_rules(reader, object, &entry->failure);
  const sy_config_value *per_host =
      config_read_section(reader, object, "per_host", per_host_fields, COUNT_OF(per_host_fields));
  if (per_host != NULL) {
    entry->per_host = 1;
    read_settings(reader, per_host, &entry->host);
  }
  if (reader->host->config_error_count(reader->context) == 0) define_metrics(reader, entry);
}

/* ---- the whole config --------------------------------------------------- */

static const char *const root_fields[] = {"clusters", "default", "route"};
static const char *const route_fields[] = {"max_requests"};

breaker_config *breaker_config_read(const config_reader *reader) {
  const sy_host_api *host = reader->host;
  const sy_config_value *root = host->config_root(reader->context);
  config_check_fields(reader, root, root_fields, COUNT_OF(root_fields));
  breaker_config *config = calloc(1, sizeof *config);
  if (config == NULL) return NULL;

  const sy_config_value *clusters = config_field(reader, root, "clusters");
  if (clusters != NULL && host->config_kind(clusters) != SY_CONFIG_ARRAY) {
    config_errorf(reader, clusters, "expected an array of cluster entries ({cluster: NAME, ...}), got %s",
                  config_kind_name(host->config_kind(clusters)));
  } else if (clusters != NULL && host->config_length(clusters) > 0) {
    config->cluster_count = host->config_length(clusters);
    config->clusters = calloc(config->cluster_count, sizeof *config->clusters);
    if (config->clusters == NULL) {
      breaker_config_free(config);
      return NULL;
    }
    for (size_t i = 0; i < config->cluster_count; ++i) {
      read_cluster_entry(reader, host->config_element(reader->context, clusters, i), &config->clusters[i], 0);
      for (size_t j = 0; j < i; ++j) {
        if (config->clusters[i].cluster != NULL && config->clusters[j].cluster != NULL &&
            strcmp(config->clusters[i].cluster, config->clusters[j].cluster) == 0) {
          config_errorf(reader, host->config_element(reader->context, clusters, i),
                        "cluster \"%.64s\" is listed twice", config->clusters[i].cluster);
        }
      }
    }
  }
  const sy_config_value *fallback = config_field(reader, root, "default");
  if (fallback != NULL) {
    config->fallback = calloc(1, sizeof *config->fallback);
    if (config->fallback == NULL) {
      breaker_config_free(config);
      return NULL;
    }
    read_cluster_entry(reader, fallback, config->fallback, 1);
  }
  const sy_config_value *route =
      config_read_section(reader, root, "route", route_fields, COUNT_OF(route_fields));
  if (route != NULL)
    config_read_u32_field(reader, route, "max_requests", 0, MAX_LIMIT, &config->route_max_requests);
  if (host->config_error_count(reader->context) > 0) {
    breaker_config_free(config);
    return NULL;
  }
  return config;
}

void breaker_config_free(breaker_config *config) {
  if (config == NULL) return;
  for (size_t i = 0; i < config->cluster_count; ++i) free(config->clusters[i].cluster);
  free(config->clusters);
  free(config->fallback);
  free(config);
}

const breaker_cluster_config *breaker_config_for_cluster(const breaker_config *config, sy_slice cluster) {
  for (size_t i = 0; i < config->cluster_count; ++i) {
    const char *name = config->clusters[i].cluster;
    if (name != NULL && strlen(name) == cluster.len && memcmp(name, cluster.ptr, cluster.len) == 0) {
      return &config->clusters[i];
    }
  }
  return config->fallback;
}

int breaker_is_failure(const breaker_failure_rules *rules, sy_attempt_outcome outcome, uint32_t status) {
  switch (outcome) {
    case SY_ATTEMPT_RESPONSE:
      if ((rules->outcomes & BREAKER_FAILURE_5XX) && status >= 500 && status <= 599) return 1;
      if ((rules->outcomes & BREAKER_FAILURE_GATEWAY_ERROR) && status >= 502 && status <= 504) return 1;
      for (size_t i = 0; i < rules->status_count; ++i) {
        if (rules->statuses[i] == status) return 1;
      }
      return 0;
    case SY_ATTEMPT_CONNECT_FAILURE:
      return (rules->outcomes & BREAKER_FAILURE_CONNECT_FAILURE) != 0;
    case SY_ATTEMPT_RESET_BEFORE_HEADERS:
    case SY_ATTEMPT_RESET_AFTER_HEADERS:
      return (rules->outcomes & BREAKER_FAILURE_RESET) != 0;
    case SY_ATTEMPT_TIMED_OUT:
      return (rules->outcomes & BREAKER_FAILURE_TIMEOUT) != 0;
    default: /* cancelled: says nothing about the upstream */
      return 0;
  }
}
