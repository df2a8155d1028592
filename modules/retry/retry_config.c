#include "retry_config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "http_field.h"

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* Marks max_interval_ms as not given, so that it can default to ten times
 * whatever base_interval_ms turns out to be. */
#define BACKOFF_MAX_UNSET UINT64_MAX

/* ---- plain reads ------------------------------------------------------- */

static void read_bool(const config_reader *reader, const sy_config_value *object, const char *name,
                      int *out) {
  reader->host->config_read_bool(reader->context, config_field(reader, object, name), out);
}

/* An array of something other than strings; NULL when absent or not an
 * array (the latter recorded). */
static const sy_config_value *read_array(const config_reader *reader, const sy_config_value *root,
                                         const char *name, const char *of_what) {
  const sy_config_value *array = config_field(reader, root, name);
  if (array == NULL || reader->host->config_kind(array) == SY_CONFIG_ARRAY) return array;
  config_errorf(reader, array, "expected an array of %s, got %s", of_what,
                config_kind_name(reader->host->config_kind(array)));
  return NULL;
}

/* ---- retry_on, retriable_status_codes, retriable_headers ---------------- */

typedef struct condition_fill {
  const config_reader *reader;
  retry_config *config;
} condition_fill;

/* Every unknown word is reported, so the visit always goes on. */
static sy_result add_condition(void *user_data, sy_config_context *context, const sy_config_value *element,
                               sy_slice word) {
  (void)context;
  condition_fill *fill = user_data;
  const uint32_t condition = retry_condition_from_word(word.ptr, word.len);
  if (condition == 0) {
    config_errorf(fill->reader, element, "unknown condition \"%.*s\" (expected one of %s)", (int)word.len,
                  word.ptr, retry_condition_word_list);
  }
  fill->config->retry_on |= condition;
  return SY_OK;
}

static void read_retry_on(const config_reader *reader, const sy_config_value *value, retry_config *config) {
  if (value == NULL) return;
  const uint32_t defaults = config->retry_on;
  config->retry_on = 0;
  condition_fill fill = {reader, config};
  if (reader->host->config_visit_strings(reader->context, value, add_condition, &fill) != SY_OK) {
    config->retry_on = defaults;
  }
}

static void read_status_codes(const config_reader *reader, const sy_config_value *root,
                              retry_config *config) {
  const sy_config_value *codes = read_array(reader, root, "retriable_status_codes", "status codes");
  const size_t count = reader->host->config_length(codes);
  for (size_t i = 0; i < count; ++i) {
    int64_t status;
    if (reader->host->config_read_integer(reader->context,
                                          reader->host->config_element(reader->context, codes, i),
                                          RETRY_STATUS_MIN, RETRY_STATUS_MAX, &status) == SY_OK) {
      retry_status_set_add(&config->rules.status_codes, (uint32_t)status);
    }
  }
  config->rules.status_code_count = count;
}

static const char *const header_match_fields[] = {"name", "value"};

static void read_header_match(const config_reader *reader, const sy_config_value *item,
                              retry_header_match *match) {
  config_check_fields(reader, item, header_match_fields, COUNT_OF(header_match_fields));
  if (reader->host->config_kind(item) != SY_CONFIG_OBJECT) return;
  const sy_config_value *name = config_field(reader, item, "name");
  if (name == NULL) config_errorf(reader, item, "name is required");
  config_read_header_name(reader, name, &match->name, &match->name_len);
  const sy_config_value *value = config_field(reader, item, "value");
  sy_slice text;
  if (reader->host->config_read_string(reader->context, value, &text) != SY_OK) return;
  if (!http_is_safe_field_value(text.ptr, text.len)) {
    config_errorf(reader, value, "header values may not contain CR, LF or NUL");
    return;
  }
  match->value = config_copy(reader, value, text);
  if (match->value == NULL) return;
  match->value_len = text.len;
  match->any_value = 0;
}

static void read_retriable_headers(const config_reader *reader, const sy_config_value *root,
                                   retry_config *config) {
  const sy_config_value *list = read_array(reader, root, "retriable_headers", "{name, value} objects");
  const size_t count = reader->host->config_length(list);
  if (count == 0) return;
  config->rules.headers = calloc(count, sizeof *config->rules.headers);
  if (config->rules.headers == NULL) {
    config_errorf(reader, list, "out of memory");
    return;
  }
  /* Counted as they are filled, so retry_config_free releases exactly the
   * matches that hold allocations. */
  for (size_t i = 0; i < count; ++i) {
    retry_header_match *match = &config->rules.headers[config->rules.header_count++];
    match->any_value = 1;
    read_header_match(reader, reader->host->config_element(reader->context, list, i), match);
  }
}

/* "" turns the header off, as if the field were absent. */
static void read_attempt_count_header(const config_reader *reader, const sy_config_value *value,
                                      retry_config *config) {
  sy_slice name;
  if (reader->host->config_kind(value) == SY_CONFIG_STRING &&
      reader->host->config_read_string(reader->context, value, &name) == SY_OK && name.len == 0) {
    return;
  }
  config_read_header_name(reader, value, &config->attempt_count_header, &config->attempt_count_header_len);
}

/* ---- whole config ------------------------------------------------------ */

static const char *const config_fields[] = {
    "retry_on",
    "retriable_status_codes",
    "retriable_headers",
    "num_retries",
    "per_try_timeout_ms",
    "backoff",
    "retry_after",
    "budget",
    "avoid_tried_hosts",
    "hedge",
    "retry_non_idempotent",
    "attempt_count_header",
    "request_overrides",
};
static const char *const backoff_fields[] = {"base_interval_ms", "max_interval_ms"};
static const char *const retry_after_fields[] = {"honor", "max_delay_ms"};
static const char *const budget_fields[] = {"enabled", "percent", "min_concurrency"};
static const char *const hedge_fields[] = {"on_per_try_timeout", "initial_requests"};

static void set_defaults(retry_config *config) {
  config->retry_on = RETRY_ON_CONNECT_FAILURE | RETRY_ON_RESET | RETRY_ON_GATEWAY_ERROR;
  config->num_retries = 1;
  config->backoff_base_ms = 25;
  config->backoff_max_ms = BACKOFF_MAX_UNSET;
  config->retry_after_max_delay_ms = 10000;
  config->budget_enabled = 1;
  config->budget_percent = 20.0;
  config->budget_min_concurrency = 3;
  config->avoid_tried_hosts = 1;
  config->hedge_initial_requests = 1;
}

static void read_fields(const config_reader *reader, const sy_config_value *root, retry_config *config) {
  const sy_host_api *host = reader->host;
  config_check_fields(reader, root, config_fields, COUNT_OF(config_fields));
  read_retry_on(reader, config_field(reader, root, "retry_on"), config);
  read_status_codes(reader, root, config);
  read_retriable_headers(reader, root, config);
  config_read_u32_field(reader, root, "num_retries", 0, RETRY_MAX_NUM_RETRIES, &config->num_retries);
  config_read_ms_field(reader, root, "per_try_timeout_ms", 0, RETRY_MAX_PER_TRY_TIMEOUT_MS,
                       &config->per_try_timeout_ms);
  read_bool(reader, root, "avoid_tried_hosts", &config->avoid_tried_hosts);
  read_bool(reader, root, "retry_non_idempotent", &config->retry_non_idempotent);
  read_bool(reader, root, "request_overrides", &config->request_overrides);
  read_attempt_count_header(reader, config_field(reader, root, "attempt_count_header"), config);

  const sy_config_value *backoff =
      config_read_section(reader, root, "backoff", backoff_fields, COUNT_OF(backoff_fields));
  config_read_ms_field(reader, backoff, "base_interval_ms", 0, RETRY_MAX_INTERVAL_MS,
                       &config->backoff_base_ms);
  config_read_ms_field(reader, backoff, "max_interval_ms", 0, RETRY_MAX_INTERVAL_MS, &config->backoff_max_ms);

  const sy_config_value *retry_after =
      config_read_section(reader, root, "retry_after", retry_after_fields, COUNT_OF(retry_after_fields));
  read_bool(reader, retry_after, "honor", &config->honor_retry_after);
  config_read_ms_field(reader, retry_after, "max_delay_ms", 0, RETRY_MAX_INTERVAL_MS,
                       &config->retry_after_max_delay_ms);

  const sy_config_value *budget =
      config_read_section(reader, root, "budget", budget_fields, COUNT_OF(budget_fields));
  read_bool(reader, budget, "enabled", &config->budget_enabled);
  host->config_read_number(reader->context, config_field(reader, budget, "percent"), 0, 100,
                           &config->budget_percent);
  config_read_u32_field(reader, budget, "min_concurrency", 0, UINT32_MAX, &config->budget_min_concurrency);

  const sy_config_value *hedge =
      config_read_section(reader, root, "hedge", hedge_fields, COUNT_OF(hedge_fields));
  read_bool(reader, hedge, "on_per_try_timeout", &config->hedge_on_per_try_timeout);
  config_read_u32_field(reader, hedge, "initial_requests", 1, RETRY_MAX_INITIAL_REQUESTS,
                        &config->hedge_initial_requests);
}

/* Rules that span fields, checked once every field read well. A setting
 * that could never take effect is an error, not a silent no-op. Each error
 * names the field that asks for what cannot happen. */
static void check_config(const config_reader *reader, const sy_config_value *root, retry_config *config) {
  const sy_config_value *retry_on = config_field(reader, root, "retry_on");
  const int wants_codes = (config->retry_on & RETRY_ON_RETRIABLE_STATUS_CODES) != 0;
  if (config->rules.status_code_count > 0 && !wants_codes) {
    config_errorf(
        reader, config_field(reader, root, "retriable_status_codes"),
        "listed, but retry_on does not include \"retriable-status-codes\", so they would never be used");
  }
  if (wants_codes && config->rules.status_code_count == 0) {
    config_errorf(reader, retry_on,
                  "\"retriable-status-codes\" needs at least one code in retriable_status_codes");
  }
  const int wants_headers = (config->retry_on & RETRY_ON_RETRIABLE_HEADERS) != 0;
  if (config->rules.header_count > 0 && !wants_headers) {
    config_errorf(reader, config_field(reader, root, "retriable_headers"),
                  "listed, but retry_on does not include \"retriable-headers\", so they would never be used");
  }
  if (wants_headers && config->rules.header_count == 0) {
    config_errorf(reader, retry_on, "\"retriable-headers\" needs at least one entry in retriable_headers");
  }
  const sy_config_value *backoff = config_field(reader, root, "backoff");
  if (config->backoff_max_ms == BACKOFF_MAX_UNSET) {
    config->backoff_max_ms = config->backoff_base_ms * 10;
  } else if (config->backoff_max_ms < config->backoff_base_ms) {
    config_errorf(reader, config_field(reader, backoff, "max_interval_ms"),
                  "%" PRIu64 " ms is less than backoff.base_interval_ms (%" PRIu64 " ms)",
                  config->backoff_max_ms, config->backoff_base_ms);
  }
  const sy_config_value *hedge = config_field(reader, root, "hedge");
  const sy_config_value *on_per_try_timeout = config_field(reader, hedge, "on_per_try_timeout");
  if (config->hedge_on_per_try_timeout && config->per_try_timeout_ms == 0) {
    config_errorf(reader, on_per_try_timeout, "needs per_try_timeout_ms above 0");
  }
  if (config->hedge_on_per_try_timeout && (config->retry_on & RETRY_ON_TIMEOUT_CONDITIONS) == 0) {
    config_errorf(
        reader, on_per_try_timeout,
        "retry_on must include \"5xx\" or \"gateway-error\", the conditions that cover a per-try timeout");
  }
  if (config->hedge_initial_requests - 1 > config->num_retries) {
    config_errorf(reader, config_field(reader, hedge, "initial_requests"),
                  "%" PRIu32 " means %" PRIu32 " hedges, but num_retries is %" PRIu32
                  " and hedges count against it",
                  config->hedge_initial_requests, config->hedge_initial_requests - 1, config->num_retries);
  }
}

retry_config *retry_config_read(const config_reader *reader) {
  const sy_config_value *root = reader->host->config_root(reader->context);
  retry_config *config = calloc(1, sizeof *config);
  if (config == NULL) {
    config_errorf(reader, NULL, "out of memory");
    return NULL;
  }
  set_defaults(config);
  read_fields(reader, root, config);
  /* Cross-field rules on fields that did not read would only add noise. */
  if (reader->host->config_error_count(reader->context) == 0) check_config(reader, root, config);
  if (reader->host->config_error_count(reader->context) > 0) {
    retry_config_free(config);
    return NULL;
  }
  return config;
}

void retry_config_free(retry_config *config) {
  if (config == NULL) return;
  for (size_t i = 0; i < config->rules.header_count; ++i) {
    free(config->rules.headers[i].name);
    free(config->rules.headers[i].value);
  }
  free(config->rules.headers);
  free(config->attempt_count_header);
  free(config);
}
