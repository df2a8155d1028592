/* The checks the modules apply to header names and values in their
 * configs. They are defined once so that every module accepts exactly the
 * same headers. */
#ifndef MODULE_COMMON_HTTP_FIELD_H
#define MODULE_COMMON_HTTP_FIELD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

/* 1 if the `length` bytes at `text` are a token (RFC 9110, section 5.6.2):
 * one or more visible ASCII characters other than the delimiters
 * "(),/:;<=>?@[\]{} and the double quote. Header field names are tokens.
 * Otherwise 0. */
int http_is_token(const char *text, size_t length);

/* 1 if the `length` bytes at `text` can go into a header value unchanged:
 * no CR, LF or NUL, which would split or cut the header. Otherwise 0. */
int http_is_safe_field_value(const char *text, size_t length);

#ifdef __cplusplus
}
#endif

#endif
