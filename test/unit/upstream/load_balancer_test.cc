// The load-balancing policies: shares by weight, least-request steering
// away from busy hosts, unhealthy hosts skipped, panic mode when none is
// healthy, and the hosts a request already tried avoided while another
// remains. Random draws use fixed seeds, so every run sees the same picks;
// statistical tolerances are stated where a share is checked, wide enough to
// hold for any seed (about six standard deviations).
#include "upstream/load_balancer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace switchyard::upstream {
namespace {

constexpr uint64_t kSeed = 20240611;
constexpr double kDefaultPanicThresholdPercent = 50;

HostSet hostsWithWeights(const std::vector<uint32_t>& weights) {
  std::vector<config::EndpointConfig> endpoints(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    endpoints[i].text = "10.0.0." + std::to_string(i + 1) + ":8080";
    endpoints[i].weight = weights[i];
  }
  return HostSet(endpoints, std::make_shared<ClusterHealth>(endpoints.size()), kDefaultPanicThresholdPercent);
}

std::unique_ptr<LoadBalancer> balancerFor(config::Cluster::LbPolicy policy, const HostSet& hosts,
                                          uint64_t seed = kSeed) {
  config::ClusterConfig cluster;
  cluster.lb_policy = policy;
  cluster.ring_hash = {1024, 8 * 1024 * 1024};
  cluster.maglev_table_size = 65537;
  return makeLoadBalancer(cluster, hosts, std::mt19937_64(seed));
}

// Requests without a hash key; the hash-based policies then pick at random.
std::map<size_t, int> countPicks(LoadBalancer& balancer, int picks, const std::vector<size_t>& avoid = {}) {
  std::map<size_t, int> counts;
  for (int i = 0; i < picks; ++i) ++counts[balancer.chooseHost(avoid, std::nullopt)];
  return counts;
}

// ---------------------------------------------------------------------------
// Rules every policy shares

class EveryPolicy : public testing::TestWithParam<config::Cluster::LbPolicy> {};

INSTANTIATE_TEST_SUITE_P(LoadBalancer, EveryPolicy,
                         testing::Values(config::Cluster::ROUND_ROBIN, config::Cluster::LEAST_REQUEST,
                                         config::Cluster::RANDOM, config::Cluster::RING_HASH,
                                         config::Cluster::MAGLEV),
                         [](const auto& info) { return config::Cluster::LbPolicy_Name(info.param); });

TEST_P(EveryPolicy, UsesEveryHost) {
  HostSet hosts = hostsWithWeights({1, 1, 1});
  auto balancer = balancerFor(GetParam(), hosts);
  auto counts = countPicks(*balancer, 300);
  EXPECT_EQ(counts.size(), 3u);
}

TEST_P(EveryPolicy, UnhealthyHostsAreNeverPicked) {
  HostSet hosts = hostsWithWeights({1, 1, 1, 1});
  hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  hosts.setHealthFlag(3, HostHealthFlag::kDraining);
  auto balancer = balancerFor(GetParam(), hosts);
  auto counts = countPicks(*balancer, 1000);
  EXPECT_EQ(counts.count(1), 0u);
  EXPECT_EQ(counts.count(3), 0u);
  EXPECT_EQ(counts[0] + counts[2], 1000);
  EXPECT_GT(counts[0], 0);
  EXPECT_GT(counts[2], 0);
}

TEST_P(EveryPolicy, AHostIsPickedAgainOnceItsFlagClears) {
  HostSet hosts = hostsWithWeights({1, 1});
  auto balancer = balancerFor(GetParam(), hosts);
  hosts.setHealthFlag(0, HostHealthFlag::kEjectedByOutlierDetection);
  EXPECT_EQ(countPicks(*balancer, 100)[1], 100);
  hosts.clearHealthFlag(0, HostHealthFlag::kEjectedByOutlierDetection);
  EXPECT_GT(countPicks(*balancer, 100)[0], 0);
}

// Panic mode: with no healthy host, every host takes traffic again (by its
// usual share) rather than the cluster refusing every request.
TEST_P(EveryPolicy, WithNoHealthyHostEveryHostIsPicked) {
  HostSet hosts = hostsWithWeights({1, 1, 1});
  hosts.setHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  hosts.setHealthFlag(1, HostHealthFlag::kEjectedByOutlierDetection);
  hosts.setHealthFlag(2, HostHealthFlag::kDraining);
  auto balancer = balancerFor(GetParam(), hosts);
  auto counts = countPicks(*balancer, 3000);
  // Equal shares: 1000 each, exactly for round robin; for the random draws
  // the standard deviation is about 26.
  for (size_t host = 0; host < 3; ++host) EXPECT_NEAR(counts[host], 1000, 150) << "host " << host;
}

TEST_P(EveryPolicy, PanicEndsWhenEnoughHostsAreHealthyAgain) {
  HostSet hosts = hostsWithWeights({1, 1, 1, 1});
  for (size_t host = 0; host < 4; ++host) hosts.setHealthFlag(host, HostHealthFlag::kFailedActiveCheck);
  auto balancer = balancerFor(GetParam(), hosts);
  hosts.clearHealthFlag(2, HostHealthFlag::kFailedActiveCheck);
  // One of four healthy is below the default threshold of 50%: still panic.
  EXPECT_EQ(countPicks(*balancer, 400).size(), 4u);
  hosts.clearHealthFlag(3, HostHealthFlag::kFailedActiveCheck);
  auto counts = countPicks(*balancer, 100);
  EXPECT_EQ(counts[2] + counts[3], 100);
}

TEST_P(EveryPolicy, AvoidedHostsAreNeverPickedWhileAnotherRemains) {
  HostSet hosts = hostsWithWeights({1, 1, 1});
  auto balancer = balancerFor(GetParam(), hosts);
  auto counts = countPicks(*balancer, 300, {0});
  EXPECT_EQ(counts.count(0), 0u);
  EXPECT_GT(counts[1], 0);
  EXPECT_GT(counts[2], 0);
  EXPECT_EQ(countPicks(*balancer, 100, {0, 2})[1], 100);
}

TEST_P(EveryPolicy, WhenEveryHostIsAvoidedTheyAreAllCandidatesAgain) {
  HostSet hosts = hostsWithWeights({1, 1});
  auto balancer = balancerFor(GetParam(), hosts);
  auto counts = countPicks(*balancer, 100, {0, 1});
  EXPECT_GT(counts[0], 0);
  EXPECT_GT(counts[1], 0);
  EXPECT_EQ(counts[0] + counts[1], 100);
}

// Health narrows the candidates before `avoid` does: a retry goes back to
// the one healthy host it already tried rather than to an unhealthy one.
TEST_P(EveryPolicy, AnAvoidedHealthyHostBeatsAnUnhealthyOne) {
  HostSet hosts = hostsWithWeights({1, 1});
  hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  auto balancer = balancerFor(GetParam(), hosts);
  EXPECT_EQ(countPicks(*balancer, 50, {0})[0], 50);
}

TEST_P(EveryPolicy, InPanicAvoidStillSteersTheRetry) {
  HostSet hosts = hostsWithWeights({1, 1});
  hosts.setHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  auto balancer = balancerFor(GetParam(), hosts);
  EXPECT_EQ(countPicks(*balancer, 50, {0})[1], 50);
}

TEST_P(EveryPolicy, ASingleHostIsAlwaysTheAnswer) {
  HostSet hosts = hostsWithWeights({7});
  auto balancer = balancerFor(GetParam(), hosts);
  EXPECT_EQ(countPicks(*balancer, 20)[0], 20);
  EXPECT_EQ(countPicks(*balancer, 20, {0})[0], 20);
  hosts.setHealthFlag(0, HostHealthFlag::kDraining);
  EXPECT_EQ(countPicks(*balancer, 20)[0], 20);
}

// ---------------------------------------------------------------------------
// ROUND_ROBIN: exact shares, no bursts

TEST(RoundRobin, SharesFollowWeightsWithoutBursts) {
  HostSet hosts = hostsWithWeights({5, 1, 1});
  auto balancer = balancerFor(config::Cluster::ROUND_ROBIN, hosts);
  std::vector<size_t> order;
  for (int i = 0; i < 7; ++i) order.push_back(balancer->chooseHost({}, std::nullopt));
  EXPECT_EQ(order, (std::vector<size_t>{0, 0, 1, 0, 2, 0, 0}));
  auto counts = countPicks(*balancer, 700);
  EXPECT_EQ(counts[0], 500);
  EXPECT_EQ(counts[1], 100);
  EXPECT_EQ(counts[2], 100);
}

TEST(RoundRobin, AvoidingSplitsTheAvoidedShareEvenly) {
  HostSet hosts = hostsWithWeights({1, 1, 1});
  auto balancer = balancerFor(config::Cluster::ROUND_ROBIN, hosts);
  auto counts = countPicks(*balancer, 300, {0});
  EXPECT_NEAR(counts[1], 150, 1);
  EXPECT_NEAR(counts[2], 150, 1);
}

TEST(RoundRobin, WhenEveryHostIsAvoidedSharesStillAlternate) {
  HostSet hosts = hostsWithWeights({1, 1});
  auto balancer = balancerFor(config::Cluster::ROUND_ROBIN, hosts);
  EXPECT_EQ(countPicks(*balancer, 10, {0, 1})[0], 5);
}

TEST(RoundRobin, AvoidingOnceDoesNotSkewLongRunShares) {
  HostSet hosts = hostsWithWeights({1, 1});
  auto balancer = balancerFor(config::Cluster::ROUND_ROBIN, hosts);
  balancer->chooseHost({0}, std::nullopt);  // a retry that had to skip host 0
  auto counts = countPicks(*balancer, 1000);
  EXPECT_NEAR(counts[0], 500, 1);
  EXPECT_NEAR(counts[1], 500, 1);
}

TEST(RoundRobin, AHostBackFromBeingUnhealthyGetsItsShareNotABurst) {
  HostSet hosts = hostsWithWeights({1, 1, 1});
  auto balancer = balancerFor(config::Cluster::ROUND_ROBIN, hosts);
  hosts.setHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  auto counts = countPicks(*balancer, 1000);
  EXPECT_EQ(counts[1], 500);
  EXPECT_EQ(counts[2], 500);
  hosts.clearHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  // Had it gained weight while out, its next 500 or so picks would all be its.
  std::vector<size_t> next;
  for (int i = 0; i < 6; ++i) next.push_back(balancer->chooseHost({}, std::nullopt));
  EXPECT_EQ(std::count(next.begin(), next.end(), 0), 2);
  counts = countPicks(*balancer, 300);
  EXPECT_EQ(counts[0], 100);
  EXPECT_EQ(counts[1], 100);
  EXPECT_EQ(counts[2], 100);
}

TEST(RoundRobin, UnhealthyHostsLeaveTheOthersTheirWeightedShares) {
  HostSet hosts = hostsWithWeights({3, 5, 1});
  hosts.setHealthFlag(1, HostHealthFlag::kEjectedByOutlierDetection);
  auto balancer = balancerFor(config::Cluster::ROUND_ROBIN, hosts);
  auto counts = countPicks(*balancer, 400);
  EXPECT_EQ(counts[0], 300);
  EXPECT_EQ(counts[2], 100);
}

// ---------------------------------------------------------------------------
// RANDOM: shares by weight within a statistical tolerance

TEST(Random, SharesFollowWeights) {
  HostSet hosts = hostsWithWeights({6, 3, 1});
  auto balancer = balancerFor(config::Cluster::RANDOM, hosts);
  auto counts = countPicks(*balancer, 10000);
  // Binomial standard deviations: 49, 46 and 30 picks; 250 is over five.
  EXPECT_NEAR(counts[0], 6000, 250);
  EXPECT_NEAR(counts[1], 3000, 250);
  EXPECT_NEAR(counts[2], 1000, 250);
}

TEST(Random, UnhealthyHostsLeaveTheOthersTheirWeightedShares) {
  HostSet hosts = hostsWithWeights({3, 5, 1});
  hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  auto balancer = balancerFor(config::Cluster::RANDOM, hosts);
  auto counts = countPicks(*balancer, 10000);
  // Shares 3/4 and 1/4; standard deviation 43 picks.
  EXPECT_NEAR(counts[0], 7500, 250);
  EXPECT_NEAR(counts[2], 2500, 250);
}

TEST(Random, TheSeedDecidesTheSequence) {
  HostSet hosts = hostsWithWeights({1, 1, 1, 1});
  auto first = balancerFor(config::Cluster::RANDOM, hosts, 7);
  auto again = balancerFor(config::Cluster::RANDOM, hosts, 7);
  auto other = balancerFor(config::Cluster::RANDOM, hosts, 8);
  std::vector<size_t> first_picks, again_picks, other_picks;
  for (int i = 0; i < 64; ++i) {
    first_picks.push_back(first->chooseHost({}, std::nullopt));
    again_picks.push_back(again->chooseHost({}, std::nullopt));
    other_picks.push_back(other->chooseHost({}, std::nullopt));
  }
  EXPECT_EQ(first_picks, again_picks);
  EXPECT_NE(first_picks, other_picks);
}

// ---------------------------------------------------------------------------
// LEAST_REQUEST: power of two choices, active requests scaled by weight

TEST(LeastRequest, OfTwoHostsTheIdleOneAlwaysWins) {
  HostSet hosts = hostsWithWeights({1, 1});
  auto balancer = balancerFor(config::Cluster::LEAST_REQUEST, hosts);
  hosts.onRequestStarted(0);
  EXPECT_EQ(countPicks(*balancer, 100)[1], 100);
  hosts.onRequestStarted(1);
  hosts.onRequestStarted(1);
  EXPECT_EQ(countPicks(*balancer, 100)[0], 100);
}

TEST(LeastRequest, AnIdleHostWinsEveryComparisonItIsDrawnInto) {
  HostSet hosts = hostsWithWeights({1, 1, 1});
  auto balancer = balancerFor(config::Cluster::LEAST_REQUEST, hosts);
  for (int i = 0; i < 5; ++i) {
    hosts.onRequestStarted(0);
    hosts.onRequestStarted(1);
  }
  // Host 2 is in two of the three equally likely pairs: 2/3 of the picks
  // (standard deviation 15 of 1000); the busy pair splits the rest.
  auto counts = countPicks(*balancer, 1000);
  EXPECT_NEAR(counts[2], 667, 90);
  EXPECT_NEAR(counts[0], 167, 90);
  EXPECT_NEAR(counts[1], 167, 90);
}

TEST(LeastRequest, FollowsTheLoadAsRequestsStartAndFinish) {
  HostSet hosts = hostsWithWeights({1, 1});
  auto balancer = balancerFor(config::Cluster::LEAST_REQUEST, hosts);
  // A caller that starts a request on each pick and never finishes any
  // alternates: each start makes that host the busier one.
  std::map<size_t, int> counts;
  for (int i = 0; i < 100; ++i) {
    size_t host = balancer->chooseHost({}, std::nullopt);
    hosts.onRequestStarted(host);
    ++counts[host];
  }
  EXPECT_EQ(counts[0], 50);
  EXPECT_EQ(counts[1], 50);
  for (int i = 0; i < 50; ++i) hosts.onRequestFinished(0);
  EXPECT_EQ(countPicks(*balancer, 10)[0], 10);
}

TEST(LeastRequest, ActiveRequestsAreScaledByWeight) {
  HostSet hosts = hostsWithWeights({3, 1});
  auto balancer = balancerFor(config::Cluster::LEAST_REQUEST, hosts);
  hosts.onRequestStarted(1);  // 1 request per unit of weight
  hosts.onRequestStarted(0);
  hosts.onRequestStarted(0);  // 2/3
  EXPECT_EQ(countPicks(*balancer, 100)[0], 100);
  hosts.onRequestStarted(0);  // 3/3: a tie, the first drawn wins (3:1 by weight)
  auto tied = countPicks(*balancer, 4000);
  EXPECT_NEAR(tied[0], 3000, 200);  // standard deviation 27
  hosts.onRequestStarted(0);        // 4/3
  EXPECT_EQ(countPicks(*balancer, 100)[1], 100);
}

TEST(LeastRequest, IdleHostsShareTrafficByWeight) {
  HostSet hosts = hostsWithWeights({3, 1});
  auto balancer = balancerFor(config::Cluster::LEAST_REQUEST, hosts);
  auto counts = countPicks(*balancer, 10000);
  EXPECT_NEAR(counts[0], 7500, 250);  // standard deviation 43
  EXPECT_NEAR(counts[1], 2500, 250);
}

TEST(LeastRequest, AnUnhealthyIdleHostLosesToABusyHealthyOne) {
  HostSet hosts = hostsWithWeights({1, 1});
  auto balancer = balancerFor(config::Cluster::LEAST_REQUEST, hosts);
  for (int i = 0; i < 10; ++i) hosts.onRequestStarted(0);
  hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  EXPECT_EQ(countPicks(*balancer, 100)[0], 100);
}

}  // namespace
}  // namespace switchyard::upstream
