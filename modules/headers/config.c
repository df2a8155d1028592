#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "config_errors.h"
#include "config_header_name.h"
#include "json.h"

/* Room for the longest field path this module reports, e.g.
 * "response.remove[123]"; an unknown member name is cut to fit. */
enum { FIELD_PATH_CAPACITY = 160 };

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

static int append_part(header_rule *rule, value_part part, config_error *error) {
  value_part *grown = realloc(rule->parts, (rule->part_count + 1) * sizeof *grown);
  if (grown == NULL) return config_out_of_memory(error);
  rule->parts = grown;
  rule->parts[rule->part_count++] = part;
  return 1;
}

/* Adds the literal text gathered so far as one part. */
static int flush_literal(header_rule *rule, const char *literal, size_t *literal_len, config_error *error) {
  if (*literal_len == 0) return 1;
  char *text = json_copy_bytes(literal, *literal_len);
  if (text == NULL) return config_out_of_memory(error);
  value_part part = {.is_variable = 0, .text = text, .text_len = *literal_len};
  *literal_len = 0;
  if (!append_part(rule, part, error)) {
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
static int parse_value_template(const json_value *value, const char *field, header_rule *rule,
                                config_error *error) {
  if (value->type != JSON_STRING) {
    return config_fail(error, "%s: expected a string, got %s", field, json_type_name(value->type));
  }
  const char *text = value->string;
  const size_t length = value->string_len;
  if (memchr(text, '\r', length) || memchr(text, '\n', length) || memchr(text, '\0', length)) {
    return config_fail(error, "%s: header values may not contain CR, LF or NUL", field);
  }
  /* Literal runs are gathered here (they never outgrow the value) so that
   * "a%%b" becomes one part, not three. */
  char *literal = malloc(length + 1);
  if (literal == NULL) return config_out_of_memory(error);
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
      ok = config_fail(error, "%s: unterminated variable \"%s\" (write %%%% for a literal %%)", field,
                       text + at);
      break;
    }
    const variable *found = find_variable(name, (size_t)(close - name));
    if (found == NULL) {
      ok = config_fail(error, "%s: unknown variable %%%.*s%%", field, (int)(close - name), name);
      break;
    }
    value_part part = {.is_variable = 1, .property = found->property};
    ok = flush_literal(rule, literal, &literal_len, error) && append_part(rule, part, error);
    at = (size_t)(close - text) + 1;
  }
  if (ok) ok = flush_literal(rule, literal, &literal_len, error);
  free(literal);
  return ok;
}

/* {"name": "x-a", "value": "v"} */
static int parse_rule(const json_value *item, const char *path, header_rule *rule, config_error *error) {
  char field[FIELD_PATH_CAPACITY];
  if (item->type != JSON_OBJECT) {
    return config_fail(error, "%s: expected an object with name and value, got %s", path,
                       json_type_name(item->type));
  }
  const json_value *name = NULL;
  const json_value *value = NULL;
  for (const json_value *member = item->child; member != NULL; member = member->next) {
    if (strcmp(member->key, "name") == 0) {
      name = member;
    } else if (strcmp(member->key, "value") == 0) {
      value = member;
    } else {
      return config_fail(error, "%s.%s: unknown field (expected name or value)", path, member->key);
    }
  }
  config_format_field(field, sizeof field, "%s.name", path);
  if (name == NULL) return config_fail(error, "%s: required", field);
  if (!config_read_header_name(error, name, field, &rule->name, &rule->name_len)) return 0;
  config_format_field(field, sizeof field, "%s.value", path);
  if (value == NULL) return config_fail(error, "%s: required", field);
  return parse_value_template(value, field, rule, error);
}

/* "set" or "add": [{"name": ..., "value": ...}, ...] */
static int parse_rule_list(const json_value *list, const char *path, header_rule **rules_out,
                           size_t *count_out, config_error *error) {
  char field[FIELD_PATH_CAPACITY];
  if (list->type != JSON_ARRAY) {
    return config_fail(error, "%s: expected an array of {name, value} objects, got %s", path,
                       json_type_name(list->type));
  }
  size_t count = json_count_children(list);
  if (count == 0) return 1;
  *rules_out = calloc(count, sizeof **rules_out);
  if (*rules_out == NULL) return config_out_of_memory(error);
  /* Counted as they are filled, so headers_config_free releases exactly the
   * rules that hold allocations, however far parsing got. */
  for (const json_value *item = list->child; item != NULL; item = item->next) {
    config_format_field(field, sizeof field, "%s[%zu]", path, *count_out);
    if (!parse_rule(item, field, &(*rules_out)[(*count_out)++], error)) return 0;
  }
  return 1;
}

/* "remove": ["x-b", ...] */
static int parse_remove_list(const json_value *list, const char *path, header_rules *rules,
                             config_error *error) {
  char field[FIELD_PATH_CAPACITY];
  if (list->type != JSON_ARRAY) {
    return config_fail(error, "%s: expected an array of header names, got %s", path,
                       json_type_name(list->type));
  }
  size_t count = json_count_children(list);
  if (count == 0) return 1;
  rules->remove = calloc(count, sizeof *rules->remove);
  if (rules->remove == NULL) return config_out_of_memory(error);
  for (const json_value *item = list->child; item != NULL; item = item->next) {
    size_t unused_length;
    config_format_field(field, sizeof field, "%s[%zu]", path, rules->remove_count);
    if (!config_read_header_name(error, item, field, &rules->remove[rules->remove_count], &unused_length))
      return 0;
    rules->remove_count++;
  }
  return 1;
}

/* "request" or "response": {"set": [...], "add": [...], "remove": [...]} */
static int parse_rules(const json_value *object, const char *path, header_rules *rules, config_error *error) {
  char field[FIELD_PATH_CAPACITY];
  if (object->type != JSON_OBJECT) {
    return config_fail(error, "%s: expected an object with set, add and/or remove, got %s", path,
                       json_type_name(object->type));
  }
  for (const json_value *member = object->child; member != NULL; member = member->next) {
    config_format_field(field, sizeof field, "%s.%s", path, member->key);
    int ok;
    if (strcmp(member->key, "set") == 0) {
      ok = parse_rule_list(member, field, &rules->set, &rules->set_count, error);
    } else if (strcmp(member->key, "add") == 0) {
      ok = parse_rule_list(member, field, &rules->add, &rules->add_count, error);
    } else if (strcmp(member->key, "remove") == 0) {
      ok = parse_remove_list(member, field, rules, error);
    } else {
      ok = config_fail(error, "%s: unknown field (expected set, add or remove)", field);
    }
    if (!ok) return 0;
  }
  return 1;
}

static int parse_config(const json_value *root, headers_config *config, config_error *error) {
  if (root->type != JSON_OBJECT) {
    return config_fail(error, "config: expected an object with request and/or response, got %s",
                       json_type_name(root->type));
  }
  for (const json_value *member = root->child; member != NULL; member = member->next) {
    int ok;
    if (strcmp(member->key, "request") == 0) {
      ok = parse_rules(member, "request", &config->request, error);
    } else if (strcmp(member->key, "response") == 0) {
      ok = parse_rules(member, "response", &config->response, error);
    } else {
      ok = config_fail(error, "%s: unknown field (expected request or response)", member->key);
    }
    if (!ok) return 0;
  }
  return 1;
}

headers_config *headers_config_parse(const char *json, size_t length, char *error_text, size_t error_capacity) {
  config_error error = {error_text, error_capacity};
  json_value *root = json_parse(json, length, error_text, error_capacity);
  if (root == NULL) return NULL;
  headers_config *config = calloc(1, sizeof *config);
  int ok = config != NULL ? parse_config(root, config, &error) : config_out_of_memory(&error);
  json_free(root);
  if (!ok) {
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
