#include "formats/json/json_lines_reader.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/civil_time.h"
#include "common/json_text.h"

namespace tarn::formats {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A conversion's outcome: nullptr when it worked, otherwise why not (a static string, so that
// the hot path never allocates).
using Problem = const char*;
constexpr Problem kOutOfRange = "out of range";
constexpr Problem kNotANumber = "not a number";
constexpr Problem kBadTimestamp =
    "expected YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]][Z|+hh:mm] or an epoch number";

constexpr size_t kNoKey = static_cast<size_t>(-1);
// Field positions whose last matching column is remembered (see MatchTopLevel).
constexpr size_t kMaxHints = 256;

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

// `key` as it appears in a record against a name already lower-cased.
bool EqualsLowered(std::string_view key, std::string_view lowered) {
  if (key.size() != lowered.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    if (LowerAscii(key[i]) != lowered[i]) return false;
  }
  return true;
}

// ---- Framing -------------------------------------------------------------------------------

// The first byte in [p, end) that matters outside a JSON string: a quote, a bracket or a line
// break.
const char* FindOutsideString(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i open = _mm_set1_epi8('{');
  const __m128i close = _mm_set1_epi8('}');
  const __m128i case_bit = _mm_set1_epi8(0x20);
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Setting bit 5 maps '[' to '{' and ']' to '}' (and no other byte to either).
    const __m128i folded = _mm_or_si128(v, case_bit);
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, newline)),
                     _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  for (; p < end; ++p) {
    const char c = *p;
    if (c == '"' || c == '\n' || c == '{' || c == '}' || c == '[' || c == ']') return p;
  }
  return end;
}

// The first byte in [p, end) that matters inside a JSON string: a quote, a backslash or a line
// break.
const char* FindInString(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i newline = _mm_set1_epi8('\n');
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpeq_epi8(v, newline));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  for (; p < end; ++p) {
    if (*p == '"' || *p == '\\' || *p == '\n') return p;
  }
  return end;
}

// The length of `data` without trailing spaces, tabs and CRs.
size_t TrimRight(const char* data, size_t size) {
  while (size > 0 && (data[size - 1] == ' ' || data[size - 1] == '\t' || data[size - 1] == '\r')) {
    --size;
  }
  return size;
}

enum class FrameEnd { kClosed, kLineBreak, kNeedMore };

// Finds the end of the record starting with '{' at `begin` by counting brackets outside strings
// (simdjson checks the grammar afterwards). Sets *stop past the closing bracket (kClosed) or at
// the line break that interrupts the record (kLineBreak).
FrameEnd ScanObject(const char* begin, const char* end, const char** stop) {
  const char* p = begin + 1;
  int64_t depth = 1;
  for (;;) {
    p = FindOutsideString(p, end);
    if (p == end) return FrameEnd::kNeedMore;
    switch (*p) {
      case '"':
        for (++p;;) {
          p = FindInString(p, end);
          if (p == end) return FrameEnd::kNeedMore;
          if (*p == '"') break;
          if (*p == '\\') {
            if (end - p < 2) return FrameEnd::kNeedMore;
            if (p[1] != '\n') {
              p += 2;
              continue;
            }
            ++p;
          }
          *stop = p;
          return FrameEnd::kLineBreak;
        }
        ++p;
        break;
      case '\n':
        *stop = p;
        return FrameEnd::kLineBreak;
      case '{':
      case '[':
        ++depth;
        ++p;
        break;
      default:
        ++p;
        if (--depth == 0) {
          *stop = p;
          return FrameEnd::kClosed;
        }
    }
  }
}

// ---- Scalar conversions --------------------------------------------------------------------

// from_chars does not take a leading '+'; JSON strings written by people often have one.
std::string_view StripPlus(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  return s;
}

Problem ParseDouble(std::string_view s, double* out) {
  s = StripPlus(s);
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc::result_out_of_range) return kOutOfRange;
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return kNotANumber;
  return nullptr;
}

Problem DoubleToInt64(double d, int64_t* out) {
  if (!(d >= -9.223372036854775808e18 && d < 9.223372036854775808e18)) return kOutOfRange;
  if (d != std::trunc(d)) return "not an integer";
  *out = static_cast<int64_t>(d);
  return nullptr;
}

Problem ParseInteger(std::string_view s, int64_t* out) {
  const std::string_view t = StripPlus(s);
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  if (ec == std::errc() && ptr == t.data() + t.size()) return nullptr;
  if (ec == std::errc::result_out_of_range) return kOutOfRange;
  double d = 0;
  if (Problem p = ParseDouble(s, &d)) return p;
  return DoubleToInt64(d, out);
}

Problem CheckIntegerRange(int64_t v, TypeKind kind) {
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  if (kind == TypeKind::kTinyInt) lo = -128, hi = 127;
  if (kind == TypeKind::kSmallInt) lo = -32768, hi = 32767;
  if (kind == TypeKind::kInt) {
    lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  }
  return v < lo || v > hi ? kOutOfRange : nullptr;
}

// Decimal text ([+-]digits[.digits][(e|E)[+-]digits]) to an unscaled value with `scale` fraction
// digits, rounded half away from zero; more than `precision` digits in all is out of range.
Problem ParseDecimal(std::string_view s, int precision, int scale, __int128* out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  const size_t int_begin = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const size_t int_end = i;
  size_t frac_begin = i, frac_end = i;
  if (i < s.size() && s[i] == '.') {
    frac_begin = frac_end = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_end = i;
  }
  if (int_end == int_begin && frac_end == frac_begin) return kNotANumber;
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) exp_negative = s[i++] == '-';
    const size_t exp_begin = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      exponent = std::min<int64_t>(exponent * 10 + (s[i] - '0'), 1'000'000);
    }
    if (i == exp_begin) return kNotANumber;
    if (exp_negative) exponent = -exponent;
  }
  if (i != s.size()) return kNotANumber;

  // The digits, integer then fraction, form an integer D; the value is D * 10^(exponent -
  // fraction digits), so the unscaled value is D * 10^shift.
  const int64_t digit_count = static_cast<int64_t>((int_end - int_begin) + (frac_end - frac_begin));
  const auto digit = [&](int64_t k) {
    const size_t int_digits = int_end - int_begin;
    return s[static_cast<size_t>(k) < int_digits ? int_begin + k : frac_begin + (k - int_digits)] -
           '0';
  };
  const int64_t shift = exponent - static_cast<int64_t>(frac_end - frac_begin) + scale;
  const int64_t kept = std::min(digit_count, digit_count + shift);  // Digits before rounding.
  // Unsigned 128 bits, so that 10 * limit + 9 cannot overflow for 38 digits.
  unsigned __int128 limit = 1;
  for (int d = 0; d < precision; ++d) limit *= 10;
  limit -= 1;
  unsigned __int128 v = 0;
  for (int64_t k = 0; k < kept; ++k) {
    v = v * 10 + static_cast<unsigned>(digit(k));
    if (v > limit) return kOutOfRange;
  }
  for (int64_t k = digit_count; k < digit_count + shift && v != 0; ++k) {
    v *= 10;
    if (v > limit) return kOutOfRange;
  }
  if (kept < digit_count && kept >= 0 && digit(kept) >= 5 && ++v > limit) return kOutOfRange;
  *out = negative ? -static_cast<__int128>(v) : static_cast<__int128>(v);
  return nullptr;
}

// Stores an unscaled decimal in the column's storage: 64 bits up to 18 digits, else 128.
void AppendDecimal(Column* col, __int128 v) {
  if (StorageOf(col->type) == Storage::kInt128) {
    col->AppendInt128(v);
  } else {
    col->AppendInt64(static_cast<int64_t>(v));
  }
}

// Epoch seconds below 1e11 (until the year 5138), milliseconds above (from 1973-03-03).
Problem EpochIntegerToMicros(int64_t v, int64_t* out) {
  if (v > -100'000'000'000 && v < 100'000'000'000) {
    *out = v * kMicrosPerSecond;
    return nullptr;
  }
  if (v > std::numeric_limits<int64_t>::max() / 1000 ||
      v < std::numeric_limits<int64_t>::min() / 1000) {
    return kOutOfRange;
  }
  *out = v * 1000;
  return nullptr;
}

Problem EpochSecondsToMicros(double seconds, int64_t* out) {
  const double micros = seconds * 1e6;
  if (!(micros > -9.2e18 && micros < 9.2e18)) return kOutOfRange;
  *out = std::llround(micros);
  return nullptr;
}

// A cursor over timestamp text; each reader returns false when the text does not match.
struct TextCursor {
  std::string_view s;
  size_t pos = 0;

  bool Digits(int count, int* out) {
    if (s.size() - pos < static_cast<size_t>(count)) return false;
    int v = 0;
    for (int i = 0; i < count; ++i) {
      const unsigned d = static_cast<unsigned>(s[pos + i] - '0');
      if (d > 9) return false;
      v = v * 10 + static_cast<int>(d);
    }
    pos += count;
    *out = v;
    return true;
  }
  bool Take(char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
  }
  bool AtEnd() const { return pos == s.size(); }
};

// "YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,9}]]][Z|(+|-)hh[[:]mm]]" to microseconds UTC.
Problem ParseTimestampText(std::string_view s, int64_t* out) {
  TextCursor c{s};
  CivilDateTime t{};
  int year = 0;
  if (!c.Digits(4, &year) || !c.Take('-') || !c.Digits(2, &t.date.month) || !c.Take('-') ||
      !c.Digits(2, &t.date.day)) {
    return kBadTimestamp;
  }
  t.date.year = year;
  if (!IsValidDate(t.date.year, t.date.month, t.date.day)) return "no such date";
  int64_t offset_seconds = 0;
  if (!c.AtEnd()) {
    if (!c.Take(' ') && !c.Take('T')) return kBadTimestamp;
    if (!c.Digits(2, &t.hour) || !c.Take(':') || !c.Digits(2, &t.minute)) return kBadTimestamp;
    if (c.Take(':')) {
      if (!c.Digits(2, &t.second)) return kBadTimestamp;
      if (c.Take('.')) {
        int digits = 0, scale = 100000;
        for (; c.pos < s.size() && static_cast<unsigned>(s[c.pos] - '0') <= 9; ++c.pos, ++digits) {
          t.micros += (s[c.pos] - '0') * scale;
          scale /= 10;
        }
        if (digits == 0 || digits > 9) return kBadTimestamp;
      }
    }
    if (t.hour > 23 || t.minute > 59 || t.second > 59) return "time of day out of range";
    if (!c.Take('Z') && c.pos < s.size() && (s[c.pos] == '+' || s[c.pos] == '-')) {
      const int sign = s[c.pos++] == '-' ? -1 : 1;
      int hours = 0, minutes = 0;
      if (!c.Digits(2, &hours)) return kBadTimestamp;
      if (!c.AtEnd()) {
        c.Take(':');
        if (!c.Digits(2, &minutes)) return kBadTimestamp;
      }
      if (hours > 23 || minutes > 59) return "time zone offset out of range";
      offset_seconds = sign * (hours * 3600 + minutes * 60);
    }
  }
  if (!c.AtEnd()) return kBadTimestamp;
  *out = MicrosFromCivil(t) - offset_seconds * kMicrosPerSecond;
  return nullptr;
}

// Whether `s` is written as a date ("YYYY-"), not as a number.
bool LooksLikeDate(std::string_view s) { return s.size() >= 10 && s[4] == '-'; }

Problem ParseTimestampString(std::string_view s, int64_t* out) {
  if (LooksLikeDate(s)) return ParseTimestampText(s, out);
  int64_t v = 0;
  const std::string_view t = StripPlus(s);
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc() && ptr == t.data() + t.size()) return EpochIntegerToMicros(v, out);
  double d = 0;
  if (ParseDouble(s, &d) != nullptr || !std::isfinite(d)) return kBadTimestamp;
  return EpochSecondsToMicros(d, out);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Problem ParseDateString(std::string_view s, int32_t* out) {
  int64_t micros = 0;
  if (!LooksLikeDate(s)) return "expected YYYY-MM-DD";
  if (Problem p = ParseTimestampText(s, &micros)) return p;
  *out = static_cast<int32_t>(FloorDiv(micros, kSecondsPerDay * kMicrosPerSecond));
  return nullptr;
}

// The first `n` code points of UTF-8 text.
std::string_view FirstCodePoints(std::string_view s, int n) {
  if (s.size() <= static_cast<size_t>(n)) return s;
  int seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) return s.substr(0, i);
  }
  return s;
}

// The array or object that `v` is known to be. (Iterating `v.get_array().value_unsafe()` directly
// would iterate a destroyed temporary.)
simdjson::dom::array AsArray(const element& v) { return v.get_array().value_unsafe(); }
simdjson::dom::object AsObject(const element& v) { return v.get_object().value_unsafe(); }

// ---- JSON text of a parsed value ----------------------------------------------------------

// A JSON string: quotes and backslashes escaped, control characters as \u00XX, UTF-8 kept.
void AppendQuoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (byte < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[byte >> 4]);
      out->push_back(kHex[byte & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

template <typename T>
void AppendInteger(T v, std::string* out) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, result.ptr);
}

// Minified JSON text (as OpenX gives a string column), numbers in tarn's canonical forms.
void AppendJsonText(const element& v, std::string* out) {
  switch (v.type()) {
    case element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      for (const element item : AsArray(v)) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonText(item, out);
      }
      out->push_back(']');
      return;
    }
    case element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      for (const auto field : AsObject(v)) {
        if (!first) out->push_back(',');
        first = false;
        AppendQuoted(field.key, out);
        out->push_back(':');
        AppendJsonText(field.value, out);
      }
      out->push_back('}');
      return;
    }
    case element_type::INT64:
      AppendInteger(v.get_int64().value_unsafe(), out);
      return;
    case element_type::UINT64:
      AppendInteger(v.get_uint64().value_unsafe(), out);
      return;
    case element_type::DOUBLE:
      AppendPythonFloat(out, v.get_double().value_unsafe());
      return;
    case element_type::STRING:
      AppendQuoted(v.get_string().value_unsafe(), out);
      return;
    case element_type::BOOL:
      out->append(v.get_bool().value_unsafe() ? "true" : "false");
      return;
    case element_type::NULL_VALUE:
      out->append("null");
      return;
  }
}

const char* Noun(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

// Removes the rows from `rows` on (including a row half appended to nested children).
void TruncateColumn(Column* c, size_t rows) {
  const auto shrink = [](auto& v, size_t n) {
    if (v.size() > n) v.resize(n);
  };
  shrink(c->valid, rows);
  shrink(c->b8, rows);
  shrink(c->i32, rows);
  shrink(c->i64, rows);
  shrink(c->f32, rows);
  shrink(c->f64, rows);
  const Storage storage = StorageOf(c->type);
  if (storage == Storage::kBytes || storage == Storage::kList) {
    shrink(c->offsets, rows + 1);
    shrink(c->bytes, c->offsets[rows]);
  }
  const size_t child_rows = storage == Storage::kList ? c->offsets[rows] : rows;
  for (Column& child : c->children) TruncateColumn(&child, child_rows);
}

Status CheckType(const DataType& type, const std::string& column) {
  const auto fail = [&](std::string_view why) {
    return InvalidArgument(
        fmt::format("JSON column '{}' of type {}: {}", column, TypeName(type), why));
  };
  if (type.kind == TypeKind::kBinary) return fail("binary columns are not supported");
  if (type.kind == TypeKind::kDecimal && (type.precision < 1 || type.precision > 38)) {
    return fail("decimal precision must be 1 to 38");
  }
  if (type.kind == TypeKind::kMap && type.children.size() == 2 &&
      type.children[0].type.is_nested()) {
    return fail("a map key must be a primitive type");
  }
  for (const Field& child : type.children) TARN_RETURN_IF_ERROR(CheckType(child.type, column));
  return Status::Ok();
}

}  // namespace

// ---- The reader ----------------------------------------------------------------------------

class JsonLinesReader::Impl {
 public:
  Impl(std::unique_ptr<ByteSource> source, std::vector<JsonColumnSpec> specs,
       const JsonReaderOptions& options)
      : source_(std::move(source)),
        specs_(std::move(specs)),
        options_(options),
        capacity_(std::max<size_t>(options.buffer_bytes, 4)),  // Room for a byte order mark.
        buffer_(std::make_unique<char[]>(capacity_ + simdjson::SIMDJSON_PADDING)),
        parser_(options.max_record_bytes) {
    for (const JsonColumnSpec& spec : specs_) {
      std::vector<std::string> path = spec.path.empty() ? std::vector{spec.name} : spec.path;
      ColumnPlan plan;
      for (size_t i = 0; i < path.size(); ++i) {
        if (i > 0) plan.path_text += '.';
        plan.path_text += path[i];
        if (options_.case_insensitive) path[i] = LowerAscii(path[i]);
      }
      const auto it = std::find(keys_.begin(), keys_.end(), path[0]);
      plan.key = static_cast<size_t>(it - keys_.begin());
      if (it == keys_.end()) keys_.push_back(path[0]);
      plan.rest.assign(path.begin() + 1, path.end());
      plans_.push_back(std::move(plan));
    }
    found_.resize(keys_.size());
    have_.resize(keys_.size());
  }

  Result<size_t> ReadBatch(size_t max_rows, std::vector<Column>* out);

  uint64_t records() const { return records_; }
  uint64_t malformed_records() const { return malformed_; }
  const Status& first_malformed() const { return first_malformed_; }
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t last_bad_line() const { return last_bad_line_; }

 private:
  struct ColumnPlan {
    size_t key = 0;                 // Index in keys_ of the path's first key.
    std::vector<std::string> rest;  // The path below it (lower-cased when case-insensitive).
    std::string path_text;          // "a.b", for messages.
  };
  struct Record {
    const char* data = nullptr;
    size_t size = 0;
    uint64_t line = 0;
    uint64_t index_in_line = 0;  // 1-based position among the records starting on the line.
    Problem frame_error = nullptr;
    bool parsed = false;  // Whether `root` holds the record, parsed while framing it.
    element root;
  };

  Result<bool> NextRecord(Record* record);
  Status Refill();
  Status RecordTooLarge() const;
  std::string Where(const Record& record) const;

  simdjson::error_code Parse(const char* data, size_t size, element* root);
  bool Decode(const Record& record, std::vector<Column>* out);
  void MatchTopLevel(const simdjson::dom::object& object);
  bool KeyMatches(std::string_view key, size_t k) const {
    return options_.case_insensitive ? EqualsLowered(key, keys_[k]) : key == keys_[k];
  }
  simdjson::simdjson_result<element> Child(const element& object, std::string_view key) const {
    return options_.case_insensitive ? object.at_key_case_insensitive(key) : object.at_key(key);
  }
  bool Convert(const element& v, Column* col);
  bool ConvertString(std::string_view s, Column* col);
  void AppendText(std::string_view s, Column* col);
  bool Fail(std::string_view value_json, const DataType& type, Problem why);
  bool Fail(const element& v, const DataType& type, Problem why);

  std::unique_ptr<ByteSource> source_;
  std::vector<JsonColumnSpec> specs_;
  JsonReaderOptions options_;
  std::vector<ColumnPlan> plans_;
  std::vector<std::string> keys_;  // Distinct first path keys.

  // The read buffer: bytes [pos_, end_) are read and not yet framed; capacity_ bytes plus
  // simdjson's padding are allocated, so a record inside it can be parsed in place.
  size_t capacity_;
  std::unique_ptr<char[]> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool at_start_ = true;
  // After a malformed record, what follows on its line is skipped unless it is another record.
  enum class Skip { kNothing, kUnlessRecord, kToNewline };
  Skip skip_ = Skip::kNothing;
  bool precise_line_ = false;  // The line is not one object: frame it by counting brackets.
  uint64_t line_ = 1;
  uint64_t records_in_line_ = 0;

  simdjson::dom::parser parser_;
  std::vector<element> found_;  // Per key in keys_: its value in the current record,
  std::vector<uint8_t> have_;   // when have_ says it was found.
  std::vector<size_t> hints_;   // Per field position: the key matched there last time.
  std::string error_;           // Why the current record is bad.
  size_t error_column_ = kNoKey;

  uint64_t records_ = 0;
  uint64_t last_bad_line_ = 0;
  uint64_t malformed_ = 0;
  uint64_t bytes_read_ = 0;
  Status first_malformed_;
  Status pending_;  // A bad record found after the rows of the previous batch.
  Status failed_;   // A read error or an oversized record: reading is over.
};

Status JsonLinesReader::Impl::Refill() {
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == capacity_) {
    // A record fills the buffer: grow, but never much beyond the record cap.
    const size_t grown =
        std::max(capacity_ + 1, std::min(capacity_ * 2, options_.max_record_bytes + 1));
    auto bigger = std::make_unique<char[]>(grown + simdjson::SIMDJSON_PADDING);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = grown;
  }
  // Filling the buffer before framing means a record is rescanned only when it crosses a
  // buffer's end, not once per short read.
  while (end_ < capacity_) {
    TARN_ASSIGN_OR_RETURN(const size_t n, source_->Read(buffer_.get() + end_, capacity_ - end_));
    if (n == 0) {
      eof_ = true;
      break;
    }
    end_ += n;
    bytes_read_ += n;
  }
  if (at_start_) {
    at_start_ = false;
    if (end_ >= 3 && std::memcmp(buffer_.get(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  }
  return Status::Ok();
}

Status JsonLinesReader::Impl::RecordTooLarge() const {
  return Status(StatusCode::kResourceExhausted,
                fmt::format("{}: line {}: JSON record larger than the limit of {} bytes",
                            source_->name(), line_, options_.max_record_bytes));
}

// Skips separators (whitespace, and the rest of a line after a malformed record) and frames the
// next record. Returns false at the end of the input.
Result<bool> JsonLinesReader::Impl::NextRecord(Record* record) {
  for (;;) {
    char* const buf = buffer_.get();
    while (pos_ < end_) {
      const char c = buf[pos_];
      if (c == '\n') {
        ++line_;
        records_in_line_ = 0;
        skip_ = Skip::kNothing;
        precise_line_ = false;
        ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (skip_ == Skip::kToNewline || (skip_ == Skip::kUnlessRecord && c != '{')) {
        skip_ = Skip::kToNewline;  // Until the newline, even across refills.
        const void* newline = std::memchr(buf + pos_, '\n', end_ - pos_);
        pos_ = newline != nullptr ? static_cast<size_t>(static_cast<const char*>(newline) - buf)
                                  : end_;
      } else {
        break;
      }
    }
    if (pos_ == end_) {
      if (eof_) return false;
      TARN_RETURN_IF_ERROR(Refill());
      continue;
    }
    const char* begin = buf + pos_;
    const char* end = buf + end_;
    const char* stop = end;
    const bool object = *begin == '{';
    if (object && !precise_line_) {
      // Most input has one record a line: parse the whole line, and count brackets only when
      // simdjson does not take it as one object (several records, or a malformed one).
      if (const void* newline = std::memchr(begin, '\n', end - begin)) {
        const char* line_end = static_cast<const char*>(newline);
        const size_t size = TrimRight(begin, static_cast<size_t>(line_end - begin));
        if (size <= options_.max_record_bytes &&
            Parse(begin, size, &record->root) == simdjson::SUCCESS && record->root.is_object()) {
          skip_ = Skip::kNothing;
          *record = Record{begin, size, line_, ++records_in_line_, nullptr, true, record->root};
          pos_ = static_cast<size_t>(line_end - buf);
          return true;
        }
      }
      // Also when the line goes on past the buffer: looking for its end again for every record
      // of a long line (Firehose's concatenated records) would cost time quadratic in its length.
      precise_line_ = true;
    }
    FrameEnd frame = FrameEnd::kNeedMore;
    if (object) {
      frame = ScanObject(begin, end, &stop);
    } else if (const void* newline = std::memchr(begin, '\n', end - begin)) {
      // Not an object: the record is the rest of the line, reported as malformed.
      stop = static_cast<const char*>(newline);
      frame = FrameEnd::kLineBreak;
    }
    if (frame == FrameEnd::kNeedMore && !eof_) {
      if (end_ - pos_ > options_.max_record_bytes) return RecordTooLarge();
      TARN_RETURN_IF_ERROR(Refill());
      continue;
    }
    if (static_cast<size_t>(stop - begin) > options_.max_record_bytes) return RecordTooLarge();
    skip_ = Skip::kNothing;
    record->data = begin;
    record->size = static_cast<size_t>(stop - begin);
    record->line = line_;
    record->index_in_line = ++records_in_line_;
    record->frame_error = nullptr;
    record->parsed = false;
    if (object && frame == FrameEnd::kLineBreak) {
      record->frame_error = "the record is not closed at the end of its line";
    } else if (object && frame == FrameEnd::kNeedMore) {
      record->frame_error = "the input ends inside the record";
    }
    if (!object) record->size = TrimRight(begin, record->size);
    pos_ = static_cast<size_t>(stop - buf);
    return true;
  }
}

std::string JsonLinesReader::Impl::Where(const Record& record) const {
  if (record.index_in_line > 1) {
    return fmt::format("{}: line {}, record {}", source_->name(), record.line,
                       record.index_in_line);
  }
  return fmt::format("{}: line {}", source_->name(), record.line);
}

Result<size_t> JsonLinesReader::Impl::ReadBatch(size_t max_rows, std::vector<Column>* out) {
  if (max_rows == 0) return InvalidArgument("JsonLinesReader::ReadBatch: max_rows must be > 0");
  if (!failed_.ok()) return failed_;
  if (!pending_.ok()) return std::exchange(pending_, Status::Ok());
  bool reusable = out->size() == specs_.size();
  for (size_t c = 0; reusable && c < specs_.size(); ++c) {
    reusable = (*out)[c].type == specs_[c].type;
  }
  if (!reusable) {
    out->clear();
    for (const JsonColumnSpec& spec : specs_) out->push_back(Column::Make(spec.type));
  }
  for (Column& column : *out) {
    column.Clear();
    column.Reserve(std::min<size_t>(max_rows, 4096));
  }

  size_t rows = 0;
  Record record;
  while (rows < max_rows) {
    Result<bool> next = NextRecord(&record);
    if (!next.ok()) {
      failed_ = next.status();
      if (rows > 0) break;
      return failed_;
    }
    if (!*next) break;
    ++records_;
    error_column_ = kNoKey;
    bool ok = false;
    if (record.frame_error != nullptr) {
      error_ = record.frame_error;
    } else {
      ok = Decode(record, out);
    }
    if (ok) {
      ++rows;
      continue;
    }
    if (error_column_ == kNoKey) skip_ = Skip::kUnlessRecord;
    last_bad_line_ = record.line;
    for (Column& column : *out) TruncateColumn(&column, rows);
    Status bad =
        Corruption(error_column_ == kNoKey
                       ? fmt::format("{}: malformed JSON record: {}", Where(record), error_)
                       : fmt::format("{}: field '{}': {}", Where(record),
                                     plans_[error_column_].path_text, error_));
    if (!options_.skip_malformed) {
      if (rows == 0) return bad;
      pending_ = std::move(bad);
      break;
    }
    if (malformed_++ == 0) first_malformed_ = std::move(bad);
    for (Column& column : *out) column.AppendNull();
    ++rows;
  }
  return rows;
}

// Finds the requested top-level fields in one pass over the record's fields. Records of one
// stream usually list their fields in the same order, so the key found at each position last
// time is tried first.
void JsonLinesReader::Impl::MatchTopLevel(const simdjson::dom::object& object) {
  std::fill(have_.begin(), have_.end(), 0);
  size_t remaining = keys_.size();
  size_t position = 0;
  for (auto it = object.begin(); remaining > 0 && it != object.end(); ++it, ++position) {
    const std::string_view key = it.key();
    size_t k = position < hints_.size() ? hints_[position] : kNoKey;
    if (k == kNoKey || !KeyMatches(key, k)) {
      k = kNoKey;
      for (size_t i = 0; i < keys_.size(); ++i) {
        if (KeyMatches(key, i)) {
          k = i;
          break;
        }
      }
      if (position < kMaxHints) {
        if (hints_.size() <= position) hints_.resize(position + 1, kNoKey);
        hints_[position] = k;
      }
    }
    if (k == kNoKey || have_[k]) continue;
    have_[k] = 1;
    found_[k] = it.value();
    --remaining;
  }
}

simdjson::error_code JsonLinesReader::Impl::Parse(const char* data, size_t size, element* root) {
  if (size > parser_.capacity()) {
    // Grow geometrically rather than to each new largest record.
    const size_t want = std::max({size, 2 * parser_.capacity(), size_t{4096}});
    const simdjson::error_code grown = parser_.allocate(std::min(want, options_.max_record_bytes));
    if (grown != simdjson::SUCCESS) return grown;
  }
  // The buffer holds simdjson's padding after every record, so it parses in place.
  return parser_.parse(reinterpret_cast<const uint8_t*>(data), size, false).get(*root);
}

bool JsonLinesReader::Impl::Decode(const Record& record, std::vector<Column>* out) {
  element root = record.root;
  if (!record.parsed) {
    const simdjson::error_code parsed = Parse(record.data, record.size, &root);
    if (parsed != simdjson::SUCCESS) {
      error_ = simdjson::error_message(parsed);
      return false;
    }
  }
  if (!root.is_object()) {
    error_ = fmt::format("the top level is {}, not an object", Noun(root.type()));
    return false;
  }
  MatchTopLevel(AsObject(root));
  for (size_t c = 0; c < plans_.size(); ++c) {
    const ColumnPlan& plan = plans_[c];
    Column& column = (*out)[c];
    bool present = have_[plan.key] != 0;
    element value = found_[plan.key];
    for (size_t i = 0; present && i < plan.rest.size(); ++i) {
      present = value.is_object() && Child(value, plan.rest[i]).get(value) == simdjson::SUCCESS;
    }
    if (!present) {
      column.AppendNull();
    } else if (!Convert(value, &column)) {
      error_column_ = c;
      return false;
    }
  }
  return true;
}

bool JsonLinesReader::Impl::Fail(std::string_view value_json, const DataType& type, Problem why) {
  constexpr size_t kShown = 64;
  std::string shown(value_json.substr(0, kShown));
  if (value_json.size() > kShown) shown += "...";
  error_ = fmt::format("cannot convert {} to {}: {}", shown, TypeName(type), why);
  return false;
}

bool JsonLinesReader::Impl::Fail(const element& v, const DataType& type, Problem why) {
  std::string text;
  AppendJsonText(v, &text);
  return Fail(text, type, why);
}

void JsonLinesReader::Impl::AppendText(std::string_view s, Column* col) {
  if (col->type.kind != TypeKind::kString) s = FirstCodePoints(s, col->type.length);
  col->AppendBytes(s);
}

bool JsonLinesReader::Impl::ConvertString(std::string_view s, Column* col) {
  const DataType& type = col->type;
  Problem problem = nullptr;
  switch (type.kind) {
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
    case TypeKind::kBinary:
      AppendText(s, col);
      return true;
    case TypeKind::kBoolean:
      if (EqualsLowered(s, "true") || EqualsLowered(s, "false")) {
        col->AppendBool(s.size() == 4);
        return true;
      }
      problem = "expected true or false";
      break;
    case TypeKind::kTinyInt:
    case TypeKind::kSmallInt:
    case TypeKind::kInt:
    case TypeKind::kBigInt: {
      int64_t v = 0;
      problem = ParseInteger(s, &v);
      if (problem == nullptr) problem = CheckIntegerRange(v, type.kind);
      if (problem != nullptr) break;
      if (type.kind == TypeKind::kBigInt) {
        col->AppendInt64(v);
      } else {
        col->AppendInt32(static_cast<int32_t>(v));
      }
      return true;
    }
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      double d = 0;
      problem = ParseDouble(s, &d);
      if (problem == nullptr && type.kind == TypeKind::kFloat && std::isfinite(d) &&
          std::fabs(d) > std::numeric_limits<float>::max()) {
        problem = kOutOfRange;
      }
      if (problem != nullptr) break;
      if (type.kind == TypeKind::kFloat) {
        col->AppendFloat(static_cast<float>(d));
      } else {
        col->AppendDouble(d);
      }
      return true;
    }
    case TypeKind::kDecimal: {
      __int128 v = 0;
      problem = ParseDecimal(s, type.precision, type.scale, &v);
      if (problem != nullptr) break;
      AppendDecimal(col, v);
      return true;
    }
    case TypeKind::kDate: {
      int32_t days = 0;
      problem = ParseDateString(s, &days);
      if (problem != nullptr) break;
      col->AppendInt32(days);
      return true;
    }
    case TypeKind::kTimestamp: {
      int64_t micros = 0;
      problem = ParseTimestampString(s, &micros);
      if (problem != nullptr) break;
      col->AppendInt64(micros);
      return true;
    }
    case TypeKind::kArray:
      problem = "expected a JSON array, found a string";
      break;
    case TypeKind::kMap:
    case TypeKind::kStruct:
      problem = "expected a JSON object, found a string";
      break;
  }
  std::string quoted;
  AppendQuoted(s, &quoted);
  return Fail(quoted, type, problem);
}

bool JsonLinesReader::Impl::Convert(const element& v, Column* col) {
  const element_type json = v.type();
  if (json == element_type::NULL_VALUE) {
    col->AppendNull();
    return true;
  }
  if (json == element_type::STRING) return ConvertString(v.get_string().value_unsafe(), col);
  const DataType& type = col->type;
  const bool is_int = json == element_type::INT64;
  Problem problem = nullptr;
  switch (type.kind) {
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
    case TypeKind::kBinary: {
      const size_t start = col->bytes.size();
      AppendJsonText(v, &col->bytes);
      if (type.kind != TypeKind::kString) {
        const std::string_view text = std::string_view(col->bytes).substr(start);
        col->bytes.resize(start + FirstCodePoints(text, type.length).size());
      }
      col->valid.push_back(1);
      col->offsets.push_back(col->bytes.size());
      return true;
    }
    case TypeKind::kBoolean:
      if (json == element_type::BOOL) {
        col->AppendBool(v.get_bool().value_unsafe());
        return true;
      }
      if (is_int && (v.get_int64().value_unsafe() == 0 || v.get_int64().value_unsafe() == 1)) {
        col->AppendBool(v.get_int64().value_unsafe() == 1);
        return true;
      }
      problem = "expected true or false";
      break;
    case TypeKind::kTinyInt:
    case TypeKind::kSmallInt:
    case TypeKind::kInt:
    case TypeKind::kBigInt: {
      int64_t x = 0;
      if (is_int) {
        x = v.get_int64().value_unsafe();
      } else if (json == element_type::DOUBLE) {
        problem = DoubleToInt64(v.get_double().value_unsafe(), &x);
      } else {
        problem = json == element_type::UINT64 ? kOutOfRange : "expected a number";
      }
      if (problem == nullptr) problem = CheckIntegerRange(x, type.kind);
      if (problem != nullptr) break;
      if (type.kind == TypeKind::kBigInt) {
        col->AppendInt64(x);
      } else {
        col->AppendInt32(static_cast<int32_t>(x));
      }
      return true;
    }
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      double d = 0;
      if (v.get_double().get(d) != simdjson::SUCCESS) {  // Integers convert too.
        problem = "expected a number";
        break;
      }
      if (type.kind == TypeKind::kDouble) {
        col->AppendDouble(d);
        return true;
      }
      if (std::fabs(d) > std::numeric_limits<float>::max()) {
        problem = kOutOfRange;
        break;
      }
      col->AppendFloat(static_cast<float>(d));
      return true;
    }
    case TypeKind::kDecimal: {
      char text[32];
      std::to_chars_result written{text, {}};
      if (is_int) {
        written = std::to_chars(text, text + sizeof(text), v.get_int64().value_unsafe());
      } else if (json == element_type::DOUBLE) {
        // The shortest text that reads back as the same double: exact for the digits written.
        written = std::to_chars(text, text + sizeof(text), v.get_double().value_unsafe());
      } else {
        problem = json == element_type::UINT64 ? kOutOfRange : "expected a number";
        break;
      }
      __int128 unscaled = 0;
      problem = ParseDecimal(std::string_view(text, written.ptr - text), type.precision, type.scale,
                             &unscaled);
      if (problem != nullptr) break;
      AppendDecimal(col, unscaled);
      return true;
    }
    case TypeKind::kDate:
      if (is_int && v.get_int64().value_unsafe() >= std::numeric_limits<int32_t>::min() &&
          v.get_int64().value_unsafe() <= std::numeric_limits<int32_t>::max()) {
        col->AppendInt32(static_cast<int32_t>(v.get_int64().value_unsafe()));
        return true;
      }
      problem = is_int || json == element_type::UINT64 ? kOutOfRange
                                                       : "expected a date or days since 1970-01-01";
      break;
    case TypeKind::kTimestamp: {
      int64_t micros = 0;
      if (is_int) {
        problem = EpochIntegerToMicros(v.get_int64().value_unsafe(), &micros);
      } else if (json == element_type::DOUBLE) {
        problem = EpochSecondsToMicros(v.get_double().value_unsafe(), &micros);
      } else {
        problem = json == element_type::UINT64 ? kOutOfRange : kBadTimestamp;
      }
      if (problem != nullptr) break;
      col->AppendInt64(micros);
      return true;
    }
    case TypeKind::kArray:
      if (json != element_type::ARRAY) {
        problem = "expected a JSON array";
        break;
      }
      for (const element item : AsArray(v)) {
        if (!Convert(item, &col->children[0])) return false;
      }
      col->AppendListEnd();
      return true;
    case TypeKind::kMap:
      if (json != element_type::OBJECT) {
        problem = "expected a JSON object";
        break;
      }
      for (const auto field : AsObject(v)) {
        if (!ConvertString(field.key, &col->children[0]) ||
            !Convert(field.value, &col->children[1])) {
          return false;
        }
      }
      col->AppendListEnd();
      return true;
    case TypeKind::kStruct:
      if (json != element_type::OBJECT) {
        problem = "expected a JSON object";
        break;
      }
      for (size_t k = 0; k < type.children.size(); ++k) {
        const std::string& name = type.children[k].name;
        element field;
        if (Child(v, name).get(field) != simdjson::SUCCESS) {
          col->children[k].AppendNull();
        } else if (!Convert(field, &col->children[k])) {
          return false;
        }
      }
      col->AppendStructRow();
      return true;
  }
  return Fail(v, type, problem);
}

// ---- Public face ---------------------------------------------------------------------------

Result<std::unique_ptr<JsonLinesReader>> JsonLinesReader::Open(std::unique_ptr<ByteSource> source,
                                                               std::vector<JsonColumnSpec> columns,
                                                               const JsonReaderOptions& options) {
  if (options.buffer_bytes == 0 || options.max_record_bytes == 0) {
    return InvalidArgument("JSON reader options: buffer_bytes and max_record_bytes must be > 0");
  }
  for (const JsonColumnSpec& spec : columns) {
    if (spec.name.empty() && spec.path.empty()) {
      return InvalidArgument("JSON column without a name or a path");
    }
    TARN_RETURN_IF_ERROR(CheckType(spec.type, spec.name));
  }
  return std::unique_ptr<JsonLinesReader>(
      new JsonLinesReader(std::make_unique<Impl>(std::move(source), std::move(columns), options)));
}

JsonLinesReader::JsonLinesReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonLinesReader::~JsonLinesReader() = default;

Result<size_t> JsonLinesReader::ReadBatch(size_t max_rows, std::vector<Column>* out) {
  return impl_->ReadBatch(max_rows, out);
}
uint64_t JsonLinesReader::records() const { return impl_->records(); }
uint64_t JsonLinesReader::malformed_records() const { return impl_->malformed_records(); }
const Status& JsonLinesReader::first_malformed() const { return impl_->first_malformed(); }
uint64_t JsonLinesReader::bytes_read() const { return impl_->bytes_read(); }

uint64_t JsonLinesReader::last_bad_line() const { return impl_->last_bad_line(); }

}  // namespace tarn::formats
