// The request override headers' values: strict, all-or-nothing parsing.
#include "retry_overrides.h"

#include <gtest/gtest.h>

#include <string>

#include "retry_conditions.h"

namespace switchyard::retry_test {
namespace {

bool conditions(const std::string& value, uint32_t* out) {
  return retry_override_parse_conditions(value.data(), value.size(), out) != 0;
}

bool maxRetries(const std::string& value, uint32_t* out) {
  return retry_override_parse_max_retries(value.data(), value.size(), 100, out) != 0;
}

TEST(RetryOverridesTest, RetryOnIsACommaListOfTheConfigWords) {
  uint32_t parsed = 0;
  ASSERT_TRUE(conditions("5xx", &parsed));
  EXPECT_EQ(parsed, uint32_t(RETRY_ON_5XX));
  ASSERT_TRUE(conditions(" reset ,connect-failure,\tretriable-4xx ", &parsed));
  EXPECT_EQ(parsed, uint32_t(RETRY_ON_RESET | RETRY_ON_CONNECT_FAILURE | RETRY_ON_RETRIABLE_4XX));
  ASSERT_TRUE(conditions("gateway-error,gateway-error", &parsed));
  EXPECT_EQ(parsed, uint32_t(RETRY_ON_GATEWAY_ERROR));
}

TEST(RetryOverridesTest, AnyBadItemRejectsTheWholeRetryOnValue) {
  for (const char* value :
       {"", " ", "5xx,", ",5xx", "5xx,,reset", "5xx,bogus", "5XX", "5xx reset", "5xx;reset"}) {
    uint32_t parsed = 12345;
    EXPECT_FALSE(conditions(value, &parsed)) << value;
    EXPECT_EQ(parsed, 12345u) << value;
  }
}

TEST(RetryOverridesTest, MaxRetriesIsAWholeNumberUpToTheLimit) {
  uint32_t parsed = 0;
  ASSERT_TRUE(maxRetries("3", &parsed));
  EXPECT_EQ(parsed, 3u);
  ASSERT_TRUE(maxRetries(" 0\t", &parsed));
  EXPECT_EQ(parsed, 0u);
  ASSERT_TRUE(maxRetries("100", &parsed));
  EXPECT_EQ(parsed, 100u);
  ASSERT_TRUE(maxRetries("007", &parsed));
  EXPECT_EQ(parsed, 7u);
}

TEST(RetryOverridesTest, MaxRetriesRejectsAnythingElse) {
  for (const char* value :
       {"", " ", "-1", "+1", "1.0", "3a", "a3", "1 2", "101", "99999999999999999999999999"}) {
    uint32_t parsed = 77;
    EXPECT_FALSE(maxRetries(value, &parsed)) << value;
    EXPECT_EQ(parsed, 77u) << value;
  }
}

}  // namespace
}  // namespace switchyard::retry_test
