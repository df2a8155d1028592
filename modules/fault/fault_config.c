#include "fault_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_chance.h"
#include "http_field.h"

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))
#define MAX_DELAY_MS (24ull * 3600 * 1000)
#define MAX_LIMIT_KBPS (1024u * 1024u) /* 1 GiB/s: beyond any throttle worth testing */
#define MAX_ACTIVE_FAULTS 1000000u
#define MAX_SEED (1ull << 53) /* the largest integer a config number holds exactly */

const char *const fault_runtime_key_suffixes[FAULT_RUNTIME_KEY_COUNT] = {
    "delay.percent",     "delay.fixed_delay_ms",        "abort.percent",
    "abort.http_status", "response_rate_limit.percent", "response_rate_limit.limit_kbps",
};

static const char *const root_fields[] = {"delay",
                                          "abort",
                                          "response_rate_limit",
                                          "upstream_cluster",
                                          "upstream_clusters",
                                          "headers",
                                          "downstream_nodes",
                                          "downstream_service_header",
                                          "header_control",
                                          "max_active_faults",
                                          "runtime_prefix",
                                          "seed"};
static const char *const delay_fields[] = {"fixed_delay", "percent", "percentage"};
static const char *const abort_fields[] = {"http_status", "percent", "percentage"};
static const char *const rate_limit_fields[] = {"fixed_limit", "percent", "percentage"};
static const char *const fixed_limit_fields[] = {"limit_kbps"};
static const char *const percentage_fields[] = {"numerator", "denominator"};
static const char *const matcher_fields[] = {"name", "exact_match", "prefix_match", "present_match",
                                             "invert_match"};
static const char *const header_control_fields[] = {"enabled", "max_delay", "allowed_statuses"};

static int copy_text(const config_reader *reader, const sy_config_value *value, sy_slice text,
                     fault_text *out) {
  out->ptr = config_copy(reader, value, text);
  out->len = out->ptr != NULL ? text.len : 0;
  return out->ptr != NULL;
}

/* ---- chances ------------------------------------------------------------ */

static void read_percentage(const config_reader *reader, const sy_config_value *percentage, uint32_t *ppm) {
  static const struct {
    const char *name;
    uint32_t value;
  } denominators[] = {{"HUNDRED", 100}, {"TEN_THOUSAND", 10000}, {"MILLION", 1000000}};
  uint32_t denominator = 100;
  const sy_config_value *denominator_value = config_field(reader, percentage, "denominator");
  sy_slice name;
  if (reader->host->config_read_string(reader->context, denominator_value, &name) == SY_OK) {
    denominator = 0;
    for (size_t i = 0; i < COUNT_OF(denominators); ++i) {
      if (strlen(denominators[i].name) == name.len && memcmp(denominators[i].name, name.ptr, name.len) == 0)
        denominator = denominators[i].value;
    }
    if (denominator == 0) {
      config_errorf(reader, denominator_value, "expected HUNDRED, TEN_THOUSAND or MILLION, got \"%.*s\"",
                    (int)(name.len > 40 ? 40 : name.len), name.ptr);
      return;
    }
  }
  uint32_t numerator = 0;
  config_read_u32_field(reader, percentage, "numerator", 0, denominator, &numerator);
  *ppm = numerator * (FAULT_PPM_ALL / denominator);
}

/* `percent: 20` (0-100, at most four decimals) or Envoy's `percentage:
 * {numerator: N, denominator: HUNDRED | TEN_THOUSAND | MILLION}`; 100%
 * when neither is given. */
static void read_chance(const config_reader *reader, const sy_config_value *section, uint32_t *ppm) {
  *ppm = FAULT_PPM_ALL;
  const sy_config_value *percent = config_field(reader, section, "percent");
  const sy_config_value *percentage =
      config_read_section(reader, section, "percentage", percentage_fields, COUNT_OF(percentage_fields));
  if (percent != NULL && config_field(reader, section, "percentage") != NULL) {
    config_errorf(reader, percent, "give percent or percentage, not both");
    return;
  }
  if (percentage != NULL) {
    read_percentage(reader, percentage, ppm);
    return;
  }
  double value;
  if (reader->host->config_read_number(reader->context, percent, 0, 100, &value) != SY_OK) return;
  double scaled = value * 10000.0;
  uint32_t rounded = (uint32_t)(scaled + 0.5);
  double error = scaled - (double)rounded;
  if (error > 1e-6 || error < -1e-6) {
    config_errorf(reader, percent,
                  "has more than four decimals (the finest chance is 0.0001%%, one in a million)");
    return;
  }
  *ppm = rounded;
}

/* ---- the faults ---------------------------------------------------------- */

static void read_delay(const config_reader *reader, const sy_config_value *root, fault_delay_config *delay) {
  const sy_config_value *section =
      config_read_section(reader, root, "delay", delay_fields, COUNT_OF(delay_fields));
  if (section == NULL) return;
  delay->enabled = 1;
  if (config_field(reader, section, "fixed_delay") == NULL) {
    config_errorf(reader, section, "fixed_delay is required: how long a delayed request waits (e.g. \"2s\")");
  }
  config_read_ms_field(reader, section, "fixed_delay", 1, MAX_DELAY_MS, &delay->fixed_delay_ms);
  read_chance(reader, section, &delay->ppm);
}

static void read_abort(const config_reader *reader, const sy_config_value *root,
                       fault_abort_config *abort_config) {
  const sy_config_value *section =
      config_read_section(reader, root, "abort", abort_fields, COUNT_OF(abort_fields));
  if (section == NULL) return;
  abort_config->enabled = 1;
  if (config_field(reader, section, "http_status") == NULL) {
    config_errorf(reader, section, "http_status is required: the status an aborted request gets (e.g. 503)");
  }
  config_read_u32_field(reader, section, "http_status", 200, 599, &abort_config->http_status);
  read_chance(reader, section, &abort_config->ppm);
}

static void read_rate_limit(const config_reader *reader, const sy_config_value *root,
                            fault_rate_limit_config *rate_limit) {
  const sy_config_value *section = config_read_section(reader, root, "response_rate_limit", rate_limit_fields,
                                                       COUNT_OF(rate_limit_fields));
  if (section == NULL) return;
  rate_limit->enabled = 1;
  const sy_config_value *fixed_limit =
      config_read_section(reader, section, "fixed_limit", fixed_limit_fields, COUNT_OF(fixed_limit_fields));
  if (fixed_limit == NULL || config_field(reader, fixed_limit, "limit_kbps") == NULL) {
    config_errorf(reader, section,
                  "fixed_limit: {limit_kbps: N} is required: the body rate in KiB per second");
  } else {
    config_read_u32_field(reader, fixed_limit, "limit_kbps", 1, MAX_LIMIT_KBPS, &rate_limit->limit_kbps);
  }
  read_chance(reader, section, &rate_limit->ppm);
}

/* ---- scope ---------------------------------------------------------------- */

typedef struct list_fill {
  const config_reader *reader;
  fault_text_list *list;
} list_fill;

static sy_result add_text(void *user_data, sy_config_context *context, const sy_config_value *element,
                          sy_slice text) {
  (void)context;
  list_fill *fill = user_data;
  fault_text *items = realloc(fill->list->items, (fill->list->count + 1) * sizeof *items);
  if (items == NULL) {
    config_errorf(fill->reader, element, "out of memory");
    return SY_ERR_NO_MEMORY;
  }
  fill->list->items = items;
  if (copy_text(fill->reader, element, text, &items[fill->list->count])) fill->list->count++;
  return SY_OK;
}

static void read_text_list(const config_reader *reader, const sy_config_value *value, fault_text_list *list) {
  if (value == NULL) return;
  list_fill fill = {reader, list};
  reader->host->config_visit_strings(reader->context, value, add_text, &fill);
}

static void read_clusters(const config_reader *reader, const sy_config_value *root,
                          fault_text_list *clusters) {
  const sy_config_value *one = config_field(reader, root, "upstream_cluster");
  const sy_config_value *many = config_field(reader, root, "upstream_clusters");
  if (one != NULL && many != NULL) {
    config_errorf(reader, one, "give upstream_cluster or upstream_clusters, not both");
    return;
  }
  sy_slice name;
  if (reader->host->config_read_string(reader->context, one, &name) == SY_OK) {
    list_fill fill = {reader, clusters};
    add_text(&fill, reader->context, one, name);
  }
  read_text_list(reader, many, clusters);
}

/* A header name, or a pseudo-header such as ":path" or ":method". */
static void read_matcher_name(const config_reader *reader, const sy_config_value *value, fault_text *out) {
  sy_slice name;
  if (reader->host->config_read_string(reader->context, value, &name) != SY_OK) return;
  size_t skip = name.len > 1 && name.ptr[0] == ':' ? 1 : 0;
  if (!http_is_token(name.ptr + skip, name.len - skip)) {
    config_errorf(reader, value, "\"%.*s\" is not a valid header name (an HTTP token, or ':' and one)",
                  (int)(name.len > 64 ? 64 : name.len), name.ptr);
    return;
  }
  copy_text(reader, value, name, out);
}

static void read_matcher(const config_reader *reader, const sy_config_value *entry,
                         fault_header_matcher *matcher) {
  config_check_fields(reader, entry, matcher_fields, COUNT_OF(matcher_fields));
  const sy_config_value *name = config_field(reader, entry, "name");
  if (name == NULL) config_errorf(reader, entry, "name is required: the header to match");
  read_matcher_name(reader, name, &matcher->name);
  const sy_config_value *exact = config_field(reader, entry, "exact_match");
  const sy_config_value *prefix = config_field(reader, entry, "prefix_match");
  const sy_config_value *present = config_field(reader, entry, "present_match");
  if ((exact != NULL) + (prefix != NULL) + (present != NULL) > 1) {
    config_errorf(reader, entry, "give one of exact_match, prefix_match and present_match");
    return;
  }
  sy_slice text;
  matcher->kind = FAULT_MATCH_PRESENT;
  matcher->present = 1;
  if (reader->host->config_read_string(reader->context, exact != NULL ? exact : prefix, &text) == SY_OK) {
    matcher->kind = exact != NULL ? FAULT_MATCH_EXACT : FAULT_MATCH_PREFIX;
    copy_text(reader, exact != NULL ? exact : prefix, text, &matcher->value);
  }
  reader->host->config_read_bool(reader->context, present, &matcher->present);
  reader->host->config_read_bool(reader->context, config_field(reader, entry, "invert_match"),
                                 &matcher->invert);
}

static void read_headers(const config_reader *reader, const sy_config_value *root, fault_config *config) {
  const sy_config_value *headers = config_field(reader, root, "headers");
  if (headers == NULL) return;
  if (reader->host->config_kind(headers) != SY_CONFIG_ARRAY) {
    config_errorf(reader, headers, "expected an array of header matchers, got %s",
                  config_kind_name(reader->host->config_kind(headers)));
    return;
  }
  size_t count = reader->host->config_length(headers);
  config->headers = calloc(count > 0 ? count : 1, sizeof *config->headers);
  if (config->headers == NULL) {
    config_errorf(reader, headers, "out of memory");
    return;
  }
  config->header_count = count;
  for (size_t i = 0; i < count; ++i) {
    read_matcher(reader, reader->host->config_element(reader->context, headers, i), &config->headers[i]);
  }
}

static void read_caller(const config_reader *reader, const sy_config_value *root, fault_config *config) {
  read_text_list(reader, config_field(reader, root, "downstream_nodes"), &config->downstream_nodes);
  static const char default_header[] = "x-switchyard-downstream-service";
  const sy_config_value *header = config_field(reader, root, "downstream_service_header");
  if (config_read_header_name(reader, header, &config->downstream_service_header.ptr,
                              &config->downstream_service_header.len) == SY_ERR_NOT_FOUND) {
    sy_slice fallback = {default_header, sizeof default_header - 1};
    copy_text(reader, NULL, fallback, &config->downstream_service_header);
  }
}

/* ---- header control, runtime, the rest ------------------------------------ */

static void read_header_control(const config_reader *reader, const sy_config_value *root,
                                fault_header_control *control) {
  control->max_delay_ms = 10000;
  const sy_config_value *section = config_read_section(reader, root, "header_control", header_control_fields,
                                                       COUNT_OF(header_control_fields));
  if (section == NULL) return;
  reader->host->config_read_bool(reader->context, config_field(reader, section, "enabled"),
                                 &control->enabled);
  config_read_ms_field(reader, section, "max_delay", 1, MAX_DELAY_MS, &control->max_delay_ms);
  const sy_config_value *statuses = config_field(reader, section, "allowed_statuses");
  if (statuses == NULL) return;
  if (reader->host->config_kind(statuses) != SY_CONFIG_ARRAY) {
    config_errorf(reader, statuses, "expected an array of status codes, got %s",
                  config_kind_name(reader->host->config_kind(statuses)));
    return;
  }
  size_t count = reader->host->config_length(statuses);
  control->allowed_statuses = calloc(count > 0 ? count : 1, sizeof *control->allowed_statuses);
  if (control->allowed_statuses == NULL) {
    config_errorf(reader, statuses, "out of memory");
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    int64_t status;
    if (reader->host->config_read_integer(reader->context,
                                          reader->host->config_element(reader->context, statuses, i), 200,
                                          599, &status) == SY_OK) {
      control->allowed_statuses[control->allowed_status_count++] = (uint32_t)status;
    }
  }
}

static int is_key_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

static void read_runtime_keys(const config_reader *reader, const sy_config_value *root,
                              fault_config *config) {
  sy_slice prefix = {"fault", 5};
  const sy_config_value *value = config_field(reader, root, "runtime_prefix");
  if (reader->host->config_read_string(reader->context, value, &prefix) == SY_OK) {
    int valid = prefix.len > 0 && prefix.len <= 100;
    for (size_t i = 0; valid && i < prefix.len; ++i) valid = is_key_character(prefix.ptr[i]);
    if (!valid) {
      config_errorf(reader, value, "expected 1 to 100 letters, digits, '_', '-' or '.', got \"%.*s\"",
                    (int)(prefix.len > 40 ? 40 : prefix.len), prefix.ptr);
      return;
    }
  }
  for (int key = 0; key < FAULT_RUNTIME_KEY_COUNT; ++key) {
    char full[160];
    size_t length = (size_t)snprintf(full, sizeof full, "%.*s.%s", (int)prefix.len, prefix.ptr,
                                     fault_runtime_key_suffixes[key]);
    sy_slice text = {full, length};
    copy_text(reader, value, text, &config->runtime_keys[key]);
  }
}

static void define_metric(const config_reader *reader, sy_metric_kind kind, const char *name, uint32_t *id) {
  *id = UINT32_MAX;
  sy_slice slice = {name, strlen(name)};
  if (reader->host->metric_define(reader->context, kind, slice, id) != SY_OK) {
    config_errorf(reader, NULL,
                  "cannot define the metric %s (the registry is full or has it as another kind)", name);
  }
}

static void define_metrics(const config_reader *reader, fault_metrics *metrics) {
  define_metric(reader, SY_METRIC_COUNTER, "delays_injected", &metrics->delays_injected);
  define_metric(reader, SY_METRIC_COUNTER, "aborts_injected", &metrics->aborts_injected);
  define_metric(reader, SY_METRIC_GAUGE, "active_faults", &metrics->active_faults);
  define_metric(reader, SY_METRIC_COUNTER, "response_rate_limited", &metrics->response_rate_limited);
  define_metric(reader, SY_METRIC_COUNTER, "faults_overflow", &metrics->faults_overflow);
}

fault_config *fault_config_read(const config_reader *reader) {
  fault_config *config = calloc(1, sizeof *config);
  fault_shared *shared = calloc(1, sizeof *shared);
  if (config == NULL || shared == NULL) {
    free(config);
    free(shared);
    config_errorf(reader, NULL, "out of memory");
    return NULL;
  }
  atomic_init(&shared->active_faults, 0);
  atomic_init(&shared->draws, 0);
  config->shared = shared;
  const sy_config_value *root = reader->host->config_root(reader->context);
  config_check_fields(reader, root, root_fields, COUNT_OF(root_fields));
  read_delay(reader, root, &config->delay);
  read_abort(reader, root, &config->abort);
  read_rate_limit(reader, root, &config->rate_limit);
  read_clusters(reader, root, &config->clusters);
  read_headers(reader, root, config);
  read_caller(reader, root, config);
  read_header_control(reader, root, &config->header_control);
  config_read_u32_field(reader, root, "max_active_faults", 0, MAX_ACTIVE_FAULTS, &config->max_active_faults);
  read_runtime_keys(reader, root, config);
  int64_t seed;
  if (reader->host->config_read_integer(reader->context, config_field(reader, root, "seed"), 0,
                                        (int64_t)MAX_SEED, &seed) == SY_OK) {
    config->has_seed = 1;
    config->seed = (uint64_t)seed;
  }
  define_metrics(reader, &config->metrics);
  if (reader->host->config_error_count(reader->context) > 0) {
    fault_config_free(config);
    return NULL;
  }
  return config;
}

static void free_list(fault_text_list *list) {
  for (size_t i = 0; i < list->count; ++i) free(list->items[i].ptr);
  free(list->items);
}

void fault_config_free(fault_config *config) {
  if (config == NULL) return;
  free_list(&config->clusters);
  for (size_t i = 0; i < config->header_count; ++i) {
    free(config->headers[i].name.ptr);
    free(config->headers[i].value.ptr);
  }
  free(config->headers);
  free_list(&config->downstream_nodes);
  free(config->downstream_service_header.ptr);
  free(config->header_control.allowed_statuses);
  for (int key = 0; key < FAULT_RUNTIME_KEY_COUNT; ++key) free(config->runtime_keys[key].ptr);
  free(config->shared);
  free(config);
}
