/* The retry budget: retries (and hedges) may make up only a share of a
 * cluster's traffic, so that when a cluster is failing, retries cannot
 * multiply its load. A floor keeps a quiet cluster able to retry at all. */
#ifndef SWITCHYARD_RETRY_BUDGET_H
#define SWITCHYARD_RETRY_BUDGET_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nonzero while active_retries < max(min_concurrency,
 * percent / 100 * active_requests): one more retry may start. */
int retry_budget_allows(uint64_t active_retries, uint64_t active_requests, double percent,
                        uint32_t min_concurrency);

#ifdef __cplusplus
}
#endif

#endif
