#include "retry_backoff.h"

/* min(max_ms, base_ms * 2^(retry_number - 1)) without overflowing: the
 * doubling stops at max_ms (or at 0), so it loops at most 64 times. */
static uint64_t ceiling_ms(uint64_t base_ms, uint64_t max_ms, uint32_t retry_number) {
  uint64_t ceiling = base_ms < max_ms ? base_ms : max_ms;
  for (uint32_t doubling = 1; doubling < retry_number && ceiling > 0 && ceiling < max_ms; ++doubling) {
    ceiling = ceiling > max_ms / 2 ? max_ms : ceiling * 2;
  }
  return ceiling;
}

uint64_t retry_backoff_delay_ms(uint64_t base_ms, uint64_t max_ms, uint32_t retry_number, uint64_t random) {
  const uint64_t ceiling = ceiling_ms(base_ms, max_ms, retry_number);
  /* The interval is inclusive; the modulo bias is below 2^-40 for any
   * ceiling a config allows (an hour in ms is under 2^22). */
  if (ceiling == UINT64_MAX) return random;
  return random % (ceiling + 1);
}
