/* Fixture: a module built against the FROZEN ABI 1.3 header in abi_1_3/
 * (a verbatim copy of plugins_api/switchyard/filter.h as released in 1.3,
 * never to be edited). It uses what 1.3 added:
 *   - attempt_admit: it refuses the host named by its `refuse_host` config
 *     ("ip:port"), so the host balances every attempt to another host;
 *   - cluster_report with report_field: the admin API's /clusters shows
 *     "old_abi_1_3.refused" with how many hosts it refused so far;
 *   - sy_cluster_stats.idle_connections, read in response_headers.
 * response_headers reports x-built-against-1-3 and the upstream host it
 * was answered from (x-answered-by-1-3). Every later 1.x host must keep
 * running it. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <switchyard/filter.h>

#if SY_ABI_VERSION_MAJOR != 1 || SY_ABI_VERSION_MINOR != 3
#error "old_abi_1_3 must be built against the frozen ABI 1.3 header in test/abi/abi_1_3"
#endif

static const sy_host_api *host;
static atomic_uint_fast64_t refused_total;

typedef struct old_config {
  char refuse_host[64]; /* empty: refuse nothing */
} old_config;

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

static sy_result config_new(sy_config_context *context, sy_slice json_config, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json_config;
  (void)error;
  (void)error_capacity;
  static const sy_slice known[] = {{"refuse_host", 11}};
  const sy_config_value *root = host->config_root(context);
  host->config_check_members(context, root, known, 1);
  sy_slice refuse = {"", 0};
  const sy_config_value *value = host->config_member(context, root, slice_of("refuse_host"));
  if (host->config_read_string(context, value, &refuse) == SY_OK && refuse.len >= 64) {
    host->config_error(context, value, slice_of("expected at most 63 characters"));
  }
  if (host->config_error_count(context) > 0) return SY_ERR_INVALID_ARGUMENT;
  old_config *config = calloc(1, sizeof *config);
  if (config == NULL) return SY_ERR_NO_MEMORY;
  memcpy(config->refuse_host, refuse.ptr, refuse.len);
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) { free(config); }

static sy_result stream_new(sy_stream *stream, const void *config, void **stream_context_out) {
  (void)stream;
  *stream_context_out = (void *)config; /* nothing per stream */
  return SY_OK;
}

static sy_admission attempt_admit(sy_stream *stream, void *stream_context, const sy_attempt_info *candidate,
                                  sy_slice *reason_out) {
  (void)stream;
  const old_config *config = stream_context;
  size_t length = strlen(config->refuse_host);
  if (length == 0 || candidate->upstream_host.len != length ||
      memcmp(candidate->upstream_host.ptr, config->refuse_host, length) != 0) {
    return SY_ADMIT;
  }
  atomic_fetch_add(&refused_total, 1);
  *reason_out = slice_of("refused_by_old_abi_1_3");
  return SY_ADMIT_REFUSE_HOST;
}

static sy_filter_status response_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                         int end_stream) {
  (void)stream_context;
  (void)end_stream;
  host->header_set(headers, slice_of("x-built-against-1-3"), slice_of("switchyard ABI 1.3"));
  sy_slice upstream;
  if (host->stream_get_property(stream, SY_PROP_UPSTREAM_HOST, &upstream) == SY_OK) {
    host->header_set(headers, slice_of("x-answered-by-1-3"), upstream);
  }
  sy_cluster_stats stats;
  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  if (host->cluster_stats(stream, &stats) == SY_OK) {
    host->header_set(headers, slice_of("x-idle-field-read-1-3"), slice_of("yes"));
  }
  return SY_FILTER_CONTINUE;
}

static void cluster_report(sy_slice cluster_name, sy_report *report) {
  (void)cluster_name;
  char text[24];
  uint64_t value = atomic_load(&refused_total);
  size_t length = 0;
  char reversed[24];
  do {
    reversed[length++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (size_t i = 0; i < length; ++i) text[i] = reversed[length - 1 - i];
  sy_slice count = {text, length};
  host->report_field(report, slice_of("refused"), count);
}

static const sy_filter_module old_abi_1_3_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "old_abi_1_3",
    .version = "1.3.0",
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .response_headers = response_headers,
    .attempt_admit = attempt_admit,
    .cluster_report = cluster_report,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &old_abi_1_3_module;
}
