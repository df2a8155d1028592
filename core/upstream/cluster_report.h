// The admin API's view of the clusters: GET /clusters. For each cluster
// its balancing settings and, for each host, its address, weight, health
// (from the shared ClusterHealth), outlier ejection and load summed over
// every worker. Text by default, JSON with ?format=json.
//
// Built in two steps — collect plain ClusterReports, then render them — so
// that other parts of the proxy can add per-cluster sections (circuit
// breaker state, say) through an ExtraClusterFields callback without
// touching the rendering.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "admin/admin_handlers.h"
#include "config/proxy_config.h"
#include "upstream/cluster_membership.h"
#include "upstream/upstream_health.h"

namespace switchyard::upstream {

// A named value of a cluster's report: a JSON string, integer, number or
// boolean; shown as "name: value" in the text form.
struct ReportField {
  using Value = std::variant<std::string, int64_t, double, bool>;
  std::string name;
  Value value;
};

struct HostReport {
  std::string address;
  uint32_t weight = 0;
  // "healthy", or the reasons it is out, comma-separated:
  // "failed_active_check", "ejected", "draining".
  std::string health;
  std::string active_check;  // activeCheckStateName()
  uint64_t ejected_remaining_ms = 0;
  uint32_t times_ejected = 0;
  int64_t active_requests = 0;
  int64_t active_connections = 0;
};

struct ClusterReport {
  std::string name;
  std::vector<ReportField> fields;  // in order: the core's, then the extra ones
  std::vector<HostReport> hosts;
};

// Appends fields of its own to one cluster's report.
using ExtraClusterFields = std::function<void(const config::ClusterConfig& cluster, std::vector<ReportField>& fields)>;

// `extra` may be empty.
// Each cluster's hosts are its members now, by slot.
std::vector<ClusterReport> collectClusterReports(const config::ProxyConfig& config, const UpstreamHealth& health,
                                                 const ClusterMemberships& memberships, uint64_t now_ms,
                                                 const ExtraClusterFields& extra);
std::string renderClusterReportsText(const std::vector<ClusterReport>& reports);
std::string renderClusterReportsJson(const std::vector<ClusterReport>& reports);

// Adds GET /clusters over `config`, `health` and `memberships`, kept alive
// by the handler.
void addClustersEndpoint(admin::AdminHandlers& handlers, std::shared_ptr<const config::ProxyConfig> config,
                         std::shared_ptr<const UpstreamHealth> health,
                         std::shared_ptr<const ClusterMemberships> memberships, ExtraClusterFields extra = nullptr);

}  // namespace switchyard::upstream
