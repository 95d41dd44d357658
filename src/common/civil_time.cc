#include "common/civil_time.h"

#include <fmt/format.h>

namespace tarn {
namespace {

// Floor division for the era arithmetic below.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

void Put2(char* out, int v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

// Counting years from March makes February the last month, so leap days fall at the end of a
// year and each 400-year era has exactly 146097 days.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = FloorDiv(y, 400);
  const int64_t year_of_era = y - era * 400;                               // [0, 399]
  const int64_t month_from_march = month > 2 ? month - 3 : month + 9;      // [0, 11]
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;  // [0, 365]
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
  return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01.
}

CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const int month =
      static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  return CivilDate{year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool IsValidDate(int64_t year, int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= DaysInMonth(year, month);
}

CivilDateTime CivilFromMicros(int64_t micros) {
  const int64_t seconds = FloorDiv(micros, kMicrosPerSecond);
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t second_of_day = seconds - days * kSecondsPerDay;
  CivilDateTime t;
  t.date = CivilFromDays(days);
  t.hour = static_cast<int>(second_of_day / 3600);
  t.minute = static_cast<int>(second_of_day / 60 % 60);
  t.second = static_cast<int>(second_of_day % 60);
  t.micros = static_cast<int>(micros - seconds * kMicrosPerSecond);
  return t;
}

int64_t MicrosFromCivil(const CivilDateTime& t) {
  const int64_t days = DaysFromCivil(t.date.year, t.date.month, t.date.day);
  const int64_t seconds = days * kSecondsPerDay + t.hour * 3600 + t.minute * 60 + t.second;
  return seconds * kMicrosPerSecond + t.micros;
}

char* AppendTimestamp(char* out, int64_t micros) {
  const CivilDateTime t = CivilFromMicros(micros);
  const int year = static_cast<int>(t.date.year);
  Put2(out, year / 100);
  Put2(out + 2, year % 100);
  out[4] = '-';
  Put2(out + 5, t.date.month);
  out[7] = '-';
  Put2(out + 8, t.date.day);
  out[10] = ' ';
  Put2(out + 11, t.hour);
  out[13] = ':';
  Put2(out + 14, t.minute);
  out[16] = ':';
  Put2(out + 17, t.second);
  out[19] = '.';
  int frac = t.micros;
  for (int i = 25; i >= 20; --i) {
    out[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  return out + 26;
}

std::string FormatTimestamp(int64_t micros) {
  char buf[26];
  return std::string(buf, AppendTimestamp(buf, micros));
}

namespace {

// A small cursor over the text being parsed, so that each error can say where it happened.
class TimestampParser {
 public:
  explicit TimestampParser(std::string_view text) : text_(text) {}

  Result<int64_t> Parse() {
    CivilDateTime t{};
    int64_t year = 0;
    if (!Digits(4, &year) || !Expect('-') || !Digits2(&t.date.month) || !Expect('-') ||
        !Digits2(&t.date.day)) {
      return Error("a date YYYY-MM-DD");
    }
    t.date.year = year;
    if (!IsValidDate(t.date.year, t.date.month, t.date.day)) {
      return InvalidArgument(fmt::format("invalid timestamp '{}': no such date", text_));
    }
    if (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == 'T')) {
      ++pos_;
      if (!Digits2(&t.hour) || !Expect(':') || !Digits2(&t.minute)) return Error("HH:MM");
      if (pos_ < text_.size() && text_[pos_] == ':') {
        ++pos_;
        if (!Digits2(&t.second)) return Error("seconds SS");
        if (pos_ < text_.size() && text_[pos_] == '.') {
          ++pos_;
          size_t digits = 0;
          int scale = 100000;
          while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9' && digits < 9) {
            t.micros += (text_[pos_] - '0') * scale;
            scale /= 10;
            ++pos_;
            ++digits;
          }
          if (digits == 0) return Error("fraction digits");
        }
      }
      if (t.hour > 23 || t.minute > 59 || t.second > 59) {
        return InvalidArgument(fmt::format("invalid timestamp '{}': time out of range", text_));
      }
    }
    if (pos_ < text_.size() && text_[pos_] == 'Z') ++pos_;
    if (pos_ != text_.size()) return Error("end of text");
    return MicrosFromCivil(t);
  }

 private:
  bool Digits(int count, int64_t* out) {
    int64_t v = 0;
    for (int i = 0; i < count; ++i, ++pos_) {
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') return false;
      v = v * 10 + (text_[pos_] - '0');
    }
    *out = v;
    return true;
  }
  bool Digits2(int* out) {
    int64_t v = 0;
    if (!Digits(2, &v)) return false;
    *out = static_cast<int>(v);
    return true;
  }
  bool Expect(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  Status Error(std::string_view expected) const {
    return InvalidArgument(fmt::format("invalid timestamp '{}': expected {} at character {}", text_,
                                       expected, pos_ + 1));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<int64_t> ParseTimestamp(std::string_view text) { return TimestampParser(text).Parse(); }

}  // namespace tarn
