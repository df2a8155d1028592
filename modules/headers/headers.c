/* The headers filter: removes, sets and adds request and response headers,
 * with values that may name stream properties ("%CLIENT_ADDRESS%").
 *
 * It is written in C11 against <switchyard/filter.h> and libc alone, as the
 * template for third-party filters: this file holds the module table and
 * the per-stream logic, headers_config.c reads the config through the
 * host's typed config calls (ABI 1.2) into an immutable headers_config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <switchyard/filter.h>

#include "headers_config.h"

/* Set once by the entry symbol; valid for the module's whole life. */
static const sy_host_api *host;

/* A value made of several parts is assembled here when it fits, so the
 * common short value costs no allocation. */
enum { STACK_VALUE_CAPACITY = 1024 };

typedef sy_result (*header_write_fn)(sy_headers *headers, sy_slice name, sy_slice value);

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

static void log_warning(const char *message) {
  if (host->log_enabled(SY_LOG_WARN)) host->log(SY_LOG_WARN, slice_of(message));
}

/* A literal, or the stream property it names; "-" when the property is not
 * available (no route matched, no upstream attempt yet). The returned view
 * is borrowed and valid until the hook returns. */
static sy_slice part_text(sy_stream *stream, const value_part *part) {
  if (!part->is_variable) {
    sy_slice literal = {part->text, part->text_len};
    return literal;
  }
  sy_slice value;
  if (host->stream_get_property(stream, part->property, &value) != SY_OK) return slice_of("-");
  return value;
}

/* Expands the rule's value and hands it to `write` (the host's header_set
 * or header_add, which copies it). */
static void write_rule(sy_stream *stream, const header_rule *rule, sy_headers *headers, header_write_fn write) {
  const sy_slice name = {rule->name, rule->name_len};
  sy_slice value = slice_of("");
  char stack_buffer[STACK_VALUE_CAPACITY];
  char *assembled = NULL;
  if (rule->part_count == 1) {
    value = part_text(stream, &rule->parts[0]);
  } else if (rule->part_count > 1) {
    size_t length = 0;
    for (size_t i = 0; i < rule->part_count; ++i) length += part_text(stream, &rule->parts[i]).len;
    assembled = length <= sizeof stack_buffer ? stack_buffer : malloc(length);
    if (assembled == NULL) {
      log_warning("headers: out of memory expanding a header value; header skipped");
      return;
    }
    size_t at = 0;
    for (size_t i = 0; i < rule->part_count; ++i) {
      sy_slice piece = part_text(stream, &rule->parts[i]);
      size_t copied = piece.len < length - at ? piece.len : length - at;
      memcpy(assembled + at, piece.ptr, copied);
      at += copied;
    }
    value.ptr = assembled;
    value.len = at;
  }
  if (write(headers, name, value) != SY_OK) {
    /* Only a property value the host considers invalid in a header can get
     * here; the config itself was validated in config_new. */
    char message[256];
    snprintf(message, sizeof message, "headers: the host refused a value for %.*s; header skipped",
             (int)name.len, name.ptr);
    log_warning(message);
  }
  if (assembled != stack_buffer) free(assembled);
}

/* Applies one direction's rules in the order remove, set, add. Returns
 * nonzero when there was at least one rule to apply. */
static int apply_rules(sy_stream *stream, const header_rules *rules, sy_headers *headers) {
  for (size_t i = 0; i < rules->remove_count; ++i) host->header_remove(headers, slice_of(rules->remove[i]));
  for (size_t i = 0; i < rules->set_count; ++i) write_rule(stream, &rules->set[i], headers, host->header_set);
  for (size_t i = 0; i < rules->add_count; ++i) write_rule(stream, &rules->add[i], headers, host->header_add);
  return rules->remove_count + rules->set_count + rules->add_count > 0;
}

static sy_result module_init(char *error, size_t error_capacity) {
  return config_host_has_typed_access(host) ? SY_OK : config_refuse_host(host, "headers", error, error_capacity);
}

static sy_result config_new(sy_config_context *context, sy_slice json, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json; /* the same config is read through the typed calls */
  /* Checked here too: a host is not obliged to call the optional
   * module_init. */
  if (!config_host_has_typed_access(host)) return config_refuse_host(host, "headers", error, error_capacity);
  const config_reader reader = {host, context};
  headers_config *config = headers_config_read(&reader);
  if (config == NULL) return SY_ERR_INVALID_ARGUMENT;
  if (host->metric_define(context, SY_METRIC_COUNTER, slice_of("requests_modified"),
                          &config->requests_modified_metric) != SY_OK ||
      host->metric_define(context, SY_METRIC_COUNTER, slice_of("responses_modified"),
                          &config->responses_modified_metric) != SY_OK) {
    snprintf(error, error_capacity, "metrics: the host refused to define requests_modified/responses_modified");
    headers_config_free(config);
    return SY_ERR_FAILED;
  }
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) { headers_config_free(config); }

/* The filter keeps no per-stream state: the stream context is the shared,
 * read-only config itself, so there is nothing for stream_destroy to free. */
static sy_result stream_new(sy_stream *stream, const void *config, void **stream_context_out) {
  (void)stream;
  *stream_context_out = (void *)config;
  return SY_OK;
}

static sy_filter_status request_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                        int end_stream) {
  const headers_config *config = stream_context;
  (void)end_stream;
  if (apply_rules(stream, &config->request, headers)) host->metric_record(config->requests_modified_metric, 1);
  return SY_FILTER_CONTINUE;
}

static sy_filter_status response_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                         int end_stream) {
  const headers_config *config = stream_context;
  (void)end_stream;
  if (apply_rules(stream, &config->response, headers)) host->metric_record(config->responses_modified_metric, 1);
  return SY_FILTER_CONTINUE;
}

static const sy_filter_module headers_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "headers",
    .version = "1.0.0",
    .module_init = module_init,
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .request_headers = request_headers,
    .response_headers = response_headers,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &headers_module;
}
