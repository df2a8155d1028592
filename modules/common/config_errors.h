/* How the modules' config parsers report a bad config: one message, naming
 * the offending field, written into the buffer the host handed to
 * config_new. Every module reports errors the same way, so the plumbing
 * lives here once instead of in each config.c. */
#ifndef MODULE_COMMON_CONFIG_ERRORS_H
#define MODULE_COMMON_CONFIG_ERRORS_H

#include <stddef.h>

#if defined(__GNUC__)
#define CONFIG_PRINTF_LIKE(format_index, first_arg) __attribute__((format(printf, format_index, first_arg)))
#else
#define CONFIG_PRINTF_LIKE(format_index, first_arg)
#endif

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

/* Where a parser's error message goes: the host's buffer and its size. */
typedef struct config_error {
  char *text;
  size_t capacity;
} config_error;

/* Writes the message (cut to fit) and returns 0, so that a parse step can
 * `return config_fail(error, "%s: ...", field)`. */
int config_fail(config_error *error, const char *format, ...) CONFIG_PRINTF_LIKE(2, 3);

/* config_fail(error, "out of memory"): the one message for a failed
 * allocation, whatever was being allocated. */
int config_out_of_memory(config_error *error);

/* Formats a field path such as "request.set[0].value" into `field`. A path
 * that does not fit is cut, which only shortens an error message, so the
 * caller needs no truncation check (and gets no -Wformat-truncation). */
void config_format_field(char *field, size_t capacity, const char *format, ...) CONFIG_PRINTF_LIKE(3, 4);

/* How many bytes of a `length`-byte value to quote in a message: at most
 * `limit`, so that a huge bad value cannot crowd out the field name, and
 * never more than INT_MAX, since "%.*s" takes an int. */
int config_quote_length(size_t length, size_t limit);

#ifdef __cplusplus
}
#endif

#endif
