// retry_config_parse: the defaults, every field, and config errors that
// name the field and say what was expected.
#include "config.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

namespace switchyard::retry_test {
namespace {

struct ConfigDeleter {
  void operator()(retry_config* config) const { retry_config_free(config); }
};
using ConfigPtr = std::unique_ptr<retry_config, ConfigDeleter>;

ConfigPtr parse(const std::string& json, std::string* error = nullptr) {
  char message[1024] = "";
  ConfigPtr config(retry_config_parse(json.data(), json.size(), message, sizeof message));
  if (error != nullptr) *error = message;
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

TEST(RetryConfigTest, ALongNumberIsReadWholeButQuotedCut) {
  // 1e-71 is not a whole number; the first 64 characters alone would read
  // as 0 (the old token finder cut the text before reading it).
  const std::string tiny = "0." + std::string(70, '0') + "1";
  std::string error;
  EXPECT_EQ(parse(R"({"num_retries": )" + tiny + "}", &error), nullptr);
  EXPECT_EQ(error, "num_retries: expected a whole number from 0 to 100, got " + tiny.substr(0, 64));
}

TEST(RetryConfigTest, EmptyAttemptCountHeaderAndEmptyRetryOnAreAllowed) {
  ConfigPtr config = parse(R"({"attempt_count_header": "", "retry_on": [], "retriable_status_codes": []})");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->attempt_count_header, nullptr);
  EXPECT_EQ(config->retry_on, 0u);
}

TEST(RetryConfigTest, AMessageLongerThanTheBufferIsCutNotOverrun) {
  const std::string json = R"({"retry_on": ["a-condition-name-that-is-rather-long"]})";
  char message[24];
  memset(message, 'x', sizeof message);
  EXPECT_EQ(retry_config_parse(json.data(), json.size(), message, 16), nullptr);
  EXPECT_EQ(strlen(message), 15u);
  EXPECT_EQ(message[16], 'x');
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
        RejectedConfig{"[]", "config: expected an object, got array"},
        RejectedConfig{
            R"({"retries": 3})",
            "retries: unknown field (expected retry_on, retriable_status_codes, retriable_headers, "
            "num_retries, per_try_timeout_ms, backoff, retry_after, budget, avoid_tried_hosts, hedge, "
            "retry_non_idempotent, attempt_count_header or request_overrides)"},
        RejectedConfig{R"({"retry_on": "5xx"})",
                       "retry_on: expected an array of condition names, got string"},
        RejectedConfig{R"({"retry_on": [5]})", "retry_on[0]: expected a condition name (string), got number"},
        RejectedConfig{R"({"retry_on": ["5xx", "5XX"]})",
                       "retry_on[1]: unknown condition \"5XX\" (expected one of 5xx, gateway-error, reset, "
                       "connect-failure, retriable-4xx, retriable-status-codes, retriable-headers)"},
        RejectedConfig{R"({"num_retries": -1})",
                       "num_retries: expected a whole number from 0 to 100, got -1"},
        RejectedConfig{R"({"num_retries": 1.5})",
                       "num_retries: expected a whole number from 0 to 100, got 1.5"},
        RejectedConfig{R"({"num_retries": 101})",
                       "num_retries: expected a whole number from 0 to 100, got 101"},
        RejectedConfig{R"({"num_retries": null})",
                       "num_retries: expected a whole number from 0 to 100, got null"},
        RejectedConfig{R"({"per_try_timeout_ms": true})",
                       "per_try_timeout_ms: expected a whole number from 0 to 86400000, got boolean"},
        RejectedConfig{
            R"({"retriable_status_codes": [503]})",
            "retriable_status_codes: listed, but retry_on does not include \"retriable-status-codes\", "
            "so they would never be used"},
        RejectedConfig{
            R"({"retry_on": ["retriable-status-codes"]})",
            "retry_on: \"retriable-status-codes\" needs at least one code in retriable_status_codes"},
        RejectedConfig{R"({"retry_on": ["retriable-status-codes"], "retriable_status_codes": [503, 600]})",
                       "retriable_status_codes[1]: expected a whole number from 100 to 599, got 600"},
        RejectedConfig{R"({"retry_on": ["retriable-status-codes"], "retriable_status_codes": 503})",
                       "retriable_status_codes: expected an array of status codes, got number"},
        RejectedConfig{R"({"retriable_headers": [{"name": "x-retry"}]})",
                       "retriable_headers: listed, but retry_on does not include \"retriable-headers\", "
                       "so they would never be used"},
        RejectedConfig{R"({"retry_on": ["retriable-headers"]})",
                       "retry_on: \"retriable-headers\" needs at least one entry in retriable_headers"},
        RejectedConfig{R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"value": "x"}]})",
                       "retriable_headers[0].name: required"},
        RejectedConfig{R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "x y"}]})",
                       "retriable_headers[0].name: \"x y\" is not a valid header name (an HTTP token)"},
        RejectedConfig{
            R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "a", "valu": "b"}]})",
            "retriable_headers[0].valu: unknown field (expected name or value)"},
        RejectedConfig{
            R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "a", "value": 1}]})",
            "retriable_headers[0].value: expected a string, got number"},
        RejectedConfig{
            R"({"retry_on": ["retriable-headers"], "retriable_headers": [{"name": "a", "value": "\n"}]})",
            "retriable_headers[0].value: header values may not contain CR, LF or NUL"},
        RejectedConfig{R"({"retry_on": ["retriable-headers"], "retriable_headers": ["x-retry"]})",
                       "retriable_headers[0]: expected an object, got string"},
        RejectedConfig{R"({"backoff": 5})", "backoff: expected an object, got number"},
        RejectedConfig{R"({"backoff": {"base": 1}})",
                       "backoff.base: unknown field (expected base_interval_ms or max_interval_ms)"},
        RejectedConfig{R"({"backoff": {"base_interval_ms": 100, "max_interval_ms": 50}})",
                       "backoff.max_interval_ms: 50 is less than backoff.base_interval_ms (100)"},
        RejectedConfig{R"({"backoff": {"max_interval_ms": 10}})",
                       "backoff.max_interval_ms: 10 is less than backoff.base_interval_ms (25)"},
        RejectedConfig{R"({"backoff": {"base_interval_ms": 3600001}})",
                       "backoff.base_interval_ms: expected a whole number from 0 to 3600000, got 3600001"},
        RejectedConfig{R"({"retry_after": {"honor": "yes"}})",
                       "retry_after.honor: expected true or false, got string"},
        RejectedConfig{R"({"retry_after": {"max_delay_ms": -5}})",
                       "retry_after.max_delay_ms: expected a whole number from 0 to 3600000, got -5"},
        RejectedConfig{R"({"budget": {"percent": 150}})",
                       "budget.percent: expected a number from 0 to 100, got 150"},
        RejectedConfig{R"({"budget": {"percent": "20%"}})",
                       "budget.percent: expected a number from 0 to 100, got string"},
        RejectedConfig{R"({"budget": {"enabled": 1}})", "budget.enabled: expected true or false, got number"},
        RejectedConfig{
            R"({"budget": {"min_concurrency": 4294967296}})",
            "budget.min_concurrency: expected a whole number from 0 to 4294967295, got 4294967296"},
        RejectedConfig{R"({"budget": {"max": 1}})",
                       "budget.max: unknown field (expected enabled, percent or min_concurrency)"},
        RejectedConfig{R"({"hedge": {"on_per_try_timeout": true}})",
                       "hedge.on_per_try_timeout: needs per_try_timeout_ms above 0"},
        RejectedConfig{
            R"({"hedge": {"on_per_try_timeout": true}, "per_try_timeout_ms": 100, "retry_on": ["reset"]})",
            "hedge.on_per_try_timeout: retry_on must include \"5xx\" or \"gateway-error\", the "
            "conditions that cover a per-try timeout"},
        RejectedConfig{
            R"({"hedge": {"initial_requests": 3}})",
            "hedge.initial_requests: 3 means 2 hedges, but num_retries is 1 and hedges count against it"},
        RejectedConfig{R"({"hedge": {"initial_requests": 0}})",
                       "hedge.initial_requests: expected a whole number from 1 to 10, got 0"},
        RejectedConfig{R"({"attempt_count_header": "x attempt"})",
                       "attempt_count_header: \"x attempt\" is not a valid header name (an HTTP token)"},
        RejectedConfig{R"({"attempt_count_header": false})",
                       "attempt_count_header: expected a header name (string), got boolean"},
        RejectedConfig{R"({"avoid_tried_hosts": "true"})",
                       "avoid_tried_hosts: expected true or false, got string"},
        RejectedConfig{R"({"request_overrides": 0})",
                       "request_overrides: expected true or false, got number"},
        RejectedConfig{R"({"retry_non_idempotent": []})",
                       "retry_non_idempotent: expected true or false, got array"},
        RejectedConfig{R"({"num_retries": 1,})",
                       "invalid JSON at offset 18: expected a member name in quotes"}));

}  // namespace
}  // namespace switchyard::retry_test
