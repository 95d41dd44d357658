// TimeZone: the UTC offset of an IANA time zone at any instant, for a delivery stream's
// CustomTimeZone (the zone of its prefixes' !{timestamp:...} and object names).
//
// Zones come from the system's compiled TZif files (RFC 8536) under /usr/share/zoneinfo:
// version 1 files and the 64-bit section of version 2+ files, with the POSIX TZ string footer
// ("STD offset [DST [offset],start[/time],end[/time]]", start and end as Jn, n or Mm.w.d rules,
// RFC 8536's hour range -167..167 for times) for instants after the last transition. "" and
// "UTC" are UTC without reading a file. Zones with leap-second records ("right/...") are
// refused: tarn's clocks count POSIX seconds.
//
// A TimeZone is immutable after Load; share it freely between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tarn {

inline constexpr std::string_view kZoneInfoDir = "/usr/share/zoneinfo";

class TimeZone {
 public:
  // UTC, also what a default-constructed TimeZone is.
  TimeZone() = default;
  static TimeZone Utc() { return TimeZone(); }

  // "" or "UTC" is UTC; any other name is read from kZoneInfoDir/NAME. kInvalidArgument for a
  // name that is absolute or has a ".." component, kNotFound for a zone with no file,
  // kCorruption (naming the file and the byte offset) for a file that is not valid TZif.
  static Result<TimeZone> Load(std::string_view name);

  // Parses the bytes of a TZif file; `name` is kept for name() and error messages. Fails with
  // kCorruption saying what is wrong where, kInvalidArgument for leap-second zones.
  static Result<TimeZone> FromTzif(std::string_view name, std::string_view bytes);

  // A zone defined only by a POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3".
  // kInvalidArgument naming the character where the string stops making sense.
  static Result<TimeZone> FromPosixString(std::string_view tz);

  const std::string& name() const { return name_; }
  bool is_utc() const;

  // The zone's offset from UTC (east positive, e.g. 7200 for CEST) at `utc_seconds` since
  // 1970-01-01 00:00:00 UTC. Local time is utc_seconds + OffsetSeconds(utc_seconds).
  int64_t OffsetSeconds(int64_t utc_seconds) const;

 private:
  // A POSIX TZ rule: standard offset, and optionally a DST offset with its yearly start and end.
  struct DateRule {
    enum class Kind { kJulian1, kJulian0, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int day = 0;             // Jn: 1..365; n: 0..365; M: weekday 0 (Sunday)..6.
    int month = 0;           // M only: 1..12.
    int week = 0;            // M only: 1..5, 5 meaning the last.
    int64_t seconds = 7200;  // Local time of day of the change, -167h..167h.
  };
  struct PosixRule {
    int64_t std_offset = 0;  // East positive.
    bool has_dst = false;
    int64_t dst_offset = 0;
    DateRule start;  // In local standard time.
    DateRule end;    // In local daylight time.
  };

  static Result<PosixRule> ParsePosixRule(std::string_view tz);
  static int64_t RuleOffset(const PosixRule& rule, int64_t utc_seconds);

  std::string name_ = "UTC";
  std::vector<int64_t> transitions_;       // Ascending UTC seconds.
  std::vector<uint8_t> transition_types_;  // Index into type_offsets_, one per transition.
  std::vector<int64_t> type_offsets_;      // UTC offset of each local time type.
  bool has_footer_ = false;
  PosixRule footer_;
};

}  // namespace tarn
