// router::RouteTable::match on hostile request headers, over one fixed
// config that has every kind of domain (exact, IPv6, suffixes of several
// lengths, "*") and of route matcher (exact path, prefix, header exact,
// prefix, present, absent, inverted, repeated). The input is the request:
// its first line is :authority, its second :path, and each further line a
// header "name: value" (split at the first colon).
//
// The table's answer is compared with a reference matcher written from the
// rules in route_table.h, which walks the config itself with no index: the
// virtual host whose domain fits best (exact, then the longest "*.suffix",
// then "*"), then its first route whose path and header matchers all hold.
// A matched route's rewrites are applied and checked too.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "config/config_loader.h"
#include "fuzz_support.h"
#include "http/header_map.h"
#include "router/route_table.h"

namespace switchyard::fuzz {
namespace {

constexpr std::string_view kConfig = R"(
listeners:
  - name: fuzz
    port: 10000
    virtual_hosts:
      - name: exact
        domains: ["api.example.com", "[::1]", "10.0.0.1", "Mixed.Case.Example"]
        routes:
          - name: exact-health
            match: { path: /healthz }
            route: { cluster: c, prefix_rewrite: /ready }
          - name: canary
            match:
              prefix: /v1/
              headers:
                - { name: x-canary, exact: "yes" }
                - { name: x-debug, present: false }
            route: { cluster: c, prefix_rewrite: /canary/, host_rewrite: canary.internal }
          - name: tenant
            match:
              prefix: /v1/
              headers: [{ name: x-tenant, prefix: acme- }]
            route: { cluster: c }
          - name: not-internal
            match:
              prefix: /v1
              headers: [{ name: x-internal, invert: true }]
            route: { cluster: c, prefix_rewrite: / }
          - name: needs-header
            match:
              prefix: /
              headers: [{ name: x-any }, { name: x-mode, exact: fast, invert: true }]
            route: { cluster: c }
      - name: short-suffix
        domains: ["*.example.com"]
        routes:
          - match: { prefix: /static }
            route: { cluster: c, host_rewrite: static.internal }
          - match: { prefix: / }
            route: { cluster: c }
      - name: long-suffix
        domains: ["*.eu.example.com", "*.b"]
        routes:
          - match: { path: "/" }
            route: { cluster: c, prefix_rewrite: /index }
          - match: { prefix: /a, headers: [{ name: x-a, present: true }] }
            route: { cluster: c }
      - name: any
        domains: ["*"]
        routes:
          - match: { prefix: /only-any/ }
            route: { cluster: c }
clusters:
  - name: c
    endpoints: [{ address: 127.0.0.1, port: 18080 }]
)";

struct FixedTable {
  config::LoadedConfig loaded;
  const config::Listener* listener = nullptr;
  std::unique_ptr<router::RouteTable> table;
};

const FixedTable& fixedTable() {
  static const FixedTable fixed = [] {
    FixedTable built;
    built.loaded = config::loadConfigText(kConfig, "route_table_fuzz.yaml", config::ConfigFormat::kYaml);
    if (!built.loaded.ok()) {
      for (const auto& error : built.loaded.errors) std::fprintf(stderr, "%s\n", error.c_str());
      std::abort();
    }
    built.listener = &built.loaded.bootstrap->listeners(0);
    built.table = std::make_unique<router::RouteTable>(*built.listener);
    return built;
  }();
  return fixed;
}

bool endsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && http::equalsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

// The host of an authority, per route_table.h: a bracketed IPv6 literal
// keeps its brackets, one colon starts a port, several colons are an
// unbracketed IPv6 literal kept whole.
std::string_view hostOf(std::string_view authority) {
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  size_t colons = std::count(authority.begin(), authority.end(), ':');
  return colons == 1 ? authority.substr(0, authority.find(':')) : authority;
}

// The virtual host's index, or -1. A score per domain: exact beats every
// suffix, a longer suffix beats a shorter one, "*" is last.
int referenceVirtualHost(const config::Listener& listener, std::string_view authority) {
  std::string_view host = hostOf(authority);
  int best = -1;
  size_t best_score = 0;
  for (int vi = 0; vi < listener.virtual_hosts_size(); ++vi) {
    for (const std::string& domain : listener.virtual_hosts(vi).domains()) {
      size_t score = 0;
      if (domain == "*") {
        score = 1;
      } else if (domain.starts_with("*.")) {
        std::string_view suffix = std::string_view(domain).substr(1);  // ".example.com"
        // "*" stands for at least one character.
        if (host.size() > suffix.size() && endsWithIgnoreCase(host, suffix)) score = 2 + suffix.size();
      } else if (http::equalsIgnoreCase(host, domain)) {
        score = SIZE_MAX;
      }
      if (score > best_score) {
        best_score = score;
        best = vi;
      }
    }
  }
  return best;
}

bool referenceHeaderHolds(const config::HeaderMatcher& matcher, const http::HeaderMap& headers) {
  bool wants_absent = matcher.match_case() == config::HeaderMatcher::kPresent && !matcher.present();
  bool any = false;
  for (const auto& field : headers.fields()) {
    if (!http::equalsIgnoreCase(field.name, matcher.name())) continue;
    if (matcher.match_case() == config::HeaderMatcher::kExact) {
      any = any || field.value == matcher.exact();
    } else if (matcher.match_case() == config::HeaderMatcher::kPrefix) {
      any = any || std::string_view(field.value).starts_with(matcher.prefix());
    } else {
      any = true;
    }
  }
  return any != (matcher.invert() != wants_absent);
}

// The route's id (its index counting every virtual host's routes in config
// order), or -1.
long referenceMatch(const config::Listener& listener, const http::HeaderMap& headers) {
  int vhost = referenceVirtualHost(listener, headers.get(":authority").value_or(""));
  if (vhost < 0) return -1;
  long first_id = 0;
  for (int vi = 0; vi < vhost; ++vi) first_id += listener.virtual_hosts(vi).routes_size();
  std::string_view path = headers.get(":path").value_or("");
  path = path.substr(0, path.find('?'));
  const auto& routes = listener.virtual_hosts(vhost).routes();
  for (int ri = 0; ri < routes.size(); ++ri) {
    const config::RouteMatch& match = routes[ri].match();
    bool path_holds = match.path_specifier_case() == config::RouteMatch::kPath ? path == match.path()
                                                                                : path.starts_with(match.prefix());
    if (!path_holds) continue;
    bool headers_hold = true;
    for (const auto& matcher : match.headers()) headers_hold = headers_hold && referenceHeaderHolds(matcher, headers);
    if (headers_hold) return first_id + ri;
  }
  return -1;
}

http::HeaderMap requestFrom(std::string_view input) {
  http::HeaderMap headers;
  auto next_line = [&input] {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    return line;
  };
  headers.add(":method", "GET");
  headers.add(":authority", next_line());
  headers.add(":path", next_line());
  headers.add(":scheme", "http");
  while (!input.empty()) {
    std::string_view line = next_line();
    size_t colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    headers.add(line.substr(0, colon), value);
  }
  return headers;
}

}  // namespace
}  // namespace switchyard::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace switchyard;
  const fuzz::FixedTable& fixed = fuzz::fixedTable();
  http::HeaderMap headers = fuzz::requestFrom(std::string_view(reinterpret_cast<const char*>(data), size));
  const router::RouteEntry* route = fixed.table->match(headers);
  long expected = fuzz::referenceMatch(*fixed.listener, headers);
  SY_FUZZ_CHECK(route == nullptr ? expected == -1 : long(route->id) == expected);
  if (route == nullptr) return 0;
  SY_FUZZ_CHECK(&fixed.table->route(route->id) == route);

  std::string path_before(headers.get(":path").value_or(""));
  router::RouteTable::applyRewrites(*route, headers);
  std::string_view path_after = headers.get(":path").value_or("");
  if (!route->prefix_rewrite.empty()) {
    // The matched part is replaced; whatever followed it is kept.
    size_t replaced = route->exact_path ? path_before.find('?') : route->path.size();
    if (replaced == std::string::npos) replaced = path_before.size();
    SY_FUZZ_CHECK(path_after == route->prefix_rewrite + path_before.substr(replaced));
  } else {
    SY_FUZZ_CHECK(path_after == path_before);
  }
  if (!route->host_rewrite.empty()) SY_FUZZ_CHECK(headers.get(":authority") == route->host_rewrite);
  return 0;
}
