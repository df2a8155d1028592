/* The headers filter: adds, sets and removes request and response headers,
 * with values that may name stream properties (%CLIENT_ADDRESS% ...). It is
 * written in C against <switchyard/filter.h> alone: the template to copy. */
#include <string.h>
#include <switchyard/filter.h>

#include "config.h"

static const sy_host_api *host;

enum { MAX_VALUE = 4096 };

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

/* Expands a value template into `out`; unavailable properties become "-". */
static size_t expand(sy_stream *stream, const header_op *op, char *out) {
  size_t length = 0;
  for (size_t i = 0; i < op->part_count; ++i) {
    sy_slice piece = {op->parts[i].text, op->parts[i].text_len};
    if (op->parts[i].is_variable && host->stream_get_property(stream, op->parts[i].property, &piece) != SY_OK) {
      piece = slice_of("-");
    }
    size_t room = MAX_VALUE - length;
    size_t copy = piece.len < room ? piece.len : room;
    memcpy(out + length, piece.ptr, copy);
    length += copy;
  }
  return length;
}

static int apply(sy_stream *stream, const header_ops *ops, sy_headers *headers) {
  static _Thread_local char value[MAX_VALUE];
  for (size_t i = 0; i < ops->remove_count; ++i) host->header_remove(headers, slice_of(ops->remove[i]));
  for (size_t i = 0; i < ops->set_count; ++i) {
    sy_slice expanded = {value, expand(stream, &ops->set[i], value)};
    host->header_set(headers, slice_of(ops->set[i].name), expanded);
  }
  for (size_t i = 0; i < ops->add_count; ++i) {
    sy_slice expanded = {value, expand(stream, &ops->add[i], value)};
    host->header_add(headers, slice_of(ops->add[i].name), expanded);
  }
  return ops->remove_count + ops->set_count + ops->add_count > 0;
}

static sy_result config_new(sy_config_context *context, sy_slice json, void **config_out, char *error,
                            size_t error_capacity) {
  headers_config *config = headers_config_parse(json.ptr, json.len, error, error_capacity);
  if (config == NULL) return SY_ERR_INVALID_ARGUMENT;
  host->metric_define(context, SY_METRIC_COUNTER, slice_of("requests_modified"), &config->requests_modified_metric);
  host->metric_define(context, SY_METRIC_COUNTER, slice_of("responses_modified"),
                      &config->responses_modified_metric);
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) { headers_config_free(config); }

/* The stream context is the (shared, read-only) config itself. */
static sy_result stream_new(sy_stream *stream, const void *config, void **stream_context_out) {
  (void)stream;
  *stream_context_out = (void *)config;
  return SY_OK;
}

static sy_filter_status request_headers(sy_stream *stream, void *context, sy_headers *headers, int end_stream) {
  const headers_config *config = context;
  (void)end_stream;
  if (apply(stream, &config->request, headers)) host->metric_record(config->requests_modified_metric, 1);
  return SY_FILTER_CONTINUE;
}

static sy_filter_status response_headers(sy_stream *stream, void *context, sy_headers *headers, int end_stream) {
  const headers_config *config = context;
  (void)end_stream;
  if (apply(stream, &config->response, headers)) host->metric_record(config->responses_modified_metric, 1);
  return SY_FILTER_CONTINUE;
}

static const sy_filter_module headers_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "headers",
    .version = "1.0.0",
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
