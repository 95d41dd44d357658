#include "common/civil_time.h"

#include <gtest/gtest.h>

namespace tarn {
namespace {

TEST(CivilTimeTest, DaysFromCivilKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2020, 1, 1), 18262);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
}

TEST(CivilTimeTest, CivilFromDaysRoundTripsEveryDayOverCenturies) {
  int64_t expected = DaysFromCivil(1600, 1, 1);
  for (int64_t days = expected; days < DaysFromCivil(2500, 1, 1); ++days) {
    const CivilDate d = CivilFromDays(days);
    ASSERT_TRUE(IsValidDate(d.year, d.month, d.day)) << days;
    ASSERT_EQ(DaysFromCivil(d.year, d.month, d.day), days);
  }
}

TEST(CivilTimeTest, LeapYears) {
  EXPECT_TRUE(IsValidDate(2020, 2, 29));
  EXPECT_FALSE(IsValidDate(2021, 2, 29));
  EXPECT_FALSE(IsValidDate(1900, 2, 29));
  EXPECT_TRUE(IsValidDate(2000, 2, 29));
}

TEST(CivilTimeTest, FormatsTheSeedsTimestampShape) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01 00:00:00.000000");
  EXPECT_EQ(FormatTimestamp(1687098472LL * kMicrosPerSecond), "2023-06-18 14:27:52.000000");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999");
}

TEST(CivilTimeTest, ParsesDateTimeForms) {
  const int64_t expected = 1687098472LL * kMicrosPerSecond;
  EXPECT_EQ(*ParseTimestamp("2023-06-18 14:27:52"), expected);
  EXPECT_EQ(*ParseTimestamp("2023-06-18T14:27:52Z"), expected);
  EXPECT_EQ(*ParseTimestamp("2023-06-18 14:27:52.000000"), expected);
  EXPECT_EQ(*ParseTimestamp("2023-06-18 14:27:52.5"), expected + 500000);
  EXPECT_EQ(*ParseTimestamp("2023-06-18"), 1687046400LL * kMicrosPerSecond);
}

TEST(CivilTimeTest, ParseRejectsWithPosition) {
  const Status s = ParseTimestamp("2023-06-18 14:2").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("character"), std::string::npos) << s.message();
  EXPECT_FALSE(ParseTimestamp("2023-02-30").ok());
  EXPECT_FALSE(ParseTimestamp("2023-06-18 24:00:00").ok());
  EXPECT_FALSE(ParseTimestamp("2023-06-18x").ok());
}

}  // namespace
}  // namespace tarn
