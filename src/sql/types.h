// The query engine's types and vectors (docs/query-engine.md). The engine computes on the
// formats' Columns: a Vector is a Column, and its DataType is the SQL type. Trino's names are
// used in messages and results:
//   boolean, tinyint, smallint, integer, bigint, real, double, decimal(p,s),
//   varchar (string, varchar(n), char(n) all compute as varchar), date, timestamp (microseconds
//   in i64; Athena keeps milliseconds for Hive tables, results print .SSS), json text is varchar.
// There are no interval vectors: interval literals are folded into date_add calls when bound.
// A NULL literal has type kUnknown-free form: the binder gives it the type its context needs,
// varchar when nothing else does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "formats/column.h"
#include "formats/types.h"

namespace tarn::sql {

using formats::Column;
using formats::DataType;
using formats::TypeKind;
using Vector = formats::Column;

// Trino's name of a type: "integer", "varchar", "timestamp(3)", "decimal(10,2)", "array(varchar)".
std::string SqlTypeName(const DataType& type);

DataType BooleanType();
DataType IntegerType();  // kInt
DataType BigintType();
DataType DoubleType();
DataType RealType();
DataType VarcharType();  // kString
DataType DateType();
DataType TimestampType();
DataType DecimalType(int precision, int scale);

bool IsNumeric(const DataType& type);  // tinyint..bigint, real, double, decimal
bool IsInteger(const DataType& type);  // tinyint..bigint
bool IsText(const DataType& type);     // string, varchar, char
// Same computation type (varchar(5) and string are the same here; decimal precision matters).
bool SameType(const DataType& a, const DataType& b);

// A vector of `rows` copies of row `row` of `column` (constants are expanded where a function
// needs a full vector).
Column Broadcast(const Column& column, size_t row, size_t rows);
// An all-NULL vector of `type`.
Column Nulls(const DataType& type, size_t rows);

// Appends row `row` of `from` (NULL or a value, nested rows too) to `to`, a column of the same
// storage.
void AppendRow(const Column& from, size_t row, Column* to);

// The type both `a` and `b` coerce to implicitly, by Trino's rules, or nullopt when there is
// none: tinyint < smallint < integer < bigint; integers and decimals meet at a decimal wide
// enough for both (integer as decimal(10,0), bigint as decimal(19,0); precision at most 38);
// real or double with any number is real or double (double wins); text of any kind is varchar;
// date and timestamp meet at timestamp; arrays, maps and rows meet element by element.
std::optional<DataType> CommonSuperType(const DataType& a, const DataType& b);
// An integer type as the decimal Trino widens it to (tinyint decimal(3,0), smallint
// decimal(5,0), integer decimal(10,0), bigint decimal(19,0)); a decimal is returned unchanged.
DataType AsDecimal(const DataType& type);

}  // namespace tarn::sql
