// prometheusText (stats_format.h): the Prometheus text exposition format
// 0.0.4, https://prometheus.io/docs/instrumenting/exposition_formats/.
#include <string_view>
#include <unordered_map>

#include "stats/stats_format.h"

namespace switchyard::stats {

namespace {

constexpr std::string_view kPrefix = "switchyard_";

// The family's exposed name: prefixed, sanitised, and for a counter ending
// in "_total" exactly once ("downstream_rq_total" stays, "upstream_rq"
// gains it).
std::string exposedName(const MetricSnapshot& metric) {
  std::string name = sanitizedMetricName(std::string(kPrefix) + metric.name.family);
  if (metric.kind == MetricKind::kCounter) {
    constexpr std::string_view kTotal = "_total";
    if (!name.ends_with(kTotal)) name += kTotal;
  }
  return name;
}

// Label names allow no ':' (unlike metric names).
std::string labelName(const std::string& text) {
  std::string name = sanitizedMetricName(text);
  for (char& c : name) {
    if (c == ':') c = '_';
  }
  return name;
}

std::string escaped(const std::string& text, bool quote_too) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote_too) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// "{a="x",b="y"}" with `extra` (le="...") last; "" without any label.
std::string labelSet(const std::vector<Label>& labels, const std::string& extra = {}) {
  std::string set;
  auto append = [&set](const std::string& pair) {
    set += set.empty() ? "{" : ",";
    set += pair;
  };
  for (const auto& label : labels) append(labelName(label.name) + "=\"" + escaped(label.value, true) + "\"");
  if (!extra.empty()) append(extra);
  if (!set.empty()) set += "}";
  return set;
}

void appendSeries(std::string& out, const std::string& name, const MetricSnapshot& metric) {
  if (metric.kind != MetricKind::kHistogram) {
    out += name + labelSet(metric.name.labels) + " " + std::to_string(metric.value) + "\n";
    return;
  }
  uint64_t cumulative = 0;
  for (size_t bucket = 0; bucket < metric.buckets.size(); ++bucket) {
    cumulative += metric.buckets[bucket];
    std::string le = bucket < kHistogramBounds.size() ? formatNumber(kHistogramBounds[bucket]) : "+Inf";
    out += name + "_bucket" + labelSet(metric.name.labels, "le=\"" + le + "\"") + " " + std::to_string(cumulative) +
           "\n";
  }
  out += name + "_sum" + labelSet(metric.name.labels) + " " + formatNumber(metric.sum) + "\n";
  out += name + "_count" + labelSet(metric.name.labels) + " " + std::to_string(metric.count) + "\n";
}

}  // namespace

std::string prometheusText(const std::vector<MetricSnapshot>& metrics) {
  // Every series of a family must follow its one HELP/TYPE block.
  std::vector<std::string> families;
  std::unordered_map<std::string, std::vector<const MetricSnapshot*>> by_family;
  for (const auto& metric : metrics) {
    std::string name = exposedName(metric);
    auto [it, added] = by_family.try_emplace(name);
    if (added) families.push_back(name);
    it->second.push_back(&metric);
  }
  std::string out;
  for (const auto& name : families) {
    const auto& series = by_family[name];
    const MetricSnapshot& first = *series.front();
    std::string help = first.name.help.empty() ? first.name.stat : first.name.help;
    out += "# HELP " + name + " " + escaped(help, false) + "\n";
    out += "# TYPE " + name + " " + metricKindName(first.kind) + "\n";
    for (const MetricSnapshot* metric : series) appendSeries(out, name, *metric);
  }
  return out;
}

}  // namespace switchyard::stats
