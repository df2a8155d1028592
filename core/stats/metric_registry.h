// MetricRegistry: process-wide counters, gauges and histograms.
//
// A series is defined by name while configs load (rare, locked) and then
// recorded by dense id on the request path, which is what
// sy_host_api.metric_record needs: an id and a value, nothing else.
// Recording takes no lock and allocates nothing: the value goes into the
// calling thread's shard (sharded_cells.h); readers merge the shards.
// Defining the same stat name twice returns the same id, so a config reload
// keeps its counters.
//
// A series can be shown under another name than the one that defines it
// (bind) or not at all (hide): per-host series are defined per host slot
// and shown under the address that holds the slot, so that hosts coming and
// going with DNS reuse a bounded set of series instead of leaking one per
// address ever seen.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "stats/chunked_array.h"
#include "stats/histogram.h"
#include "stats/metric_name.h"
#include "stats/sharded_cells.h"

namespace switchyard::stats {

enum class MetricKind : uint8_t { kCounter, kGauge, kHistogram };

const char* metricKindName(MetricKind kind);  // "counter", "gauge", "histogram"

struct MetricSnapshot {
  MetricName name;
  MetricKind kind = MetricKind::kCounter;
  int64_t value = 0;  // counter or gauge
  // Histogram: per bucket (not cumulative), kHistogramBuckets of them; the
  // count of observations and their sum in displayed units.
  std::vector<uint64_t> buckets;
  uint64_t count = 0;
  double sum = 0;
};

class MetricRegistry {
 public:
  // Ids at or past this are ignored by record() (a metric that could not be
  // defined records nowhere).
  static constexpr uint32_t kMaxSeries = 4096 * 64;

  static MetricRegistry& global();

  // nullopt when the registry is full, when `name.stat` exists with another
  // kind, or when the Prometheus family exists with another kind or already
  // has a series with these labels. `histogram_scale`: raw units per
  // displayed unit (histogram.h). A new series with `hidden` is not shown
  // until bound; an existing one keeps whatever it is.
  std::optional<uint32_t> define(MetricKind kind, const MetricName& name, double histogram_scale = 1,
                                 bool hidden = false);

  // The id of a defined stat name, if any.
  std::optional<uint32_t> find(const std::string& stat) const;

  // Counter: adds `value`; gauge: adds a signed delta; histogram: one
  // observation of `value` raw units. No lock, no allocation.
  void record(uint32_t id, int64_t value);

  // Shows the series as `shown` from now on. A name other than the one it
  // was last shown under restarts it from zero (the values so far belong to
  // the previous holder); the same name just shows it again.
  void bind(uint32_t id, const MetricName& shown);
  void hide(uint32_t id);

  // Every shown series, in definition order, with its shards merged.
  std::vector<MetricSnapshot> snapshot() const;

 private:
  // What record() reads: fixed once defined.
  struct Layout {
    uint32_t first_cell = 0;
    MetricKind kind = MetricKind::kCounter;
    double histogram_scale = 1;
  };
  // What readers and bind() use; guarded by mutex_.
  struct Definition {
    MetricName identity;
    MetricName shown;
    bool visible = true;
    std::vector<int64_t> baseline;  // cell sums when last rebound, subtracted when read
  };

  static size_t cellCount(MetricKind kind) { return kind == MetricKind::kHistogram ? kHistogramBuckets + 1 : 1; }
  // A series' cells summed over the shards, less its baseline.
  std::vector<int64_t> cellSums(uint32_t id) const;
  // Prometheus' identity of a series: family and labels.
  static std::string seriesKey(const MetricName& name);

  ShardedCells cells_;
  ChunkedArray<Layout, 4096, kMaxSeries / 4096> layouts_;
  std::atomic<uint32_t> defined_{0};

  mutable std::mutex mutex_;
  size_t cells_used_ = 0;
  std::vector<Definition> definitions_;
  std::unordered_map<std::string, uint32_t> ids_by_stat_;
  std::unordered_map<std::string, MetricKind> family_kinds_;
  std::unordered_map<std::string, uint32_t> ids_by_series_key_;
};

}  // namespace switchyard::stats
