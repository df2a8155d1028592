#include "stats/metric_registry.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace switchyard::stats {
namespace {

const MetricSnapshot* findStat(const std::vector<MetricSnapshot>& metrics, const std::string& stat) {
  for (const auto& metric : metrics) {
    if (metric.name.stat == stat) return &metric;
  }
  return nullptr;
}

MetricName labelled(const std::string& stat, const std::string& family, const std::string& cluster) {
  return MetricName{stat, family, {{"cluster", cluster}}, "help"};
}

TEST(MetricRegistry, DefiningAStatAgainGivesTheSameSeries) {
  MetricRegistry registry;
  auto first = registry.define(MetricKind::kCounter, flatMetricName("requests"));
  auto again = registry.define(MetricKind::kCounter, flatMetricName("requests"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first, again);
  registry.record(*first, 2);
  registry.record(*again, 3);
  EXPECT_EQ(findStat(registry.snapshot(), "requests")->value, 5);
}

TEST(MetricRegistry, RefusesAStatOrFamilyOfAnotherKindAndDuplicateSeries) {
  MetricRegistry registry;
  ASSERT_TRUE(registry.define(MetricKind::kCounter, labelled("cluster.a.rq", "cluster_rq", "a")));
  EXPECT_FALSE(registry.define(MetricKind::kGauge, labelled("cluster.a.rq", "cluster_rq", "a")));
  // Same Prometheus family, another kind: the exposition could not type it.
  EXPECT_FALSE(registry.define(MetricKind::kGauge, labelled("cluster.b.rq", "cluster_rq", "b")));
  // Same family and labels under another stat: two samples of one series.
  EXPECT_FALSE(registry.define(MetricKind::kCounter, labelled("cluster.a.rq2", "cluster_rq", "a")));
  EXPECT_TRUE(registry.define(MetricKind::kCounter, labelled("cluster.b.rq", "cluster_rq", "b")));
  // "a.b" and "a_b" would both be exposed as switchyard_a_b.
  ASSERT_TRUE(registry.define(MetricKind::kCounter, flatMetricName("a.b")));
  EXPECT_FALSE(registry.define(MetricKind::kCounter, flatMetricName("a_b")));
}

TEST(MetricRegistry, IdsItNeverHandedOutRecordNothing) {
  MetricRegistry registry;
  auto id = registry.define(MetricKind::kCounter, flatMetricName("only"));
  registry.record(*id + 1, 7);
  registry.record(MetricRegistry::kMaxSeries, 7);
  EXPECT_EQ(findStat(registry.snapshot(), "only")->value, 0);
}

TEST(MetricRegistry, GaugesAddSignedDeltas) {
  MetricRegistry registry;
  auto id = registry.define(MetricKind::kGauge, flatMetricName("open"));
  registry.record(*id, 1);
  registry.record(*id, 1);
  registry.record(*id, -1);
  EXPECT_EQ(findStat(registry.snapshot(), "open")->value, 1);
}

TEST(MetricRegistry, ThreadsRecordIntoTheirOwnShardsAndReadersGetExactTotals) {
  MetricRegistry registry;
  auto counter = *registry.define(MetricKind::kCounter, flatMetricName("hits"));
  auto gauge = *registry.define(MetricKind::kGauge, flatMetricName("level"));
  auto histogram = *registry.define(MetricKind::kHistogram, flatMetricName("latency"));
  constexpr int kThreads = 8;
  constexpr int kRecords = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRecords; ++i) {
        registry.record(counter, 1);
        registry.record(gauge, i % 2 == 0 ? 2 : -1);
        registry.record(histogram, 3);
      }
    });
  }
  // Reading while they record sees a consistent-enough, never larger, sum.
  EXPECT_LE(findStat(registry.snapshot(), "hits")->value, int64_t(kThreads) * kRecords);
  for (auto& thread : threads) thread.join();
  auto metrics = registry.snapshot();
  EXPECT_EQ(findStat(metrics, "hits")->value, int64_t(kThreads) * kRecords);
  EXPECT_EQ(findStat(metrics, "level")->value, int64_t(kThreads) * kRecords / 2);
  EXPECT_EQ(findStat(metrics, "latency")->count, uint64_t(kThreads) * kRecords);
  EXPECT_DOUBLE_EQ(findStat(metrics, "latency")->sum, 3.0 * kThreads * kRecords);
}

TEST(MetricRegistry, AShardOutlivesItsThreadAndTheNextThreadAddsToIt) {
  MetricRegistry registry;
  auto id = *registry.define(MetricKind::kCounter, flatMetricName("hits"));
  for (int round = 0; round < 20; ++round) {
    std::thread([&] { registry.record(id, 1); }).join();
  }
  EXPECT_EQ(findStat(registry.snapshot(), "hits")->value, 20);
}

TEST(MetricRegistry, SeriesDefinedAfterThreadsStartedRecordToo) {
  MetricRegistry registry;
  auto early = *registry.define(MetricKind::kCounter, flatMetricName("early"));
  registry.record(early, 1);  // this thread's shard exists now
  // Enough series to need cells in more chunks than the shard had.
  std::vector<uint32_t> ids;
  for (int i = 0; i < 5000; ++i) {
    ids.push_back(*registry.define(MetricKind::kCounter, flatMetricName("late_" + std::to_string(i))));
  }
  for (uint32_t id : ids) registry.record(id, 1);
  EXPECT_EQ(findStat(registry.snapshot(), "late_4999")->value, 1);
}

TEST(MetricRegistry, BindShowsASeriesUnderAnotherNameFromZero) {
  MetricRegistry registry;
  auto id = *registry.define(MetricKind::kCounter, labelled("c.slot.0.rq", "host_rq", "slot 0"));
  registry.hide(id);
  registry.record(id, 4);
  EXPECT_EQ(findStat(registry.snapshot(), "c.slot.0.rq"), nullptr);

  registry.bind(id, labelled("c.host.10.0.0.1:80.rq", "host_rq", "10.0.0.1:80"));
  registry.record(id, 1);
  auto metrics = registry.snapshot();
  ASSERT_NE(findStat(metrics, "c.host.10.0.0.1:80.rq"), nullptr);
  EXPECT_EQ(findStat(metrics, "c.host.10.0.0.1:80.rq")->value, 1);

  // Hidden and shown again under the same name: it goes on counting.
  registry.hide(id);
  registry.record(id, 1);
  registry.bind(id, labelled("c.host.10.0.0.1:80.rq", "host_rq", "10.0.0.1:80"));
  EXPECT_EQ(findStat(registry.snapshot(), "c.host.10.0.0.1:80.rq")->value, 2);

  // Another address: a new series, from zero.
  registry.bind(id, labelled("c.host.10.0.0.2:80.rq", "host_rq", "10.0.0.2:80"));
  registry.record(id, 1);
  metrics = registry.snapshot();
  EXPECT_EQ(findStat(metrics, "c.host.10.0.0.1:80.rq"), nullptr);
  EXPECT_EQ(findStat(metrics, "c.host.10.0.0.2:80.rq")->value, 1);
}

TEST(MetricRegistry, HistogramsRestartFromZeroWhenRebound) {
  MetricRegistry registry;
  auto id = *registry.define(MetricKind::kHistogram, flatMetricName("h"), 1000);
  registry.record(id, 700);  // 0.7 displayed units
  registry.bind(id, flatMetricName("h2"));
  registry.record(id, 2000);
  std::vector<MetricSnapshot> snapshot = registry.snapshot();  // outlives the pointer into it
  const MetricSnapshot* metric = findStat(snapshot, "h2");
  ASSERT_NE(metric, nullptr);
  EXPECT_EQ(metric->count, 1u);
  EXPECT_DOUBLE_EQ(metric->sum, 2.0);
  EXPECT_EQ(metric->buckets[2], 1u);  // (1, 5]
}

}  // namespace
}  // namespace switchyard::stats
