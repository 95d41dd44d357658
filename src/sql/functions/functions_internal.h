// Shared machinery of the scalar functions (not a public header): the function table each
// *_functions.cc file fills, a BoundScalar made of a type and a closure, and readers and
// writers of vector values by storage. Everything here is pure or immutable once built, and
// safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/result.h"
#include "sql/functions/scalar.h"
#include "sql/types.h"

namespace tarn::sql::functions_internal {

using Args = std::span<const Column* const>;
using EvalFn = std::function<Status(Args args, size_t rows, Column* out)>;

// A bound function: its result type and the closure that fills the result vector. Whatever the
// closure captures (a compiled pattern) is immutable and shared by all evaluating threads.
class FnScalar final : public BoundScalar {
 public:
  FnScalar(DataType type, EvalFn fn, bool deterministic)
      : type_(std::move(type)), fn_(std::move(fn)), deterministic_(deterministic) {}
  const DataType& type() const override { return type_; }
  Status Evaluate(Args args, size_t rows, Column* out) const override {
    return fn_(args, rows, out);
  }
  bool deterministic() const override { return deterministic_; }

 private:
  DataType type_;
  EvalFn fn_;
  bool deterministic_;
};

using BoundPtr = std::unique_ptr<BoundScalar>;

inline BoundPtr MakeScalar(DataType type, EvalFn fn, bool deterministic = true) {
  return std::make_unique<FnScalar>(std::move(type), std::move(fn), deterministic);
}

// A binder returns a bound function, an error (a bad constant argument such as an invalid
// regular expression), or nullptr when it does not take arguments of these types; the registry
// then words Trino's "Unexpected parameters" error from the definition's signatures.
using BindFn = std::function<Result<BoundPtr>(const ScalarBinding&)>;

struct FunctionDef {
  std::vector<std::string> names;       // Lower case; the first is the canonical one.
  std::vector<std::string> signatures;  // Trino's form: "substr(varchar(x), bigint)".
  BindFn bind;
};

void AddMathFunctions(std::vector<FunctionDef>* defs);
void AddStringFunctions(std::vector<FunctionDef>* defs);
void AddDatetimeFunctions(std::vector<FunctionDef>* defs);
void AddJsonFunctions(std::vector<FunctionDef>* defs);

// --- Reading values -------------------------------------------------------------------------

inline bool IsKind(const DataType& t, TypeKind k) { return t.kind == k; }
inline bool IsDateLike(const DataType& t) {
  return t.kind == TypeKind::kDate || t.kind == TypeKind::kTimestamp;
}
inline bool Is32(const Column& c) { return formats::StorageOf(c.type) == formats::Storage::kInt32; }

// Integer types, date and timestamp (i32 or i64 storage).
inline int64_t IntAt(const Column& c, size_t r) { return Is32(c) ? c.i32[r] : c.i64[r]; }

// The unscaled value of a decimal, or an integer's value (scale 0).
inline __int128 UnscaledAt(const Column& c, size_t r) {
  switch (formats::StorageOf(c.type)) {
    case formats::Storage::kInt32:
      return c.i32[r];
    case formats::Storage::kInt64:
      return c.i64[r];
    default:
      return c.i128[r];
  }
}

__int128 Pow10(int exponent);  // 0 <= exponent <= 38
// num / den rounded half away from zero (den != 0).
__int128 RoundDiv(__int128 num, __int128 den);
// Whether |v| fits in `precision` decimal digits.
inline bool FitsPrecision(__int128 v, int precision) {
  const __int128 limit = Pow10(precision);
  return v < limit && v > -limit;
}

// Any numeric value as a double (decimals divided by 10^scale).
inline double DoubleAt(const Column& c, size_t r) {
  switch (c.type.kind) {
    case TypeKind::kDouble:
      return c.f64[r];
    case TypeKind::kFloat:
      return c.f32[r];
    case TypeKind::kDecimal:
      return static_cast<double>(UnscaledAt(c, r)) / static_cast<double>(Pow10(c.type.scale));
    default:
      return static_cast<double>(IntAt(c, r));
  }
}

// Date (days) or timestamp (microseconds) as microseconds.
inline int64_t MicrosAt(const Column& c, size_t r) {
  return c.type.kind == TypeKind::kDate ? int64_t{c.i32[r]} * 86'400'000'000 : c.i64[r];
}

// --- Writing values -------------------------------------------------------------------------

inline void AppendInt(Column* out, int64_t v) {
  if (Is32(*out)) {
    out->AppendInt32(static_cast<int32_t>(v));
  } else {
    out->AppendInt64(v);
  }
}
inline void AppendUnscaled(Column* out, __int128 v) {
  if (formats::StorageOf(out->type) == formats::Storage::kInt128) {
    out->AppendInt128(v);
  } else {
    out->AppendInt64(static_cast<int64_t>(v));
  }
}

// The smallest and largest value of an integer type.
int64_t MinOf(TypeKind kind);
int64_t MaxOf(TypeKind kind);

// --- Loops ----------------------------------------------------------------------------------

inline bool AnyNull(Args args, size_t r) {
  for (const Column* a : args) {
    if (a->is_null(r)) return true;
  }
  return false;
}

// The NULL-in, NULL-out loop: a row with a NULL argument gets NULL, every other row calls
// fn(r), which appends exactly one value (or NULL) to `out` and returns void or Status.
template <typename Fn>
Status MapRows(Args args, size_t rows, Column* out, Fn&& fn) {
  out->Reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    if (AnyNull(args, r)) {
      out->AppendNull();
      continue;
    }
    if constexpr (std::is_same_v<decltype(fn(r)), Status>) {
      TARN_RETURN_IF_ERROR(fn(r));
    } else {
      fn(r);
    }
  }
  return Status::Ok();
}

// --- Binding helpers ------------------------------------------------------------------------

// The constant value of argument `i` as text, or nullopt when it is not a constant or is NULL.
std::optional<std::string> ConstantText(const ScalarBinding& b, size_t i);
// Whether argument `i` is a constant NULL.
bool ConstantIsNull(const ScalarBinding& b, size_t i);

// Integer, decimal, real, double: the types a function taking double accepts (Trino coerces).
inline bool AcceptsDouble(const DataType& t) { return IsNumeric(t); }
// Integer types accepted where Trino takes bigint.
inline bool AcceptsBigint(const DataType& t) { return IsInteger(t); }

// Casts applied to arguments before a function sees them (the implicit coercions Trino inserts),
// built at bind time. Identity where an argument already has the target type.
class Coercions {
 public:
  // Fails when an argument cannot be cast to its target.
  static Result<Coercions> Make(const std::vector<DataType>& from, const std::vector<DataType>& to);
  // Coerced vectors of `args`: pointers into `args` or into `storage`.
  Status Apply(Args args, size_t rows, std::vector<Column>* storage,
               std::vector<const Column*>* coerced) const;

 private:
  std::vector<std::shared_ptr<const BoundScalar>> casts_;  // nullptr for identity.
};

// UTF-8: the number of code points of `s`, and the byte offset of code point `index` (clamped
// to the end).
size_t CodePointCount(std::string_view s);
size_t CodePointOffset(std::string_view s, size_t index);

// Java's Double.toString / Float.toString text (Trino's CAST(double AS varchar)): "1.5",
// "1.0E10", "1.0E-5", "NaN", "Infinity".
std::string JavaDoubleText(double v);
std::string JavaFloatText(float v);
// A decimal's text with exactly `scale` fraction digits: "-12.50", "0.05".
std::string DecimalText(__int128 unscaled, int scale);

// Microseconds since the epoch to "yyyy-mm-dd hh:mm:ss.SSS" (6 fraction digits when the value
// has sub-millisecond digits), Trino's text of timestamp(3).
std::string TimestampText(int64_t micros);
std::string DateText(int32_t days);

// Parses Trino's timestamp literal text 'yyyy-mm-dd[ hh:mm[:ss[.f…]]]'; nullopt when invalid.
std::optional<int64_t> ParseSqlTimestamp(std::string_view text);
std::optional<int32_t> ParseSqlDate(std::string_view text);

}  // namespace tarn::sql::functions_internal
