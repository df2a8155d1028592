#include "stats/metric_name.h"

namespace switchyard::stats {

std::string sanitizedMetricName(const std::string& text) {
  std::string name;
  name.reserve(text.size() + 1);
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') name += '_';
  for (char c : text) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
    name += allowed ? c : '_';
  }
  return name;
}

MetricName flatMetricName(std::string stat, std::string help) {
  MetricName name;
  name.family = sanitizedMetricName(stat);
  name.stat = std::move(stat);
  name.help = std::move(help);
  return name;
}

}  // namespace switchyard::stats
