// The retry module driven through its table with the fake host: which
// attempts it retries, hedges, cancels or lets stand, with what delay, and
// what it counts and flags. The host side of ABI 1.1 is played by
// test/unit/fake_host exactly as filter.h describes it.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "fake_host.h"

extern "C" const sy_filter_module* sy_filter_module_entry(const sy_host_api* host);

namespace switchyard::retry_test {
namespace {

using fake_host::FakeHeaders;
using fake_host::fakeHost;
using fake_host::fakeHostTable;
using fake_host::FakeStream;
using fake_host::FakeTimer;
using fake_host::truncatedTable;

using Strings = std::vector<std::string>;

class RetryModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fakeHost().reset();
    module_ = sy_filter_module_entry(fakeHostTable());
    fakeHost().finish_cancelled = [this](uint32_t number, sy_attempt_outcome reason) {
      finish(number, reason);
    };
  }

  void TearDown() override {
    if (stream_context_ != nullptr) module_->stream_destroy(stream_context_);
    if (config_ != nullptr) module_->config_destroy(config_);
    fakeHost().finish_cancelled = nullptr;
  }

  // Builds the config and a stream on it; the request's method is `method`.
  void begin(const std::string& json, const std::string& method = "GET") {
    char error[1024] = "";
    fake_host::TestConfig input(json);
    ASSERT_EQ(module_->config_new(input.context(), input.json(), &config_, error, sizeof error), SY_OK)
        << error << (input.errors().empty() ? "" : input.errors()[0]);
    ASSERT_EQ(module_->stream_new(stream(), config_, &stream_context_), SY_OK);
    request_.fields.insert(request_.fields.begin(), {":method", method});
    request_.fields.insert(request_.fields.begin() + 1, {":path", "/"});
    EXPECT_EQ(module_->request_headers(stream(), stream_context_, request_.handle(), 1), SY_FILTER_CONTINUE);
  }

  // attempt_started for attempt `number`; returns that attempt's headers.
  FakeHeaders& start(uint32_t number, bool hedged = false) {
    attempt_headers_.resize(std::max<size_t>(attempt_headers_.size(), number));
    attempt_headers_[number - 1] = request_;
    sy_attempt_info info = attemptInfo(number);
    info.hedged = hedged ? 1 : 0;
    module_->attempt_started(stream(), stream_context_, &info, attempt_headers_[number - 1].handle());
    return attempt_headers_[number - 1];
  }

  void finish(uint32_t number, sy_attempt_outcome outcome) {
    sy_attempt_info info = attemptInfo(number);
    info.outcome = outcome;
    module_->attempt_finished(stream(), stream_context_, &info);
  }

  void respond(uint32_t number, uint32_t status, FakeHeaders headers = {}) {
    headers.fields.insert(headers.fields.begin(), {":status", std::to_string(status)});
    sy_attempt_info info = attemptInfo(number);
    info.outcome = SY_ATTEMPT_RESPONSE;
    info.status = status;
    info.response_headers = headers.handle();
    module_->attempt_finished(stream(), stream_context_, &info);
  }

  FakeTimer& timer(size_t index) { return *fakeHost().timers.at(index); }

  static sy_attempt_info attemptInfo(uint32_t number) {
    sy_attempt_info info{};
    info.size = sizeof info;
    info.number = number;
    info.upstream_host = sy_slice{"127.0.0.1:9001", 14};
    return info;
  }

  sy_stream* stream() { return stream_.handle(); }

  const sy_filter_module* module_ = nullptr;
  void* config_ = nullptr;
  void* stream_context_ = nullptr;
  FakeStream stream_;
  FakeHeaders request_;
  std::vector<FakeHeaders> attempt_headers_;
};

TEST_F(RetryModuleTest, DeclaresTheCurrentAbiItsAttemptHooksAndRequestReplay) {
  EXPECT_EQ(module_->abi.major, SY_ABI_VERSION_MAJOR);
  EXPECT_EQ(module_->abi.minor, SY_ABI_VERSION_MINOR);
  EXPECT_EQ(module_->capabilities & SY_CAPABILITY_REQUEST_REPLAY, uint32_t(SY_CAPABILITY_REQUEST_REPLAY));
  EXPECT_STREQ(module_->name, "retry");
  EXPECT_NE(module_->attempt_started, nullptr);
  EXPECT_NE(module_->attempt_finished, nullptr);
  char error[256] = "";
  EXPECT_EQ(module_->module_init(error, sizeof error), SY_OK) << error;
}

TEST_F(RetryModuleTest, RefusesAHostTableWithoutTheAttemptCalls) {
  // A 1.0 host's table ends where the 1.1 calls begin.
  const sy_host_api old_host = truncatedTable(offsetof(sy_host_api, attempt_retry));
  const sy_filter_module* module = sy_filter_module_entry(&old_host);
  char error[1024] = "";
  EXPECT_EQ(module->module_init(error, sizeof error), SY_ERR_UNSUPPORTED);
  EXPECT_NE(std::string(error).find("ABI 1.1 upstream-attempt calls"), std::string::npos) << error;
  EXPECT_NE(std::string(error).find("ABI 1.0"), std::string::npos) << error;
  void* config = nullptr;
  error[0] = '\0';
  fake_host::TestConfig input("{}");
  EXPECT_EQ(module->config_new(input.context(), input.json(), &config, error, sizeof error), SY_ERR_UNSUPPORTED);
  EXPECT_EQ(config, nullptr);
  EXPECT_NE(std::string(error).find("attempt_retry"), std::string::npos) << error;
  module_ = sy_filter_module_entry(fakeHostTable());
}

TEST_F(RetryModuleTest, RefusesAHostTableWithoutTypedConfigAccess) {
  // A 1.1 host's table ends where the 1.2 typed config calls begin.
  const sy_host_api host_1_1 = truncatedTable(offsetof(sy_host_api, config_root), 1);
  const sy_filter_module* module = sy_filter_module_entry(&host_1_1);
  char error[1024] = "";
  EXPECT_EQ(module->module_init(error, sizeof error), SY_ERR_UNSUPPORTED);
  EXPECT_STREQ(error,
               "retry reads its config through the typed config calls of filter ABI 1.2 (config_root and the "
               "rest), but this host (ABI 1.1) does not provide them");
  module_ = sy_filter_module_entry(fakeHostTable());
}

TEST_F(RetryModuleTest, DefinesItsCountersAndReportsConfigErrors) {
  begin("{}");
  EXPECT_EQ(fakeHost().metric_names,
            (Strings{"retries", "retry_success", "retry_overflow", "retry_limit_exceeded", "per_try_timeouts",
                     "hedges", "not_replayable"}));
  EXPECT_EQ(fakeHost().metric_kinds, std::vector<sy_metric_kind>(7, SY_METRIC_COUNTER));
  void* config = nullptr;
  char error[1024] = "";
  fake_host::TestConfig bad(R"({"num_retries": "3"})", "", "demo.yaml: listeners[0].filters[1].config");
  EXPECT_EQ(module_->config_new(bad.context(), bad.json(), &config, error, sizeof error), SY_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(error, "") << "errors go on the context, not into the message buffer";
  EXPECT_EQ(bad.errors(), Strings{"demo.yaml: listeners[0].filters[1].config.num_retries: expected an integer "
                                  "from 0 to 100, got \"3\""});
}

TEST_F(RetryModuleTest, RetriesA503WithJitteredBackoffAvoidingTriedHosts) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 3})");
  fakeHost().random = 1000;  // 1000 % (25 + 1) = 12
  start(1);
  respond(1, 503);
  ASSERT_EQ(fakeHost().retries.size(), 1u);
  EXPECT_EQ(fakeHost().retries[0].delay_ms, 12u);
  EXPECT_EQ(fakeHost().retries[0].exclude_tried_hosts, 1);
  EXPECT_EQ(fakeHost().rejects, 0);  // attempt_retry itself drops the 503
  start(2);
  respond(2, 500);
  ASSERT_EQ(fakeHost().retries.size(), 2u);
  EXPECT_EQ(fakeHost().retries[1].delay_ms, 1000u % 51u);  // the ceiling doubled to 50
  start(3);
  respond(3, 200);
  EXPECT_EQ(fakeHost().retries.size(), 2u);
  EXPECT_EQ(fakeHost().metric("retries"), 2);
  EXPECT_EQ(fakeHost().metric("retry_success"), 1);
  EXPECT_TRUE(stream_.response_flags.empty());
}

TEST_F(RetryModuleTest, RetriesConnectFailuresAndResetsByDefaultButNot500) {
  begin(R"({"num_retries": 5})");
  start(1);
  finish(1, SY_ATTEMPT_CONNECT_FAILURE);
  start(2);
  finish(2, SY_ATTEMPT_RESET_BEFORE_HEADERS);
  start(3);
  respond(3, 502);
  start(4);
  respond(4, 500);  // not a gateway error
  EXPECT_EQ(fakeHost().retries.size(), 3u);
  EXPECT_EQ(fakeHost().metric("retry_success"), 1);  // 500 is a final answer under these conditions
}

TEST_F(RetryModuleTest, NeverRetriesCancelledOrResetAfterHeaders) {
  begin(R"({"retry_on": ["5xx", "reset"], "num_retries": 5})");
  start(1);
  finish(1, SY_ATTEMPT_CANCELLED);
  start(2);
  respond(2, 200);
  finish(2, SY_ATTEMPT_RESET_AFTER_HEADERS);
  EXPECT_TRUE(fakeHost().retries.empty());
  EXPECT_TRUE(stream_.response_flags.empty());
}

TEST_F(RetryModuleTest, LimitExceededCountsAndFlagsUrxAndTheResponseStands) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 1})");
  fakeHost().reject_result = SY_ERR_BAD_STATE;  // nothing else could answer
  start(1);
  respond(1, 503);
  start(2);
  respond(2, 503);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
  EXPECT_EQ(fakeHost().metric("retry_limit_exceeded"), 1);
  EXPECT_EQ(fakeHost().rejects, 1);
  EXPECT_EQ(stream_.response_flags, Strings{"URX"});
  EXPECT_EQ(fakeHost().metric("retry_success"), 0);
}

TEST_F(RetryModuleTest, LimitExceededOnAFailureFlagsUrxOnlyWhenNothingElseIsInFlight) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 1, "hedge": {"initial_requests": 2}})");
  start(1);  // hedges attempt 2 at once
  ASSERT_EQ(fakeHost().parallel_starts.size(), 1u);
  start(2, /*hedged=*/true);
  finish(1, SY_ATTEMPT_CONNECT_FAILURE);
  EXPECT_EQ(fakeHost().metric("retry_limit_exceeded"), 1);
  EXPECT_TRUE(stream_.response_flags.empty());  // attempt 2 may still answer
  finish(2, SY_ATTEMPT_RESET_BEFORE_HEADERS);
  EXPECT_EQ(stream_.response_flags, Strings{"URX"});
}

TEST_F(RetryModuleTest, DoesNotRetryNonIdempotentMethodsUnlessAllowed) {
  begin(R"({"retry_on": ["5xx"]})", "POST");
  fakeHost().reject_result = SY_ERR_BAD_STATE;
  start(1);
  respond(1, 503);
  EXPECT_TRUE(fakeHost().retries.empty());
  EXPECT_TRUE(stream_.response_flags.empty());  // not a retry limit: the method forbids it
}

TEST_F(RetryModuleTest, RetriesNonIdempotentMethodsWhenAllowed) {
  begin(R"({"retry_on": ["5xx"], "retry_non_idempotent": true})", "POST");
  start(1);
  respond(1, 503);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
}

TEST_F(RetryModuleTest, BudgetOverflowStopsTheRetry) {
  begin(R"({"retry_on": ["5xx"], "budget": {"percent": 20, "min_concurrency": 3}})");
  fakeHost().cluster_stats = {sizeof(sy_cluster_stats), 10, 0, 3, 0, 0};  // limit max(3, 2) = 3
  fakeHost().reject_result = SY_ERR_BAD_STATE;
  start(1);
  respond(1, 503);
  EXPECT_TRUE(fakeHost().retries.empty());
  EXPECT_EQ(fakeHost().metric("retry_overflow"), 1);
  EXPECT_TRUE(stream_.response_flags.empty());
}

TEST_F(RetryModuleTest, BudgetFollowsThePercentOfActiveRequests) {
  begin(R"({"retry_on": ["5xx"], "budget": {"percent": 20, "min_concurrency": 3}})");
  fakeHost().cluster_stats = {sizeof(sy_cluster_stats), 100, 0, 19, 0, 0};  // limit 20
  start(1);
  respond(1, 503);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
}

TEST_F(RetryModuleTest, DisabledBudgetIgnoresTheClusterAndMissingStatsAllow) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 2, "budget": {"enabled": false}})");
  fakeHost().cluster_stats = {sizeof(sy_cluster_stats), 1, 0, 1000, 0, 0};
  start(1);
  respond(1, 503);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
  module_->stream_destroy(stream_context_);
  module_->config_destroy(config_);
  stream_context_ = config_ = nullptr;
  request_ = {};
  begin(R"({"retry_on": ["5xx"]})");
  fakeHost().cluster_stats_result = SY_ERR_NOT_FOUND;
  start(1);
  respond(1, 503);
  EXPECT_EQ(fakeHost().retries.size(), 2u);
}

TEST_F(RetryModuleTest, NotReplayableIsCountedAndTheResponseStands) {
  begin(R"({"retry_on": ["5xx"]})");
  fakeHost().retry_result = SY_ERR_NOT_REPLAYABLE;
  fakeHost().reject_result = SY_ERR_BAD_STATE;
  start(1);
  respond(1, 503);
  EXPECT_EQ(fakeHost().metric("not_replayable"), 1);
  EXPECT_EQ(fakeHost().metric("retries"), 0);
  EXPECT_EQ(fakeHost().rejects, 1);
  EXPECT_TRUE(stream_.response_flags.empty());
  // The refused retry does not use up the limit.
  fakeHost().retry_result = SY_OK;
  start(2);
  respond(2, 503);
  EXPECT_EQ(fakeHost().metric("retries"), 1);
}

TEST_F(RetryModuleTest, HonorsRetryAfterSecondsOn503And429) {
  begin(R"({"retry_on": ["5xx", "retriable-status-codes"], "retriable_status_codes": [429], "num_retries": 3,
            "retry_after": {"honor": true, "max_delay_ms": 5000}})");
  start(1);
  respond(1, 503, FakeHeaders{{{"Retry-After", "2"}}});
  start(2);
  respond(2, 429, FakeHeaders{{{"retry-after", "0"}}});
  start(3);
  respond(3, 500, FakeHeaders{{{"retry-after", "4"}}});  // only 503 and 429 carry it
  ASSERT_EQ(fakeHost().retries.size(), 3u);
  EXPECT_EQ(fakeHost().retries[0].delay_ms, 2000u);
  EXPECT_EQ(fakeHost().retries[1].delay_ms, 0u);
  EXPECT_LE(fakeHost().retries[2].delay_ms, 100u);  // back-off: ceiling 25 * 2^2
}

TEST_F(RetryModuleTest, RetryAfterAboveTheMaximumMeansNoRetry) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 3, "retry_after": {"honor": true, "max_delay_ms": 1000}})");
  fakeHost().reject_result = SY_ERR_BAD_STATE;
  start(1);
  respond(1, 503, FakeHeaders{{{"Retry-After", "2"}}});
  EXPECT_TRUE(fakeHost().retries.empty());
  EXPECT_EQ(fakeHost().metric("retry_limit_exceeded"), 1);
  EXPECT_EQ(stream_.response_flags, Strings{"URX"});
}

TEST_F(RetryModuleTest, IgnoresRetryAfterUnlessHonoredOrParseable) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 3, "retry_after": {"honor": true}})");
  fakeHost().random = 7;
  start(1);
  respond(1, 503, FakeHeaders{{{"Retry-After", "soon"}}});
  ASSERT_EQ(fakeHost().retries.size(), 1u);
  EXPECT_EQ(fakeHost().retries[0].delay_ms, 7u);
}

TEST_F(RetryModuleTest, PerTryTimeoutCancelsTheAttemptAndRetries) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 3, "per_try_timeout_ms": 300})");
  start(1);
  ASSERT_EQ(fakeHost().timers.size(), 1u);
  EXPECT_TRUE(timer(0).armed);
  EXPECT_EQ(timer(0).timeout_ms, 300u);
  timer(0).fire();
  ASSERT_EQ(fakeHost().cancels.size(), 1u);
  EXPECT_EQ(fakeHost().cancels[0].number, 1u);
  EXPECT_EQ(fakeHost().cancels[0].reason, SY_ATTEMPT_TIMED_OUT);
  EXPECT_EQ(fakeHost().metric("per_try_timeouts"), 1);
  EXPECT_EQ(fakeHost().retries.size(), 1u);  // decided in attempt_finished(TIMED_OUT)
  start(2);
  ASSERT_EQ(fakeHost().timers.size(), 2u);  // one timer per attempt
  EXPECT_TRUE(timer(1).armed);
  respond(2, 200);
  EXPECT_FALSE(timer(1).armed);  // cancelled when its attempt finished
  EXPECT_EQ(fakeHost().metric("retry_success"), 1);
}

TEST_F(RetryModuleTest, PerTryTimeoutIsNotRetriedWithoutATimeoutCondition) {
  begin(R"({"retry_on": ["reset", "connect-failure"], "per_try_timeout_ms": 300})");
  start(1);
  timer(0).fire();
  EXPECT_EQ(fakeHost().cancels.size(), 1u);
  EXPECT_TRUE(fakeHost().retries.empty());
}

TEST_F(RetryModuleTest, AnotherFiltersTimeoutIsNeverRetried) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 3, "per_try_timeout_ms": 300})");
  start(1);
  finish(1, SY_ATTEMPT_TIMED_OUT);  // e.g. the route timeout cancelled every attempt
  EXPECT_TRUE(fakeHost().retries.empty());
  EXPECT_FALSE(timer(0).armed);
}

TEST_F(RetryModuleTest, HedgesOnPerTryTimeoutWithoutCancellingTheSlowAttempt) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 2, "per_try_timeout_ms": 300,
            "hedge": {"on_per_try_timeout": true}})");
  start(1);
  timer(0).fire();
  EXPECT_TRUE(fakeHost().cancels.empty());
  ASSERT_EQ(fakeHost().parallel_starts.size(), 1u);
  EXPECT_EQ(fakeHost().parallel_starts[0], 1);
  EXPECT_EQ(fakeHost().metric("hedges"), 1);
  EXPECT_EQ(fakeHost().metric("per_try_timeouts"), 1);
  start(2, /*hedged=*/true);
  timer(1).fire();
  EXPECT_EQ(fakeHost().parallel_starts.size(), 2u);
  start(3, /*hedged=*/true);
  timer(2).fire();  // the limit is reached: nothing is cancelled, the three race on
  EXPECT_EQ(fakeHost().parallel_starts.size(), 2u);
  EXPECT_TRUE(fakeHost().cancels.empty());
  EXPECT_EQ(fakeHost().metric("retry_limit_exceeded"), 1);
  // The hedge answers first; the host cancels the others.
  respond(3, 200);
  finish(1, SY_ATTEMPT_CANCELLED);
  finish(2, SY_ATTEMPT_CANCELLED);
  EXPECT_EQ(fakeHost().metric("retry_success"), 1);
  EXPECT_TRUE(stream_.response_flags.empty());
}

TEST_F(RetryModuleTest, ARetriableResponseIsRejectedWhileAHedgeCanStillAnswer) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 1, "per_try_timeout_ms": 300,
            "hedge": {"on_per_try_timeout": true}})");
  start(1);
  timer(0).fire();
  start(2, /*hedged=*/true);
  respond(1, 503);  // no retries left, but attempt 2 is in flight
  EXPECT_EQ(fakeHost().rejects, 1);
  EXPECT_TRUE(stream_.response_flags.empty());
  EXPECT_TRUE(fakeHost().retries.empty());
  respond(2, 200);
  EXPECT_EQ(fakeHost().metric("retry_success"), 1);
}

TEST_F(RetryModuleTest, InitialHedgesStartFromTheFirstAttemptForIdempotentRequestsOnly) {
  begin(R"({"num_retries": 3, "hedge": {"initial_requests": 3}})");
  start(1);
  EXPECT_EQ(fakeHost().parallel_starts.size(), 2u);
  EXPECT_EQ(fakeHost().metric("hedges"), 2);
  start(2, true);
  start(3, true);
  EXPECT_EQ(fakeHost().parallel_starts.size(), 2u);  // only the first attempt hedges
  // The hedges used two of the three retries.
  finish(1, SY_ATTEMPT_CONNECT_FAILURE);
  finish(2, SY_ATTEMPT_CONNECT_FAILURE);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
  EXPECT_EQ(fakeHost().metric("retry_limit_exceeded"), 1);

  module_->stream_destroy(stream_context_);
  module_->config_destroy(config_);
  stream_context_ = config_ = nullptr;
  request_ = {};
  stream_ = {};
  fakeHost().reset();
  fakeHost().finish_cancelled = [this](uint32_t number, sy_attempt_outcome reason) {
    finish(number, reason);
  };
  begin(R"({"num_retries": 3, "retry_non_idempotent": true, "hedge": {"initial_requests": 3}})", "POST");
  start(1);
  EXPECT_TRUE(fakeHost().parallel_starts.empty());
}

TEST_F(RetryModuleTest, InitialHedgesStopAtTheBudget) {
  begin(
      R"({"num_retries": 3, "hedge": {"initial_requests": 4}, "budget": {"min_concurrency": 1, "percent": 0}})");
  start(1);  // the first hedge makes active_retries 1, which is the limit
  EXPECT_EQ(fakeHost().parallel_starts.size(), 1u);
  EXPECT_EQ(fakeHost().metric("hedges"), 1);
  EXPECT_EQ(fakeHost().metric("retry_overflow"), 1);
}

TEST_F(RetryModuleTest, SetsTheAttemptCountHeaderOnEachAttemptsOwnHeaders) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 2, "attempt_count_header": "x-attempt"})");
  EXPECT_EQ(start(1).values("x-attempt"), Strings{"1"});
  respond(1, 503);
  EXPECT_EQ(start(2).values("x-attempt"), Strings{"2"});
  EXPECT_TRUE(request_.values("x-attempt").empty());
}

TEST_F(RetryModuleTest, RequestOverridesReplaceThePolicyAndAreRemoved) {
  request_.fields = {{"x-switchyard-retry-on", "retriable-4xx"}, {"X-Switchyard-Max-Retries", "2"}};
  begin(R"({"request_overrides": true})");
  EXPECT_TRUE(request_.values("x-switchyard-retry-on").empty());
  EXPECT_TRUE(request_.values("x-switchyard-max-retries").empty());
  fakeHost().reject_result = SY_ERR_BAD_STATE;
  start(1);
  respond(1, 409);
  start(2);
  respond(2, 409);
  start(3);
  respond(3, 409);
  EXPECT_EQ(fakeHost().retries.size(), 2u);
  EXPECT_EQ(stream_.response_flags, Strings{"URX"});
}

TEST_F(RetryModuleTest, MalformedOverridesAreIgnoredButStillRemoved) {
  request_.fields = {{"x-switchyard-retry-on", "5xx,bogus"}, {"x-switchyard-max-retries", "lots"}};
  begin(R"({"request_overrides": true, "retry_on": ["gateway-error"]})");
  EXPECT_TRUE(request_.values("x-switchyard-retry-on").empty());
  EXPECT_TRUE(request_.values("x-switchyard-max-retries").empty());
  start(1);
  respond(1, 500);  // 5xx was not taken from the header
  EXPECT_TRUE(fakeHost().retries.empty());
  start(2);
  respond(2, 503);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
}

TEST_F(RetryModuleTest, OverrideHeadersPassThroughWhenNotEnabled) {
  request_.fields = {{"x-switchyard-retry-on", "5xx"}, {"x-switchyard-max-retries", "9"}};
  begin(R"({"retry_on": ["gateway-error"]})");
  EXPECT_EQ(request_.values("x-switchyard-retry-on"), Strings{"5xx"});
  EXPECT_EQ(request_.values("x-switchyard-max-retries"), Strings{"9"});
  start(1);
  respond(1, 500);
  EXPECT_TRUE(fakeHost().retries.empty());
}

TEST_F(RetryModuleTest, ARetryAlreadyPendingMeansWaitForItNotFail) {
  begin(R"({"retry_on": ["5xx"], "num_retries": 3, "hedge": {"initial_requests": 2}})");
  start(1);
  start(2, true);
  finish(1, SY_ATTEMPT_CONNECT_FAILURE);  // retry 2 of 3 scheduled
  ASSERT_EQ(fakeHost().retries.size(), 1u);
  fakeHost().retry_result = SY_ERR_LIMIT;  // the host allows one pending retry
  respond(2, 503);
  EXPECT_EQ(fakeHost().rejects, 1);  // wait for the pending retry instead
  EXPECT_TRUE(stream_.response_flags.empty());
}

TEST_F(RetryModuleTest, RetriableHeadersMakeAResponseRetriable) {
  begin(R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "x-retry", "value": "yes"}]})");
  start(1);
  respond(1, 200, FakeHeaders{{{"X-Retry", "YES"}}});
  EXPECT_EQ(fakeHost().retries.size(), 1u);
}

TEST_F(RetryModuleTest, AnAttemptWithoutATimerStillRuns) {
  begin(R"({"retry_on": ["5xx"], "per_try_timeout_ms": 300})");
  fakeHost().fail_timer_creation = true;
  start(1);
  respond(1, 503);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
  EXPECT_FALSE(fakeHost().log.empty());
}

}  // namespace
}  // namespace switchyard::retry_test
