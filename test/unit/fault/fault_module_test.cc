// The fault module (modules/fault, built as fault.so), opened with dlopen as
// the proxy opens it and driven hook by hook with the fake host: its typed
// config calls are the core's, and its runtime values, random numbers,
// clock and timers are the test's. It shows what each fault does to a
// stream, which requests are in scope, what request headers and runtime
// values change, the cap on faults in flight and the pacing of a body.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "fake_host.h"

namespace fault_test {
namespace {

using switchyard::fake_host::FakeHeaders;
using switchyard::fake_host::fakeHost;
using switchyard::fake_host::fakeHostTable;
using switchyard::fake_host::FakeStream;
using switchyard::fake_host::TestConfig;
using switchyard::fake_host::truncatedTable;

using Values = std::vector<std::string>;

// random_u64 answers that always hit (0) or hit only a 100% chance.
constexpr uint64_t kAlwaysHits = 0;
constexpr uint64_t kHitsOnlyCertainty = 999999;

sy_module_entry_fn moduleEntry() {
  static void* handle = dlopen(FAULT_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return nullptr;
  return reinterpret_cast<sy_module_entry_fn>(dlsym(handle, SY_MODULE_ENTRY_SYMBOL));
}

struct TestStream {
  FakeStream fake;
  void* context = nullptr;
};

class FaultModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fakeHost().reset();
    sy_module_entry_fn entry = moduleEntry();
    ASSERT_NE(entry, nullptr) << dlerror();
    module_ = entry(fakeHostTable());
    ASSERT_NE(module_, nullptr);
    char error[256] = "";
    ASSERT_EQ(module_->module_init(error, sizeof error), SY_OK) << error;
  }

  void TearDown() override {
    for (auto& stream : streams_) {
      if (stream.context != nullptr) module_->stream_destroy(stream.context);
    }
    for (void* config : configs_) module_->config_destroy(config);
  }

  const void* configure(const std::string& json) {
    char error[1024] = "";
    void* config = nullptr;
    TestConfig input(json, "fault");
    EXPECT_EQ(module_->config_new(input.context(), input.json(), &config, error, sizeof error), SY_OK)
        << error << (input.errors().empty() ? "" : input.errors()[0]);
    configs_.push_back(config);
    return config;
  }

  std::string rejection(const std::string& json) {
    char error[1024] = "";
    void* config = nullptr;
    TestConfig input(json, "fault");
    EXPECT_NE(module_->config_new(input.context(), input.json(), &config, error, sizeof error), SY_OK);
    std::string joined;
    for (const auto& line : input.errors()) joined += (joined.empty() ? "" : "\n") + line;
    return joined;
  }

  TestStream& startStream(const void* config, const std::string& cluster = "backend") {
    TestStream& stream = streams_.emplace_back();
    stream.fake.properties[SY_PROP_CLUSTER_NAME] = cluster;
    EXPECT_EQ(module_->stream_new(stream.fake.handle(), config, &stream.context), SY_OK);
    return stream;
  }

  sy_filter_status requestHeaders(TestStream& stream, FakeHeaders headers = {}) {
    headers.fields.insert(headers.fields.begin(), {{":method", "GET"}, {":path", "/echo"}});
    return module_->request_headers(stream.fake.handle(), stream.context, headers.handle(), 1);
  }

  // Runs a fresh stream's request headers; true when it got a fault.
  bool faulted(const void* config, FakeHeaders headers = {}, const std::string& cluster = "backend") {
    TestStream& stream = startStream(config, cluster);
    sy_filter_status status = requestHeaders(stream, std::move(headers));
    module_->stream_complete(stream.fake.handle(), stream.context);
    return status != SY_FILTER_CONTINUE || !stream.fake.local_replies.empty();
  }

  const sy_filter_module* module_ = nullptr;
  std::vector<void*> configs_;
  std::deque<TestStream> streams_;  // stable addresses: the module keeps the handles
};

TEST_F(FaultModuleTest, NeedsAbi14AndSaysSo) {
  EXPECT_EQ(module_->abi.minor, SY_ABI_VERSION_MINOR);
  EXPECT_STREQ(module_->name, "fault");
  const sy_host_api host_1_3 = truncatedTable(offsetof(sy_host_api, stream_set_request_id), 3);
  const sy_filter_module* module = moduleEntry()(&host_1_3);
  char error[256] = "";
  EXPECT_EQ(module->module_init(error, sizeof error), SY_ERR_UNSUPPORTED);
  EXPECT_STREQ(
      error, "fault needs ABI 1.4 (runtime_get and stream_release_response_body), but this host has ABI 1.3");
  moduleEntry()(fakeHostTable());
  EXPECT_EQ(module->module_init(error, sizeof error), SY_OK);
}

TEST_F(FaultModuleTest, ConfigDefinesItsMetricsAndNamesEveryBadField) {
  configure("{}");
  EXPECT_EQ(fakeHost().metric_names,
            (Values{"fault.delays_injected", "fault.aborts_injected", "fault.active_faults",
                    "fault.response_rate_limited", "fault.faults_overflow"}));
  EXPECT_EQ(fakeHost().metric_kinds[2], SY_METRIC_GAUGE);
  EXPECT_EQ(rejection(R"({"delay": {"percent": 50}})"),
            "config.delay: fixed_delay is required: how long a delayed request waits (e.g. \"2s\")");
  EXPECT_EQ(rejection(R"({"abort": {"http_status": 700, "percent": 150}})"),
            "config.abort.http_status: expected an integer from 200 to 599, got 700\n"
            "config.abort.percent: expected a number from 0 to 100, got 150");
  EXPECT_EQ(
      rejection(R"({"abort": {"http_status": 503, "percent": 0.00001}})"),
      "config.abort.percent: has more than four decimals (the finest chance is 0.0001%, one in a million)");
  EXPECT_EQ(
      rejection(
          R"({"delay": {"fixed_delay": "1s", "percentage": {"numerator": 5, "denominator": "THOUSAND"}}})"),
      "config.delay.percentage.denominator: expected HUNDRED, TEN_THOUSAND or MILLION, got \"THOUSAND\"");
  EXPECT_EQ(rejection(R"({"delay": {"fixed_delay": "1s", "percentage": {"numerator": 101}}})"),
            "config.delay.percentage.numerator: expected an integer from 0 to 100, got 101");
  EXPECT_EQ(rejection(R"({"delay": {"fixed_delay": "1s", "percent": 5, "percentage": {"numerator": 5}}})"),
            "config.delay.percent: give percent or percentage, not both");
  EXPECT_EQ(rejection(R"({"response_rate_limit": {"percent": 5}})"),
            "config.response_rate_limit: fixed_limit: {limit_kbps: N} is required: the body rate in KiB per "
            "second");
  EXPECT_EQ(rejection(R"({"headers": [{"name": "x-a", "exact_match": "1", "prefix_match": "2"}]})"),
            "config.headers[0]: give one of exact_match, prefix_match and present_match");
  EXPECT_EQ(rejection(R"({"runtime_prefix": "a b"})"),
            "config.runtime_prefix: expected 1 to 100 letters, digits, '_', '-' or '.', got \"a b\"");
  EXPECT_EQ(rejection(R"({"header_control": {"allowed_statuses": [503, 99]}})"),
            "config.header_control.allowed_statuses[1]: expected an integer from 200 to 599, got 99");
  EXPECT_EQ(rejection(R"({"upstream_cluster": "a", "upstream_clusters": ["b"]})"),
            "config.upstream_cluster: give upstream_cluster or upstream_clusters, not both");
  EXPECT_EQ(rejection(R"({"delays": {}})").rfind("config.delays: unknown field", 0), 0u);
}

TEST_F(FaultModuleTest, TheClassicDelayHoldsTheRequestForItsTimeWithFlagDI) {
  fakeHost().random = kAlwaysHits;
  const void* config = configure(R"({"delay": {"fixed_delay": "20s", "percent": 50}})");
  TestStream& stream = startStream(config);
  EXPECT_EQ(requestHeaders(stream), SY_FILTER_STOP_ITERATION);
  EXPECT_EQ(stream.fake.response_flags, Values{"DI"});
  EXPECT_EQ(fakeHost().metric("fault.delays_injected"), 1);
  EXPECT_EQ(fakeHost().metric("fault.active_faults"), 1);
  fakeHost().advance(19999);
  EXPECT_EQ(stream.fake.request_continues, 0);
  fakeHost().advance(1);
  EXPECT_EQ(stream.fake.request_continues, 1);
  EXPECT_TRUE(stream.fake.local_replies.empty());
  module_->stream_complete(stream.fake.handle(), stream.context);
  EXPECT_EQ(fakeHost().metric("fault.active_faults"), 0);
}

TEST_F(FaultModuleTest, AClientGoneMidDelayEndsTheDelayAndGivesTheSlotBack) {
  fakeHost().random = kAlwaysHits;
  TestStream& stream = startStream(configure(R"({"delay": {"fixed_delay": "5s"}})"));
  EXPECT_EQ(requestHeaders(stream), SY_FILTER_STOP_ITERATION);
  module_->stream_complete(stream.fake.handle(), stream.context);  // the host completes a reset stream
  EXPECT_EQ(stream.fake.armedTimers(), 0u);
  EXPECT_EQ(fakeHost().metric("fault.active_faults"), 0);
  fakeHost().advance(10000);
  EXPECT_EQ(stream.fake.request_continues, 0);
}

TEST_F(FaultModuleTest, AnAbortIsALocalReplyWithFlagFIAndDetails) {
  fakeHost().random = kAlwaysHits;
  TestStream& stream = startStream(configure(R"({"abort": {"http_status": 503, "percent": 20}})"));
  EXPECT_EQ(requestHeaders(stream), SY_FILTER_STOP_ITERATION);
  ASSERT_EQ(stream.fake.local_replies.size(), 1u);
  EXPECT_EQ(stream.fake.local_replies[0].status, 503u);
  EXPECT_EQ(stream.fake.local_replies[0].body, "fault filter abort\n");
  EXPECT_EQ(stream.fake.local_replies[0].details, "fault_abort");
  EXPECT_EQ(stream.fake.response_flags, Values{"FI"});
  EXPECT_EQ(fakeHost().metric("fault.aborts_injected"), 1);
}

TEST_F(FaultModuleTest, ADelayedAbortAnswersWhenTheDelayIsOver) {
  fakeHost().random = kAlwaysHits;
  TestStream& stream =
      startStream(configure(R"({"delay": {"fixed_delay": "100ms"}, "abort": {"http_status": 500}})"));
  EXPECT_EQ(requestHeaders(stream), SY_FILTER_STOP_ITERATION);
  EXPECT_TRUE(stream.fake.local_replies.empty());
  fakeHost().advance(100);
  ASSERT_EQ(stream.fake.local_replies.size(), 1u);
  EXPECT_EQ(stream.fake.local_replies[0].status, 500u);
  EXPECT_EQ(stream.fake.response_flags, (Values{"DI", "FI"}));
  EXPECT_EQ(stream.fake.request_continues, 0);
}

TEST_F(FaultModuleTest, EnvoyPercentagesOverTenThousandAndAMillion) {
  const void* ten_thousand = configure(
      R"({"abort": {"http_status": 503, "percentage": {"numerator": 1, "denominator": "TEN_THOUSAND"}}})");
  const void* million = configure(
      R"({"abort": {"http_status": 503, "percentage": {"numerator": 1, "denominator": "MILLION"}}})");
  const void* hundred = configure(R"({"abort": {"http_status": 503, "percentage": {"numerator": 20}}})");
  fakeHost().random = 99;  // under 100 in a million: 0.01% hits
  EXPECT_TRUE(faulted(ten_thousand));
  EXPECT_FALSE(faulted(million));
  fakeHost().random = 100;
  EXPECT_FALSE(faulted(ten_thousand));
  fakeHost().random = 0;
  EXPECT_TRUE(faulted(million));
  fakeHost().random = 199999;
  EXPECT_TRUE(faulted(hundred));
  fakeHost().random = 200000;
  EXPECT_FALSE(faulted(hundred));
}

TEST_F(FaultModuleTest, OnlyRequestsToTheGivenClustersWithMatchingHeadersFromListedCallers) {
  fakeHost().random = kAlwaysHits;
  const void* clusters = configure(R"({"abort": {"http_status": 503}, "upstream_clusters": ["a", "b"]})");
  EXPECT_TRUE(faulted(clusters, {}, "b"));
  EXPECT_FALSE(faulted(clusters, {}, "backend"));
  const void* headers = configure(R"({"abort": {"http_status": 503}, "headers": [
      {"name": "x-user", "exact_match": "tester"}, {"name": "x-path", "prefix_match": "/api/"},
      {"name": "x-canary", "present_match": true}, {"name": "x-skip", "present_match": true, "invert_match": true}]})");
  FakeHeaders all{{{"x-user", "tester"}, {"x-path", "/api/v1"}, {"x-canary", ""}}};
  EXPECT_TRUE(faulted(headers, all));
  FakeHeaders wrong_user = all;
  wrong_user.fields[0].second = "tester2";
  EXPECT_FALSE(faulted(headers, wrong_user));
  FakeHeaders wrong_prefix = all;
  wrong_prefix.fields[1].second = "/apx/";
  EXPECT_FALSE(faulted(headers, wrong_prefix));
  FakeHeaders skipped = all;
  skipped.fields.push_back({"x-skip", "1"});
  EXPECT_FALSE(faulted(headers, skipped));
  FakeHeaders no_canary{{{"x-user", "tester"}, {"x-path", "/api/v1"}}};
  EXPECT_FALSE(faulted(headers, no_canary));
  const void* by_path =
      configure(R"({"abort": {"http_status": 503}, "headers": [{"name": ":path", "prefix_match": "/ec"}]})");
  EXPECT_TRUE(faulted(by_path)) << "pseudo-headers match too (the request is GET /echo)";
  EXPECT_EQ(rejection(R"({"headers": [{"name": "x y"}]})"),
            "config.headers[0].name: \"x y\" is not a valid header name (an HTTP token, or ':' and one)");
  const void* callers = configure(R"({"abort": {"http_status": 503}, "downstream_nodes": ["checkout"]})");
  EXPECT_TRUE(faulted(callers, {{{"x-switchyard-downstream-service", "checkout"}}}));
  EXPECT_FALSE(faulted(callers, {{{"x-switchyard-downstream-service", "cart"}}}));
  EXPECT_FALSE(faulted(callers));
  const void* envoy_callers = configure(R"({"abort": {"http_status": 503}, "downstream_nodes": ["checkout"],
      "downstream_service_header": "x-envoy-downstream-service-cluster"})");
  EXPECT_TRUE(faulted(envoy_callers, {{{"x-envoy-downstream-service-cluster", "checkout"}}}));
  EXPECT_FALSE(faulted(envoy_callers, {{{"x-switchyard-downstream-service", "checkout"}}}));
}

TEST_F(FaultModuleTest, FaultHeadersAreIgnoredUnlessEnabledAndBoundedWhenEnabled) {
  fakeHost().random = kHitsOnlyCertainty;
  FakeHeaders asks{{{"x-envoy-fault-abort-request", "418"}, {"x-envoy-fault-delay-request", "60000"}}};
  EXPECT_FALSE(faulted(configure("{}"), asks));
  const void* enabled = configure(
      R"({"header_control": {"enabled": true, "max_delay": "2s", "allowed_statuses": [503, 504]}})");
  TestStream& delayed = startStream(enabled);
  EXPECT_EQ(requestHeaders(delayed, asks), SY_FILTER_STOP_ITERATION) << "418 is not allowed; the delay is";
  fakeHost().advance(2000);
  EXPECT_EQ(delayed.fake.request_continues, 1) << "60 s asked for, capped at max_delay";
  EXPECT_TRUE(delayed.fake.local_replies.empty());
  TestStream& aborted = startStream(enabled);
  requestHeaders(aborted, {{{"x-envoy-fault-abort-request", "503"}}});
  ASSERT_EQ(aborted.fake.local_replies.size(), 1u);
  EXPECT_EQ(aborted.fake.local_replies[0].status, 503u);
  EXPECT_FALSE(faulted(
      enabled, {{{"x-envoy-fault-abort-request", "503"}, {"x-envoy-fault-abort-request-percentage", "50"}}}))
      << "the header's percentage applies";
}

TEST_F(FaultModuleTest, RuntimeValuesChangeChanceStatusAndDelayWhileServing) {
  fakeHost().random = kHitsOnlyCertainty;
  const void* config = configure(R"({"abort": {"http_status": 503, "percent": 0},
                                     "delay": {"fixed_delay": "1s", "percent": 0}})");
  EXPECT_FALSE(faulted(config));
  fakeHost().runtime["fault.abort.percent"] = "100";
  fakeHost().runtime["fault.abort.http_status"] = "418";
  TestStream& aborted = startStream(config);
  requestHeaders(aborted);
  ASSERT_EQ(aborted.fake.local_replies.size(), 1u);
  EXPECT_EQ(aborted.fake.local_replies[0].status, 418u);
  fakeHost().runtime["fault.abort.percent"] = "lots";  // not a percentage: the config's 0 stays
  EXPECT_FALSE(faulted(config));
  fakeHost().runtime["fault.delay.percent"] = "100";
  fakeHost().runtime["fault.delay.fixed_delay_ms"] = "250";
  TestStream& delayed = startStream(config);
  EXPECT_EQ(requestHeaders(delayed), SY_FILTER_STOP_ITERATION);
  fakeHost().advance(250);
  EXPECT_EQ(delayed.fake.request_continues, 1);
  const void* prefixed =
      configure(R"({"abort": {"http_status": 503, "percent": 0}, "runtime_prefix": "edge.fault"})");
  fakeHost().runtime["fault.abort.percent"] = "100";
  EXPECT_FALSE(faulted(prefixed)) << "its keys are edge.fault.*";
  fakeHost().runtime["edge.fault.abort.percent"] = "100";
  EXPECT_TRUE(faulted(prefixed));
}

TEST_F(FaultModuleTest, MaxActiveFaultsLetsTheRequestsBeyondItPassUntouched) {
  fakeHost().random = kAlwaysHits;
  const void* config = configure(R"({"delay": {"fixed_delay": "1s"}, "max_active_faults": 2})");
  TestStream& first = startStream(config);
  TestStream& second = startStream(config);
  EXPECT_EQ(requestHeaders(first), SY_FILTER_STOP_ITERATION);
  EXPECT_EQ(requestHeaders(second), SY_FILTER_STOP_ITERATION);
  TestStream& third = startStream(config);
  EXPECT_EQ(requestHeaders(third), SY_FILTER_CONTINUE);
  EXPECT_TRUE(third.fake.response_flags.empty());
  EXPECT_EQ(fakeHost().metric("fault.faults_overflow"), 1);
  EXPECT_EQ(fakeHost().metric("fault.active_faults"), 2);
  module_->stream_complete(first.fake.handle(), first.context);
  TestStream& fourth = startStream(config);
  EXPECT_EQ(requestHeaders(fourth), SY_FILTER_STOP_ITERATION) << "a slot came back";
}

TEST_F(FaultModuleTest, TheSeedMakesTheChoicesReproducible) {
  auto pattern = [&](const void* config) {
    std::string hits;
    for (int i = 0; i < 64; ++i) hits += faulted(config) ? '1' : '0';
    return hits;
  };
  const char* json = R"({"abort": {"http_status": 503, "percent": 50}, "seed": 7})";
  std::string first = pattern(configure(json));
  EXPECT_EQ(pattern(configure(json)), first);
  EXPECT_NE(first.find('1'), std::string::npos);
  EXPECT_NE(first.find('0'), std::string::npos);
}

TEST_F(FaultModuleTest, ARateLimitedBodyIsReleasedATickAtATimeAtTheRate) {
  fakeHost().random = kAlwaysHits;
  TestStream& stream =
      startStream(configure(R"({"response_rate_limit": {"fixed_limit": {"limit_kbps": 64}}})"));
  EXPECT_EQ(requestHeaders(stream), SY_FILTER_CONTINUE);
  EXPECT_EQ(fakeHost().metric("fault.response_rate_limited"), 1);
  std::string body(100000, 'x');
  EXPECT_EQ(
      module_->response_body(stream.fake.handle(), stream.context, reinterpret_cast<sy_buffer*>(&body), 0),
      SY_FILTER_STOP_ITERATION);
  stream.fake.held_response_body = body;  // what the host now holds for the filter
  fakeHost().advance(50);
  EXPECT_EQ(stream.fake.released_response_body.size(), 64u * 1024 / 20) << "one tick: 50 ms at 64 KiB/s";
  fakeHost().advance(950);
  EXPECT_EQ(stream.fake.released_response_body.size(), 64u * 1024) << "one second";
  EXPECT_EQ(stream.fake.response_continues, 0);
  fakeHost().advance(1000);
  EXPECT_EQ(stream.fake.released_response_body.size(), 100000u);
  EXPECT_EQ(stream.fake.response_continues, 1) << "nothing held: continue lets the end through";
  EXPECT_EQ(stream.fake.armedTimers(), 0u);
  std::string empty_end;
  EXPECT_EQ(module_->response_body(stream.fake.handle(), stream.context,
                                   reinterpret_cast<sy_buffer*>(&empty_end), 1),
            SY_FILTER_CONTINUE);
}

}  // namespace
}  // namespace fault_test
