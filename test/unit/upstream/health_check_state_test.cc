// HealthCheckState: the thresholds of an active health check. A host
// starts healthy, leaves after unhealthy_threshold failed probes in a row,
// and returns after healthy_threshold passed probes in a row; a probe that
// agrees with the verdict resets the run.
#include "upstream/health_check_state.h"

#include <gtest/gtest.h>

namespace switchyard::upstream {
namespace {

TEST(HealthCheckState, StartsHealthyAndNotChecked) {
  HealthCheckState state(2, 3);
  EXPECT_TRUE(state.healthy());
  EXPECT_EQ(state.state(), ActiveCheckState::kNotChecked);
  EXPECT_FALSE(state.onProbeResult(true));
  EXPECT_EQ(state.state(), ActiveCheckState::kPassing);
}

TEST(HealthCheckState, GoesUnhealthyAfterUnhealthyThresholdFailuresInARow) {
  HealthCheckState state(2, 3);
  EXPECT_FALSE(state.onProbeResult(false));
  EXPECT_FALSE(state.onProbeResult(false));
  EXPECT_TRUE(state.healthy());
  EXPECT_EQ(state.state(), ActiveCheckState::kPassing);  // the verdict, not the last probe
  EXPECT_TRUE(state.onProbeResult(false));
  EXPECT_FALSE(state.healthy());
  EXPECT_EQ(state.state(), ActiveCheckState::kFailing);
  EXPECT_FALSE(state.onProbeResult(false));  // no change: already unhealthy
}

TEST(HealthCheckState, APassInBetweenRestartsTheFailureRun) {
  HealthCheckState state(2, 3);
  state.onProbeResult(false);
  state.onProbeResult(false);
  state.onProbeResult(true);
  state.onProbeResult(false);
  state.onProbeResult(false);
  EXPECT_TRUE(state.healthy());
}

TEST(HealthCheckState, ReturnsAfterHealthyThresholdPassesInARow) {
  HealthCheckState state(2, 1);
  EXPECT_TRUE(state.onProbeResult(false));
  EXPECT_FALSE(state.onProbeResult(true));
  EXPECT_FALSE(state.onProbeResult(false));  // restarts the run of passes
  EXPECT_FALSE(state.onProbeResult(true));
  EXPECT_FALSE(state.healthy());
  EXPECT_TRUE(state.onProbeResult(true));
  EXPECT_TRUE(state.healthy());
}

TEST(HealthCheckState, ThresholdsOfOneFollowEveryProbe) {
  HealthCheckState state(1, 1);
  EXPECT_TRUE(state.onProbeResult(false));
  EXPECT_TRUE(state.onProbeResult(true));
  EXPECT_TRUE(state.onProbeResult(false));
}

}  // namespace
}  // namespace switchyard::upstream
