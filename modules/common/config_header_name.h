/* Reading a header name out of a module config: a JSON string that must be
 * an HTTP token, copied out with a message naming the field otherwise. The
 * headers and retry configs take header names by the same rules and with
 * the same messages, so the reader lives here once. (The timeout config's
 * names may be "" for "off" and its messages say so; it keeps its own.) */
#ifndef MODULE_COMMON_CONFIG_HEADER_NAME_H
#define MODULE_COMMON_CONFIG_HEADER_NAME_H

#include <stddef.h>

#include "config_errors.h"
#include "json.h"

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

/* Copies the header name in `value` into *name_out (malloc'ed,
 * NUL-terminated, kept as written) and its length into *length_out, and
 * returns 1. Otherwise returns 0, leaving both alone, with the message in
 * `error`: "FIELD: expected a header name (string), got TYPE",
 * "FIELD: \"NAME\" is not a valid header name (an HTTP token)" or
 * "out of memory". */
int config_read_header_name(config_error *error, const json_value *value, const char *field, char **name_out,
                            size_t *length_out);

#ifdef __cplusplus
}
#endif

#endif
