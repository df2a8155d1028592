#include "config/cluster_validator.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "config/config_text.h"
#include "config/config_validator.h"
#include "config/field_path.h"

namespace switchyard::config {

namespace {

constexpr uint32_t kMaxDnsHosts = 4096;

bool isPrime(uint64_t number) {
  if (number < 2) return false;
  for (uint64_t divisor = 2; divisor * divisor <= number; ++divisor) {
    if (number % divisor == 0) return false;
  }
  return true;
}

// What compileCluster makes ClusterConfig::host_slots.
uint64_t hostSlots(const Cluster& cluster) {
  if (cluster.type() != Cluster::STRICT_DNS) return uint64_t(cluster.endpoints_size());
  return cluster.max_hosts() == 0 ? kDefaultMaxDnsHosts : cluster.max_hosts();
}

// "ip", "ip:port" or "[ipv6]:port", the forms c-ares takes for a server.
bool isResolverAddress(const std::string& text) {
  std::string ip = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return false;
    ip = text.substr(1, close - 1);
    std::string rest = text.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return false;
    if (!rest.empty()) port = rest.substr(1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    ip = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
    if (port.empty()) return false;
  }
  if (!port.empty()) {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    int number = std::stoi(port);
    if (number == 0 || uint32_t(number) > kMaxPort) return false;
  }
  return isIpLiteral(ip);
}

class ClusterValidator {
 public:
  explicit ClusterValidator(FieldChecks& checks) : checks_(checks) {}

  // The tables of the hash-based policies; a table's settings on a cluster
  // with another policy are refused as the mistake they most likely are.
  void checkHashBalancing(const Cluster& cluster, const std::string& path) {
    std::string ring_path = fieldPath(path, "ring_hash_lb_config");
    if (cluster.has_ring_hash_lb_config()) {
      if (cluster.lb_policy() != Cluster::RING_HASH)
        checks_.fail(ring_path, "set only with lb_policy RING_HASH");
      const RingHashLbConfig& ring = cluster.ring_hash_lb_config();
      for (auto [size, field] : {std::pair{ring.minimum_ring_size(), "minimum_ring_size"},
                                 std::pair{ring.maximum_ring_size(), "maximum_ring_size"}}) {
        if (size > kMaxRingSize) {
          checks_.fail(fieldPath(ring_path, field),
                       std::to_string(size) + " is above the maximum " + std::to_string(kMaxRingSize));
        }
      }
      uint64_t maximum = ring.maximum_ring_size() == 0 ? kMaxRingSize : ring.maximum_ring_size();
      if (ring.minimum_ring_size() > maximum) {
        checks_.fail(fieldPath(ring_path, "minimum_ring_size"), std::to_string(ring.minimum_ring_size()) +
                                                                    " is above maximum_ring_size " +
                                                                    std::to_string(maximum));
      }
    }
    std::string maglev_path = fieldPath(path, "maglev_lb_config");
    if (cluster.has_maglev_lb_config() && cluster.lb_policy() != Cluster::MAGLEV) {
      checks_.fail(maglev_path, "set only with lb_policy MAGLEV");
    }
    if (cluster.lb_policy() == Cluster::MAGLEV) {
      uint64_t configured = cluster.maglev_lb_config().table_size();  // 0: the default
      uint64_t size = configured == 0 ? kDefaultMaglevTableSize : configured;
      std::string size_path = fieldPath(maglev_path, "table_size");
      if (size > kMaxMaglevTableSize) {
        checks_.fail(size_path,
                     std::to_string(size) + " is above the maximum " + std::to_string(kMaxMaglevTableSize));
      } else if (!isPrime(size)) {
        checks_.fail(size_path,
                     std::to_string(size) +
                         " is not a prime (each endpoint steps through the table by a stride that must reach "
                         "every slot; e.g. 65537, 131071 or 1000003)");
      } else if (size < hostSlots(cluster)) {
        checks_.fail(size_path,
                     std::to_string(size) + " is smaller than the " + std::to_string(hostSlots(cluster)) +
                         (cluster.type() == Cluster::STRICT_DNS ? " hosts of max_hosts" : " endpoints") +
                         " (each needs a slot, and about 100 slots each give even shares)");
      }
    }
  }

  void check(const Cluster& cluster, const std::string& path) {
    std::string endpoints_path = fieldPath(path, "endpoints");
    if (cluster.endpoints().empty()) checks_.fail(endpoints_path, "at least one endpoint is required");
    for (int i = 0; i < cluster.endpoints_size(); ++i) {
      const Endpoint& endpoint = cluster.endpoints(i);
      std::string endpoint_path = indexPath(endpoints_path, size_t(i));
      std::string address_path = fieldPath(endpoint_path, "address");
      if (endpoint.address().empty()) {
        checks_.fail(address_path, "required");
      } else if (cluster.type() == Cluster::STRICT_DNS) {
        checks_.checkHostnameOrIp(endpoint.address(), address_path);
      } else {
        checks_.checkIpLiteral(endpoint.address(), address_path);
      }
      checks_.checkPort(endpoint.port(), fieldPath(endpoint_path, "port"));
      // Weight 0 is proto3's "unset" and means 1.
      if (endpoint.weight() > kMaxEndpointWeight) {
        std::string maximum = std::to_string(kMaxEndpointWeight);
        checks_.fail(fieldPath(endpoint_path, "weight"),
                     std::to_string(endpoint.weight()) + " is above the maximum " + maximum);
      }
    }
    checks_.checkDuration(cluster.has_connect_timeout(), cluster.connect_timeout(),
                          fieldPath(path, "connect_timeout"));
    checks_.checkDuration(cluster.has_idle_timeout(), cluster.idle_timeout(),
                          fieldPath(path, "idle_timeout"));
    checkHashBalancing(cluster, path);
    if (cluster.has_healthy_panic_threshold()) {
      double threshold = cluster.healthy_panic_threshold();
      // Written so that NaN fails too.
      if (!(threshold >= 0 && threshold <= 100)) {
        checks_.fail(fieldPath(path, "healthy_panic_threshold"), "must be a percent from 0 to 100");
      }
    }
    if (cluster.has_health_check()) checkHealthCheck(cluster.health_check(), fieldPath(path, "health_check"));
    if (cluster.has_outlier_detection()) {
      std::string outlier_path = fieldPath(path, "outlier_detection");
      const OutlierDetection& outliers = cluster.outlier_detection();
      checks_.checkPositiveDuration(outliers.has_base_ejection_time(), outliers.base_ejection_time(),
                                    fieldPath(outlier_path, "base_ejection_time"));
      checks_.checkPositiveDuration(outliers.has_max_ejection_time(), outliers.max_ejection_time(),
                                    fieldPath(outlier_path, "max_ejection_time"));
      if (outliers.has_base_ejection_time() && outliers.has_max_ejection_time() &&
          outliers.max_ejection_time() < outliers.base_ejection_time()) {
        checks_.fail(fieldPath(outlier_path, "max_ejection_time"), "must not be below base_ejection_time");
      }
      if (outliers.has_max_ejection_percent() && outliers.max_ejection_percent() > 100) {
        checks_.fail(fieldPath(outlier_path, "max_ejection_percent"),
                     std::to_string(outliers.max_ejection_percent()) + " is above 100");
      }
      if (outliers.require_check_to_return() && !cluster.has_health_check()) {
        checks_.fail(fieldPath(outlier_path, "require_check_to_return"),
                     "needs the cluster's health_check (an ejected endpoint returns after a passing probe)");
      }
    }
    if (cluster.type() == Cluster::STRICT_DNS) {
      checkDnsDiscovery(cluster, path);
    } else {
      checkNoDnsSettings(cluster, path);
    }
  }

  void checkHealthCheck(const HealthCheck& check, const std::string& path) {
    checks_.checkPositiveDuration(check.has_interval(), check.interval(), fieldPath(path, "interval"));
    checks_.checkPositiveDuration(check.has_timeout(), check.timeout(), fieldPath(path, "timeout"));
    checks_.checkDuration(check.has_interval_jitter(), check.interval_jitter(),
                          fieldPath(path, "interval_jitter"));
    if (check.interval_jitter_percent() > 100) {
      checks_.fail(fieldPath(path, "interval_jitter_percent"),
                   std::to_string(check.interval_jitter_percent()) + " is above 100");
    }
    if (check.checker_case() == HealthCheck::CHECKER_NOT_SET) {
      checks_.fail(path, "one of http_health_check or tcp_health_check is required");
      return;
    }
    if (!check.has_http_health_check()) return;
    std::string http_path = fieldPath(path, "http_health_check");
    const HttpHealthCheck& http = check.http_health_check();
    checks_.checkStartsWithSlash(http.path(), fieldPath(http_path, "path"));
    if (http.path().find_first_of(" \r\n") != std::string::npos) {
      checks_.fail(fieldPath(http_path, "path"),
                   quotedExcerpt(http.path()) + " must not contain spaces or line breaks");
    }
    if (http.host().find_first_of(" \r\n") != std::string::npos) {
      checks_.fail(fieldPath(http_path, "host"),
                   quotedExcerpt(http.host()) + " must not contain spaces or line breaks");
    }
    std::string ranges_path = fieldPath(http_path, "expected_statuses");
    for (int i = 0; i < http.expected_statuses_size(); ++i) {
      const StatusRange& range = http.expected_statuses(i);
      if (range.start() < 100 || range.start() > 599 || range.end() <= range.start() || range.end() > 600) {
        // Built by appending: GCC 12 warns falsely (-Wrestrict) on "[" + to_string(...).
        std::string message = "[";
        message += std::to_string(range.start());
        message += ", ";
        message += std::to_string(range.end());
        message += ") is not a range of statuses: start 100-599, end above start and at most 600";
        checks_.fail(indexPath(ranges_path, size_t(i)), message);
      }
    }
  }

  void checkDnsDiscovery(const Cluster& cluster, const std::string& path) {
    std::string refresh_path = fieldPath(path, "dns_refresh_rate");
    std::string min_path = fieldPath(path, "dns_min_refresh_rate");
    std::string max_path = fieldPath(path, "dns_max_refresh_rate");
    checks_.checkPositiveDuration(cluster.has_dns_refresh_rate(), cluster.dns_refresh_rate(), refresh_path);
    bool min_ok = checks_.checkPositiveDuration(cluster.has_dns_min_refresh_rate(),
                                                cluster.dns_min_refresh_rate(), min_path);
    bool max_ok = checks_.checkPositiveDuration(cluster.has_dns_max_refresh_rate(),
                                                cluster.dns_max_refresh_rate(), max_path);
    if (min_ok && max_ok && cluster.has_dns_min_refresh_rate() && cluster.has_dns_max_refresh_rate() &&
        google::protobuf::util::TimeUtil::DurationToMilliseconds(cluster.dns_min_refresh_rate()) >
            google::protobuf::util::TimeUtil::DurationToMilliseconds(cluster.dns_max_refresh_rate())) {
      checks_.fail(min_path, "must not be above dns_max_refresh_rate");
    }
    std::string resolvers_path = fieldPath(path, "dns_resolvers");
    for (int i = 0; i < cluster.dns_resolvers_size(); ++i) {
      const std::string& resolver = cluster.dns_resolvers(i);
      if (!isResolverAddress(resolver)) {
        checks_.fail(indexPath(resolvers_path, size_t(i)),
                     quotedExcerpt(resolver) + " is not \"ip:port\" (\"[ipv6]:port\" for IPv6)");
      }
    }
    if (cluster.max_hosts() > kMaxDnsHosts) {
      checks_.fail(fieldPath(path, "max_hosts"), std::to_string(cluster.max_hosts()) +
                                                     " is above the maximum " + std::to_string(kMaxDnsHosts));
    }
  }

  // DNS settings on a STATIC cluster would be silently ignored: almost
  // always a forgotten `type: STRICT_DNS`.
  void checkNoDnsSettings(const Cluster& cluster, const std::string& path) {
    auto refuse = [&](bool set, const char* field) {
      if (set)
        checks_.fail(fieldPath(path, field), "applies only to STRICT_DNS clusters (this one is STATIC)");
    };
    refuse(cluster.has_dns_refresh_rate(), "dns_refresh_rate");
    refuse(cluster.has_respect_dns_ttl(), "respect_dns_ttl");
    refuse(cluster.has_dns_min_refresh_rate(), "dns_min_refresh_rate");
    refuse(cluster.has_dns_max_refresh_rate(), "dns_max_refresh_rate");
    refuse(!cluster.dns_resolvers().empty(), "dns_resolvers");
    refuse(cluster.max_hosts() != 0, "max_hosts");
    refuse(cluster.dns_lookup_family() != Cluster::V4_PREFERRED, "dns_lookup_family");
  }

 private:
  FieldChecks& checks_;
};

}  // namespace

void checkCluster(const Cluster& cluster, const std::string& path, FieldChecks& checks) {
  ClusterValidator(checks).check(cluster, path);
}

}  // namespace switchyard::config
