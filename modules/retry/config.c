#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config_errors.h"
#include "config_header_name.h"
#include "json.h"

/* Room for the longest field path this module reports, e.g.
 * "retriable_headers[12].value"; an unknown member name is cut to fit. */
enum { FIELD_PATH_CAPACITY = 160 };

/* Parses one member's value into `target` (the config, or the item of a
 * list being filled). `field` is the member's full path, for errors. */
typedef int (*member_parser)(config_error *error, const json_value *value, const char *field, void *target);

typedef struct member_rule {
  const char *name;
  member_parser parse;
} member_rule;

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* ---- scalars ----------------------------------------------------------- */

/* A wrong number is quoted in its error message up to this many bytes. */
enum { QUOTED_NUMBER_MAX = 64 };

static int read_bool(config_error *error, const json_value *value, const char *field, int *out) {
  if (value->type != JSON_BOOL) {
    return config_fail(error, "%s: expected true or false, got %s", field, json_type_name(value->type));
  }
  *out = value->boolean;
  return 1;
}

/* A whole number in [min, max]. Protobuf hands numbers over as doubles, so
 * "300" may arrive as 300 or 3e2; both are fine, 2.5 is not. */
static int read_whole(config_error *error, const json_value *value, const char *field, uint64_t min,
                      uint64_t max, uint64_t *out) {
  double number = 0;
  if (!json_get_double(value, &number)) {
    return config_fail(error, "%s: expected a whole number from %" PRIu64 " to %" PRIu64 ", got %s", field,
                       min, max, json_type_name(value->type));
  }
  if (!(number >= (double)min && number <= (double)max) || number != (double)(uint64_t)number) {
    return config_fail(error, "%s: expected a whole number from %" PRIu64 " to %" PRIu64 ", got %.*s", field,
                       min, max, config_quote_length(value->string_len, QUOTED_NUMBER_MAX), value->string);
  }
  *out = (uint64_t)number;
  return 1;
}

static int read_whole32(config_error *error, const json_value *value, const char *field, uint32_t min,
                        uint32_t max, uint32_t *out) {
  uint64_t wide = 0;
  if (!read_whole(error, value, field, min, max, &wide)) return 0;
  *out = (uint32_t)wide;
  return 1;
}

/* ---- objects ----------------------------------------------------------- */

/* Appends `text`, cut to fit; `out` stays NUL-terminated. */
static void append_text(char *out, size_t capacity, size_t *used, const char *text) {
  size_t length = strlen(text);
  if (length > capacity - 1 - *used) length = capacity - 1 - *used;
  memcpy(out + *used, text, length);
  *used += length;
  out[*used] = '\0';
}

/* "a, b or c" from the rules' names, for "unknown field" messages. */
static void list_names(const member_rule *rules, size_t count, char *out, size_t capacity) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < count; ++i) {
    append_text(out, capacity, &used, i == 0 ? "" : i + 1 == count ? " or " : ", ");
    append_text(out, capacity, &used, rules[i].name);
  }
}

/* Runs the rule for each member of `object`; any other member is an error.
 * `path` is the object's own path, "" for the root. */
static int parse_object(config_error *error, const json_value *object, const char *path,
                        const member_rule *rules, size_t rule_count, void *target) {
  char field[FIELD_PATH_CAPACITY];
  if (object->type != JSON_OBJECT) {
    return config_fail(error, "%s: expected an object, got %s", path[0] != '\0' ? path : "config",
                       json_type_name(object->type));
  }
  for (const json_value *member = object->child; member != NULL; member = member->next) {
    if (path[0] != '\0') {
      config_format_field(field, sizeof field, "%s.%s", path, member->key);
    } else {
      config_format_field(field, sizeof field, "%s", member->key);
    }
    const member_rule *rule = NULL;
    for (size_t i = 0; i < rule_count && rule == NULL; ++i) {
      if (strcmp(rules[i].name, member->key) == 0) rule = &rules[i];
    }
    if (rule == NULL) {
      char expected[256];
      list_names(rules, rule_count, expected, sizeof expected);
      return config_fail(error, "%s: unknown field (expected %s)", field, expected);
    }
    if (!rule->parse(error, member, field, target)) return 0;
  }
  return 1;
}

static int expect_array(config_error *error, const json_value *value, const char *field,
                        const char *of_what) {
  if (value->type == JSON_ARRAY) return 1;
  return config_fail(error, "%s: expected an array of %s, got %s", field, of_what,
                     json_type_name(value->type));
}

/* ---- retry_on, retriable_status_codes, retriable_headers ---------------- */

static int parse_retry_on(config_error *error, const json_value *value, const char *field, void *target) {
  retry_config *config = target;
  char item_field[FIELD_PATH_CAPACITY];
  if (!expect_array(error, value, field, "condition names")) return 0;
  config->retry_on = 0;
  size_t index = 0;
  for (const json_value *item = value->child; item != NULL; item = item->next, ++index) {
    config_format_field(item_field, sizeof item_field, "%s[%zu]", field, index);
    if (item->type != JSON_STRING) {
      return config_fail(error, "%s: expected a condition name (string), got %s", item_field,
                         json_type_name(item->type));
    }
    const uint32_t condition = retry_condition_from_word(item->string, item->string_len);
    if (condition == 0) {
      return config_fail(error, "%s: unknown condition \"%.*s\" (expected one of %s)", item_field,
                         (int)item->string_len, item->string, retry_condition_word_list);
    }
    config->retry_on |= condition;
  }
  return 1;
}

static int parse_status_codes(config_error *error, const json_value *value, const char *field, void *target) {
  retry_config *config = target;
  char item_field[FIELD_PATH_CAPACITY];
  if (!expect_array(error, value, field, "status codes")) return 0;
  size_t index = 0;
  for (const json_value *item = value->child; item != NULL; item = item->next, ++index) {
    uint32_t status = 0;
    config_format_field(item_field, sizeof item_field, "%s[%zu]", field, index);
    if (!read_whole32(error, item, item_field, RETRY_STATUS_MIN, RETRY_STATUS_MAX, &status)) return 0;
    retry_status_set_add(&config->rules.status_codes, status);
  }
  config->rules.status_code_count = index;
  return 1;
}

static int parse_match_name(config_error *error, const json_value *value, const char *field, void *target) {
  retry_header_match *match = target;
  return config_read_header_name(error, value, field, &match->name, &match->name_len);
}

static int parse_match_value(config_error *error, const json_value *value, const char *field, void *target) {
  retry_header_match *match = target;
  if (value->type != JSON_STRING) {
    return config_fail(error, "%s: expected a string, got %s", field, json_type_name(value->type));
  }
  if (memchr(value->string, '\r', value->string_len) || memchr(value->string, '\n', value->string_len) ||
      memchr(value->string, '\0', value->string_len)) {
    return config_fail(error, "%s: header values may not contain CR, LF or NUL", field);
  }
  match->value = json_copy_bytes(value->string, value->string_len);
  if (match->value == NULL) return config_out_of_memory(error);
  match->value_len = value->string_len;
  match->any_value = 0;
  return 1;
}

static const member_rule header_match_rules[] = {
    {"name", parse_match_name},
    {"value", parse_match_value},
};

static int parse_retriable_headers(config_error *error, const json_value *value, const char *field,
                                   void *target) {
  retry_config *config = target;
  char item_field[FIELD_PATH_CAPACITY];
  if (!expect_array(error, value, field, "{name, value} objects")) return 0;
  const size_t count = json_count_children(value);
  if (count == 0) return 1;
  config->rules.headers = calloc(count, sizeof *config->rules.headers);
  if (config->rules.headers == NULL) return config_out_of_memory(error);
  /* Counted as they are filled, so retry_config_free releases exactly the
   * matches that hold allocations, however far parsing got. */
  for (const json_value *item = value->child; item != NULL; item = item->next) {
    retry_header_match *match = &config->rules.headers[config->rules.header_count];
    config_format_field(item_field, sizeof item_field, "%s[%zu]", field, config->rules.header_count++);
    match->any_value = 1;
    if (!parse_object(error, item, item_field, header_match_rules, COUNT_OF(header_match_rules), match))
      return 0;
    if (match->name == NULL) return config_fail(error, "%s.name: required", item_field);
  }
  return 1;
}

/* ---- plain fields ------------------------------------------------------ */

static int parse_num_retries(config_error *error, const json_value *value, const char *field, void *target) {
  retry_config *config = target;
  return read_whole32(error, value, field, 0, RETRY_MAX_NUM_RETRIES, &config->num_retries);
}

static int parse_per_try_timeout(config_error *error, const json_value *value, const char *field,
                                 void *target) {
  retry_config *config = target;
  return read_whole(error, value, field, 0, RETRY_MAX_PER_TRY_TIMEOUT_MS, &config->per_try_timeout_ms);
}

static int parse_avoid_tried_hosts(config_error *error, const json_value *value, const char *field,
                                   void *target) {
  retry_config *config = target;
  return read_bool(error, value, field, &config->avoid_tried_hosts);
}

static int parse_retry_non_idempotent(config_error *error, const json_value *value, const char *field,
                                      void *target) {
  retry_config *config = target;
  return read_bool(error, value, field, &config->retry_non_idempotent);
}

static int parse_request_overrides(config_error *error, const json_value *value, const char *field,
                                   void *target) {
  retry_config *config = target;
  return read_bool(error, value, field, &config->request_overrides);
}

/* "" turns the header off, as if the field were absent. */
static int parse_attempt_count_header(config_error *error, const json_value *value, const char *field,
                                      void *target) {
  retry_config *config = target;
  if (value->type == JSON_STRING && value->string_len == 0) return 1;
  return config_read_header_name(error, value, field, &config->attempt_count_header,
                                 &config->attempt_count_header_len);
}

/* ---- backoff, retry_after, budget, hedge -------------------------------- */

static int parse_base_interval(config_error *error, const json_value *value, const char *field,
                               void *target) {
  retry_config *config = target;
  return read_whole(error, value, field, 0, RETRY_MAX_INTERVAL_MS, &config->backoff_base_ms);
}

static int parse_max_interval(config_error *error, const json_value *value, const char *field, void *target) {
  retry_config *config = target;
  return read_whole(error, value, field, 0, RETRY_MAX_INTERVAL_MS, &config->backoff_max_ms);
}

static const member_rule backoff_rules[] = {
    {"base_interval_ms", parse_base_interval},
    {"max_interval_ms", parse_max_interval},
};

static int parse_backoff(config_error *error, const json_value *value, const char *field, void *target) {
  return parse_object(error, value, field, backoff_rules, COUNT_OF(backoff_rules), target);
}

static int parse_honor(config_error *error, const json_value *value, const char *field, void *target) {
  retry_config *config = target;
  return read_bool(error, value, field, &config->honor_retry_after);
}

static int parse_max_delay(config_error *error, const json_value *value, const char *field, void *target) {
  retry_config *config = target;
  return read_whole(error, value, field, 0, RETRY_MAX_INTERVAL_MS, &config->retry_after_max_delay_ms);
}

static const member_rule retry_after_rules[] = {
    {"honor", parse_honor},
    {"max_delay_ms", parse_max_delay},
};

static int parse_retry_after(config_error *error, const json_value *value, const char *field, void *target) {
  return parse_object(error, value, field, retry_after_rules, COUNT_OF(retry_after_rules), target);
}

static int parse_budget_enabled(config_error *error, const json_value *value, const char *field,
                                void *target) {
  retry_config *config = target;
  return read_bool(error, value, field, &config->budget_enabled);
}

static int parse_budget_percent(config_error *error, const json_value *value, const char *field,
                                void *target) {
  retry_config *config = target;
  double percent = 0;
  if (!json_get_double(value, &percent)) {
    return config_fail(error, "%s: expected a number from 0 to 100, got %s", field,
                       json_type_name(value->type));
  }
  if (!(percent >= 0 && percent <= 100)) {
    return config_fail(error, "%s: expected a number from 0 to 100, got %.*s", field,
                       config_quote_length(value->string_len, QUOTED_NUMBER_MAX), value->string);
  }
  config->budget_percent = percent;
  return 1;
}

static int parse_min_concurrency(config_error *error, const json_value *value, const char *field,
                                 void *target) {
  retry_config *config = target;
  return read_whole32(error, value, field, 0, UINT32_MAX, &config->budget_min_concurrency);
}

static const member_rule budget_rules[] = {
    {"enabled", parse_budget_enabled},
    {"percent", parse_budget_percent},
    {"min_concurrency", parse_min_concurrency},
};

static int parse_budget(config_error *error, const json_value *value, const char *field, void *target) {
  return parse_object(error, value, field, budget_rules, COUNT_OF(budget_rules), target);
}

static int parse_on_per_try_timeout(config_error *error, const json_value *value, const char *field,
                                    void *target) {
  retry_config *config = target;
  return read_bool(error, value, field, &config->hedge_on_per_try_timeout);
}

static int parse_initial_requests(config_error *error, const json_value *value, const char *field,
                                  void *target) {
  retry_config *config = target;
  return read_whole32(error, value, field, 1, RETRY_MAX_INITIAL_REQUESTS, &config->hedge_initial_requests);
}

static const member_rule hedge_rules[] = {
    {"on_per_try_timeout", parse_on_per_try_timeout},
    {"initial_requests", parse_initial_requests},
};

static int parse_hedge(config_error *error, const json_value *value, const char *field, void *target) {
  return parse_object(error, value, field, hedge_rules, COUNT_OF(hedge_rules), target);
}

static const member_rule config_rules[] = {
    {"retry_on", parse_retry_on},
    {"retriable_status_codes", parse_status_codes},
    {"retriable_headers", parse_retriable_headers},
    {"num_retries", parse_num_retries},
    {"per_try_timeout_ms", parse_per_try_timeout},
    {"backoff", parse_backoff},
    {"retry_after", parse_retry_after},
    {"budget", parse_budget},
    {"avoid_tried_hosts", parse_avoid_tried_hosts},
    {"hedge", parse_hedge},
    {"retry_non_idempotent", parse_retry_non_idempotent},
    {"attempt_count_header", parse_attempt_count_header},
    {"request_overrides", parse_request_overrides},
};

/* ---- whole config ------------------------------------------------------ */

/* Marks max_interval_ms as not given, so that it can default to ten times
 * whatever base_interval_ms turns out to be. */
#define BACKOFF_MAX_UNSET UINT64_MAX

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

/* Rules that span fields. A setting that could never take effect is an
 * error, not a silent no-op. */
static int check_config(config_error *error, retry_config *config) {
  const int wants_codes = (config->retry_on & RETRY_ON_RETRIABLE_STATUS_CODES) != 0;
  if (config->rules.status_code_count > 0 && !wants_codes) {
    return config_fail(
        error,
        "retriable_status_codes: listed, but retry_on does not include \"retriable-status-codes\", "
        "so they would never be used");
  }
  if (wants_codes && config->rules.status_code_count == 0) {
    return config_fail(
        error, "retry_on: \"retriable-status-codes\" needs at least one code in retriable_status_codes");
  }
  const int wants_headers = (config->retry_on & RETRY_ON_RETRIABLE_HEADERS) != 0;
  if (config->rules.header_count > 0 && !wants_headers) {
    return config_fail(error,
                       "retriable_headers: listed, but retry_on does not include \"retriable-headers\", "
                       "so they would never be used");
  }
  if (wants_headers && config->rules.header_count == 0) {
    return config_fail(error,
                       "retry_on: \"retriable-headers\" needs at least one entry in retriable_headers");
  }
  if (config->backoff_max_ms == BACKOFF_MAX_UNSET) {
    config->backoff_max_ms = config->backoff_base_ms * 10;
  } else if (config->backoff_max_ms < config->backoff_base_ms) {
    return config_fail(
        error, "backoff.max_interval_ms: %" PRIu64 " is less than backoff.base_interval_ms (%" PRIu64 ")",
        config->backoff_max_ms, config->backoff_base_ms);
  }
  if (config->hedge_on_per_try_timeout && config->per_try_timeout_ms == 0) {
    return config_fail(error, "hedge.on_per_try_timeout: needs per_try_timeout_ms above 0");
  }
  if (config->hedge_on_per_try_timeout && (config->retry_on & RETRY_ON_TIMEOUT_CONDITIONS) == 0) {
    return config_fail(error,
                       "hedge.on_per_try_timeout: retry_on must include \"5xx\" or \"gateway-error\", "
                       "the conditions that cover a per-try timeout");
  }
  if (config->hedge_initial_requests - 1 > config->num_retries) {
    return config_fail(error,
                       "hedge.initial_requests: %" PRIu32 " means %" PRIu32
                       " hedges, but num_retries is %" PRIu32 " and hedges count against it",
                       config->hedge_initial_requests, config->hedge_initial_requests - 1,
                       config->num_retries);
  }
  return 1;
}

retry_config *retry_config_parse(const char *json, size_t length, char *error_text, size_t error_capacity) {
  json_value *root = json_parse(json, length, error_text, error_capacity);
  if (root == NULL) return NULL;
  config_error error = {error_text, error_capacity};
  retry_config *config = calloc(1, sizeof *config);
  int ok = config != NULL ? 1 : config_out_of_memory(&error);
  if (ok) set_defaults(config);
  ok = ok && parse_object(&error, root, "", config_rules, COUNT_OF(config_rules), config) &&
       check_config(&error, config);
  json_free(root);
  if (!ok) {
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
