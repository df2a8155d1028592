// HostSet: the health flags every writer (health checks, outlier detection,
// discovery) sets and clears, the healthy count balancers read, and the
// per-host active request counts least-request compares.
#include "upstream/host_set.h"

#include <gtest/gtest.h>

#include <vector>

namespace switchyard::upstream {
namespace {

HostSet threeHosts() {
  std::vector<config::EndpointConfig> endpoints(3);
  for (size_t i = 0; i < endpoints.size(); ++i) {
    endpoints[i].text = "10.0.0." + std::to_string(i + 1) + ":8080";
    endpoints[i].weight = static_cast<uint32_t>(i + 1);
  }
  return HostSet(endpoints, std::make_shared<ClusterHealth>(endpoints.size()), 50);
}

TEST(HostSet, StartsWithEveryHostHealthyAndIdle) {
  HostSet hosts = threeHosts();
  ASSERT_EQ(hosts.size(), 3u);
  EXPECT_EQ(hosts.healthyCount(), 3u);
  for (size_t host = 0; host < hosts.size(); ++host) {
    EXPECT_TRUE(hosts.healthy(host));
    EXPECT_EQ(hosts.activeRequests(host), 0u);
  }
  EXPECT_EQ(hosts.endpoint(1).text, "10.0.0.2:8080");
  EXPECT_EQ(hosts.weight(2), 3u);
}

TEST(HostSet, AFlagTakesAHostOutUntilItIsCleared) {
  HostSet hosts = threeHosts();
  hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  EXPECT_FALSE(hosts.healthy(1));
  EXPECT_TRUE(hosts.hasHealthFlag(1, HostHealthFlag::kFailedActiveCheck));
  EXPECT_FALSE(hosts.hasHealthFlag(1, HostHealthFlag::kDraining));
  EXPECT_TRUE(hosts.healthy(0));
  EXPECT_TRUE(hosts.healthy(2));
  EXPECT_EQ(hosts.healthyCount(), 2u);

  hosts.clearHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  EXPECT_TRUE(hosts.healthy(1));
  EXPECT_FALSE(hosts.hasHealthFlag(1, HostHealthFlag::kFailedActiveCheck));
  EXPECT_EQ(hosts.healthyCount(), 3u);
}

TEST(HostSet, FlagsAreIndependent) {
  HostSet hosts = threeHosts();
  hosts.setHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  hosts.setHealthFlag(0, HostHealthFlag::kEjectedByOutlierDetection);
  EXPECT_EQ(hosts.healthyCount(), 2u);  // one host, however many reasons

  // The active check passing again does not end the ejection.
  hosts.clearHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  EXPECT_FALSE(hosts.healthy(0));
  EXPECT_TRUE(hosts.hasHealthFlag(0, HostHealthFlag::kEjectedByOutlierDetection));
  EXPECT_EQ(hosts.healthyCount(), 2u);

  hosts.clearHealthFlag(0, HostHealthFlag::kEjectedByOutlierDetection);
  EXPECT_TRUE(hosts.healthy(0));
  EXPECT_EQ(hosts.healthyCount(), 3u);
}

TEST(HostSet, SettingOrClearingTwiceChangesNothingMore) {
  HostSet hosts = threeHosts();
  hosts.setHealthFlag(2, HostHealthFlag::kDraining);
  hosts.setHealthFlag(2, HostHealthFlag::kDraining);
  EXPECT_EQ(hosts.healthyCount(), 2u);
  hosts.clearHealthFlag(2, HostHealthFlag::kDraining);
  hosts.clearHealthFlag(2, HostHealthFlag::kDraining);
  hosts.clearHealthFlag(1, HostHealthFlag::kEjectedByOutlierDetection);  // never set
  EXPECT_EQ(hosts.healthyCount(), 3u);
}

TEST(HostSet, NoHealthyHostWhenEveryHostIsFlagged) {
  HostSet hosts = threeHosts();
  hosts.setHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  hosts.setHealthFlag(1, HostHealthFlag::kEjectedByOutlierDetection);
  hosts.setHealthFlag(2, HostHealthFlag::kDraining);
  EXPECT_EQ(hosts.healthyCount(), 0u);
}

TEST(HostSet, ActiveRequestsCountPerHost) {
  HostSet hosts = threeHosts();
  hosts.onRequestStarted(0);
  hosts.onRequestStarted(0);
  hosts.onRequestStarted(2);
  EXPECT_EQ(hosts.activeRequests(0), 2u);
  EXPECT_EQ(hosts.activeRequests(1), 0u);
  EXPECT_EQ(hosts.activeRequests(2), 1u);
  hosts.onRequestFinished(0);
  hosts.onRequestFinished(2);
  EXPECT_EQ(hosts.activeRequests(0), 1u);
  EXPECT_EQ(hosts.activeRequests(2), 0u);
}

}  // namespace
}  // namespace switchyard::upstream
