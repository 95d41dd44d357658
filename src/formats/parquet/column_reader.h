// Decoding one column chunk of a Parquet file (docs/parquet.md): its pages (dictionary, data
// page v1 and v2; any of the four codecs), levels and values in every encoding the format
// defines for them, and the conversion of physical values to table values (INT96 and
// millisecond timestamps, unsigned ints, byte-array decimals). Corrupt data is kCorruption
// naming the file, column and page offset. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "formats/column.h"
#include "formats/parquet/parquet_format_types.h"
#include "formats/parquet/schema.h"

namespace tarn::formats::parquet {

// A decoded chunk: one level pair per slot and the non-null values, converted to the leaf's
// table type (values.size() equals the number of slots whose def equals max_def).
struct LeafData {
  std::vector<int16_t> def;  // Empty when max_def is 0 (every slot present).
  std::vector<int16_t> rep;  // Empty when max_rep is 0.
  Column values;
  size_t slots = 0;
};

// Decodes `chunk_bytes` (the chunk's bytes, starting at file offset `chunk_offset`) of a chunk
// described by `meta`. `where` names the file and column for errors.
Result<LeafData> DecodeColumnChunk(const LeafColumn& leaf, const format::ColumnMetaData& meta,
                                   std::string_view chunk_bytes, int64_t chunk_offset,
                                   const std::string& where);

// Converts one PLAIN-encoded statistics value (no length prefix for byte arrays) of `leaf` into
// a one-row column of the leaf's table type.
Result<Column> DecodeStatisticsValue(const LeafColumn& leaf, std::string_view plain);

}  // namespace tarn::formats::parquet
