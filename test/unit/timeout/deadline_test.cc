// The deadline arithmetic (modules/timeout/timeout_deadline.c): reading decimal
// values and timeout headers, lowering, and the milliseconds left that go
// to the next service.
#include "timeout_deadline.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace {

constexpr uint64_t kNsPerMs = 1000000;

bool decimal(const char* text, uint64_t* value) { return parse_decimal(text, std::strlen(text), value) != 0; }
bool header(const char* text, uint64_t* ms) { return parse_timeout_header(text, std::strlen(text), ms) != 0; }

TEST(ParseDecimal, ReadsDigitsOnly) {
  uint64_t value = 99;
  EXPECT_TRUE(decimal("0", &value));
  EXPECT_EQ(value, 0u);
  EXPECT_TRUE(decimal("0012", &value));
  EXPECT_EQ(value, 12u);
  EXPECT_TRUE(decimal("18446744073709551615", &value));
  EXPECT_EQ(value, UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", "1.5", "1e3", " 1", "12a", "0x10"}) {
    EXPECT_FALSE(decimal(bad, &value)) << bad;
  }
}

TEST(ParseDecimal, SaturatesInsteadOfWrappingAround) {
  uint64_t value = 0;
  EXPECT_TRUE(decimal("18446744073709551616", &value));
  EXPECT_EQ(value, UINT64_MAX);
  EXPECT_TRUE(decimal("99999999999999999999999999", &value));
  EXPECT_EQ(value, UINT64_MAX);
}

TEST(ParseTimeoutHeader, AcceptsAPositiveCountWithSurroundingWhitespace) {
  uint64_t ms = 0;
  EXPECT_TRUE(header("250", &ms));
  EXPECT_EQ(ms, 250u);
  EXPECT_TRUE(header(" \t1500\t ", &ms));
  EXPECT_EQ(ms, 1500u);
}

TEST(ParseTimeoutHeader, RejectsZeroAndAnythingButDigits) {
  uint64_t ms = 42;
  for (const char* bad : {"", "  ", "0", "000", "-5", "1.5", "1s", "1 000", "abc"}) {
    EXPECT_FALSE(header(bad, &ms)) << bad;
  }
  EXPECT_EQ(ms, 42u) << "left alone on failure";
}

TEST(Deadline, LoweringShortensButNeverLengthens) {
  request_deadline deadline;
  deadline_init(&deadline, 15000);
  deadline_lower(&deadline, 20000);
  EXPECT_EQ(deadline.timeout_ms, 15000u);
  deadline_lower(&deadline, 2000);
  EXPECT_EQ(deadline.timeout_ms, 2000u);
  deadline_lower(&deadline, 0);
  EXPECT_EQ(deadline.timeout_ms, 2000u);
}

TEST(Deadline, LoweringGivesATimeoutToARequestWithout) {
  request_deadline deadline;
  deadline_init(&deadline, 0);
  deadline_lower(&deadline, 800);
  EXPECT_EQ(deadline.timeout_ms, 800u);
}

TEST(Deadline, NothingIsLeftToPropagateWithoutATimeout) {
  request_deadline deadline;
  deadline_init(&deadline, 0);
  EXPECT_EQ(deadline_ms_left(&deadline, 5 * kNsPerMs), 0u);
  deadline_start(&deadline, 5 * kNsPerMs);
  EXPECT_EQ(deadline_ms_left(&deadline, 5 * kNsPerMs), 0u);
}

TEST(Deadline, TheWholeTimeoutIsLeftBeforeTheClockStarts) {
  request_deadline deadline;
  deadline_init(&deadline, 3000);
  EXPECT_FALSE(deadline.started);
  EXPECT_EQ(deadline_ms_left(&deadline, 999999 * kNsPerMs), 3000u);
}

TEST(Deadline, TimeLeftRoundsDownAndNeverReachesZero) {
  const uint64_t start = 1000 * kNsPerMs;
  request_deadline deadline;
  deadline_init(&deadline, 3000);
  deadline_start(&deadline, start);
  EXPECT_EQ(deadline.expires_at_ns, start + 3000 * kNsPerMs);
  EXPECT_EQ(deadline_ms_left(&deadline, start), 3000u);
  EXPECT_EQ(deadline_ms_left(&deadline, start + 1), 2999u);
  EXPECT_EQ(deadline_ms_left(&deadline, start + 1200 * kNsPerMs + kNsPerMs / 2), 1799u);
  EXPECT_EQ(deadline_ms_left(&deadline, start + 2999 * kNsPerMs + 1), 1u);
  EXPECT_EQ(deadline_ms_left(&deadline, start + 3000 * kNsPerMs), 1u);
  EXPECT_EQ(deadline_ms_left(&deadline, start + 9000 * kNsPerMs), 1u);
}

TEST(Deadline, AHugeTimeoutSaturatesTheClockInsteadOfWrapping) {
  request_deadline deadline;
  deadline_init(&deadline, UINT64_MAX);
  deadline_start(&deadline, 5);
  EXPECT_EQ(deadline.expires_at_ns, UINT64_MAX);
  deadline_init(&deadline, 1000);
  deadline_start(&deadline, UINT64_MAX - kNsPerMs);
  EXPECT_EQ(deadline.expires_at_ns, UINT64_MAX);
  EXPECT_EQ(deadline_ms_left(&deadline, UINT64_MAX - kNsPerMs), 1u);
}

}  // namespace
