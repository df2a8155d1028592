/* The timeout filter's config: parsed and validated from JSON once, then
 * immutable and shared read-only by every worker (see README.md for the
 * format). Parsing lives here; timeout.c holds the per-stream logic. */
#ifndef TIMEOUT_CONFIG_H
#define TIMEOUT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

/* The largest duration accepted, in ms (about 49.7 days): longer is surely a
 * mistake in units, and every sum on the monotonic clock stays far from
 * overflowing. */
#define TIMEOUT_MAX_MS UINT64_C(4294967295)

typedef struct timeout_config {
  uint64_t request_timeout_ms; /* 0: no request timeout */
  uint64_t idle_timeout_ms;    /* 0: no idle timeout */
  /* A header name, or NULL when the feature is off. NUL-terminated too. */
  char *trusted_timeout_header;
  size_t trusted_timeout_header_len;
  char *propagate_timeout_header;
  size_t propagate_timeout_header_len;
  /* Metric ids, filled in by config_new in timeout.c. */
  uint32_t request_timeouts_metric;
  uint32_t idle_timeouts_metric;
} timeout_config;

/* Parses and validates `json` (defaults for absent fields). Returns NULL and
 * writes a message naming the offending field (e.g. "request_timeout_ms:
 * expected a non-negative integer, got string") into `error` on failure. */
timeout_config *timeout_config_parse(const char *json, size_t length, char *error, size_t error_capacity);
void timeout_config_free(timeout_config *config);

#ifdef __cplusplus
}
#endif

#endif
