// timeout_config_parse (modules/timeout/config.c): defaults, every field,
// and a message naming the field for each way a config can be wrong.
#include "config.h"

#include <gtest/gtest.h>

#include <string>

namespace {

struct Parsed {
  timeout_config* config = nullptr;
  std::string error;

  explicit Parsed(const std::string& json) {
    char text[1024] = "";
    config = timeout_config_parse(json.data(), json.size(), text, sizeof text);
    error = text;
  }
  ~Parsed() { timeout_config_free(config); }
};

std::string rejection(const std::string& json) {
  Parsed parsed(json);
  EXPECT_EQ(parsed.config, nullptr) << json;
  return parsed.error;
}

TEST(TimeoutConfig, EmptyObjectTakesTheDefaults) {
  Parsed parsed("{}");
  ASSERT_NE(parsed.config, nullptr) << parsed.error;
  EXPECT_EQ(parsed.config->request_timeout_ms, 15000u);
  EXPECT_EQ(parsed.config->idle_timeout_ms, 0u);
  EXPECT_EQ(parsed.config->trusted_timeout_header, nullptr);
  EXPECT_EQ(parsed.config->propagate_timeout_header, nullptr);
}

TEST(TimeoutConfig, ReadsEveryField) {
  Parsed parsed(R"({"trusted_timeout_header": "X-Request-Timeout-Ms", "request_timeout_ms": 3000,
                    "propagate_timeout_header": "x-deadline-ms", "idle_timeout_ms": 60000})");
  ASSERT_NE(parsed.config, nullptr) << parsed.error;
  EXPECT_EQ(parsed.config->request_timeout_ms, 3000u);
  EXPECT_EQ(parsed.config->idle_timeout_ms, 60000u);
  EXPECT_STREQ(parsed.config->trusted_timeout_header, "X-Request-Timeout-Ms");
  EXPECT_EQ(parsed.config->trusted_timeout_header_len, 20u);
  EXPECT_STREQ(parsed.config->propagate_timeout_header, "x-deadline-ms");
  EXPECT_EQ(parsed.config->propagate_timeout_header_len, 13u);
}

TEST(TimeoutConfig, ZeroTurnsATimeoutOffAndAnEmptyHeaderNameTurnsAHeaderOff) {
  Parsed parsed(R"({"request_timeout_ms": 0, "idle_timeout_ms": 0, "trusted_timeout_header": "",
                    "propagate_timeout_header": ""})");
  ASSERT_NE(parsed.config, nullptr) << parsed.error;
  EXPECT_EQ(parsed.config->request_timeout_ms, 0u);
  EXPECT_EQ(parsed.config->idle_timeout_ms, 0u);
  EXPECT_EQ(parsed.config->trusted_timeout_header, nullptr);
  EXPECT_EQ(parsed.config->propagate_timeout_header, nullptr);
}

TEST(TimeoutConfig, AcceptsTheLargestDurationAndNoMore) {
  Parsed largest(R"({"request_timeout_ms": 4294967295})");
  ASSERT_NE(largest.config, nullptr) << largest.error;
  EXPECT_EQ(largest.config->request_timeout_ms, 4294967295u);
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": 4294967296})"),
            "idle_timeout_ms: 4294967296 is more than the maximum, 4294967295 ms (about 49.7 days)");
  EXPECT_EQ(
      rejection(R"({"idle_timeout_ms": 123456789012345678901234567890})"),
      "idle_timeout_ms: 123456789012345678901234567890 is more than the maximum, 4294967295 ms (about 49.7 "
      "days)");
  EXPECT_EQ(
      rejection(R"({"idle_timeout_ms": 18446744073709551616})"),
      "idle_timeout_ms: 18446744073709551616 is more than the maximum, 4294967295 ms (about 49.7 days)");
}

TEST(TimeoutConfig, NumbersAreReadWhateverSurroundsThem) {
  // Keys with escapes, strings holding brackets and commas, odd spacing.
  Parsed parsed(
      "{ \"trusted_timeout_header\" : \"x-t\" ,\n\t\"request\\u005ftimeout_ms\"\r\n:\n250 , "
      "\"idle_timeout_ms\":7}");
  ASSERT_NE(parsed.config, nullptr) << parsed.error;
  EXPECT_EQ(parsed.config->request_timeout_ms, 250u);
  EXPECT_EQ(parsed.config->idle_timeout_ms, 7u);
}

TEST(TimeoutConfig, DurationOfTheWrongTypeNamesTheFieldAndTheType) {
  EXPECT_EQ(rejection(R"({"request_timeout_ms": "3000"})"),
            "request_timeout_ms: expected a non-negative integer, got string");
  EXPECT_EQ(rejection(R"({"request_timeout_ms": true})"),
            "request_timeout_ms: expected a non-negative integer, got boolean");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": null})"),
            "idle_timeout_ms: expected a non-negative integer, got null");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": {"ms": 5}})"),
            "idle_timeout_ms: expected a non-negative integer, got object");
}

TEST(TimeoutConfig, DurationThatIsNotAWholeNonNegativeNumberIsQuoted) {
  EXPECT_EQ(rejection(R"({"request_timeout_ms": -1})"),
            "request_timeout_ms: expected a non-negative integer, got -1");
  EXPECT_EQ(rejection(R"({"request_timeout_ms": 1.5})"),
            "request_timeout_ms: expected a non-negative integer, got 1.5");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": 1e3})"),
            "idle_timeout_ms: expected a non-negative integer, got 1e3");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": 3000.0})"),
            "idle_timeout_ms: expected a non-negative integer, got 3000.0");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": -0})"),
            "idle_timeout_ms: expected a non-negative integer, got -0");
}

TEST(TimeoutConfig, HeaderNamesMustBeTokens) {
  EXPECT_EQ(rejection(R"({"trusted_timeout_header": "x timeout"})"),
            "trusted_timeout_header: \"x timeout\" is not a valid header name (an HTTP token)");
  EXPECT_EQ(rejection(R"({"propagate_timeout_header": ":path"})"),
            "propagate_timeout_header: \":path\" is not a valid header name (an HTTP token)");
  EXPECT_EQ(rejection(R"({"propagate_timeout_header": "x-a\u0000b"})").substr(0, 29),
            "propagate_timeout_header: \"x-");
  EXPECT_EQ(rejection(R"({"trusted_timeout_header": 5})"),
            "trusted_timeout_header: expected a header name (string, \"\" for off), got number");
}

TEST(TimeoutConfig, UnknownFieldsAreErrorsNamingTheField) {
  EXPECT_EQ(rejection(R"({"request_timeout_ms": 5, "timeout": 5})"),
            "timeout: unknown field (expected request_timeout_ms, idle_timeout_ms, trusted_timeout_header or "
            "propagate_timeout_header)");
}

TEST(TimeoutConfig, TheConfigMustBeAJsonObject) {
  EXPECT_EQ(rejection("[]"), "config: expected an object, got array");
  EXPECT_EQ(rejection("3000"), "config: expected an object, got number");
  EXPECT_EQ(rejection(R"({"request_timeout_ms": })").rfind("invalid JSON at offset 23", 0), 0u);
  EXPECT_EQ(rejection(R"({"request_timeout_ms": 1, "request_timeout_ms": 2})"),
            "invalid JSON at offset 46: duplicate member name");
}

TEST(TimeoutConfig, ALongWrongValueIsCutInTheMessage) {
  std::string digits(100, '7');
  EXPECT_EQ(rejection(R"({"request_timeout_ms": -)" + digits + "}"),
            "request_timeout_ms: expected a non-negative integer, got -" + digits.substr(0, 39));
}

}  // namespace
