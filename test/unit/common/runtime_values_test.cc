#include "common/runtime_values.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace switchyard::common {
namespace {

TEST(RuntimeValues, SetGetAndRemove) {
  RuntimeValues values;
  EXPECT_FALSE(values.get("fault.abort.percent").has_value());
  values.set("fault.abort.percent", "20");
  EXPECT_EQ(values.get("fault.abort.percent"), "20");
  values.set("fault.abort.percent", "35");
  EXPECT_EQ(values.get("fault.abort.percent"), "35");
  values.set("fault.abort.percent", "");
  EXPECT_FALSE(values.get("fault.abort.percent").has_value());
}

TEST(RuntimeValues, SnapshotListsEveryKeyInOrder) {
  RuntimeValues values;
  values.set("b", "2");
  values.set("a", "1");
  auto all = values.snapshot();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->begin()->first, "a");
  values.clear();
  EXPECT_TRUE(values.snapshot()->empty());
  EXPECT_EQ(all->size(), 2u);  // a snapshot taken earlier is unchanged
}

TEST(RuntimeValues, ReaderOnAnotherThreadSeesEachWrite) {
  RuntimeValues values;
  std::atomic<int> written{0};
  std::atomic<bool> stop{false};
  std::atomic<int> last_seen{0};
  std::thread reader([&] {
    while (!stop.load()) {
      int expected_at_least = written.load();
      auto value = values.get("n");
      int seen = value ? std::stoi(std::string(*value)) : 0;
      // A value read after a write completed is never older than it.
      ASSERT_GE(seen, expected_at_least);
      last_seen = seen;
    }
  });
  for (int i = 1; i <= 2000; ++i) {
    values.set("n", std::to_string(i));
    written = i;
  }
  while (last_seen.load() != 2000) std::this_thread::yield();
  stop = true;
  reader.join();
}

}  // namespace
}  // namespace switchyard::common
