#include "common/human_units.h"

#include <gtest/gtest.h>

namespace tarn {
namespace {

TEST(HumanUnitsTest, ThousandsSeparators) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(WithThousands(707123), "707,123");
  EXPECT_EQ(WithThousands(1234567890), "1,234,567,890");
}

TEST(HumanUnitsTest, BytesInBinaryUnitsLikeTheAwsCli) {
  EXPECT_EQ(HumanBytes(512), "512 Bytes");
  EXPECT_EQ(HumanBytes(1024), "1.0 KiB");
  EXPECT_EQ(HumanBytes(46242201), "44.1 MiB");
  EXPECT_EQ(HumanBytes(3ULL << 30), "3.0 GiB");
}

TEST(HumanUnitsTest, ShortCounts) {
  EXPECT_EQ(HumanCount(950), "950");
  EXPECT_EQ(HumanCount(1500), "1.50k");
  EXPECT_EQ(HumanCount(23400000), "23.4M");
}

}  // namespace
}  // namespace tarn
