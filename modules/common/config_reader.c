#include "config_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_field.h"

/* Room for one error message; the host copies it. */
enum { MESSAGE_CAPACITY = 512 };

/* A bad header name is quoted in its message up to this many bytes. */
enum { QUOTED_NAME_MAX = 64 };

/* The most member names config_check_fields takes: more than any module
 * in this tree has. */
enum { MAX_FIELDS = 32 };

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

int config_host_has_typed_access(const sy_host_api *host) {
  return SY_HAS_FIELD(host, sy_host_api, config_error_count) && host->config_root != NULL &&
         host->config_kind != NULL && host->config_member != NULL && host->config_length != NULL &&
         host->config_element != NULL && host->config_read_string != NULL &&
         host->config_read_integer != NULL && host->config_read_number != NULL &&
         host->config_read_bool != NULL && host->config_read_duration_ms != NULL &&
         host->config_visit_strings != NULL && host->config_error != NULL &&
         host->config_check_members != NULL && host->config_error_count != NULL;
}

sy_result config_refuse_host(const sy_host_api *host, const char *module_name, char *error,
                             size_t error_capacity) {
  snprintf(error, error_capacity,
           "%s reads its config through the typed config calls of filter ABI 1.2 (config_root and the rest), "
           "but this host (ABI %u.%u) does not provide them",
           module_name, (unsigned)host->abi.major, (unsigned)host->abi.minor);
  return SY_ERR_UNSUPPORTED;
}

const sy_config_value *config_field(const config_reader *reader, const sy_config_value *object,
                                    const char *name) {
  return reader->host->config_member(reader->context, object, slice_of(name));
}

int config_check_fields(const config_reader *reader, const sy_config_value *object, const char *const *names,
                        size_t count) {
  sy_slice known[MAX_FIELDS];
  if (count > MAX_FIELDS) count = MAX_FIELDS;
  for (size_t i = 0; i < count; ++i) known[i] = slice_of(names[i]);
  sy_result result = reader->host->config_check_members(reader->context, object, known, count);
  return result == SY_OK || result == SY_ERR_NOT_FOUND;
}

const char *config_kind_name(sy_config_kind kind) {
  switch (kind) {
    case SY_CONFIG_BOOL:
      return "boolean";
    case SY_CONFIG_NUMBER:
      return "number";
    case SY_CONFIG_STRING:
      return "string";
    case SY_CONFIG_ARRAY:
      return "array";
    case SY_CONFIG_OBJECT:
      return "object";
    default:
      return "null";
  }
}

void config_errorf(const config_reader *reader, const sy_config_value *value, const char *format, ...) {
  char message[MESSAGE_CAPACITY];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  reader->host->config_error(reader->context, value, slice_of(message));
}

char *config_copy(const config_reader *reader, const sy_config_value *value, sy_slice text) {
  char *copy = malloc(text.len + 1);
  if (copy == NULL) {
    config_errorf(reader, value, "out of memory");
    return NULL;
  }
  if (text.len > 0) memcpy(copy, text.ptr, text.len);
  copy[text.len] = '\0';
  return copy;
}

sy_result config_read_header_name(const config_reader *reader, const sy_config_value *value, char **name_out,
                                  size_t *length_out) {
  sy_slice name;
  sy_result result = reader->host->config_read_string(reader->context, value, &name);
  if (result != SY_OK) return result;
  if (!http_is_token(name.ptr, name.len)) {
    config_errorf(reader, value, "\"%.*s\" is not a valid header name (an HTTP token)",
                  (int)(name.len < QUOTED_NAME_MAX ? name.len : QUOTED_NAME_MAX), name.ptr);
    return SY_ERR_INVALID_ARGUMENT;
  }
  char *copy = config_copy(reader, value, name);
  if (copy == NULL) return SY_ERR_NO_MEMORY;
  *name_out = copy;
  *length_out = name.len;
  return SY_OK;
}

void config_read_u32_field(const config_reader *reader, const sy_config_value *object, const char *name,
                           uint32_t min, uint32_t max, uint32_t *out) {
  int64_t value;
  if (reader->host->config_read_integer(reader->context, config_field(reader, object, name), min, max,
                                        &value) == SY_OK) {
    *out = (uint32_t)value;
  }
}

void config_read_ms_field(const config_reader *reader, const sy_config_value *object, const char *name,
                          uint64_t min_ms, uint64_t max_ms, uint64_t *out) {
  reader->host->config_read_duration_ms(reader->context, config_field(reader, object, name), min_ms, max_ms,
                                        out);
}

const sy_config_value *config_read_section(const config_reader *reader, const sy_config_value *parent,
                                           const char *name, const char *const *fields, size_t count) {
  const sy_config_value *section = config_field(reader, parent, name);
  config_check_fields(reader, section, fields, count);
  return reader->host->config_kind(section) == SY_CONFIG_OBJECT ? section : NULL;
}
