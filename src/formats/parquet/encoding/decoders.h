// Decoders for Parquet's value encodings (docs/parquet.md): PLAIN, RLE booleans,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. Each
// appends `count` non-null values to a PhysicalValues buffer; short or corrupt input is
// kCorruption. Byte-array values may point into the page buffer, which must outlive them.
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "formats/parquet/encoding/bit_util.h"
#include "formats/parquet/parquet_format_types.h"

namespace tarn::formats::parquet {

using PhysicalType = format::Type::type;

// The non-null values of a page or dictionary, in their physical type. INT96 and
// FIXED_LEN_BYTE_ARRAY values are views of their raw bytes.
struct PhysicalValues {
  std::vector<uint8_t> b8;
  std::vector<int32_t> i32;
  std::vector<int64_t> i64;
  std::vector<__int128> i128;  // Writer only: wide decimals, encoded as FIXED_LEN_BYTE_ARRAY.
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<std::string_view> views;
  // Values that had to be built (DELTA_BYTE_ARRAY) live here; `views` point into its blocks.
  std::vector<std::string> arena;

  size_t size(PhysicalType type) const;
  void Clear();
};

// `type_length` is the byte width of FIXED_LEN_BYTE_ARRAY values.
Status DecodePlain(PhysicalType type, int type_length, ByteReader& in, size_t count,
                   PhysicalValues* out);
Status DecodeRleBooleans(ByteReader& in, size_t count, PhysicalValues* out);
Status DecodeDeltaBinaryPacked(PhysicalType type, ByteReader& in, size_t count,
                               PhysicalValues* out);
Status DecodeDeltaLengthByteArray(ByteReader& in, size_t count, PhysicalValues* out);
Status DecodeDeltaByteArray(ByteReader& in, size_t count, PhysicalValues* out);
Status DecodeByteStreamSplit(PhysicalType type, int type_length, ByteReader& in, size_t count,
                             PhysicalValues* out);

// Reads a DELTA_BINARY_PACKED block sequence into 64-bit values (all of it: the header says how
// many); shared by the integer and byte-array delta encodings.
Status DecodeDeltaInts(ByteReader& in, std::vector<int64_t>* out);

}  // namespace tarn::formats::parquet
