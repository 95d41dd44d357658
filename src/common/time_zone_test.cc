#include "common/time_zone.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "common/civil_time.h"

namespace tarn {
namespace {

int64_t At(std::string_view utc) { return *ParseTimestamp(utc) / kMicrosPerSecond; }

TimeZone MustLoad(std::string_view name) {
  Result<TimeZone> zone = TimeZone::Load(name);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return zone.ok() ? *zone : TimeZone();
}

std::string ReadZoneFile(const std::string& name) {
  std::ifstream in(std::string(kZoneInfoDir) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// glibc's offset for `utc` in the zone TZ=`tz`.
int64_t GlibcOffset(const std::string& tz, int64_t utc) {
  setenv("TZ", tz.c_str(), 1);
  tzset();
  const time_t t = static_cast<time_t>(utc);
  struct tm local;
  localtime_r(&t, &local);
  return local.tm_gmtoff;
}

TEST(TimeZoneTest, EmptyAndUtcNeedNoFile) {
  for (std::string_view name : {"", "UTC"}) {
    Result<TimeZone> zone = TimeZone::Load(name);
    ASSERT_TRUE(zone.ok());
    EXPECT_TRUE(zone->is_utc());
    EXPECT_EQ(zone->OffsetSeconds(At("2023-07-01 12:00:00")), 0);
  }
  EXPECT_TRUE(MustLoad("Etc/UTC").is_utc());
  EXPECT_FALSE(MustLoad("Europe/Warsaw").is_utc());
}

TEST(TimeZoneTest, WarsawSummerAndWinter2023AtTheChanges) {
  const TimeZone warsaw = MustLoad("Europe/Warsaw");
  EXPECT_EQ(warsaw.OffsetSeconds(At("2023-01-15 12:00:00")), 3600);
  EXPECT_EQ(warsaw.OffsetSeconds(At("2023-07-15 12:00:00")), 7200);
  EXPECT_EQ(warsaw.OffsetSeconds(At("2023-03-26 00:59:59")), 3600);
  EXPECT_EQ(warsaw.OffsetSeconds(At("2023-03-26 01:00:00")), 7200);
  EXPECT_EQ(warsaw.OffsetSeconds(At("2023-10-29 00:59:59")), 7200);
  EXPECT_EQ(warsaw.OffsetSeconds(At("2023-10-29 01:00:00")), 3600);
}

TEST(TimeZoneTest, NewYorkKolkataAndLordHowe) {
  const TimeZone new_york = MustLoad("America/New_York");
  EXPECT_EQ(new_york.OffsetSeconds(At("2023-03-12 06:59:59")), -5 * 3600);
  EXPECT_EQ(new_york.OffsetSeconds(At("2023-03-12 07:00:00")), -4 * 3600);
  EXPECT_EQ(new_york.OffsetSeconds(At("2023-11-05 06:00:00")), -5 * 3600);
  EXPECT_EQ(MustLoad("Asia/Kolkata").OffsetSeconds(At("2023-06-01 00:00:00")), 19800);
  // Lord Howe's daylight saving time adds half an hour: +10:30 becomes +11.
  const TimeZone lord_howe = MustLoad("Australia/Lord_Howe");
  EXPECT_EQ(lord_howe.OffsetSeconds(At("2023-01-15 00:00:00")), 39600);
  EXPECT_EQ(lord_howe.OffsetSeconds(At("2023-04-01 14:59:59")), 39600);
  EXPECT_EQ(lord_howe.OffsetSeconds(At("2023-04-01 15:00:00")), 37800);
  EXPECT_EQ(lord_howe.OffsetSeconds(At("2023-07-15 00:00:00")), 37800);
}

TEST(TimeZoneTest, FarFutureDatesFollowTheFooterRule) {
  const TimeZone warsaw = MustLoad("Europe/Warsaw");
  EXPECT_EQ(warsaw.OffsetSeconds(At("2100-01-10 00:00:00")), 3600);
  EXPECT_EQ(warsaw.OffsetSeconds(At("2100-07-10 00:00:00")), 7200);
  // The last Sunday of March 2200 is the 30th.
  EXPECT_EQ(warsaw.OffsetSeconds(At("2200-03-30 00:59:59")), 3600);
  EXPECT_EQ(warsaw.OffsetSeconds(At("2200-03-30 01:00:00")), 7200);
  EXPECT_EQ(MustLoad("America/New_York").OffsetSeconds(At("2300-07-04 00:00:00")), -4 * 3600);
}

TEST(TimeZoneTest, AgreesWithGlibcOverCenturies) {
  const char* saved = std::getenv("TZ");
  const std::string restore = saved != nullptr ? saved : "";
  for (const std::string name :
       {"Europe/Warsaw", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
        "America/Sao_Paulo", "Pacific/Chatham", "Africa/Casablanca", "Europe/Dublin",
        "America/St_Johns", "Antarctica/Troll"}) {
    const TimeZone zone = MustLoad(name);
    int mismatches = 0;
    // 1850..2250 in steps of about 10.6 days, an odd step so instants fall at every hour.
    for (int64_t t = At("1850-01-01 00:00:00"); t < At("2250-01-01 00:00:00"); t += 917'003) {
      const int64_t expected = GlibcOffset(name, t);
      if (zone.OffsetSeconds(t) != expected && ++mismatches <= 3) {
        ADD_FAILURE() << name << " at " << t << ": " << zone.OffsetSeconds(t) << " vs glibc "
                      << expected;
      }
    }
    EXPECT_EQ(mismatches, 0) << name;
  }
  for (const std::string tz :
       {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "AAA0BBB,J60/0,J300/0",
        "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "XXX-12:45YYY,M9.5.0/2:45,0/3:45"}) {
    const auto zone = TimeZone::FromPosixString(tz);
    ASSERT_TRUE(zone.ok()) << zone.status().ToString();
    for (int64_t t = At("2020-01-01 00:00:00"); t < At("2030-01-01 00:00:00"); t += 86'413) {
      ASSERT_EQ(zone->OffsetSeconds(t), GlibcOffset(tz, t)) << tz << " at " << t;
    }
  }
  if (saved != nullptr) {
    setenv("TZ", restore.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(TimeZoneTest, PosixStringsWithHalfHoursJulianDaysAndPermanentDst) {
  const auto lord_howe = TimeZone::FromPosixString("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  ASSERT_TRUE(lord_howe.ok()) << lord_howe.status().ToString();
  EXPECT_EQ(lord_howe->OffsetSeconds(At("2023-09-30 15:29:59")), 37800);
  EXPECT_EQ(lord_howe->OffsetSeconds(At("2023-09-30 15:30:00")), 39600);
  // Day 60 of J counting is March 1st, leap year or not.
  const auto julian = TimeZone::FromPosixString("AAA0BBB,J60/0,J300/0");
  ASSERT_TRUE(julian.ok());
  EXPECT_EQ(julian->OffsetSeconds(At("2024-02-29 23:59:59")), 0);
  EXPECT_EQ(julian->OffsetSeconds(At("2024-03-01 00:00:00")), 3600);
  const auto always = TimeZone::FromPosixString("EST5EDT,0/0,J365/25");
  ASSERT_TRUE(always.ok());
  for (const char* when : {"2023-01-01 05:00:00", "2023-06-01 00:00:00", "2023-12-31 23:00:00"}) {
    EXPECT_EQ(always->OffsetSeconds(At(when)), -4 * 3600) << when;
  }
}

TEST(TimeZoneTest, PosixStringErrorsNameTheCharacter) {
  auto error = [](std::string_view tz) { return TimeZone::FromPosixString(tz).status().message(); };
  EXPECT_EQ(error("CET-1CEST,M13.5.0,M10.5.0"),
            "TZ string 'CET-1CEST,M13.5.0,M10.5.0': expected a month 1..12 (a number up to 12) at "
            "character 12");
  EXPECT_NE(error("X1").find("abbreviation of at least 3"), std::string::npos);
  EXPECT_NE(error("CET-1CEST").find("',' and a daylight saving time rule"), std::string::npos);
  EXPECT_NE(error("CET-1CEST,M3.5.0,M10.5.0/3x").find("the end of the TZ string"),
            std::string::npos);
}

TEST(TimeZoneTest, RefusesNamesThatLeaveTheZoneFolder) {
  for (std::string_view name :
       {"../../etc/passwd", "/etc/localtime", "Europe/../UTC", "Europe//Warsaw"}) {
    const Status status = TimeZone::Load(name).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(TimeZone::Load("Europe/Nowhere").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(TimeZone::Load("Europe").status().code(), StatusCode::kNotFound);
}

TEST(TimeZoneTest, CorruptFilesNameWhatIsWrong) {
  EXPECT_NE(TimeZone::FromTzif("x", "not a zone file at all, really, not at all!!")
                .status()
                .message()
                .find("no 'TZif' magic"),
            std::string::npos);
  const std::string warsaw = ReadZoneFile("Europe/Warsaw");
  ASSERT_GT(warsaw.size(), 200u);
  const Status truncated = TimeZone::FromTzif("Europe/Warsaw", warsaw.substr(0, 200)).status();
  EXPECT_EQ(truncated.code(), StatusCode::kCorruption);
  EXPECT_NE(truncated.message().find("the file ends at byte 200"), std::string::npos)
      << truncated.message();
  std::string no_footer = warsaw.substr(0, warsaw.size() - 1);  // Drop the final newline.
  EXPECT_NE(TimeZone::FromTzif("w", no_footer).status().message().find("no final newline"),
            std::string::npos);
}

TEST(TimeZoneTest, LeapSecondZonesAreRefused) {
  if (ReadZoneFile("right/UTC").empty()) GTEST_SKIP() << "no right/ zones installed";
  const Status status = TimeZone::Load("right/UTC").status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("leap seconds"), std::string::npos);
}

}  // namespace
}  // namespace tarn
