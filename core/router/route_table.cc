#include "router/route_table.h"

#include <algorithm>

namespace switchyard::router {

namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

// "Host:port", "[v6]:port" -> host without port.
std::string_view stripPort(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(':') == colon) return authority.substr(0, colon);
  return authority;
}

bool conditionHolds(const HeaderCondition& condition, const http::HeaderMap& headers) {
  bool matched = false;
  for (size_t i = 0; auto value = headers.get(condition.name, i); ++i) {
    switch (condition.kind) {
      case HeaderCondition::Kind::kPresent: matched = true; break;
      case HeaderCondition::Kind::kExact: matched = *value == condition.value; break;
      case HeaderCondition::Kind::kPrefix: matched = value->rfind(condition.value, 0) == 0; break;
    }
    if (matched) break;
  }
  return matched != condition.invert;
}

}  // namespace

RouteTable::RouteTable(const config::Listener& listener) {
  for (const auto& vhost_proto : listener.virtual_hosts()) {
    auto vhost = std::make_unique<VirtualHost>();
    for (int i = 0; i < vhost_proto.routes_size(); ++i) {
      const config::Route& proto = vhost_proto.routes(i);
      auto entry = std::make_unique<RouteEntry>();
      entry->id = routes_.size();
      entry->proto = &proto;
      entry->name = proto.name().empty() ? vhost_proto.name() + "/" + std::to_string(i) : proto.name();
      entry->cluster = proto.route().cluster();
      entry->exact_path = proto.match().path_specifier_case() == config::RouteMatch::kPath;
      entry->path = entry->exact_path ? proto.match().path() : proto.match().prefix();
      for (const auto& header : proto.match().headers()) {
        HeaderCondition condition{header.name(), HeaderCondition::Kind::kPresent, "", header.invert()};
        if (header.match_case() == config::HeaderMatcher::kExact) {
          condition.kind = HeaderCondition::Kind::kExact;
          condition.value = header.exact();
        } else if (header.match_case() == config::HeaderMatcher::kPrefix) {
          condition.kind = HeaderCondition::Kind::kPrefix;
          condition.value = header.prefix();
        } else if (header.match_case() == config::HeaderMatcher::kPresent && !header.present()) {
          condition.invert = !condition.invert;  // present: false means absent
        }
        entry->headers.push_back(std::move(condition));
      }
      entry->has_prefix_rewrite = !proto.route().prefix_rewrite().empty();
      entry->prefix_rewrite = proto.route().prefix_rewrite();
      entry->host_rewrite = proto.route().host_rewrite();
      vhost->routes.push_back(entry.get());
      routes_.push_back(std::move(entry));
    }
    for (const auto& domain : vhost_proto.domains()) {
      if (domain == "*") {
        if (wildcard_ == nullptr) wildcard_ = vhost.get();
      } else if (domain.rfind("*.", 0) == 0) {
        suffix_domains_.push_back(SuffixDomain{lowercase(domain.substr(1)), vhost.get()});
      } else {
        exact_domains_.emplace_back(lowercase(domain), vhost.get());
      }
    }
    virtual_hosts_.push_back(std::move(vhost));
  }
  std::stable_sort(suffix_domains_.begin(), suffix_domains_.end(),
                   [](const SuffixDomain& a, const SuffixDomain& b) { return a.suffix.size() > b.suffix.size(); });
}

const RouteTable::VirtualHost* RouteTable::selectVirtualHost(std::string_view authority) const {
  std::string_view host = stripPort(authority);
  for (const auto& [domain, vhost] : exact_domains_) {
    if (http::equalsIgnoreCase(domain, host)) return vhost;
  }
  for (const auto& suffix : suffix_domains_) {
    if (host.size() > suffix.suffix.size() &&
        http::equalsIgnoreCase(host.substr(host.size() - suffix.suffix.size()), suffix.suffix)) {
      return suffix.host;
    }
  }
  return wildcard_;
}

const RouteEntry* RouteTable::match(const http::HeaderMap& request_headers) const {
  const VirtualHost* vhost = selectVirtualHost(request_headers.get(":authority").value_or(""));
  if (vhost == nullptr) return nullptr;
  std::string_view full_path = request_headers.get(":path").value_or("");
  std::string_view path = full_path.substr(0, full_path.find('?'));
  for (const RouteEntry* route : vhost->routes) {
    bool path_matches = route->exact_path ? path == route->path : path.rfind(route->path, 0) == 0;
    if (!path_matches) continue;
    bool headers_match = std::all_of(route->headers.begin(), route->headers.end(),
                                     [&](const HeaderCondition& c) { return conditionHolds(c, request_headers); });
    if (headers_match) return route;
  }
  return nullptr;
}

void RouteTable::applyRewrites(const RouteEntry& route, http::HeaderMap& request_headers) {
  if (route.has_prefix_rewrite) {
    std::string path(request_headers.get(":path").value_or("/"));
    size_t query = path.find('?');
    std::string rewritten = route.exact_path ? route.prefix_rewrite + (query == std::string::npos ? "" : path.substr(query))
                                             : route.prefix_rewrite + path.substr(route.path.size());
    request_headers.set(":path", rewritten);
  }
  if (!route.host_rewrite.empty()) request_headers.set(":authority", route.host_rewrite);
}

}  // namespace switchyard::router
