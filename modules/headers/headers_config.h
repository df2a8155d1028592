/* The headers filter's config: read and validated once through the host's
 * typed config calls, then immutable and shared read-only by every worker
 * (see README.md for the format). Reading lives here; headers.c holds the
 * per-stream logic. */
#ifndef HEADERS_CONFIG_H
#define HEADERS_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <switchyard/filter.h>

#include "config_reader.h"

/* One piece of a header value template: literal text, or a stream property
 * looked up for each request ("%CLIENT_ADDRESS%"). */
typedef struct value_part {
  int is_variable;
  sy_stream_property property; /* when is_variable */
  char *text;                  /* when literal */
  size_t text_len;
} value_part;

/* One "set" or "add" entry: a header name and its value template. */
typedef struct header_rule {
  char *name;
  size_t name_len;
  value_part *parts;
  size_t part_count;
} header_rule;

/* The rules for one direction, applied in the order remove, set, add. */
typedef struct header_rules {
  char **remove;
  size_t remove_count;
  header_rule *set;
  size_t set_count;
  header_rule *add;
  size_t add_count;
} header_rules;

typedef struct headers_config {
  header_rules request;
  header_rules response;
  /* Metric ids, filled in by config_new in headers.c. */
  uint32_t requests_modified_metric;
  uint32_t responses_modified_metric;
} headers_config;

/* Reads and validates the config of `reader`. Returns NULL when it is not
 * valid; the errors, each naming its field (e.g. "...config.request.set[0].
 * value: unknown variable %FOO%"), are recorded on the reader's context. */
headers_config *headers_config_read(const config_reader *reader);
void headers_config_free(headers_config *config);

#endif
