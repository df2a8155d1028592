// statsText and statsJson (stats_format.h): the flat, Envoy-style views.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "stats/stats_format.h"

namespace switchyard::stats {

namespace {

constexpr double kQuantiles[] = {0.5, 0.9, 0.99};
constexpr const char* kQuantileNames[] = {"p50", "p90", "p99"};

std::vector<MetricSnapshot> selected(std::vector<MetricSnapshot> metrics, const std::regex* filter) {
  if (filter != nullptr) {
    std::erase_if(metrics, [&](const MetricSnapshot& metric) { return !std::regex_search(metric.name.stat, *filter); });
  }
  std::stable_sort(metrics.begin(), metrics.end(),
                   [](const MetricSnapshot& a, const MetricSnapshot& b) { return a.name.stat < b.name.stat; });
  return metrics;
}

// Quantiles to a thousandth: more digits only suggest a precision that
// interpolating inside a bucket does not have.
std::string quantile(const MetricSnapshot& metric, double q) {
  return formatNumber(std::round(histogramQuantile(metric.buckets, q) * 1000) / 1000);
}

std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

}  // namespace

std::string formatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string statsText(std::vector<MetricSnapshot> metrics, const std::regex* filter) {
  std::string text;
  for (const auto& metric : selected(std::move(metrics), filter)) {
    text += metric.name.stat + ": ";
    if (metric.kind != MetricKind::kHistogram) {
      text += std::to_string(metric.value) + "\n";
      continue;
    }
    text += std::to_string(metric.count) + " (sum " + formatNumber(metric.sum);
    for (size_t i = 0; i < std::size(kQuantiles); ++i) {
      text += std::string(" ") + kQuantileNames[i] + " " + quantile(metric, kQuantiles[i]);
    }
    text += ")\n";
  }
  return text;
}

std::string statsJson(std::vector<MetricSnapshot> metrics, const std::regex* filter) {
  std::string json = "{\"stats\":[";
  bool first = true;
  for (const auto& metric : selected(std::move(metrics), filter)) {
    json += first ? "\n" : ",\n";
    first = false;
    json += "{\"name\":" + jsonString(metric.name.stat) + ",\"type\":\"" + metricKindName(metric.kind) +
            "\",\"labels\":{";
    for (size_t i = 0; i < metric.name.labels.size(); ++i) {
      if (i > 0) json += ",";
      json += jsonString(metric.name.labels[i].name) + ":" + jsonString(metric.name.labels[i].value);
    }
    json += "}";
    if (metric.kind != MetricKind::kHistogram) {
      json += ",\"value\":" + std::to_string(metric.value) + "}";
      continue;
    }
    json += ",\"count\":" + std::to_string(metric.count) + ",\"sum\":" + formatNumber(metric.sum);
    for (size_t i = 0; i < std::size(kQuantiles); ++i) {
      json += std::string(",\"") + kQuantileNames[i] + "\":" + quantile(metric, kQuantiles[i]);
    }
    json += ",\"buckets\":[";
    uint64_t cumulative = 0;
    for (size_t bucket = 0; bucket < metric.buckets.size(); ++bucket) {
      cumulative += metric.buckets[bucket];
      std::string le = bucket < kHistogramBounds.size() ? formatNumber(kHistogramBounds[bucket]) : "\"+Inf\"";
      json += std::string(bucket > 0 ? "," : "") + "{\"le\":" + le + ",\"count\":" + std::to_string(cumulative) + "}";
    }
    json += "]}";
  }
  return json + "\n]}\n";
}

}  // namespace switchyard::stats
