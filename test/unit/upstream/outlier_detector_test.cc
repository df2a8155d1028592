// OutlierDetector: runs of failures eject a host, the ejection time backs
// off with each ejection up to the cap, the max_ejection_percent cap holds,
// hosts return when their time is up (or, with require_check_to_return,
// only on a passing active check after that), and the back-off decays
// while a host stays in rotation. The clock is passed in.
#include "upstream/outlier_detector.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace switchyard::upstream {
namespace {

config::OutlierDetectionConfig detectorConfig() {
  config::OutlierDetectionConfig config;
  config.consecutive_5xx = 3;
  config.consecutive_gateway_failure = 2;
  config.base_ejection_ms = 1'000;
  config.max_ejection_ms = 2'500;
  config.max_ejection_percent = 50;
  return config;
}

class OutlierDetectorTest : public testing::Test {
 protected:
  explicit OutlierDetectorTest(size_t hosts = 4) : health_(hosts) {}

  void fail(OutlierDetector& detector, size_t host, int times, int status, uint64_t now) {
    for (int i = 0; i < times; ++i) detector.recordAttempt(host, SY_ATTEMPT_RESPONSE, status, now);
  }
  bool ejected(size_t host) const { return health_.hasFlag(host, HostHealthFlag::kEjectedByOutlierDetection); }

  ClusterHealth health_;
};

TEST_F(OutlierDetectorTest, Consecutive5xxEjectsAtTheThreshold) {
  OutlierDetector detector(detectorConfig(), health_);
  fail(detector, 0, 2, 500, 0);
  EXPECT_FALSE(ejected(0));
  fail(detector, 0, 1, 500, 0);
  EXPECT_TRUE(ejected(0));
  EXPECT_EQ(health_.healthyCount(), 3u);
  EXPECT_EQ(health_.host(0).times_ejected.load(), 1u);
  EXPECT_EQ(detector.ejectedHosts(), 1u);
}

TEST_F(OutlierDetectorTest, ASuccessEndsTheRun) {
  OutlierDetector detector(detectorConfig(), health_);
  fail(detector, 0, 2, 500, 0);
  detector.recordAttempt(0, SY_ATTEMPT_RESPONSE, 404, 0);  // a 4xx is the client's problem
  fail(detector, 0, 2, 500, 0);
  EXPECT_FALSE(ejected(0));
}

TEST_F(OutlierDetectorTest, GatewayFailuresEjectSooner) {
  OutlierDetector detector(detectorConfig(), health_);
  detector.recordAttempt(1, SY_ATTEMPT_CONNECT_FAILURE, 0, 0);
  EXPECT_FALSE(ejected(1));
  detector.recordAttempt(1, SY_ATTEMPT_RESPONSE, 503, 0);
  EXPECT_TRUE(ejected(1));
}

TEST_F(OutlierDetectorTest, ResetsAndTimeoutsAreGatewayFailuresButCancelsAreNothing) {
  OutlierDetector detector(detectorConfig(), health_);
  detector.recordAttempt(2, SY_ATTEMPT_RESET_BEFORE_HEADERS, 0, 0);
  detector.recordAttempt(2, SY_ATTEMPT_CANCELLED, 0, 0);
  EXPECT_FALSE(ejected(2));
  detector.recordAttempt(2, SY_ATTEMPT_TIMED_OUT, 0, 0);
  EXPECT_TRUE(ejected(2));
}

TEST_F(OutlierDetectorTest, A500IsNoGatewayFailure) {
  auto config = detectorConfig();
  config.consecutive_5xx = 0;  // off: only the gateway rule counts
  OutlierDetector detector(config, health_);
  for (int i = 0; i < 10; ++i) {
    detector.recordAttempt(0, SY_ATTEMPT_RESPONSE, 503, 0);
    detector.recordAttempt(0, SY_ATTEMPT_RESPONSE, 500, 0);  // breaks the gateway run
  }
  EXPECT_FALSE(ejected(0));
}

TEST_F(OutlierDetectorTest, AHostReturnsWhenItsTimeIsUp) {
  OutlierDetector detector(detectorConfig(), health_);
  fail(detector, 0, 3, 500, 10'000);
  detector.sweep(10'999);
  EXPECT_TRUE(ejected(0));
  detector.sweep(11'000);
  EXPECT_FALSE(ejected(0));
  EXPECT_EQ(health_.healthyCount(), 4u);
  EXPECT_EQ(detector.ejectedHosts(), 0u);
}

TEST_F(OutlierDetectorTest, EachEjectionLastsLongerUpToTheCap) {
  OutlierDetector detector(detectorConfig(), health_);
  uint64_t now = 0;
  for (uint64_t expected_ms : {1'000, 2'000, 2'500, 2'500}) {
    fail(detector, 0, 3, 500, now);
    ASSERT_TRUE(ejected(0));
    EXPECT_EQ(health_.host(0).ejected_until_ms.load() - now, expected_ms);
    now += expected_ms;
    detector.sweep(now);
    ASSERT_FALSE(ejected(0));
  }
  EXPECT_EQ(health_.host(0).times_ejected.load(), 4u);
}

TEST_F(OutlierDetectorTest, TheBackOffDecaysWhileAHostStaysIn) {
  OutlierDetector detector(detectorConfig(), health_);
  fail(detector, 0, 3, 500, 0);
  detector.sweep(1'000);  // back after 1 s; multiplier 1
  fail(detector, 0, 3, 500, 1'000);
  detector.sweep(3'000);  // back after 2 s; multiplier 2
  ASSERT_FALSE(ejected(0));
  detector.sweep(3'999);
  EXPECT_EQ(health_.host(0).ejection_multiplier.load(), 2u);
  detector.sweep(4'000);
  EXPECT_EQ(health_.host(0).ejection_multiplier.load(), 1u);
  detector.sweep(5'000);
  EXPECT_EQ(health_.host(0).ejection_multiplier.load(), 0u);
  fail(detector, 0, 3, 500, 6'000);
  EXPECT_EQ(health_.host(0).ejected_until_ms.load(), 7'000u);  // the base time again
}

TEST_F(OutlierDetectorTest, MaxEjectionPercentCapsEjectedHosts) {
  OutlierDetector detector(detectorConfig(), health_);  // 50% of 4: 2 hosts
  EXPECT_EQ(detector.maxEjectedHosts(), 2u);
  for (size_t host = 0; host < 4; ++host) fail(detector, host, 3, 500, 0);
  EXPECT_EQ(detector.ejectedHosts(), 2u);
  EXPECT_EQ(health_.healthyCount(), 2u);
  // Once one returns, the next failing host may take its place.
  detector.sweep(1'000);
  EXPECT_EQ(detector.ejectedHosts(), 0u);
  fail(detector, 3, 3, 500, 1'000);
  EXPECT_TRUE(ejected(3));
}

TEST_F(OutlierDetectorTest, OneHostMayAlwaysBeEjectedAndThePercentRoundsDown) {
  auto config = detectorConfig();
  config.max_ejection_percent = 10;  // 10% of 4 hosts is 0.4
  OutlierDetector detector(config, health_);
  EXPECT_EQ(detector.maxEjectedHosts(), 1u);
  config.max_ejection_percent = 74;  // 2.96 hosts
  EXPECT_EQ(OutlierDetector(config, health_).maxEjectedHosts(), 2u);
}

TEST_F(OutlierDetectorTest, AnEjectedHostsFailuresDoNotExtendItsEjection) {
  OutlierDetector detector(detectorConfig(), health_);
  fail(detector, 0, 3, 500, 0);
  fail(detector, 0, 6, 500, 500);  // in flight when it was ejected, or panic traffic
  EXPECT_EQ(health_.host(0).ejected_until_ms.load(), 1'000u);
  EXPECT_EQ(detector.ejectedHosts(), 1u);
}

TEST_F(OutlierDetectorTest, RequireCheckToReturnWaitsForAPassingCheckAfterTheTime) {
  auto config = detectorConfig();
  config.require_check_to_return = true;
  OutlierDetector detector(config, health_);
  fail(detector, 0, 3, 500, 0);
  detector.onActiveCheckPassed(0, 500);  // too early: the time is not up
  detector.sweep(5'000);                 // the time is up, but no check passed since
  EXPECT_TRUE(ejected(0));
  detector.onActiveCheckPassed(0, 5'100);
  EXPECT_FALSE(ejected(0));
  EXPECT_EQ(detector.ejectedHosts(), 0u);
}

TEST_F(OutlierDetectorTest, EjectionAndActiveCheckFlagsAreIndependent) {
  OutlierDetector detector(detectorConfig(), health_);
  health_.setFlag(0, HostHealthFlag::kFailedActiveCheck);
  fail(detector, 0, 3, 500, 0);
  detector.sweep(1'000);
  EXPECT_FALSE(ejected(0));
  EXPECT_FALSE(health_.healthy(0));  // still out: its active check fails
  EXPECT_EQ(health_.healthyCount(), 3u);
}

TEST(OutlierDetector, WorkersFailingAtOnceNeverPassTheCapNorMiscount) {
  // Four threads (workers) report failures of every host at the same time.
  ClusterHealth health(8);
  auto config = detectorConfig();
  config.max_ejection_percent = 25;  // 2 of 8
  OutlierDetector detector(config, health);
  std::vector<std::thread> workers;
  for (int worker = 0; worker < 4; ++worker) {
    workers.emplace_back([&] {
      for (int round = 0; round < 1000; ++round) {
        for (size_t host = 0; host < 8; ++host) detector.recordAttempt(host, SY_ATTEMPT_RESPONSE, 503, 0);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  size_t ejected = 0;
  for (size_t host = 0; host < 8; ++host) ejected += health.hasFlag(host, HostHealthFlag::kEjectedByOutlierDetection);
  EXPECT_EQ(ejected, 2u);
  EXPECT_EQ(detector.ejectedHosts(), 2u);
  EXPECT_EQ(health.healthyCount(), 6u);
  detector.sweep(1'000);
  EXPECT_EQ(health.healthyCount(), 8u);
}

TEST(OutlierDetector, SweepsAtATenthOfTheBaseEjectionTimeWithinBounds) {
  ClusterHealth health(1);
  config::OutlierDetectionConfig config;
  config.base_ejection_ms = 30'000;
  EXPECT_EQ(OutlierDetector(config, health).sweepIntervalMs(), 1'000u);
  config.base_ejection_ms = 500;
  EXPECT_EQ(OutlierDetector(config, health).sweepIntervalMs(), 50u);
  config.base_ejection_ms = 20;
  EXPECT_EQ(OutlierDetector(config, health).sweepIntervalMs(), 10u);
}

}  // namespace
}  // namespace switchyard::upstream
