/* What the modules in this tree share when they read their configs through
 * the host's typed config calls (filter ABI 1.2): C-string member names,
 * formatted error messages, copies that outlive config_new, and header
 * names checked as tokens. Errors go on the host's context, which names
 * each value by its field path in the config file. */
#ifndef MODULE_COMMON_CONFIG_READER_H
#define MODULE_COMMON_CONFIG_READER_H

#include <stddef.h>
#include <stdint.h>
#include <switchyard/filter.h>

#if defined(__GNUC__)
#define CONFIG_PRINTF_LIKE(format_index, first_arg) __attribute__((format(printf, format_index, first_arg)))
#else
#define CONFIG_PRINTF_LIKE(format_index, first_arg)
#endif

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

/* The host table and the context of one config_new call. */
typedef struct config_reader {
  const sy_host_api *host;
  sy_config_context *context;
} config_reader;

/* 1 when the host table has every typed config call (ABI 1.2); a module
 * refuses to load otherwise. */
int config_host_has_typed_access(const sy_host_api *host);

/* Writes why `module_name` cannot load on this host into `error` and
 * returns SY_ERR_UNSUPPORTED, for module_init. */
sy_result config_refuse_host(const sy_host_api *host, const char *module_name, char *error,
                             size_t error_capacity);

/* The member `name` of `object`, or NULL when absent. */
const sy_config_value *config_field(const config_reader *reader, const sy_config_value *object,
                                    const char *name);

/* Records an error for every member of `object` not among the `count`
 * names; 1 when there was none (and `object` is an object or absent). */
int config_check_fields(const config_reader *reader, const sy_config_value *object, const char *const *names,
                        size_t count);

/* Reads member `name` of `object` into *out: an integer from min to max,
 * or a duration (the host's rule) from min_ms to max_ms milliseconds. *out
 * keeps its default when the member is absent, and when it is wrong (then
 * an error naming it is recorded). */
void config_read_u32_field(const config_reader *reader, const sy_config_value *object, const char *name,
                           uint32_t min, uint32_t max, uint32_t *out);
void config_read_ms_field(const config_reader *reader, const sy_config_value *object, const char *name,
                          uint64_t min_ms, uint64_t max_ms, uint64_t *out);

/* A sub-object such as "backoff", its members checked against the `count`
 * names of `fields`; NULL when absent or not an object (the latter
 * recorded). */
const sy_config_value *config_read_section(const config_reader *reader, const sy_config_value *parent,
                                           const char *name, const char *const *fields, size_t count);

/* "null", "boolean", "number", "string", "array" or "object", for messages
 * such as "expected an array of ..., got number". */
const char *config_kind_name(sy_config_kind kind);

/* Records the formatted message on `value` (NULL: the whole config).
 * Messages longer than about 500 bytes are cut. */
void config_errorf(const config_reader *reader, const sy_config_value *value, const char *format, ...)
    CONFIG_PRINTF_LIKE(3, 4);

/* A malloc'ed, NUL-terminated copy of `text` that outlives config_new;
 * NULL, with "out of memory" recorded on `value`, when memory runs out. */
char *config_copy(const config_reader *reader, const sy_config_value *value, sy_slice text);

/* Reads a header name (a string that is an HTTP token) into *name_out
 * (a copy, as written) and *length_out, and returns SY_OK. SY_ERR_NOT_FOUND
 * for a NULL value; otherwise an error is recorded ("expected a string",
 * "\"x y\" is not a valid header name (an HTTP token)" or "out of memory")
 * and both outputs are left alone. */
sy_result config_read_header_name(const config_reader *reader, const sy_config_value *value, char **name_out,
                                  size_t *length_out);

#ifdef __cplusplus
}
#endif

#endif
