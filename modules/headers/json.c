#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
  const char *at;
  const char *end;
  char *error;
  size_t error_capacity;
  int depth;
} parser;

enum { MAX_DEPTH = 32 };

static void fail(parser *p, const char *what) {
  if (p->error[0] == '\0') snprintf(p->error, p->error_capacity, "invalid JSON: %s", what);
}

static void skip_space(parser *p) {
  while (p->at < p->end && (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r')) p->at++;
}

static json_value *new_value(json_type type) {
  json_value *value = calloc(1, sizeof *value);
  if (value != NULL) value->type = type;
  return value;
}

static json_value *parse_value(parser *p);

static char *parse_string_raw(parser *p, size_t *length_out) {
  p->at++; /* opening quote */
  size_t capacity = 16, length = 0;
  char *out = malloc(capacity);
  if (out == NULL) return NULL;
  while (p->at < p->end && *p->at != '"') {
    char c = *p->at++;
    if ((unsigned char)c < 0x20) {
      fail(p, "control character in string");
      free(out);
      return NULL;
    }
    if (c == '\\') {
      if (p->at >= p->end) break;
      char escape = *p->at++;
      switch (escape) {
        case '"': case '\\': case '/': c = escape; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u': {
          if (p->end - p->at < 4) { fail(p, "short \\u escape"); free(out); return NULL; }
          char hex[5] = {p->at[0], p->at[1], p->at[2], p->at[3], 0};
          char *hex_end = NULL;
          long code = strtol(hex, &hex_end, 16);
          if (*hex_end != '\0' || code > 0x7f) { fail(p, "unsupported \\u escape"); free(out); return NULL; }
          p->at += 4;
          c = (char)code;
          break;
        }
        default: fail(p, "bad escape"); free(out); return NULL;
      }
    }
    if (length + 2 > capacity) {
      capacity *= 2;
      char *grown = realloc(out, capacity);
      if (grown == NULL) { free(out); return NULL; }
      out = grown;
    }
    out[length++] = c;
  }
  if (p->at >= p->end) { fail(p, "unterminated string"); free(out); return NULL; }
  p->at++; /* closing quote */
  out[length] = '\0';
  *length_out = length;
  return out;
}

static json_value *parse_container(parser *p, int is_object) {
  if (++p->depth > MAX_DEPTH) { fail(p, "nested too deeply"); return NULL; }
  json_value *container = new_value(is_object ? JSON_OBJECT : JSON_ARRAY);
  if (container == NULL) return NULL;
  json_value **tail = &container->child;
  p->at++;
  skip_space(p);
  if (p->at < p->end && *p->at == (is_object ? '}' : ']')) {
    p->at++;
    p->depth--;
    return container;
  }
  for (;;) {
    char *key = NULL;
    skip_space(p);
    if (is_object) {
      size_t key_length = 0;
      if (p->at >= p->end || *p->at != '"') { fail(p, "expected a member name"); json_free(container); return NULL; }
      key = parse_string_raw(p, &key_length);
      if (key == NULL) { json_free(container); return NULL; }
      skip_space(p);
      if (p->at >= p->end || *p->at != ':') { fail(p, "expected ':'"); free(key); json_free(container); return NULL; }
      p->at++;
    }
    json_value *item = parse_value(p);
    if (item == NULL) { free(key); json_free(container); return NULL; }
    item->key = key;
    *tail = item;
    tail = &item->next;
    skip_space(p);
    if (p->at < p->end && *p->at == ',') { p->at++; continue; }
    if (p->at < p->end && *p->at == (is_object ? '}' : ']')) { p->at++; break; }
    fail(p, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    json_free(container);
    return NULL;
  }
  p->depth--;
  return container;
}

static int match_word(parser *p, const char *word) {
  size_t length = strlen(word);
  if ((size_t)(p->end - p->at) >= length && memcmp(p->at, word, length) == 0) {
    p->at += length;
    return 1;
  }
  return 0;
}

static json_value *parse_value(parser *p) {
  skip_space(p);
  if (p->at >= p->end) { fail(p, "unexpected end"); return NULL; }
  char c = *p->at;
  if (c == '{') return parse_container(p, 1);
  if (c == '[') return parse_container(p, 0);
  if (c == '"') {
    json_value *value = new_value(JSON_STRING);
    if (value == NULL) return NULL;
    value->string = parse_string_raw(p, &value->string_len);
    if (value->string == NULL) { free(value); return NULL; }
    return value;
  }
  if (match_word(p, "true") || match_word(p, "false")) return new_value(JSON_BOOL);
  if (match_word(p, "null")) return new_value(JSON_NULL);
  if (c == '-' || (c >= '0' && c <= '9')) {
    while (p->at < p->end && strchr("+-.eE0123456789", *p->at) != NULL) p->at++;
    return new_value(JSON_NUMBER);
  }
  fail(p, "unexpected character");
  return NULL;
}

json_value *json_parse(const char *text, size_t length, char *error, size_t error_capacity) {
  parser p = {text, text + length, error, error_capacity, 0};
  error[0] = '\0';
  json_value *root = parse_value(&p);
  skip_space(&p);
  if (root != NULL && p.at != p.end) {
    fail(&p, "trailing characters");
    json_free(root);
    return NULL;
  }
  return root;
}

void json_free(json_value *value) {
  while (value != NULL) {
    json_value *next = value->next;
    json_free(value->child);
    free(value->string);
    free(value->key);
    free(value);
    value = next;
  }
}

const char *json_type_name(json_type type) {
  static const char *const names[] = {"null", "boolean", "number", "string", "array", "object"};
  return names[type];
}
