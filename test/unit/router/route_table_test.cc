#include "router/route_table.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

namespace switchyard::router {
namespace {

config::Listener parseListener(const std::string& text) {
  config::Listener listener;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &listener)) << text;
  return listener;
}

http::HeaderMap requestHeaders(
    std::string_view authority, std::string_view path,
    std::initializer_list<std::pair<std::string_view, std::string_view>> extra = {}) {
  http::HeaderMap headers;
  headers.add(":method", "GET");
  headers.add(":path", path);
  headers.add(":authority", authority);
  headers.add(":scheme", "http");
  for (const auto& [name, value] : extra) headers.add(name, value);
  return headers;
}

// The name of the route a request matches, or "404".
std::string matchedName(const RouteTable& table, const http::HeaderMap& headers) {
  const RouteEntry* route = table.match(headers);
  return route == nullptr ? "404" : route->name;
}

// ---- virtual host selection ----

// Each virtual host has one catch-all route named after the host, so the
// matched route name tells which virtual host was chosen.
constexpr const char* kHostsListener = R"(
  virtual_hosts {
    name: "exact"
    domains: "api.example.com"
    domains: "[::1]"
    domains: "10.0.0.1"
    routes { name: "exact" match { prefix: "/" } route { cluster: "c" } }
  }
  virtual_hosts {
    name: "short_suffix"
    domains: "*.example.com"
    routes { name: "short_suffix" match { prefix: "/" } route { cluster: "c" } }
  }
  virtual_hosts {
    name: "long_suffix"
    domains: "*.eu.Example.com"
    routes { name: "long_suffix" match { prefix: "/" } route { cluster: "c" } }
  }
  virtual_hosts {
    name: "any"
    domains: "*"
    routes { name: "any" match { prefix: "/" } route { cluster: "c" } }
  }
)";

class VirtualHostSelectionTest : public ::testing::Test {
 protected:
  std::string hostFor(std::string_view authority) const {
    return matchedName(table_, requestHeaders(authority, "/"));
  }

  config::Listener listener_ = parseListener(kHostsListener);
  RouteTable table_{listener_};
};

TEST_F(VirtualHostSelectionTest, ExactDomainBeatsSuffixThatAlsoMatches) {
  EXPECT_EQ(hostFor("api.example.com"), "exact");
}

TEST_F(VirtualHostSelectionTest, SuffixBeatsWildcard) {
  EXPECT_EQ(hostFor("www.example.com"), "short_suffix");
}

TEST_F(VirtualHostSelectionTest, SuffixMatchesSeveralLabelsDeep) {
  EXPECT_EQ(hostFor("a.b.example.com"), "short_suffix");
}

TEST_F(VirtualHostSelectionTest, LongestSuffixWins) {
  EXPECT_EQ(hostFor("paris.eu.example.com"), "long_suffix");
  EXPECT_EQ(hostFor("a.paris.eu.example.com"), "long_suffix");
}

TEST_F(VirtualHostSelectionTest, SuffixDoesNotMatchTheBareDomain) {
  EXPECT_EQ(hostFor("example.com"), "any");
  EXPECT_EQ(hostFor("eu.example.com"), "short_suffix");
}

TEST_F(VirtualHostSelectionTest, SuffixMustStartAtALabelBoundary) {
  EXPECT_EQ(hostFor("notexample.com"), "any");
}

TEST_F(VirtualHostSelectionTest, UnknownHostFallsBackToWildcard) { EXPECT_EQ(hostFor("other.org"), "any"); }

TEST_F(VirtualHostSelectionTest, EmptyAuthorityFallsBackToWildcard) { EXPECT_EQ(hostFor(""), "any"); }

TEST_F(VirtualHostSelectionTest, DomainsCompareCaseInsensitively) {
  EXPECT_EQ(hostFor("API.Example.COM"), "exact");
  EXPECT_EQ(hostFor("WWW.EXAMPLE.COM"), "short_suffix");
  // The configured domain has upper case too ("*.eu.Example.com").
  EXPECT_EQ(hostFor("x.EU.example.com"), "long_suffix");
}

TEST_F(VirtualHostSelectionTest, PortIsIgnored) {
  EXPECT_EQ(hostFor("api.example.com:8080"), "exact");
  EXPECT_EQ(hostFor("www.example.com:443"), "short_suffix");
  EXPECT_EQ(hostFor("10.0.0.1:80"), "exact");
  EXPECT_EQ(hostFor("api.example.com:"), "exact");
}

TEST_F(VirtualHostSelectionTest, BracketedIpv6WithAndWithoutPort) {
  EXPECT_EQ(hostFor("[::1]"), "exact");
  EXPECT_EQ(hostFor("[::1]:8080"), "exact");
  EXPECT_EQ(hostFor("[::2]:8080"), "any");
}

TEST(VirtualHostSelection, NoMatchingVirtualHostWithoutWildcardIs404) {
  config::Listener listener = parseListener(R"(
    virtual_hosts {
      name: "only"
      domains: "api.example.com"
      routes { match { prefix: "/" } route { cluster: "c" } }
    }
  )");
  RouteTable table(listener);
  EXPECT_EQ(table.match(requestHeaders("other.example.com", "/")), nullptr);
  EXPECT_EQ(table.match(requestHeaders("", "/")), nullptr);
}

TEST(VirtualHostSelection, ListenerWithoutVirtualHostsMatchesNothing) {
  config::Listener listener;
  RouteTable table(listener);
  EXPECT_EQ(table.routeCount(), 0u);
  EXPECT_EQ(table.match(requestHeaders("example.com", "/")), nullptr);
}

// ---- path matching ----

constexpr const char* kPathsListener = R"(
  virtual_hosts {
    name: "paths"
    domains: "*"
    routes { name: "exact_users" match { path: "/users" } route { cluster: "c" } }
    routes { name: "api_v1" match { prefix: "/api/v1/" } route { cluster: "c" } }
    routes { name: "api" match { prefix: "/api" } route { cluster: "c" } }
  }
)";

class PathMatchTest : public ::testing::Test {
 protected:
  std::string routeFor(std::string_view path) const { return matchedName(table_, requestHeaders("h", path)); }

  config::Listener listener_ = parseListener(kPathsListener);
  RouteTable table_{listener_};
};

TEST_F(PathMatchTest, ExactPathMatchesOnlyThatPath) {
  EXPECT_EQ(routeFor("/users"), "exact_users");
  EXPECT_EQ(routeFor("/users/"), "404");
  EXPECT_EQ(routeFor("/users/7"), "404");
  EXPECT_EQ(routeFor("/user"), "404");
}

TEST_F(PathMatchTest, ExactPathIgnoresQueryString) {
  EXPECT_EQ(routeFor("/users?page=2"), "exact_users");
  EXPECT_EQ(routeFor("/users?"), "exact_users");
}

TEST_F(PathMatchTest, PrefixMatchesPathsStartingWithIt) {
  EXPECT_EQ(routeFor("/api"), "api");
  EXPECT_EQ(routeFor("/apix"), "api");
  EXPECT_EQ(routeFor("/api/v2/things"), "api");
}

TEST_F(PathMatchTest, PrefixIsMatchedAgainstThePathNotTheQuery) {
  // "/api/v1/" appears only in the query, so the shorter prefix matches.
  EXPECT_EQ(routeFor("/api?next=/api/v1/x"), "api");
  EXPECT_EQ(routeFor("/x?p=/api"), "404");
}

TEST_F(PathMatchTest, PathMatchingIsCaseSensitive) {
  EXPECT_EQ(routeFor("/USERS"), "404");
  EXPECT_EQ(routeFor("/API"), "404");
}

TEST(PathMatch, FirstMatchingRouteWinsOverLaterMoreSpecificOnes) {
  config::Listener listener = parseListener(R"(
    virtual_hosts {
      name: "order"
      domains: "*"
      routes { name: "broad" match { prefix: "/" } route { cluster: "c" } }
      routes { name: "narrow" match { prefix: "/api" } route { cluster: "c" } }
      routes { name: "exact" match { path: "/api/x" } route { cluster: "c" } }
    }
  )");
  RouteTable table(listener);
  EXPECT_EQ(matchedName(table, requestHeaders("h", "/api/x")), "broad");
}

TEST_F(PathMatchTest, EarlierSpecificRouteWinsOverLaterBroadOne) {
  EXPECT_EQ(routeFor("/api/v1/x"), "api_v1");
}

TEST_F(PathMatchTest, NoMatchingRouteIs404) {
  EXPECT_EQ(routeFor("/other"), "404");
  EXPECT_EQ(routeFor("*"), "404");
}

// ---- header matchers ----

constexpr const char* kHeadersListener = R"(
  virtual_hosts {
    name: "headers"
    domains: "*"
    routes {
      name: "exact"
      match { prefix: "/exact" headers { name: "x-version" exact: "2" } }
      route { cluster: "c" }
    }
    routes {
      name: "prefix"
      match { prefix: "/prefix" headers { name: "user-agent" prefix: "curl/" } }
      route { cluster: "c" }
    }
    routes {
      name: "present"
      match { prefix: "/present" headers { name: "x-debug" present: true } }
      route { cluster: "c" }
    }
    routes {
      name: "absent"
      match { prefix: "/absent" headers { name: "x-debug" present: false } }
      route { cluster: "c" }
    }
    routes {
      name: "inverted"
      match { prefix: "/inverted" headers { name: "x-version" exact: "2" invert: true } }
      route { cluster: "c" }
    }
    routes {
      name: "name_only"
      match { prefix: "/name_only" headers { name: "x-debug" } }
      route { cluster: "c" }
    }
    routes {
      name: "all"
      match {
        prefix: "/all"
        headers { name: "x-a" exact: "1" }
        headers { name: "x-b" prefix: "b" }
      }
      route { cluster: "c" }
    }
  }
)";

class HeaderMatchTest : public ::testing::Test {
 protected:
  std::string routeFor(std::string_view path,
                       std::initializer_list<std::pair<std::string_view, std::string_view>> extra) const {
    return matchedName(table_, requestHeaders("h", path, extra));
  }

  config::Listener listener_ = parseListener(kHeadersListener);
  RouteTable table_{listener_};
};

TEST_F(HeaderMatchTest, ExactValue) {
  EXPECT_EQ(routeFor("/exact", {{"x-version", "2"}}), "exact");
  EXPECT_EQ(routeFor("/exact", {{"x-version", "20"}}), "404");
  EXPECT_EQ(routeFor("/exact", {}), "404");
}

TEST_F(HeaderMatchTest, HeaderNameIsCaseInsensitiveButValueIsNot) {
  EXPECT_EQ(routeFor("/exact", {{"X-Version", "2"}}), "exact");
  EXPECT_EQ(routeFor("/prefix", {{"user-agent", "CURL/8.0"}}), "404");
}

TEST_F(HeaderMatchTest, PrefixValue) {
  EXPECT_EQ(routeFor("/prefix", {{"User-Agent", "curl/8.0"}}), "prefix");
  EXPECT_EQ(routeFor("/prefix", {{"User-Agent", "curl/"}}), "prefix");
  EXPECT_EQ(routeFor("/prefix", {{"User-Agent", "wget/1.0"}}), "404");
}

TEST_F(HeaderMatchTest, PresentMatchesAnyValueIncludingEmpty) {
  EXPECT_EQ(routeFor("/present", {{"x-debug", "yes"}}), "present");
  EXPECT_EQ(routeFor("/present", {{"x-debug", ""}}), "present");
  EXPECT_EQ(routeFor("/present", {}), "404");
}

TEST_F(HeaderMatchTest, PresentFalseRequiresAbsence) {
  EXPECT_EQ(routeFor("/absent", {}), "absent");
  EXPECT_EQ(routeFor("/absent", {{"x-debug", "1"}}), "404");
}

TEST_F(HeaderMatchTest, MatcherWithOnlyANameTestsPresence) {
  EXPECT_EQ(routeFor("/name_only", {{"x-debug", "1"}}), "name_only");
  EXPECT_EQ(routeFor("/name_only", {}), "404");
}

TEST_F(HeaderMatchTest, InvertNegatesTheMatch) {
  EXPECT_EQ(routeFor("/inverted", {{"x-version", "1"}}), "inverted");
  EXPECT_EQ(routeFor("/inverted", {}), "inverted");
  EXPECT_EQ(routeFor("/inverted", {{"x-version", "2"}}), "404");
}

TEST_F(HeaderMatchTest, RepeatedHeaderMatchesWhenAnyValueDoes) {
  EXPECT_EQ(routeFor("/exact", {{"x-version", "1"}, {"x-version", "2"}}), "exact");
  EXPECT_EQ(routeFor("/exact", {{"x-version", "1"}, {"x-version", "3"}}), "404");
  EXPECT_EQ(routeFor("/prefix", {{"user-agent", "wget"}, {"User-Agent", "curl/7"}}), "prefix");
}

TEST_F(HeaderMatchTest, InvertWithRepeatedHeaderFailsWhenAnyValueMatches) {
  EXPECT_EQ(routeFor("/inverted", {{"x-version", "1"}, {"x-version", "2"}}), "404");
}

TEST_F(HeaderMatchTest, AllMatchersMustHold) {
  EXPECT_EQ(routeFor("/all", {{"x-a", "1"}, {"x-b", "banana"}}), "all");
  EXPECT_EQ(routeFor("/all", {{"x-a", "1"}}), "404");
  EXPECT_EQ(routeFor("/all", {{"x-b", "banana"}}), "404");
  EXPECT_EQ(routeFor("/all", {{"x-a", "2"}, {"x-b", "banana"}}), "404");
}

TEST(HeaderMatch, FailedHeaderMatcherFallsThroughToNextRoute) {
  config::Listener listener = parseListener(R"(
    virtual_hosts {
      name: "canary"
      domains: "*"
      routes {
        name: "canary"
        match { prefix: "/" headers { name: "x-canary" exact: "1" } }
        route { cluster: "canary" }
      }
      routes { name: "stable" match { prefix: "/" } route { cluster: "stable" } }
    }
  )");
  RouteTable table(listener);
  const RouteEntry* canary = table.match(requestHeaders("h", "/", {{"x-canary", "1"}}));
  ASSERT_NE(canary, nullptr);
  EXPECT_EQ(canary->cluster, "canary");
  const RouteEntry* stable = table.match(requestHeaders("h", "/"));
  ASSERT_NE(stable, nullptr);
  EXPECT_EQ(stable->cluster, "stable");
}

// ---- route identity ----

TEST(RouteIdentity, IdsAreDenseInConfigOrderAcrossVirtualHosts) {
  config::Listener listener = parseListener(R"(
    virtual_hosts {
      name: "first"
      domains: "a.example.com"
      routes { name: "a0" match { prefix: "/x" } route { cluster: "ca" } }
      routes { match { prefix: "/" } route { cluster: "ca" } }
    }
    virtual_hosts {
      name: "second"
      domains: "b.example.com"
      routes { match { path: "/" } route { cluster: "cb" } }
    }
  )");
  RouteTable table(listener);
  ASSERT_EQ(table.routeCount(), 3u);
  EXPECT_EQ(table.route(0).name, "a0");
  EXPECT_EQ(table.route(1).name, "first/1");
  EXPECT_EQ(table.route(2).name, "second/0");
  const auto& vhosts = listener.virtual_hosts();
  EXPECT_EQ(table.route(0).proto, &vhosts[0].routes(0));
  EXPECT_EQ(table.route(2).proto, &vhosts[1].routes(0));
  EXPECT_EQ(table.route(2).cluster, "cb");
  for (size_t id = 0; id < table.routeCount(); ++id) EXPECT_EQ(table.route(id).id, id);

  const RouteEntry* matched = table.match(requestHeaders("b.example.com", "/"));
  ASSERT_NE(matched, nullptr);
  EXPECT_EQ(matched, &table.route(2));
}

// ---- rewrites ----

constexpr const char* kRewriteListener = R"(
  virtual_hosts {
    name: "rewrites"
    domains: "*"
    routes {
      name: "strip_api"
      match { prefix: "/api/" }
      route { cluster: "c" prefix_rewrite: "/" }
    }
    routes {
      name: "exact_rename"
      match { path: "/old" }
      route { cluster: "c" prefix_rewrite: "/new/place" }
    }
    routes {
      name: "host_only"
      match { prefix: "/host" }
      route { cluster: "c" host_rewrite: "backend.internal:9000" }
    }
    routes {
      name: "both"
      match { prefix: "/both" }
      route { cluster: "c" prefix_rewrite: "/v2" host_rewrite: "v2.internal" }
    }
    routes { name: "plain" match { prefix: "/" } route { cluster: "c" } }
  }
)";

class RewriteTest : public ::testing::Test {
 protected:
  // Matches the request, applies the route's rewrites and returns the
  // resulting headers.
  http::HeaderMap rewritten(std::string_view path, std::string_view authority = "front.example.com") const {
    http::HeaderMap headers = requestHeaders(authority, path);
    const RouteEntry* route = table_.match(headers);
    EXPECT_NE(route, nullptr) << path;
    if (route != nullptr) RouteTable::applyRewrites(*route, headers);
    return headers;
  }

  std::string rewrittenPath(std::string_view path) const {
    return std::string(rewritten(path).get(":path").value_or("<none>"));
  }

  config::Listener listener_ = parseListener(kRewriteListener);
  RouteTable table_{listener_};
};

TEST_F(RewriteTest, PrefixRewriteReplacesOnlyTheMatchedPrefix) {
  EXPECT_EQ(rewrittenPath("/api/users/7"), "/users/7");
  EXPECT_EQ(rewrittenPath("/api/"), "/");
}

TEST_F(RewriteTest, PrefixRewriteKeepsTheQueryString) {
  EXPECT_EQ(rewrittenPath("/api/users?page=2&sort=id"), "/users?page=2&sort=id");
  EXPECT_EQ(rewrittenPath("/api/?q"), "/?q");
}

TEST_F(RewriteTest, ExactPathRewriteReplacesTheWholePath) { EXPECT_EQ(rewrittenPath("/old"), "/new/place"); }

TEST_F(RewriteTest, ExactPathRewriteKeepsTheQueryString) {
  EXPECT_EQ(rewrittenPath("/old?x=1"), "/new/place?x=1");
}

TEST_F(RewriteTest, NoRewriteConfiguredLeavesHeadersAlone) {
  http::HeaderMap headers = rewritten("/plain?x=1");
  EXPECT_EQ(headers.get(":path"), "/plain?x=1");
  EXPECT_EQ(headers.get(":authority"), "front.example.com");
}

TEST_F(RewriteTest, HostRewriteReplacesAuthorityAndKeepsPath) {
  http::HeaderMap headers = rewritten("/host/x?y", "front.example.com:8080");
  EXPECT_EQ(headers.get(":authority"), "backend.internal:9000");
  EXPECT_EQ(headers.get(":path"), "/host/x?y");
  EXPECT_EQ(headers.countOf(":authority"), 1u);
}

TEST_F(RewriteTest, PrefixAndHostRewriteTogether) {
  http::HeaderMap headers = rewritten("/both/items?id=3");
  EXPECT_EQ(headers.get(":path"), "/v2/items?id=3");
  EXPECT_EQ(headers.get(":authority"), "v2.internal");
}

TEST_F(RewriteTest, PathNoLongerMatchingTheRouteIsLeftUnchanged) {
  const RouteEntry* strip_api = table_.match(requestHeaders("h", "/api/x"));
  ASSERT_NE(strip_api, nullptr);
  http::HeaderMap headers = requestHeaders("h", "/a");
  RouteTable::applyRewrites(*strip_api, headers);
  EXPECT_EQ(headers.get(":path"), "/a");
}

}  // namespace
}  // namespace switchyard::router
