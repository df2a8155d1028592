// timeout_config_read (modules/timeout/timeout_config.c) through the host's
// typed config calls: defaults, every field, and an error naming the field
// path for each way a config can be wrong.
#include "timeout_config.h"

#include <gtest/gtest.h>

#include <string>

#include "fake_host.h"

namespace {

using switchyard::fake_host::fakeHostTable;
using switchyard::fake_host::TestConfig;

struct Read {
  TestConfig input;
  timeout_config* config = nullptr;

  explicit Read(const std::string& json) : input(json) {
    EXPECT_TRUE(input.parsed()) << json;
    const config_reader reader = {fakeHostTable(), input.context()};
    config = timeout_config_read(&reader);
  }
  ~Read() { timeout_config_free(config); }

  // Every recorded error, one per line.
  std::string errors() const {
    std::string joined;
    for (const auto& error : input.errors()) joined += (joined.empty() ? "" : "\n") + error;
    return joined;
  }
};

std::string rejection(const std::string& json) {
  Read read(json);
  EXPECT_EQ(read.config, nullptr) << json;
  return read.errors();
}

TEST(TimeoutConfig, EmptyObjectTakesTheDefaults) {
  Read read("{}");
  ASSERT_NE(read.config, nullptr) << read.errors();
  EXPECT_EQ(read.config->request_timeout_ms, 15000u);
  EXPECT_EQ(read.config->idle_timeout_ms, 0u);
  EXPECT_EQ(read.config->trusted_timeout_header, nullptr);
  EXPECT_EQ(read.config->propagate_timeout_header, nullptr);
}

TEST(TimeoutConfig, ReadsEveryField) {
  Read read(R"({"trusted_timeout_header": "X-Request-Timeout-Ms", "request_timeout_ms": 3000,
                "propagate_timeout_header": "x-deadline-ms", "idle_timeout_ms": 60000})");
  ASSERT_NE(read.config, nullptr) << read.errors();
  EXPECT_EQ(read.config->request_timeout_ms, 3000u);
  EXPECT_EQ(read.config->idle_timeout_ms, 60000u);
  EXPECT_STREQ(read.config->trusted_timeout_header, "X-Request-Timeout-Ms");
  EXPECT_EQ(read.config->trusted_timeout_header_len, 20u);
  EXPECT_STREQ(read.config->propagate_timeout_header, "x-deadline-ms");
  EXPECT_EQ(read.config->propagate_timeout_header_len, 13u);
}

TEST(TimeoutConfig, DurationsMayBeStringsWithAUnit) {
  Read read(R"({"request_timeout_ms": "1.5s", "idle_timeout_ms": "300ms"})");
  ASSERT_NE(read.config, nullptr) << read.errors();
  EXPECT_EQ(read.config->request_timeout_ms, 1500u);
  EXPECT_EQ(read.config->idle_timeout_ms, 300u);
}

TEST(TimeoutConfig, ZeroTurnsATimeoutOffAndAnEmptyHeaderNameTurnsAHeaderOff) {
  Read read(R"({"request_timeout_ms": 0, "idle_timeout_ms": "0s", "trusted_timeout_header": "",
                "propagate_timeout_header": ""})");
  ASSERT_NE(read.config, nullptr) << read.errors();
  EXPECT_EQ(read.config->request_timeout_ms, 0u);
  EXPECT_EQ(read.config->idle_timeout_ms, 0u);
  EXPECT_EQ(read.config->trusted_timeout_header, nullptr);
  EXPECT_EQ(read.config->propagate_timeout_header, nullptr);
}

constexpr const char* kExpectedDuration =
    "expected a duration from 0ms to 4294967295ms (\"300ms\", \"1.5s\" or an integer of milliseconds)";

TEST(TimeoutConfig, AcceptsTheLargestDurationAndNoMore) {
  Read largest(R"({"request_timeout_ms": 4294967295})");
  ASSERT_NE(largest.config, nullptr) << largest.errors();
  EXPECT_EQ(largest.config->request_timeout_ms, 4294967295u);
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": 4294967296})"),
            std::string("config.idle_timeout_ms: ") + kExpectedDuration + ", got 4294967296");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": 123456789012345678901234567890})"),
            std::string("config.idle_timeout_ms: ") + kExpectedDuration + ", got 1.2345678901234568e+29");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": "4294967.296s"})"),
            std::string("config.idle_timeout_ms: ") + kExpectedDuration + ", got \"4294967.296s\"");
}

TEST(TimeoutConfig, DurationOfTheWrongKindNamesTheFieldAndTheValue) {
  EXPECT_EQ(rejection(R"({"request_timeout_ms": "3000"})"),
            std::string("config.request_timeout_ms: ") + kExpectedDuration + ", got \"3000\"");
  EXPECT_EQ(rejection(R"({"request_timeout_ms": true})"),
            std::string("config.request_timeout_ms: ") + kExpectedDuration + ", got true");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": null})"),
            std::string("config.idle_timeout_ms: ") + kExpectedDuration + ", got null");
  EXPECT_EQ(rejection(R"({"idle_timeout_ms": {"ms": 5}})"),
            std::string("config.idle_timeout_ms: ") + kExpectedDuration + ", got object");
}

TEST(TimeoutConfig, DurationThatIsNotAWholeNonNegativeNumberOfMillisecondsIsQuoted) {
  EXPECT_EQ(rejection(R"({"request_timeout_ms": -1})"),
            std::string("config.request_timeout_ms: ") + kExpectedDuration + ", got -1");
  EXPECT_EQ(rejection(R"({"request_timeout_ms": 1.5})"),
            std::string("config.request_timeout_ms: ") + kExpectedDuration + ", got 1.5");
  EXPECT_EQ(rejection(R"({"request_timeout_ms": "1.0005s"})"),
            std::string("config.request_timeout_ms: ") + kExpectedDuration + ", got \"1.0005s\"");
  EXPECT_EQ(rejection(R"({"request_timeout_ms": "5m"})"),
            std::string("config.request_timeout_ms: ") + kExpectedDuration + ", got \"5m\"");
}

TEST(TimeoutConfig, WholeNumbersCountHoweverTheyAreSpelled) {
  // The host's number rule: 1e3 and 3000.0 are integers; so is -0.
  Read read(R"({"request_timeout_ms": 1e3, "idle_timeout_ms": 3000.0})");
  ASSERT_NE(read.config, nullptr) << read.errors();
  EXPECT_EQ(read.config->request_timeout_ms, 1000u);
  EXPECT_EQ(read.config->idle_timeout_ms, 3000u);
  Read negative_zero(R"({"idle_timeout_ms": -0})");
  ASSERT_NE(negative_zero.config, nullptr) << negative_zero.errors();
  EXPECT_EQ(negative_zero.config->idle_timeout_ms, 0u);
}

TEST(TimeoutConfig, HeaderNamesMustBeTokens) {
  EXPECT_EQ(rejection(R"({"trusted_timeout_header": "x timeout"})"),
            "config.trusted_timeout_header: \"x timeout\" is not a valid header name (an HTTP token)");
  EXPECT_EQ(rejection(R"({"propagate_timeout_header": ":path"})"),
            "config.propagate_timeout_header: \":path\" is not a valid header name (an HTTP token)");
  EXPECT_EQ(rejection(R"({"propagate_timeout_header": "x-a\u0000b"})").substr(0, 36),
            "config.propagate_timeout_header: \"x-");
  EXPECT_EQ(rejection(R"({"trusted_timeout_header": 5})"),
            "config.trusted_timeout_header: expected a string, got 5");
}

TEST(TimeoutConfig, UnknownFieldsAreErrorsNamingTheField) {
  EXPECT_EQ(rejection(R"({"request_timeout_ms": 5, "timeout": 5})"),
            "config.timeout: unknown field (expected request_timeout_ms, idle_timeout_ms, trusted_timeout_header "
            "or propagate_timeout_header)");
}

TEST(TimeoutConfig, EveryErrorIsReportedNotJustTheFirst) {
  EXPECT_EQ(rejection(R"({"request_timeout_ms": -5, "idle_timeout_ms": "x", "trusted_timeout_header": "a b",
                         "extra": 1})"),
            "config.extra: unknown field (expected request_timeout_ms, idle_timeout_ms, trusted_timeout_header "
            "or propagate_timeout_header)\n"
            "config.request_timeout_ms: " + std::string(kExpectedDuration) + ", got -5\n" +
            "config.idle_timeout_ms: " + kExpectedDuration + ", got \"x\"\n" +
            "config.trusted_timeout_header: \"a b\" is not a valid header name (an HTTP token)");
}

TEST(TimeoutConfig, ALongWrongValueIsCutInTheMessage) {
  std::string letters(100, 'x');
  EXPECT_EQ(rejection(R"({"request_timeout_ms": ")" + letters + "\"}"),
            std::string("config.request_timeout_ms: ") + kExpectedDuration + ", got \"" + letters.substr(0, 64) +
                "...\"");
}

}  // namespace
