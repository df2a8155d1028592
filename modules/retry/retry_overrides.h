/* The request headers that let a client choose its own retry policy when
 * the config sets request_overrides: x-switchyard-retry-on (the retry_on
 * words, comma-separated) and x-switchyard-max-retries (a whole number). */
#ifndef SWITCHYARD_RETRY_OVERRIDES_H
#define SWITCHYARD_RETRY_OVERRIDES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RETRY_ON_HEADER "x-switchyard-retry-on"
#define MAX_RETRIES_HEADER "x-switchyard-max-retries"

/* "5xx, reset" → the conditions. Returns 0 (and leaves *conditions_out
 * alone) when the list is empty, has an empty item or an unknown word: a
 * malformed header changes nothing rather than something unintended. */
int retry_override_parse_conditions(const char *value, size_t length, uint32_t *conditions_out);
/* "3" → 3. Returns 0 unless the value is a whole number from 0 to
 * `max_allowed` (surrounding spaces and tabs allowed). */
int retry_override_parse_max_retries(const char *value, size_t length, uint32_t max_allowed,
                                     uint32_t *max_retries_out);

#ifdef __cplusplus
}
#endif

#endif
