// retry_outcome_is_retriable: which outcomes each retry_on condition covers.
#include "retry_conditions.h"

#include <gtest/gtest.h>
#include <strings.h>

#include <string>
#include <utility>
#include <vector>

namespace switchyard::retry_test {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A response header map for the classifier, read through a header_get of
// the host's shape.
sy_result getHeader(const sy_headers* headers, sy_slice name, size_t index, sy_slice* value_out) {
  for (const auto& [field_name, value] : *reinterpret_cast<const Fields*>(headers)) {
    if (field_name.size() == name.len && ::strncasecmp(field_name.data(), name.ptr, name.len) == 0 &&
        index-- == 0) {
      *value_out = sy_slice{value.data(), value.size()};
      return SY_OK;
    }
  }
  return SY_ERR_NOT_FOUND;
}

const sy_headers* handle(const Fields& fields) { return reinterpret_cast<const sy_headers*>(&fields); }

class RetryConditionsTest : public ::testing::Test {
 protected:
  bool response(uint32_t conditions, uint32_t status, const Fields& fields = {}) {
    return retry_outcome_is_retriable(conditions, &rules_, SY_ATTEMPT_RESPONSE, status, handle(fields),
                                      getHeader);
  }
  bool failure(uint32_t conditions, sy_attempt_outcome outcome) {
    return retry_outcome_is_retriable(conditions, &rules_, outcome, 0, nullptr, getHeader);
  }

  retry_response_rules rules_{};
};

TEST_F(RetryConditionsTest, WordsMapToConditionsExactly) {
  EXPECT_EQ(retry_condition_from_word("5xx", 3), uint32_t(RETRY_ON_5XX));
  EXPECT_EQ(retry_condition_from_word("gateway-error", 13), uint32_t(RETRY_ON_GATEWAY_ERROR));
  EXPECT_EQ(retry_condition_from_word("reset", 5), uint32_t(RETRY_ON_RESET));
  EXPECT_EQ(retry_condition_from_word("connect-failure", 15), uint32_t(RETRY_ON_CONNECT_FAILURE));
  EXPECT_EQ(retry_condition_from_word("retriable-4xx", 13), uint32_t(RETRY_ON_RETRIABLE_4XX));
  EXPECT_EQ(retry_condition_from_word("retriable-status-codes", 22),
            uint32_t(RETRY_ON_RETRIABLE_STATUS_CODES));
  EXPECT_EQ(retry_condition_from_word("retriable-headers", 17), uint32_t(RETRY_ON_RETRIABLE_HEADERS));
  EXPECT_EQ(retry_condition_from_word("5XX", 3), 0u);
  EXPECT_EQ(retry_condition_from_word("5xx ", 4), 0u);
  EXPECT_EQ(retry_condition_from_word("", 0), 0u);
  EXPECT_STREQ(retry_condition_word(RETRY_ON_RESET), "reset");
}

TEST_F(RetryConditionsTest, FiveXxCoversEvery5xxAndEveryFailureBeforeHeaders) {
  for (uint32_t status : {500u, 501u, 502u, 503u, 504u, 599u})
    EXPECT_TRUE(response(RETRY_ON_5XX, status)) << status;
  for (uint32_t status : {200u, 404u, 409u, 429u, 499u})
    EXPECT_FALSE(response(RETRY_ON_5XX, status)) << status;
  EXPECT_TRUE(failure(RETRY_ON_5XX, SY_ATTEMPT_CONNECT_FAILURE));
  EXPECT_TRUE(failure(RETRY_ON_5XX, SY_ATTEMPT_RESET_BEFORE_HEADERS));
  EXPECT_TRUE(failure(RETRY_ON_5XX, SY_ATTEMPT_TIMED_OUT));
}

TEST_F(RetryConditionsTest, GatewayErrorCovers502To504AndEveryFailureBeforeHeaders) {
  for (uint32_t status : {502u, 503u, 504u}) EXPECT_TRUE(response(RETRY_ON_GATEWAY_ERROR, status)) << status;
  for (uint32_t status : {500u, 501u, 505u, 429u})
    EXPECT_FALSE(response(RETRY_ON_GATEWAY_ERROR, status)) << status;
  EXPECT_TRUE(failure(RETRY_ON_GATEWAY_ERROR, SY_ATTEMPT_CONNECT_FAILURE));
  EXPECT_TRUE(failure(RETRY_ON_GATEWAY_ERROR, SY_ATTEMPT_RESET_BEFORE_HEADERS));
  EXPECT_TRUE(failure(RETRY_ON_GATEWAY_ERROR, SY_ATTEMPT_TIMED_OUT));
}

TEST_F(RetryConditionsTest, ResetAndConnectFailureCoverOnlyTheirOwnOutcome) {
  EXPECT_TRUE(failure(RETRY_ON_RESET, SY_ATTEMPT_RESET_BEFORE_HEADERS));
  EXPECT_FALSE(failure(RETRY_ON_RESET, SY_ATTEMPT_CONNECT_FAILURE));
  EXPECT_FALSE(failure(RETRY_ON_RESET, SY_ATTEMPT_TIMED_OUT));
  EXPECT_FALSE(response(RETRY_ON_RESET, 503));
  EXPECT_TRUE(failure(RETRY_ON_CONNECT_FAILURE, SY_ATTEMPT_CONNECT_FAILURE));
  EXPECT_FALSE(failure(RETRY_ON_CONNECT_FAILURE, SY_ATTEMPT_RESET_BEFORE_HEADERS));
  EXPECT_FALSE(failure(RETRY_ON_CONNECT_FAILURE, SY_ATTEMPT_TIMED_OUT));
  EXPECT_FALSE(response(RETRY_ON_CONNECT_FAILURE, 503));
}

TEST_F(RetryConditionsTest, Retriable4xxIsOnly409) {
  EXPECT_TRUE(response(RETRY_ON_RETRIABLE_4XX, 409));
  EXPECT_FALSE(response(RETRY_ON_RETRIABLE_4XX, 429));
  EXPECT_FALSE(response(RETRY_ON_RETRIABLE_4XX, 503));
  EXPECT_FALSE(failure(RETRY_ON_RETRIABLE_4XX, SY_ATTEMPT_CONNECT_FAILURE));
}

TEST_F(RetryConditionsTest, RetriableStatusCodesUseTheListedSet) {
  retry_status_set_add(&rules_.status_codes, 429);
  retry_status_set_add(&rules_.status_codes, 599);
  retry_status_set_add(&rules_.status_codes, 100);
  retry_status_set_add(&rules_.status_codes, 600);  // out of range: ignored
  EXPECT_TRUE(response(RETRY_ON_RETRIABLE_STATUS_CODES, 429));
  EXPECT_TRUE(response(RETRY_ON_RETRIABLE_STATUS_CODES, 599));
  EXPECT_TRUE(response(RETRY_ON_RETRIABLE_STATUS_CODES, 100));
  EXPECT_FALSE(response(RETRY_ON_RETRIABLE_STATUS_CODES, 600));
  EXPECT_FALSE(response(RETRY_ON_RETRIABLE_STATUS_CODES, 503));
  EXPECT_FALSE(response(RETRY_ON_5XX, 429));  // the set needs its condition
  EXPECT_FALSE(failure(RETRY_ON_RETRIABLE_STATUS_CODES, SY_ATTEMPT_RESET_BEFORE_HEADERS));
}

TEST_F(RetryConditionsTest, RetriableHeadersMatchPresenceOrValueIgnoringCase) {
  char any_name[] = "x-retry";
  char state_name[] = "x-state";
  char state_value[] = "draining";
  retry_header_match matches[] = {
      {any_name, 7, nullptr, 0, 1},
      {state_name, 7, state_value, 8, 0},
  };
  rules_.headers = matches;
  rules_.header_count = 2;
  const uint32_t on = RETRY_ON_RETRIABLE_HEADERS;
  EXPECT_TRUE(response(on, 200, {{"X-Retry", ""}}));
  EXPECT_TRUE(response(on, 200, {{"x-state", "DRAINING"}}));
  EXPECT_TRUE(response(on, 200, {{"x-state", "ok"}, {"x-state", "draining"}}));  // a repeated header
  EXPECT_FALSE(response(on, 200, {{"x-state", "draining, ok"}}));                // whole value only
  EXPECT_FALSE(response(on, 200, {{"x-state", "drain"}}));
  EXPECT_FALSE(response(on, 200, {{"x-other", "draining"}}));
  EXPECT_FALSE(response(RETRY_ON_5XX, 200, {{"x-retry", "1"}}));
  EXPECT_FALSE(retry_outcome_is_retriable(on, &rules_, SY_ATTEMPT_RESPONSE, 200, nullptr, getHeader));
}

TEST_F(RetryConditionsTest, CancelledAndResetAfterHeadersAreNeverRetriable) {
  const uint32_t everything = 0x7f;
  EXPECT_FALSE(failure(everything, SY_ATTEMPT_CANCELLED));
  EXPECT_FALSE(failure(everything, SY_ATTEMPT_RESET_AFTER_HEADERS));
  EXPECT_FALSE(failure(0, SY_ATTEMPT_CONNECT_FAILURE));
  EXPECT_FALSE(response(0, 503));
}

}  // namespace
}  // namespace switchyard::retry_test
