#include "upstream/cluster_report.h"

#include <cstdio>

#include "common/uv_util.h"
#include "upstream/host_candidates.h"

namespace switchyard::upstream {

namespace {

std::string healthText(uint8_t flags) {
  if (flags == 0) return "healthy";
  static constexpr std::pair<HostHealthFlag, const char*> kNames[] = {
      {HostHealthFlag::kFailedActiveCheck, "failed_active_check"},
      {HostHealthFlag::kEjectedByOutlierDetection, "ejected"},
      {HostHealthFlag::kDraining, "draining"},
  };
  std::string text;
  for (const auto& [flag, name] : kNames) {
    if ((flags & static_cast<uint8_t>(flag)) == 0) continue;
    if (!text.empty()) text += ",";
    text += name;
  }
  return text;
}

HostReport hostReport(const config::EndpointConfig& endpoint, const ClusterHealth& health, size_t host,
                      uint64_t now_ms) {
  const HostHealth& state = health.host(host);
  HostReport report;
  report.address = endpoint.text;
  report.weight = endpoint.weight;
  report.health = healthText(health.flags(host));
  report.active_check = activeCheckStateName(state.check_state.load(std::memory_order_relaxed));
  uint64_t until = state.ejected_until_ms.load(std::memory_order_relaxed);
  if (health.hasFlag(host, HostHealthFlag::kEjectedByOutlierDetection) && until != HostHealth::kNoDeadline &&
      until > now_ms) {
    report.ejected_remaining_ms = until - now_ms;
  }
  report.times_ejected = state.times_ejected.load(std::memory_order_relaxed);
  report.active_requests = state.active_requests.load(std::memory_order_relaxed);
  report.active_connections = state.active_connections.load(std::memory_order_relaxed);
  return report;
}

std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Appends "name":value to a JSON object being written; `value` is JSON.
void appendMember(std::string& json, const std::string& name, const std::string& value, bool first = false) {
  if (!first) json += ',';
  json += jsonString(name);
  json += ':';
  json += value;
}

std::string numberText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::string valueText(const ReportField::Value& value, bool json) {
  struct {
    bool json;
    std::string operator()(const std::string& text) const { return json ? jsonString(text) : text; }
    std::string operator()(int64_t number) const { return std::to_string(number); }
    std::string operator()(double number) const { return numberText(number); }
    std::string operator()(bool flag) const { return flag ? "true" : "false"; }
  } visitor{json};
  return std::visit(visitor, value);
}

// Whether the query string has format=json among its parameters.
bool wantsJson(std::string_view query) {
  while (!query.empty()) {
    size_t end = query.find('&');
    if (query.substr(0, end) == "format=json") return true;
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace

std::vector<ClusterReport> collectClusterReports(const config::ProxyConfig& config, const UpstreamHealth& health,
                                                 const ClusterMemberships& memberships, uint64_t now_ms,
                                                 const ExtraClusterFields& extra) {
  std::vector<ClusterReport> reports;
  for (const auto& cluster : config.clusters) {
    const ClusterHealth& hosts_health = *health.cluster(cluster->index);
    std::shared_ptr<const MembershipSnapshot> members = memberships.of(*cluster).snapshot();
    size_t member_count = 0;
    for (const auto& member : members->slots) member_count += member ? 1 : 0;
    ClusterReport report;
    report.name = cluster->name;
    report.fields.push_back({"lb_policy", config::Cluster::LbPolicy_Name(cluster->lb_policy)});
    report.fields.push_back({"healthy_panic_threshold", cluster->healthy_panic_threshold_percent});
    report.fields.push_back({"healthy_hosts", int64_t(hosts_health.healthyCount())});
    report.fields.push_back({"in_panic", inPanic(hosts_health.healthyCount(), member_count,
                                                 cluster->healthy_panic_threshold_percent)});
    std::string check_kind = !cluster->health_check ? "none" : cluster->health_check->http ? "http" : "tcp";
    report.fields.push_back({"health_check", check_kind});
    if (const OutlierDetector* outliers = health.outlierDetector(cluster->index)) {
      report.fields.push_back({"ejected_hosts", int64_t(outliers->ejectedHosts())});
      report.fields.push_back({"max_ejected_hosts", int64_t(outliers->maxEjectedHosts())});
    }
    if (extra) extra(*cluster, report.fields);
    // The members only, at their current addresses: an empty slot is no host.
    for (size_t slot = 0; slot < members->slots.size(); ++slot) {
      if (members->slots[slot]) report.hosts.push_back(hostReport(*members->slots[slot], hosts_health, slot, now_ms));
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

std::string renderClusterReportsText(const std::vector<ClusterReport>& reports) {
  std::string text;
  for (const auto& report : reports) {
    text += report.name;
    text += '\n';
    for (const auto& field : report.fields) {
      text += "  ";
      text += field.name;
      text += ": ";
      text += valueText(field.value, false);
      text += '\n';
    }
    for (const auto& host : report.hosts) {
      text += "  host ";
      text += host.address;
      for (const auto& [name, value] : {std::pair<const char*, std::string>{"weight", std::to_string(host.weight)},
                                        {"health", host.health},
                                        {"active_check", host.active_check},
                                        {"ejected_remaining_ms", std::to_string(host.ejected_remaining_ms)},
                                        {"times_ejected", std::to_string(host.times_ejected)},
                                        {"active_requests", std::to_string(host.active_requests)},
                                        {"active_connections", std::to_string(host.active_connections)}}) {
        text += ' ';
        text += name;
        text += '=';
        text += value;
      }
      text += '\n';
    }
  }
  return text;
}

std::string renderClusterReportsJson(const std::vector<ClusterReport>& reports) {
  std::string json = "{\"clusters\":[";
  for (size_t i = 0; i < reports.size(); ++i) {
    const ClusterReport& report = reports[i];
    json += (i == 0 ? "{" : ",{");
    appendMember(json, "name", jsonString(report.name), true);
    for (const auto& field : report.fields) appendMember(json, field.name, valueText(field.value, true));
    json += ",\"hosts\":[";
    for (size_t h = 0; h < report.hosts.size(); ++h) {
      const HostReport& host = report.hosts[h];
      json += (h == 0 ? "{" : ",{");
      appendMember(json, "address", jsonString(host.address), true);
      appendMember(json, "weight", std::to_string(host.weight));
      appendMember(json, "health", jsonString(host.health));
      appendMember(json, "active_check", jsonString(host.active_check));
      appendMember(json, "ejected_remaining_ms", std::to_string(host.ejected_remaining_ms));
      appendMember(json, "times_ejected", std::to_string(host.times_ejected));
      appendMember(json, "active_requests", std::to_string(host.active_requests));
      appendMember(json, "active_connections", std::to_string(host.active_connections));
      json += '}';
    }
    json += "]}";
  }
  return json + "]}\n";
}

void addClustersEndpoint(admin::AdminHandlers& handlers, std::shared_ptr<const config::ProxyConfig> config,
                         std::shared_ptr<const UpstreamHealth> health,
                         std::shared_ptr<const ClusterMemberships> memberships, ExtraClusterFields extra) {
  handlers.add({"GET", "/clusters", "text/plain",
                "clusters and their hosts: health, ejections, load (?format=json for JSON)",
                [config = std::move(config), health = std::move(health), memberships = std::move(memberships),
                 extra = std::move(extra)](std::string_view query) {
                  auto reports = collectClusterReports(*config, *health, *memberships, monotonicNowMs(), extra);
                  if (wantsJson(query)) return admin::AdminResponse{200, renderClusterReportsJson(reports), "application/json"};
                  return admin::AdminResponse{200, renderClusterReportsText(reports), ""};
                }});
}

}  // namespace switchyard::upstream
