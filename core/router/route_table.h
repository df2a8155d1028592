// RouteTable: one listener's virtual hosts and routes, compiled for fast
// matching. Host selection: exact domain, then the longest "*.suffix", then
// "*"; inside the virtual host the first route that matches wins.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "config.pb.h"
#include "http/header_map.h"

namespace switchyard::router {

struct HeaderCondition {
  std::string name;
  enum class Kind { kExact, kPrefix, kPresent } kind;
  std::string value;
  bool invert;
};

struct RouteEntry {
  size_t id;                     // dense index within the listener, in config order
  const config::Route* proto;    // borrowed; the Bootstrap outlives the table
  std::string name;              // the route's name, or "<vhost>/<index>"
  std::string cluster;
  bool exact_path;               // match.path rather than match.prefix
  std::string path;              // the prefix or the exact path
  std::vector<HeaderCondition> headers;
  std::string prefix_rewrite;
  bool has_prefix_rewrite;
  std::string host_rewrite;
};

class RouteTable {
 public:
  explicit RouteTable(const config::Listener& listener);

  // nullptr when no virtual host or route matches (a 404).
  const RouteEntry* match(const http::HeaderMap& request_headers) const;
  size_t routeCount() const { return routes_.size(); }
  const RouteEntry& route(size_t id) const { return *routes_[id]; }
  // Applies the route's prefix_rewrite and host_rewrite to :path/:authority.
  static void applyRewrites(const RouteEntry& route, http::HeaderMap& request_headers);

 private:
  struct VirtualHost {
    std::vector<const RouteEntry*> routes;
  };
  struct SuffixDomain {
    std::string suffix;  // ".example.com", lowercase
    const VirtualHost* host;
  };
  const VirtualHost* selectVirtualHost(std::string_view authority) const;

  std::vector<std::unique_ptr<RouteEntry>> routes_;
  std::vector<std::unique_ptr<VirtualHost>> virtual_hosts_;
  std::vector<std::pair<std::string, const VirtualHost*>> exact_domains_;  // lowercase
  std::vector<SuffixDomain> suffix_domains_;  // longest first
  const VirtualHost* wildcard_ = nullptr;
};

}  // namespace switchyard::router
