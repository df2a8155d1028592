// retry_config_read through the host's typed config calls (the fake host's,
// which are the core's): the defaults, every field, and config errors that
// name the field path and say what was expected.
#include "retry_config.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fake_host.h"

namespace switchyard::retry_test {
namespace {

struct ConfigDeleter {
  void operator()(retry_config* config) const { retry_config_free(config); }
};
using ConfigPtr = std::unique_ptr<retry_config, ConfigDeleter>;

// The recorded errors go to *error, one per line.
ConfigPtr parse(const std::string& json, std::string* error = nullptr) {
  fake_host::TestConfig input(json);
  EXPECT_TRUE(input.parsed()) << json;
  const config_reader reader = {fake_host::fakeHostTable(), input.context()};
  ConfigPtr config(retry_config_read(&reader));
  if (error != nullptr) {
    error->clear();
    for (const auto& line : input.errors()) *error += (error->empty() ? "" : "\n") + line;
  }
  return config;
}

TEST(RetryConfigTest, EmptyObjectGivesTheDocumentedDefaults) {
  std::string error;
  ConfigPtr config = parse("{}", &error);
  ASSERT_NE(config, nullptr) << error;
  EXPECT_EQ(config->retry_on, uint32_t(RETRY_ON_CONNECT_FAILURE | RETRY_ON_RESET | RETRY_ON_GATEWAY_ERROR));
  EXPECT_EQ(config->rules.status_code_count, 0u);
  EXPECT_EQ(config->rules.header_count, 0u);
  EXPECT_EQ(config->num_retries, 1u);
  EXPECT_EQ(config->per_try_timeout_ms, 0u);
  EXPECT_EQ(config->backoff_base_ms, 25u);
  EXPECT_EQ(config->backoff_max_ms, 250u);
  EXPECT_EQ(config->honor_retry_after, 0);
  EXPECT_EQ(config->retry_after_max_delay_ms, 10000u);
  EXPECT_EQ(config->budget_enabled, 1);
  EXPECT_DOUBLE_EQ(config->budget_percent, 20.0);
  EXPECT_EQ(config->budget_min_concurrency, 3u);
  EXPECT_EQ(config->avoid_tried_hosts, 1);
  EXPECT_EQ(config->hedge_on_per_try_timeout, 0);
  EXPECT_EQ(config->hedge_initial_requests, 1u);
  EXPECT_EQ(config->retry_non_idempotent, 0);
  EXPECT_EQ(config->attempt_count_header, nullptr);
  EXPECT_EQ(config->request_overrides, 0);
}

TEST(RetryConfigTest, ReadsEveryField) {
  std::string error;
  ConfigPtr config = parse(R"({
      "retry_on": ["5xx", "retriable-4xx", "retriable-status-codes", "retriable-headers", "reset",
                   "connect-failure", "gateway-error"],
      "retriable_status_codes": [429, 418],
      "retriable_headers": [{"name": "x-retry"}, {"name": "x-upstream-state", "value": "Draining"}],
      "num_retries": 4,
      "per_try_timeout_ms": 300,
      "backoff": {"base_interval_ms": 10, "max_interval_ms": 500},
      "retry_after": {"honor": true, "max_delay_ms": 2000},
      "budget": {"enabled": false, "percent": 12.5, "min_concurrency": 7},
      "avoid_tried_hosts": false,
      "hedge": {"on_per_try_timeout": true, "initial_requests": 2},
      "retry_non_idempotent": true,
      "attempt_count_header": "x-attempt",
      "request_overrides": true})",
                           &error);
  ASSERT_NE(config, nullptr) << error;
  EXPECT_EQ(config->retry_on, uint32_t(0x7f));
  EXPECT_EQ(config->rules.status_code_count, 2u);
  EXPECT_TRUE(retry_status_set_has(&config->rules.status_codes, 429));
  EXPECT_TRUE(retry_status_set_has(&config->rules.status_codes, 418));
  EXPECT_FALSE(retry_status_set_has(&config->rules.status_codes, 503));
  ASSERT_EQ(config->rules.header_count, 2u);
  EXPECT_STREQ(config->rules.headers[0].name, "x-retry");
  EXPECT_EQ(config->rules.headers[0].any_value, 1);
  EXPECT_STREQ(config->rules.headers[1].name, "x-upstream-state");
  EXPECT_EQ(config->rules.headers[1].any_value, 0);
  EXPECT_STREQ(config->rules.headers[1].value, "Draining");
  EXPECT_EQ(config->num_retries, 4u);
  EXPECT_EQ(config->per_try_timeout_ms, 300u);
  EXPECT_EQ(config->backoff_base_ms, 10u);
  EXPECT_EQ(config->backoff_max_ms, 500u);
  EXPECT_EQ(config->honor_retry_after, 1);
  EXPECT_EQ(config->retry_after_max_delay_ms, 2000u);
  EXPECT_EQ(config->budget_enabled, 0);
  EXPECT_DOUBLE_EQ(config->budget_percent, 12.5);
  EXPECT_EQ(config->budget_min_concurrency, 7u);
  EXPECT_EQ(config->avoid_tried_hosts, 0);
  EXPECT_EQ(config->hedge_on_per_try_timeout, 1);
  EXPECT_EQ(config->hedge_initial_requests, 2u);
  EXPECT_EQ(config->retry_non_idempotent, 1);
  EXPECT_STREQ(config->attempt_count_header, "x-attempt");
  EXPECT_EQ(config->attempt_count_header_len, 9u);
  EXPECT_EQ(config->request_overrides, 1);
}

TEST(RetryConfigTest, MaxIntervalDefaultsToTenTimesTheGivenBase) {
  ConfigPtr config = parse(R"({"backoff": {"base_interval_ms": 40}})");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->backoff_max_ms, 400u);
}

TEST(RetryConfigTest, AcceptsWholeNumbersInAnyJsonSpelling) {
  // Protobuf's Struct holds numbers as doubles and may print them so.
  ConfigPtr config =
      parse(R"({"per_try_timeout_ms": 3e2, "num_retries": 2.0, "budget": {"percent": 1.5E1}})");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->per_try_timeout_ms, 300u);
  EXPECT_EQ(config->num_retries, 2u);
  EXPECT_DOUBLE_EQ(config->budget_percent, 15.0);
}

TEST(RetryConfigTest, DurationsMayBeStringsWithAUnit) {
  std::string error;
  ConfigPtr config = parse(R"({"per_try_timeout_ms": "1.5s", "backoff": {"base_interval_ms": "10ms"},
                              "retry_after": {"max_delay_ms": "2s"}})",
                           &error);
  ASSERT_NE(config, nullptr) << error;
  EXPECT_EQ(config->per_try_timeout_ms, 1500u);
  EXPECT_EQ(config->backoff_base_ms, 10u);
  EXPECT_EQ(config->backoff_max_ms, 100u);
  EXPECT_EQ(config->retry_after_max_delay_ms, 2000u);
}

TEST(RetryConfigTest, ATinyFractionIsNoWholeNumber) {
  // 1e-71 would read as 0 if it were cut or rounded first.
  const std::string tiny = "0." + std::string(70, '0') + "1";
  std::string error;
  EXPECT_EQ(parse(R"({"num_retries": )" + tiny + "}", &error), nullptr);
  EXPECT_EQ(error, "config.num_retries: expected an integer from 0 to 100, got 1e-71");
}

TEST(RetryConfigTest, EmptyAttemptCountHeaderAndEmptyRetryOnAreAllowed) {
  ConfigPtr config = parse(R"({"attempt_count_header": "", "retry_on": [], "retriable_status_codes": []})");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->attempt_count_header, nullptr);
  EXPECT_EQ(config->retry_on, 0u);
}

TEST(RetryConfigTest, EveryFieldErrorIsReportedAndCrossFieldRulesWaitForThem) {
  std::string error;
  EXPECT_EQ(parse(R"({"num_retries": -1, "budget": {"percent": 101, "max": 1}, "retry_on": ["5xx", "5XX"],
                     "hedge": {"initial_requests": 5}})",
                  &error),
            nullptr);
  EXPECT_EQ(error,
            "config.retry_on[1]: unknown condition \"5XX\" (expected one of 5xx, gateway-error, reset, "
            "connect-failure, retriable-4xx, retriable-status-codes, retriable-headers)\n"
            "config.num_retries: expected an integer from 0 to 100, got -1\n"
            "config.budget.max: unknown field (expected enabled, percent or min_concurrency)\n"
            "config.budget.percent: expected a number from 0 to 100, got 101");
}

struct RejectedConfig {
  const char* json;
  const char* message;  // the whole error
};

class RetryConfigRejectsTest : public ::testing::TestWithParam<RejectedConfig> {};

TEST_P(RetryConfigRejectsTest, NamingTheField) {
  std::string error;
  EXPECT_EQ(parse(GetParam().json, &error), nullptr);
  EXPECT_EQ(error, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, RetryConfigRejectsTest,
    ::testing::Values(
        RejectedConfig{
            R"({"retries": 3})",
            "config.retries: unknown field (expected retry_on, retriable_status_codes, retriable_headers, "
            "num_retries, per_try_timeout_ms, backoff, retry_after, budget, avoid_tried_hosts, hedge, "
            "retry_non_idempotent, attempt_count_header or request_overrides)"},
        RejectedConfig{R"({"retry_on": "5xx"})",
                       "config.retry_on: expected an array of strings, got \"5xx\""},
        RejectedConfig{R"({"retry_on": [5]})", "config.retry_on[0]: expected a string, got 5"},
        RejectedConfig{R"({"retry_on": ["5xx", "5XX"]})",
                       "config.retry_on[1]: unknown condition \"5XX\" (expected one of 5xx, gateway-error, reset, "
                       "connect-failure, retriable-4xx, retriable-status-codes, retriable-headers)"},
        RejectedConfig{R"({"num_retries": -1})",
                       "config.num_retries: expected an integer from 0 to 100, got -1"},
        RejectedConfig{R"({"num_retries": 1.5})",
                       "config.num_retries: expected an integer from 0 to 100, got 1.5"},
        RejectedConfig{R"({"num_retries": 101})",
                       "config.num_retries: expected an integer from 0 to 100, got 101"},
        RejectedConfig{R"({"num_retries": null})",
                       "config.num_retries: expected an integer from 0 to 100, got null"},
        RejectedConfig{R"({"per_try_timeout_ms": true})",
                       "config.per_try_timeout_ms: expected a duration from 0ms to 86400000ms (\"300ms\", "
                       "\"1.5s\" or an integer of milliseconds), got true"},
        RejectedConfig{
            R"({"retriable_status_codes": [503]})",
            "config.retriable_status_codes: listed, but retry_on does not include \"retriable-status-codes\", "
            "so they would never be used"},
        RejectedConfig{
            R"({"retry_on": ["retriable-status-codes"]})",
            "config.retry_on: \"retriable-status-codes\" needs at least one code in retriable_status_codes"},
        RejectedConfig{R"({"retry_on": ["retriable-status-codes"], "retriable_status_codes": [503, 600]})",
                       "config.retriable_status_codes[1]: expected an integer from 100 to 599, got 600"},
        RejectedConfig{R"({"retry_on": ["retriable-status-codes"], "retriable_status_codes": 503})",
                       "config.retriable_status_codes: expected an array of status codes, got number"},
        RejectedConfig{R"({"retriable_headers": [{"name": "x-retry"}]})",
                       "config.retriable_headers: listed, but retry_on does not include \"retriable-headers\", "
                       "so they would never be used"},
        RejectedConfig{R"({"retry_on": ["retriable-headers"]})",
                       "config.retry_on: \"retriable-headers\" needs at least one entry in retriable_headers"},
        RejectedConfig{R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"value": "x"}]})",
                       "config.retriable_headers[0]: name is required"},
        RejectedConfig{R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "x y"}]})",
                       "config.retriable_headers[0].name: \"x y\" is not a valid header name (an HTTP token)"},
        RejectedConfig{
            R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "a", "valu": "b"}]})",
            "config.retriable_headers[0].valu: unknown field (expected name or value)"},
        RejectedConfig{
            R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "a", "value": 1}]})",
            "config.retriable_headers[0].value: expected a string, got 1"},
        RejectedConfig{
            R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "a", "value": "\n"}]})",
            "config.retriable_headers[0].value: header values may not contain CR, LF or NUL"},
        RejectedConfig{R"({"retry_on": ["retriable-headers"], "retriable_headers": ["x-retry"]})",
                       "config.retriable_headers[0]: expected an object, got \"x-retry\""},
        RejectedConfig{R"({"backoff": 5})", "config.backoff: expected an object, got 5"},
        RejectedConfig{R"({"backoff": {"base": 1}})",
                       "config.backoff.base: unknown field (expected base_interval_ms or max_interval_ms)"},
        RejectedConfig{R"({"backoff": {"base_interval_ms": 100, "max_interval_ms": 50}})",
                       "config.backoff.max_interval_ms: 50 ms is less than backoff.base_interval_ms (100 ms)"},
        RejectedConfig{R"({"backoff": {"max_interval_ms": 10}})",
                       "config.backoff.max_interval_ms: 10 ms is less than backoff.base_interval_ms (25 ms)"},
        RejectedConfig{R"({"backoff": {"base_interval_ms": 3600001}})",
                       "config.backoff.base_interval_ms: expected a duration from 0ms to 3600000ms (\"300ms\", "
                       "\"1.5s\" or an integer of milliseconds), got 3600001"},
        RejectedConfig{R"({"retry_after": {"honor": "yes"}})",
                       "config.retry_after.honor: expected true or false, got \"yes\""},
        RejectedConfig{R"({"retry_after": {"max_delay_ms": -5}})",
                       "config.retry_after.max_delay_ms: expected a duration from 0ms to 3600000ms (\"300ms\", "
                       "\"1.5s\" or an integer of milliseconds), got -5"},
        RejectedConfig{R"({"budget": {"percent": 150}})",
                       "config.budget.percent: expected a number from 0 to 100, got 150"},
        RejectedConfig{R"({"budget": {"percent": "20%"}})",
                       "config.budget.percent: expected a number from 0 to 100, got \"20%\""},
        RejectedConfig{R"({"budget": {"enabled": 1}})", "config.budget.enabled: expected true or false, got 1"},
        RejectedConfig{
            R"({"budget": {"min_concurrency": 4294967296}})",
            "config.budget.min_concurrency: expected an integer from 0 to 4294967295, got 4294967296"},
        RejectedConfig{R"({"budget": {"max": 1}})",
                       "config.budget.max: unknown field (expected enabled, percent or min_concurrency)"},
        RejectedConfig{R"({"hedge": {"on_per_try_timeout": true}})",
                       "config.hedge.on_per_try_timeout: needs per_try_timeout_ms above 0"},
        RejectedConfig{
            R"({"hedge": {"on_per_try_timeout": true}, "per_try_timeout_ms": 100, "retry_on": ["reset"]})",
            "config.hedge.on_per_try_timeout: retry_on must include \"5xx\" or \"gateway-error\", the "
            "conditions that cover a per-try timeout"},
        RejectedConfig{
            R"({"hedge": {"initial_requests": 3}})",
            "config.hedge.initial_requests: 3 means 2 hedges, but num_retries is 1 and hedges count against it"},
        RejectedConfig{R"({"hedge": {"initial_requests": 0}})",
                       "config.hedge.initial_requests: expected an integer from 1 to 10, got 0"},
        RejectedConfig{R"({"attempt_count_header": "x attempt"})",
                       "config.attempt_count_header: \"x attempt\" is not a valid header name (an HTTP token)"},
        RejectedConfig{R"({"attempt_count_header": false})",
                       "config.attempt_count_header: expected a string, got false"},
        RejectedConfig{R"({"avoid_tried_hosts": "true"})",
                       "config.avoid_tried_hosts: expected true or false, got \"true\""},
        RejectedConfig{R"({"request_overrides": 0})",
                       "config.request_overrides: expected true or false, got 0"},
        RejectedConfig{R"({"retry_non_idempotent": []})",
                       "config.retry_non_idempotent: expected true or false, got array"}));

}  // namespace
}  // namespace switchyard::retry_test
