#include "breaker_registry.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

breaker_entry* get(breaker_scope scope, const std::string& name, const std::string& host = "") {
  return breaker_registry_get(scope, name.data(), name.size(), host.data(), host.size());
}

class BreakerRegistryTest : public ::testing::Test {
 protected:
  void TearDown() override { breaker_registry_clear(); }
};

TEST_F(BreakerRegistryTest, OneEntryPerScopeNameAndHost) {
  breaker_entry* cluster = get(BREAKER_SCOPE_CLUSTER, "backend");
  ASSERT_NE(cluster, nullptr);
  EXPECT_EQ(get(BREAKER_SCOPE_CLUSTER, "backend"), cluster);
  EXPECT_NE(get(BREAKER_SCOPE_HOST, "backend", "10.0.0.1:80"), cluster);
  EXPECT_NE(get(BREAKER_SCOPE_HOST, "backend", "10.0.0.1:80"), get(BREAKER_SCOPE_HOST, "backend", "10.0.0.2:80"));
  EXPECT_NE(get(BREAKER_SCOPE_CLUSTER, "other"), cluster);
  EXPECT_STREQ(cluster->name, "backend");
}

TEST_F(BreakerRegistryTest, ThreadsAskingForTheSameNameShareOneEntry) {
  std::vector<breaker_entry*> seen(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) get(BREAKER_SCOPE_HOST, "c", std::to_string(i));
      seen[t] = get(BREAKER_SCOPE_CLUSTER, "shared");
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::set<breaker_entry*>(seen.begin(), seen.end()).size(), 1u);
  size_t hosts = 0;
  breaker_registry_visit(
      BREAKER_SCOPE_HOST, "c", 1, [](const breaker_entry*, void* count) { ++*static_cast<size_t*>(count); }, &hosts);
  EXPECT_EQ(hosts, 200u);
}

TEST_F(BreakerRegistryTest, ABulkheadTakesUpToItsLimitAndCountsRejections) {
  breaker_entry* entry = get(BREAKER_SCOPE_ROUTE, "edge", "api");
  EXPECT_TRUE(breaker_entry_take(entry, 2));
  EXPECT_TRUE(breaker_entry_take(entry, 2));
  EXPECT_FALSE(breaker_entry_take(entry, 2));
  breaker_entry_give_back(entry);
  EXPECT_TRUE(breaker_entry_take(entry, 2));
  EXPECT_TRUE(breaker_entry_take(entry, 0));  // 0: unlimited
  breaker_entry_count_rejection(entry, BREAKER_REASON_ROUTE_MAX_REQUESTS);
  EXPECT_EQ(entry->rejected[BREAKER_REASON_ROUTE_MAX_REQUESTS].load(), 1u);
  EXPECT_STREQ(breaker_reason_token(BREAKER_REASON_ROUTE_MAX_REQUESTS), "route_max_requests");
}

}  // namespace
