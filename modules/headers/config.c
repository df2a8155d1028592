#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

typedef struct variable {
  const char *name;
  sy_stream_property property;
} variable;

static const variable variables[] = {
    {"CLIENT_ADDRESS", SY_PROP_CLIENT_ADDRESS}, {"CLIENT_PORT", SY_PROP_CLIENT_PORT},
    {"LISTENER", SY_PROP_LISTENER_NAME},        {"ROUTE", SY_PROP_ROUTE_NAME},
    {"CLUSTER", SY_PROP_CLUSTER_NAME},          {"UPSTREAM_HOST", SY_PROP_UPSTREAM_HOST},
    {"REQUEST_ID", SY_PROP_REQUEST_ID},         {"PROTOCOL", SY_PROP_PROTOCOL},
};

static int valid_token(const char *name) {
  if (*name == '\0') return 0;
  for (const char *c = name; *c; ++c) {
    unsigned char u = (unsigned char)*c;
    if (u <= 32 || u >= 127 || strchr("\"(),/:;<=>?@[\\]{}", u) != NULL) return 0;
  }
  return 1;
}

static char *copy_text(const char *text, size_t length) {
  char *out = malloc(length + 1);
  if (out != NULL) {
    memcpy(out, text, length);
    out[length] = '\0';
  }
  return out;
}

static int add_part(header_op *op, value_part part) {
  value_part *grown = realloc(op->parts, (op->part_count + 1) * sizeof *grown);
  if (grown == NULL) return 0;
  op->parts = grown;
  op->parts[op->part_count++] = part;
  return 1;
}

/* Splits "a %CLIENT_ADDRESS% b" into literal and variable parts. */
static int parse_value_template(header_op *op, const char *value, const char *field, char *error, size_t cap) {
  if (strpbrk(value, "\r\n") != NULL) {
    snprintf(error, cap, "%s: header values may not contain CR or LF", field);
    return 0;
  }
  const char *at = value;
  while (*at) {
    const char *percent = strchr(at, '%');
    size_t literal = percent == NULL ? strlen(at) : (size_t)(percent - at);
    if (literal > 0 && !add_part(op, (value_part){0, SY_PROP_CLIENT_ADDRESS, copy_text(at, literal), literal})) return 0;
    if (percent == NULL) break;
    if (percent[1] == '%') {
      if (!add_part(op, (value_part){0, SY_PROP_CLIENT_ADDRESS, copy_text("%", 1), 1})) return 0;
      at = percent + 2;
      continue;
    }
    const char *close = strchr(percent + 1, '%');
    if (close == NULL) {
      snprintf(error, cap, "%s: unterminated variable (use %%%% for a literal %%)", field);
      return 0;
    }
    size_t name_length = (size_t)(close - percent - 1);
    int found = 0;
    for (size_t i = 0; i < sizeof variables / sizeof variables[0]; ++i) {
      if (strlen(variables[i].name) == name_length && memcmp(variables[i].name, percent + 1, name_length) == 0) {
        if (!add_part(op, (value_part){1, variables[i].property, NULL, 0})) return 0;
        found = 1;
      }
    }
    if (!found) {
      snprintf(error, cap, "%s: unknown variable %%%.*s%%", field, (int)name_length, percent + 1);
      return 0;
    }
    at = close + 1;
  }
  return 1;
}

static int parse_op_list(const json_value *list, const char *path, header_op **ops_out, size_t *count_out,
                         char *error, size_t cap) {
  char field[256];
  if (list->type != JSON_ARRAY) {
    snprintf(error, cap, "%s: expected an array of {name, value}, got %s", path, json_type_name(list->type));
    return 0;
  }
  size_t index = 0;
  for (const json_value *item = list->child; item != NULL; item = item->next, ++index) {
    snprintf(field, sizeof field, "%s[%zu]", path, index);
    if (item->type != JSON_OBJECT) {
      snprintf(error, cap, "%s: expected an object with name and value", field);
      return 0;
    }
    header_op *grown = realloc(*ops_out, (*count_out + 1) * sizeof *grown);
    if (grown == NULL) return 0;
    *ops_out = grown;
    header_op *op = &grown[(*count_out)++];
    memset(op, 0, sizeof *op);
    const char *value = NULL;
    for (const json_value *member = item->child; member != NULL; member = member->next) {
      if (strcmp(member->key, "name") == 0 && member->type == JSON_STRING) {
        op->name = copy_text(member->string, member->string_len);
      } else if (strcmp(member->key, "value") == 0 && member->type == JSON_STRING) {
        value = member->string;
      } else {
        snprintf(error, cap, "%s.%s: unknown field or not a string", field, member->key);
        return 0;
      }
    }
    if (op->name == NULL || !valid_token(op->name)) {
      snprintf(error, cap, "%s.name: a header name (an HTTP token) is required", field);
      return 0;
    }
    char value_field[300];
    snprintf(value_field, sizeof value_field, "%s.value", field);
    if (value == NULL) {
      snprintf(error, cap, "%s: required", value_field);
      return 0;
    }
    if (!parse_value_template(op, value, value_field, error, cap)) return 0;
  }
  return 1;
}

static int parse_ops(const json_value *object, const char *path, header_ops *ops, char *error, size_t cap) {
  char field[256];
  if (object->type != JSON_OBJECT) {
    snprintf(error, cap, "%s: expected an object, got %s", path, json_type_name(object->type));
    return 0;
  }
  for (const json_value *member = object->child; member != NULL; member = member->next) {
    snprintf(field, sizeof field, "%s.%s", path, member->key);
    if (strcmp(member->key, "set") == 0) {
      if (!parse_op_list(member, field, &ops->set, &ops->set_count, error, cap)) return 0;
    } else if (strcmp(member->key, "add") == 0) {
      if (!parse_op_list(member, field, &ops->add, &ops->add_count, error, cap)) return 0;
    } else if (strcmp(member->key, "remove") == 0) {
      if (member->type != JSON_ARRAY) {
        snprintf(error, cap, "%s: expected an array of header names", field);
        return 0;
      }
      size_t index = 0;
      for (const json_value *name = member->child; name != NULL; name = name->next, ++index) {
        if (name->type != JSON_STRING || !valid_token(name->string)) {
          snprintf(error, cap, "%s[%zu]: expected a header name", field, index);
          return 0;
        }
        char **grown = realloc(ops->remove, (ops->remove_count + 1) * sizeof *grown);
        if (grown == NULL) return 0;
        ops->remove = grown;
        ops->remove[ops->remove_count++] = copy_text(name->string, name->string_len);
      }
    } else {
      snprintf(error, cap, "%s: unknown field (expected set, add or remove)", field);
      return 0;
    }
  }
  return 1;
}

headers_config *headers_config_parse(const char *json, size_t length, char *error, size_t cap) {
  json_value *root = json_parse(json, length, error, cap);
  if (root == NULL) return NULL;
  headers_config *config = calloc(1, sizeof *config);
  int ok = config != NULL;
  if (ok && root->type != JSON_OBJECT) {
    snprintf(error, cap, "config: expected an object");
    ok = 0;
  }
  for (const json_value *member = ok ? root->child : NULL; member != NULL && ok; member = member->next) {
    if (strcmp(member->key, "request") == 0) {
      ok = parse_ops(member, "request", &config->request, error, cap);
    } else if (strcmp(member->key, "response") == 0) {
      ok = parse_ops(member, "response", &config->response, error, cap);
    } else {
      snprintf(error, cap, "%s: unknown field (expected request or response)", member->key);
      ok = 0;
    }
  }
  json_free(root);
  if (!ok) {
    headers_config_free(config);
    return NULL;
  }
  return config;
}

static void free_op_list(header_op *ops, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    free(ops[i].name);
    for (size_t p = 0; p < ops[i].part_count; ++p) free(ops[i].parts[p].text);
    free(ops[i].parts);
  }
  free(ops);
}

static void free_ops(header_ops *ops) {
  for (size_t i = 0; i < ops->remove_count; ++i) free(ops->remove[i]);
  free(ops->remove);
  free_op_list(ops->set, ops->set_count);
  free_op_list(ops->add, ops->add_count);
}

void headers_config_free(headers_config *config) {
  if (config == NULL) return;
  free_ops(&config->request);
  free_ops(&config->response);
  free(config);
}
