// Histogram buckets: the bounds every histogram shares, the bucket of one
// observation, and quantiles estimated from the merged bucket counts.
//
// The bounds are Envoy's default latency buckets in milliseconds, which span
// a cache hit (0.5 ms) to a stuck upload (1 h) in 19 steps. One fixed set
// keeps recording to a table lookup and lets every histogram render the same
// `le` labels, so series of one family aggregate in PromQL.
//
// A histogram's values are recorded in its own raw unit and `scale` raw units
// make one displayed unit: the core records microseconds with scale 1000 so
// that a 0.3 ms request lands in the 0.5 bucket; a module's histogram has
// scale 1 (its values are compared with the bounds as they are).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace switchyard::stats {

inline constexpr std::array<double, 19> kHistogramBounds = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000};

// Buckets: one per bound, then the overflow (+Inf) bucket.
inline constexpr size_t kHistogramBuckets = kHistogramBounds.size() + 1;

// The bucket of `raw` (the first bound it does not exceed), for a histogram
// whose displayed unit is `scale` raw units.
size_t histogramBucket(int64_t raw, double scale);

// The q-quantile (0 < q <= 1), in displayed units, of observations with
// these per-bucket (not cumulative) counts, interpolating linearly inside the
// bucket it falls in as Prometheus' histogram_quantile does; 0 with no
// observations, and the last finite bound when it falls in the overflow bucket.
double histogramQuantile(const std::vector<uint64_t>& bucket_counts, double q);

}  // namespace switchyard::stats
