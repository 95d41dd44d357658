// Table types: the Hive/Glue column types that tables declare (`CREATE EXTERNAL TABLE`, Glue
// schemas, `tarn convert --schema`), as a small tree, with the Hive type syntax parsed and printed.
//
//   boolean tinyint smallint int|integer bigint float double decimal(p,s) string varchar(n)
//   char(n) binary date timestamp array<T> map<K,V> struct<name:T,...>
//
// Pure values and functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tarn::formats {

enum class TypeKind {
  kBoolean,
  kTinyInt,
  kSmallInt,
  kInt,
  kBigInt,
  kFloat,
  kDouble,
  kDecimal,  // precision 1..38, scale 0..precision
  kString,
  kVarchar,  // length 1..65535
  kChar,     // length 1..255
  kBinary,
  kDate,
  kTimestamp,
  kArray,   // children[0] is the element ("element")
  kMap,     // children[0] the key ("key"), children[1] the value ("value")
  kStruct,  // children are the fields, in order
};

struct Field;

struct DataType {
  TypeKind kind = TypeKind::kString;
  int precision = 0;  // kDecimal
  int scale = 0;      // kDecimal
  int length = 0;     // kVarchar, kChar
  std::vector<Field> children;

  static DataType Of(TypeKind kind);
  static DataType Decimal(int precision, int scale);
  static DataType Array(DataType element);
  static DataType Map(DataType key, DataType value);
  static DataType Struct(std::vector<Field> fields);

  bool is_nested() const {
    return kind == TypeKind::kArray || kind == TypeKind::kMap || kind == TypeKind::kStruct;
  }
  // True for string, varchar and char: text columns.
  bool is_text() const {
    return kind == TypeKind::kString || kind == TypeKind::kVarchar || kind == TypeKind::kChar;
  }
  friend bool operator==(const DataType&, const DataType&);
};

struct Field {
  std::string name;
  DataType type;
  friend bool operator==(const Field&, const Field&) = default;
};

using Schema = std::vector<Field>;

// Defined here, where Field is complete (libc++ and clang require it for vector<Field>).
inline DataType DataType::Of(TypeKind kind) {
  DataType t;
  t.kind = kind;
  return t;
}
inline DataType DataType::Decimal(int precision, int scale) {
  DataType t = Of(TypeKind::kDecimal);
  t.precision = precision;
  t.scale = scale;
  return t;
}

// Parses one Hive type ("map<string,array<int>>"); names are case-insensitive, spaces allowed
// around punctuation. kInvalidArgument names the text and the character position.
Result<DataType> ParseType(std::string_view text);

// Parses a column list "name type, name type, ..." as in `tarn convert --schema` and DDL
// column lists. Column names may be quoted with backticks; duplicate names (case-insensitive)
// are an error naming the column.
Result<Schema> ParseSchema(std::string_view text);

// The Hive spelling, lower case: "decimal(10,2)", "array<struct<a:int,b:string>>".
std::string TypeName(const DataType& type);
std::string SchemaToString(const Schema& schema);

}  // namespace tarn::formats
