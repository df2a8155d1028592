#include "fault_scope.h"

#include <string.h>

static int in_list(const fault_text_list *list, sy_slice value) {
  for (size_t i = 0; i < list->count; ++i) {
    if (list->items[i].len == value.len && memcmp(list->items[i].ptr, value.ptr, value.len) == 0) return 1;
  }
  return 0;
}

static int matcher_matches(const sy_host_api *host, const fault_header_matcher *matcher,
                           const sy_headers *headers) {
  sy_slice name = {matcher->name.ptr, matcher->name.len};
  sy_slice value;
  int present = host->header_get(headers, name, 0, &value) == SY_OK;
  int matches;
  switch (matcher->kind) {
    case FAULT_MATCH_EXACT:
      matches =
          present && value.len == matcher->value.len && memcmp(value.ptr, matcher->value.ptr, value.len) == 0;
      break;
    case FAULT_MATCH_PREFIX:
      matches = present && value.len >= matcher->value.len &&
                memcmp(value.ptr, matcher->value.ptr, matcher->value.len) == 0;
      break;
    default:
      matches = present == matcher->present;
      break;
  }
  return matcher->invert ? !matches : matches;
}

int fault_scope_matches(const sy_host_api *host, const fault_config *config, sy_stream *stream,
                        const sy_headers *headers) {
  if (config->clusters.count > 0) {
    sy_slice cluster;
    if (host->stream_get_property(stream, SY_PROP_CLUSTER_NAME, &cluster) != SY_OK) return 0;
    if (!in_list(&config->clusters, cluster)) return 0;
  }
  for (size_t i = 0; i < config->header_count; ++i) {
    if (!matcher_matches(host, &config->headers[i], headers)) return 0;
  }
  if (config->downstream_nodes.count > 0) {
    sy_slice header = {config->downstream_service_header.ptr, config->downstream_service_header.len};
    sy_slice caller;
    if (host->header_get(headers, header, 0, &caller) != SY_OK) return 0;
    if (!in_list(&config->downstream_nodes, caller)) return 0;
  }
  return 1;
}
