#include "common/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace tarn {
namespace {

TEST(ParallelTest, EveryIndexRunsOnce) {
  std::vector<std::atomic<int>> hits(10000);
  ParallelFor(hits.size(), 4, [&](size_t i) { hits[i].fetch_add(1); });
  for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
}

TEST(ParallelTest, NothingToDoAndOneThread) {
  int calls = 0;
  ParallelFor(0, 4, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
  ParallelFor(3, 1, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 3);
  EXPECT_GE(HardwareThreads(), 1u);
}

}  // namespace
}  // namespace tarn
