#include "catalog/projection.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <set>
#include <string_view>

#include "catalog/partition_path.h"
#include "common/civil_time.h"
#include "common/java_date_format.h"

namespace tarn::catalog {
namespace {

enum class ProjectionType { kEnum, kInteger, kDate, kInjected };

// java.time.temporal.ChronoUnit names, in the order of their length.
enum class DateUnit { kYears, kMonths, kWeeks, kDays, kHours, kMinutes, kSeconds, kMillis };

constexpr int64_t kMicrosPerMilli = 1000;

// Dates stay within years 0..9999, the years a four-digit `yyyy` can write.
int64_t MinInstant() { return DaysFromCivil(0, 1, 1) * kSecondsPerDay * kMicrosPerSecond; }
int64_t MaxInstant() { return DaysFromCivil(10000, 1, 1) * kSecondsPerDay * kMicrosPerSecond - 1; }

bool IsJavaSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsJavaSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsJavaSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    parts.emplace_back(s.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return parts;
    start = comma + 1;
  }
}

// An optionally signed decimal; leading zeros allowed, nothing else.
std::optional<int64_t> ParseInt64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  // Accumulate negatively so that INT64_MIN parses.
  int64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_sub_overflow(value, c - '0', &value))
      return std::nullopt;
  }
  if (!negative) {
    if (value == std::numeric_limits<int64_t>::min()) return std::nullopt;
    value = -value;
  }
  return value;
}

int DaysInMonth(int64_t year, int month) {
  const int64_t next =
      month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, month + 1, 1);
  return static_cast<int>(next - DaysFromCivil(year, month, 1));
}

// `t` moved by `months` calendar months, the day clamped to the target month's length.
int64_t AddMonths(int64_t t, int64_t months) {
  CivilDateTime c = CivilFromMicros(t);
  const int64_t m = c.date.month - 1 + months;
  const int64_t year_shift = m >= 0 ? m / 12 : -((11 - m) / 12);
  c.date.year += year_shift;
  c.date.month = static_cast<int>(m - year_shift * 12) + 1;
  c.date.day = std::min(c.date.day, DaysInMonth(c.date.year, c.date.month));
  return MicrosFromCivil(c);
}

// The unit of the pattern's finest field: the default projection interval unit.
DateUnit FinestUnit(const JavaDateFormat& format) {
  static constexpr DateUnit kUnitOf[] = {DateUnit::kMillis,  DateUnit::kYears, DateUnit::kMonths,
                                         DateUnit::kDays,    DateUnit::kHours, DateUnit::kMinutes,
                                         DateUnit::kSeconds, DateUnit::kMillis};
  return kUnitOf[static_cast<int>(format.finest())];
}

std::optional<DateUnit> ParseUnit(std::string_view text, bool allow_singular) {
  static constexpr std::pair<std::string_view, DateUnit> kUnits[] = {
      {"years", DateUnit::kYears},     {"months", DateUnit::kMonths},
      {"weeks", DateUnit::kWeeks},     {"days", DateUnit::kDays},
      {"hours", DateUnit::kHours},     {"minutes", DateUnit::kMinutes},
      {"seconds", DateUnit::kSeconds}, {"milliseconds", DateUnit::kMillis}};
  const std::string lower = ToLower(text);
  for (const auto& [name, unit] : kUnits) {
    if (lower == name || (allow_singular && lower == name.substr(0, name.size() - 1))) return unit;
  }
  return std::nullopt;
}

// Microseconds per unit, or 0 for the calendar units (months, years).
int64_t UnitMicros(DateUnit unit) {
  constexpr int64_t kDay = kSecondsPerDay * kMicrosPerSecond;
  static constexpr int64_t kMicros[] = {0,
                                        0,
                                        7 * kDay,
                                        kDay,
                                        3600 * kMicrosPerSecond,
                                        60 * kMicrosPerSecond,
                                        kMicrosPerSecond,
                                        kMicrosPerMilli};
  return kMicros[static_cast<int>(unit)];
}

// An inclusive range [first, last] of grid indexes; empty when first > last.
struct IndexRange {
  int64_t first = 0;
  int64_t last = -1;
  bool empty() const { return first > last; }
  uint64_t size() const {
    return empty() ? 0 : static_cast<uint64_t>(last) - static_cast<uint64_t>(first) + 1;
  }
};

}  // namespace

struct PartitionProjection::State {
  struct ColumnSpec {
    std::string name;
    ProjectionType type = ProjectionType::kEnum;
    std::vector<std::string> enum_values;
    // Integer: values min + k * interval up to max. Date: start + k * interval units up to end.
    int64_t min = 0;
    int64_t max = 0;
    int64_t interval = 1;
    int digits = 0;
    std::optional<JavaDateFormat> format;
    DateUnit unit = DateUnit::kDays;
    int64_t step_micros = 0;  // interval * UnitMicros(unit); 0 for calendar units.
    int64_t step_months = 0;  // For calendar units.

    int64_t DatePoint(int64_t k) const {
      return step_months != 0 ? AddMonths(min, k * step_months) : min + k * step_micros;
    }
    // The smallest grid index whose instant is >= t (may lie past the last one).
    int64_t DateFirstAtOrAfter(int64_t t) const {
      if (t <= min) return 0;
      if (step_months == 0) return (t - min + step_micros - 1) / step_micros;
      const CivilDateTime a = CivilFromMicros(min);
      const CivilDateTime b = CivilFromMicros(t);
      const int64_t months = (b.date.year - a.date.year) * 12 + (b.date.month - a.date.month);
      int64_t k = std::max<int64_t>(0, months / step_months - 1);
      while (DatePoint(k) < t) ++k;
      return k;
    }
    int64_t DateLastIndex() const { return DateFirstAtOrAfter(max + 1) - 1; }

    // Below INT64_MAX: ReadIntegerSpec rejects longer ranges.
    int64_t IntegerLastIndex() const {
      return static_cast<int64_t>((static_cast<uint64_t>(max) - static_cast<uint64_t>(min)) /
                                  static_cast<uint64_t>(interval));
    }
    int64_t IntegerPoint(int64_t k) const {
      return static_cast<int64_t>(static_cast<uint64_t>(min) +
                                  static_cast<uint64_t>(k) * static_cast<uint64_t>(interval));
    }
    std::string FormatInteger(int64_t v) const {
      std::string out;
      const bool negative = v < 0;
      if (negative) out += '-';
      const std::string magnitude =
          negative ? std::to_string(v).substr(1) : std::to_string(v);  // No overflow at INT64_MIN.
      const int width = digits - (negative ? 1 : 0);
      if (static_cast<int>(magnitude.size()) < width) out.append(width - magnitude.size(), '0');
      return out + magnitude;
    }
  };

  std::string table_name;  // db.table, for messages.
  std::string location;
  std::optional<std::string> location_template;
  std::vector<ColumnSpec> columns;
};

namespace {

using ColumnSpec = PartitionProjection::State::ColumnSpec;

class PropertyReader {
 public:
  explicit PropertyReader(const TableDefinition& table)
      : table_(table), name_(table.database + "." + table.name) {}

  const std::string& table_name() const { return name_; }

  std::optional<std::string> Get(std::string_view key) const {
    const std::string lower = ToLower(key);
    for (const auto& [k, v] : table_.table_properties) {
      if (ToLower(k) == lower) return v;
    }
    return std::nullopt;
  }

  Status Bad(std::string_view key, std::string_view value, std::string_view expected) const {
    return InvalidArgument(
        fmt::format("table {}: table property '{}' = '{}' is invalid: expected {}", name_, key,
                    value, expected));
  }
  Status Missing(std::string_view key, std::string_view why) const {
    return InvalidArgument(
        fmt::format("table {}: table property '{}' is required {}", name_, key, why));
  }

 private:
  const TableDefinition& table_;
  std::string name_;
};

// A positive integer property with a default, e.g. .interval.
Result<int64_t> PositiveInteger(const PropertyReader& props, const std::string& key,
                                int64_t fallback, int64_t max) {
  const std::optional<std::string> text = props.Get(key);
  if (!text) return fallback;
  const std::optional<int64_t> v = ParseInt64(Trim(*text));
  if (!v || *v < 1 || *v > max) {
    return props.Bad(key, *text, fmt::format("an integer from 1 to {}", max));
  }
  return *v;
}

// One bound of a date range: a date in the column's format or NOW[+-N UNIT], truncated to the
// format's precision.
Result<int64_t> DateBound(const PropertyReader& props, const std::string& key,
                          const std::string& range, std::string_view text,
                          const JavaDateFormat& format, int64_t now_micros) {
  const auto bad = [&] {
    return props.Bad(key, range,
                     "'start,end', each a date in the column's format or NOW[+-N UNIT] (UNIT one "
                     "of YEARS MONTHS WEEKS DAYS HOURS MINUTES SECONDS), within years 0000-9999");
  };
  if (std::optional<int64_t> t = format.Parse(text)) return *t;
  if (std::optional<int64_t> t = format.Parse(Trim(text))) return *t;
  // Java's \s*NOW\s*(([+-])\s*([0-9]+)\s*(YEARS?|...|SECONDS?)\s*)? as a whole match.
  std::string_view rest = Trim(text);
  if (rest.substr(0, 3) != "NOW") return bad();
  rest = Trim(rest.substr(3));
  int64_t t = now_micros;
  if (!rest.empty()) {
    if (rest.front() != '+' && rest.front() != '-') return bad();
    const bool minus = rest.front() == '-';
    rest = Trim(rest.substr(1));
    size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    const std::optional<int64_t> n = ParseInt64(rest.substr(0, digits));
    const std::string_view word = Trim(rest.substr(digits));
    const bool upper =
        std::all_of(word.begin(), word.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    const std::optional<DateUnit> unit = upper ? ParseUnit(word, true) : std::nullopt;
    if (!n || !unit || *unit == DateUnit::kMillis || *n > 1'000'000'000'000) return bad();
    const int64_t signed_n = minus ? -*n : *n;
    if (*unit == DateUnit::kYears || *unit == DateUnit::kMonths) {
      const int64_t months = signed_n * (*unit == DateUnit::kYears ? 12 : 1);
      if (months > 12 * 10'000 || months < -12 * 10'000) return bad();
      t = AddMonths(t, months);
    } else {
      int64_t delta = 0;
      if (__builtin_mul_overflow(signed_n, UnitMicros(*unit), &delta) ||
          __builtin_add_overflow(t, delta, &t)) {
        return bad();
      }
    }
  }
  if (t < MinInstant() || t > MaxInstant()) return bad();
  return format.Truncate(t);
}

Status ReadDateSpec(const PropertyReader& props, const std::string& prefix, ColumnSpec& spec,
                    int64_t now_micros) {
  const std::string format_key = prefix + "format";
  const std::optional<std::string> pattern = props.Get(format_key);
  if (!pattern) return props.Missing(format_key, "for a date projection");
  Result<JavaDateFormat> format = JavaDateFormat::Compile(*pattern);
  if (!format.ok()) return props.Bad(format_key, *pattern, format.status().message());
  spec.format = std::move(*format);

  const std::string range_key = prefix + "range";
  const std::optional<std::string> range = props.Get(range_key);
  if (!range) return props.Missing(range_key, "for a date projection");
  const std::vector<std::string> bounds = SplitComma(*range);
  if (bounds.size() != 2) return props.Bad(range_key, *range, "'start,end'");
  TARN_ASSIGN_OR_RETURN(spec.min,
                        DateBound(props, range_key, *range, bounds[0], *spec.format, now_micros));
  TARN_ASSIGN_OR_RETURN(spec.max,
                        DateBound(props, range_key, *range, bounds[1], *spec.format, now_micros));

  const std::string unit_key = prefix + "interval.unit";
  spec.unit = FinestUnit(*spec.format);
  if (const std::optional<std::string> unit = props.Get(unit_key)) {
    const std::optional<DateUnit> parsed = ParseUnit(Trim(*unit), false);
    if (!parsed) {
      return props.Bad(unit_key, *unit,
                       "one of YEARS MONTHS WEEKS DAYS HOURS MINUTES SECONDS MILLISECONDS");
    }
    spec.unit = *parsed;
  }
  // Bounded so that grid arithmetic over years 0..9999 cannot overflow.
  const int64_t unit_micros = UnitMicros(spec.unit);
  const int64_t max_interval = unit_micros == 0 ? (spec.unit == DateUnit::kYears ? 10'000 : 120'000)
                                                : (MaxInstant() - MinInstant()) / unit_micros + 1;
  TARN_ASSIGN_OR_RETURN(spec.interval,
                        PositiveInteger(props, prefix + "interval", 1, max_interval));
  spec.step_micros = spec.interval * unit_micros;
  spec.step_months =
      unit_micros != 0 ? 0 : spec.interval * (spec.unit == DateUnit::kYears ? 12 : 1);
  return Status::Ok();
}

Status ReadIntegerSpec(const PropertyReader& props, const std::string& prefix, ColumnSpec& spec) {
  const std::string range_key = prefix + "range";
  const std::optional<std::string> range = props.Get(range_key);
  if (!range) return props.Missing(range_key, "for an integer projection");
  const std::vector<std::string> bounds = SplitComma(*range);
  const std::optional<int64_t> lo = bounds.size() == 2 ? ParseInt64(Trim(bounds[0])) : std::nullopt;
  const std::optional<int64_t> hi = bounds.size() == 2 ? ParseInt64(Trim(bounds[1])) : std::nullopt;
  if (!lo || !hi || *lo > *hi) {
    return props.Bad(range_key, *range, "'min,max': two 64-bit integers with min <= max");
  }
  spec.min = *lo;
  spec.max = *hi;
  TARN_ASSIGN_OR_RETURN(spec.interval, PositiveInteger(props, prefix + "interval", 1,
                                                       std::numeric_limits<int64_t>::max()));
  TARN_ASSIGN_OR_RETURN(const int64_t digits, PositiveInteger(props, prefix + "digits", 1, 64));
  spec.digits = static_cast<int>(digits);
  if ((static_cast<uint64_t>(spec.max) - static_cast<uint64_t>(spec.min)) /
          static_cast<uint64_t>(spec.interval) >=
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return props.Bad(range_key, *range, "at most 2^63-1 steps of the interval");
  }
  return Status::Ok();
}

Result<ColumnSpec> ReadColumnSpec(const PropertyReader& props, const std::string& column,
                                  const std::string& type_text, int64_t now_micros) {
  ColumnSpec spec;
  spec.name = column;
  const std::string prefix = "projection." + column + ".";
  const std::string type = ToLower(Trim(type_text));
  if (type == "enum") {
    spec.type = ProjectionType::kEnum;
    const std::string key = prefix + "values";
    const std::optional<std::string> values = props.Get(key);
    if (!values) return props.Missing(key, "for an enum projection");
    if (values->empty()) return props.Bad(key, *values, "a comma-separated list of values");
    spec.enum_values = SplitComma(*values);
  } else if (type == "integer") {
    spec.type = ProjectionType::kInteger;
    TARN_RETURN_IF_ERROR(ReadIntegerSpec(props, prefix, spec));
  } else if (type == "date") {
    spec.type = ProjectionType::kDate;
    TARN_RETURN_IF_ERROR(ReadDateSpec(props, prefix, spec, now_micros));
  } else if (type == "injected") {
    spec.type = ProjectionType::kInjected;
  } else {
    return props.Bad(prefix + "type", type_text, "one of enum, integer, date, injected");
  }
  return spec;
}

// Whether `value` satisfies the bounds of `c` that are compared as strings.
bool InStringBounds(const std::string& value, const ProjectionConstraint& c, bool check_min,
                    bool check_max) {
  if (check_min && c.min && (c.min_inclusive ? value < *c.min : value <= *c.min)) return false;
  if (check_max && c.max && (c.max_inclusive ? value > *c.max : value >= *c.max)) return false;
  return true;
}

Status TooMany(const std::string& table, size_t limit, std::string_view what) {
  return Status(StatusCode::kResourceExhausted,
                fmt::format("table {}: partition projection would enumerate more than {} {}; add "
                            "predicates on the partition columns",
                            table, limit, what));
}

// A bound parsed into the column's numeric domain (integers, or instants for dates), or
// std::nullopt when it does not parse and must be compared as a string.
using ParseFn = std::optional<int64_t> (*)(const ColumnSpec&, std::string_view);

std::optional<int64_t> ParseIntegerValue(const ColumnSpec&, std::string_view text) {
  return ParseInt64(text);
}
std::optional<int64_t> ParseDateValue(const ColumnSpec& spec, std::string_view text) {
  return spec.format->Parse(text);
}

// The grid values of an integer or date column allowed by `c`, ascending.
Result<std::vector<std::string>> GridValues(const ColumnSpec& spec, const ProjectionConstraint& c,
                                            const std::string& table, size_t limit) {
  const bool is_date = spec.type == ProjectionType::kDate;
  const ParseFn parse = is_date ? &ParseDateValue : &ParseIntegerValue;
  // Index of the first grid point >= v, and the last one <= v (in the domain, no overflow).
  const auto first_at_or_after = [&](int64_t v) -> int64_t {
    if (is_date) return spec.DateFirstAtOrAfter(v);
    if (v <= spec.min) return 0;
    const uint64_t d = static_cast<uint64_t>(v) - static_cast<uint64_t>(spec.min);
    const uint64_t step = static_cast<uint64_t>(spec.interval);
    const uint64_t k = d / step + (d % step != 0 ? 1 : 0);
    return static_cast<int64_t>(
        std::min<uint64_t>(k, static_cast<uint64_t>(spec.IntegerLastIndex()) + 1));
  };
  const auto last_at_or_before = [&](int64_t v) -> int64_t {
    if (v < spec.min) return -1;
    if (is_date) return spec.DateFirstAtOrAfter(std::min(v, spec.max) + 1) - 1;
    const uint64_t d = static_cast<uint64_t>(v) - static_cast<uint64_t>(spec.min);
    return static_cast<int64_t>(
        std::min<uint64_t>(d / static_cast<uint64_t>(spec.interval), spec.IntegerLastIndex()));
  };
  const auto point = [&](int64_t k) { return is_date ? spec.DatePoint(k) : spec.IntegerPoint(k); };
  const auto format = [&](int64_t v) {
    return is_date ? spec.format->Format(v) : spec.FormatInteger(v);
  };

  IndexRange range{0, is_date ? spec.DateLastIndex() : spec.IntegerLastIndex()};
  // Bounds that parse narrow the index range; the others are compared as strings below.
  bool string_min = false;
  bool string_max = false;
  int64_t bound = 0;
  if (c.min) {
    const std::optional<int64_t> lo = parse(spec, *c.min);
    string_min = !lo;
    bound = lo.value_or(0);
  }
  if (c.min && !string_min) {
    if (!c.min_inclusive && bound == std::numeric_limits<int64_t>::max()) {
      return std::vector<std::string>();
    }
    range.first = std::max(range.first, first_at_or_after(c.min_inclusive ? bound : bound + 1));
  }
  if (c.max) {
    const std::optional<int64_t> hi = parse(spec, *c.max);
    string_max = !hi;
    bound = hi.value_or(0);
  }
  if (c.max && !string_max) {
    if (!c.max_inclusive && bound == std::numeric_limits<int64_t>::min()) {
      return std::vector<std::string>();
    }
    range.last = std::min(range.last, last_at_or_before(c.max_inclusive ? bound : bound - 1));
  }

  std::vector<std::string> out;
  if (c.equals) {
    std::set<int64_t> points;
    for (const std::string& text : *c.equals) {
      const std::optional<int64_t> v = parse(spec, text);
      if (!v) continue;
      const int64_t k = first_at_or_after(*v);
      if (k >= range.first && k <= range.last && point(k) == *v) points.insert(*v);
    }
    for (int64_t v : points) {
      std::string text = format(v);
      if (InStringBounds(text, c, string_min, string_max)) out.push_back(std::move(text));
    }
    return out;
  }
  if (range.size() > limit) return TooMany(table, limit, "values of column " + spec.name);
  for (int64_t k = range.first; k <= range.last; ++k) {
    std::string text = format(point(k));
    // A format coarser than the interval repeats values; they name one partition.
    if (!out.empty() && out.back() == text) continue;
    if (InStringBounds(text, c, string_min, string_max)) out.push_back(std::move(text));
  }
  return out;
}

// The values of an enum column (as listed) or an injected column (as given) allowed by `c`.
Result<std::vector<std::string>> ListedValues(const ColumnSpec& spec,
                                              const ProjectionConstraint& c) {
  std::vector<std::string> candidates;
  if (spec.type == ProjectionType::kInjected) {
    if (!c.equals) {
      return InvalidArgument(fmt::format(
          "CONSTRAINT_VIOLATION: Injected projected partition column {} must have only (and at "
          "least one) equality conditions in the WHERE clause!",
          spec.name));
    }
    for (const std::string& v : *c.equals) {
      if (std::find(candidates.begin(), candidates.end(), v) == candidates.end()) {
        candidates.push_back(v);
      }
    }
  } else {
    for (const std::string& v : spec.enum_values) {
      if (!c.equals || std::find(c.equals->begin(), c.equals->end(), v) != c.equals->end()) {
        candidates.push_back(v);
      }
    }
  }
  std::vector<std::string> out;
  for (std::string& v : candidates) {
    if (InStringBounds(v, c, true, true)) out.push_back(std::move(v));
  }
  return out;
}

std::string Location(const PartitionProjection::State& state,
                     const std::vector<std::string>& values) {
  if (!state.location_template) {
    std::string out = state.location;
    if (out.empty() || out.back() != '/') out += '/';
    for (size_t i = 0; i < values.size(); ++i) {
      out += state.columns[i].name + "=" + EscapePathValue(values[i]) + "/";
    }
    return out;
  }
  const std::string& tmpl = *state.location_template;
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = tmpl.find("${", pos);
    const size_t close = open == std::string::npos ? open : tmpl.find('}', open + 2);
    if (close == std::string::npos) break;
    out.append(tmpl, pos, open - pos);
    const std::string name = ToLower(std::string_view(tmpl).substr(open + 2, close - open - 2));
    size_t i = 0;
    while (i < state.columns.size() && state.columns[i].name != name) ++i;
    if (i < state.columns.size()) {
      out += values[i];
    } else {
      out.append(tmpl, open, close + 1 - open);
    }
    pos = close + 1;
  }
  out.append(tmpl, pos);
  return out;
}

}  // namespace

Result<std::optional<PartitionProjection>> PartitionProjection::FromTable(
    const TableDefinition& table, int64_t now_micros) {
  const PropertyReader props(table);
  const std::optional<std::string> enabled = props.Get("projection.enabled");
  if (!enabled || ToLower(Trim(*enabled)) != "true" || table.partition_keys.empty()) {
    return std::optional<PartitionProjection>();
  }
  std::vector<std::string> missing;
  for (const Column& key : table.partition_keys) {
    if (!props.Get("projection." + key.name + ".type")) missing.push_back(key.name);
  }
  if (!missing.empty()) {
    return InvalidArgument(fmt::format(
        "Table {} is configured for partition projection, but the following partition columns "
        "are missing projection configuration: [{}] (set table property 'projection.{}.type')",
        props.table_name(), fmt::join(missing, ", "), missing.front()));
  }
  auto state = std::make_shared<State>();
  state->table_name = props.table_name();
  state->location = table.location;
  for (const Column& key : table.partition_keys) {
    TARN_ASSIGN_OR_RETURN(
        ColumnSpec spec,
        ReadColumnSpec(props, key.name, *props.Get("projection." + key.name + ".type"),
                       now_micros));
    state->columns.push_back(std::move(spec));
  }
  state->location_template = props.Get("storage.location.template");
  if (state->location_template) {
    const std::string lower = ToLower(*state->location_template);
    for (const Column& key : table.partition_keys) {
      if (lower.find("${" + key.name + "}") == std::string::npos) {
        return InvalidArgument(fmt::format(
            "table {}: INVALID_TABLE_PROPERTY: The 'storage.location.template' table property "
            "must contain templates for all partition columns! ('{}' has no ${{{}}})",
            props.table_name(), *state->location_template, key.name));
      }
    }
  }
  return std::optional<PartitionProjection>(PartitionProjection(std::move(state)));
}

Result<std::vector<Partition>> PartitionProjection::Enumerate(
    const std::map<std::string, ProjectionConstraint>& constraints, size_t limit) const {
  static const ProjectionConstraint kNone;
  std::vector<std::vector<std::string>> domains;
  uint64_t total = 1;
  for (const State::ColumnSpec& spec : state_->columns) {
    const auto it = constraints.find(spec.name);
    const ProjectionConstraint& c = it == constraints.end() ? kNone : it->second;
    Result<std::vector<std::string>> values =
        spec.type == ProjectionType::kEnum || spec.type == ProjectionType::kInjected
            ? ListedValues(spec, c)
            : GridValues(spec, c, state_->table_name, limit);
    if (!values.ok()) return values.status();
    // Later columns may still be misconfigured for the query (injected without equality), so
    // an empty domain does not end the loop early.
    if (__builtin_mul_overflow(total, static_cast<uint64_t>(values->size()), &total)) {
      total = std::numeric_limits<uint64_t>::max();
    }
    domains.push_back(std::move(*values));
  }
  if (total == 0) return std::vector<Partition>();
  if (total > limit) return TooMany(state_->table_name, limit, "partitions");

  std::vector<Partition> out;
  out.reserve(total);
  std::vector<size_t> index(domains.size(), 0);
  while (true) {
    Partition p;
    for (size_t i = 0; i < domains.size(); ++i) p.values.push_back(domains[i][index[i]]);
    p.location = Location(*state_, p.values);
    out.push_back(std::move(p));
    // Odometer: the last column varies fastest.
    size_t i = domains.size();
    while (i > 0 && ++index[i - 1] == domains[i - 1].size()) index[--i] = 0;
    if (i == 0) return out;
  }
}

}  // namespace tarn::catalog
