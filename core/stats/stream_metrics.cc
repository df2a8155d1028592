#include "stats/stream_metrics.h"

#include "stats/core_metrics.h"

namespace switchyard::stats {

namespace {

bool hasFlag(std::string_view flags, std::string_view flag) {
  while (!flags.empty()) {
    size_t comma = flags.find(',');
    if (flags.substr(0, comma) == flag) return true;
    flags = comma == std::string_view::npos ? std::string_view() : flags.substr(comma + 1);
  }
  return false;
}

}  // namespace

StreamMetrics::StreamMetrics(const ListenerMetrics& listener) : listener_(listener) {
  listener_.registry().record(listener_.rqTotal(), 1);
  listener_.registry().record(listener_.rqActive(), 1);
  recordMetric(CoreMetrics::get().downstream_rq_total);
  recordMetric(CoreMetrics::get().downstream_rq_active);
}

StreamMetrics::~StreamMetrics() {
  listener_.registry().record(listener_.rqActive(), -1);
  recordMetric(CoreMetrics::get().downstream_rq_active, -1);
}

void StreamMetrics::responded(size_t route_id, int status) const {
  if (status < 100 || status >= 600) return;
  int status_class = status / 100 - 1;
  MetricRegistry& registry = listener_.registry();
  registry.record(listener_.rqByClass(status_class), 1);
  if (const RouteMetrics* route = listener_.route(route_id)) registry.record(route->rq_by_class[status_class], 1);
  const auto& core = CoreMetrics::get();
  CoreMetrics::recordStatusClass({core.downstream_rq_1xx, core.downstream_rq_2xx, core.downstream_rq_3xx,
                                  core.downstream_rq_4xx, core.downstream_rq_5xx},
                                 status);
}

void StreamMetrics::completed(size_t route_id, std::string_view response_flags) const {
  auto elapsed = std::chrono::steady_clock::now() - start_;
  int64_t duration_us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  MetricRegistry& registry = listener_.registry();
  registry.record(listener_.rqTime(), duration_us);
  recordMetric(CoreMetrics::get().downstream_rq_time_ms, duration_us);
  const RouteMetrics* route = listener_.route(route_id);
  if (route == nullptr) return;
  registry.record(route->rq_total, 1);
  registry.record(route->rq_time, duration_us);
  if (route->cluster == nullptr || response_flags.empty()) return;
  if (hasFlag(response_flags, "UT")) route->cluster->requestTimedOut();
  if (hasFlag(response_flags, "UO")) route->cluster->requestOverflowed();
}

}  // namespace switchyard::stats
