#include "breaker_state.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

constexpr uint64_t kMs = 1000000;  // nanoseconds

breaker_policy consecutivePolicy(uint32_t failures) {
  breaker_policy policy{};
  policy.consecutive_failures = failures;
  policy.failure_rate_minimum_requests = 20;
  policy.failure_rate_window_ms = 10000;
  policy.open_interval_ms = 1000;
  policy.max_open_interval_ms = 5000;
  policy.half_open_max_probes = 1;
  policy.half_open_successes = 1;
  policy.probe_timeout_ms = 1000;
  return policy;
}

class BreakerStateTest : public ::testing::Test {
 protected:
  void SetUp() override { breaker_state_init(&state_); }

  breaker_ticket admit(uint64_t now, breaker_admission expected = BREAKER_ADMITTED) {
    breaker_ticket ticket{};
    breaker_transition transition = BREAKER_NO_CHANGE;
    EXPECT_EQ(breaker_admit(&state_, &policy_, now, &ticket, &transition), expected);
    return ticket;
  }
  breaker_transition result(const breaker_ticket& ticket, bool failed, uint64_t now) {
    return breaker_record(&state_, &policy_, &ticket, failed ? 1 : 0, now);
  }
  // Trips a closed breaker with the policy's consecutive failures at `now`.
  void trip(uint64_t now) {
    for (uint32_t i = 0; i < policy_.consecutive_failures; ++i) result(admit(now), true, now);
    ASSERT_EQ(breaker_current_phase(&state_), BREAKER_OPEN);
  }

  breaker_policy policy_ = consecutivePolicy(3);
  breaker_state state_;
};

TEST_F(BreakerStateTest, TripsAfterConsecutiveFailuresAndASuccessResetsTheCount) {
  result(admit(0), true, 0);
  result(admit(0), true, 0);
  result(admit(0), false, 0);  // the run is broken
  result(admit(0), true, 0);
  EXPECT_EQ(result(admit(0), true, 0), BREAKER_NO_CHANGE);
  EXPECT_EQ(breaker_current_phase(&state_), BREAKER_CLOSED);
  EXPECT_EQ(result(admit(0), true, 0), BREAKER_TRIPPED);
  EXPECT_EQ(breaker_current_phase(&state_), BREAKER_OPEN);
  EXPECT_EQ(state_.trips.load(), 1u);
}

TEST_F(BreakerStateTest, OpenRefusesUntilItsIntervalThenAdmitsOneProbe) {
  trip(0);
  admit(999 * kMs, BREAKER_REFUSED_OPEN);
  EXPECT_EQ(breaker_open_remaining_ns(&state_, 999 * kMs), 1 * kMs);
  breaker_ticket probe{};
  breaker_transition transition = BREAKER_NO_CHANGE;
  ASSERT_EQ(breaker_admit(&state_, &policy_, 1000 * kMs, &probe, &transition), BREAKER_ADMITTED);
  EXPECT_EQ(transition, BREAKER_WENT_HALF_OPEN);
  EXPECT_TRUE(probe.probe);
  admit(1000 * kMs, BREAKER_REFUSED_OPEN);  // one probe at a time
  EXPECT_EQ(result(probe, false, 1100 * kMs), BREAKER_CLOSED_AGAIN);
  EXPECT_EQ(breaker_current_phase(&state_), BREAKER_CLOSED);
  admit(1100 * kMs);
}

TEST_F(BreakerStateTest, AFailedProbeReopensForTwiceAsLongUpToTheCap) {
  trip(0);
  uint64_t now = 1000 * kMs;
  uint64_t expected_ms[] = {2000, 4000, 5000, 5000};  // doubling, capped at 5 s
  for (uint64_t interval_ms : expected_ms) {
    breaker_ticket probe = admit(now);
    ASSERT_TRUE(probe.probe);
    EXPECT_EQ(result(probe, true, now), BREAKER_REOPENED);
    EXPECT_EQ(breaker_open_remaining_ns(&state_, now), interval_ms * kMs);
    now += interval_ms * kMs;
  }
  // Closing resets the growth: the next trip is open for the base interval.
  EXPECT_EQ(result(admit(now), false, now), BREAKER_CLOSED_AGAIN);
  trip(now);
  EXPECT_EQ(breaker_open_remaining_ns(&state_, now), 1000 * kMs);
}

TEST_F(BreakerStateTest, AResultFromAnOlderGenerationMovesNothing) {
  breaker_ticket before_trip = admit(0);  // admitted while closed
  trip(0);
  // The slow response of a request admitted before the trip: ignored.
  EXPECT_EQ(result(before_trip, false, 10 * kMs), BREAKER_NO_CHANGE);
  EXPECT_EQ(breaker_current_phase(&state_), BREAKER_OPEN);
  breaker_ticket probe = admit(1000 * kMs);
  ASSERT_EQ(breaker_current_phase(&state_), BREAKER_HALF_OPEN);
  // Neither can an old failure re-open the half-open breaker.
  EXPECT_EQ(result(before_trip, true, 1000 * kMs), BREAKER_NO_CHANGE);
  EXPECT_EQ(breaker_current_phase(&state_), BREAKER_HALF_OPEN);
  EXPECT_EQ(result(probe, false, 1000 * kMs), BREAKER_CLOSED_AGAIN);
}

TEST_F(BreakerStateTest, HalfOpenNeedsItsSuccessesAndAReleasedProbeSlotIsReused) {
  policy_.half_open_max_probes = 2;
  policy_.half_open_successes = 3;
  trip(0);
  breaker_ticket first = admit(1000 * kMs);
  breaker_ticket second = admit(1000 * kMs);
  admit(1000 * kMs, BREAKER_REFUSED_OPEN);
  EXPECT_EQ(result(first, false, 1000 * kMs), BREAKER_PROBE_SUCCEEDED);
  breaker_release_probe(&state_, &first);
  EXPECT_EQ(result(second, false, 1000 * kMs), BREAKER_PROBE_SUCCEEDED);
  breaker_ticket third = admit(1000 * kMs);  // the slot `first` gave back
  EXPECT_EQ(result(third, false, 1000 * kMs), BREAKER_CLOSED_AGAIN);
  EXPECT_EQ(state_.probes_admitted.load(), 3u);
  EXPECT_EQ(state_.probes_succeeded.load(), 3u);
}

TEST_F(BreakerStateTest, TheFailureRateTripsOnlyWithEnoughResultsInTheWindow) {
  policy_ = consecutivePolicy(0);
  policy_.failure_rate_percent = 50;
  policy_.failure_rate_minimum_requests = 10;
  // 9 results, all failures: too few to judge.
  for (int i = 0; i < 9; ++i) result(admit(0), true, 0);
  EXPECT_EQ(breaker_current_phase(&state_), BREAKER_CLOSED);
  // Results age out of the 10 s window: 10 s later the count starts again.
  uint64_t later = 10500 * kMs;
  for (int i = 0; i < 5; ++i) result(admit(later), false, later);
  for (int i = 0; i < 4; ++i) result(admit(later), true, later);
  EXPECT_EQ(breaker_current_phase(&state_), BREAKER_CLOSED);  // 4 of 9
  EXPECT_EQ(result(admit(later), true, later), BREAKER_NO_CHANGE);  // 5 of 10: not above 50%
  EXPECT_EQ(result(admit(later), true, later), BREAKER_TRIPPED);    // 6 of 11
}

TEST_F(BreakerStateTest, RacingThreadsTripOnceAndTakeNoMoreThanTheProbeSlots) {
  policy_.half_open_max_probes = 3;
  constexpr int kThreads = 8;
  std::atomic<int> tripped{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        breaker_ticket ticket{};
        breaker_transition transition;
        if (breaker_admit(&state_, &policy_, 0, &ticket, &transition) != BREAKER_ADMITTED) continue;
        if (breaker_record(&state_, &policy_, &ticket, 1, 0) == BREAKER_TRIPPED) ++tripped;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(tripped.load(), 1);
  threads.clear();
  std::atomic<int> probes{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        breaker_ticket ticket{};
        breaker_transition transition;
        if (breaker_admit(&state_, &policy_, 1000 * kMs, &ticket, &transition) == BREAKER_ADMITTED) ++probes;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(probes.load(), 3);
}

}  // namespace
