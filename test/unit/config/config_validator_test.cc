#include "config/config_validator.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchyard::config {
namespace {

using Errors = std::vector<std::string>;
using google::protobuf::util::TimeUtil;

// One listener with two filters, two virtual hosts and a route override;
// one cluster; admin. Each test breaks one rule.
constexpr const char* kValidConfigJson = R"({
  "listeners": [{
    "name": "http", "address": "127.0.0.1", "port": 8080,
    "filters": [{"name": "retry"}, {"name": "timeout"}],
    "virtual_hosts": [
      {"name": "api", "domains": ["api.example.com", "*.example.com"],
       "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "backend"},
                   "filter_overrides": {"retry": {"attempts": 1}}}]},
      {"name": "any", "domains": ["*"],
       "routes": [{"match": {"path": "/healthz"}, "route": {"cluster": "backend"}}]}
    ]
  }],
  "clusters": [{"name": "backend", "endpoints": [{"address": "127.0.0.1", "port": 9000}]}],
  "admin": {"address": "127.0.0.1", "port": 9901}
})";

class ConfigValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(kValidConfigJson, &bootstrap_).ok());
  }

  Errors errors() const { return validateBootstrap(bootstrap_); }

  Listener& listener() { return *bootstrap_.mutable_listeners(0); }
  VirtualHost& virtualHost(int index) { return *listener().mutable_virtual_hosts(index); }
  Route& route() { return *virtualHost(0).mutable_routes(0); }
  Cluster& cluster() { return *bootstrap_.mutable_clusters(0); }
  Endpoint& endpoint() { return *cluster().mutable_endpoints(0); }

  Listener& addListener(const std::string& name, uint32_t port) {
    Listener& added = *bootstrap_.add_listeners();
    added = bootstrap_.listeners(0);
    added.set_name(name);
    added.set_port(port);
    return added;
  }

  Bootstrap bootstrap_;
};

TEST_F(ConfigValidatorTest, ValidConfigHasNoErrors) { EXPECT_EQ(errors(), Errors{}); }

TEST_F(ConfigValidatorTest, RequiresAListener) {
  bootstrap_.clear_listeners();
  EXPECT_EQ(errors(), Errors{"listeners: at least one listener is required"});
}

TEST_F(ConfigValidatorTest, ListenerNameIsRequired) {
  listener().clear_name();
  EXPECT_EQ(errors(), Errors{"listeners[0].name: required"});
}

TEST_F(ConfigValidatorTest, ListenerNamesAreUnique) {
  addListener("http", 8081);
  EXPECT_EQ(errors(), Errors{"listeners[1].name: duplicate listener name \"http\" (also listeners[0])"});
}

TEST_F(ConfigValidatorTest, ListenerPortIsRequiredAndFitsSixteenBits) {
  listener().set_port(0);
  EXPECT_EQ(errors(), Errors{"listeners[0].port: required (1-65535)"});
  listener().set_port(65536);
  EXPECT_EQ(errors(), Errors{"listeners[0].port: 65536 is out of range 1-65535"});
  listener().set_port(65535);
  EXPECT_EQ(errors(), Errors{});
}

TEST_F(ConfigValidatorTest, ListenerAddressMustBeAnIpLiteral) {
  listener().set_address("localhost");
  EXPECT_EQ(errors(), Errors{"listeners[0].address: \"localhost\" is not an IPv4 or IPv6 address"});
  listener().set_address("::");
  EXPECT_EQ(errors(), Errors{});
  listener().clear_address();  // defaults to 127.0.0.1
  EXPECT_EQ(errors(), Errors{});
}

TEST_F(ConfigValidatorTest, TwoListenersOnOneAddressConflict) {
  addListener("other", 8080).set_address("");  // the default address is 127.0.0.1 too
  EXPECT_EQ(errors(), Errors{"listeners[1].port: 127.0.0.1:8080 is already used by listeners[0]"});
}

TEST_F(ConfigValidatorTest, AdminCannotShareAListenerAddress) {
  bootstrap_.mutable_admin()->set_port(8080);
  EXPECT_EQ(errors(), Errors{"admin.port: 127.0.0.1:8080 is already used by listeners[0]"});
}

TEST_F(ConfigValidatorTest, FilterNameIsRequired) {
  listener().mutable_filters(1)->clear_name();
  listener().mutable_filters(1)->set_module("timeout");
  EXPECT_EQ(errors(), Errors{"listeners[0].filters[1].name: required"});
}

TEST_F(ConfigValidatorTest, FilterNamesAreUniqueWithinAListener) {
  listener().mutable_filters(1)->set_name("retry");
  route().mutable_filter_overrides()->clear();
  EXPECT_EQ(
      errors(),
      Errors{"listeners[0].filters[1].name: duplicate filter name \"retry\" (also listeners[0].filters[0])"});
}

TEST_F(ConfigValidatorTest, SameFilterNameInTwoListenersIsFine) {
  addListener("other", 8081);
  EXPECT_EQ(errors(), Errors{});
}

TEST_F(ConfigValidatorTest, RequiresAVirtualHost) {
  listener().clear_virtual_hosts();
  EXPECT_EQ(errors(), Errors{"listeners[0].virtual_hosts: at least one virtual host is required"});
}

TEST_F(ConfigValidatorTest, VirtualHostNeedsADomain) {
  virtualHost(1).clear_domains();
  EXPECT_EQ(errors(), Errors{"listeners[0].virtual_hosts[1].domains: at least one domain is required"});
}

TEST_F(ConfigValidatorTest, AcceptsEveryDomainForm) {
  for (const char* domain : {"*", "*.svc.cluster.local", "localhost", "my_service", "10.0.0.1", "[::1]"}) {
    virtualHost(1).set_domains(0, domain);
    EXPECT_EQ(errors(), Errors{}) << domain;
  }
}

TEST_F(ConfigValidatorTest, RejectsMalformedDomains) {
  const std::string path = "listeners[0].virtual_hosts[1].domains[0]: ";
  struct Case {
    const char* domain;
    const char* problem;
  };
  for (const Case& c : {
           Case{"", "\"\": empty domain"},
           Case{"api.*.com",
                "\"api.*.com\": a wildcard must be the whole domain (\"*\") or a leading \"*.\""},
           Case{"*example.com",
                "\"*example.com\": a wildcard must be the whole domain (\"*\") or a leading \"*.\""},
           Case{"*.", "\"*.\": not a valid host name"},
           Case{"api.example.com:8080",
                "\"api.example.com:8080\": must not include a port (the port in Host is ignored when "
                "matching)"},
           Case{"bad..name", "\"bad..name\": not a valid host name"},
           Case{"white space", "\"white space\": not a valid host name"},
           Case{"[1.2.3.4]", "\"[1.2.3.4]\": invalid IPv6 literal"},
       }) {
    virtualHost(1).set_domains(0, c.domain);
    EXPECT_EQ(errors(), Errors{path + c.problem}) << c.domain;
  }
}

TEST_F(ConfigValidatorTest, DomainMayNotRepeatAcrossVirtualHosts) {
  virtualHost(1).set_domains(0, "API.Example.com");  // Host matching ignores case
  EXPECT_EQ(errors(),
            Errors{"listeners[0].virtual_hosts[1].domains[0]: \"API.Example.com\" is already listed at "
                   "listeners[0].virtual_hosts[0].domains[0]"});
}

TEST_F(ConfigValidatorTest, SameDomainInTwoListenersIsFine) {
  addListener("other", 8081);
  EXPECT_EQ(errors(), Errors{});
}

TEST_F(ConfigValidatorTest, RouteMatchNeedsPrefixOrPath) {
  route().mutable_match()->clear_prefix();
  EXPECT_EQ(errors(), Errors{"listeners[0].virtual_hosts[0].routes[0].match: must set prefix or path"});
}

TEST_F(ConfigValidatorTest, PrefixAndPathStartWithSlash) {
  route().mutable_match()->set_prefix("api");
  EXPECT_EQ(errors(),
            Errors{"listeners[0].virtual_hosts[0].routes[0].match.prefix: \"api\" must start with '/'"});
  route().mutable_match()->set_path("");
  EXPECT_EQ(errors(), Errors{"listeners[0].virtual_hosts[0].routes[0].match.path: \"\" must start with '/'"});
}

TEST_F(ConfigValidatorTest, HeaderMatcherNeedsAName) {
  route().mutable_match()->add_headers()->set_exact("1");
  EXPECT_EQ(errors(), Errors{"listeners[0].virtual_hosts[0].routes[0].match.headers[0].name: required"});
}

TEST_F(ConfigValidatorTest, RouteClusterIsRequired) {
  route().mutable_route()->clear_cluster();
  EXPECT_EQ(errors(), Errors{"listeners[0].virtual_hosts[0].routes[0].route.cluster: required"});
}

TEST_F(ConfigValidatorTest, RouteClusterMustBeDefined) {
  route().mutable_route()->set_cluster("payments");
  EXPECT_EQ(errors(),
            Errors{"listeners[0].virtual_hosts[0].routes[0].route.cluster: no cluster named \"payments\""});
}

TEST_F(ConfigValidatorTest, FilterOverridesNameAListenerFilter) {
  (*route().mutable_filter_overrides())["retri"];
  (*route().mutable_filter_overrides())["rate limit"];
  EXPECT_EQ(
      errors(),
      (Errors{"listeners[0].virtual_hosts[0].routes[0].filter_overrides[\"rate limit\"]: no filter named "
              "\"rate limit\" in this listener",
              "listeners[0].virtual_hosts[0].routes[0].filter_overrides.retri: no filter named \"retri\" "
              "in this listener"}));
}

TEST_F(ConfigValidatorTest, ClusterNameIsRequired) {
  cluster().clear_name();
  route().mutable_route()->clear_cluster();
  virtualHost(1).mutable_routes(0)->mutable_route()->clear_cluster();
  EXPECT_EQ(errors(), (Errors{"listeners[0].virtual_hosts[0].routes[0].route.cluster: required",
                              "listeners[0].virtual_hosts[1].routes[0].route.cluster: required",
                              "clusters[0].name: required"}));
}

TEST_F(ConfigValidatorTest, ClusterNamesAreUnique) {
  *bootstrap_.add_clusters() = cluster();
  EXPECT_EQ(errors(), Errors{"clusters[1].name: duplicate cluster name \"backend\" (also clusters[0])"});
}

TEST_F(ConfigValidatorTest, ClusterNeedsAnEndpoint) {
  cluster().clear_endpoints();
  EXPECT_EQ(errors(), Errors{"clusters[0].endpoints: at least one endpoint is required"});
}

TEST_F(ConfigValidatorTest, EndpointAddressIsARequiredIpLiteral) {
  endpoint().clear_address();
  EXPECT_EQ(errors(), Errors{"clusters[0].endpoints[0].address: required"});
  endpoint().set_address("backend.internal");
  EXPECT_EQ(errors(),
            Errors{"clusters[0].endpoints[0].address: \"backend.internal\" is not an IPv4 or IPv6 address"});
  endpoint().set_address("fd00::5");
  EXPECT_EQ(errors(), Errors{});
}

TEST_F(ConfigValidatorTest, StrictDnsEndpointIsAHostNameOrAnIpLiteral) {
  cluster().set_type(Cluster::STRICT_DNS);
  for (const char* address : {"backend.internal", "backend.internal.", "api", "10.0.0.1", "::1"}) {
    endpoint().set_address(address);
    EXPECT_EQ(errors(), Errors{}) << address;
  }
  endpoint().set_address("bad name!");
  EXPECT_EQ(errors(),
            Errors{"clusters[0].endpoints[0].address: \"bad name!\" is not a host name or an IP address"});
}

TEST_F(ConfigValidatorTest, DnsSettingsNeedAStrictDnsCluster) {
  cluster().mutable_dns_refresh_rate()->set_seconds(1);
  cluster().set_respect_dns_ttl(false);
  cluster().add_dns_resolvers("127.0.0.1:53");
  cluster().set_max_hosts(8);
  cluster().set_dns_lookup_family(Cluster::V6_ONLY);
  const char* problem = "applies only to STRICT_DNS clusters (this one is STATIC)";
  EXPECT_EQ(errors(), (Errors{std::string("clusters[0].dns_refresh_rate: ") + problem,
                              std::string("clusters[0].respect_dns_ttl: ") + problem,
                              std::string("clusters[0].dns_resolvers: ") + problem,
                              std::string("clusters[0].max_hosts: ") + problem,
                              std::string("clusters[0].dns_lookup_family: ") + problem}));
  cluster().set_type(Cluster::STRICT_DNS);
  EXPECT_EQ(errors(), Errors{});
}

TEST_F(ConfigValidatorTest, DnsRefreshRatesArePositiveAndOrdered) {
  cluster().set_type(Cluster::STRICT_DNS);
  *cluster().mutable_dns_refresh_rate() = TimeUtil::MillisecondsToDuration(0);
  *cluster().mutable_dns_min_refresh_rate() = TimeUtil::SecondsToDuration(10);
  *cluster().mutable_dns_max_refresh_rate() = TimeUtil::SecondsToDuration(5);
  EXPECT_EQ(errors(), (Errors{"clusters[0].dns_refresh_rate: must be at least 1ms (got 0s)",
                              "clusters[0].dns_min_refresh_rate: must not be above dns_max_refresh_rate"}));
}

TEST_F(ConfigValidatorTest, DnsResolversAreIpAndPort) {
  cluster().set_type(Cluster::STRICT_DNS);
  for (const char* resolver : {"127.0.0.1:5353", "127.0.0.1", "[::1]:53", "::1"}) cluster().add_dns_resolvers(resolver);
  EXPECT_EQ(errors(), Errors{});
  cluster().clear_dns_resolvers();
  for (const char* resolver : {"dns.example:53", "127.0.0.1:", "127.0.0.1:70000", "[::1"}) {
    cluster().add_dns_resolvers(resolver);
  }
  const char* form = " is not \"ip:port\" (\"[ipv6]:port\" for IPv6)";
  EXPECT_EQ(errors(), (Errors{std::string("clusters[0].dns_resolvers[0]: \"dns.example:53\"") + form,
                              std::string("clusters[0].dns_resolvers[1]: \"127.0.0.1:\"") + form,
                              std::string("clusters[0].dns_resolvers[2]: \"127.0.0.1:70000\"") + form,
                              std::string("clusters[0].dns_resolvers[3]: \"[::1\"") + form}));
}

TEST_F(ConfigValidatorTest, MaxHostsIsCapped) {
  cluster().set_type(Cluster::STRICT_DNS);
  cluster().set_max_hosts(4097);
  EXPECT_EQ(errors(), Errors{"clusters[0].max_hosts: 4097 is above the maximum 4096"});
}

TEST_F(ConfigValidatorTest, EndpointPortIsRequiredAndFitsSixteenBits) {
  endpoint().set_port(0);
  EXPECT_EQ(errors(), Errors{"clusters[0].endpoints[0].port: required (1-65535)"});
  endpoint().set_port(100000);
  EXPECT_EQ(errors(), Errors{"clusters[0].endpoints[0].port: 100000 is out of range 1-65535"});
}

TEST_F(ConfigValidatorTest, EndpointWeightZeroMeansOneButIsCapped) {
  endpoint().set_weight(0);
  EXPECT_EQ(errors(), Errors{});
  endpoint().set_weight(kMaxEndpointWeight);
  EXPECT_EQ(errors(), Errors{});
  endpoint().set_weight(kMaxEndpointWeight + 1);
  EXPECT_EQ(errors(), Errors{"clusters[0].endpoints[0].weight: 1000001 is above the maximum 1000000"});
}

TEST_F(ConfigValidatorTest, MaglevTableSizeIsAPrimeWithinBounds) {
  cluster().set_lb_policy(Cluster::MAGLEV);
  EXPECT_EQ(errors(), Errors{});  // the default, 65537
  auto& maglev = *cluster().mutable_maglev_lb_config();
  for (uint64_t prime : {2u, 131071u, 1000003u, 5000011u}) {
    maglev.set_table_size(prime);
    EXPECT_EQ(errors(), Errors{}) << prime;
  }
  maglev.set_table_size(65536);
  EXPECT_EQ(errors(),
            Errors{"clusters[0].maglev_lb_config.table_size: 65536 is not a prime (each endpoint steps "
                   "through the table by a stride that must reach every slot; e.g. 65537, 131071 or "
                   "1000003)"});
  maglev.set_table_size(1);
  EXPECT_EQ(errors().size(), 1u);
  maglev.set_table_size(5000012);
  EXPECT_EQ(errors(),
            Errors{"clusters[0].maglev_lb_config.table_size: 5000012 is above the maximum 5000011"});
  maglev.set_table_size(2);
  *cluster().add_endpoints() = endpoint();
  *cluster().add_endpoints() = endpoint();
  EXPECT_EQ(errors(),
            Errors{"clusters[0].maglev_lb_config.table_size: 2 is smaller than the 3 endpoints (each "
                   "needs a slot, and about 100 slots each give even shares)"});
}

TEST_F(ConfigValidatorTest, RingSizesAreBoundedAndOrdered) {
  cluster().set_lb_policy(Cluster::RING_HASH);
  auto& ring = *cluster().mutable_ring_hash_lb_config();
  ring.set_minimum_ring_size(64);
  ring.set_maximum_ring_size(4096);
  EXPECT_EQ(errors(), Errors{});
  ring.set_minimum_ring_size(8192);
  EXPECT_EQ(
      errors(),
      Errors{"clusters[0].ring_hash_lb_config.minimum_ring_size: 8192 is above maximum_ring_size 4096"});
  ring.set_minimum_ring_size(0);
  ring.set_maximum_ring_size(kMaxRingSize + 1);
  EXPECT_EQ(errors(),
            Errors{"clusters[0].ring_hash_lb_config.maximum_ring_size: 8388609 is above the maximum "
                   "8388608"});
}

TEST_F(ConfigValidatorTest, HashTableSettingsNeedTheirPolicy) {
  cluster().mutable_ring_hash_lb_config()->set_minimum_ring_size(64);
  cluster().mutable_maglev_lb_config()->set_table_size(65537);
  EXPECT_EQ(errors(), (Errors{"clusters[0].ring_hash_lb_config: set only with lb_policy RING_HASH",
                              "clusters[0].maglev_lb_config: set only with lb_policy MAGLEV"}));
}

TEST_F(ConfigValidatorTest, HashPoliciesNameAHeaderCookieOrTheSourceIp) {
  auto& action = *route().mutable_route();
  action.add_hash_policy()->mutable_header()->set_header_name("x-user");
  action.add_hash_policy()->mutable_cookie()->set_name("session");
  action.add_hash_policy()->mutable_connection_properties()->set_source_ip(true);
  // Allowed on a route whose cluster (ROUND_ROBIN here) does not hash: ignored.
  EXPECT_EQ(errors(), Errors{});

  action.mutable_hash_policy(0)->mutable_header()->set_header_name("x user");
  action.mutable_hash_policy(1)->mutable_cookie()->clear_name();
  action.mutable_hash_policy(2)->mutable_connection_properties()->set_source_ip(false);
  action.add_hash_policy();
  const std::string path = "listeners[0].virtual_hosts[0].routes[0].route.hash_policy";
  EXPECT_EQ(
      errors(),
      (Errors{path + "[0].header.header_name: \"x user\" is not a header name (letters, digits and "
                     "!#$%&'*+-.^_`|~ only)",
              path + "[1].cookie.name: required",
              path + "[2].connection_properties.source_ip: must be true (the client's IP address is the "
                     "only connection property)",
              path + "[3]: must set header, cookie or connection_properties"}));
}

TEST_F(ConfigValidatorTest, RequestHeadersLimitRange) {
  HttpLimits& limits = *listener().mutable_limits();
  const std::string path = "listeners[0].limits.max_request_headers_bytes: ";
  limits.set_max_request_headers_bytes(1023);
  EXPECT_EQ(errors(), Errors{path + "1023 is out of range 1024-1048576"});
  limits.set_max_request_headers_bytes(1048577);
  EXPECT_EQ(errors(), Errors{path + "1048577 is out of range 1024-1048576"});
  for (uint32_t valid : {0u, 1024u, 1048576u}) {
    limits.set_max_request_headers_bytes(valid);
    EXPECT_EQ(errors(), Errors{}) << valid;
  }
}

TEST_F(ConfigValidatorTest, BufferLimitMinimum) {
  HttpLimits& limits = *listener().mutable_limits();
  limits.set_max_buffer_bytes(16383);
  EXPECT_EQ(errors(), Errors{"listeners[0].limits.max_buffer_bytes: 16383 is below the minimum 16384"});
  for (uint32_t valid : {0u, 16384u, 4294967295u}) {
    limits.set_max_buffer_bytes(valid);
    EXPECT_EQ(errors(), Errors{}) << valid;
  }
}

TEST_F(ConfigValidatorTest, DurationsMustNotBeNegative) {
  DownstreamTimeouts& timeouts = *listener().mutable_timeouts();
  *timeouts.mutable_idle_timeout() = TimeUtil::MillisecondsToDuration(-1);
  *timeouts.mutable_request_headers_timeout() = TimeUtil::SecondsToDuration(-2);
  *timeouts.mutable_drain_timeout() = TimeUtil::SecondsToDuration(0);  // zero is allowed
  *cluster().mutable_connect_timeout() = TimeUtil::SecondsToDuration(-3);
  *cluster().mutable_idle_timeout() = TimeUtil::MillisecondsToDuration(-500);
  EXPECT_EQ(errors(), (Errors{
                          "listeners[0].timeouts.idle_timeout: must not be negative (got -0.001s)",
                          "listeners[0].timeouts.request_headers_timeout: must not be negative (got -2s)",
                          "clusters[0].connect_timeout: must not be negative (got -3s)",
                          "clusters[0].idle_timeout: must not be negative (got -0.500s)",
                      }));
}

TEST_F(ConfigValidatorTest, HealthPanicThresholdIsAPercent) {
  cluster().set_healthy_panic_threshold(0);  // set, and allowed: never panic while any host is healthy
  EXPECT_EQ(errors(), Errors{});
  cluster().set_healthy_panic_threshold(100.5);
  EXPECT_EQ(errors(), Errors{"clusters[0].healthy_panic_threshold: must be a percent from 0 to 100"});
}

TEST_F(ConfigValidatorTest, HealthCheckNeedsACheckerAndSaneTimes) {
  HealthCheck& check = *cluster().mutable_health_check();
  *check.mutable_interval() = TimeUtil::SecondsToDuration(0);
  check.set_interval_jitter_percent(101);
  EXPECT_EQ(errors(), (Errors{
                          "clusters[0].health_check.interval: must be at least 1ms (got 0s)",
                          "clusters[0].health_check.interval_jitter_percent: 101 is above 100",
                          "clusters[0].health_check: one of http_health_check or tcp_health_check is required",
                      }));
}

TEST_F(ConfigValidatorTest, HttpHealthCheckPathAndStatusRanges) {
  HttpHealthCheck& http = *cluster().mutable_health_check()->mutable_http_health_check();
  http.set_path("healthz");
  StatusRange& range = *http.add_expected_statuses();
  range.set_start(200);
  range.set_end(200);
  EXPECT_EQ(errors(), (Errors{
                          "clusters[0].health_check.http_health_check.path: \"healthz\" must start with '/'",
                          "clusters[0].health_check.http_health_check.expected_statuses[0]: [200, 200) is not a "
                          "range of statuses: start 100-599, end above start and at most 600",
                      }));
}

TEST_F(ConfigValidatorTest, OutlierDetectionLimits) {
  OutlierDetection& outliers = *cluster().mutable_outlier_detection();
  *outliers.mutable_base_ejection_time() = TimeUtil::SecondsToDuration(10);
  *outliers.mutable_max_ejection_time() = TimeUtil::SecondsToDuration(5);
  outliers.set_max_ejection_percent(150);
  outliers.set_require_check_to_return(true);
  EXPECT_EQ(errors(), (Errors{
                          "clusters[0].outlier_detection.max_ejection_time: must not be below base_ejection_time",
                          "clusters[0].outlier_detection.max_ejection_percent: 150 is above 100",
                          "clusters[0].outlier_detection.require_check_to_return: needs the cluster's "
                          "health_check (an ejected endpoint returns after a passing probe)",
                      }));
  cluster().mutable_health_check()->mutable_tcp_health_check();
  outliers.set_max_ejection_percent(100);
  outliers.clear_max_ejection_time();
  EXPECT_EQ(errors(), Errors{});
}

TEST_F(ConfigValidatorTest, AdminPortAndAddress) {
  Admin& admin = *bootstrap_.mutable_admin();
  admin.set_port(0);
  admin.set_address("any");
  EXPECT_EQ(errors(), (Errors{"admin.address: \"any\" is not an IPv4 or IPv6 address",
                              "admin.port: required (1-65535)"}));
  admin.set_port(70000);
  admin.clear_address();
  EXPECT_EQ(errors(), Errors{"admin.port: 70000 is out of range 1-65535"});
  bootstrap_.clear_admin();
  EXPECT_EQ(errors(), Errors{});
}

TEST_F(ConfigValidatorTest, ReportsEveryProblemNotJustTheFirst) {
  listener().set_port(0);
  listener().mutable_filters(0)->set_name("timeout");
  virtualHost(1).set_domains(0, "api.example.com");
  route().mutable_route()->set_cluster("missing");
  endpoint().set_weight(5'000'000);
  bootstrap_.mutable_admin()->set_address("nowhere");
  EXPECT_EQ(errors(),
            (Errors{
                "listeners[0].port: required (1-65535)",
                "listeners[0].filters[1].name: duplicate filter name \"timeout\" (also "
                "listeners[0].filters[0])",
                "listeners[0].virtual_hosts[0].routes[0].route.cluster: no cluster named \"missing\"",
                "listeners[0].virtual_hosts[0].routes[0].filter_overrides.retry: no filter named "
                "\"retry\" in this listener",
                "listeners[0].virtual_hosts[1].domains[0]: \"api.example.com\" is already listed at "
                "listeners[0].virtual_hosts[0].domains[0]",
                "clusters[0].endpoints[0].weight: 5000000 is above the maximum 1000000",
                "admin.address: \"nowhere\" is not an IPv4 or IPv6 address",
            }));
}

}  // namespace
}  // namespace switchyard::config
