// Column: the values of one column for a run of rows, in memory, columnar (Arrow-like).
// Readers decode into Columns and writers encode from them; the query engine reads them as its
// vectors.
//
// Layout by type (n = size()):
//   valid      one byte per row, 1 = a value, 0 = NULL (always n long)
//   boolean    b8[n] (0/1)
//   tinyint, smallint, int, date (days since 1970-01-01)            i32[n]
//   bigint, timestamp (microseconds since 1970-01-01 UTC), decimal up to 18 digits (unscaled)
//                                                                    i64[n]
//   decimal of 19 to 38 digits (unscaled)                            i128[n]
//   float f32[n]; double f64[n]
//   string, varchar, char, binary: offsets[n+1] into bytes (value i is bytes[offsets[i],
//   offsets[i+1]))
//   array, map: offsets[n+1] into the rows of children[0] (array element; map key) and, for a
//   map, children[1] (value)
//   struct: children[k] holds field k, each n rows long
// A NULL row's slot holds a zero value (and an empty range for variable-length types).
// Not thread-safe; a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/types.h"

namespace tarn::formats {

enum class Storage { kBool, kInt32, kInt64, kInt128, kFloat, kDouble, kBytes, kList, kStruct };

// Decimals of more digits than this live in 128-bit storage.
inline constexpr int kMaxDecimal64Digits = 18;

// Which member of Column holds the values of a type.
Storage StorageOf(const DataType& type);

struct Column {
  DataType type;
  std::vector<uint8_t> valid;
  std::vector<uint8_t> b8;
  std::vector<int32_t> i32;
  std::vector<int64_t> i64;
  std::vector<__int128> i128;
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<uint64_t> offsets;  // Bytes, arrays and maps: n+1 entries, starting at 0.
  std::string bytes;
  std::vector<Column> children;

  // An empty column of `type` (with nested children made empty too).
  static Column Make(const DataType& type);

  size_t size() const { return valid.size(); }
  bool is_null(size_t row) const { return valid[row] == 0; }
  std::string_view string_at(size_t row) const {
    return std::string_view(bytes).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }

  // Appending, for flat types; each keeps every member consistent.
  void AppendNull();
  void AppendBool(bool v);
  void AppendInt32(int32_t v);
  void AppendInt64(int64_t v);
  void AppendInt128(__int128 v);
  void AppendFloat(float v);
  void AppendDouble(double v);
  void AppendBytes(std::string_view v);
  // For arrays and maps: closes a row whose children rows were appended since the last one.
  void AppendListEnd();
  // For structs: marks a row present; the caller appends one row to every child.
  void AppendStructRow();

  void Reserve(size_t rows);
  void Clear();
};

// Renders row `row` of `column` as a JSON value in tarn's canonical text form: NULL as null,
// booleans and numbers as JSON (NaN and infinities as strings "NaN", "Infinity", "-Infinity"),
// text as a JSON string, binary as a base64 JSON string, dates "YYYY-MM-DD", timestamps "YYYY-MM-DD
// HH:MM:SS.ffffff", decimals as a JSON string with exactly `scale` fraction digits, arrays as JSON
// arrays, maps as JSON objects of key text to value, structs as JSON objects. Tests compare this
// form with other implementations'.
void AppendJsonValue(const Column& column, size_t row, std::string* out);

}  // namespace tarn::formats
