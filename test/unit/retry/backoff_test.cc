// retry_backoff_delay_ms: full jitter under a doubling, capped ceiling.
#include "retry_backoff.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace switchyard::retry_test {
namespace {

// The ceiling is the largest delay: the value a random of exactly the
// ceiling yields, while ceiling + 1 wraps to 0.
uint64_t ceilingOf(uint64_t base, uint64_t max, uint32_t retry) {
  for (uint64_t candidate = 0;; ++candidate) {
    if (retry_backoff_delay_ms(base, max, retry, candidate + 1) == 0) return candidate;
  }
}

TEST(RetryBackoffTest, CeilingDoublesFromBaseUntilTheMaximum) {
  EXPECT_EQ(ceilingOf(25, 250, 1), 25u);
  EXPECT_EQ(ceilingOf(25, 250, 2), 50u);
  EXPECT_EQ(ceilingOf(25, 250, 3), 100u);
  EXPECT_EQ(ceilingOf(25, 250, 4), 200u);
  EXPECT_EQ(ceilingOf(25, 250, 5), 250u);
  EXPECT_EQ(ceilingOf(25, 250, 6), 250u);
}

TEST(RetryBackoffTest, DelayIsRandomModuloTheInclusiveCeiling) {
  EXPECT_EQ(retry_backoff_delay_ms(25, 250, 1, 0), 0u);
  EXPECT_EQ(retry_backoff_delay_ms(25, 250, 1, 25), 25u);
  EXPECT_EQ(retry_backoff_delay_ms(25, 250, 1, 26), 0u);
  EXPECT_EQ(retry_backoff_delay_ms(25, 250, 1, 1000), 1000u % 26u);
  EXPECT_LE(retry_backoff_delay_ms(25, 250, 3, UINT64_MAX), 100u);
}

TEST(RetryBackoffTest, EveryDelayInTheRangeIsReachable) {
  std::set<uint64_t> seen;
  for (uint64_t random = 0; random < 1000; ++random) seen.insert(retry_backoff_delay_ms(2, 100, 2, random));
  EXPECT_EQ(seen.size(), 5u);  // 0..4
  EXPECT_EQ(*seen.rbegin(), 4u);
}

TEST(RetryBackoffTest, LateRetriesAndHugeIntervalsNeitherOverflowNorHang) {
  EXPECT_EQ(ceilingOf(25, 250, UINT32_MAX), 250u);
  EXPECT_EQ(retry_backoff_delay_ms(uint64_t(1) << 62, UINT64_MAX, 40, 12345), 12345u);
  EXPECT_EQ(retry_backoff_delay_ms(UINT64_MAX, UINT64_MAX, 1, 77), 77u);
}

TEST(RetryBackoffTest, ZeroBaseMeansNoWait) {
  EXPECT_EQ(retry_backoff_delay_ms(0, 0, 1, 999), 0u);
  EXPECT_EQ(retry_backoff_delay_ms(0, 0, UINT32_MAX, 999), 0u);
}

TEST(RetryBackoffTest, MaximumBelowBaseCapsTheFirstRetryToo) { EXPECT_EQ(ceilingOf(100, 30, 1), 30u); }

}  // namespace
}  // namespace switchyard::retry_test
