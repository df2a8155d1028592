/* The headers filter's config, parsed from JSON and immutable afterwards. */
#ifndef HEADERS_CONFIG_H
#define HEADERS_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <switchyard/filter.h>

/* One piece of a header value: literal text, or a stream property. */
typedef struct value_part {
  int is_variable;
  sy_stream_property property; /* when is_variable */
  char *text;                  /* when literal */
  size_t text_len;
} value_part;

typedef struct header_op {
  char *name;
  value_part *parts;
  size_t part_count;
} header_op;

typedef struct header_ops {
  char **remove;
  size_t remove_count;
  header_op *set;
  size_t set_count;
  header_op *add;
  size_t add_count;
} header_ops;

typedef struct headers_config {
  header_ops request;
  header_ops response;
  uint32_t requests_modified_metric;
  uint32_t responses_modified_metric;
} headers_config;

/* NULL with a message naming the field on error. */
headers_config *headers_config_parse(const char *json, size_t length, char *error, size_t error_capacity);
void headers_config_free(headers_config *config);

#endif
