// JavaDateFormat: the subset of Java's DateTimeFormatter patterns that partition projection
// (projection.<col>.format) and Firehose prefixes (!{timestamp:...}) use: the fixed-width
// numeric fields yyyy MM dd HH mm ss SSS, 'quoted literals' ('' is a quote) and other
// non-letter characters as themselves. Instants are microseconds since 1970-01-01 UTC within
// years 0000..9999. Immutable once compiled; safe to share between threads.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/civil_time.h"
#include "common/result.h"

namespace tarn {

namespace java_date_format_internal {
inline void AppendDigits(std::string& out, int64_t value, size_t width) {
  const std::string digits = std::to_string(value);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}
inline constexpr int64_t kMicrosPerMilli = 1000;
}  // namespace java_date_format_internal

// The fields of the supported subset, coarsest first; each has a fixed width.
enum class DateField { kLiteral, kYear, kMonth, kDay, kHour, kMinute, kSecond, kMilli };

class JavaDateFormat {
 public:
  // Fails with a message (without the property name) saying what is unsupported.
  static Result<JavaDateFormat> Compile(std::string_view pattern) {
    JavaDateFormat format;
    for (size_t i = 0; i < pattern.size();) {
      const char c = pattern[i];
      if (c == '\'') {
        if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
          format.AddLiteral("'");
          i += 2;
          continue;
        }
        std::string literal;
        size_t j = i + 1;
        for (;; ++j) {
          if (j >= pattern.size()) {
            return InvalidArgument(fmt::format("unterminated quote at position {}", i));
          }
          if (pattern[j] != '\'') {
            literal += pattern[j];
          } else if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
            literal += '\'';
            ++j;
          } else {
            break;
          }
        }
        format.AddLiteral(literal);
        i = j + 1;
        continue;
      }
      const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!letter && std::string_view("[]{}#").find(c) == std::string_view::npos) {
        format.AddLiteral(std::string(1, c));
        ++i;
        continue;
      }
      size_t j = i;
      while (j < pattern.size() && pattern[j] == c) ++j;
      const std::string_view run = pattern.substr(i, j - i);
      const std::optional<DateField> field = FieldOf(run);
      if (!field) {
        return InvalidArgument(fmt::format(
            "unsupported pattern '{}' at position {} (supported: yyyy MM dd HH mm ss SSS, "
            "'quoted text' and non-letters)",
            run, i));
      }
      format.pieces_.push_back({*field, ""});
      format.finest_ = std::max(format.finest_, *field);
      i = j;
    }
    if (format.finest_ == DateField::kLiteral) {
      return InvalidArgument("the pattern has no date or time fields");
    }
    return format;
  }

  // `micros` must lie within MinInstant()..MaxInstant().
  std::string Format(int64_t micros) const {
    const CivilDateTime t = CivilFromMicros(micros);
    const int64_t fields[] = {
        0,      t.date.year, t.date.month, t.date.day,
        t.hour, t.minute,    t.second,     t.micros / java_date_format_internal::kMicrosPerMilli};
    std::string out;
    for (const FormatPiece& p : pieces_) {
      if (p.field == DateField::kLiteral) {
        out += p.literal;
      } else {
        java_date_format_internal::AppendDigits(out, fields[static_cast<int>(p.field)],
                                                Width(p.field));
      }
    }
    return out;
  }

  // The instant `text` names, all of it; fields the pattern lacks default to 1970-01-01
  // 00:00:00.000. std::nullopt when the text does not match or names no valid date.
  std::optional<int64_t> Parse(std::string_view text) const {
    int fields[] = {0, 1970, 1, 1, 0, 0, 0, 0};  // Indexed by DateField.
    size_t pos = 0;
    for (const FormatPiece& p : pieces_) {
      if (p.field == DateField::kLiteral) {
        if (text.substr(pos, p.literal.size()) != p.literal) return std::nullopt;
        pos += p.literal.size();
        continue;
      }
      const size_t width = Width(p.field);
      if (pos + width > text.size()) return std::nullopt;
      int value = 0;
      for (size_t k = 0; k < width; ++k) {
        const char c = text[pos + k];
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
      }
      pos += width;
      fields[static_cast<int>(p.field)] = value;
    }
    const CivilDateTime t{{fields[1], fields[2], fields[3]},
                          fields[4],
                          fields[5],
                          fields[6],
                          fields[7] * static_cast<int>(java_date_format_internal::kMicrosPerMilli)};
    if (pos != text.size() || !IsValidDate(t.date.year, t.date.month, t.date.day) || t.hour > 23 ||
        t.minute > 59 || t.second > 59) {
      return std::nullopt;
    }
    return MicrosFromCivil(t);
  }

  // `micros` with the fields finer than the pattern's finest one zeroed.
  int64_t Truncate(int64_t micros) const { return *Parse(Format(micros)); }

  // The finest field the pattern has (kYear .. kMilli).
  DateField finest() const { return finest_; }

 private:
  static size_t Width(DateField field) {
    return field == DateField::kYear ? 4 : field == DateField::kMilli ? 3 : 2;
  }

  static std::optional<DateField> FieldOf(std::string_view run) {
    if (run == "yyyy") return DateField::kYear;
    if (run == "MM") return DateField::kMonth;
    if (run == "dd") return DateField::kDay;
    if (run == "HH") return DateField::kHour;
    if (run == "mm") return DateField::kMinute;
    if (run == "ss") return DateField::kSecond;
    if (run == "SSS") return DateField::kMilli;
    return std::nullopt;
  }

  void AddLiteral(const std::string& text) {
    if (!pieces_.empty() && pieces_.back().field == DateField::kLiteral) {
      pieces_.back().literal += text;
    } else {
      pieces_.push_back({DateField::kLiteral, text});
    }
  }

  struct FormatPiece {
    DateField field;
    std::string literal;  // For kLiteral.
  };
  std::vector<FormatPiece> pieces_;
  DateField finest_ = DateField::kLiteral;
};

}  // namespace tarn
