#include "timeout_config.h"

#include <stdlib.h>

enum { DEFAULT_REQUEST_TIMEOUT_MS = 15000 };

static const char *const config_fields[] = {
    "request_timeout_ms",
    "idle_timeout_ms",
    "trusted_timeout_header",
    "propagate_timeout_header",
};

/* A header name, or "" for "off" (left NULL). */
static void read_optional_header_name(const config_reader *reader, const sy_config_value *value, char **name_out,
                                      size_t *length_out) {
  sy_slice name;
  if (reader->host->config_kind(value) == SY_CONFIG_STRING &&
      reader->host->config_read_string(reader->context, value, &name) == SY_OK && name.len == 0) {
    return;
  }
  config_read_header_name(reader, value, name_out, length_out);
}

timeout_config *timeout_config_read(const config_reader *reader) {
  const sy_host_api *host = reader->host;
  const sy_config_value *root = host->config_root(reader->context);
  timeout_config *config = calloc(1, sizeof *config);
  if (config == NULL) {
    config_errorf(reader, NULL, "out of memory");
    return NULL;
  }
  config->request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
  config_check_fields(reader, root, config_fields, sizeof config_fields / sizeof config_fields[0]);
  host->config_read_duration_ms(reader->context, config_field(reader, root, "request_timeout_ms"), 0,
                                TIMEOUT_MAX_MS, &config->request_timeout_ms);
  host->config_read_duration_ms(reader->context, config_field(reader, root, "idle_timeout_ms"), 0, TIMEOUT_MAX_MS,
                                &config->idle_timeout_ms);
  read_optional_header_name(reader, config_field(reader, root, "trusted_timeout_header"),
                            &config->trusted_timeout_header, &config->trusted_timeout_header_len);
  read_optional_header_name(reader, config_field(reader, root, "propagate_timeout_header"),
                            &config->propagate_timeout_header, &config->propagate_timeout_header_len);
  if (host->config_error_count(reader->context) > 0) {
    timeout_config_free(config);
    return NULL;
  }
  return config;
}

void timeout_config_free(timeout_config *config) {
  if (config == NULL) return;
  free(config->trusted_timeout_header);
  free(config->propagate_timeout_header);
  free(config);
}
