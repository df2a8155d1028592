// The timeout module (modules/timeout, built as timeout.so), opened with
// dlopen as the proxy opens it and driven hook by hook with a fake host
// whose clock moves only when a test says so (its typed config calls are the
// core's). It proves what the proxy cannot show yet while its ABI 1.1 side
// is being written: when each timeout starts, what ends it, what the client
// gets, and what the access log flags and metrics say.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "fake_host.h"

namespace timeout_test {
namespace {

using switchyard::fake_host::FakeHeaders;
using switchyard::fake_host::fakeHost;
using switchyard::fake_host::fakeHostTable;
using switchyard::fake_host::FakeStream;
using switchyard::fake_host::TestConfig;
using switchyard::fake_host::truncatedTable;

using Values = std::vector<std::string>;

// The module's entry symbol; the module stays loaded for the whole run.
sy_module_entry_fn moduleEntry() {
  static void* handle = dlopen(TIMEOUT_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return nullptr;
  return reinterpret_cast<sy_module_entry_fn>(dlsym(handle, SY_MODULE_ENTRY_SYMBOL));
}

class TimeoutModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fakeHost().reset();
    stream_.properties[SY_PROP_REQUEST_ID] = "7";  // log lines name the request by it
    sy_module_entry_fn entry = moduleEntry();
    ASSERT_NE(entry, nullptr) << dlerror();
    module_ = entry(fakeHostTable());
    ASSERT_NE(module_, nullptr);
    char error[256] = "";
    ASSERT_EQ(module_->module_init(error, sizeof error), SY_OK) << error;
  }

  void TearDown() override {
    if (module_ != nullptr && stream_context_ != nullptr) module_->stream_destroy(stream_context_);
    for (void* config : configs_) module_->config_destroy(config);
  }

  // The metrics of every config go under the one filter name "timeout".
  const void* configure(const std::string& json) {
    char error[1024] = "";
    void* config = nullptr;
    TestConfig input(json, "timeout");
    EXPECT_EQ(module_->config_new(input.context(), input.json(), &config, error, sizeof error), SY_OK)
        << error << (input.errors().empty() ? "" : input.errors()[0]);
    configs_.push_back(config);
    return config;
  }

  // The errors config_new recorded, one per line.
  std::string rejection(const std::string& json) {
    char error[1024] = "";
    void* config = nullptr;
    TestConfig input(json, "timeout");
    EXPECT_NE(module_->config_new(input.context(), input.json(), &config, error, sizeof error), SY_OK);
    EXPECT_STREQ(error, "") << "errors go on the context, not into the message buffer";
    std::string joined;
    for (const auto& line : input.errors()) joined += (joined.empty() ? "" : "\n") + line;
    return joined;
  }

  void startStream(const void* config) {
    ASSERT_EQ(module_->stream_new(stream_.handle(), config, &stream_context_), SY_OK);
  }

  void requestHeaders(bool end_stream) {
    EXPECT_EQ(module_->request_headers(stream_.handle(), stream_context_, request_.handle(), end_stream),
              SY_FILTER_CONTINUE);
  }

  void requestBody(bool end_stream) {
    EXPECT_EQ(module_->request_body(stream_.handle(), stream_context_, nullptr, end_stream),
              SY_FILTER_CONTINUE);
  }

  void responseHeaders(bool end_stream) {
    FakeHeaders response{{{":status", "200"}}};
    EXPECT_EQ(module_->response_headers(stream_.handle(), stream_context_, response.handle(), end_stream),
              SY_FILTER_CONTINUE);
  }

  void responseBody(bool end_stream) {
    EXPECT_EQ(module_->response_body(stream_.handle(), stream_context_, nullptr, end_stream),
              SY_FILTER_CONTINUE);
  }

  // The attempt's own copy of the request headers, after attempt_started.
  FakeHeaders startAttempt(uint32_t number) {
    FakeHeaders attempt_headers = request_;
    sy_attempt_info info{};
    info.size = sizeof info;
    info.number = number;
    info.upstream_host = sy_slice{"127.0.0.1:8080", 14};
    module_->attempt_started(stream_.handle(), stream_context_, &info, attempt_headers.handle());
    return attempt_headers;
  }

  void finishAttempt(uint32_t number, sy_attempt_outcome outcome) {
    sy_attempt_info info{};
    info.size = sizeof info;
    info.number = number;
    info.outcome = outcome;
    module_->attempt_finished(stream_.handle(), stream_context_, &info);
  }

  const sy_filter_module* module_ = nullptr;
  std::vector<void*> configs_;
  FakeStream stream_;
  void* stream_context_ = nullptr;
  FakeHeaders request_{{{":method", "POST"}, {":path", "/upload"}, {":authority", "svc"}}};
};

TEST_F(TimeoutModuleTest, DeclaresTheCurrentAbiTheAttemptHooksAndNoRequestReplay) {
  EXPECT_EQ(module_->abi.major, SY_ABI_VERSION_MAJOR);
  EXPECT_EQ(module_->abi.minor, SY_ABI_VERSION_MINOR);
  // It only restarts its idle clock in attempt_finished; it never retries,
  // so it must not make its listeners keep a replay copy of each request.
  EXPECT_EQ(module_->capabilities & SY_CAPABILITY_REQUEST_REPLAY, 0u);
  EXPECT_STREQ(module_->name, "timeout");
  EXPECT_EQ(module_->size, sizeof(sy_filter_module));
  EXPECT_NE(module_->attempt_started, nullptr);
  EXPECT_NE(module_->attempt_finished, nullptr);
}

TEST_F(TimeoutModuleTest, ModuleInitRefusesAHostTableWithoutTheAbi11Calls) {
  // A 1.0 host's table ends where the 1.1 calls begin.
  sy_host_api old_host = truncatedTable(offsetof(sy_host_api, attempt_retry));
  const sy_filter_module* module = moduleEntry()(&old_host);
  char error[256] = "";
  EXPECT_EQ(module->module_init(error, sizeof error), SY_ERR_UNSUPPORTED);
  EXPECT_EQ(
      std::string(error),
      "the host's function table (" + std::to_string(offsetof(sy_host_api, attempt_retry)) +
          " bytes, ABI 1.0) lacks stream_add_response_flag; the timeout module needs a host with filter "
          "ABI 1.1 or later");
  // One byte short of the last call it uses is still too small.
  const sy_host_api almost =
      truncatedTable(offsetof(sy_host_api, stream_add_response_flag) + sizeof(void*) - 1);
  moduleEntry()(&almost);
  EXPECT_EQ(module->module_init(error, sizeof error), SY_ERR_UNSUPPORTED);
  moduleEntry()(fakeHostTable());
  EXPECT_EQ(module->module_init(error, sizeof error), SY_OK);
}

TEST_F(TimeoutModuleTest, ModuleInitRefusesAHostTableWithoutTypedConfigAccess) {
  // A 1.1 host's table ends where the 1.2 typed config calls begin.
  const sy_host_api host_1_1 = truncatedTable(offsetof(sy_host_api, config_root), 1);
  const sy_filter_module* module = moduleEntry()(&host_1_1);
  char error[256] = "";
  EXPECT_EQ(module->module_init(error, sizeof error), SY_ERR_UNSUPPORTED);
  EXPECT_STREQ(error,
               "timeout reads its config through the typed config calls of filter ABI 1.2 (config_root and the "
               "rest), but this host (ABI 1.1) does not provide them");
  moduleEntry()(fakeHostTable());
  EXPECT_EQ(module->module_init(error, sizeof error), SY_OK);
}

TEST_F(TimeoutModuleTest, ConfigNewDefinesBothCountersAndRejectsBadFieldsByName) {
  configure("{}");
  EXPECT_EQ(fakeHost().metric_names, (Values{"timeout.request_timeouts", "timeout.idle_timeouts"}));
  EXPECT_EQ(fakeHost().metric_kinds, (std::vector<sy_metric_kind>{SY_METRIC_COUNTER, SY_METRIC_COUNTER}));
  EXPECT_EQ(rejection(R"({"request_timeout_ms": "3 s"})"),
            "config.request_timeout_ms: expected a duration from 0ms to 4294967295ms (\"300ms\", \"1.5s\" or an "
            "integer of milliseconds), got \"3 s\"");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": 2.5})"),
            "config.idle_timeout_ms: expected a duration from 0ms to 4294967295ms (\"300ms\", \"1.5s\" or an "
            "integer of milliseconds), got 2.5");
  EXPECT_EQ(rejection(R"({"timeout_ms": 1})").rfind("config.timeout_ms: unknown field", 0), 0u);
}

TEST_F(TimeoutModuleTest, RequestTimeoutStartsAtTheEndOfTheRequestSoASlowUploadDoesNotUseItUp) {
  startStream(configure(R"({"request_timeout_ms": 3000})"));
  requestHeaders(false);
  fakeHost().advance(10000);  // the body takes 10 s to arrive
  requestBody(false);
  requestBody(true);
  fakeHost().advance(2999);
  EXPECT_TRUE(stream_.local_replies.empty());
  fakeHost().advance(1);
  ASSERT_EQ(stream_.local_replies.size(), 1u);
  EXPECT_EQ(stream_.local_replies[0].status, 504u);
  EXPECT_EQ(stream_.local_replies[0].body, "upstream request timeout\n");
  EXPECT_EQ(stream_.local_replies[0].content_type, "text/plain");
  EXPECT_EQ(stream_.local_replies[0].details, "upstream_request_timeout");
  EXPECT_EQ(stream_.response_flags, Values{"UT"});
  EXPECT_TRUE(stream_.resets.empty());
  EXPECT_EQ(fakeHost().metric("timeout.request_timeouts"), 1);
  EXPECT_EQ(fakeHost().metric("timeout.idle_timeouts"), 0);
}

TEST_F(TimeoutModuleTest, DefaultRequestTimeoutIs15Seconds) {
  startStream(configure("{}"));
  requestHeaders(true);
  fakeHost().advance(14999);
  EXPECT_TRUE(stream_.local_replies.empty());
  fakeHost().advance(1);
  ASSERT_EQ(stream_.local_replies.size(), 1u);
  EXPECT_EQ(stream_.local_replies[0].status, 504u);
}

TEST_F(TimeoutModuleTest, ZeroDisablesTheRequestTimeout) {
  startStream(configure(R"({"request_timeout_ms": 0})"));
  requestHeaders(true);
  fakeHost().advance(24 * 3600 * 1000);
  EXPECT_TRUE(stream_.local_replies.empty());
  EXPECT_EQ(stream_.armedTimers(), 0u);
}

TEST_F(TimeoutModuleTest, ARouteOverrideConfigCarriesItsOwnTimeout) {
  configure(R"({"request_timeout_ms": 15000})");                     // the listener's
  const void* route = configure(R"({"request_timeout_ms": 3000})");  // the route's filter_overrides
  startStream(route);  // the host hands stream_new the route's config
  requestHeaders(true);
  fakeHost().advance(3000);
  ASSERT_EQ(stream_.local_replies.size(), 1u);
  EXPECT_EQ(fakeHost().metric("timeout.request_timeouts"), 1);  // one counter for both configs
}

TEST_F(TimeoutModuleTest, ACompleteResponseStopsBothTimers) {
  startStream(configure(R"({"request_timeout_ms": 3000, "idle_timeout_ms": 1000})"));
  requestHeaders(true);
  fakeHost().advance(500);
  responseHeaders(false);
  responseBody(true);
  EXPECT_EQ(stream_.armedTimers(), 0u);
  fakeHost().advance(60000);
  EXPECT_TRUE(stream_.local_replies.empty());
  EXPECT_TRUE(stream_.resets.empty());
  EXPECT_TRUE(stream_.response_flags.empty());
}

TEST_F(TimeoutModuleTest, StreamCompleteCancelsTheTimers) {
  startStream(configure(R"({"request_timeout_ms": 3000, "idle_timeout_ms": 1000})"));
  requestHeaders(true);
  module_->stream_complete(stream_.handle(), stream_context_);
  EXPECT_EQ(stream_.armedTimers(), 0u);
  fakeHost().advance(60000);
  EXPECT_TRUE(stream_.local_replies.empty());
  EXPECT_TRUE(stream_.resets.empty());
}

TEST_F(TimeoutModuleTest, RequestTimeoutCoversTheResponseBodyAndResetsOnceHeadersWentOut) {
  startStream(configure(R"({"request_timeout_ms": 3000})"));
  requestHeaders(true);
  responseHeaders(false);
  stream_.local_reply_result = SY_ERR_HEADERS_SENT;
  fakeHost().advance(3000);
  EXPECT_TRUE(stream_.local_replies.empty());
  EXPECT_EQ(stream_.resets, Values{"upstream_request_timeout"});
  EXPECT_EQ(stream_.response_flags, Values{"UT"});
  EXPECT_EQ(fakeHost().metric("timeout.request_timeouts"), 1);
}

TEST_F(TimeoutModuleTest, AnUnexpectedLocalReplyFailureStillEndsTheStreamAndWarns) {
  startStream(configure(R"({"request_timeout_ms": 3000})"));
  requestHeaders(true);
  stream_.local_reply_result = SY_ERR_FAILED;
  fakeHost().advance(3000);
  EXPECT_EQ(stream_.resets, Values{"upstream_request_timeout"});
  ASSERT_FALSE(fakeHost().log.empty());
  EXPECT_EQ(fakeHost().log.back(),
            "warn: timeout: request 7: local reply refused (operation failed); resetting the stream");
}

TEST_F(TimeoutModuleTest, RetriesShareTheOneRequestDeadline) {
  startStream(configure(R"({"request_timeout_ms": 3000})"));
  requestHeaders(true);
  startAttempt(1);
  fakeHost().advance(2000);
  finishAttempt(1, SY_ATTEMPT_RESET_BEFORE_HEADERS);
  startAttempt(2);  // a retry filter's retry: the clock does not restart
  fakeHost().advance(1000);
  ASSERT_EQ(stream_.local_replies.size(), 1u);
  EXPECT_EQ(stream_.local_replies[0].status, 504u);
}

TEST_F(TimeoutModuleTest, TrustedHeaderLowersTheRequestTimeout) {
  request_.fields.emplace_back("X-Request-Timeout-Ms", " 1200 ");
  startStream(configure(R"({"request_timeout_ms": 3000, "trusted_timeout_header": "x-request-timeout-ms"})"));
  requestHeaders(true);
  fakeHost().advance(1199);
  EXPECT_TRUE(stream_.local_replies.empty());
  fakeHost().advance(1);
  EXPECT_EQ(stream_.local_replies.size(), 1u);
}

TEST_F(TimeoutModuleTest, TrustedHeaderNeverRaisesTheRequestTimeout) {
  request_.fields.emplace_back("x-request-timeout-ms", "60000");
  startStream(configure(R"({"request_timeout_ms": 3000, "trusted_timeout_header": "x-request-timeout-ms"})"));
  requestHeaders(true);
  fakeHost().advance(3000);
  EXPECT_EQ(stream_.local_replies.size(), 1u);
}

TEST_F(TimeoutModuleTest, TrustedHeaderSetsATimeoutWhereTheConfigHasNone) {
  request_.fields.emplace_back("x-request-timeout-ms", "800");
  startStream(configure(R"({"request_timeout_ms": 0, "trusted_timeout_header": "x-request-timeout-ms"})"));
  requestHeaders(true);
  fakeHost().advance(800);
  EXPECT_EQ(stream_.local_replies.size(), 1u);
}

TEST_F(TimeoutModuleTest, MalformedTrustedHeaderIsIgnoredAndLoggedAtDebug) {
  request_.fields.emplace_back("x-request-timeout-ms", "1.5s");
  startStream(configure(R"({"request_timeout_ms": 3000, "trusted_timeout_header": "x-request-timeout-ms"})"));
  requestHeaders(true);
  EXPECT_EQ(fakeHost().log,
            Values{"debug: timeout: request 7: ignoring x-request-timeout-ms: \"1.5s\" is not a "
                   "positive millisecond count"});
  fakeHost().advance(2999);
  EXPECT_TRUE(stream_.local_replies.empty());
  fakeHost().advance(1);
  EXPECT_EQ(stream_.local_replies.size(), 1u);
}

TEST_F(TimeoutModuleTest, TheTimeoutHeaderIsIgnoredUnlessTrusted) {
  request_.fields.emplace_back("x-request-timeout-ms", "100");
  startStream(configure(R"({"request_timeout_ms": 3000})"));
  requestHeaders(true);
  fakeHost().advance(2999);
  EXPECT_TRUE(stream_.local_replies.empty());
}

TEST_F(TimeoutModuleTest, PropagatesTheMillisecondsLeftOnEachAttempt) {
  startStream(
      configure(R"({"request_timeout_ms": 3000, "propagate_timeout_header": "x-request-timeout-ms"})"));
  requestHeaders(false);
  // Before the request is complete its clock has not started.
  EXPECT_EQ(startAttempt(1).values("x-request-timeout-ms"), Values{"3000"});
  requestBody(true);
  fakeHost().now_ns += 1200500000;  // 1200.5 ms: rounds down
  EXPECT_EQ(startAttempt(2).values("x-request-timeout-ms"), Values{"1799"});
  fakeHost().now_ns += 1799900000;  // 0.1 ms left: never sent as 0
  EXPECT_EQ(startAttempt(3).values("x-request-timeout-ms"), Values{"1"});
  EXPECT_TRUE(request_.values("x-request-timeout-ms").empty()) << "only the attempt's copy changes";
}

TEST_F(TimeoutModuleTest, PropagationReplacesAClientValueAndCarriesTheLoweredDeadline) {
  request_.fields.emplace_back("x-request-timeout-ms", "500");
  request_.fields.emplace_back("x-request-timeout-ms", "9000");
  startStream(configure(R"({"request_timeout_ms": 3000, "trusted_timeout_header": "x-request-timeout-ms",
                            "propagate_timeout_header": "x-request-timeout-ms"})"));
  requestHeaders(true);
  fakeHost().advance(100);
  EXPECT_EQ(startAttempt(1).values("x-request-timeout-ms"), Values{"400"});
}

TEST_F(TimeoutModuleTest, WithoutADeadlineThePropagatedHeaderIsRemoved) {
  request_.fields.emplace_back("x-request-timeout-ms", "500");
  startStream(configure(R"({"request_timeout_ms": 0, "propagate_timeout_header": "x-request-timeout-ms"})"));
  requestHeaders(true);
  EXPECT_TRUE(startAttempt(1).values("x-request-timeout-ms").empty());
}

TEST_F(TimeoutModuleTest, IdleTimeoutBeforeTheRequestIsCompleteAnswers408) {
  startStream(configure(R"({"request_timeout_ms": 0, "idle_timeout_ms": 1000})"));
  requestHeaders(false);
  fakeHost().advance(999);
  requestBody(false);  // bytes moved: the idle clock starts over
  fakeHost().advance(999);
  EXPECT_TRUE(stream_.local_replies.empty());
  fakeHost().advance(1);
  ASSERT_EQ(stream_.local_replies.size(), 1u);
  EXPECT_EQ(stream_.local_replies[0].status, 408u);
  EXPECT_EQ(stream_.local_replies[0].body, "stream idle timeout\n");
  EXPECT_EQ(stream_.local_replies[0].details, "stream_idle_timeout");
  EXPECT_EQ(stream_.response_flags, Values{"SI"});
  EXPECT_EQ(fakeHost().metric("timeout.idle_timeouts"), 1);
  EXPECT_EQ(fakeHost().metric("timeout.request_timeouts"), 0);
}

TEST_F(TimeoutModuleTest, IdleTimeoutIsArmedAtStreamStart) {
  startStream(configure(R"({"idle_timeout_ms": 1000})"));
  fakeHost().advance(1000);
  ASSERT_EQ(stream_.local_replies.size(), 1u);
  EXPECT_EQ(stream_.local_replies[0].status, 408u);
}

TEST_F(TimeoutModuleTest, IdleTimeoutAfterTheRequestIsCompleteAnswers504) {
  startStream(configure(R"({"request_timeout_ms": 60000, "idle_timeout_ms": 1000})"));
  requestHeaders(true);
  startAttempt(1);
  fakeHost().advance(900);
  finishAttempt(1, SY_ATTEMPT_CONNECT_FAILURE);  // attempt hooks count as activity
  startAttempt(2);
  fakeHost().advance(999);
  EXPECT_TRUE(stream_.local_replies.empty());
  fakeHost().advance(1);
  ASSERT_EQ(stream_.local_replies.size(), 1u);
  EXPECT_EQ(stream_.local_replies[0].status, 504u);
  EXPECT_EQ(stream_.response_flags, Values{"SI"});
  EXPECT_EQ(stream_.armedTimers(), 0u) << "the request timer is cancelled too";
}

TEST_F(TimeoutModuleTest, IdleTimeoutDuringTheResponseBodyResets) {
  startStream(configure(R"({"request_timeout_ms": 0, "idle_timeout_ms": 1000})"));
  requestHeaders(true);
  responseHeaders(false);
  responseBody(false);
  stream_.local_reply_result = SY_ERR_HEADERS_SENT;
  fakeHost().advance(1000);
  EXPECT_EQ(stream_.resets, Values{"stream_idle_timeout"});
  EXPECT_EQ(stream_.response_flags, Values{"SI"});
}

TEST_F(TimeoutModuleTest, HooksAfterATimeoutFiredArmNothing) {
  startStream(configure(R"({"request_timeout_ms": 1000, "idle_timeout_ms": 5000})"));
  requestHeaders(true);
  fakeHost().advance(1000);
  // The local reply runs through the response hooks of filters closer to
  // the client; a host could still call this one: it must stay quiet.
  responseHeaders(false);
  responseBody(false);
  EXPECT_EQ(stream_.armedTimers(), 0u);
  fakeHost().advance(60000);
  EXPECT_EQ(stream_.local_replies.size(), 1u);
  EXPECT_EQ(stream_.response_flags, Values{"UT"});
}

TEST_F(TimeoutModuleTest, WithoutTimersTheStreamIsRefusedAndHooksAcceptTheNullContext) {
  const void* config = configure(R"({"idle_timeout_ms": 1000})");
  fakeHost().fail_timer_creation = true;
  void* context = reinterpret_cast<void*>(1);
  EXPECT_EQ(module_->stream_new(stream_.handle(), config, &context), SY_ERR_NO_MEMORY);
  ASSERT_FALSE(fakeHost().log.empty());
  EXPECT_EQ(fakeHost().log.back(),
            "warn: timeout: could not create a stream timer; this stream runs without timeouts");
  // The host goes on with a NULL context.
  stream_context_ = nullptr;
  requestHeaders(true);
  startAttempt(1);
  finishAttempt(1, SY_ATTEMPT_RESPONSE);
  responseHeaders(true);
  module_->stream_complete(stream_.handle(), nullptr);
  module_->stream_destroy(nullptr);
}

}  // namespace
}  // namespace timeout_test
