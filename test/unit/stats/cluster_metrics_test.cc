#include "stats/cluster_metrics.h"

#include <gtest/gtest.h>

namespace switchyard::stats {
namespace {

int64_t valueOf(const MetricRegistry& registry, const std::string& stat) {
  for (const auto& metric : registry.snapshot()) {
    if (metric.name.stat == stat) return metric.value;
  }
  return -1;  // not shown
}

TEST(ClusterMetrics, AttemptsCountPerClusterStatusClassAndHost) {
  MetricRegistry registry;
  ClusterMetrics cluster(registry, "backend", 2);
  cluster.bindHost(0, "10.0.0.1:80");
  cluster.bindHost(1, "10.0.0.2:80");
  cluster.attemptStarted(0, false, false);
  cluster.attemptEnded(0, AttemptEnd::kResponse, 503, 1500);
  cluster.attemptStarted(1, true, false);
  cluster.attemptEnded(1, AttemptEnd::kResponse, 200, 800);
  cluster.attemptStarted(1, false, true);
  cluster.attemptEnded(1, AttemptEnd::kTimeout, 0, 0);
  EXPECT_EQ(valueOf(registry, "cluster.backend.upstream_rq_total"), 3);
  EXPECT_EQ(valueOf(registry, "cluster.backend.upstream_rq_5xx"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.upstream_rq_2xx"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.upstream_rq_retry"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.upstream_rq_hedge"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.upstream_rq_per_try_timeout"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.host.10.0.0.1:80.upstream_rq_total"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.host.10.0.0.1:80.upstream_rq_5xx"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.host.10.0.0.2:80.upstream_rq_total"), 2);
  EXPECT_EQ(valueOf(registry, "cluster.backend.host.10.0.0.2:80.upstream_rq_per_try_timeout"), 1);
}

TEST(ClusterMetrics, HostSeriesFollowTheirSlotAndStayBounded) {
  MetricRegistry registry;
  ClusterMetrics cluster(registry, "dns", 1);
  // An empty slot shows nothing.
  EXPECT_EQ(valueOf(registry, "cluster.dns.host_slot.0.upstream_rq_total"), -1);
  size_t shown_before = registry.snapshot().size();

  for (int i = 1; i <= 50; ++i) {
    // Another address takes the slot each time (DNS churn).
    cluster.bindHost(0, "10.0.1." + std::to_string(i) + ":80");
    cluster.attemptStarted(0, false, false);
  }
  EXPECT_EQ(valueOf(registry, "cluster.dns.host.10.0.1.50:80.upstream_rq_total"), 1);  // from zero
  EXPECT_EQ(valueOf(registry, "cluster.dns.host.10.0.1.49:80.upstream_rq_total"), -1);
  EXPECT_EQ(registry.snapshot().size(), shown_before + 8);  // one slot's series, not fifty

  cluster.unbindHost(0);
  EXPECT_EQ(valueOf(registry, "cluster.dns.host.10.0.1.50:80.upstream_rq_total"), -1);
  EXPECT_EQ(valueOf(registry, "cluster.dns.upstream_rq_total"), 50);
}

TEST(ClusterMetrics, AReloadKeepsTheCountersAndHidesSlotsItNoLongerHasOnlyWhenAsked) {
  MetricRegistry registry;
  {
    ClusterMetrics before(registry, "backend", 2);
    before.bindHost(1, "10.0.0.2:80");
    before.attemptStarted(1, false, false);
  }
  EXPECT_EQ(valueOf(registry, "cluster.backend.host.10.0.0.2:80.upstream_rq_total"), 1);
  ClusterMetrics after(registry, "backend", 1);
  after.attemptStarted(0, false, false);
  EXPECT_EQ(valueOf(registry, "cluster.backend.upstream_rq_total"), 2);
  // Until the new config serves (its membership hides what it lacks), the
  // hosts shown are still the old config's: the new one may yet fail.
  EXPECT_EQ(valueOf(registry, "cluster.backend.host.10.0.0.2:80.upstream_rq_total"), 1);
  after.hideHostsFrom(1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.host.10.0.0.2:80.upstream_rq_total"), -1);
}

TEST(ClusterMetrics, HealthChecksAndEjectionsCount) {
  MetricRegistry registry;
  ClusterMetrics cluster(registry, "backend", 1);
  cluster.healthChecked(true);
  cluster.healthChecked(false);
  cluster.hostEjected();
  EXPECT_EQ(valueOf(registry, "cluster.backend.health_check.attempt"), 2);
  EXPECT_EQ(valueOf(registry, "cluster.backend.health_check.success"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.health_check.failure"), 1);
  EXPECT_EQ(valueOf(registry, "cluster.backend.outlier_detection.ejections_enforced_total"), 1);
}

}  // namespace
}  // namespace switchyard::stats
