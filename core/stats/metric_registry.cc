#include "stats/metric_registry.h"

namespace switchyard::stats {

MetricRegistry& MetricRegistry::global() {
  static MetricRegistry registry;
  return registry;
}

std::optional<uint32_t> MetricRegistry::define(MetricKind kind, const std::string& name) {
  std::lock_guard lock(definitions_mutex_);
  if (auto it = ids_by_name_.find(name); it != ids_by_name_.end()) {
    if (definitions_[it->second].kind != kind) return std::nullopt;
    return it->second;
  }
  if (definitions_.size() >= kCapacity) return std::nullopt;
  uint32_t id = uint32_t(definitions_.size());
  definitions_.push_back(Definition{name, kind});
  ids_by_name_.emplace(name, id);
  defined_.store(id + 1, std::memory_order_release);
  return id;
}

void MetricRegistry::record(uint32_t id, int64_t value) {
  if (id >= kCapacity) return;
  Slot& slot = slots_[id];
  slot.value.fetch_add(value, std::memory_order_relaxed);
  slot.count.fetch_add(1, std::memory_order_relaxed);
}

std::vector<MetricSnapshot> MetricRegistry::snapshot() const {
  std::lock_guard lock(definitions_mutex_);
  std::vector<MetricSnapshot> out;
  out.reserve(definitions_.size());
  for (uint32_t id = 0; id < definitions_.size(); ++id) {
    const auto& def = definitions_[id];
    int64_t count = def.kind == MetricKind::kHistogram ? slots_[id].count.load(std::memory_order_relaxed) : 0;
    out.push_back(MetricSnapshot{def.name, def.kind, slots_[id].value.load(std::memory_order_relaxed), count});
  }
  return out;
}

const CoreMetrics& CoreMetrics::get() {
  static const CoreMetrics metrics = [] {
    auto& registry = MetricRegistry::global();
    auto counter = [&](const char* name) { return *registry.define(MetricKind::kCounter, name); };
    auto gauge = [&](const char* name) { return *registry.define(MetricKind::kGauge, name); };
    CoreMetrics m{};
    m.downstream_cx_total = counter("downstream_cx_total");
    m.downstream_cx_active = gauge("downstream_cx_active");
    m.downstream_rq_total = counter("downstream_rq_total");
    m.downstream_rq_active = gauge("downstream_rq_active");
    m.downstream_rq_1xx = counter("downstream_rq_1xx");
    m.downstream_rq_2xx = counter("downstream_rq_2xx");
    m.downstream_rq_3xx = counter("downstream_rq_3xx");
    m.downstream_rq_4xx = counter("downstream_rq_4xx");
    m.downstream_rq_5xx = counter("downstream_rq_5xx");
    m.downstream_rq_bad_request = counter("downstream_rq_bad_request");
    m.downstream_rq_time_ms = *registry.define(MetricKind::kHistogram, "downstream_rq_time_ms");
    m.upstream_cx_total = counter("upstream_cx_total");
    m.upstream_cx_active = gauge("upstream_cx_active");
    m.upstream_cx_connect_fail = counter("upstream_cx_connect_fail");
    m.upstream_cx_reused = counter("upstream_cx_reused");
    m.upstream_rq_total = counter("upstream_rq_total");
    m.upstream_rq_retry = counter("upstream_rq_retry");
    m.upstream_rq_hedge = counter("upstream_rq_hedge");
    m.upstream_rq_replay_kept = counter("upstream_rq_replay_kept");
    m.upstream_rq_reset = counter("upstream_rq_reset");
    m.upstream_rq_protocol_error = counter("upstream_rq_protocol_error");
    return m;
  }();
  return metrics;
}

}  // namespace switchyard::stats
