// A worker's ClusterState following its cluster's published membership:
// pools for new hosts, draining for hosts that left (never picked again,
// pools told), a host that comes back keeps its pool, a reused slot gets a
// fresh pool, and a static cluster is complete from the start.
#include "upstream/cluster_membership.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "upstream/cluster_manager.h"

namespace switchyard::upstream {
namespace {

class RecordingPool final : public ConnectionPool {
 public:
  explicit RecordingPool(const config::EndpointConfig& endpoint) : endpoint_(endpoint) {}
  void request(PoolCallbacks&) override {}
  void requestNew(PoolCallbacks&) override {}
  void cancel(PoolCallbacks&) override {}
  void release(PooledConnection&) override {}
  const config::EndpointConfig& endpoint() const override { return endpoint_; }
  void closeIdle() override {}
  void setDraining(bool draining) override { this->draining = draining; }

  bool draining = false;

 private:
  const config::EndpointConfig& endpoint_;
};

config::EndpointConfig endpoint(const std::string& text) {
  config::EndpointConfig endpoint;
  endpoint.text = text;
  return endpoint;
}

class ClusterMembershipTest : public ::testing::Test {
 protected:
  ClusterMembershipTest() {
    cluster_.name = "dns";
    cluster_.type = config::Cluster::STRICT_DNS;
    cluster_.host_slots = 3;
  }

  std::unique_ptr<ClusterState> follow(ClusterMembership& membership) {
    return std::make_unique<ClusterState>(
        cluster_, membership,
        [this](const config::ClusterConfig&, const config::EndpointConfig& endpoint) {
          auto pool = std::make_unique<RecordingPool>(endpoint);
          pools_made_.push_back(pool.get());
          return pool;
        },
        std::mt19937_64(1));
  }

  RecordingPool& pool(ClusterState& state, size_t slot) { return static_cast<RecordingPool&>(*state.pools[slot]); }

  std::set<size_t> picks(ClusterState& state, int count = 30) {
    std::set<size_t> seen;
    for (int i = 0; i < count; ++i) seen.insert(state.balancer->chooseHost({}));
    return seen;
  }

  config::ClusterConfig cluster_;
  std::vector<RecordingPool*> pools_made_;
};

TEST_F(ClusterMembershipTest, ADnsClusterStartsWithoutHosts) {
  ClusterMembership membership(cluster_);
  auto state = follow(membership);
  EXPECT_EQ(state->hosts.size(), 3u);
  EXPECT_EQ(state->hosts.memberCount(), 0u);
  EXPECT_TRUE(pools_made_.empty());
}

TEST_F(ClusterMembershipTest, AStaticClusterHasEveryEndpointAtOnce) {
  cluster_.type = config::Cluster::STATIC;
  cluster_.endpoints = {endpoint("10.0.0.1:80"), endpoint("10.0.0.2:80")};
  cluster_.host_slots = 2;
  ClusterMembership membership(cluster_);
  auto state = follow(membership);
  EXPECT_EQ(state->hosts.memberCount(), 2u);
  EXPECT_EQ(pools_made_.size(), 2u);
  EXPECT_EQ(picks(*state), (std::set<size_t>{0, 1}));
}

TEST_F(ClusterMembershipTest, WorkersFollowOnlyWhenTheVersionMoves) {
  ClusterMembership membership(cluster_);
  auto state = follow(membership);
  membership.publish({endpoint("10.0.0.1:80"), endpoint("10.0.0.2:80"), std::nullopt});
  EXPECT_EQ(state->hosts.memberCount(), 0u);  // not synced yet
  state->syncMembership();
  EXPECT_EQ(state->hosts.memberCount(), 2u);
  EXPECT_EQ(state->pools[0]->endpoint().text, "10.0.0.1:80");
  EXPECT_EQ(picks(*state), (std::set<size_t>{0, 1}));
  state->syncMembership();
  EXPECT_EQ(pools_made_.size(), 2u);
}

TEST_F(ClusterMembershipTest, AHostThatLeftDrainsAndIsNeverPicked) {
  ClusterMembership membership(cluster_);
  auto state = follow(membership);
  membership.publish({endpoint("10.0.0.1:80"), endpoint("10.0.0.2:80"), std::nullopt});
  state->syncMembership();
  membership.publish({std::nullopt, endpoint("10.0.0.2:80"), std::nullopt});
  state->syncMembership();
  EXPECT_TRUE(pool(*state, 0).draining);
  EXPECT_TRUE(state->hosts.hasHealthFlag(0, HostHealthFlag::kDraining));
  EXPECT_EQ(picks(*state), (std::set<size_t>{1}));
  // Not even in panic mode, when the one member is unhealthy.
  state->hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  EXPECT_EQ(picks(*state), (std::set<size_t>{1}));
}

TEST_F(ClusterMembershipTest, AHostBackInItsSlotKeepsItsPool) {
  ClusterMembership membership(cluster_);
  auto state = follow(membership);
  membership.publish({endpoint("10.0.0.1:80"), std::nullopt, std::nullopt});
  state->syncMembership();
  RecordingPool* first = &pool(*state, 0);
  membership.publish({std::nullopt, std::nullopt, std::nullopt});
  state->syncMembership();
  EXPECT_EQ(state->hosts.memberCount(), 0u);
  membership.publish({endpoint("10.0.0.1:80"), std::nullopt, std::nullopt});
  state->syncMembership();
  EXPECT_EQ(&pool(*state, 0), first);
  EXPECT_FALSE(first->draining);
  EXPECT_EQ(picks(*state), (std::set<size_t>{0}));
}

TEST_F(ClusterMembershipTest, ASlotTakenByAnotherAddressGetsAFreshPool) {
  ClusterMembership membership(cluster_);
  auto state = follow(membership);
  membership.publish({endpoint("10.0.0.1:80"), std::nullopt, std::nullopt});
  state->syncMembership();
  // This worker skips the version where the slot drained.
  membership.publish({std::nullopt, std::nullopt, std::nullopt});
  membership.publish({endpoint("10.0.0.9:80"), std::nullopt, std::nullopt});
  state->syncMembership();
  EXPECT_EQ(pools_made_.size(), 2u);
  EXPECT_EQ(state->pools[0]->endpoint().text, "10.0.0.9:80");
  EXPECT_EQ(state->hosts.endpoint(0).text, "10.0.0.9:80");
}

TEST_F(ClusterMembershipTest, RequestsAreCountedAcrossWorkersPerSlot) {
  ClusterMembership membership(cluster_);
  auto one = follow(membership);
  auto two = follow(membership);
  membership.publish({endpoint("10.0.0.1:80"), std::nullopt, std::nullopt});
  one->syncMembership();
  two->syncMembership();
  one->hosts.onRequestStarted(0);
  two->hosts.onRequestStarted(0);
  EXPECT_EQ(membership.activeRequests(0), 2u);
  one->hosts.onRequestFinished(0);
  EXPECT_EQ(membership.activeRequests(0), 1u);
}

}  // namespace
}  // namespace switchyard::upstream
