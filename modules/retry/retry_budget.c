#include "retry_budget.h"

int retry_budget_allows(uint64_t active_retries, uint64_t active_requests, double percent,
                        uint32_t min_concurrency) {
  /* Compared as a real number, not truncated: 20% of 7 active requests is
   * 1.4, so a second retry may start while one is active. */
  double limit = percent / 100.0 * (double)active_requests;
  if (limit < (double)min_concurrency) limit = (double)min_concurrency;
  return (double)active_retries < limit;
}
