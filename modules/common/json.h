/* A small JSON reader for filter module configs: it parses a whole document
 * into a tree that a module's config code walks. It exists so that modules
 * need nothing but libc and <switchyard/filter.h>. Every module in this tree
 * links it from modules/common; copy it along if you start a new filter out
 * of tree from one of them. */
#ifndef SWITCHYARD_MODULE_JSON_H
#define SWITCHYARD_MODULE_JSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

typedef enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;
struct json_value {
  json_type type;
  /* JSON_STRING: the unescaped bytes (UTF-8), NUL-terminated for
   * convenience; may contain NUL itself (from \u0000), so use string_len.
   * JSON_NUMBER: the literal exactly as the document wrote it, e.g. "3000",
   * "-2.5e+3" or "3000.0", NUL-terminated; it always matches the RFC 8259
   * number grammar. Read it with json_get_uint64 or json_get_double, and
   * quote it in error messages. NULL for every other type. */
  char *string;
  size_t string_len;
  int boolean;       /* JSON_BOOL: 1 for true, 0 for false; 0 otherwise */
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

/* What json_get_uint64 found. */
typedef enum json_uint64_status {
  JSON_UINT64_OK,        /* *out holds the value */
  JSON_UINT64_NOT_UINT,  /* not a number, or one written with a sign, a
                          * fraction or an exponent ("-1", "1.5", "3e3",
                          * "3000.0", even "-0") */
  JSON_UINT64_TOO_LARGE, /* plain digits, but more than `max`, however many */
} json_uint64_status;

/* Reads a JSON_NUMBER written as plain decimal digits, a non-negative
 * integer literal, into *out when it is at most `max` (no overflow at any
 * length). *out is left alone unless the result is JSON_UINT64_OK. */
json_uint64_status json_get_uint64(const json_value *value, uint64_t max, uint64_t *out);

/* Reads any JSON_NUMBER into *out and returns 1; returns 0, leaving *out
 * alone, for every other type. Independent of the process locale (unlike
 * strtod). Correctly rounded whenever the number is an integer of up to 15
 * digits times a power of ten from 1e-22 to 1e22, as "12.5", "0.3", "3e2"
 * and any sane config value are; within a few units in the last place
 * otherwise. Too large a magnitude reads as an infinity and too small a one
 * as zero, as with strtod. */
int json_get_double(const json_value *value, double *out);

/* The elements of a JSON_ARRAY or the members of a JSON_OBJECT, counted; 0
 * for every other type. Config parsers size an array with it before they
 * fill one slot per child. */
size_t json_count_children(const json_value *container);

/* A malloc'ed copy of the `length` bytes at `bytes` (typically a string's
 * string and string_len), NUL-terminated like the tree's own strings, so a
 * config can keep it after json_free. NULL when memory runs out. */
char *json_copy_bytes(const char *bytes, size_t length);

#ifdef __cplusplus
}
#endif

#endif
