#include "stats/stats_admin.h"

#include <cctype>
#include <optional>
#include <string_view>

#include "stats/stats_format.h"

namespace switchyard::stats {

namespace {

// The query parameter `key`, percent-decoded ('+' is a space), if present.
std::optional<std::string> queryParameter(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t end = query.find('&');
    std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    size_t equals = pair.find('=');
    if (pair.substr(0, equals) != key) continue;
    std::string_view raw = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    std::string value;
    for (size_t i = 0; i < raw.size(); ++i) {
      auto hex = [](char c) { return c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0'; };
      if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(raw[i + 1]) && std::isxdigit(raw[i + 2])) {
        value += char(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
        i += 2;
      } else {
        value += raw[i] == '+' ? ' ' : raw[i];
      }
    }
    return value;
  }
  return std::nullopt;
}

std::vector<MetricSnapshot> everySeries(const LiveSeries& live_series) {
  std::vector<MetricSnapshot> metrics = MetricRegistry::global().snapshot();
  if (live_series) live_series(metrics);
  return metrics;
}

}  // namespace

void addStatsEndpoints(admin::AdminHandlers& handlers, LiveSeries live_series) {
  handlers.add({"GET", "/stats", "text/plain",
                "counters, gauges and histograms, one \"name: value\" per line (?format=json, ?filter=REGEX)",
                [live_series](std::string_view query) {
                  std::optional<std::regex> filter;
                  if (auto pattern = queryParameter(query, "filter")) {
                    try {
                      filter.emplace(*pattern);
                    } catch (const std::regex_error& error) {
                      return admin::AdminResponse{400, "invalid filter regex: " + std::string(error.what()) + "\n"};
                    }
                  }
                  const std::regex* selected = filter ? &*filter : nullptr;
                  if (queryParameter(query, "format") == "json") {
                    return admin::AdminResponse{200, statsJson(everySeries(live_series), selected),
                                                "application/json"};
                  }
                  return admin::AdminResponse{200, statsText(everySeries(live_series), selected)};
                }});
  handlers.add({"GET", "/stats/prometheus", "text/plain; version=0.0.4; charset=utf-8",
                "every series in the Prometheus text exposition format 0.0.4",
                [live_series](std::string_view) {
                  return admin::AdminResponse{200, prometheusText(everySeries(live_series))};
                }});
}

}  // namespace switchyard::stats
