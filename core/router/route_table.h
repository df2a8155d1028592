// RouteTable: one listener's virtual hosts and routes, compiled once at
// config load so that matching a request allocates nothing.
//
// Virtual host selection uses :authority with the port stripped, compared
// case-insensitively: an exact domain beats the longest matching "*.suffix",
// which beats "*". Inside the virtual host the first route whose path and
// header matchers all hold wins. The table is immutable after construction
// and is shared read-only by every worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config.pb.h"
#include "http/header_map.h"
#include "router/hash_key.h"

namespace switchyard::router {

// Compiled form of one config::HeaderMatcher.
struct HeaderCondition {
  enum class Kind { kExact, kPrefix, kPresent };

  std::string name;
  Kind kind = Kind::kPresent;
  std::string value;    // the exact value or the prefix; empty for kPresent
  bool invert = false;  // also set for `present: false`, which means "absent"
};

// One route, owned by its RouteTable.
struct RouteEntry {
  size_t id = 0;                         // dense index within the listener, in config order
  const config::Route* proto = nullptr;  // borrowed; the Bootstrap outlives the table
  std::string name;                      // the route's name, or "<vhost name>/<index>"
  std::string cluster;

  bool exact_path = false;               // match.path rather than match.prefix
  std::string path;                      // the exact path or the prefix, without query string
  std::vector<HeaderCondition> headers;  // all must hold

  // proto3 cannot tell an unset string from "", so empty means "no rewrite".
  std::string prefix_rewrite;
  std::string host_rewrite;

  // Where the request's hash key comes from, in order; read only when the
  // cluster's lb_policy is hash-based.
  std::vector<HashPolicy> hash_policies;
};

class RouteTable {
 public:
  // `listener` has passed config validation and must outlive the table.
  explicit RouteTable(const config::Listener& listener);

  // The route for a request, or nullptr when no virtual host or route
  // matches (a 404).
  const RouteEntry* match(const http::HeaderMap& request_headers) const;

  size_t routeCount() const { return routes_.size(); }
  const RouteEntry& route(size_t id) const { return routes_[id]; }

  // Applies the route's prefix_rewrite to :path (keeping the query string)
  // and its host_rewrite to :authority. `route` must be what match()
  // returned for these headers; a :path the route no longer matches is left
  // unchanged rather than spliced.
  static void applyRewrites(const RouteEntry& route, http::HeaderMap& request_headers);

 private:
  // A virtual host's routes are contiguous in routes_, in config order.
  struct VirtualHost {
    size_t first_route;
    size_t route_count;
  };

  // Domains compare case-insensitively; these let the maps be probed with
  // the request's host as a string_view, without lowercasing a copy.
  struct CaseInsensitiveHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const;
  };
  struct CaseInsensitiveEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return http::equalsIgnoreCase(a, b); }
  };
  // Domain → index into virtual_hosts_.
  using DomainMap = std::unordered_map<std::string, size_t, CaseInsensitiveHash, CaseInsensitiveEqual>;

  static constexpr size_t kNoVirtualHost = SIZE_MAX;

  size_t selectVirtualHost(std::string_view authority) const;

  std::vector<RouteEntry> routes_;
  std::vector<VirtualHost> virtual_hosts_;
  DomainMap exact_domains_;                // "api.example.com", "[::1]"
  DomainMap suffix_domains_;               // "*.example.com" stored as ".example.com"
  size_t wildcard_host_ = kNoVirtualHost;  // the virtual host listing "*"
};

}  // namespace switchyard::router
