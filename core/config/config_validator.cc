#include "config/config_validator.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "common/uv_util.h"
#include "config/access_log_config.h"
#include "config/config_text.h"
#include "config/field_path.h"
#include "http/grammar.h"

namespace switchyard::config {

namespace {

constexpr uint32_t kMaxPort = 65535;
constexpr uint32_t kMaxDnsHosts = 4096;
constexpr const char* kDefaultBindAddress = "127.0.0.1";

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

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool isHostnameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

// Dot-separated labels of [A-Za-z0-9_-], none empty.
bool isHostname(std::string_view host) {
  if (host.empty()) return false;
  size_t label_start = 0;
  while (true) {
    size_t dot = host.find('.', label_start);
    std::string_view label = host.substr(label_start, dot - label_start);
    if (label.empty() || !std::all_of(label.begin(), label.end(), isHostnameChar)) return false;
    if (dot == std::string_view::npos) return true;
    label_start = dot + 1;
  }
}

bool isIpLiteral(const std::string& address) {
  sockaddr_storage parsed;
  return parseSocketAddress(address, 0, &parsed);
}

// What is wrong with a virtual host domain, or "" when it is valid:
// "*", "*.suffix", an exact host name, or a bracketed IPv6 literal (how
// an IPv6 address appears in Host).
std::string domainProblem(const std::string& domain) {
  if (domain.empty()) return "empty domain";
  if (domain == "*") return "";
  if (domain.front() == '[' && domain.back() == ']') {
    std::string inner = domain.substr(1, domain.size() - 2);
    return inner.find(':') != std::string::npos && isIpLiteral(inner) ? "" : "invalid IPv6 literal";
  }
  std::string_view host = domain;
  if (host.rfind("*.", 0) == 0) host.remove_prefix(2);
  if (host.find('*') != std::string_view::npos) {
    return "a wildcard must be the whole domain (\"*\") or a leading \"*.\"";
  }
  if (host.find(':') != std::string_view::npos) {
    return "must not include a port (the port in Host is ignored when matching)";
  }
  if (!isHostname(host)) return "not a valid host name";
  return "";
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
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    int number = std::stoi(port);
    if (number == 0 || uint32_t(number) > kMaxPort) return false;
  }
  return isIpLiteral(ip);
}

class BootstrapValidator {
 public:
  explicit BootstrapValidator(const Bootstrap& bootstrap) : bootstrap_(bootstrap) {
    for (const Cluster& cluster : bootstrap.clusters()) {
      if (!cluster.name().empty()) defined_clusters_.insert(cluster.name());
    }
  }

  std::vector<std::string> run() {
    if (bootstrap_.listeners().empty()) fail("listeners", "at least one listener is required");
    std::map<std::string, std::string> listener_names;  // name → path of the first listener using it
    for (int i = 0; i < bootstrap_.listeners_size(); ++i) {
      std::string path = indexPath("listeners", size_t(i));
      const Listener& listener = bootstrap_.listeners(i);
      checkUniqueName(listener.name(), path, "listener", listener_names);
      checkListener(listener, path);
    }

    std::map<std::string, std::string> cluster_names;
    for (int i = 0; i < bootstrap_.clusters_size(); ++i) {
      std::string path = indexPath("clusters", size_t(i));
      const Cluster& cluster = bootstrap_.clusters(i);
      checkUniqueName(cluster.name(), path, "cluster", cluster_names);
      checkCluster(cluster, path);
    }

    if (bootstrap_.has_admin()) {
      const Admin& admin = bootstrap_.admin();
      checkBindAddress(admin.address(), admin.port(), "admin");
    }
    return std::move(errors_);
  }

 private:
  void checkListener(const Listener& listener, const std::string& path) {
    checkBindAddress(listener.address(), listener.port(), path);

    std::map<std::string, std::string> filter_names;
    std::set<std::string> filters_in_listener;
    for (int i = 0; i < listener.filters_size(); ++i) {
      std::string filter_path = indexPath(fieldPath(path, "filters"), size_t(i));
      const std::string& name = listener.filters(i).name();
      checkUniqueName(name, filter_path, "filter", filter_names);
      if (!name.empty()) filters_in_listener.insert(name);
    }

    checkLimits(listener.limits(), fieldPath(path, "limits"));
    validateAccessLogs(listener, path, &errors_);
    const DownstreamTimeouts& timeouts = listener.timeouts();
    std::string timeouts_path = fieldPath(path, "timeouts");
    checkDuration(timeouts.has_idle_timeout(), timeouts.idle_timeout(),
                  fieldPath(timeouts_path, "idle_timeout"));
    checkDuration(timeouts.has_request_headers_timeout(), timeouts.request_headers_timeout(),
                  fieldPath(timeouts_path, "request_headers_timeout"));
    checkDuration(timeouts.has_drain_timeout(), timeouts.drain_timeout(),
                  fieldPath(timeouts_path, "drain_timeout"));

    std::string hosts_path = fieldPath(path, "virtual_hosts");
    if (listener.virtual_hosts().empty()) fail(hosts_path, "at least one virtual host is required");
    std::map<std::string, std::string> domains;  // lowercased domain → path of its first use
    for (int i = 0; i < listener.virtual_hosts_size(); ++i) {
      checkVirtualHost(listener.virtual_hosts(i), indexPath(hosts_path, size_t(i)), filters_in_listener,
                       domains);
    }
  }

  void checkLimits(const HttpLimits& limits, const std::string& path) {
    uint32_t headers = limits.max_request_headers_bytes();
    if (headers != 0 && (headers < kMinRequestHeadersLimit || headers > kMaxRequestHeadersLimit)) {
      std::string range =
          std::to_string(kMinRequestHeadersLimit) + "-" + std::to_string(kMaxRequestHeadersLimit);
      fail(fieldPath(path, "max_request_headers_bytes"),
           std::to_string(headers) + " is out of range " + range);
    }
    uint32_t buffer = limits.max_buffer_bytes();
    if (buffer != 0 && buffer < kMinBufferLimit) {
      fail(fieldPath(path, "max_buffer_bytes"),
           std::to_string(buffer) + " is below the minimum " + std::to_string(kMinBufferLimit));
    }
  }

  void checkVirtualHost(const VirtualHost& host, const std::string& path,
                        const std::set<std::string>& filters,
                        std::map<std::string, std::string>& listener_domains) {
    std::string domains_path = fieldPath(path, "domains");
    if (host.domains().empty()) fail(domains_path, "at least one domain is required");
    for (int i = 0; i < host.domains_size(); ++i) {
      const std::string& domain = host.domains(i);
      std::string domain_path = indexPath(domains_path, size_t(i));
      if (std::string problem = domainProblem(domain); !problem.empty()) {
        fail(domain_path, quotedExcerpt(domain) + ": " + problem);
        continue;
      }
      // Host matching ignores case, so "API.example.com" repeats "api.example.com".
      auto [first, inserted] = listener_domains.emplace(lowercase(domain), domain_path);
      if (!inserted) fail(domain_path, quotedExcerpt(domain) + " is already listed at " + first->second);
    }
    std::string routes_path = fieldPath(path, "routes");
    for (int i = 0; i < host.routes_size(); ++i) {
      checkRoute(host.routes(i), indexPath(routes_path, size_t(i)), filters);
    }
  }

  void checkRoute(const Route& route, const std::string& path, const std::set<std::string>& filters) {
    const RouteMatch& match = route.match();
    std::string match_path = fieldPath(path, "match");
    switch (match.path_specifier_case()) {
      case RouteMatch::kPrefix:
        checkStartsWithSlash(match.prefix(), fieldPath(match_path, "prefix"));
        break;
      case RouteMatch::kPath:
        checkStartsWithSlash(match.path(), fieldPath(match_path, "path"));
        break;
      case RouteMatch::PATH_SPECIFIER_NOT_SET:
        fail(match_path, "must set prefix or path");
        break;
    }
    for (int i = 0; i < match.headers_size(); ++i) {
      if (match.headers(i).name().empty()) {
        fail(fieldPath(indexPath(fieldPath(match_path, "headers"), size_t(i)), "name"), "required");
      }
    }

    const std::string& cluster = route.route().cluster();
    std::string cluster_path = fieldPath(fieldPath(path, "route"), "cluster");
    if (cluster.empty()) {
      fail(cluster_path, "required");
    } else if (defined_clusters_.count(cluster) == 0) {
      fail(cluster_path, "no cluster named " + quotedExcerpt(cluster));
    }

    // A hash_policy on a route whose cluster does not hash is ignored, not
    // refused: routes to several clusters may share one policy list, and
    // switching a cluster between RING_HASH and ROUND_ROBIN should not
    // make its routes invalid.
    std::string policies_path = fieldPath(fieldPath(path, "route"), "hash_policy");
    for (int i = 0; i < route.route().hash_policy_size(); ++i) {
      checkHashPolicy(route.route().hash_policy(i), indexPath(policies_path, size_t(i)));
    }

    // The map iterates in hash order; sorting keeps the messages stable.
    std::vector<std::string> override_keys;
    for (const auto& [filter_name, config] : route.filter_overrides()) override_keys.push_back(filter_name);
    std::sort(override_keys.begin(), override_keys.end());
    for (const std::string& filter_name : override_keys) {
      if (filters.count(filter_name) == 0) {
        fail(mapKeyPath(fieldPath(path, "filter_overrides"), filter_name),
             "no filter named " + quotedExcerpt(filter_name) + " in this listener");
      }
    }
  }

  void checkHashPolicy(const HashPolicy& policy, const std::string& path) {
    switch (policy.policy_specifier_case()) {
      case HashPolicy::kHeader:
        checkTokenName(policy.header().header_name(), fieldPath(fieldPath(path, "header"), "header_name"),
                       "a header name");
        break;
      case HashPolicy::kCookie:
        checkTokenName(policy.cookie().name(), fieldPath(fieldPath(path, "cookie"), "name"), "a cookie name");
        break;
      case HashPolicy::kConnectionProperties:
        if (!policy.connection_properties().source_ip()) {
          fail(fieldPath(fieldPath(path, "connection_properties"), "source_ip"),
               "must be true (the client's IP address is the only connection property)");
        }
        break;
      case HashPolicy::POLICY_SPECIFIER_NOT_SET:
        fail(path, "must set header, cookie or connection_properties");
        break;
    }
  }

  // Header and cookie names are both tokens (RFC 9110 5.1, RFC 6265 4.1.1).
  void checkTokenName(const std::string& name, const std::string& path, const char* what) {
    if (name.empty()) {
      fail(path, "required");
    } else if (!http::isToken(name)) {
      fail(path, quotedExcerpt(name) + " is not " + what + " (letters, digits and !#$%&'*+-.^_`|~ only)");
    }
  }

  // The tables of the hash-based policies; a table's settings on a cluster
  // with another policy are refused as the mistake they most likely are.
  void checkHashBalancing(const Cluster& cluster, const std::string& path) {
    std::string ring_path = fieldPath(path, "ring_hash_lb_config");
    if (cluster.has_ring_hash_lb_config()) {
      if (cluster.lb_policy() != Cluster::RING_HASH) fail(ring_path, "set only with lb_policy RING_HASH");
      const RingHashLbConfig& ring = cluster.ring_hash_lb_config();
      for (auto [size, field] : {std::pair{ring.minimum_ring_size(), "minimum_ring_size"},
                                 std::pair{ring.maximum_ring_size(), "maximum_ring_size"}}) {
        if (size > kMaxRingSize) {
          fail(fieldPath(ring_path, field),
               std::to_string(size) + " is above the maximum " + std::to_string(kMaxRingSize));
        }
      }
      uint64_t maximum = ring.maximum_ring_size() == 0 ? kMaxRingSize : ring.maximum_ring_size();
      if (ring.minimum_ring_size() > maximum) {
        fail(fieldPath(ring_path, "minimum_ring_size"), std::to_string(ring.minimum_ring_size()) +
                                                            " is above maximum_ring_size " +
                                                            std::to_string(maximum));
      }
    }
    std::string maglev_path = fieldPath(path, "maglev_lb_config");
    if (cluster.has_maglev_lb_config() && cluster.lb_policy() != Cluster::MAGLEV) {
      fail(maglev_path, "set only with lb_policy MAGLEV");
    }
    if (cluster.lb_policy() == Cluster::MAGLEV) {
      uint64_t configured = cluster.maglev_lb_config().table_size();  // 0: the default
      uint64_t size = configured == 0 ? kDefaultMaglevTableSize : configured;
      std::string size_path = fieldPath(maglev_path, "table_size");
      if (size > kMaxMaglevTableSize) {
        fail(size_path,
             std::to_string(size) + " is above the maximum " + std::to_string(kMaxMaglevTableSize));
      } else if (!isPrime(size)) {
        fail(size_path,
             std::to_string(size) +
                 " is not a prime (each endpoint steps through the table by a stride that must reach "
                 "every slot; e.g. 65537, 131071 or 1000003)");
      } else if (size < hostSlots(cluster)) {
        fail(size_path, std::to_string(size) + " is smaller than the " + std::to_string(hostSlots(cluster)) +
                            (cluster.type() == Cluster::STRICT_DNS ? " hosts of max_hosts" : " endpoints") +
                            " (each needs a slot, and about 100 slots each give even shares)");
      }
    }
  }

  void checkCluster(const Cluster& cluster, const std::string& path) {
    std::string endpoints_path = fieldPath(path, "endpoints");
    if (cluster.endpoints().empty()) fail(endpoints_path, "at least one endpoint is required");
    for (int i = 0; i < cluster.endpoints_size(); ++i) {
      const Endpoint& endpoint = cluster.endpoints(i);
      std::string endpoint_path = indexPath(endpoints_path, size_t(i));
      std::string address_path = fieldPath(endpoint_path, "address");
      if (endpoint.address().empty()) {
        fail(address_path, "required");
      } else if (cluster.type() == Cluster::STRICT_DNS) {
        checkHostnameOrIp(endpoint.address(), address_path);
      } else {
        checkIpLiteral(endpoint.address(), address_path);
      }
      checkPort(endpoint.port(), fieldPath(endpoint_path, "port"));
      // Weight 0 is proto3's "unset" and means 1.
      if (endpoint.weight() > kMaxEndpointWeight) {
        std::string maximum = std::to_string(kMaxEndpointWeight);
        fail(fieldPath(endpoint_path, "weight"),
             std::to_string(endpoint.weight()) + " is above the maximum " + maximum);
      }
    }
    checkDuration(cluster.has_connect_timeout(), cluster.connect_timeout(),
                  fieldPath(path, "connect_timeout"));
    checkDuration(cluster.has_idle_timeout(), cluster.idle_timeout(), fieldPath(path, "idle_timeout"));
    checkHashBalancing(cluster, path);
    if (cluster.has_healthy_panic_threshold()) {
      double threshold = cluster.healthy_panic_threshold();
      // Written so that NaN fails too.
      if (!(threshold >= 0 && threshold <= 100)) {
        fail(fieldPath(path, "healthy_panic_threshold"), "must be a percent from 0 to 100");
      }
    }
    if (cluster.has_health_check()) checkHealthCheck(cluster.health_check(), fieldPath(path, "health_check"));
    if (cluster.has_outlier_detection()) {
      std::string outlier_path = fieldPath(path, "outlier_detection");
      const OutlierDetection& outliers = cluster.outlier_detection();
      checkPositiveDuration(outliers.has_base_ejection_time(), outliers.base_ejection_time(),
                            fieldPath(outlier_path, "base_ejection_time"));
      checkPositiveDuration(outliers.has_max_ejection_time(), outliers.max_ejection_time(),
                            fieldPath(outlier_path, "max_ejection_time"));
      if (outliers.has_base_ejection_time() && outliers.has_max_ejection_time() &&
          outliers.max_ejection_time() < outliers.base_ejection_time()) {
        fail(fieldPath(outlier_path, "max_ejection_time"), "must not be below base_ejection_time");
      }
      if (outliers.has_max_ejection_percent() && outliers.max_ejection_percent() > 100) {
        fail(fieldPath(outlier_path, "max_ejection_percent"),
             std::to_string(outliers.max_ejection_percent()) + " is above 100");
      }
      if (outliers.require_check_to_return() && !cluster.has_health_check()) {
        fail(fieldPath(outlier_path, "require_check_to_return"),
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
    checkPositiveDuration(check.has_interval(), check.interval(), fieldPath(path, "interval"));
    checkPositiveDuration(check.has_timeout(), check.timeout(), fieldPath(path, "timeout"));
    checkDuration(check.has_interval_jitter(), check.interval_jitter(), fieldPath(path, "interval_jitter"));
    if (check.interval_jitter_percent() > 100) {
      fail(fieldPath(path, "interval_jitter_percent"), std::to_string(check.interval_jitter_percent()) +
                                                          " is above 100");
    }
    if (check.checker_case() == HealthCheck::CHECKER_NOT_SET) {
      fail(path, "one of http_health_check or tcp_health_check is required");
      return;
    }
    if (!check.has_http_health_check()) return;
    std::string http_path = fieldPath(path, "http_health_check");
    const HttpHealthCheck& http = check.http_health_check();
    checkStartsWithSlash(http.path(), fieldPath(http_path, "path"));
    if (http.path().find_first_of(" \r\n") != std::string::npos) {
      fail(fieldPath(http_path, "path"), quotedExcerpt(http.path()) + " must not contain spaces or line breaks");
    }
    if (http.host().find_first_of(" \r\n") != std::string::npos) {
      fail(fieldPath(http_path, "host"), quotedExcerpt(http.host()) + " must not contain spaces or line breaks");
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
        fail(indexPath(ranges_path, size_t(i)), message);
      }
    }
  }

  void checkDnsDiscovery(const Cluster& cluster, const std::string& path) {
    std::string refresh_path = fieldPath(path, "dns_refresh_rate");
    std::string min_path = fieldPath(path, "dns_min_refresh_rate");
    std::string max_path = fieldPath(path, "dns_max_refresh_rate");
    checkPositiveDuration(cluster.has_dns_refresh_rate(), cluster.dns_refresh_rate(), refresh_path);
    bool min_ok = checkPositiveDuration(cluster.has_dns_min_refresh_rate(), cluster.dns_min_refresh_rate(), min_path);
    bool max_ok = checkPositiveDuration(cluster.has_dns_max_refresh_rate(), cluster.dns_max_refresh_rate(), max_path);
    if (min_ok && max_ok && cluster.has_dns_min_refresh_rate() && cluster.has_dns_max_refresh_rate() &&
        google::protobuf::util::TimeUtil::DurationToMilliseconds(cluster.dns_min_refresh_rate()) >
            google::protobuf::util::TimeUtil::DurationToMilliseconds(cluster.dns_max_refresh_rate())) {
      fail(min_path, "must not be above dns_max_refresh_rate");
    }
    std::string resolvers_path = fieldPath(path, "dns_resolvers");
    for (int i = 0; i < cluster.dns_resolvers_size(); ++i) {
      const std::string& resolver = cluster.dns_resolvers(i);
      if (!isResolverAddress(resolver)) {
        fail(indexPath(resolvers_path, size_t(i)),
             quotedExcerpt(resolver) + " is not \"ip:port\" (\"[ipv6]:port\" for IPv6)");
      }
    }
    if (cluster.max_hosts() > kMaxDnsHosts) {
      fail(fieldPath(path, "max_hosts"),
           std::to_string(cluster.max_hosts()) + " is above the maximum " + std::to_string(kMaxDnsHosts));
    }
  }

  // DNS settings on a STATIC cluster would be silently ignored: almost
  // always a forgotten `type: STRICT_DNS`.
  void checkNoDnsSettings(const Cluster& cluster, const std::string& path) {
    auto refuse = [&](bool set, const char* field) {
      if (set) fail(fieldPath(path, field), "applies only to STRICT_DNS clusters (this one is STATIC)");
    };
    refuse(cluster.has_dns_refresh_rate(), "dns_refresh_rate");
    refuse(cluster.has_respect_dns_ttl(), "respect_dns_ttl");
    refuse(cluster.has_dns_min_refresh_rate(), "dns_min_refresh_rate");
    refuse(cluster.has_dns_max_refresh_rate(), "dns_max_refresh_rate");
    refuse(!cluster.dns_resolvers().empty(), "dns_resolvers");
    refuse(cluster.max_hosts() != 0, "max_hosts");
    refuse(cluster.dns_lookup_family() != Cluster::V4_PREFERRED, "dns_lookup_family");
  }

  // An address and port something binds to: a listener or the admin
  // endpoint. Two of them on one address would both bind (SO_REUSEPORT)
  // and silently split the traffic, so that is an error too.
  void checkBindAddress(const std::string& address, uint32_t port, const std::string& path) {
    std::string address_path = fieldPath(path, "address");
    std::string port_path = fieldPath(path, "port");
    bool address_ok = address.empty() || checkIpLiteral(address, address_path);
    bool port_ok = checkPort(port, port_path);
    if (!address_ok || !port_ok) return;

    sockaddr_storage parsed;
    parseSocketAddress(address.empty() ? kDefaultBindAddress : address, static_cast<uint16_t>(port), &parsed);
    std::string endpoint = formatSocketAddress(parsed);
    auto [owner, inserted] = bound_addresses_.emplace(endpoint, path);
    if (!inserted) fail(port_path, endpoint + " is already used by " + owner->second);
  }

  bool checkIpLiteral(const std::string& address, const std::string& path) {
    if (isIpLiteral(address)) return true;
    fail(path, quotedExcerpt(address) + " is not an IPv4 or IPv6 address");
    return false;
  }

  void checkHostnameOrIp(const std::string& address, const std::string& path) {
    // A fully qualified name may end in a dot ("api.internal.").
    std::string_view name = address;
    if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
    if (!isIpLiteral(address) && !isHostname(name)) {
      fail(path, quotedExcerpt(address) + " is not a host name or an IP address");
    }
  }

  bool checkPort(uint32_t port, const std::string& path) {
    if (port == 0) {
      fail(path, "required (1-65535)");
      return false;
    }
    if (port > kMaxPort) {
      fail(path, std::to_string(port) + " is out of range 1-65535");
      return false;
    }
    return true;
  }

  void checkDuration(bool present, const google::protobuf::Duration& duration, const std::string& path) {
    if (present && (duration.seconds() < 0 || duration.nanos() < 0)) {
      fail(path, "must not be negative (got " + google::protobuf::util::TimeUtil::ToString(duration) + ")");
    }
  }

  // A duration that must be at least 1 ms when it is given (else its default
  // applies): durations become whole milliseconds. Returns whether the value
  // (if present) is usable.
  bool checkPositiveDuration(bool present, const google::protobuf::Duration& duration, const std::string& path) {
    if (!present) return true;
    if (duration.seconds() > 0 || (duration.seconds() == 0 && duration.nanos() >= 1'000'000)) return true;
    fail(path, "must be at least 1ms (got " + google::protobuf::util::TimeUtil::ToString(duration) + ")");
    return false;
  }

  void checkStartsWithSlash(const std::string& value, const std::string& path) {
    if (value.empty() || value.front() != '/') fail(path, quotedExcerpt(value) + " must start with '/'");
  }

  // `seen` maps each name to the path of the first object using it.
  void checkUniqueName(const std::string& name, const std::string& path, const char* kind,
                       std::map<std::string, std::string>& seen) {
    std::string name_path = fieldPath(path, "name");
    if (name.empty()) {
      fail(name_path, "required");
      return;
    }
    auto [first, inserted] = seen.emplace(name, path);
    if (!inserted) {
      fail(name_path, "duplicate " + std::string(kind) + " name " + quotedExcerpt(name) + " (also " +
                          first->second + ")");
    }
  }

  void fail(const std::string& path, const std::string& problem) { errors_.push_back(path + ": " + problem); }

  const Bootstrap& bootstrap_;
  std::set<std::string> defined_clusters_;
  std::map<std::string, std::string> bound_addresses_;  // "ip:port" → path of the first owner
  std::vector<std::string> errors_;
};

}  // namespace

std::vector<std::string> validateBootstrap(const Bootstrap& bootstrap) {
  return BootstrapValidator(bootstrap).run();
}

}  // namespace switchyard::config
