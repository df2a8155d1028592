#include "stats/histogram.h"

#include <gtest/gtest.h>

namespace switchyard::stats {
namespace {

TEST(Histogram, AValueFallsInTheFirstBucketWhoseBoundItDoesNotExceed) {
  EXPECT_EQ(histogramBucket(0, 1), 0u);
  EXPECT_EQ(histogramBucket(1, 1), 1u);    // exactly on le="1"
  EXPECT_EQ(histogramBucket(2, 1), 2u);    // (1, 5]
  EXPECT_EQ(histogramBucket(5, 1), 2u);
  EXPECT_EQ(histogramBucket(3600000, 1), kHistogramBounds.size() - 1);
  EXPECT_EQ(histogramBucket(3600001, 1), kHistogramBounds.size());  // +Inf
  EXPECT_EQ(histogramBucket(-5, 1), 0u);
}

TEST(Histogram, ScaleMakesRawUnitsDisplayedOnes) {
  // Microseconds shown as milliseconds.
  EXPECT_EQ(histogramBucket(300, 1000), 0u);   // 0.3 ms <= 0.5
  EXPECT_EQ(histogramBucket(500, 1000), 0u);   // 0.5 ms, on the bound
  EXPECT_EQ(histogramBucket(501, 1000), 1u);   // (0.5, 1]
  EXPECT_EQ(histogramBucket(7000, 1000), 3u);  // 7 ms: (5, 10]
}

TEST(Histogram, QuantilesInterpolateInsideTheirBucket) {
  std::vector<uint64_t> counts(kHistogramBuckets, 0);
  EXPECT_EQ(histogramQuantile(counts, 0.5), 0);
  counts[3] = 10;  // ten observations in (5, 10]
  EXPECT_DOUBLE_EQ(histogramQuantile(counts, 0.5), 7.5);
  EXPECT_DOUBLE_EQ(histogramQuantile(counts, 1.0), 10);
  counts[0] = 10;  // and ten in [0, 0.5]
  EXPECT_DOUBLE_EQ(histogramQuantile(counts, 0.5), 0.5);
  EXPECT_DOUBLE_EQ(histogramQuantile(counts, 0.25), 0.25);
  EXPECT_DOUBLE_EQ(histogramQuantile(counts, 0.9), 9);
}

TEST(Histogram, AQuantileInTheOverflowBucketIsTheLastBound) {
  std::vector<uint64_t> counts(kHistogramBuckets, 0);
  counts.back() = 3;
  EXPECT_DOUBLE_EQ(histogramQuantile(counts, 0.99), kHistogramBounds.back());
}

}  // namespace
}  // namespace switchyard::stats
