#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "config_errors.h"
#include "http_token.h"
#include "json.h"

enum { DEFAULT_REQUEST_TIMEOUT_MS = 15000 };

/* A wrong value is quoted in its error message up to this many bytes. */
enum { QUOTED_VALUE_MAX = 40 };

/* A duration in whole milliseconds: a JSON number written as plain digits.
 * The host hands numbers over as protobuf doubles, so 3000 arrives as
 * "3000" and a fraction or exponent means the user wrote one. */
static int parse_duration_ms(const json_value *value, const char *field, uint64_t *ms_out,
                             config_error *error) {
  if (value->type != JSON_NUMBER) {
    return config_fail(error, "%s: expected a non-negative integer, got %s", field,
                       json_type_name(value->type));
  }
  switch (json_get_uint64(value, TIMEOUT_MAX_MS, ms_out)) {
    case JSON_UINT64_OK:
      return 1;
    case JSON_UINT64_TOO_LARGE:
      return config_fail(error, "%s: %.*s is more than the maximum, %llu ms (about 49.7 days)", field,
                         config_quote_length(value->string_len, QUOTED_VALUE_MAX), value->string,
                         (unsigned long long)TIMEOUT_MAX_MS);
    case JSON_UINT64_NOT_UINT:
      break;
  }
  return config_fail(error, "%s: expected a non-negative integer, got %.*s", field,
                     config_quote_length(value->string_len, QUOTED_VALUE_MAX), value->string);
}

/* A header name, or "" for "off" (left NULL). */
static int parse_optional_header_name(const json_value *value, const char *field, char **name_out,
                                      size_t *length_out, config_error *error) {
  if (value->type != JSON_STRING) {
    return config_fail(error, "%s: expected a header name (string, \"\" for off), got %s", field,
                       json_type_name(value->type));
  }
  if (value->string_len == 0) return 1;
  if (!http_is_token(value->string, value->string_len)) {
    return config_fail(error, "%s: \"%.*s\" is not a valid header name (an HTTP token)", field,
                       config_quote_length(value->string_len, QUOTED_VALUE_MAX), value->string);
  }
  *name_out = json_copy_bytes(value->string, value->string_len);
  if (*name_out == NULL) return config_out_of_memory(error);
  *length_out = value->string_len;
  return 1;
}

static int parse_config(const json_value *root, timeout_config *config, config_error *error) {
  if (root->type != JSON_OBJECT) {
    return config_fail(error, "config: expected an object, got %s", json_type_name(root->type));
  }
  for (const json_value *member = root->child; member != NULL; member = member->next) {
    const char *key = member->key;
    int ok;
    if (strcmp(key, "request_timeout_ms") == 0) {
      ok = parse_duration_ms(member, key, &config->request_timeout_ms, error);
    } else if (strcmp(key, "idle_timeout_ms") == 0) {
      ok = parse_duration_ms(member, key, &config->idle_timeout_ms, error);
    } else if (strcmp(key, "trusted_timeout_header") == 0) {
      ok = parse_optional_header_name(member, key, &config->trusted_timeout_header,
                                      &config->trusted_timeout_header_len, error);
    } else if (strcmp(key, "propagate_timeout_header") == 0) {
      ok = parse_optional_header_name(member, key, &config->propagate_timeout_header,
                                      &config->propagate_timeout_header_len, error);
    } else {
      ok = config_fail(
          error,
          "%s: unknown field (expected request_timeout_ms, idle_timeout_ms, trusted_timeout_header "
          "or propagate_timeout_header)",
          key);
    }
    if (!ok) return 0;
  }
  return 1;
}

timeout_config *timeout_config_parse(const char *json, size_t length, char *error_text,
                                     size_t error_capacity) {
  config_error error = {error_text, error_capacity};
  json_value *root = json_parse(json, length, error_text, error_capacity);
  if (root == NULL) return NULL;
  timeout_config *config = calloc(1, sizeof *config);
  int ok = 0;
  if (config == NULL) {
    config_out_of_memory(&error);
  } else {
    config->request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
    ok = parse_config(root, config, &error);
  }
  json_free(root);
  if (!ok) {
    timeout_config_free(config);
    return NULL;
  }
  return config;
}

void timeout_config_free(timeout_config *config) {
  if (config == NULL) return;
  free(config->trusted_timeout_header);
  free(config->propagate_timeout_header);
  free(config);
}
