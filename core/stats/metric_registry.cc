#include "stats/metric_registry.h"

namespace switchyard::stats {

const char* metricKindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter: return "counter";
    case MetricKind::kGauge: return "gauge";
    case MetricKind::kHistogram: return "histogram";
  }
  return "untyped";
}

MetricRegistry& MetricRegistry::global() {
  static MetricRegistry registry;
  return registry;
}

std::string MetricRegistry::seriesKey(const MetricName& name) {
  std::string key = name.family;
  for (const auto& label : name.labels) {
    // NUL cannot occur in a config name, so the key is unambiguous.
    key.push_back('\0');
    key += label.name;
    key.push_back('\0');
    key += label.value;
  }
  return key;
}

std::optional<uint32_t> MetricRegistry::define(MetricKind kind, const MetricName& name, double histogram_scale,
                                               bool hidden) {
  std::lock_guard lock(mutex_);
  if (auto it = ids_by_stat_.find(name.stat); it != ids_by_stat_.end()) {
    if (layouts_[it->second].kind != kind) return std::nullopt;
    return it->second;
  }
  if (auto it = family_kinds_.find(name.family); it != family_kinds_.end() && it->second != kind) return std::nullopt;
  std::string series_key = seriesKey(name);
  if (ids_by_series_key_.count(series_key) != 0) return std::nullopt;
  uint32_t id = uint32_t(definitions_.size());
  if (id >= kMaxSeries) return std::nullopt;

  // A series' cells never straddle two chunks, so that record() finds them
  // all from one base.
  size_t cells = cellCount(kind);
  size_t first = cells_used_;
  if (first % ShardedCells::kChunkCells + cells > ShardedCells::kChunkCells) {
    first += ShardedCells::kChunkCells - first % ShardedCells::kChunkCells;
  }
  if (!cells_.reserve(first + cells) || !layouts_.growTo(id + 1)) return std::nullopt;
  cells_used_ = first + cells;
  layouts_[id] = Layout{uint32_t(first), kind, histogram_scale > 0 ? histogram_scale : 1};
  definitions_.push_back(Definition{name, name, !hidden, {}});
  ids_by_stat_.emplace(name.stat, id);
  family_kinds_.emplace(name.family, kind);
  ids_by_series_key_.emplace(std::move(series_key), id);
  defined_.store(id + 1, std::memory_order_release);
  return id;
}

std::optional<uint32_t> MetricRegistry::find(const std::string& stat) const {
  std::lock_guard lock(mutex_);
  auto it = ids_by_stat_.find(stat);
  if (it == ids_by_stat_.end()) return std::nullopt;
  return it->second;
}

void MetricRegistry::record(uint32_t id, int64_t value) {
  if (id >= defined_.load(std::memory_order_acquire)) return;
  const Layout& layout = layouts_[id];
  std::atomic<int64_t>* cells = &cells_.local(layout.first_cell);
  if (layout.kind != MetricKind::kHistogram) {
    cells[0].fetch_add(value, std::memory_order_relaxed);
    return;
  }
  cells[histogramBucket(value, layout.histogram_scale)].fetch_add(1, std::memory_order_relaxed);
  cells[kHistogramBuckets].fetch_add(value, std::memory_order_relaxed);
}

std::vector<int64_t> MetricRegistry::cellSums(uint32_t id) const {
  const Layout& layout = layouts_[id];
  const Definition& definition = definitions_[id];
  std::vector<int64_t> sums(cellCount(layout.kind));
  for (size_t i = 0; i < sums.size(); ++i) {
    sums[i] = cells_.sum(layout.first_cell + i) - (definition.baseline.empty() ? 0 : definition.baseline[i]);
  }
  return sums;
}

void MetricRegistry::bind(uint32_t id, const MetricName& shown) {
  std::lock_guard lock(mutex_);
  if (id >= definitions_.size()) return;
  Definition& definition = definitions_[id];
  if (definition.shown != shown) {
    definition.baseline.clear();
    definition.baseline = cellSums(id);
    definition.shown = shown;
  }
  definition.visible = true;
}

void MetricRegistry::hide(uint32_t id) {
  std::lock_guard lock(mutex_);
  if (id < definitions_.size()) definitions_[id].visible = false;
}

std::vector<MetricSnapshot> MetricRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<MetricSnapshot> out;
  out.reserve(definitions_.size());
  for (uint32_t id = 0; id < definitions_.size(); ++id) {
    const Definition& definition = definitions_[id];
    if (!definition.visible) continue;
    const Layout& layout = layouts_[id];
    std::vector<int64_t> sums = cellSums(id);
    MetricSnapshot metric;
    metric.name = definition.shown;
    metric.kind = layout.kind;
    if (layout.kind != MetricKind::kHistogram) {
      metric.value = sums[0];
    } else {
      for (size_t bucket = 0; bucket < kHistogramBuckets; ++bucket) {
        metric.buckets.push_back(uint64_t(sums[bucket]));
        metric.count += uint64_t(sums[bucket]);
      }
      metric.sum = double(sums[kHistogramBuckets]) / layout.histogram_scale;
    }
    out.push_back(std::move(metric));
  }
  return out;
}

}  // namespace switchyard::stats
