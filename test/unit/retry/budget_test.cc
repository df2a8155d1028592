// retry_budget_allows: a share of active requests, with a floor.
#include "retry_budget.h"

#include <gtest/gtest.h>

namespace switchyard::retry_test {
namespace {

TEST(RetryBudgetTest, TheFloorLetsAQuietClusterRetry) {
  EXPECT_TRUE(retry_budget_allows(0, 0, 20.0, 3));
  EXPECT_TRUE(retry_budget_allows(2, 1, 20.0, 3));
  EXPECT_FALSE(retry_budget_allows(3, 1, 20.0, 3));
}

TEST(RetryBudgetTest, ThePercentOfActiveRequestsRulesABusyCluster) {
  EXPECT_TRUE(retry_budget_allows(19, 100, 20.0, 3));
  EXPECT_FALSE(retry_budget_allows(20, 100, 20.0, 3));
  EXPECT_TRUE(retry_budget_allows(199, 1000, 20.0, 3));
  EXPECT_FALSE(retry_budget_allows(200, 1000, 20.0, 3));
}

TEST(RetryBudgetTest, AFractionalShareIsNotTruncated) {
  EXPECT_TRUE(retry_budget_allows(1, 7, 20.0, 0));  // 1 < 1.4
  EXPECT_FALSE(retry_budget_allows(2, 7, 20.0, 0));
  EXPECT_TRUE(retry_budget_allows(0, 1, 12.5, 0));  // 0 < 0.125
}

TEST(RetryBudgetTest, ZeroPercentAndZeroFloorAllowNothing) {
  EXPECT_FALSE(retry_budget_allows(0, 1000, 0.0, 0));
  EXPECT_TRUE(retry_budget_allows(999, 1000, 100.0, 0));
  EXPECT_FALSE(retry_budget_allows(1000, 1000, 100.0, 0));
}

}  // namespace
}  // namespace switchyard::retry_test
