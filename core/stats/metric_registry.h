// MetricRegistry: process-wide counters, gauges and histograms.
//
// Metrics are defined by name while configs load (rare, locked) and then
// recorded by dense id on the request path (one relaxed atomic add, no lock),
// which is what sy_host_api.metric_record needs: an id and a value, nothing
// else. Defining the same name twice returns the same id, so a config reload
// keeps its counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchyard::stats {

enum class MetricKind : uint8_t { kCounter, kGauge, kHistogram };

struct MetricSnapshot {
  std::string name;
  MetricKind kind;
  int64_t value;  // counter/gauge value, or histogram sum
  int64_t count;  // histogram observations (0 for others)
};

class MetricRegistry {
 public:
  static constexpr uint32_t kCapacity = 8192;

  static MetricRegistry& global();

  // nullopt when the registry is full or the name exists with another kind.
  std::optional<uint32_t> define(MetricKind kind, const std::string& name);
  void record(uint32_t id, int64_t value);
  std::vector<MetricSnapshot> snapshot() const;

 private:
  struct Slot {
    std::atomic<int64_t> value{0};
    std::atomic<int64_t> count{0};
  };
  struct Definition {
    std::string name;
    MetricKind kind;
  };

  std::unique_ptr<Slot[]> slots_ = std::make_unique<Slot[]>(kCapacity);
  std::atomic<uint32_t> defined_{0};
  mutable std::mutex definitions_mutex_;
  std::vector<Definition> definitions_;
  std::unordered_map<std::string, uint32_t> ids_by_name_;
};

// Core metrics, defined once at first use.
struct CoreMetrics {
  uint32_t downstream_cx_total, downstream_cx_active, downstream_rq_total, downstream_rq_active;
  uint32_t downstream_rq_1xx, downstream_rq_2xx, downstream_rq_3xx, downstream_rq_4xx, downstream_rq_5xx;
  uint32_t downstream_rq_bad_request, downstream_rq_time_ms;
  uint32_t upstream_cx_total, upstream_cx_active, upstream_cx_connect_fail, upstream_cx_reused;
  uint32_t upstream_rq_total, upstream_rq_reset, upstream_rq_protocol_error;
  uint32_t upstream_rq_retry, upstream_rq_hedge;  // attempts after the first, by how they started
  // Requests sent upstream with a replay copy kept (a filter asks for replay).
  uint32_t upstream_rq_replay_kept;

  static const CoreMetrics& get();
};

}  // namespace switchyard::stats
