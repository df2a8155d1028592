// A worker's ClusterState following its cluster's published membership:
// pools for new hosts, draining for hosts that left (never picked again,
// pools told), a host that comes back keeps its pool, a reused slot gets a
// fresh pool with a clean health record, and a static cluster is complete
// from the start. Health counts and panic mode cover members only.
#include "upstream/cluster_membership.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "upstream/cluster_manager.h"
#include "upstream/host_candidates.h"
#include "upstream/upstream_health.h"

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
    proxy_.clusters.push_back(std::make_unique<config::ClusterConfig>());
    cluster().name = "dns";
    cluster().type = config::Cluster::STRICT_DNS;
    cluster().host_slots = 3;
    cluster().healthy_panic_threshold_percent = 50;
  }

  config::ClusterConfig& cluster() { return *proxy_.clusters[0]; }

  // The cluster's shared health and membership, once the test has set the
  // cluster up.
  ClusterMembership& start() {
    health_ = std::make_unique<UpstreamHealth>(proxy_);
    cluster().metrics = std::make_unique<stats::ClusterMetrics>(registry_, cluster().name, cluster().host_slots);
    membership_ = std::make_unique<ClusterMembership>(cluster(), health(), health_->outlierDetector(0));
    return *membership_;
  }
  ClusterHealth& health() { return *health_->cluster(0); }

  std::unique_ptr<ClusterState> follow(ClusterMembership& membership) {
    return std::make_unique<ClusterState>(
        cluster(), *health_, membership,
        [this](const config::ClusterConfig&, size_t, const config::EndpointConfig& endpoint) {
          auto pool = std::make_unique<RecordingPool>(endpoint);
          pools_made_.push_back(pool.get());
          return pool;
        },
        std::mt19937_64(1));
  }

  RecordingPool& pool(ClusterState& state, size_t slot) { return static_cast<RecordingPool&>(*state.pools[slot]); }

  std::set<size_t> picks(ClusterState& state, int count = 30) {
    std::set<size_t> seen;
    for (int i = 0; i < count; ++i) seen.insert(state.balancer->chooseHost({}, std::nullopt));
    return seen;
  }

  stats::MetricRegistry registry_;  // declared first: the cluster's metrics record into it
  config::ProxyConfig proxy_;
  std::unique_ptr<UpstreamHealth> health_;
  std::unique_ptr<ClusterMembership> membership_;
  std::vector<RecordingPool*> pools_made_;
};

TEST_F(ClusterMembershipTest, ADnsClusterStartsWithoutHosts) {
  ClusterMembership& membership = start();
  auto state = follow(membership);
  EXPECT_EQ(state->hosts.size(), 3u);
  EXPECT_EQ(state->hosts.memberCount(), 0u);
  EXPECT_TRUE(pools_made_.empty());
}

TEST_F(ClusterMembershipTest, AStaticClusterHasEveryEndpointAtOnce) {
  cluster().type = config::Cluster::STATIC;
  cluster().endpoints = {endpoint("10.0.0.1:80"), endpoint("10.0.0.2:80")};
  cluster().host_slots = 2;
  ClusterMembership& membership = start();
  auto state = follow(membership);
  EXPECT_EQ(state->hosts.memberCount(), 2u);
  EXPECT_EQ(pools_made_.size(), 2u);
  EXPECT_EQ(picks(*state), (std::set<size_t>{0, 1}));
}

TEST_F(ClusterMembershipTest, PerHostSeriesShowTheAddressThatHoldsEachSlot) {
  ClusterMembership& membership = start();
  auto shown = [&] {
    std::set<std::string> stats;
    for (const auto& metric : registry_.snapshot()) {
      if (metric.name.stat.ends_with(".upstream_rq_total")) stats.insert(metric.name.stat);
    }
    return stats;
  };
  EXPECT_EQ(shown(), (std::set<std::string>{"cluster.dns.upstream_rq_total"}));
  membership.publish({endpoint("10.0.0.1:80"), std::nullopt, endpoint("10.0.0.3:80")});
  EXPECT_EQ(shown(), (std::set<std::string>{"cluster.dns.upstream_rq_total",
                                            "cluster.dns.host.10.0.0.1:80.upstream_rq_total",
                                            "cluster.dns.host.10.0.0.3:80.upstream_rq_total"}));
  membership.publish({std::nullopt, std::nullopt, endpoint("10.0.0.4:80")});
  EXPECT_EQ(shown(), (std::set<std::string>{"cluster.dns.upstream_rq_total",
                                            "cluster.dns.host.10.0.0.4:80.upstream_rq_total"}));
  // A reloaded config's membership starts without hosts: it hides what the
  // previous one showed until discovery publishes again.
  ClusterMembership reloaded(cluster(), health(), nullptr);
  EXPECT_EQ(shown(), (std::set<std::string>{"cluster.dns.upstream_rq_total"}));
}

TEST_F(ClusterMembershipTest, WorkersFollowOnlyWhenTheVersionMoves) {
  ClusterMembership& membership = start();
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
  ClusterMembership& membership = start();
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
  ClusterMembership& membership = start();
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
  ClusterMembership& membership = start();
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
  ClusterMembership& membership = start();
  auto one = follow(membership);
  auto two = follow(membership);
  membership.publish({endpoint("10.0.0.1:80"), std::nullopt, std::nullopt});
  one->syncMembership();
  two->syncMembership();
  one->hosts.onRequestStarted(0);
  two->hosts.onRequestStarted(0);
  EXPECT_EQ(health().host(0).active_requests.load(), 2);
  one->hosts.onRequestFinished(0);
  EXPECT_EQ(health().host(0).active_requests.load(), 1);
}

TEST_F(ClusterMembershipTest, PanicCountsMembersOnly) {
  ClusterMembership& membership = start();
  auto state = follow(membership);
  membership.publish({endpoint("10.0.0.1:80"), endpoint("10.0.0.2:80"), std::nullopt});
  state->syncMembership();
  // The empty slot is no unhealthy host: two of two members are healthy.
  EXPECT_EQ(state->hosts.healthyCount(), 2u);
  EXPECT_FALSE(inPanic(state->hosts));
  // One of two healthy is not below 50%: the unhealthy one is skipped.
  state->hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  EXPECT_FALSE(inPanic(state->hosts));
  EXPECT_EQ(picks(*state), (std::set<size_t>{0}));
  // None healthy: panic over the two members, never the empty slot.
  state->hosts.setHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  EXPECT_TRUE(inPanic(state->hosts));
  EXPECT_EQ(picks(*state), (std::set<size_t>{0, 1}));
}

TEST_F(ClusterMembershipTest, AThresholdOfZeroTurnsPanicOffAndLeavesNoHostWhenNoneIsHealthy) {
  cluster().healthy_panic_threshold_percent = 0;
  ClusterMembership& membership = start();
  auto state = follow(membership);
  membership.publish({endpoint("10.0.0.1:80"), endpoint("10.0.0.2:80"), std::nullopt});
  state->syncMembership();
  state->hosts.setHealthFlag(1, HostHealthFlag::kFailedActiveCheck);
  EXPECT_FALSE(inPanic(state->hosts));
  EXPECT_TRUE(hasRoutableHost(state->hosts));
  EXPECT_EQ(picks(*state), (std::set<size_t>{0}));
  // The last healthy host fails: no panic, no host at all.
  state->hosts.setHealthFlag(0, HostHealthFlag::kFailedActiveCheck);
  EXPECT_FALSE(inPanic(state->hosts));
  EXPECT_FALSE(hasRoutableHost(state->hosts));
}

TEST_F(ClusterMembershipTest, AReusedSlotStartsWithACleanHealthRecord) {
  ClusterMembership& membership = start();
  membership.publish({endpoint("10.0.0.1:80"), std::nullopt, std::nullopt});
  health().setFlag(0, HostHealthFlag::kFailedActiveCheck);
  health().host(0).check_state.store(ActiveCheckState::kFailing);
  membership.publish({std::nullopt, std::nullopt, std::nullopt});
  EXPECT_TRUE(health().hasFlag(0, HostHealthFlag::kDraining));
  // The same address back: the same host, its record kept.
  membership.publish({endpoint("10.0.0.1:80"), std::nullopt, std::nullopt});
  EXPECT_EQ(health().flags(0), uint8_t(HostHealthFlag::kFailedActiveCheck));
  // Another address in the slot: a clean record.
  membership.publish({std::nullopt, std::nullopt, std::nullopt});
  membership.publish({endpoint("10.0.0.9:80"), std::nullopt, std::nullopt});
  EXPECT_TRUE(health().healthy(0));
  EXPECT_EQ(health().host(0).check_state.load(), ActiveCheckState::kNotChecked);
  EXPECT_EQ(health().healthyCount(), 1u);
}

TEST_F(ClusterMembershipTest, AReusedSlotIsNoLongerEjected) {
  config::OutlierDetectionConfig outliers;
  outliers.consecutive_5xx = 1;
  outliers.base_ejection_ms = 30'000;
  outliers.max_ejection_ms = 300'000;
  outliers.max_ejection_percent = 100;
  cluster().outlier_detection = outliers;
  ClusterMembership& membership = start();
  membership.publish({endpoint("10.0.0.1:80"), endpoint("10.0.0.2:80"), std::nullopt});
  OutlierDetector& detector = *health_->outlierDetector(0);
  detector.recordAttempt(0, SY_ATTEMPT_RESPONSE, 500, 1'000);
  EXPECT_TRUE(health().hasFlag(0, HostHealthFlag::kEjectedByOutlierDetection));
  EXPECT_EQ(detector.ejectedHosts(), 1u);
  membership.publish({std::nullopt, endpoint("10.0.0.2:80"), std::nullopt});
  membership.publish({endpoint("10.0.0.9:80"), endpoint("10.0.0.2:80"), std::nullopt});
  EXPECT_TRUE(health().healthy(0));
  EXPECT_EQ(detector.ejectedHosts(), 0u);
  EXPECT_EQ(health().host(0).times_ejected.load(), 0u);
}

}  // namespace
}  // namespace switchyard::upstream
