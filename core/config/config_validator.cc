#include "config/config_validator.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "common/uv_util.h"
#include "config/access_log_config.h"
#include "config/cluster_validator.h"
#include "config/config_text.h"
#include "config/field_checks.h"
#include "config/field_path.h"
#include "http/grammar.h"

namespace switchyard::config {

namespace {

constexpr const char* kDefaultBindAddress = "127.0.0.1";

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
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

class BootstrapValidator : private FieldChecks {
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
      checkCluster(cluster, path, *this);
    }

    if (bootstrap_.has_admin()) {
      const Admin& admin = bootstrap_.admin();
      checkBindAddress(admin.address(), admin.port(), "admin");
    }
    return takeErrors();
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
    validateAccessLogs(listener, path, errorList());
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

  const Bootstrap& bootstrap_;
  std::set<std::string> defined_clusters_;
  std::map<std::string, std::string> bound_addresses_;  // "ip:port" → path of the first owner
};

}  // namespace

std::vector<std::string> validateBootstrap(const Bootstrap& bootstrap) {
  return BootstrapValidator(bootstrap).run();
}

}  // namespace switchyard::config
