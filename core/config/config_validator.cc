#include "config/config_validator.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "common/uv_util.h"
#include "config/config_text.h"
#include "config/field_path.h"

namespace switchyard::config {

namespace {

constexpr uint32_t kMaxPort = 65535;
constexpr uint32_t kMaxDnsHosts = 4096;
constexpr const char* kDefaultBindAddress = "127.0.0.1";

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
    if (cluster.type() == Cluster::STRICT_DNS) {
      checkDnsDiscovery(cluster, path);
    } else {
      checkNoDnsSettings(cluster, path);
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

  // Returns whether the value (if present) is usable.
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
