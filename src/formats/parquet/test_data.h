// Random columns of any table type, for Parquet round-trip tests and benchmarks.
#pragma once

#include <string>
#include <vector>

#include "common/random.h"
#include "formats/column.h"

namespace tarn::formats::parquet::testing {

struct RandomColumnOptions {
  double null_probability = 0.2;
  size_t max_string = 20;
  size_t max_list = 4;
  int distinct = 0;  // > 0: values drawn from this many distinct ones (dictionary-friendly).
};

inline void AppendRandom(Column* c, Random& r, const RandomColumnOptions& o) {
  if (r.Bernoulli(o.null_probability)) {
    c->AppendNull();
    return;
  }
  const uint64_t pick = o.distinct > 0 ? r.UniformInt(static_cast<uint64_t>(o.distinct)) : r.Next();
  Random v(pick);  // Same pick, same value: lets `distinct` bound the value set.
  switch (c->type.kind) {
    case TypeKind::kBoolean:
      c->AppendBool(v.Next() & 1);
      break;
    case TypeKind::kTinyInt:
      c->AppendInt32(static_cast<int8_t>(v.Next()));
      break;
    case TypeKind::kSmallInt:
      c->AppendInt32(static_cast<int16_t>(v.Next()));
      break;
    case TypeKind::kInt:
      c->AppendInt32(static_cast<int32_t>(v.Next()));
      break;
    case TypeKind::kBigInt:
      c->AppendInt64(static_cast<int64_t>(v.Next()));
      break;
    case TypeKind::kFloat:
      c->AppendFloat(static_cast<float>(v.Normal(0, 1e6)));
      break;
    case TypeKind::kDouble:
      c->AppendDouble(v.Normal(0, 1e9));
      break;
    case TypeKind::kDecimal: {
      if (c->type.precision > kMaxDecimal64Digits) {
        unsigned __int128 limit = 1;
        for (int i = 0; i < c->type.precision; ++i) limit *= 10;
        // A magnitude below 10^precision and a sign: 2 * 10^38 would not fit in 128 bits.
        const auto magnitude = static_cast<__int128>(
            ((static_cast<unsigned __int128>(v.Next()) << 64) | v.Next()) % limit);
        c->AppendInt128((v.Next() & 1) ? -magnitude : magnitude);
        break;
      }
      int64_t limit = 1;
      for (int i = 0; i < c->type.precision; ++i) limit *= 10;
      c->AppendInt64(static_cast<int64_t>(v.UniformInt(2 * static_cast<uint64_t>(limit) - 1)) -
                     (limit - 1));
      break;
    }
    case TypeKind::kDate:
      c->AppendInt32(static_cast<int32_t>(v.UniformInt(40000)) - 5000);
      break;
    case TypeKind::kTimestamp:
      c->AppendInt64(static_cast<int64_t>(v.UniformInt(4'000'000'000'000'000ULL)) -
                     1'000'000'000'000'000LL);
      break;
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar: {
      static const char* kPieces[] = {"a", "b", "zz", "ł", "é", "漢", " ", "0", "\"", "\\"};
      std::string s;
      const size_t n = v.UniformInt(o.max_string + 1);
      for (size_t i = 0; i < n; ++i) s += kPieces[v.UniformInt(10)];
      c->AppendBytes(s);
      break;
    }
    case TypeKind::kBinary: {
      std::string s(v.UniformInt(o.max_string + 1), '\0');
      for (char& ch : s) ch = static_cast<char>(v.Next());
      c->AppendBytes(s);
      break;
    }
    case TypeKind::kArray: {
      const size_t n = r.UniformInt(o.max_list + 1);
      for (size_t i = 0; i < n; ++i) AppendRandom(&c->children[0], r, o);
      c->AppendListEnd();
      break;
    }
    case TypeKind::kMap: {
      const size_t n = r.UniformInt(o.max_list + 1);
      RandomColumnOptions keys = o;
      keys.null_probability = 0;
      for (size_t i = 0; i < n; ++i) {
        AppendRandom(&c->children[0], r, keys);
        AppendRandom(&c->children[1], r, o);
      }
      c->AppendListEnd();
      break;
    }
    case TypeKind::kStruct:
      c->AppendStructRow();
      for (Column& child : c->children) AppendRandom(&child, r, o);
      break;
  }
}

inline Column RandomColumn(const DataType& type, size_t rows, uint64_t seed,
                           const RandomColumnOptions& options = {}) {
  Column c = Column::Make(type);
  Random r(seed);
  for (size_t i = 0; i < rows; ++i) AppendRandom(&c, r, options);
  return c;
}

// Row `row` as canonical JSON text, for comparisons.
inline std::string RowText(const Column& c, size_t row) {
  std::string out;
  AppendJsonValue(c, row, &out);
  return out;
}

}  // namespace tarn::formats::parquet::testing
