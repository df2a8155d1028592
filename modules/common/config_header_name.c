#include "config_header_name.h"

#include "http_token.h"

int config_read_header_name(config_error *error, const json_value *value, const char *field, char **name_out,
                            size_t *length_out) {
  if (value->type != JSON_STRING) {
    return config_fail(error, "%s: expected a header name (string), got %s", field,
                       json_type_name(value->type));
  }
  if (!http_is_token(value->string, value->string_len)) {
    return config_fail(error, "%s: \"%.*s\" is not a valid header name (an HTTP token)", field,
                       (int)value->string_len, value->string);
  }
  char *name = json_copy_bytes(value->string, value->string_len);
  if (name == NULL) return config_out_of_memory(error);
  *name_out = name;
  *length_out = value->string_len;
  return 1;
}
