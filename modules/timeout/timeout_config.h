/* The timeout filter's config: read and validated once through the host's
 * typed config calls, then immutable and shared read-only by every worker
 * (see README.md for the format). Reading lives here; timeout.c holds the
 * per-stream logic. */
#ifndef TIMEOUT_CONFIG_H
#define TIMEOUT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config_reader.h"

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

/* Reads and validates the config of `reader` (defaults for absent fields).
 * Returns NULL when it is not valid; the errors, each naming its field,
 * are recorded on the reader's context. */
timeout_config *timeout_config_read(const config_reader *reader);
void timeout_config_free(timeout_config *config);

#ifdef __cplusplus
}
#endif

#endif
