/* Retry-After (RFC 9110, section 10.2.3): how long a 503 or 429 asks the
 * client to wait, as delta-seconds ("120") or an HTTP date in the
 * IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT"). The obsolete RFC 850
 * and asctime date forms are not accepted: a value in them is treated as
 * absent, so the normal back-off applies. */
#ifndef SWITCHYARD_RETRY_RETRY_AFTER_H
#define SWITCHYARD_RETRY_RETRY_AFTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses `value` (surrounding spaces and tabs allowed). On success returns
 * 1 and the delay in milliseconds: a date is measured from
 * `now_unix_seconds` (wall clock), and a date in the past means 0. Returns
 * 0 when the value is neither form. Huge values saturate at UINT64_MAX. */
int retry_after_parse(const char *value, size_t length, int64_t now_unix_seconds, uint64_t *delay_ms_out);

#ifdef __cplusplus
}
#endif

#endif
