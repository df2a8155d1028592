#include "headers_config.h"

#include <stdlib.h>
#include <string.h>

#include "http_field.h"

typedef struct variable {
  const char *name;
  sy_stream_property property;
} variable;

static const variable variables[] = {
    {"CLIENT_ADDRESS", SY_PROP_CLIENT_ADDRESS},
    {"CLIENT_PORT", SY_PROP_CLIENT_PORT},
    {"LISTENER", SY_PROP_LISTENER_NAME},
    {"ROUTE", SY_PROP_ROUTE_NAME},
    {"CLUSTER", SY_PROP_CLUSTER_NAME},
    {"UPSTREAM_HOST", SY_PROP_UPSTREAM_HOST},
    {"REQUEST_ID", SY_PROP_REQUEST_ID},
    {"PROTOCOL", SY_PROP_PROTOCOL},
};

static int append_part(const config_reader *reader, const sy_config_value *value, header_rule *rule,
                       value_part part) {
  value_part *grown = realloc(rule->parts, (rule->part_count + 1) * sizeof *grown);
  if (grown == NULL) {
    config_errorf(reader, value, "out of memory");
    return 0;
  }
  rule->parts = grown;
  rule->parts[rule->part_count++] = part;
  return 1;
}

/* Adds the literal text gathered so far as one part. */
static int flush_literal(const config_reader *reader, const sy_config_value *value, header_rule *rule,
                         const char *literal, size_t *literal_len) {
  if (*literal_len == 0) return 1;
  sy_slice literal_text = {literal, *literal_len};
  char *text = config_copy(reader, value, literal_text);
  if (text == NULL) return 0;
  value_part part = {.is_variable = 0, .text = text, .text_len = *literal_len};
  *literal_len = 0;
  if (!append_part(reader, value, rule, part)) {
    free(text);
    return 0;
  }
  return 1;
}

static const variable *find_variable(const char *name, size_t length) {
  for (size_t i = 0; i < sizeof variables / sizeof variables[0]; ++i) {
    if (strlen(variables[i].name) == length && memcmp(variables[i].name, name, length) == 0) return &variables[i];
  }
  return NULL;
}

/* Splits "by %LISTENER% at 100%%" into literal and variable parts. */
static void read_value_template(const config_reader *reader, const sy_config_value *value, header_rule *rule) {
  sy_slice template_text;
  if (reader->host->config_read_string(reader->context, value, &template_text) != SY_OK) return;
  const char *text = template_text.ptr;
  const size_t length = template_text.len;
  if (!http_is_safe_field_value(text, length)) {
    config_errorf(reader, value, "header values may not contain CR, LF or NUL");
    return;
  }
  /* Literal runs are gathered here (they never outgrow the value) so that
   * "a%%b" becomes one part, not three. */
  char *literal = malloc(length + 1);
  if (literal == NULL) {
    config_errorf(reader, value, "out of memory");
    return;
  }
  size_t literal_len = 0;
  int ok = 1;
  for (size_t at = 0; ok && at < length;) {
    if (text[at] != '%') {
      literal[literal_len++] = text[at++];
      continue;
    }
    if (at + 1 < length && text[at + 1] == '%') {
      literal[literal_len++] = '%';
      at += 2;
      continue;
    }
    const char *name = text + at + 1;
    const char *close = memchr(name, '%', length - at - 1);
    if (close == NULL) {
      config_errorf(reader, value, "unterminated variable \"%.*s\" (write %%%% for a literal %%)",
                    (int)(length - at), text + at);
      ok = 0;
      break;
    }
    const variable *found = find_variable(name, (size_t)(close - name));
    if (found == NULL) {
      config_errorf(reader, value, "unknown variable %%%.*s%%", (int)(close - name), name);
      ok = 0;
      break;
    }
    value_part part = {.is_variable = 1, .property = found->property};
    ok = flush_literal(reader, value, rule, literal, &literal_len) && append_part(reader, value, rule, part);
    at = (size_t)(close - text) + 1;
  }
  if (ok) flush_literal(reader, value, rule, literal, &literal_len);
  free(literal);
}

static const char *const rule_fields[] = {"name", "value"};

/* {"name": "x-a", "value": "v"} */
static void read_rule(const config_reader *reader, const sy_config_value *item, header_rule *rule) {
  config_check_fields(reader, item, rule_fields, 2);
  if (reader->host->config_kind(item) != SY_CONFIG_OBJECT) return;
  const sy_config_value *name = config_field(reader, item, "name");
  const sy_config_value *value = config_field(reader, item, "value");
  if (name == NULL) config_errorf(reader, item, "name is required");
  if (value == NULL) config_errorf(reader, item, "value is required");
  config_read_header_name(reader, name, &rule->name, &rule->name_len);
  read_value_template(reader, value, rule);
}

/* "set" or "add": [{"name": ..., "value": ...}, ...] */
static void read_rule_list(const config_reader *reader, const sy_config_value *list, header_rule **rules_out,
                           size_t *count_out) {
  if (list == NULL) return;
  if (reader->host->config_kind(list) != SY_CONFIG_ARRAY) {
    config_errorf(reader, list, "expected an array of {name, value} objects, got %s",
                  config_kind_name(reader->host->config_kind(list)));
    return;
  }
  const size_t count = reader->host->config_length(list);
  if (count == 0) return;
  *rules_out = calloc(count, sizeof **rules_out);
  if (*rules_out == NULL) {
    config_errorf(reader, list, "out of memory");
    return;
  }
  /* Counted as they are filled, so headers_config_free releases exactly the
   * rules that hold allocations. */
  for (size_t i = 0; i < count; ++i) {
    read_rule(reader, reader->host->config_element(reader->context, list, i), &(*rules_out)[(*count_out)++]);
  }
}

typedef struct remove_list_fill {
  const config_reader *reader;
  header_rules *rules;
} remove_list_fill;

static sy_result add_removed_name(void *user_data, sy_config_context *context, const sy_config_value *element,
                                  sy_slice text) {
  (void)context;
  (void)text;
  remove_list_fill *fill = user_data;
  size_t unused_length;
  char **slot = &fill->rules->remove[fill->rules->remove_count];
  if (config_read_header_name(fill->reader, element, slot, &unused_length) == SY_OK) fill->rules->remove_count++;
  return SY_OK; /* go on: every bad name is reported */
}

/* "remove": ["x-b", ...] */
static void read_remove_list(const config_reader *reader, const sy_config_value *list, header_rules *rules) {
  const size_t count = reader->host->config_length(list);
  if (list == NULL || (reader->host->config_kind(list) == SY_CONFIG_ARRAY && count == 0)) return;
  if (reader->host->config_kind(list) == SY_CONFIG_ARRAY) {
    rules->remove = calloc(count, sizeof *rules->remove);
    if (rules->remove == NULL) {
      config_errorf(reader, list, "out of memory");
      return;
    }
  }
  remove_list_fill fill = {reader, rules};
  reader->host->config_visit_strings(reader->context, list, add_removed_name, &fill);
}

static const char *const direction_fields[] = {"set", "add", "remove"};

/* "request" or "response": {"set": [...], "add": [...], "remove": [...]} */
static void read_rules(const config_reader *reader, const sy_config_value *object, header_rules *rules) {
  if (object == NULL) return;
  config_check_fields(reader, object, direction_fields, 3);
  if (reader->host->config_kind(object) != SY_CONFIG_OBJECT) return;
  read_rule_list(reader, config_field(reader, object, "set"), &rules->set, &rules->set_count);
  read_rule_list(reader, config_field(reader, object, "add"), &rules->add, &rules->add_count);
  read_remove_list(reader, config_field(reader, object, "remove"), rules);
}

static const char *const config_fields[] = {"request", "response"};

headers_config *headers_config_read(const config_reader *reader) {
  const sy_config_value *root = reader->host->config_root(reader->context);
  headers_config *config = calloc(1, sizeof *config);
  if (config == NULL) {
    config_errorf(reader, NULL, "out of memory");
    return NULL;
  }
  config_check_fields(reader, root, config_fields, 2);
  read_rules(reader, config_field(reader, root, "request"), &config->request);
  read_rules(reader, config_field(reader, root, "response"), &config->response);
  if (reader->host->config_error_count(reader->context) > 0) {
    headers_config_free(config);
    return NULL;
  }
  return config;
}

static void free_rule_list(header_rule *rules, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    free(rules[i].name);
    for (size_t p = 0; p < rules[i].part_count; ++p) free(rules[i].parts[p].text);
    free(rules[i].parts);
  }
  free(rules);
}

static void free_rules(header_rules *rules) {
  for (size_t i = 0; i < rules->remove_count; ++i) free(rules->remove[i]);
  free(rules->remove);
  free_rule_list(rules->set, rules->set_count);
  free_rule_list(rules->add, rules->add_count);
}

void headers_config_free(headers_config *config) {
  if (config == NULL) return;
  free_rules(&config->request);
  free_rules(&config->response);
  free(config);
}
