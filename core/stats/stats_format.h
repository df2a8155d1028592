// The three shapes of GET /stats: Envoy-style text lines, JSON, and the
// Prometheus text exposition format 0.0.4. Each renders a snapshot of the
// registry (plus live gauges kept outside it); none reads the registry.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "stats/metric_registry.h"

namespace switchyard::stats {

// One "stat: value" line per series, sorted by stat name; a histogram's
// value is its count, then its sum and quantiles:
//   listener.ingress.downstream_rq_time: 5 (sum 12.5 p50 1.2 p90 4.8 p99 9.9)
// Only stats whose name `filter` finds, when given.
std::string statsText(std::vector<MetricSnapshot> metrics, const std::regex* filter);

// {"stats": [{"name", "type", "labels", "value"} or, for a histogram,
// {"name", "type", "labels", "count", "sum", "p50", "p90", "p99",
// "buckets": [{"le", "count"} cumulative]}]}, in the order of statsText.
std::string statsJson(std::vector<MetricSnapshot> metrics, const std::regex* filter);

// Prometheus text format 0.0.4: per family "# HELP" and "# TYPE", names
// "switchyard_<family>" sanitised, counters ending in "_total", histograms
// as _bucket{le=...} (cumulative), _sum and _count; label values escaped.
std::string prometheusText(const std::vector<MetricSnapshot>& metrics);

// A number as Prometheus and JSON read it: integers without a fraction,
// others in the shortest form that reads back the same.
std::string formatNumber(double value);

}  // namespace switchyard::stats
