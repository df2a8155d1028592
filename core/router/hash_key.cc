#include "router/hash_key.h"

#include "common/stable_hash.h"

namespace switchyard::router {

namespace {

std::string_view trimSpacesAndTabs(std::string_view text) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The value of the first cookie called `name` in one Cookie field value.
std::optional<std::string_view> findCookie(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    size_t separator = cookie_header.find(';');
    std::string_view pair = trimSpacesAndTabs(cookie_header.substr(0, separator));
    cookie_header =
        separator == std::string_view::npos ? std::string_view() : cookie_header.substr(separator + 1);
    size_t equals = pair.find('=');
    if (equals != std::string_view::npos && trimSpacesAndTabs(pair.substr(0, equals)) == name) {
      return trimSpacesAndTabs(pair.substr(equals + 1));
    }
  }
  return std::nullopt;
}

// A request may carry several Cookie lines (HTTP/1.1 senders should not,
// but some do); they are read in order.
std::optional<std::string_view> cookieValue(const http::HeaderMap& headers, std::string_view name) {
  for (const http::HeaderField& field : headers.fields()) {
    if (!http::equalsIgnoreCase(field.name, "cookie")) continue;
    if (auto value = findCookie(field.value, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> policyValue(const HashPolicy& policy, const http::HeaderMap& headers,
                                            std::string_view client_ip) {
  switch (policy.source) {
    case HashPolicy::Source::kHeader:
      return headers.get(policy.name);
    case HashPolicy::Source::kCookie:
      return cookieValue(headers, policy.name);
    case HashPolicy::Source::kSourceIp:
      return client_ip;
  }
  return std::nullopt;
}

}  // namespace

HashPolicy compileHashPolicy(const config::HashPolicy& proto) {
  switch (proto.policy_specifier_case()) {
    case config::HashPolicy::kHeader:
      return HashPolicy{HashPolicy::Source::kHeader, proto.header().header_name()};
    case config::HashPolicy::kCookie:
      return HashPolicy{HashPolicy::Source::kCookie, proto.cookie().name()};
    case config::HashPolicy::kConnectionProperties:
    case config::HashPolicy::POLICY_SPECIFIER_NOT_SET:  // refused by config validation
      break;
  }
  return HashPolicy{HashPolicy::Source::kSourceIp, ""};
}

std::optional<uint64_t> requestHashKey(std::span<const HashPolicy> policies, const http::HeaderMap& headers,
                                       std::string_view client_ip) {
  for (const HashPolicy& policy : policies) {
    std::optional<std::string_view> value = policyValue(policy, headers, client_ip);
    if (value && !value->empty()) return stableHash(*value);
  }
  return std::nullopt;
}

}  // namespace switchyard::router
