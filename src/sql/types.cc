#include "sql/types.h"

#include <algorithm>

namespace tarn::sql {

namespace {

// Trino's implicit widening of an integer type to a decimal: tinyint decimal(3,0), smallint
// decimal(5,0), integer decimal(10,0), bigint decimal(19,0).
int IntegerDigits(TypeKind kind) {
  switch (kind) {
    case TypeKind::kTinyInt:
      return 3;
    case TypeKind::kSmallInt:
      return 5;
    case TypeKind::kInt:
      return 10;
    default:
      return 19;
  }
}

int IntegerRank(TypeKind kind) {
  switch (kind) {
    case TypeKind::kTinyInt:
      return 0;
    case TypeKind::kSmallInt:
      return 1;
    case TypeKind::kInt:
      return 2;
    default:
      return 3;
  }
}

DataType CommonDecimal(const DataType& a, const DataType& b) {
  const int scale = std::max(a.scale, b.scale);
  const int whole = std::max(a.precision - a.scale, b.precision - b.scale);
  return DecimalType(std::min(38, whole + scale), scale);
}

}  // namespace

std::string SqlTypeName(const DataType& type) {
  switch (type.kind) {
    case TypeKind::kBoolean:
      return "boolean";
    case TypeKind::kTinyInt:
      return "tinyint";
    case TypeKind::kSmallInt:
      return "smallint";
    case TypeKind::kInt:
      return "integer";
    case TypeKind::kBigInt:
      return "bigint";
    case TypeKind::kFloat:
      return "real";
    case TypeKind::kDouble:
      return "double";
    case TypeKind::kDecimal:
      return "decimal(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
    case TypeKind::kString:
      return "varchar";
    case TypeKind::kVarchar:
      return "varchar(" + std::to_string(type.length) + ")";
    case TypeKind::kChar:
      return "char(" + std::to_string(type.length) + ")";
    case TypeKind::kBinary:
      return "varbinary";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kTimestamp:
      return "timestamp(3)";
    case TypeKind::kArray:
      return "array(" + SqlTypeName(type.children[0].type) + ")";
    case TypeKind::kMap:
      return "map(" + SqlTypeName(type.children[0].type) + ", " +
             SqlTypeName(type.children[1].type) + ")";
    case TypeKind::kStruct: {
      std::string out = "row(";
      for (size_t i = 0; i < type.children.size(); ++i) {
        if (i > 0) out += ", ";
        out += type.children[i].name + " " + SqlTypeName(type.children[i].type);
      }
      return out + ")";
    }
  }
  return "unknown";
}

DataType BooleanType() { return DataType::Of(TypeKind::kBoolean); }
DataType IntegerType() { return DataType::Of(TypeKind::kInt); }
DataType BigintType() { return DataType::Of(TypeKind::kBigInt); }
DataType DoubleType() { return DataType::Of(TypeKind::kDouble); }
DataType RealType() { return DataType::Of(TypeKind::kFloat); }
DataType VarcharType() { return DataType::Of(TypeKind::kString); }
DataType DateType() { return DataType::Of(TypeKind::kDate); }
DataType TimestampType() { return DataType::Of(TypeKind::kTimestamp); }
DataType DecimalType(int precision, int scale) { return DataType::Decimal(precision, scale); }

bool IsInteger(const DataType& type) {
  return type.kind == TypeKind::kTinyInt || type.kind == TypeKind::kSmallInt ||
         type.kind == TypeKind::kInt || type.kind == TypeKind::kBigInt;
}

bool IsNumeric(const DataType& type) {
  return IsInteger(type) || type.kind == TypeKind::kFloat || type.kind == TypeKind::kDouble ||
         type.kind == TypeKind::kDecimal;
}

bool IsText(const DataType& type) { return type.is_text(); }

bool SameType(const DataType& a, const DataType& b) {
  if (IsText(a) && IsText(b)) return true;
  if (a.kind != b.kind) return false;
  if (a.kind == TypeKind::kDecimal) return a.precision == b.precision && a.scale == b.scale;
  if (a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameType(a.children[i].type, b.children[i].type)) return false;
  }
  return true;
}

DataType AsDecimal(const DataType& type) {
  if (type.kind == TypeKind::kDecimal) return type;
  return DecimalType(IntegerDigits(type.kind), 0);
}

std::optional<DataType> CommonSuperType(const DataType& a, const DataType& b) {
  if (IsText(a) && IsText(b)) return VarcharType();
  if (IsNumeric(a) && IsNumeric(b)) {
    if (a.kind == TypeKind::kDouble || b.kind == TypeKind::kDouble) return DoubleType();
    if (a.kind == TypeKind::kFloat || b.kind == TypeKind::kFloat) return RealType();
    if (IsInteger(a) && IsInteger(b)) return IntegerRank(a.kind) >= IntegerRank(b.kind) ? a : b;
    return CommonDecimal(AsDecimal(a), AsDecimal(b));
  }
  const bool a_time = a.kind == TypeKind::kDate || a.kind == TypeKind::kTimestamp;
  const bool b_time = b.kind == TypeKind::kDate || b.kind == TypeKind::kTimestamp;
  if (a_time && b_time) return a.kind == b.kind ? a : TimestampType();
  if (a.kind != b.kind || a.children.size() != b.children.size()) return std::nullopt;
  if (!a.is_nested()) return a;
  DataType out = a;
  for (size_t i = 0; i < a.children.size(); ++i) {
    std::optional<DataType> child = CommonSuperType(a.children[i].type, b.children[i].type);
    if (!child) return std::nullopt;
    out.children[i].type = std::move(*child);
  }
  return out;
}

void AppendRow(const Column& from, size_t row, Column* to) {
  if (from.is_null(row)) {
    to->AppendNull();
    return;
  }
  switch (formats::StorageOf(from.type)) {
    case formats::Storage::kBool:
      to->AppendBool(from.b8[row] != 0);
      break;
    case formats::Storage::kInt32:
      to->AppendInt32(from.i32[row]);
      break;
    case formats::Storage::kInt64:
      to->AppendInt64(from.i64[row]);
      break;
    case formats::Storage::kInt128:
      to->AppendInt128(from.i128[row]);
      break;
    case formats::Storage::kFloat:
      to->AppendFloat(from.f32[row]);
      break;
    case formats::Storage::kDouble:
      to->AppendDouble(from.f64[row]);
      break;
    case formats::Storage::kBytes:
      to->AppendBytes(from.string_at(row));
      break;
    case formats::Storage::kList:
      for (uint64_t i = from.offsets[row]; i < from.offsets[row + 1]; ++i) {
        for (size_t c = 0; c < from.children.size(); ++c) {
          AppendRow(from.children[c], i, &to->children[c]);
        }
      }
      to->AppendListEnd();
      break;
    case formats::Storage::kStruct:
      for (size_t c = 0; c < from.children.size(); ++c) {
        AppendRow(from.children[c], row, &to->children[c]);
      }
      to->AppendStructRow();
      break;
  }
}

Column Broadcast(const Column& column, size_t row, size_t rows) {
  if (column.is_null(row)) return Nulls(column.type, rows);
  Column out = Column::Make(column.type);
  // Flat types are filled whole; nested ones row by row.
  switch (formats::StorageOf(column.type)) {
    case formats::Storage::kBool:
      out.b8.assign(rows, column.b8[row]);
      break;
    case formats::Storage::kInt32:
      out.i32.assign(rows, column.i32[row]);
      break;
    case formats::Storage::kInt64:
      out.i64.assign(rows, column.i64[row]);
      break;
    case formats::Storage::kInt128:
      out.i128.assign(rows, column.i128[row]);
      break;
    case formats::Storage::kFloat:
      out.f32.assign(rows, column.f32[row]);
      break;
    case formats::Storage::kDouble:
      out.f64.assign(rows, column.f64[row]);
      break;
    case formats::Storage::kBytes: {
      const std::string_view value = column.string_at(row);
      out.bytes.reserve(value.size() * rows);
      out.offsets.resize(rows + 1);
      for (size_t i = 0; i < rows; ++i) {
        out.bytes.append(value);
        out.offsets[i + 1] = out.bytes.size();
      }
      break;
    }
    default:
      out.Reserve(rows);
      for (size_t i = 0; i < rows; ++i) AppendRow(column, row, &out);
      return out;
  }
  out.valid.assign(rows, 1);
  return out;
}

Column Nulls(const DataType& type, size_t rows) {
  Column out = Column::Make(type);
  switch (formats::StorageOf(type)) {
    case formats::Storage::kBool:
      out.b8.assign(rows, 0);
      break;
    case formats::Storage::kInt32:
      out.i32.assign(rows, 0);
      break;
    case formats::Storage::kInt64:
      out.i64.assign(rows, 0);
      break;
    case formats::Storage::kInt128:
      out.i128.assign(rows, 0);
      break;
    case formats::Storage::kFloat:
      out.f32.assign(rows, 0);
      break;
    case formats::Storage::kDouble:
      out.f64.assign(rows, 0);
      break;
    case formats::Storage::kBytes:
      out.offsets.assign(rows + 1, 0);
      break;
    default:
      out.Reserve(rows);
      for (size_t i = 0; i < rows; ++i) out.AppendNull();
      return out;
  }
  out.valid.assign(rows, 0);
  return out;
}

}  // namespace tarn::sql
