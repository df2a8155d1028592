/* A small JSON reader for module configs: parses a document into a tree of
 * values that config.c walks. Strings are unescaped copies (\uXXXX beyond
 * ASCII is refused: header names and values are ASCII). */
#ifndef HEADERS_JSON_H
#define HEADERS_JSON_H

#include <stddef.h>

typedef enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;
struct json_value {
  json_type type;
  char *string;        /* JSON_STRING: NUL-terminated copy */
  size_t string_len;
  char *key;           /* set when this value is an object member */
  json_value *child;   /* first element or member */
  json_value *next;    /* next sibling */
};

/* Returns NULL and writes a message into `error` on malformed input. */
json_value *json_parse(const char *text, size_t length, char *error, size_t error_capacity);
void json_free(json_value *value);
const char *json_type_name(json_type type);

#endif
