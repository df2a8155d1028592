#include "stats/stats_admin.h"

#include "stats/metric_registry.h"

namespace switchyard::stats {

void addStatsEndpoint(admin::AdminHandlers& handlers, std::function<std::string()> extra_lines) {
  handlers.add({"GET", "/stats", "text/plain", "counters, gauges and histograms, one \"name: value\" per line",
                [extra_lines = std::move(extra_lines)](std::string_view) {
                  std::string body;
                  for (const auto& metric : MetricRegistry::global().snapshot()) {
                    body += metric.name + ": " + std::to_string(metric.value);
                    if (metric.kind == MetricKind::kHistogram) body += " (count " + std::to_string(metric.count) + ")";
                    body += "\n";
                  }
                  if (extra_lines) body += extra_lines();
                  return admin::AdminResponse{200, body};
                }});
}

}  // namespace switchyard::stats
