/* Exponential back-off with full jitter: retries from many clients that
 * failed together spread out instead of arriving together again. */
#ifndef SWITCHYARD_RETRY_BACKOFF_H
#define SWITCHYARD_RETRY_BACKOFF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The wait before retry `retry_number` (1 for the first retry): uniform in
 * [0, min(max_ms, base_ms * 2^(retry_number - 1))], picked by `random`
 * (any 64-bit value, e.g. the host's random_u64()). */
uint64_t retry_backoff_delay_ms(uint64_t base_ms, uint64_t max_ms, uint32_t retry_number, uint64_t random);

#ifdef __cplusplus
}
#endif

#endif
