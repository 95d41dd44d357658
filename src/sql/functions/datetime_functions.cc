// Date and time functions. Dates are days and timestamps microseconds since 1970-01-01, both
// UTC (tarn has no time zones: Trino's timestamp with time zone results, such as
// from_iso8601_timestamp and from_unixtime, are timestamps in UTC here). Weeks start on Monday
// and week numbers are ISO-8601's. date_format and date_parse take MySQL's specifiers as Trino
// does (%D %U %u %V %w %X are not supported, as in Trino); %f prints six fraction digits.
#include <cmath>

#include "common/civil_time.h"
#include "sql/functions/functions_internal.h"

namespace tarn::sql::functions_internal {

namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int64_t kMicrosPerHour = 3'600'000'000;
constexpr int64_t kMicrosPerMinute = 60'000'000;

FunctionDef Def(std::vector<std::string> names, std::vector<std::string> signatures, BindFn bind) {
  return FunctionDef{std::move(names), std::move(signatures), std::move(bind)};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int IsoDayOfWeek(int64_t days) { return static_cast<int>(((days % 7) + 7 + 3) % 7) + 1; }

int64_t DayOfYear(int64_t days) {
  const CivilDate d = CivilFromDays(days);
  return days - DaysFromCivil(d.year, 1, 1) + 1;
}

// ISO-8601 week number and week-based year: the week holding the Thursday.
void IsoWeek(int64_t days, int64_t* week, int64_t* year) {
  const int64_t thursday = days - IsoDayOfWeek(days) + 4;
  const CivilDate d = CivilFromDays(thursday);
  *year = d.year;
  *week = (thursday - DaysFromCivil(d.year, 1, 1)) / 7 + 1;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Adds months, clamping the day to the end of the month (Jan 31 + 1 month = Feb 28).
int64_t AddMonths(int64_t micros, int64_t months) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const int64_t time = micros - days * kMicrosPerDay;
  const CivilDate d = CivilFromDays(days);
  const int64_t total = d.year * 12 + (d.month - 1) + months;
  const int64_t year = FloorDiv(total, 12);
  const int month = static_cast<int>(total - year * 12) + 1;
  const int day = std::min(d.day, DaysInMonth(year, month));
  return DaysFromCivil(year, month, day) * kMicrosPerDay + time;
}

enum class Unit { kMillisecond, kSecond, kMinute, kHour, kDay, kWeek, kMonth, kQuarter, kYear };

std::optional<Unit> ParseUnit(std::string_view text) {
  std::string s(text);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, Unit> kUnits[] = {{"millisecond", Unit::kMillisecond},
                                                        {"second", Unit::kSecond},
                                                        {"minute", Unit::kMinute},
                                                        {"hour", Unit::kHour},
                                                        {"day", Unit::kDay},
                                                        {"week", Unit::kWeek},
                                                        {"month", Unit::kMonth},
                                                        {"quarter", Unit::kQuarter},
                                                        {"year", Unit::kYear}};
  for (const auto& [name, unit] : kUnits) {
    if (s == name) return unit;
  }
  return std::nullopt;
}

// The unit of argument 0 for a date or timestamp value, failing as Trino does.
Result<Unit> UnitFor(std::string_view text, bool is_date) {
  const std::optional<Unit> unit = ParseUnit(text);
  if (!unit || (is_date && *unit < Unit::kDay)) {
    std::string message = "'";
    message.append(text).append("' is not a valid ");
    message.append(is_date ? "DATE" : "Timestamp").append(" field");
    return InvalidArgument(message);
  }
  return *unit;
}

int64_t Truncate(Unit unit, int64_t micros) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  switch (unit) {
    case Unit::kMillisecond:
      return FloorDiv(micros, 1000) * 1000;
    case Unit::kSecond:
      return FloorDiv(micros, 1'000'000) * 1'000'000;
    case Unit::kMinute:
      return FloorDiv(micros, kMicrosPerMinute) * kMicrosPerMinute;
    case Unit::kHour:
      return FloorDiv(micros, kMicrosPerHour) * kMicrosPerHour;
    case Unit::kDay:
      return days * kMicrosPerDay;
    case Unit::kWeek:
      return (days - IsoDayOfWeek(days) + 1) * kMicrosPerDay;
    case Unit::kMonth:
    case Unit::kQuarter:
    case Unit::kYear: {
      const CivilDate d = CivilFromDays(days);
      const int month = unit == Unit::kMonth     ? d.month
                        : unit == Unit::kQuarter ? (d.month - 1) / 3 * 3 + 1
                                                 : 1;
      return DaysFromCivil(d.year, month, 1) * kMicrosPerDay;
    }
  }
  return micros;
}

Result<int64_t> AddUnits(Unit unit, int64_t micros, int64_t n) {
  int64_t step = 0;
  switch (unit) {
    case Unit::kMillisecond:
      step = 1000;
      break;
    case Unit::kSecond:
      step = 1'000'000;
      break;
    case Unit::kMinute:
      step = kMicrosPerMinute;
      break;
    case Unit::kHour:
      step = kMicrosPerHour;
      break;
    case Unit::kDay:
      step = kMicrosPerDay;
      break;
    case Unit::kWeek:
      step = 7 * kMicrosPerDay;
      break;
    case Unit::kMonth:
    case Unit::kQuarter:
    case Unit::kYear: {
      const int64_t months = unit == Unit::kMonth ? n : unit == Unit::kQuarter ? 3 * n : 12 * n;
      if (months > 120'000 || months < -120'000) return InvalidArgument("date_add overflow");
      return AddMonths(micros, months);
    }
  }
  int64_t delta = 0, result = 0;
  if (__builtin_mul_overflow(n, step, &delta) || __builtin_add_overflow(micros, delta, &result)) {
    return InvalidArgument("date_add overflow");
  }
  return result;
}

// Whole units from a to b, truncated toward zero (Joda's field difference).
int64_t Diff(Unit unit, int64_t a, int64_t b) {
  switch (unit) {
    case Unit::kMillisecond:
      return (b - a) / 1000;
    case Unit::kSecond:
      return (b - a) / 1'000'000;
    case Unit::kMinute:
      return (b - a) / kMicrosPerMinute;
    case Unit::kHour:
      return (b - a) / kMicrosPerHour;
    case Unit::kDay:
      return (b - a) / kMicrosPerDay;
    case Unit::kWeek:
      return (b - a) / (7 * kMicrosPerDay);
    default: {
      const CivilDate da = CivilFromDays(FloorDiv(a, kMicrosPerDay));
      const CivilDate db = CivilFromDays(FloorDiv(b, kMicrosPerDay));
      int64_t months = (db.year - da.year) * 12 + (db.month - da.month);
      if (months > 0 && AddMonths(a, months) > b) --months;
      if (months < 0 && AddMonths(a, months) < b) ++months;
      return unit == Unit::kMonth ? months : unit == Unit::kQuarter ? months / 3 : months / 12;
    }
  }
}

void AppendTime(Column* out, bool is_date, int64_t micros) {
  if (is_date) {
    out->AppendInt32(static_cast<int32_t>(FloorDiv(micros, kMicrosPerDay)));
  } else {
    out->AppendInt64(micros);
  }
}

// A unit argument: constant (checked at bind) or per row.
Result<std::optional<Unit>> ConstantUnit(const ScalarBinding& b, bool is_date) {
  const std::optional<std::string> text = ConstantText(b, 0);
  if (!text) return std::optional<Unit>();
  TARN_ASSIGN_OR_RETURN(Unit unit, UnitFor(*text, is_date));
  return std::optional<Unit>(unit);
}

Result<BoundPtr> BindDateTrunc(const ScalarBinding& b) {
  if (b.arg_types.size() != 2 || !IsText(b.arg_types[0]) || !IsDateLike(b.arg_types[1])) {
    return BoundPtr();
  }
  const bool is_date = b.arg_types[1].kind == TypeKind::kDate;
  TARN_ASSIGN_OR_RETURN(std::optional<Unit> constant, ConstantUnit(b, is_date));
  return MakeScalar(b.arg_types[1], [=](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      Unit unit;
      if (constant) {
        unit = *constant;
      } else {
        TARN_ASSIGN_OR_RETURN(unit, UnitFor(args[0]->string_at(r), is_date));
      }
      AppendTime(out, is_date, Truncate(unit, MicrosAt(*args[1], r)));
      return Status::Ok();
    });
  });
}

Result<BoundPtr> BindDateAdd(const ScalarBinding& b) {
  if (b.arg_types.size() != 3 || !IsText(b.arg_types[0]) || !IsInteger(b.arg_types[1]) ||
      !IsDateLike(b.arg_types[2])) {
    return BoundPtr();
  }
  const bool is_date = b.arg_types[2].kind == TypeKind::kDate;
  TARN_ASSIGN_OR_RETURN(std::optional<Unit> constant, ConstantUnit(b, is_date));
  return MakeScalar(b.arg_types[2], [=](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      Unit unit;
      if (constant) {
        unit = *constant;
      } else {
        TARN_ASSIGN_OR_RETURN(unit, UnitFor(args[0]->string_at(r), is_date));
      }
      TARN_ASSIGN_OR_RETURN(int64_t v, AddUnits(unit, MicrosAt(*args[2], r), IntAt(*args[1], r)));
      AppendTime(out, is_date, v);
      return Status::Ok();
    });
  });
}

Result<BoundPtr> BindDateDiff(const ScalarBinding& b) {
  if (b.arg_types.size() != 3 || !IsText(b.arg_types[0]) || !IsDateLike(b.arg_types[1]) ||
      !IsDateLike(b.arg_types[2])) {
    return BoundPtr();
  }
  const bool is_date =
      b.arg_types[1].kind == TypeKind::kDate && b.arg_types[2].kind == TypeKind::kDate;
  TARN_ASSIGN_OR_RETURN(std::optional<Unit> constant, ConstantUnit(b, is_date));
  return MakeScalar(BigintType(), [=](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      Unit unit;
      if (constant) {
        unit = *constant;
      } else {
        TARN_ASSIGN_OR_RETURN(unit, UnitFor(args[0]->string_at(r), is_date));
      }
      out->AppendInt64(Diff(unit, MicrosAt(*args[1], r), MicrosAt(*args[2], r)));
      return Status::Ok();
    });
  });
}

// --- MySQL formats -------------------------------------------------------------------------

constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
constexpr const char* kDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

struct FormatToken {
  char spec;  // 0 for literal text.
  std::string literal;
};

Result<std::vector<FormatToken>> CompileFormat(std::string_view format) {
  std::vector<FormatToken> tokens;
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c != '%' || i + 1 == format.size()) {
      if (tokens.empty() || tokens.back().spec != 0) tokens.push_back({0, ""});
      tokens.back().literal.push_back(c);
      continue;
    }
    const char spec = format[++i];
    if (std::string_view("DUuVwX").find(spec) != std::string_view::npos) {
      std::string message = "%";
      message.push_back(spec);
      message.append(" not supported in date format string");
      return InvalidArgument(message);
    }
    if (std::string_view("abcdefHhIijklMmprSsTvWxYy").find(spec) == std::string_view::npos) {
      if (tokens.empty() || tokens.back().spec != 0) tokens.push_back({0, ""});
      tokens.back().literal.push_back(spec);  // %% and %<other> are the character itself.
      continue;
    }
    tokens.push_back({spec, ""});
  }
  return tokens;
}

void Pad(std::string* out, int64_t v, int width) {
  const std::string digits = std::to_string(v);
  if (digits.size() < static_cast<size_t>(width)) out->append(width - digits.size(), '0');
  out->append(digits);
}

void FormatTimestamp(const std::vector<FormatToken>& tokens, int64_t micros, std::string* out) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const CivilDateTime t = CivilFromMicros(micros);
  const int hour12 = t.hour % 12 == 0 ? 12 : t.hour % 12;
  const int dow = IsoDayOfWeek(days);
  for (const FormatToken& tok : tokens) {
    switch (tok.spec) {
      case 0:
        out->append(tok.literal);
        break;
      case 'a':
        out->append(std::string_view(kDayNames[dow - 1]).substr(0, 3));
        break;
      case 'b':
        out->append(std::string_view(kMonthNames[t.date.month - 1]).substr(0, 3));
        break;
      case 'c':
        Pad(out, t.date.month, 1);
        break;
      case 'd':
        Pad(out, t.date.day, 2);
        break;
      case 'e':
        Pad(out, t.date.day, 1);
        break;
      case 'f':
        Pad(out, t.micros, 6);
        break;
      case 'H':
        Pad(out, t.hour, 2);
        break;
      case 'h':
      case 'I':
        Pad(out, hour12, 2);
        break;
      case 'i':
        Pad(out, t.minute, 2);
        break;
      case 'j':
        Pad(out, DayOfYear(days), 3);
        break;
      case 'k':
        Pad(out, t.hour, 1);
        break;
      case 'l':
        Pad(out, hour12, 1);
        break;
      case 'M':
        out->append(kMonthNames[t.date.month - 1]);
        break;
      case 'm':
        Pad(out, t.date.month, 2);
        break;
      case 'p':
        out->append(t.hour < 12 ? "AM" : "PM");
        break;
      case 'r':
        Pad(out, hour12, 2);
        out->push_back(':');
        Pad(out, t.minute, 2);
        out->push_back(':');
        Pad(out, t.second, 2);
        out->append(t.hour < 12 ? " AM" : " PM");
        break;
      case 'S':
      case 's':
        Pad(out, t.second, 2);
        break;
      case 'T':
        Pad(out, t.hour, 2);
        out->push_back(':');
        Pad(out, t.minute, 2);
        out->push_back(':');
        Pad(out, t.second, 2);
        break;
      case 'v':
      case 'x': {
        int64_t week = 0, year = 0;
        IsoWeek(days, &week, &year);
        Pad(out, tok.spec == 'v' ? week : year, tok.spec == 'v' ? 2 : 4);
        break;
      }
      case 'W':
        out->append(kDayNames[dow - 1]);
        break;
      case 'Y':
        Pad(out, t.date.year, 4);
        break;
      case 'y':
        Pad(out, ((t.date.year % 100) + 100) % 100, 2);
        break;
    }
  }
}

Status Malformed(std::string_view text, size_t pos) {
  if (pos >= text.size()) {
    return InvalidArgument("Invalid format: \"" + std::string(text) + "\" is too short");
  }
  return InvalidArgument("Invalid format: \"" + std::string(text) + "\" is malformed at \"" +
                         std::string(text.substr(pos)) + "\"");
}

bool ReadDigits(std::string_view s, size_t* pos, size_t max_digits, int64_t* value,
                size_t* count = nullptr) {
  size_t n = 0;
  *value = 0;
  while (*pos < s.size() && n < max_digits && s[*pos] >= '0' && s[*pos] <= '9') {
    *value = *value * 10 + (s[*pos] - '0');
    ++*pos;
    ++n;
  }
  if (count != nullptr) *count = n;
  return n > 0;
}

// Matches one of `names` (or its first three letters) case-insensitively; returns its index.
int ReadName(std::string_view s, size_t* pos, const char* const* names, int n, bool abbreviated) {
  for (int i = 0; i < n; ++i) {
    std::string_view name = names[i];
    if (abbreviated) name = name.substr(0, 3);
    if (*pos + name.size() > s.size()) continue;
    bool same = true;
    for (size_t k = 0; k < name.size() && same; ++k) {
      same = std::tolower(static_cast<unsigned char>(s[*pos + k])) ==
             std::tolower(static_cast<unsigned char>(name[k]));
    }
    if (same) {
      *pos += name.size();
      return i;
    }
  }
  return -1;
}

Result<int64_t> ParseTimestampText(const std::vector<FormatToken>& tokens, std::string_view s) {
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
  int64_t day_of_year = -1;
  bool pm = false, hour12 = false;
  size_t pos = 0;
  for (const FormatToken& tok : tokens) {
    const size_t at = pos;
    int64_t v = 0;
    bool ok = true;
    switch (tok.spec) {
      case 0:
        ok = s.substr(pos, tok.literal.size()) == tok.literal;
        pos += ok ? tok.literal.size() : 0;
        break;
      case 'a':
      case 'W':
        ok = ReadName(s, &pos, kDayNames, 7, tok.spec == 'a') >= 0;
        break;
      case 'b':
      case 'M': {
        const int m = ReadName(s, &pos, kMonthNames, 12, tok.spec == 'b');
        ok = m >= 0;
        month = m + 1;
        break;
      }
      case 'c':
      case 'm':
        ok = ReadDigits(s, &pos, 2, &month);
        break;
      case 'd':
      case 'e':
        ok = ReadDigits(s, &pos, 2, &day);
        break;
      case 'f': {
        size_t n = 0;
        ok = ReadDigits(s, &pos, 9, &v, &n);
        for (; n < 9; ++n) v *= 10;
        micros = v / 1000;
        break;
      }
      case 'H':
      case 'k':
        ok = ReadDigits(s, &pos, 2, &hour);
        break;
      case 'h':
      case 'I':
      case 'l':
        ok = ReadDigits(s, &pos, 2, &hour);
        hour12 = true;
        break;
      case 'i':
        ok = ReadDigits(s, &pos, 2, &minute);
        break;
      case 'j':
        ok = ReadDigits(s, &pos, 3, &day_of_year);
        break;
      case 'p':
      case 'r':
      case 'T':
        if (tok.spec != 'p') {
          ok = ReadDigits(s, &pos, 2, &hour) && pos < s.size() && s[pos++] == ':' &&
               ReadDigits(s, &pos, 2, &minute) && pos < s.size() && s[pos++] == ':' &&
               ReadDigits(s, &pos, 2, &second);
          if (tok.spec == 'T' || !ok) break;
          hour12 = true;
          ok = pos < s.size() && s[pos++] == ' ';
          if (!ok) break;
        }
        if (pos + 2 <= s.size() && (s[pos + 1] == 'M' || s[pos + 1] == 'm') &&
            (s[pos] == 'A' || s[pos] == 'a' || s[pos] == 'P' || s[pos] == 'p')) {
          pm = s[pos] == 'P' || s[pos] == 'p';
          pos += 2;
        } else {
          ok = false;
        }
        break;
      case 'S':
      case 's':
        ok = ReadDigits(s, &pos, 2, &second);
        break;
      case 'v':
        ok = ReadDigits(s, &pos, 2, &v);
        break;
      case 'x':
      case 'Y':
        ok = ReadDigits(s, &pos, 4, &year);
        break;
      case 'y':
        ok = ReadDigits(s, &pos, 2, &v);
        year = v + (v >= 70 ? 1900 : 2000);
        break;
    }
    if (!ok) return Malformed(s, at);
  }
  if (pos != s.size()) return Malformed(s, pos);
  auto range = [&](int64_t value, const char* field, int lo, int hi) -> Status {
    if (value >= lo && value <= hi) return Status::Ok();
    return InvalidArgument("Cannot parse \"" + std::string(s) + "\": Value " +
                           std::to_string(value) + " for " + field + " must be in the range [" +
                           std::to_string(lo) + "," + std::to_string(hi) + "]");
  };
  if (hour12) {
    TARN_RETURN_IF_ERROR(range(hour, "clockhourOfHalfday", 1, 12));
    hour = hour % 12 + (pm ? 12 : 0);
  }
  TARN_RETURN_IF_ERROR(range(month, "monthOfYear", 1, 12));
  TARN_RETURN_IF_ERROR(range(hour, "hourOfDay", 0, 23));
  TARN_RETURN_IF_ERROR(range(minute, "minuteOfHour", 0, 59));
  TARN_RETURN_IF_ERROR(range(second, "secondOfMinute", 0, 59));
  int64_t days = 0;
  if (day_of_year >= 0) {
    TARN_RETURN_IF_ERROR(
        range(day_of_year, "dayOfYear", 1, DaysInMonth(year, 2) == 29 ? 366 : 365));
    days = DaysFromCivil(year, 1, 1) + day_of_year - 1;
  } else {
    TARN_RETURN_IF_ERROR(range(day, "dayOfMonth", 1, DaysInMonth(year, static_cast<int>(month))));
    days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  }
  return days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * 1'000'000 + micros;
}

// date_format(timestamp, format) and date_parse(varchar, format).
Result<BoundPtr> BindFormat(bool parse, const ScalarBinding& b) {
  if (b.arg_types.size() != 2 || !IsText(b.arg_types[1])) return BoundPtr();
  if (parse ? !IsText(b.arg_types[0]) : !IsDateLike(b.arg_types[0])) return BoundPtr();
  std::shared_ptr<const std::vector<FormatToken>> constant;
  if (const std::optional<std::string> format = ConstantText(b, 1)) {
    TARN_ASSIGN_OR_RETURN(std::vector<FormatToken> tokens, CompileFormat(*format));
    constant = std::make_shared<const std::vector<FormatToken>>(std::move(tokens));
  }
  return MakeScalar(parse ? TimestampType() : VarcharType(), [=](Args args, size_t rows,
                                                                 Column* out) {
    std::string buffer;
    std::vector<FormatToken> row_tokens;
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      const std::vector<FormatToken>* tokens = constant.get();
      if (tokens == nullptr) {
        TARN_ASSIGN_OR_RETURN(row_tokens, CompileFormat(args[1]->string_at(r)));
        tokens = &row_tokens;
      }
      if (parse) {
        TARN_ASSIGN_OR_RETURN(int64_t micros, ParseTimestampText(*tokens, args[0]->string_at(r)));
        out->AppendInt64(micros);
      } else {
        buffer.clear();
        FormatTimestamp(*tokens, MicrosAt(*args[0], r), &buffer);
        out->AppendBytes(buffer);
      }
      return Status::Ok();
    });
  });
}

// ISO-8601 'yyyy[-mm[-dd]][Thh[:mm[:ss[.f…]]]][Z|±hh[:mm]]' as microseconds UTC.
Result<int64_t> ParseIso8601(std::string_view s, bool date_only) {
  size_t pos = 0;
  int64_t year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
  auto fail = [&]() { return Malformed(s, pos); };
  size_t n = 0;
  if (!ReadDigits(s, &pos, 4, &year, &n) || n != 4) return fail();
  if (pos < s.size() && s[pos] == '-') {
    ++pos;
    if (!ReadDigits(s, &pos, 2, &month, &n) || n != 2) return fail();
    if (pos < s.size() && s[pos] == '-') {
      ++pos;
      if (!ReadDigits(s, &pos, 2, &day, &n) || n != 2) return fail();
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<int>(month))) {
    return InvalidArgument("Invalid format: \"" + std::string(s) + "\": not a valid date");
  }
  int64_t offset_minutes = 0;
  if (!date_only && pos < s.size() && s[pos] == 'T') {
    ++pos;
    if (!ReadDigits(s, &pos, 2, &hour, &n) || n != 2) return fail();
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, &pos, 2, &minute, &n) || n != 2) return fail();
      if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!ReadDigits(s, &pos, 2, &second, &n) || n != 2) return fail();
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
          ++pos;
          int64_t fraction = 0;
          if (!ReadDigits(s, &pos, 9, &fraction, &n)) return fail();
          for (; n < 9; ++n) fraction *= 10;
          micros = fraction / 1000;
        }
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return fail();
    if (pos < s.size() && s[pos] == 'Z') {
      ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      const int sign = s[pos++] == '-' ? -1 : 1;
      int64_t oh = 0, om = 0;
      if (!ReadDigits(s, &pos, 2, &oh, &n) || n != 2) return fail();
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size()) {
        if (!ReadDigits(s, &pos, 2, &om, &n) || n != 2) return fail();
      }
      offset_minutes = sign * (oh * 60 + om);
    }
  }
  if (pos != s.size()) return fail();
  return DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day)) * kMicrosPerDay +
         ((hour * 60 + minute) * 60 + second) * 1'000'000 + micros -
         offset_minutes * kMicrosPerMinute;
}

// A function of one date or timestamp returning a bigint field.
FunctionDef FieldFunction(std::vector<std::string> names, bool time_only,
                          int64_t (*field)(int64_t micros)) {
  std::vector<std::string> signatures = {names[0] + "(timestamp(p))"};
  if (!time_only) signatures.insert(signatures.begin(), names[0] + "(date)");
  return Def(std::move(names), std::move(signatures),
             [time_only, field](const ScalarBinding& b) -> Result<BoundPtr> {
               if (b.arg_types.size() != 1 || !IsDateLike(b.arg_types[0])) return BoundPtr();
               if (time_only && b.arg_types[0].kind == TypeKind::kDate) return BoundPtr();
               return MakeScalar(BigintType(), [field](Args args, size_t rows, Column* out) {
                 return MapRows(args, rows, out,
                                [&](size_t r) { out->AppendInt64(field(MicrosAt(*args[0], r))); });
               });
             });
}

int64_t DaysOf(int64_t micros) { return FloorDiv(micros, kMicrosPerDay); }

Result<BoundPtr> BindNow(DataType type, const ScalarBinding& b) {
  if (!b.arg_types.empty()) return BoundPtr();
  const int64_t start = b.query_start_micros;
  const bool is_date = type.kind == TypeKind::kDate;
  return MakeScalar(
      type,
      [start, is_date](Args, size_t rows, Column* out) {
        out->Reserve(rows);
        for (size_t r = 0; r < rows; ++r) AppendTime(out, is_date, start);
        return Status::Ok();
      },
      /*deterministic=*/false);
}

}  // namespace

void AddDatetimeFunctions(std::vector<FunctionDef>* defs) {
  defs->push_back(Def({"date_trunc"},
                      {"date_trunc(varchar(x), date)", "date_trunc(varchar(x), timestamp(p))"},
                      BindDateTrunc));
  defs->push_back(
      Def({"date_add"},
          {"date_add(varchar(x), bigint, date)", "date_add(varchar(x), bigint, timestamp(p))"},
          BindDateAdd));
  defs->push_back(Def(
      {"date_diff"},
      {"date_diff(varchar(x), date, date)", "date_diff(varchar(x), timestamp(p), timestamp(p))"},
      BindDateDiff));
  defs->push_back(Def({"date_format"}, {"date_format(timestamp(p), varchar(x))"},
                      [](const ScalarBinding& b) { return BindFormat(false, b); }));
  defs->push_back(Def({"date_parse"}, {"date_parse(varchar(x), varchar(y))"},
                      [](const ScalarBinding& b) { return BindFormat(true, b); }));
  defs->push_back(Def({"date"}, {"date(varchar(x))", "date(timestamp(p))", "date(date)"},
                      [](const ScalarBinding& b) -> Result<BoundPtr> {
                        if (b.arg_types.size() != 1 ||
                            !(IsText(b.arg_types[0]) || IsDateLike(b.arg_types[0]))) {
                          return BoundPtr();
                        }
                        return BindCast(b.arg_types[0], DateType());
                      }));
  for (const bool date_only : {false, true}) {
    const std::string name = date_only ? "from_iso8601_date" : "from_iso8601_timestamp";
    defs->push_back(Def(
        {name}, {name + "(varchar(x))"}, [date_only](const ScalarBinding& b) -> Result<BoundPtr> {
          if (b.arg_types.size() != 1 || !IsText(b.arg_types[0])) {
            return BoundPtr();
          }
          return MakeScalar(date_only ? DateType() : TimestampType(),
                            [date_only](Args args, size_t rows, Column* out) {
                              return MapRows(args, rows, out, [&](size_t r) -> Status {
                                TARN_ASSIGN_OR_RETURN(
                                    int64_t micros, ParseIso8601(args[0]->string_at(r), date_only));
                                AppendTime(out, date_only, micros);
                                return Status::Ok();
                              });
                            });
        }));
  }
  defs->push_back(Def({"from_unixtime"}, {"from_unixtime(double)"},
                      [](const ScalarBinding& b) -> Result<BoundPtr> {
                        if (b.arg_types.size() != 1 || !AcceptsDouble(b.arg_types[0])) {
                          return BoundPtr();
                        }
                        return MakeScalar(TimestampType(), [](Args args, size_t rows, Column* out) {
                          return MapRows(args, rows, out, [&](size_t r) -> Status {
                            const double seconds = DoubleAt(*args[0], r);
                            if (!std::isfinite(seconds) || std::fabs(seconds) > 9.2e12) {
                              return InvalidArgument("Value out of range for from_unixtime: " +
                                                     JavaDoubleText(seconds));
                            }
                            out->AppendInt64(std::llround(seconds * 1e6));
                            return Status::Ok();
                          });
                        });
                      }));
  defs->push_back(Def({"to_unixtime"}, {"to_unixtime(timestamp(p))"},
                      [](const ScalarBinding& b) -> Result<BoundPtr> {
                        if (b.arg_types.size() != 1 || !IsDateLike(b.arg_types[0])) {
                          return BoundPtr();
                        }
                        return MakeScalar(DoubleType(), [](Args args, size_t rows, Column* out) {
                          return MapRows(args, rows, out, [&](size_t r) {
                            out->AppendDouble(static_cast<double>(MicrosAt(*args[0], r)) / 1e6);
                          });
                        });
                      }));
  defs->push_back(
      FieldFunction({"year"}, false, [](int64_t m) { return CivilFromDays(DaysOf(m)).year; }));
  defs->push_back(FieldFunction(
      {"month"}, false, [](int64_t m) -> int64_t { return CivilFromDays(DaysOf(m)).month; }));
  defs->push_back(FieldFunction({"day", "day_of_month"}, false,
                                [](int64_t m) -> int64_t { return CivilFromDays(DaysOf(m)).day; }));
  defs->push_back(FieldFunction({"quarter"}, false, [](int64_t m) -> int64_t {
    return (CivilFromDays(DaysOf(m)).month - 1) / 3 + 1;
  }));
  defs->push_back(FieldFunction({"day_of_week", "dow"}, false,
                                [](int64_t m) -> int64_t { return IsoDayOfWeek(DaysOf(m)); }));
  defs->push_back(
      FieldFunction({"day_of_year", "doy"}, false, [](int64_t m) { return DayOfYear(DaysOf(m)); }));
  defs->push_back(FieldFunction({"week", "week_of_year"}, false, [](int64_t m) {
    int64_t week = 0, year = 0;
    IsoWeek(DaysOf(m), &week, &year);
    return week;
  }));
  defs->push_back(FieldFunction({"year_of_week", "yow"}, false, [](int64_t m) {
    int64_t week = 0, year = 0;
    IsoWeek(DaysOf(m), &week, &year);
    return year;
  }));
  defs->push_back(FieldFunction(
      {"hour"}, true, [](int64_t m) { return FloorDiv(m, kMicrosPerHour) - DaysOf(m) * 24; }));
  defs->push_back(FieldFunction({"minute"}, true, [](int64_t m) {
    return FloorDiv(m, kMicrosPerMinute) - FloorDiv(m, kMicrosPerHour) * 60;
  }));
  defs->push_back(FieldFunction({"second"}, true, [](int64_t m) {
    return FloorDiv(m, 1'000'000) - FloorDiv(m, kMicrosPerMinute) * 60;
  }));
  defs->push_back(FieldFunction({"millisecond"}, true, [](int64_t m) {
    return FloorDiv(m, 1000) - FloorDiv(m, 1'000'000) * 1000;
  }));
  defs->push_back(Def(
      {"last_day_of_month"}, {"last_day_of_month(date)", "last_day_of_month(timestamp(p))"},
      [](const ScalarBinding& b) -> Result<BoundPtr> {
        if (b.arg_types.size() != 1 || !IsDateLike(b.arg_types[0])) {
          return BoundPtr();
        }
        return MakeScalar(DateType(), [](Args args, size_t rows, Column* out) {
          return MapRows(args, rows, out, [&](size_t r) {
            const CivilDate d = CivilFromDays(DaysOf(MicrosAt(*args[0], r)));
            out->AppendInt32(
                static_cast<int32_t>(DaysFromCivil(d.year, d.month, DaysInMonth(d.year, d.month))));
          });
        });
      }));
  defs->push_back(Def({"current_date"}, {"current_date()"},
                      [](const ScalarBinding& b) { return BindNow(DateType(), b); }));
  defs->push_back(Def({"now", "current_timestamp", "localtimestamp"}, {"now()"},
                      [](const ScalarBinding& b) { return BindNow(TimestampType(), b); }));
}

}  // namespace tarn::sql::functions_internal
