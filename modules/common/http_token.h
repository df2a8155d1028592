/* The HTTP token check (RFC 9110, section 5.6.2) that the modules apply to
 * header names in their configs. It is defined once so that every module
 * accepts exactly the same names. */
#ifndef MODULE_COMMON_HTTP_TOKEN_H
#define MODULE_COMMON_HTTP_TOKEN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

/* 1 if the `length` bytes at `text` are a token: one or more visible ASCII
 * characters other than the delimiters "(),/:;<=>?@[\]{} and the double
 * quote. Header field names are tokens. Otherwise 0. */
int http_is_token(const char *text, size_t length);

#ifdef __cplusplus
}
#endif

#endif
