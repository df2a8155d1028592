#include "stats/stats_format.h"

#include <gtest/gtest.h>

namespace switchyard::stats {
namespace {

MetricSnapshot counter(MetricName name, int64_t value) {
  MetricSnapshot metric;
  metric.name = std::move(name);
  metric.value = value;
  return metric;
}

MetricSnapshot histogram(MetricName name, std::vector<uint64_t> buckets, double sum) {
  MetricSnapshot metric;
  metric.name = std::move(name);
  metric.kind = MetricKind::kHistogram;
  buckets.resize(kHistogramBuckets, 0);
  for (uint64_t count : buckets) metric.count += count;
  metric.buckets = std::move(buckets);
  metric.sum = sum;
  return metric;
}

std::vector<MetricSnapshot> sample() {
  return {
      counter({"cluster.b.upstream_rq_2xx", "cluster_upstream_rq_xx", {{"cluster", "b"}, {"response_code_class", "2xx"}},
               "Upstream responses by status class"},
              5),
      counter({"cluster.a.upstream_rq_2xx", "cluster_upstream_rq_xx", {{"cluster", "a"}, {"response_code_class", "2xx"}},
               "Upstream responses by status class"},
              3),
      counter(flatMetricName("downstream_rq_total", "Downstream requests"), 8),
      histogram({"listener.in.downstream_rq_time", "listener_downstream_rq_time", {{"listener", "in"}}, "Time"},
                {1, 2, 0, 1}, 9.25),
  };
}

TEST(StatsText, OneSortedLinePerStatAndHistogramsWithCountFirst) {
  EXPECT_EQ(statsText(sample(), nullptr),
            "cluster.a.upstream_rq_2xx: 3\n"
            "cluster.b.upstream_rq_2xx: 5\n"
            "downstream_rq_total: 8\n"
            "listener.in.downstream_rq_time: 4 (sum 9.25 p50 0.75 p90 8 p99 9.8)\n");
}

TEST(StatsText, FilterKeepsTheStatsTheRegexFinds) {
  std::regex filter("^cluster\\.b\\.");
  EXPECT_EQ(statsText(sample(), &filter), "cluster.b.upstream_rq_2xx: 5\n");
}

TEST(StatsJson, NamesTypesLabelsAndCumulativeBuckets) {
  std::regex filter("cluster.a|listener");
  std::string json = statsJson(sample(), &filter);
  EXPECT_NE(json.find("{\"name\":\"cluster.a.upstream_rq_2xx\",\"type\":\"counter\","
                      "\"labels\":{\"cluster\":\"a\",\"response_code_class\":\"2xx\"},\"value\":3}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"count\":4,\"sum\":9.25,\"p50\":0.75,\"p90\":8,\"p99\":9.8,\"buckets\":[{\"le\":0.5,"
                      "\"count\":1},{\"le\":1,\"count\":3},{\"le\":5,\"count\":3},{\"le\":10,\"count\":4}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("{\"le\":\"+Inf\",\"count\":4}]}"), std::string::npos) << json;
  EXPECT_EQ(json.find("cluster.b"), std::string::npos);
}

TEST(StatsJson, EscapesQuotesBackslashesAndControls) {
  std::string json = statsJson({counter({"x", "x", {{"l", "a\"b\\c\n"}}, ""}, 1)}, nullptr);
  EXPECT_NE(json.find("\"l\":\"a\\\"b\\\\c\\u000a\""), std::string::npos) << json;
}

TEST(Prometheus, OneHelpAndTypePerFamilyCountersEndInTotal) {
  std::string text = prometheusText(sample());
  EXPECT_NE(text.find("# HELP switchyard_cluster_upstream_rq_xx_total Upstream responses by status class\n"
                      "# TYPE switchyard_cluster_upstream_rq_xx_total counter\n"
                      "switchyard_cluster_upstream_rq_xx_total{cluster=\"b\",response_code_class=\"2xx\"} 5\n"
                      "switchyard_cluster_upstream_rq_xx_total{cluster=\"a\",response_code_class=\"2xx\"} 3\n"),
            std::string::npos)
      << text;
  // Already ending in _total: not twice.
  EXPECT_NE(text.find("# TYPE switchyard_downstream_rq_total counter\nswitchyard_downstream_rq_total 8\n"),
            std::string::npos)
      << text;
}

TEST(Prometheus, HistogramsHaveCumulativeBucketsSumAndCount) {
  std::string text = prometheusText(sample());
  EXPECT_NE(text.find("# TYPE switchyard_listener_downstream_rq_time histogram\n"
                      "switchyard_listener_downstream_rq_time_bucket{listener=\"in\",le=\"0.5\"} 1\n"
                      "switchyard_listener_downstream_rq_time_bucket{listener=\"in\",le=\"1\"} 3\n"
                      "switchyard_listener_downstream_rq_time_bucket{listener=\"in\",le=\"5\"} 3\n"
                      "switchyard_listener_downstream_rq_time_bucket{listener=\"in\",le=\"10\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("switchyard_listener_downstream_rq_time_bucket{listener=\"in\",le=\"3600000\"} 4\n"
                      "switchyard_listener_downstream_rq_time_bucket{listener=\"in\",le=\"+Inf\"} 4\n"
                      "switchyard_listener_downstream_rq_time_sum{listener=\"in\"} 9.25\n"
                      "switchyard_listener_downstream_rq_time_count{listener=\"in\"} 4\n"),
            std::string::npos)
      << text;
}

TEST(Prometheus, EscapesLabelValuesAndHelpAndSanitisesNames) {
  MetricSnapshot gauge = counter({"breaker.backend.rejected-open", sanitizedMetricName("breaker.backend.rejected-open"),
                                  {{"route", "a\"b\\c\nd"}, {"bad:name", "x"}}, "line one\nback\\slash"},
                                 2);
  gauge.kind = MetricKind::kGauge;
  std::string text = prometheusText({gauge});
  EXPECT_EQ(text,
            "# HELP switchyard_breaker_backend_rejected_open line one\\nback\\\\slash\n"
            "# TYPE switchyard_breaker_backend_rejected_open gauge\n"
            "switchyard_breaker_backend_rejected_open{route=\"a\\\"b\\\\c\\nd\",bad_name=\"x\"} 2\n");
}

TEST(Prometheus, NamesStartingWithADigitAreSanitised) {
  EXPECT_EQ(sanitizedMetricName("9lives.x"), "_9lives_x");
}

TEST(FormatNumber, IntegersPlainOthersShortest) {
  EXPECT_EQ(formatNumber(3600000), "3600000");
  EXPECT_EQ(formatNumber(0.5), "0.5");
  EXPECT_EQ(formatNumber(9.25), "9.25");
}

}  // namespace
}  // namespace switchyard::stats
