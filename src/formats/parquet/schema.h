// Mapping between table schemas (formats::Schema) and Parquet schemas (the flattened
// SchemaElement list of the footer), and the per-leaf facts readers and writers need: physical
// type, definition and repetition levels, and how leaf values convert to table values.
// See docs/parquet.md for the mapping table. Pure values; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "formats/parquet/parquet_format_types.h"
#include "formats/types.h"

namespace tarn::formats::parquet {

// How a leaf's physical values become the table type's values.
enum class LeafConversion {
  kNone,            // The physical value is the value (int32, int64, float, double, bool, bytes).
  kInt96Timestamp,  // INT96 (nanos of day, Julian day) to microseconds.
  kMillisToMicros,  // INT64 timestamp in milliseconds.
  kNanosToMicros,   // INT64 timestamp in nanoseconds.
  kUInt32ToInt64,   // INT32 holding an unsigned 32-bit value, read as bigint.
  kDecimalBytes,    // FIXED_LEN_BYTE_ARRAY / BYTE_ARRAY big-endian two's complement decimal.
  kInt32ToInt64,    // INT32 decimal read into the 64-bit decimal storage.
};

// A node of the Parquet schema tree. Leaves carry their column index.
struct SchemaNode {
  std::string name;
  format::FieldRepetitionType::type repetition = format::FieldRepetitionType::OPTIONAL;
  bool is_leaf = false;
  int leaf_index = -1;
  int16_t def_level = 0;  // Definition level when this node is present (counting itself).
  int16_t rep_level = 0;  // Repetition level of this node's values.
  DataType type;          // The table type this node maps to.
  // For a LIST group: true when its repeated child wraps one element field (the standard
  // three-level form), false when the repeated child is itself the element.
  bool three_level = false;
  std::vector<SchemaNode> children;
};

struct LeafColumn {
  std::vector<std::string> path;
  format::Type::type physical = format::Type::INT32;
  int type_length = 0;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  DataType type;  // The table type of the leaf's values.
  LeafConversion conversion = LeafConversion::kNone;
};

struct ParquetSchema {
  Schema schema;                                // Top-level table fields.
  std::vector<SchemaNode> fields;               // One tree per top-level field.
  std::vector<LeafColumn> leaves;               // In file column order.
  std::vector<format::SchemaElement> elements;  // The footer form.
};

// The Parquet schema a writer uses for `schema` (all fields OPTIONAL; lists and maps in the
// standard three-level forms). Fails for types the writer cannot store (decimal precision
// above 18), naming the column.
Result<ParquetSchema> MakeParquetSchema(const Schema& schema);

// Reads a footer's SchemaElement list. Unsupported or malformed schemas are kCorruption or
// kInvalidArgument naming the column.
Result<ParquetSchema> ReadParquetSchema(const std::vector<format::SchemaElement>& elements);

}  // namespace tarn::formats::parquet
