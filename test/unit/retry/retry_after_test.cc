// retry_after_parse: delta-seconds and IMF-fixdate, against a fixed clock.
#include "retry_after.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace switchyard::retry_test {
namespace {

// Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example date.
constexpr int64_t kExampleDate = 784111777;

bool parse(const std::string& value, int64_t now, uint64_t* delay_ms) {
  return retry_after_parse(value.data(), value.size(), now, delay_ms) != 0;
}

TEST(RetryAfterTest, DeltaSecondsBecomeMilliseconds) {
  uint64_t delay = 1;
  ASSERT_TRUE(parse("120", 0, &delay));
  EXPECT_EQ(delay, 120000u);
  ASSERT_TRUE(parse("0", 0, &delay));
  EXPECT_EQ(delay, 0u);
  ASSERT_TRUE(parse(" \t5 ", 0, &delay));
  EXPECT_EQ(delay, 5000u);
}

TEST(RetryAfterTest, HugeDeltaSecondsSaturate) {
  uint64_t delay = 0;
  ASSERT_TRUE(parse("99999999999999999999999999", 0, &delay));
  EXPECT_EQ(delay, UINT64_MAX);
  ASSERT_TRUE(parse("18446744073709552", 0, &delay));  // just past UINT64_MAX / 1000
  EXPECT_EQ(delay, UINT64_MAX);
}

TEST(RetryAfterTest, ImfFixdateIsMeasuredFromNow) {
  uint64_t delay = 0;
  ASSERT_TRUE(parse("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate - 10, &delay));
  EXPECT_EQ(delay, 10000u);
  ASSERT_TRUE(parse("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate, &delay));
  EXPECT_EQ(delay, 0u);
}

TEST(RetryAfterTest, DateInThePastMeansNoWait) {
  uint64_t delay = 1;
  ASSERT_TRUE(parse("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate + 3600, &delay));
  EXPECT_EQ(delay, 0u);
}

TEST(RetryAfterTest, CalendarArithmeticHoldsAcrossLeapYearsAndCenturies) {
  uint64_t delay = 0;
  ASSERT_TRUE(parse("Wed, 01 Mar 2000 00:00:00 GMT", 951868800 - 1, &delay));  // 2000 is a leap year
  EXPECT_EQ(delay, 1000u);
  ASSERT_TRUE(parse("Thu, 29 Feb 2024 12:00:00 GMT", 1709208000 - 2, &delay));
  EXPECT_EQ(delay, 2000u);
  ASSERT_TRUE(parse("Thu, 01 Jan 1970 00:00:00 GMT", -5, &delay));
  EXPECT_EQ(delay, 5000u);
  ASSERT_TRUE(parse("Fri, 31 Dec 9999 23:59:60 GMT", 0, &delay));  // a leap second
  EXPECT_EQ(delay, uint64_t(253402300800) * 1000u);
}

TEST(RetryAfterTest, RejectsWhatIsNeitherForm) {
  uint64_t delay = 42;
  for (const char* value : {
           "",
           "   ",
           "-1",
           "+1",
           "1.5",
           "1 2",
           "soon",
           "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850: obsolete, not accepted
           "Sun Nov  6 08:49:37 1994",        // asctime: obsolete, not accepted
           "sun, 06 Nov 1994 08:49:37 GMT",   // HTTP-date is case-sensitive
           "Sun, 06 nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 08:49:37 UTC",
           "Sun, 6 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 8:49:37 GMT",
           "Sun, 06 Nov 1994 24:00:00 GMT",
           "Sun, 06 Nov 1994 08:60:00 GMT",
           "Sun, 06 Nov 1994 08:49:61 GMT",
           "Sun, 00 Nov 1994 08:49:37 GMT",
           "Sun, 31 Nov 1994 08:49:37 GMT",
           "Wed, 29 Feb 2023 08:49:37 GMT",
           "Mon, 29 Feb 1900 08:49:37 GMT",
           "Xyz, 06 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 08:49:37 GMT trailing",
       }) {
    EXPECT_FALSE(parse(value, 0, &delay)) << value;
  }
  EXPECT_EQ(delay, 42u);
}

}  // namespace
}  // namespace switchyard::retry_test
