/* Fixture: a module built against the FROZEN ABI 1.2 header in abi_1_2/
 * (a verbatim copy of plugins_api/switchyard/filter.h as released in 1.2,
 * never to be edited). It uses what 1.2 added:
 *   - typed config access: `retry_status` (an integer from 100 to 599,
 *     default 503) and `tag` (a string, default "none"), read through
 *     config_root/config_member/config_read_*; config_check_members records
 *     any other field, so the host rejects a bad config with the field's
 *     path named;
 *   - the explicit `capabilities = SY_CAPABILITY_REQUEST_REPLAY`: its
 *     attempt_finished retries a response whose status is retry_status,
 *     once per stream;
 *   - the response flag table: when its one retry is spent and the status
 *     is still retry_status, it adds sy_response_flag_code(
 *     SY_FLAG_RETRY_LIMIT_EXCEEDED), "URX".
 * response_headers reports what it saw: x-built-against-1-2, the attempt
 * count (x-attempts-seen-by-1-2), whether its own retry was taken
 * (x-retried-by-1-2) and the configured tag (x-tag-1-2). Every later 1.x
 * host must keep running it. */
#include <stdlib.h>
#include <string.h>
#include <switchyard/filter.h>

#if SY_ABI_VERSION_MAJOR != 1 || SY_ABI_VERSION_MINOR != 2
#error "old_abi_1_2 must be built against the frozen ABI 1.2 header in test/abi/abi_1_2"
#endif

static const sy_host_api *host;

typedef struct old_config {
  uint32_t retry_status;
  char tag[64]; /* a copy: the slice config_read_string gives dies with config_new */
} old_config;

typedef struct old_stream {
  const old_config *config;
  int retried; /* this module's one retry was accepted by the host */
} old_stream;

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

/* Writes `value` in decimal into `text` (at least 11 bytes) and returns it. */
static sy_slice decimal(uint32_t value, char *text) {
  char reversed[10];
  size_t length = 0;
  do {
    reversed[length++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (size_t i = 0; i < length; ++i) text[i] = reversed[length - 1 - i];
  sy_slice slice = {text, length};
  return slice;
}

static sy_result config_new(sy_config_context *context, sy_slice json_config, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json_config; /* 1.2 modules read the typed tree instead */
  (void)error;
  (void)error_capacity;
  static const sy_slice known[] = {{"retry_status", 12}, {"tag", 3}};
  const sy_config_value *root = host->config_root(context);
  host->config_check_members(context, root, known, 2);
  /* Defaults first: a read of an absent member leaves them alone. */
  int64_t retry_status = 503;
  sy_slice tag = slice_of("none");
  host->config_read_integer(context, host->config_member(context, root, slice_of("retry_status")), 100, 599,
                            &retry_status);
  const sy_config_value *tag_value = host->config_member(context, root, slice_of("tag"));
  if (host->config_read_string(context, tag_value, &tag) == SY_OK && (tag.len == 0 || tag.len >= 64)) {
    host->config_error(context, tag_value, slice_of("expected 1 to 63 characters"));
  }
  /* Every problem is recorded on the context; the host rejects the config
   * and names each field's path. */
  if (host->config_error_count(context) > 0) return SY_ERR_INVALID_ARGUMENT;
  old_config *config = calloc(1, sizeof *config);
  if (config == NULL) return SY_ERR_NO_MEMORY;
  config->retry_status = (uint32_t)retry_status;
  memcpy(config->tag, tag.ptr, tag.len);
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) { free(config); }

static sy_result stream_new(sy_stream *stream, const void *config, void **stream_context_out) {
  (void)stream;
  old_stream *context = calloc(1, sizeof *context);
  if (context == NULL) return SY_ERR_NO_MEMORY;
  context->config = config;
  *stream_context_out = context;
  return SY_OK;
}

static void stream_destroy(void *stream_context) { free(stream_context); }

static void attempt_finished(sy_stream *stream, void *stream_context, const sy_attempt_info *attempt) {
  old_stream *context = stream_context;
  if (attempt->outcome != SY_ATTEMPT_RESPONSE || attempt->status != context->config->retry_status) return;
  if (!context->retried) {
    /* Another filter's retry may be pending (SY_ERR_LIMIT): then this one
     * is not spent and a later response can still use it. */
    if (host->attempt_retry(stream, 0, 0) == SY_OK) context->retried = 1;
    return;
  }
  host->stream_add_response_flag(stream, sy_response_flag_code(SY_FLAG_RETRY_LIMIT_EXCEEDED));
}

static sy_filter_status response_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                         int end_stream) {
  (void)end_stream;
  const old_stream *context = stream_context;
  char attempts[11];
  host->header_set(headers, slice_of("x-built-against-1-2"), slice_of("switchyard ABI 1.2"));
  host->header_set(headers, slice_of("x-attempts-seen-by-1-2"),
                   decimal(host->attempt_count(stream), attempts));
  host->header_set(headers, slice_of("x-retried-by-1-2"), slice_of(context->retried ? "yes" : "no"));
  host->header_set(headers, slice_of("x-tag-1-2"), slice_of(context->config->tag));
  return SY_FILTER_CONTINUE;
}

static const sy_filter_module old_abi_1_2_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "old_abi_1_2",
    .version = "1.2.0",
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .stream_destroy = stream_destroy,
    .response_headers = response_headers,
    .attempt_finished = attempt_finished,
    /* 1.2: asked for explicitly; attempt_finished alone no longer implies it. */
    .capabilities = SY_CAPABILITY_REQUEST_REPLAY,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &old_abi_1_2_module;
}
