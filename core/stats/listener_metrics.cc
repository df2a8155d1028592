#include "stats/listener_metrics.h"

#include "stats/core_metrics.h"

namespace switchyard::stats {

namespace {

const char* const kStatusClasses[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

}  // namespace

ListenerMetrics::ListenerMetrics(MetricRegistry& registry, const std::string& listener,
                                 const std::vector<Route>& routes)
    : registry_(registry) {
  auto define = [&](MetricKind kind, MetricName name, double scale = 1) {
    return registry.define(kind, name, scale).value_or(MetricRegistry::kMaxSeries);
  };
  const std::string scope = "listener." + listener + ".";
  const Label where{"listener", listener};
  auto counter = [&](const char* stat, const char* family, const char* help) {
    return define(MetricKind::kCounter, {scope + stat, family, {where}, help});
  };
  auto gauge = [&](const char* stat, const char* family, const char* help) {
    return define(MetricKind::kGauge, {scope + stat, family, {where}, help});
  };
  cx_total_ = counter("downstream_cx_total", "listener_downstream_cx", "Downstream connections accepted");
  cx_active_ = gauge("downstream_cx_active", "listener_downstream_cx_active", "Downstream connections open");
  cx_rx_bytes_ = counter("downstream_cx_rx_bytes_total", "listener_downstream_cx_rx_bytes",
                         "Bytes received from downstream connections");
  cx_tx_bytes_ = counter("downstream_cx_tx_bytes_total", "listener_downstream_cx_tx_bytes",
                         "Bytes sent to downstream connections");
  rq_total_ = counter("downstream_rq_total", "listener_downstream_rq", "Downstream requests");
  rq_active_ = gauge("downstream_rq_active", "listener_downstream_rq_active", "Downstream requests in progress");
  for (int i = 0; i < 5; ++i) {
    rq_by_class_[i] = define(MetricKind::kCounter, {scope + "downstream_rq_" + kStatusClasses[i],
                                                    "listener_downstream_rq_xx",
                                                    {where, {"response_code_class", kStatusClasses[i]}},
                                                    "Downstream responses by status class"});
  }
  rq_time_ = define(MetricKind::kHistogram,
                    {scope + "downstream_rq_time", "listener_downstream_rq_time", {where},
                     "Downstream request time in milliseconds, first byte in to last byte out"},
                    1000);

  for (const auto& route : routes) {
    const std::string route_scope = "route." + listener + "." + route.name + ".";
    const std::vector<Label> labels{where, {"route", route.name}};
    RouteMetrics metrics{};
    metrics.cluster = route.cluster;
    metrics.rq_total = define(MetricKind::kCounter, {route_scope + "downstream_rq_total", "route_downstream_rq",
                                                     labels, "Downstream requests, per route"});
    for (int i = 0; i < 5; ++i) {
      std::vector<Label> with_class = labels;
      with_class.push_back({"response_code_class", kStatusClasses[i]});
      metrics.rq_by_class[i] =
          define(MetricKind::kCounter, {route_scope + "downstream_rq_" + kStatusClasses[i],
                                        "route_downstream_rq_xx", with_class,
                                        "Downstream responses by status class, per route"});
    }
    metrics.rq_time = define(MetricKind::kHistogram,
                             {route_scope + "downstream_rq_time", "route_downstream_rq_time", labels,
                              "Downstream request time in milliseconds, per route"},
                             1000);
    routes_.push_back(metrics);
  }
}

void ListenerMetrics::connectionOpened() const {
  registry_.record(cx_total_, 1);
  registry_.record(cx_active_, 1);
  recordMetric(CoreMetrics::get().downstream_cx_total);
  recordMetric(CoreMetrics::get().downstream_cx_active);
}

void ListenerMetrics::connectionClosed() const {
  registry_.record(cx_active_, -1);
  recordMetric(CoreMetrics::get().downstream_cx_active, -1);
}

void ListenerMetrics::requestRefused(int status) const {
  if (status >= 100 && status < 600) registry_.record(rq_by_class_[status / 100 - 1], 1);
  const auto& core = CoreMetrics::get();
  CoreMetrics::recordStatusClass({core.downstream_rq_1xx, core.downstream_rq_2xx, core.downstream_rq_3xx,
                                  core.downstream_rq_4xx, core.downstream_rq_5xx},
                                 status);
}

}  // namespace switchyard::stats
