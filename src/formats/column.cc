#include "formats/column.h"

#include <cmath>
#include <cstdlib>

#include "common/base64.h"
#include "common/civil_time.h"
#include "common/json_text.h"

namespace tarn::formats {

Storage StorageOf(const DataType& type) {
  switch (type.kind) {
    case TypeKind::kBoolean:
      return Storage::kBool;
    case TypeKind::kTinyInt:
    case TypeKind::kSmallInt:
    case TypeKind::kInt:
    case TypeKind::kDate:
      return Storage::kInt32;
    case TypeKind::kBigInt:
    case TypeKind::kTimestamp:
      return Storage::kInt64;
    case TypeKind::kDecimal:
      return type.precision > kMaxDecimal64Digits ? Storage::kInt128 : Storage::kInt64;
    case TypeKind::kFloat:
      return Storage::kFloat;
    case TypeKind::kDouble:
      return Storage::kDouble;
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
    case TypeKind::kBinary:
      return Storage::kBytes;
    case TypeKind::kArray:
    case TypeKind::kMap:
      return Storage::kList;
    case TypeKind::kStruct:
      return Storage::kStruct;
  }
  return Storage::kBytes;
}

Column Column::Make(const DataType& type) {
  Column c;
  c.type = type;
  const Storage storage = StorageOf(type);
  if (storage == Storage::kBytes || storage == Storage::kList) c.offsets.push_back(0);
  for (const Field& child : type.children) c.children.push_back(Make(child.type));
  return c;
}

void Column::AppendNull() {
  valid.push_back(0);
  switch (StorageOf(type)) {
    case Storage::kBool:
      b8.push_back(0);
      break;
    case Storage::kInt32:
      i32.push_back(0);
      break;
    case Storage::kInt64:
      i64.push_back(0);
      break;
    case Storage::kInt128:
      i128.push_back(0);
      break;
    case Storage::kFloat:
      f32.push_back(0);
      break;
    case Storage::kDouble:
      f64.push_back(0);
      break;
    case Storage::kBytes:
    case Storage::kList:
      offsets.push_back(offsets.back());
      break;
    case Storage::kStruct:
      for (Column& child : children) child.AppendNull();
      break;
  }
}

void Column::AppendBool(bool v) {
  valid.push_back(1);
  b8.push_back(v ? 1 : 0);
}
void Column::AppendInt32(int32_t v) {
  valid.push_back(1);
  i32.push_back(v);
}
void Column::AppendInt64(int64_t v) {
  valid.push_back(1);
  i64.push_back(v);
}
void Column::AppendInt128(__int128 v) {
  valid.push_back(1);
  i128.push_back(v);
}
void Column::AppendFloat(float v) {
  valid.push_back(1);
  f32.push_back(v);
}
void Column::AppendDouble(double v) {
  valid.push_back(1);
  f64.push_back(v);
}
void Column::AppendBytes(std::string_view v) {
  valid.push_back(1);
  bytes.append(v);
  offsets.push_back(bytes.size());
}
void Column::AppendListEnd() {
  valid.push_back(1);
  offsets.push_back(children[0].size());
}
void Column::AppendStructRow() { valid.push_back(1); }

void Column::Reserve(size_t rows) {
  valid.reserve(rows);
  switch (StorageOf(type)) {
    case Storage::kBool:
      b8.reserve(rows);
      break;
    case Storage::kInt32:
      i32.reserve(rows);
      break;
    case Storage::kInt64:
      i64.reserve(rows);
      break;
    case Storage::kInt128:
      i128.reserve(rows);
      break;
    case Storage::kFloat:
      f32.reserve(rows);
      break;
    case Storage::kDouble:
      f64.reserve(rows);
      break;
    case Storage::kBytes:
    case Storage::kList:
      offsets.reserve(rows + 1);
      break;
    case Storage::kStruct:
      for (Column& child : children) child.Reserve(rows);
      break;
  }
}

void Column::Clear() {
  valid.clear();
  b8.clear();
  i32.clear();
  i64.clear();
  i128.clear();
  f32.clear();
  f64.clear();
  bytes.clear();
  offsets.clear();
  const Storage storage = StorageOf(type);
  if (storage == Storage::kBytes || storage == Storage::kList) offsets.push_back(0);
  for (Column& child : children) child.Clear();
}

namespace {

void AppendJsonNumber(double v, std::string* out) {
  if (std::isnan(v) || std::isinf(v)) {
    out->push_back('"');
    AppendPythonFloat(out, v);
    out->push_back('"');
    return;
  }
  AppendPythonFloat(out, v);
}

void AppendDecimal(__int128 unscaled, int scale, std::string* out) {
  out->push_back('"');
  if (unscaled < 0) out->push_back('-');
  // The magnitude as unsigned, so that the most negative value works too.
  unsigned __int128 magnitude = unscaled < 0 ? 0 - static_cast<unsigned __int128>(unscaled)
                                             : static_cast<unsigned __int128>(unscaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), 1, '.');
  }
  out->append(digits);
  out->push_back('"');
}


}  // namespace

void AppendJsonValue(const Column& column, size_t row, std::string* out) {
  if (column.is_null(row)) {
    out->append("null");
    return;
  }
  switch (column.type.kind) {
    case TypeKind::kBoolean:
      out->append(column.b8[row] ? "true" : "false");
      return;
    case TypeKind::kTinyInt:
    case TypeKind::kSmallInt:
    case TypeKind::kInt:
      out->append(std::to_string(column.i32[row]));
      return;
    case TypeKind::kBigInt:
      out->append(std::to_string(column.i64[row]));
      return;
    case TypeKind::kFloat:
      AppendJsonNumber(column.f32[row], out);
      return;
    case TypeKind::kDouble:
      AppendJsonNumber(column.f64[row], out);
      return;
    case TypeKind::kDecimal:
      AppendDecimal(StorageOf(column.type) == Storage::kInt128 ? column.i128[row] : column.i64[row],
                    column.type.scale, out);
      return;
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
      AppendJsonString(out, column.string_at(row));
      return;
    case TypeKind::kBinary:
      out->push_back('"');
      AppendBase64(column.string_at(row), out);
      out->push_back('"');
      return;
    case TypeKind::kDate: {
      const CivilDate d = CivilFromDays(column.i32[row]);
      char buf[32];
      const int n = std::snprintf(buf, sizeof(buf), "\"%04lld-%02d-%02d\"",
                                  static_cast<long long>(d.year), d.month, d.day);
      out->append(buf, static_cast<size_t>(n));
      return;
    }
    case TypeKind::kTimestamp: {
      char buf[32];
      out->push_back('"');
      out->append(buf, AppendTimestamp(buf, column.i64[row]));
      out->push_back('"');
      return;
    }
    case TypeKind::kArray: {
      out->push_back('[');
      for (uint64_t i = column.offsets[row]; i < column.offsets[row + 1]; ++i) {
        if (i > column.offsets[row]) out->append(", ");
        AppendJsonValue(column.children[0], i, out);
      }
      out->push_back(']');
      return;
    }
    case TypeKind::kMap: {
      out->push_back('{');
      for (uint64_t i = column.offsets[row]; i < column.offsets[row + 1]; ++i) {
        if (i > column.offsets[row]) out->append(", ");
        std::string key;
        AppendJsonValue(column.children[0], i, &key);
        if (key.empty() || key[0] != '"') {
          std::string quoted;
          AppendJsonString(&quoted, key);
          key = std::move(quoted);
        }
        out->append(key);
        out->append(": ");
        AppendJsonValue(column.children[1], i, out);
      }
      out->push_back('}');
      return;
    }
    case TypeKind::kStruct: {
      out->push_back('{');
      for (size_t k = 0; k < column.children.size(); ++k) {
        if (k > 0) out->append(", ");
        AppendJsonString(out, column.type.children[k].name);
        out->append(": ");
        AppendJsonValue(column.children[k], row, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace tarn::formats
