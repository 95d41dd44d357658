// CAST(x AS type) with Trino's semantics among boolean, tinyint..bigint, real, double,
// decimal, varchar, date and timestamp, and the text forms values take and are read from:
//   double and real print as Java's Double.toString / Float.toString ("1.5", "1.0E10",
//   "1.0E-5", "NaN", "Infinity"); decimals with exactly `scale` fraction digits; dates
//   "yyyy-mm-dd"; timestamps "yyyy-mm-dd hh:mm:ss.SSS" (timestamp(3); 6 fraction digits when the
//   value has finer digits).
//   Text to integer accepts an optional sign and digits only; to double, Java's number forms
//   (surrounding whitespace, "NaN", "Infinity"); to boolean "true"/"false"/"t"/"f"/"1"/"0" in any
//   case; to date 'yyyy-m-d'; to timestamp 'yyyy-m-d[ h:m[:s[.fraction]]]' (fraction digits past
//   microseconds are dropped).
// Numbers to integers round half away from zero and fail out of range ("Out of range for
// integer: 3000000000").
#include <charconv>
#include <cmath>
#include <cstring>

#include "common/civil_time.h"
#include "sql/functions/functions_internal.h"

namespace tarn::sql {

namespace functions_internal {

namespace {

// Java's Double.toString layout over the shortest round-trip digits of `v` (not NaN/inf/0).
std::string JavaLayout(bool negative, std::string_view sci) {
  // `sci` is "d[.ddd]e±xx" from std::to_chars.
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent >= -3 && exponent < 7) {
    if (exponent >= 0) {
      const size_t whole = static_cast<size_t>(exponent) + 1;
      if (digits.size() <= whole) {
        out += digits + std::string(whole - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, whole) + "." + digits.substr(whole);
      }
    } else {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
         std::to_string(exponent);
  return out;
}

template <typename T>
std::string JavaText(T v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  const auto result =
      std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  return JavaLayout(v < 0, std::string_view(buf, static_cast<size_t>(result.ptr - buf)));
}

}  // namespace

std::string JavaDoubleText(double v) { return JavaText(v); }
std::string JavaFloatText(float v) { return JavaText(v); }

std::string DecimalText(__int128 unscaled, int scale) {
  const bool negative = unscaled < 0;
  unsigned __int128 magnitude = negative ? 0 - static_cast<unsigned __int128>(unscaled)
                                         : static_cast<unsigned __int128>(unscaled);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  while (digits.size() <= static_cast<size_t>(scale)) digits.push_back('0');
  std::string out = negative ? "-" : "";
  for (size_t i = digits.size(); i-- > 0;) {
    out.push_back(digits[i]);
    if (scale > 0 && i == static_cast<size_t>(scale)) out.push_back('.');
  }
  return out;
}

namespace {

void AppendPadded(std::string* out, int64_t v, int width) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  if (v < 0) out->push_back('-');
  if (digits.size() < static_cast<size_t>(width)) out->append(width - digits.size(), '0');
  out->append(digits);
}

}  // namespace

std::string DateText(int32_t days) {
  const CivilDate d = CivilFromDays(days);
  std::string out;
  AppendPadded(&out, d.year, 4);
  out.push_back('-');
  AppendPadded(&out, d.month, 2);
  out.push_back('-');
  AppendPadded(&out, d.day, 2);
  return out;
}

std::string TimestampText(int64_t micros) {
  const CivilDateTime t = CivilFromMicros(micros);
  std::string out =
      DateText(static_cast<int32_t>(DaysFromCivil(t.date.year, t.date.month, t.date.day)));
  out.push_back(' ');
  AppendPadded(&out, t.hour, 2);
  out.push_back(':');
  AppendPadded(&out, t.minute, 2);
  out.push_back(':');
  AppendPadded(&out, t.second, 2);
  out.push_back('.');
  if (t.micros % 1000 == 0) {
    AppendPadded(&out, t.micros / 1000, 3);
  } else {
    AppendPadded(&out, t.micros, 6);
  }
  return out;
}

namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// Reads 1..max_digits digits at `pos`.
bool ReadNumber(std::string_view s, size_t* pos, size_t min_digits, size_t max_digits,
                int64_t* value) {
  size_t n = 0;
  *value = 0;
  while (*pos < s.size() && n < max_digits && s[*pos] >= '0' && s[*pos] <= '9') {
    *value = *value * 10 + (s[*pos] - '0');
    ++*pos;
    ++n;
  }
  return n >= min_digits;
}

bool ReadDate(std::string_view s, size_t* pos, int64_t* days) {
  int64_t year = 0, month = 0, day = 0;
  bool negative = false;
  if (*pos < s.size() && (s[*pos] == '-' || s[*pos] == '+')) {
    negative = s[*pos] == '-';
    ++*pos;
  }
  if (!ReadNumber(s, pos, 4, 6, &year) || *pos >= s.size() || s[(*pos)++] != '-' ||
      !ReadNumber(s, pos, 1, 2, &month) || *pos >= s.size() || s[(*pos)++] != '-' ||
      !ReadNumber(s, pos, 1, 2, &day)) {
    return false;
  }
  if (negative) year = -year;
  if (!IsValidDate(year, static_cast<int>(month), static_cast<int>(day))) return false;
  *days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  return true;
}

}  // namespace

std::optional<int32_t> ParseSqlDate(std::string_view text) {
  const std::string_view s = TrimSpaces(text);
  size_t pos = 0;
  int64_t days = 0;
  if (!ReadDate(s, &pos, &days) || pos != s.size()) return std::nullopt;
  if (days < INT32_MIN || days > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(days);
}

std::optional<int64_t> ParseSqlTimestamp(std::string_view text) {
  const std::string_view s = TrimSpaces(text);
  size_t pos = 0;
  int64_t days = 0;
  if (!ReadDate(s, &pos, &days)) return std::nullopt;
  int64_t hour = 0, minute = 0, second = 0, micros = 0;
  if (pos < s.size()) {
    if (s[pos++] != ' ') return std::nullopt;
    if (!ReadNumber(s, &pos, 1, 2, &hour) || pos >= s.size() || s[pos++] != ':' ||
        !ReadNumber(s, &pos, 1, 2, &minute)) {
      return std::nullopt;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadNumber(s, &pos, 1, 2, &second)) return std::nullopt;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (digits < 6) micros = micros * 10 + (s[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0 || digits > 12) return std::nullopt;
        for (size_t i = digits; i < 6; ++i) micros *= 10;
      }
    }
    if (pos != s.size() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  }
  return days * 86'400'000'000 + ((hour * 60 + minute) * 60 + second) * 1'000'000 + micros;
}

Result<Coercions> Coercions::Make(const std::vector<DataType>& from,
                                  const std::vector<DataType>& to) {
  Coercions c;
  for (size_t i = 0; i < from.size(); ++i) {
    if (SameType(from[i], to[i])) {
      c.casts_.push_back(nullptr);
      continue;
    }
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<BoundScalar> cast, BindCast(from[i], to[i]));
    c.casts_.push_back(std::move(cast));
  }
  return c;
}

Status Coercions::Apply(Args args, size_t rows, std::vector<Column>* storage,
                        std::vector<const Column*>* coerced) const {
  storage->clear();
  storage->reserve(args.size());
  coerced->clear();
  for (size_t i = 0; i < args.size(); ++i) {
    if (i >= casts_.size() || casts_[i] == nullptr) {
      coerced->push_back(args[i]);
      continue;
    }
    storage->push_back(Column::Make(casts_[i]->type()));
    const Column* one[] = {args[i]};
    TARN_RETURN_IF_ERROR(casts_[i]->Evaluate(one, rows, &storage->back()));
    coerced->push_back(&storage->back());
  }
  return Status::Ok();
}

}  // namespace functions_internal

namespace {

using namespace functions_internal;  // NOLINT: this file is the functions' own.

// Trino's upper-case names in cast messages.
std::string CastName(const DataType& t) {
  switch (t.kind) {
    case TypeKind::kTinyInt:
      return "TINYINT";
    case TypeKind::kSmallInt:
      return "SMALLINT";
    case TypeKind::kInt:
      return "INT";
    case TypeKind::kBigInt:
      return "BIGINT";
    case TypeKind::kFloat:
      return "REAL";
    case TypeKind::kDouble:
      return "DOUBLE";
    case TypeKind::kBoolean:
      return "BOOLEAN";
    case TypeKind::kDecimal:
      return "DECIMAL(" + std::to_string(t.precision) + ", " + std::to_string(t.scale) + ")";
    default: {
      std::string name = SqlTypeName(t);
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return name;
    }
  }
}

Status OutOfRange(const DataType& to, const std::string& value) {
  return InvalidArgument("Out of range for " + SqlTypeName(to) + ": " + value);
}

std::string ValueText(const Column& c, size_t r) {
  switch (c.type.kind) {
    case TypeKind::kDouble:
      return JavaDoubleText(c.f64[r]);
    case TypeKind::kFloat:
      return JavaFloatText(c.f32[r]);
    case TypeKind::kDecimal:
      return DecimalText(UnscaledAt(c, r), c.type.scale);
    case TypeKind::kBoolean:
      return c.b8[r] ? "true" : "false";
    case TypeKind::kDate:
      return DateText(c.i32[r]);
    case TypeKind::kTimestamp:
      return TimestampText(c.i64[r]);
    default:
      if (c.type.is_text()) return std::string(c.string_at(r));
      return std::to_string(IntAt(c, r));
  }
}

std::optional<int64_t> ParseInteger(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return std::nullopt;
  int64_t v = 0;
  const auto result = std::from_chars(s.data(), s.data() + s.size(), v);
  if (result.ec != std::errc() || result.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view text) {
  std::string_view s = TrimSpaces(text);
  bool negative = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "NaN") return NAN;
  if (body == "Infinity") return negative ? -INFINITY : INFINITY;
  if (!body.empty() && std::strchr("dDfF", body.back()) != nullptr) body.remove_suffix(1);
  if (body.empty()) return std::nullopt;
  for (char c : body) {
    if (std::strchr("0123456789.eE+-", c) == nullptr) return std::nullopt;
  }
  double v = 0;
  const auto result = std::from_chars(body.data(), body.data() + body.size(), v);
  if (result.ptr != body.data() + body.size() && result.ec != std::errc::result_out_of_range) {
    return std::nullopt;
  }
  if (result.ec == std::errc::invalid_argument) return std::nullopt;
  if (result.ec == std::errc::result_out_of_range) {
    v = std::strtod(std::string(body).c_str(), nullptr);
  }
  return negative ? -v : v;
}

// A decimal literal "[+-]digits[.digits][e±n]" as an unscaled value of `scale`, rounded half
// away from zero; nullopt when it is not a number or does not fit 38 digits.
std::optional<__int128> ParseDecimal(std::string_view text, int scale) {
  std::string_view s = TrimSpaces(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  __int128 value = 0;
  int digits = 0, frac_digits = 0;
  bool dot = false;
  size_t i = 0;
  int dropped_first = -1;  // The first digit beyond what fits, for rounding.
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (dot && frac_digits >= scale) {
      if (dropped_first < 0) dropped_first = c - '0';
      ++digits;
      continue;
    }
    value = value * 10 + (c - '0');
    if (value >= Pow10(38)) return std::nullopt;
    if (dot) ++frac_digits;
    ++digits;
  }
  if (digits == 0 || i != s.size()) return std::nullopt;
  for (; frac_digits < scale; ++frac_digits) {
    value *= 10;
    if (value >= Pow10(38)) return std::nullopt;
  }
  if (dropped_first >= 5) ++value;
  return negative ? -value : value;
}

template <typename Fn>
std::unique_ptr<BoundScalar> Rows(const DataType& to, Fn fn) {
  return MakeScalar(to, [fn](Args args, size_t rows, Column* out) {
    const Column& in = *args[0];
    return MapRows(args, rows, out, [&](size_t r) { return fn(in, r, out); });
  });
}

Status AppendChecked(const DataType& to, int64_t v, const std::string& text, Column* out) {
  if (v < MinOf(to.kind) || v > MaxOf(to.kind)) return OutOfRange(to, text);
  AppendInt(out, v);
  return Status::Ok();
}

Result<std::unique_ptr<BoundScalar>> CastToInteger(const DataType& from, const DataType& to) {
  if (IsInteger(from) || from.kind == TypeKind::kBoolean) {
    return Rows(to, [to](const Column& in, size_t r, Column* out) {
      const int64_t v = in.type.kind == TypeKind::kBoolean ? in.b8[r] : IntAt(in, r);
      return AppendChecked(to, v, std::to_string(v), out);
    });
  }
  if (from.kind == TypeKind::kDouble || from.kind == TypeKind::kFloat) {
    return Rows(to, [to](const Column& in, size_t r, Column* out) {
      const double v = std::round(DoubleAt(in, r));
      if (!(v >= -9.3e18 && v <= 9.3e18)) return OutOfRange(to, ValueText(in, r));
      return AppendChecked(to, static_cast<int64_t>(v), ValueText(in, r), out);
    });
  }
  if (from.kind == TypeKind::kDecimal) {
    const __int128 f = Pow10(from.scale);
    return Rows(to, [to, f](const Column& in, size_t r, Column* out) {
      const __int128 v = RoundDiv(UnscaledAt(in, r), f);
      if (v < MinOf(to.kind) || v > MaxOf(to.kind)) return OutOfRange(to, ValueText(in, r));
      AppendInt(out, static_cast<int64_t>(v));
      return Status::Ok();
    });
  }
  if (from.is_text()) {
    return Rows(to, [to](const Column& in, size_t r, Column* out) {
      const std::optional<int64_t> v = ParseInteger(in.string_at(r));
      if (!v || *v < MinOf(to.kind) || *v > MaxOf(to.kind)) {
        return InvalidArgument("Cannot cast '" + std::string(in.string_at(r)) + "' to " +
                               CastName(to));
      }
      AppendInt(out, *v);
      return Status::Ok();
    });
  }
  return std::unique_ptr<BoundScalar>();
}

Result<std::unique_ptr<BoundScalar>> CastToFloating(const DataType& from, const DataType& to) {
  const bool is_double = to.kind == TypeKind::kDouble;
  auto append = [is_double](Column* out, double v) {
    if (is_double) {
      out->AppendDouble(v);
    } else {
      out->AppendFloat(static_cast<float>(v));
    }
  };
  if (IsNumeric(from)) {
    if (from.kind == TypeKind::kDecimal) {
      // Through the text, for the correctly rounded nearest value.
      return Rows(to, [append](const Column& in, size_t r, Column* out) {
        append(out, std::strtod(ValueText(in, r).c_str(), nullptr));
        return Status::Ok();
      });
    }
    return Rows(to, [append](const Column& in, size_t r, Column* out) {
      append(out, DoubleAt(in, r));
      return Status::Ok();
    });
  }
  if (from.kind == TypeKind::kBoolean) {
    return Rows(to, [append](const Column& in, size_t r, Column* out) {
      append(out, in.b8[r] ? 1.0 : 0.0);
      return Status::Ok();
    });
  }
  if (from.is_text()) {
    return Rows(to, [append, to](const Column& in, size_t r, Column* out) {
      const std::optional<double> v = ParseDouble(in.string_at(r));
      if (!v) {
        return InvalidArgument("Cannot cast '" + std::string(in.string_at(r)) + "' to " +
                               CastName(to));
      }
      append(out, *v);
      return Status::Ok();
    });
  }
  return std::unique_ptr<BoundScalar>();
}

Result<std::unique_ptr<BoundScalar>> CastToDecimal(const DataType& from, const DataType& to) {
  const int p = to.precision, s = to.scale;
  auto fail = [to](const Column& in, size_t r) {
    return InvalidArgument("Cannot cast " + CastName(in.type) + " '" + ValueText(in, r) + "' to " +
                           CastName(to));
  };
  if (IsInteger(from) || from.kind == TypeKind::kDecimal || from.kind == TypeKind::kBoolean) {
    const int from_scale = from.kind == TypeKind::kDecimal ? from.scale : 0;
    return Rows(to, [=](const Column& in, size_t r, Column* out) -> Status {
      const __int128 v = in.type.kind == TypeKind::kBoolean ? in.b8[r] : UnscaledAt(in, r);
      __int128 result = 0;
      if (s >= from_scale) {
        if (__builtin_mul_overflow(v, Pow10(s - from_scale), &result)) return fail(in, r);
      } else {
        result = RoundDiv(v, Pow10(from_scale - s));
      }
      if (!FitsPrecision(result, p)) return fail(in, r);
      AppendUnscaled(out, result);
      return Status::Ok();
    });
  }
  if (from.kind == TypeKind::kDouble || from.kind == TypeKind::kFloat) {
    return Rows(to, [=](const Column& in, size_t r, Column* out) -> Status {
      const double v = DoubleAt(in, r);
      if (!std::isfinite(v)) return fail(in, r);
      char buf[512];
      const int n = std::snprintf(buf, sizeof buf, "%.*f", std::min(s + 1, 60), v);
      if (n <= 0 || n >= static_cast<int>(sizeof buf)) return fail(in, r);
      const std::optional<__int128> result = ParseDecimal(std::string_view(buf, n), s);
      if (!result || !FitsPrecision(*result, p)) return fail(in, r);
      AppendUnscaled(out, *result);
      return Status::Ok();
    });
  }
  if (from.is_text()) {
    return Rows(to, [=](const Column& in, size_t r, Column* out) -> Status {
      const std::optional<__int128> result = ParseDecimal(in.string_at(r), s);
      if (!result) {
        return InvalidArgument("Cannot cast VARCHAR '" + std::string(in.string_at(r)) + "' to " +
                               CastName(to) + ". Value is not a number.");
      }
      if (!FitsPrecision(*result, p)) {
        return InvalidArgument("Cannot cast VARCHAR '" + std::string(in.string_at(r)) + "' to " +
                               CastName(to) + ". Value too large.");
      }
      AppendUnscaled(out, *result);
      return Status::Ok();
    });
  }
  return std::unique_ptr<BoundScalar>();
}

Result<std::unique_ptr<BoundScalar>> CastToVarchar(const DataType& from, const DataType& to) {
  if (from.is_nested() || from.kind == TypeKind::kBinary) return std::unique_ptr<BoundScalar>();
  const size_t limit = to.kind == TypeKind::kString ? SIZE_MAX : static_cast<size_t>(to.length);
  return Rows(to, [limit](const Column& in, size_t r, Column* out) {
    if (in.type.is_text()) {
      const std::string_view s = in.string_at(r);
      out->AppendBytes(limit == SIZE_MAX ? s : s.substr(0, CodePointOffset(s, limit)));
      return Status::Ok();
    }
    const std::string text = ValueText(in, r);
    out->AppendBytes(std::string_view(text).substr(0, CodePointOffset(text, limit)));
    return Status::Ok();
  });
}

}  // namespace

Result<std::unique_ptr<BoundScalar>> BindCast(const DataType& from, const DataType& to) {
  std::unique_ptr<BoundScalar> cast;
  if (SameType(from, to) && !to.is_text() && from.kind == to.kind) {
    cast = MakeScalar(to, [](Args args, size_t rows, Column* out) {
      out->Reserve(rows);
      for (size_t r = 0; r < rows; ++r) AppendRow(*args[0], r, out);
      return Status::Ok();
    });
  } else if (IsInteger(to)) {
    TARN_ASSIGN_OR_RETURN(cast, CastToInteger(from, to));
  } else if (to.kind == TypeKind::kDouble || to.kind == TypeKind::kFloat) {
    TARN_ASSIGN_OR_RETURN(cast, CastToFloating(from, to));
  } else if (to.kind == TypeKind::kDecimal) {
    TARN_ASSIGN_OR_RETURN(cast, CastToDecimal(from, to));
  } else if (to.is_text()) {
    TARN_ASSIGN_OR_RETURN(cast, CastToVarchar(from, to));
  } else if (to.kind == TypeKind::kBoolean) {
    if (IsNumeric(from)) {
      cast = Rows(to, [](const Column& in, size_t r, Column* out) {
        const bool v = in.type.kind == TypeKind::kDecimal ? UnscaledAt(in, r) != 0
                       : IsInteger(in.type)               ? IntAt(in, r) != 0
                                                          : DoubleAt(in, r) != 0;
        out->AppendBool(v);
        return Status::Ok();
      });
    } else if (from.is_text()) {
      cast = Rows(to, [](const Column& in, size_t r, Column* out) {
        std::string s(in.string_at(r));
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (s == "true" || s == "t" || s == "1") {
          out->AppendBool(true);
        } else if (s == "false" || s == "f" || s == "0") {
          out->AppendBool(false);
        } else {
          return InvalidArgument("Cannot cast '" + std::string(in.string_at(r)) + "' to BOOLEAN");
        }
        return Status::Ok();
      });
    }
  } else if (to.kind == TypeKind::kDate) {
    if (from.kind == TypeKind::kTimestamp) {
      cast = Rows(to, [](const Column& in, size_t r, Column* out) {
        const int64_t micros = in.i64[r];
        const int64_t day = 86'400'000'000;
        out->AppendInt32(static_cast<int32_t>(micros / day - (micros % day < 0 ? 1 : 0)));
        return Status::Ok();
      });
    } else if (from.is_text()) {
      cast = Rows(to, [](const Column& in, size_t r, Column* out) {
        const std::optional<int32_t> days = ParseSqlDate(in.string_at(r));
        if (!days) {
          return InvalidArgument("Value cannot be cast to date: " + std::string(in.string_at(r)));
        }
        out->AppendInt32(*days);
        return Status::Ok();
      });
    }
  } else if (to.kind == TypeKind::kTimestamp) {
    if (from.kind == TypeKind::kDate) {
      cast = Rows(to, [](const Column& in, size_t r, Column* out) {
        out->AppendInt64(MicrosAt(in, r));
        return Status::Ok();
      });
    } else if (from.is_text()) {
      cast = Rows(to, [](const Column& in, size_t r, Column* out) {
        const std::optional<int64_t> micros = ParseSqlTimestamp(in.string_at(r));
        if (!micros) {
          return InvalidArgument("Value cannot be cast to timestamp: " +
                                 std::string(in.string_at(r)));
        }
        out->AppendInt64(*micros);
        return Status::Ok();
      });
    }
  }
  if (cast == nullptr) {
    return InvalidArgument("Cannot cast " + SqlTypeName(from) + " to " + SqlTypeName(to));
  }
  return cast;
}

}  // namespace tarn::sql
