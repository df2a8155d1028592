// Smooth weighted round robin, and skipping the hosts a request already
// tried (retries with exclude_tried_hosts).
#include "upstream/load_balancer.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace switchyard::upstream {
namespace {

std::map<size_t, int> countPicks(RoundRobinBalancer& balancer, int picks, const std::vector<size_t>& avoid = {}) {
  std::map<size_t, int> counts;
  for (int i = 0; i < picks; ++i) ++counts[balancer.pick(avoid)];
  return counts;
}

TEST(RoundRobinBalancer, SharesFollowWeightsWithoutBursts) {
  RoundRobinBalancer balancer({5, 1, 1});
  std::vector<size_t> order;
  for (int i = 0; i < 7; ++i) order.push_back(balancer.pick());
  EXPECT_EQ(order, (std::vector<size_t>{0, 0, 1, 0, 2, 0, 0}));
  auto counts = countPicks(balancer, 700);
  EXPECT_EQ(counts[0], 500);
  EXPECT_EQ(counts[1], 100);
  EXPECT_EQ(counts[2], 100);
}

TEST(RoundRobinBalancer, AvoidedHostsAreNeverPickedWhileAnotherRemains) {
  RoundRobinBalancer balancer({1, 1, 1});
  auto counts = countPicks(balancer, 300, {0});
  EXPECT_EQ(counts.count(0), 0u);
  EXPECT_EQ(counts[1] + counts[2], 300);
  EXPECT_NEAR(counts[1], 150, 1);
  counts = countPicks(balancer, 100, {0, 2});
  EXPECT_EQ(counts[1], 100);
}

TEST(RoundRobinBalancer, WhenEveryHostIsAvoidedOneIsStillPicked) {
  RoundRobinBalancer balancer({1, 1});
  auto counts = countPicks(balancer, 10, {0, 1});
  EXPECT_EQ(counts[0] + counts[1], 10);
  EXPECT_EQ(counts[0], 5);
}

TEST(RoundRobinBalancer, AvoidingOnceDoesNotSkewLongRunShares) {
  RoundRobinBalancer balancer({1, 1});
  balancer.pick({0});  // a retry that had to skip host 0
  auto counts = countPicks(balancer, 1000);
  EXPECT_NEAR(counts[0], 500, 1);
  EXPECT_NEAR(counts[1], 500, 1);
}

}  // namespace
}  // namespace switchyard::upstream
