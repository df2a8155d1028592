/* A small JSON reader for filter module configs: it parses a whole document
 * into a tree that a module's config code walks. It exists so that modules
 * need nothing but libc and <switchyard/filter.h>. Every module in this tree
 * links it from modules/common; copy it along if you start a new filter out
 * of tree from one of them. */
#ifndef SWITCHYARD_MODULE_JSON_H
#define SWITCHYARD_MODULE_JSON_H

#include <stddef.h>

typedef enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;
struct json_value {
  json_type type;
  /* JSON_STRING: the unescaped bytes (UTF-8), NUL-terminated for
   * convenience; may contain NUL itself (from \u0000), so use string_len. */
  char *string;
  size_t string_len;
  char *key;         /* the member name when this value is an object member */
  json_value *child; /* JSON_ARRAY / JSON_OBJECT: first element or member */
  json_value *next;  /* the next element or member of the parent */
};

/* Parses `text` (not NUL-terminated). Returns NULL and writes a message
 * into `error` on malformed input or when memory runs out. Duplicate member
 * names in one object are refused. */
json_value *json_parse(const char *text, size_t length, char *error, size_t error_capacity);
void json_free(json_value *value);
/* "null", "boolean", "number", "string", "array" or "object". */
const char *json_type_name(json_type type);

#endif
