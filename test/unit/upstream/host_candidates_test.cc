// The candidate rule every balancer shares, with the panic threshold:
// below healthy_panic_threshold percent of healthy hosts (or with none
// healthy) every host is routable; at or above it only the healthy ones.
#include "upstream/host_candidates.h"

#include <gtest/gtest.h>

#include <vector>

namespace switchyard::upstream {
namespace {

HostSet hostSet(size_t count, double panic_threshold_percent) {
  std::vector<config::EndpointConfig> endpoints(count);
  return HostSet(endpoints, std::make_shared<ClusterHealth>(count), panic_threshold_percent);
}

std::vector<size_t> candidates(const HostSet& hosts, const std::vector<size_t>& avoid = {}) {
  std::vector<size_t> picked;
  selectCandidates(hosts, avoid, picked);
  return picked;
}

TEST(PanicThreshold, PanicBelowThePercentOfHealthyHosts) {
  EXPECT_FALSE(inPanic(5, 10, 50));  // exactly at the threshold: no panic
  EXPECT_TRUE(inPanic(4, 10, 50));
  EXPECT_FALSE(inPanic(1, 10, 10));
  EXPECT_TRUE(inPanic(9, 10, 100));   // 100: any unhealthy host means panic
  EXPECT_FALSE(inPanic(10, 10, 100));
  EXPECT_FALSE(inPanic(1, 10, 0));  // 0: never...
  EXPECT_FALSE(inPanic(0, 10, 0));  // ...not even with none healthy ("no healthy upstream")
  EXPECT_TRUE(inPanic(0, 10, 1));   // above 0, none healthy is always panic
  EXPECT_FALSE(inPanic(1, 3, 33.3));
  EXPECT_TRUE(inPanic(1, 3, 33.4));
}

TEST(PanicThreshold, AboveTheThresholdOnlyHealthyHostsAreCandidates) {
  HostSet hosts = hostSet(4, 50);
  hosts.setHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  hosts.setHealthFlag(1, HostHealthFlag::kEjectedByOutlierDetection);
  EXPECT_FALSE(inPanic(hosts));
  EXPECT_EQ(candidates(hosts), (std::vector<size_t>{2, 3}));
  EXPECT_FALSE(isRoutable(hosts, 0));
  EXPECT_TRUE(isRoutable(hosts, 2));
}

TEST(PanicThreshold, BelowTheThresholdEveryHostIsACandidate) {
  HostSet hosts = hostSet(4, 50);
  for (size_t host : {0, 1, 2}) hosts.setHealthFlag(host, HostHealthFlag::kFailedActiveCheck);
  EXPECT_TRUE(inPanic(hosts));
  EXPECT_EQ(candidates(hosts), (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_TRUE(isRoutable(hosts, 0));
  // The hosts a request tried are still avoided in panic mode.
  EXPECT_EQ(candidates(hosts, {3, 1}), (std::vector<size_t>{0, 2}));
}

TEST(PanicThreshold, ZeroKeepsTrafficOnTheLastHealthyHost) {
  HostSet hosts = hostSet(4, 0);
  for (size_t host : {0, 1, 2}) hosts.setHealthFlag(host, HostHealthFlag::kFailedActiveCheck);
  EXPECT_EQ(candidates(hosts), (std::vector<size_t>{3}));
  hosts.setHealthFlag(3, HostHealthFlag::kFailedActiveCheck);
  EXPECT_EQ(candidates(hosts), (std::vector<size_t>{0, 1, 2, 3}));
}

TEST(PanicThreshold, HealthIsSharedByEveryHostSetOfTheCluster) {
  // Two workers' views of one cluster: what one writes, the other reads.
  std::vector<config::EndpointConfig> endpoints(2);
  auto health = std::make_shared<ClusterHealth>(2);
  HostSet worker_a(endpoints, health, 0);
  HostSet worker_b(endpoints, health, 0);
  worker_a.setHealthFlag(0, HostHealthFlag::kEjectedByOutlierDetection);
  EXPECT_EQ(candidates(worker_b), (std::vector<size_t>{1}));
  EXPECT_EQ(worker_b.healthyCount(), 1u);
}

}  // namespace
}  // namespace switchyard::upstream
