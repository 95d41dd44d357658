// Parquet's RLE / bit-packing hybrid (docs/parquet.md): definition and repetition levels,
// dictionary indices and RLE booleans. Values are unsigned and at most 32 bits wide.
// Thread-safe: pure functions and a decoder object owned by one reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn::formats::parquet {

// Appends the hybrid encoding of `values` (each < 2^bit_width) to `*out`: runs of 8 or more
// equal values become RLE runs, the rest bit-packed groups of 8 (the last group zero-padded).
void EncodeRle(const uint32_t* values, size_t count, int bit_width, std::string* out);

// Decodes values from hybrid-encoded bytes. Corrupt or short input is kCorruption.
class RleDecoder {
 public:
  RleDecoder(std::string_view data, int bit_width) : data_(data), bit_width_(bit_width) {}

  // Writes exactly `count` values to `out`, or fails when the data holds fewer.
  Status Decode(uint32_t* out, size_t count);

 private:
  Status NextRun();

  std::string_view data_;
  size_t pos_ = 0;
  int bit_width_;
  // The current run: an RLE run repeats `run_value_`; a bit-packed run is read from
  // `packed_` (the data, already bounds-checked), `packed_left_` values remaining.
  bool run_is_rle_ = true;
  uint32_t run_value_ = 0;
  size_t run_left_ = 0;
  const char* packed_ = nullptr;
  size_t packed_index_ = 0;
};

}  // namespace tarn::formats::parquet
