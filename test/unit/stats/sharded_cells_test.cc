#include "stats/sharded_cells.h"

#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

namespace switchyard::stats {
namespace {

TEST(ShardedCells, EachLiveThreadHasItsOwnShardAndSumsAddThemUp) {
  ShardedCells cells;
  ASSERT_TRUE(cells.reserve(2));
  constexpr int kThreads = 4;
  std::latch all_recorded(kThreads);
  std::latch may_exit(1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      cells.local(1).fetch_add(5, std::memory_order_relaxed);
      all_recorded.count_down();
      may_exit.wait();  // alive together: no shard is handed on
    });
  }
  all_recorded.wait();
  EXPECT_EQ(cells.shardCount(), size_t(kThreads));
  EXPECT_EQ(cells.sum(1), 5 * kThreads);
  EXPECT_EQ(cells.sum(0), 0);
  may_exit.count_down();
  for (auto& thread : threads) thread.join();
}

TEST(ShardedCells, PastTheShardLimitThreadsShareOneAndTotalsStayExact) {
  ShardedCells cells;
  ASSERT_TRUE(cells.reserve(1));
  constexpr int kThreads = int(ShardedCells::kMaxShards) + 8;
  constexpr int kRecords = 1000;
  std::latch all_recorded(kThreads);
  std::latch may_exit(1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRecords; ++i) cells.local(0).fetch_add(1, std::memory_order_relaxed);
      all_recorded.count_down();
      may_exit.wait();  // alive together: each holds its shard (or the shared one)
    });
  }
  all_recorded.wait();
  EXPECT_EQ(cells.shardCount(), ShardedCells::kMaxShards);
  EXPECT_EQ(cells.sum(0), int64_t(kThreads) * kRecords);
  may_exit.count_down();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(cells.sum(0), int64_t(kThreads) * kRecords);
}

TEST(ShardedCells, ReservingPastTheCapacityFails) {
  ShardedCells cells;
  EXPECT_FALSE(cells.reserve(ShardedCells::kCapacity + 1));
  EXPECT_TRUE(cells.reserve(ShardedCells::kChunkCells * 3));
}

}  // namespace
}  // namespace switchyard::stats
