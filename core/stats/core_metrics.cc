#include "stats/core_metrics.h"

#include "stats/metric_registry.h"

namespace switchyard::stats {

const CoreMetrics& CoreMetrics::get() {
  static const CoreMetrics metrics = [] {
    auto& registry = MetricRegistry::global();
    auto define = [&](MetricKind kind, const char* name, const char* help) {
      return registry.define(kind, flatMetricName(name, help)).value_or(MetricRegistry::kMaxSeries);
    };
    auto counter = [&](const char* name, const char* help) { return define(MetricKind::kCounter, name, help); };
    auto gauge = [&](const char* name, const char* help) { return define(MetricKind::kGauge, name, help); };
    CoreMetrics m{};
    m.downstream_cx_total = counter("downstream_cx_total", "Downstream connections accepted, every listener");
    m.downstream_cx_active = gauge("downstream_cx_active", "Downstream connections open, every listener");
    m.downstream_rq_total = counter("downstream_rq_total", "Downstream requests, every listener");
    m.downstream_rq_active = gauge("downstream_rq_active", "Downstream requests in progress, every listener");
    m.downstream_rq_1xx = counter("downstream_rq_1xx", "Downstream responses with a 1xx status, every listener");
    m.downstream_rq_2xx = counter("downstream_rq_2xx", "Downstream responses with a 2xx status, every listener");
    m.downstream_rq_3xx = counter("downstream_rq_3xx", "Downstream responses with a 3xx status, every listener");
    m.downstream_rq_4xx = counter("downstream_rq_4xx", "Downstream responses with a 4xx status, every listener");
    m.downstream_rq_5xx = counter("downstream_rq_5xx", "Downstream responses with a 5xx status, every listener");
    m.downstream_rq_bad_request = counter("downstream_rq_bad_request", "Requests refused as malformed HTTP");
    // Exposed to Prometheus without the "_ms", which promtool rejects as an
    // abbreviated unit; the bucket bounds say milliseconds.
    MetricName time_ms = flatMetricName("downstream_rq_time_ms", "Downstream request time in ms, every listener");
    time_ms.family = "downstream_rq_time";
    m.downstream_rq_time_ms =
        registry.define(MetricKind::kHistogram, time_ms, 1000).value_or(MetricRegistry::kMaxSeries);
    m.upstream_cx_total = counter("upstream_cx_total", "Upstream connections opened, every cluster");
    m.upstream_cx_active = gauge("upstream_cx_active", "Upstream connections open, every cluster");
    m.upstream_cx_connect_fail = counter("upstream_cx_connect_fail", "Upstream connect failures, every cluster");
    m.upstream_cx_reused = counter("upstream_cx_reused", "Requests given a pooled connection, every cluster");
    m.upstream_rq_total = counter("upstream_rq_total", "Upstream attempts, every cluster");
    m.upstream_rq_retry = counter("upstream_rq_retry", "Upstream retries, every cluster");
    m.upstream_rq_hedge = counter("upstream_rq_hedge", "Upstream hedged attempts, every cluster");
    m.upstream_rq_replay_kept = counter("upstream_rq_replay_kept", "Requests sent with a replay copy kept");
    m.upstream_rq_reset = counter("upstream_rq_reset", "Upstream responses reset, every cluster");
    m.upstream_rq_protocol_error = counter("upstream_rq_protocol_error", "Malformed upstream responses");
    return m;
  }();
  return metrics;
}

void CoreMetrics::recordStatusClass(const uint32_t (&by_class)[5], int status) {
  if (status >= 100 && status < 600) recordMetric(by_class[status / 100 - 1]);
}

void recordMetric(uint32_t id, int64_t value) { MetricRegistry::global().record(id, value); }

}  // namespace switchyard::stats
