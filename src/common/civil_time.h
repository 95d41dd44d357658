// Civil (proleptic Gregorian, UTC) dates and times, and the timestamp text forms tarn reads and
// writes. Instants are microseconds since 1970-01-01 00:00:00 UTC in an int64_t. Pure functions,
// safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kSecondsPerDay = 86'400;

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

struct CivilDateTime {
  CivilDate date;
  int hour;    // 0..23
  int minute;  // 0..59
  int second;  // 0..59
  int micros;  // 0..999999
};

// Days since 1970-01-01 of a valid civil date; negative before it.
int64_t DaysFromCivil(int64_t year, int month, int day);
// The civil date `days` after 1970-01-01.
CivilDate CivilFromDays(int64_t days);
bool IsValidDate(int64_t year, int month, int day);

CivilDateTime CivilFromMicros(int64_t micros);
int64_t MicrosFromCivil(const CivilDateTime& t);

// Writes "YYYY-MM-DD HH:MM:SS.ffffff" (26 characters) at `out` for years 0..9999 and returns
// the position after it. The caller provides at least 26 bytes.
char* AppendTimestamp(char* out, int64_t micros);
std::string FormatTimestamp(int64_t micros);

// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.f{1,9}]]", the same with 'T' in place of the
// space, and an optional trailing 'Z'. Fractions beyond microseconds are truncated. Fails with
// kInvalidArgument naming the text and what was expected where.
Result<int64_t> ParseTimestamp(std::string_view text);

}  // namespace tarn
