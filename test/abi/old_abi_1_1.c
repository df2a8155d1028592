/* Fixture: a module built against the FROZEN ABI 1.1 header in abi_1_1/
 * (a verbatim copy of plugins_api/switchyard/filter.h as released in 1.1,
 * never to be edited). It uses what 1.1 added: attempt_finished retries a
 * first 503 once (which needs the request kept for replay: a 1.1 module
 * with attempt_finished gets that without asking), and response_headers
 * reports the attempt count. config_new still gets its config as JSON text
 * (1.2 added typed access for later modules): one naming "echo_and_reject"
 * is rejected with the text quoted, so a test can see what arrived. Every
 * later 1.x host must keep running it. */
#include <stdio.h>
#include <string.h>
#include <switchyard/filter.h>

#if SY_ABI_VERSION_MAJOR != 1 || SY_ABI_VERSION_MINOR != 1
#error "old_abi_1_1 must be built against the frozen ABI 1.1 header in test/abi/abi_1_1"
#endif

static const sy_host_api *host;

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

static int contains(sy_slice text, const char *word) {
  const size_t length = strlen(word);
  for (size_t at = 0; at + length <= text.len; ++at) {
    if (memcmp(text.ptr + at, word, length) == 0) return 1;
  }
  return 0;
}

static sy_result config_new(sy_config_context *context, sy_slice json_config, void **config_out, char *error,
                            size_t error_capacity) {
  (void)context;
  if (contains(json_config, "echo_and_reject")) {
    snprintf(error, error_capacity, "got JSON text: %.*s", (int)json_config.len, json_config.ptr);
    return SY_ERR_INVALID_ARGUMENT;
  }
  *config_out = NULL;
  return SY_OK;
}

static void config_destroy(void *config) { (void)config; }

static void attempt_finished(sy_stream *stream, void *stream_context, const sy_attempt_info *attempt) {
  (void)stream_context;
  if (attempt->outcome == SY_ATTEMPT_RESPONSE && attempt->status == 503 && attempt->number == 1) {
    host->attempt_retry(stream, 0, 0);
  }
}

static sy_filter_status response_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                         int end_stream) {
  (void)stream_context;
  (void)end_stream;
  char attempts[16];
  unsigned count = host->attempt_count(stream);
  size_t length = 0;
  do {
    attempts[length++] = (char)('0' + count % 10);
    count /= 10;
  } while (count > 0 && length < sizeof attempts);
  for (size_t i = 0; i < length / 2; ++i) {
    char swap = attempts[i];
    attempts[i] = attempts[length - 1 - i];
    attempts[length - 1 - i] = swap;
  }
  sy_slice attempts_slice = {attempts, length};
  host->header_set(headers, slice_of("x-built-against-1-1"), slice_of("switchyard ABI 1.1"));
  host->header_set(headers, slice_of("x-attempts-seen-by-1-1"), attempts_slice);
  return SY_FILTER_CONTINUE;
}

static const sy_filter_module old_abi_1_1_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "old_abi_1_1",
    .version = "1.1.0",
    .config_new = config_new,
    .config_destroy = config_destroy,
    .response_headers = response_headers,
    .attempt_finished = attempt_finished,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &old_abi_1_1_module;
}
