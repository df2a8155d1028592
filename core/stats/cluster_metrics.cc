#include "stats/cluster_metrics.h"

namespace switchyard::stats {

namespace {

const char* const kStatusClasses[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

}  // namespace

ClusterMetrics::ClusterMetrics(MetricRegistry& registry, const std::string& cluster, size_t host_slots)
    : registry_(registry), name_(cluster) {
  const std::string scope = "cluster." + cluster + ".";
  auto define = [&](MetricKind kind, const std::string& stat, const char* family, const char* help,
                    std::vector<Label> extra = {}, double scale = 1) {
    std::vector<Label> labels{{"cluster", cluster}};
    for (auto& label : extra) labels.push_back(std::move(label));
    MetricName name{scope + stat, family, std::move(labels), help};
    return registry.define(kind, name, scale).value_or(MetricRegistry::kMaxSeries);
  };
  auto counter = [&](const std::string& stat, const char* family, const char* help) {
    return define(MetricKind::kCounter, stat, family, help);
  };
  rq_total_ = counter("upstream_rq_total", "cluster_upstream_rq", "Upstream attempts (each retry and hedge counts)");
  for (int i = 0; i < 5; ++i) {
    rq_by_class_[i] = define(MetricKind::kCounter, std::string("upstream_rq_") + kStatusClasses[i],
                             "cluster_upstream_rq_xx", "Upstream responses by status class",
                             {{"response_code_class", kStatusClasses[i]}});
  }
  rq_retry_ = counter("upstream_rq_retry", "cluster_upstream_rq_retry", "Retries (attempts after the first)");
  rq_hedge_ = counter("upstream_rq_hedge", "cluster_upstream_rq_hedge", "Hedged attempts (in parallel)");
  rq_per_try_timeout_ = counter("upstream_rq_per_try_timeout", "cluster_upstream_rq_per_try_timeout",
                                "Attempts ended by a per-try timeout");
  rq_timeout_ = counter("upstream_rq_timeout", "cluster_upstream_rq_timeout",
                        "Requests that timed out waiting for the upstream (flag UT)");
  rq_rx_reset_ = counter("upstream_rq_rx_reset", "cluster_upstream_rq_rx_reset",
                         "Attempts whose connection broke before or during the response");
  rq_cancelled_ = counter("upstream_rq_cancelled", "cluster_upstream_rq_cancelled",
                          "Attempts cancelled (another answered, or the client left)");
  rq_pending_overflow_ = counter("upstream_rq_pending_overflow", "cluster_upstream_rq_pending_overflow",
                                 "Requests refused by a circuit breaker or bulkhead (flag UO)");
  rq_time_ = define(MetricKind::kHistogram, "upstream_rq_time", "cluster_upstream_rq_time",
                    "Upstream attempt time in milliseconds, start to response headers", {}, 1000);
  cx_total_ = counter("upstream_cx_total", "cluster_upstream_cx", "Upstream connections opened");
  cx_connect_fail_ = counter("upstream_cx_connect_fail", "cluster_upstream_cx_connect_fail",
                             "Upstream connect failures (refused, unreachable, timed out)");
  cx_reused_ = counter("upstream_cx_reused", "cluster_upstream_cx_reused",
                       "Attempts given an idle pooled connection");
  ejections_enforced_ = counter("outlier_detection.ejections_enforced_total",
                                "cluster_outlier_detection_ejections_enforced", "Hosts ejected by outlier detection");
  health_check_attempt_ = counter("health_check.attempt", "cluster_health_check_attempt", "Active health checks");
  health_check_success_ = counter("health_check.success", "cluster_health_check_success",
                                  "Active health checks passed");
  health_check_failure_ = counter("health_check.failure", "cluster_health_check_failure",
                                  "Active health checks failed");

  // Each slot's series, hidden until an address holds the slot. A reload
  // finds them again as they are: the config may yet fail to load, and
  // until the new one serves, the old one's hosts are the ones to show.
  for (size_t slot = 0; slot < host_slots; ++slot) {
    std::vector<MetricName> names = hostNames(slot, "");
    HostIds ids{};
    for (size_t i = 0; i < kHostSeriesCount; ++i) {
      ids[i] = registry.define(MetricKind::kCounter, names[i], 1, true).value_or(MetricRegistry::kMaxSeries);
    }
    hosts_.push_back(ids);
  }
}

void ClusterMetrics::hideHostsFrom(size_t host_slots) const {
  for (size_t slot = host_slots;; ++slot) {
    std::vector<MetricName> names = hostNames(slot, "");
    if (!registry_.find(names[0].stat)) return;
    for (const auto& name : names) {
      if (auto id = registry_.find(name.stat)) registry_.hide(*id);
    }
  }
}

std::vector<MetricName> ClusterMetrics::hostNames(size_t host_slot, const std::string& address) const {
  std::string scope = "cluster." + name_ + "." +
                      (address.empty() ? "host_slot." + std::to_string(host_slot) : "host." + address) + ".";
  Label where = address.empty() ? Label{"host_slot", std::to_string(host_slot)} : Label{"host", address};
  std::vector<MetricName> names;
  names.push_back({scope + "upstream_rq_total", "cluster_host_upstream_rq", {{"cluster", name_}, where},
                   "Upstream attempts, per host"});
  for (const char* status_class : kStatusClasses) {
    names.push_back({scope + "upstream_rq_" + status_class, "cluster_host_upstream_rq_xx",
                     {{"cluster", name_}, where, {"response_code_class", status_class}},
                     "Upstream responses by status class, per host"});
  }
  names.push_back({scope + "upstream_cx_connect_fail", "cluster_host_upstream_cx_connect_fail",
                   {{"cluster", name_}, where}, "Attempts that could not connect, per host"});
  names.push_back({scope + "upstream_rq_per_try_timeout", "cluster_host_upstream_rq_per_try_timeout",
                   {{"cluster", name_}, where}, "Attempts ended by a per-try timeout, per host"});
  return names;
}

void ClusterMetrics::attemptStarted(size_t host_slot, bool retry, bool hedged) const {
  registry_.record(rq_total_, 1);
  if (retry) registry_.record(rq_retry_, 1);
  if (hedged) registry_.record(rq_hedge_, 1);
  if (host_slot < hosts_.size()) registry_.record(hosts_[host_slot][kHostRqTotal], 1);
}

void ClusterMetrics::attemptEnded(size_t host_slot, AttemptEnd end, int status, uint64_t duration_us) const {
  const HostIds* host = host_slot < hosts_.size() ? &hosts_[host_slot] : nullptr;
  switch (end) {
    case AttemptEnd::kResponse:
      registry_.record(rq_time_, int64_t(duration_us));
      if (status >= 100 && status < 600) {
        registry_.record(rq_by_class_[status / 100 - 1], 1);
        if (host != nullptr) registry_.record((*host)[kHostRqClass1xx + status / 100 - 1], 1);
      }
      break;
    case AttemptEnd::kConnectFailure:
      if (host != nullptr) registry_.record((*host)[kHostCxConnectFail], 1);
      break;
    case AttemptEnd::kReset: registry_.record(rq_rx_reset_, 1); break;
    case AttemptEnd::kTimeout:
      registry_.record(rq_per_try_timeout_, 1);
      if (host != nullptr) registry_.record((*host)[kHostRqPerTryTimeout], 1);
      break;
    case AttemptEnd::kCancelled: registry_.record(rq_cancelled_, 1); break;
  }
}

void ClusterMetrics::healthChecked(bool passed) const {
  registry_.record(health_check_attempt_, 1);
  registry_.record(passed ? health_check_success_ : health_check_failure_, 1);
}

void ClusterMetrics::bindHost(size_t host_slot, const std::string& address) const {
  if (host_slot >= hosts_.size()) return;
  std::vector<MetricName> names = hostNames(host_slot, address);
  for (size_t i = 0; i < kHostSeriesCount; ++i) registry_.bind(hosts_[host_slot][i], names[i]);
}

void ClusterMetrics::unbindHost(size_t host_slot) const {
  if (host_slot >= hosts_.size()) return;
  for (uint32_t id : hosts_[host_slot]) registry_.hide(id);
}

}  // namespace switchyard::stats
