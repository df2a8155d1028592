#include "stats/histogram.h"

#include <algorithm>

namespace switchyard::stats {

size_t histogramBucket(int64_t raw, double scale) {
  double displayed = double(raw) / scale;
  return size_t(std::lower_bound(kHistogramBounds.begin(), kHistogramBounds.end(), displayed) -
                kHistogramBounds.begin());
}

double histogramQuantile(const std::vector<uint64_t>& bucket_counts, double q) {
  uint64_t total = 0;
  for (uint64_t count : bucket_counts) total += count;
  if (total == 0) return 0;
  double rank = q * double(total);
  uint64_t below = 0;
  for (size_t bucket = 0; bucket < bucket_counts.size(); ++bucket) {
    uint64_t count = bucket_counts[bucket];
    if (count == 0 || double(below + count) < rank) {
      below += count;
      continue;
    }
    if (bucket >= kHistogramBounds.size()) return kHistogramBounds.back();
    double lower = bucket == 0 ? 0 : kHistogramBounds[bucket - 1];
    double upper = kHistogramBounds[bucket];
    return lower + (upper - lower) * (rank - double(below)) / double(count);
  }
  return kHistogramBounds.back();
}

}  // namespace switchyard::stats
