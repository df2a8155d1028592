// MetricName: the two names one series is shown under.
//
// `stat` is the Envoy-style dotted name GET /stats prints and tests grep
// ("cluster.backend.upstream_rq_2xx"); it is also the series' identity, so
// defining the same stat twice gives the same series. `family` and `labels`
// are the same series for Prometheus: the family names what is measured
// ("cluster_upstream_rq_xx") and the labels say where ({cluster="backend",
// response_code_class="2xx"}), as Envoy's tag extraction turns
// "cluster.backend.upstream_rq_2xx" into envoy_cluster_upstream_rq_xx.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace switchyard::stats {

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
};

struct MetricName {
  std::string stat;
  std::string family;
  std::vector<Label> labels;
  std::string help;  // one line for Prometheus' # HELP; the family's first definition wins
  bool operator==(const MetricName&) const = default;
};

// A series that only has a flat name (module metrics, the process-wide
// totals): its family is the stat with every character Prometheus does not
// allow in a name turned into '_', and it has no labels.
MetricName flatMetricName(std::string stat, std::string help = {});

// `text` with every character outside [a-zA-Z0-9_:] replaced by '_', and a
// leading digit prefixed by '_' (the Prometheus metric name grammar).
std::string sanitizedMetricName(const std::string& text);

}  // namespace switchyard::stats
