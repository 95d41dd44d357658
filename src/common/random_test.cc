#include "common/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tarn {
namespace {

TEST(RandomTest, SameSeedSameSequence) {
  Random a(42), b(42);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.Next(), b.Next());
}

TEST(RandomTest, DifferentSeedsDiffer) {
  Random a(1), b(2);
  EXPECT_NE(a.Next(), b.Next());
}

TEST(RandomTest, Uniform01StaysInHalfOpenUnitInterval) {
  Random r(7);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = r.Uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);  // Standard error 0.0009.
}

TEST(RandomTest, UniformIntCoversRangeEvenly) {
  Random r(7);
  std::vector<int> counts(10);
  for (int i = 0; i < 100000; ++i) ++counts[r.UniformInt(10)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);  // Standard deviation ~95.
}

TEST(RandomTest, NormalHasRequestedMeanAndDeviation) {
  Random r(7);
  double sum = 0, squares = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = r.Normal(100, 10);
    sum += x;
    squares += x * x;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 100, 0.15);  // Standard error 0.022.
  EXPECT_NEAR(std::sqrt(squares / n - mean * mean), 10, 0.15);
}

}  // namespace
}  // namespace tarn
