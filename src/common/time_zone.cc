#include "common/time_zone.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "common/civil_time.h"

namespace tarn {
namespace {

// A TZif file is small (the largest in tzdata are a few KiB); anything far larger is not one.
constexpr uintmax_t kMaxTzifBytes = 1 << 20;
constexpr size_t kHeaderBytes = 44;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Reads big-endian integers from a TZif file with bounds checks; errors carry the byte offset.
class TzifReader {
 public:
  TzifReader(std::string_view name, std::string_view bytes) : name_(name), bytes_(bytes) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }

  Status Need(size_t n, std::string_view what) const {
    if (remaining() < n) {
      return Corruption(
          fmt::format("time zone '{}': the file ends at byte {} inside {} ({} bytes "
                      "needed, {} left)",
                      name_, bytes_.size(), what, n, remaining()));
    }
    return Status::Ok();
  }
  Status Error(std::string_view message) const {
    return Corruption(fmt::format("time zone '{}': {} at byte {}", name_, message, pos_));
  }
  std::string_view Take(size_t n) {
    std::string_view out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  int64_t BigEndian(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += n;
    if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  uint8_t Byte() { return static_cast<uint8_t>(bytes_[pos_++]); }

 private:
  std::string_view name_;
  std::string_view bytes_;
  size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;  // 0, '2', '3', '4'.
  int64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  // Bytes of the data block that follows this header, with `time_size`-byte times.
  size_t DataBytes(size_t time_size) const {
    return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) +
           isstdcnt + isutcnt;
  }
};

Result<TzifHeader> ReadHeader(TzifReader& in) {
  TARN_RETURN_IF_ERROR(in.Need(kHeaderBytes, "the header"));
  if (in.Take(4) != "TZif") return in.Error("no 'TZif' magic: not a compiled time zone file");
  TzifHeader h;
  h.version = static_cast<char>(in.Byte());
  if (h.version != 0 && (h.version < '2' || h.version > '9')) {
    return in.Error(fmt::format("unknown TZif version byte 0x{:02x}", uint8_t(h.version)));
  }
  in.Take(15);
  std::array<int64_t*, 6> counts = {&h.isutcnt, &h.isstdcnt, &h.leapcnt,
                                    &h.timecnt, &h.typecnt,  &h.charcnt};
  for (int64_t* count : counts) {
    *count = static_cast<uint32_t>(in.BigEndian(4));
    // Far beyond any real zone, and keeps the size arithmetic from overflowing.
    if (*count > (1 << 20)) return in.Error("a header count is implausibly large");
  }
  if (h.typecnt == 0) return in.Error("the header declares no local time types");
  if ((h.isstdcnt != 0 && h.isstdcnt != h.typecnt) || (h.isutcnt != 0 && h.isutcnt != h.typecnt)) {
    return in.Error("isstdcnt and isutcnt must be 0 or equal to typecnt");
  }
  return h;
}

bool IsNameChar(char c, bool quoted) {
  if (std::isalpha(static_cast<unsigned char>(c))) return true;
  return quoted && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-');
}

// A cursor over a POSIX TZ string; errors name the string and the 1-based character.
class TzStringParser {
 public:
  explicit TzStringParser(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  Status Error(std::string_view expected) const {
    return InvalidArgument(
        fmt::format("TZ string '{}': expected {} at character {}", text_, expected, pos_ + 1));
  }

  // A zone abbreviation: 3 or more letters, or <...> with letters, digits, '+' and '-'.
  Status Name() {
    const bool quoted = Consume('<');
    const size_t start = pos_;
    while (!AtEnd() && IsNameChar(text_[pos_], quoted)) ++pos_;
    if (pos_ - start < 3) return Error("a zone abbreviation of at least 3 characters");
    if (quoted && !Consume('>')) return Error("'>' closing the quoted abbreviation");
    return Status::Ok();
  }

  // [+-]hh[:mm[:ss]] in seconds, hours at most `max_hours`.
  Result<int64_t> Duration(int max_hours) {
    int64_t sign = 1;
    if (Consume('-')) {
      sign = -1;
    } else {
      Consume('+');
    }
    TARN_ASSIGN_OR_RETURN(int64_t hours, Number(max_hours, "hours"));
    int64_t total = hours * 3600;
    if (Consume(':')) {
      TARN_ASSIGN_OR_RETURN(int64_t minutes, Number(59, "minutes 0..59"));
      total += minutes * 60;
      if (Consume(':')) {
        TARN_ASSIGN_OR_RETURN(int64_t seconds, Number(59, "seconds 0..59"));
        total += seconds;
      }
    }
    return sign * total;
  }

  Result<int64_t> Number(int64_t max, std::string_view what) {
    const size_t start = pos_;
    int64_t value = 0;
    while (!AtEnd() && std::isdigit(static_cast<unsigned char>(text_[pos_])) && pos_ - start < 4) {
      value = value * 10 + (text_[pos_++] - '0');
    }
    if (pos_ == start || value > max) {
      pos_ = start;
      return Error(fmt::format("{} (a number up to {})", what, max));
    }
    return value;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

int DayOfWeek(int64_t days) { return static_cast<int>(((days % 7) + 11) % 7); }  // 0 = Sunday.

}  // namespace

bool TimeZone::is_utc() const {
  for (int64_t offset : type_offsets_) {
    if (offset != 0) return false;
  }
  return !has_footer_ || (footer_.std_offset == 0 && !footer_.has_dst);
}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (name.empty() || name == "UTC") return Utc();
  if (name.front() == '/') {
    return InvalidArgument(fmt::format("time zone '{}': must be a relative IANA name", name));
  }
  for (size_t start = 0; start <= name.size();) {
    const size_t slash = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, slash - start);
    if (part == ".." || part == "." || part.empty()) {
      return InvalidArgument(
          fmt::format("time zone '{}': empty, '.' or '..' name components are not allowed", name));
    }
    start = slash + 1;
  }
  namespace fs = std::filesystem;
  const fs::path path = fs::path(kZoneInfoDir) / std::string(name);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return NotFound(fmt::format("time zone '{}' is unknown: no file {}", name, path.string()));
  }
  const uintmax_t size = fs::file_size(path, ec);
  if (ec || size > kMaxTzifBytes) {
    return Corruption(fmt::format("time zone '{}': {} is not a TZif file of a plausible size", name,
                                  path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return ErrnoStatus(errno, fmt::format("reading {}", path.string()));
  Result<TimeZone> zone = FromTzif(name, bytes.str());
  if (!zone.ok()) return zone.status().WithContext(path.string());
  return zone;
}

Result<TimeZone> TimeZone::FromTzif(std::string_view name, std::string_view bytes) {
  TzifReader in(name, bytes);
  TARN_ASSIGN_OR_RETURN(TzifHeader header, ReadHeader(in));
  size_t time_size = 4;
  if (header.version != 0) {
    // Version 2+ repeats the data with 64-bit times after the version 1 block; only that is read.
    TARN_RETURN_IF_ERROR(in.Need(header.DataBytes(4), "the version 1 data block"));
    in.Take(header.DataBytes(4));
    TARN_ASSIGN_OR_RETURN(header, ReadHeader(in));
    time_size = 8;
  }
  if (header.leapcnt != 0) {
    return InvalidArgument(fmt::format(
        "time zone '{}' counts leap seconds; tarn uses POSIX time, choose the zone without "
        "the 'right/' prefix",
        name));
  }
  TARN_RETURN_IF_ERROR(in.Need(header.DataBytes(time_size), "the data block"));
  TimeZone zone;
  zone.name_ = std::string(name);
  for (int64_t i = 0; i < header.timecnt; ++i) {
    const int64_t t = in.BigEndian(time_size);
    if (!zone.transitions_.empty() && t <= zone.transitions_.back()) {
      return in.Error("transition times are not in ascending order");
    }
    zone.transitions_.push_back(t);
  }
  for (int64_t i = 0; i < header.timecnt; ++i) {
    const uint8_t type = in.Byte();
    if (type >= header.typecnt)
      return in.Error("a transition names a local time type past typecnt");
    zone.transition_types_.push_back(type);
  }
  for (int64_t i = 0; i < header.typecnt; ++i) {
    const int64_t offset = in.BigEndian(4);
    if (offset == INT32_MIN) return in.Error("a local time type has the UT offset -2^31");
    in.Byte();  // isdst
    if (in.Byte() >= header.charcnt) {
      return in.Error("a local time type's designation index is past charcnt");
    }
    zone.type_offsets_.push_back(offset);
  }
  in.Take(header.charcnt + header.isstdcnt + header.isutcnt);
  if (time_size == 8) {
    if (in.remaining() < 2 || !in.Take(1).starts_with('\n')) {
      return in.Error("expected the newline that starts the TZ string footer");
    }
    const std::string_view rest = bytes.substr(in.pos());
    const size_t end = rest.find('\n');
    if (end == std::string_view::npos) return in.Error("the TZ string footer has no final newline");
    if (end > 0) {
      Result<PosixRule> rule = ParsePosixRule(rest.substr(0, end));
      if (!rule.ok()) {
        return Corruption(fmt::format("time zone '{}': footer: {}", name, rule.status().message()));
      }
      zone.has_footer_ = true;
      zone.footer_ = *rule;
    }
  }
  return zone;
}

Result<TimeZone> TimeZone::FromPosixString(std::string_view tz) {
  TARN_ASSIGN_OR_RETURN(PosixRule rule, ParsePosixRule(tz));
  TimeZone zone;
  zone.name_ = std::string(tz);
  zone.has_footer_ = true;
  zone.footer_ = rule;
  return zone;
}

Result<TimeZone::PosixRule> TimeZone::ParsePosixRule(std::string_view tz) {
  TzStringParser p(tz);
  PosixRule rule;
  TARN_RETURN_IF_ERROR(p.Name());
  // POSIX offsets count hours west of Greenwich; tarn's count east.
  TARN_ASSIGN_OR_RETURN(int64_t std_west, p.Duration(24));
  rule.std_offset = -std_west;
  if (p.AtEnd()) return rule;
  TARN_RETURN_IF_ERROR(p.Name());
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;
  if (!p.AtEnd() && p.Peek() != ',') {
    TARN_ASSIGN_OR_RETURN(int64_t dst_west, p.Duration(24));
    rule.dst_offset = -dst_west;
  }
  auto date = [&p](DateRule* out) -> Status {
    if (!p.Consume(',')) return p.Error("',' and a daylight saving time rule");
    if (p.Consume('J')) {
      out->kind = DateRule::Kind::kJulian1;
      TARN_ASSIGN_OR_RETURN(int64_t day, p.Number(365, "a day 1..365"));
      if (day < 1) return p.Error("a day 1..365");
      out->day = static_cast<int>(day);
    } else if (p.Consume('M')) {
      out->kind = DateRule::Kind::kMonthWeekDay;
      TARN_ASSIGN_OR_RETURN(int64_t month, p.Number(12, "a month 1..12"));
      if (!p.Consume('.')) return p.Error("'.' after the month");
      TARN_ASSIGN_OR_RETURN(int64_t week, p.Number(5, "a week 1..5"));
      if (!p.Consume('.')) return p.Error("'.' after the week");
      TARN_ASSIGN_OR_RETURN(int64_t weekday, p.Number(6, "a weekday 0..6"));
      if (month < 1 || week < 1) return p.Error("a month 1..12 and a week 1..5");
      out->month = static_cast<int>(month);
      out->week = static_cast<int>(week);
      out->day = static_cast<int>(weekday);
    } else {
      out->kind = DateRule::Kind::kJulian0;
      TARN_ASSIGN_OR_RETURN(int64_t day, p.Number(365, "Jn, n or Mm.w.d"));
      out->day = static_cast<int>(day);
    }
    out->seconds = 7200;
    if (p.Consume('/')) {
      TARN_ASSIGN_OR_RETURN(out->seconds, p.Duration(167));
    }
    return Status::Ok();
  };
  TARN_RETURN_IF_ERROR(date(&rule.start));
  TARN_RETURN_IF_ERROR(date(&rule.end));
  if (!p.AtEnd()) return p.Error("the end of the TZ string");
  return rule;
}

int64_t TimeZone::RuleOffset(const PosixRule& rule, int64_t utc_seconds) {
  if (!rule.has_dst) return rule.std_offset;
  // Days since 1970-01-01 of the rule's date in `year`.
  auto day_of = [](int64_t year, const DateRule& r) -> int64_t {
    const int64_t jan1 = DaysFromCivil(year, 1, 1);
    switch (r.kind) {
      case DateRule::Kind::kJulian1: {
        const bool leap = IsValidDate(year, 2, 29);
        return jan1 + r.day - 1 + (leap && r.day >= 60 ? 1 : 0);
      }
      case DateRule::Kind::kJulian0:
        return jan1 + r.day;
      case DateRule::Kind::kMonthWeekDay: {
        const int64_t first = DaysFromCivil(year, r.month, 1);
        const int64_t next =
            r.month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, r.month + 1, 1);
        int64_t day = first + (r.day - DayOfWeek(first) + 7) % 7 + (r.week - 1) * 7;
        while (day >= next) day -= 7;
        return day;
      }
    }
    return jan1;
  };
  // The changes of the years around the instant, in order; the last one at or before it
  // decides. Ties put the change into DST last, so a zone in DST all year stays in it.
  const int64_t year = CivilFromDays(FloorDiv(utc_seconds + rule.std_offset, kSecondsPerDay)).year;
  std::array<std::pair<int64_t, bool>, 6> changes;
  for (int i = 0; i < 3; ++i) {
    const int64_t y = year - 1 + i;
    changes[2 * i] = {day_of(y, rule.start) * kSecondsPerDay + rule.start.seconds - rule.std_offset,
                      true};
    changes[2 * i + 1] = {day_of(y, rule.end) * kSecondsPerDay + rule.end.seconds - rule.dst_offset,
                          false};
  }
  std::sort(changes.begin(), changes.end());
  bool dst = !changes.front().second;  // Before the first change, the state it leaves.
  for (const auto& [when, to_dst] : changes) {
    if (when > utc_seconds) break;
    dst = to_dst;
  }
  return dst ? rule.dst_offset : rule.std_offset;
}

int64_t TimeZone::OffsetSeconds(int64_t utc_seconds) const {
  if (transitions_.empty()) {
    if (has_footer_) return RuleOffset(footer_, utc_seconds);
    return type_offsets_.empty() ? 0 : type_offsets_.front();
  }
  if (utc_seconds < transitions_.front()) return type_offsets_.front();
  const size_t index = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds) -
                       transitions_.begin() - 1;
  if (index + 1 == transitions_.size() && has_footer_) return RuleOffset(footer_, utc_seconds);
  return type_offsets_[transition_types_[index]];
}

}  // namespace tarn
