#include "router/route_table.h"

#include <algorithm>

namespace switchyard::router {

namespace {

char toLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c; }

// The host part of an authority: "example.com:8080" → "example.com",
// "[::1]:8080" → "[::1]". An unbracketed IPv6 literal has several colons
// and no port, so it is returned whole.
std::string_view stripPort(std::string_view authority) {
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  size_t colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) == std::string_view::npos) {
    return authority.substr(0, colon);
  }
  return authority;
}

// :path without its query string.
std::string_view pathOnly(std::string_view path_and_query) {
  return path_and_query.substr(0, path_and_query.find('?'));
}

bool pathMatches(const RouteEntry& route, std::string_view path) {
  return route.exact_path ? path == route.path : path.starts_with(route.path);
}

bool valueMatches(const HeaderCondition& condition, std::string_view value) {
  switch (condition.kind) {
    case HeaderCondition::Kind::kExact:
      return value == condition.value;
    case HeaderCondition::Kind::kPrefix:
      return value.starts_with(condition.value);
    case HeaderCondition::Kind::kPresent:
      return true;
  }
  return false;
}

// A header repeated on several lines matches when any one of its values does.
bool conditionHolds(const HeaderCondition& condition, const http::HeaderMap& headers) {
  bool any_value_matches =
      std::any_of(headers.fields().begin(), headers.fields().end(), [&](const http::HeaderField& field) {
        return http::equalsIgnoreCase(field.name, condition.name) && valueMatches(condition, field.value);
      });
  return any_value_matches != condition.invert;
}

HeaderCondition compileHeaderMatcher(const config::HeaderMatcher& matcher) {
  HeaderCondition condition{matcher.name(), HeaderCondition::Kind::kPresent, "", matcher.invert()};
  switch (matcher.match_case()) {
    case config::HeaderMatcher::kExact:
      condition.kind = HeaderCondition::Kind::kExact;
      condition.value = matcher.exact();
      break;
    case config::HeaderMatcher::kPrefix:
      condition.kind = HeaderCondition::Kind::kPrefix;
      condition.value = matcher.prefix();
      break;
    case config::HeaderMatcher::kPresent:
      // `present: false` asks for the header to be absent.
      if (!matcher.present()) condition.invert = !condition.invert;
      break;
    case config::HeaderMatcher::MATCH_NOT_SET:
      // A matcher naming only the header asks for its presence, as in Envoy.
      break;
  }
  return condition;
}

RouteEntry compileRoute(const config::Route& proto, size_t id, const std::string& vhost_name,
                        int index_in_vhost) {
  RouteEntry entry;
  entry.id = id;
  entry.proto = &proto;
  entry.name = proto.name().empty() ? vhost_name + "/" + std::to_string(index_in_vhost) : proto.name();
  entry.cluster = proto.route().cluster();
  entry.exact_path = proto.match().path_specifier_case() == config::RouteMatch::kPath;
  entry.path = entry.exact_path ? proto.match().path() : proto.match().prefix();
  for (const auto& matcher : proto.match().headers()) entry.headers.push_back(compileHeaderMatcher(matcher));
  entry.prefix_rewrite = proto.route().prefix_rewrite();
  entry.host_rewrite = proto.route().host_rewrite();
  for (const auto& policy : proto.route().hash_policy())
    entry.hash_policies.push_back(compileHashPolicy(policy));
  return entry;
}

}  // namespace

size_t RouteTable::CaseInsensitiveHash::operator()(std::string_view text) const {
  // FNV-1a over the lowercased bytes, so equal-ignoring-case keys collide.
  uint64_t hash = 14695981039346656037ull;
  for (char c : text) {
    hash ^= uint8_t(toLowerAscii(c));
    hash *= 1099511628211ull;
  }
  return size_t(hash);
}

RouteTable::RouteTable(const config::Listener& listener) {
  for (const auto& vhost_proto : listener.virtual_hosts()) {
    size_t vhost_index = virtual_hosts_.size();
    virtual_hosts_.push_back(VirtualHost{routes_.size(), size_t(vhost_proto.routes_size())});
    for (int i = 0; i < vhost_proto.routes_size(); ++i) {
      routes_.push_back(compileRoute(vhost_proto.routes(i), routes_.size(), vhost_proto.name(), i));
    }
    // The validator rejects a domain listed twice in a listener; should one
    // slip through, the first listing keeps it, like "*" below.
    for (const std::string& domain : vhost_proto.domains()) {
      if (domain == "*") {
        if (wildcard_host_ == kNoVirtualHost) wildcard_host_ = vhost_index;
      } else if (domain.starts_with("*.")) {
        suffix_domains_.emplace(domain.substr(1), vhost_index);
      } else {
        exact_domains_.emplace(domain, vhost_index);
      }
    }
  }
}

size_t RouteTable::selectVirtualHost(std::string_view authority) const {
  std::string_view host = stripPort(authority);
  if (auto exact = exact_domains_.find(host); exact != exact_domains_.end()) return exact->second;
  if (!suffix_domains_.empty()) {
    // Every suffix a "*.x" domain can match starts at a dot of the host, so
    // trying the dots left to right tries the longest suffix first. The
    // search starts at 1 because "*" must stand for at least one character.
    for (size_t dot = host.find('.', 1); dot != std::string_view::npos; dot = host.find('.', dot + 1)) {
      if (auto suffix = suffix_domains_.find(host.substr(dot)); suffix != suffix_domains_.end()) {
        return suffix->second;
      }
    }
  }
  return wildcard_host_;
}

const RouteEntry* RouteTable::match(const http::HeaderMap& request_headers) const {
  size_t vhost_index = selectVirtualHost(request_headers.get(":authority").value_or(""));
  if (vhost_index == kNoVirtualHost) return nullptr;
  const VirtualHost& vhost = virtual_hosts_[vhost_index];
  std::string_view path = pathOnly(request_headers.get(":path").value_or(""));
  for (size_t id = vhost.first_route; id < vhost.first_route + vhost.route_count; ++id) {
    const RouteEntry& route = routes_[id];
    if (!pathMatches(route, path)) continue;
    bool headers_hold =
        std::all_of(route.headers.begin(), route.headers.end(),
                    [&](const HeaderCondition& c) { return conditionHolds(c, request_headers); });
    if (headers_hold) return &route;
  }
  return nullptr;
}

void RouteTable::applyRewrites(const RouteEntry& route, http::HeaderMap& request_headers) {
  if (!route.prefix_rewrite.empty()) {
    std::string_view path_and_query = request_headers.get(":path").value_or("");
    std::string_view path = pathOnly(path_and_query);
    if (pathMatches(route, path)) {
      // An exact match replaces the whole path; a prefix match only the
      // prefix. Whatever follows (rest of the path, query string) is kept.
      size_t replaced = route.exact_path ? path.size() : route.path.size();
      std::string_view kept = path_and_query.substr(replaced);
      std::string rewritten;
      rewritten.reserve(route.prefix_rewrite.size() + kept.size());
      rewritten.append(route.prefix_rewrite).append(kept);
      request_headers.set(":path", rewritten);
    }
  }
  if (!route.host_rewrite.empty()) request_headers.set(":authority", route.host_rewrite);
}

}  // namespace switchyard::router
