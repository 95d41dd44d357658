#include "formats/parquet/encoding/rle.h"

#include <algorithm>
#include <string>
#include <vector>

#include "formats/parquet/encoding/bit_util.h"

namespace tarn::formats::parquet {
namespace {

constexpr size_t kMinRun = 8;

size_t RunLength(const uint32_t* values, size_t count, size_t start) {
  size_t end = start + 1;
  while (end < count && values[end] == values[start]) ++end;
  return end - start;
}

void PutRleRun(uint32_t value, size_t length, int bit_width, std::string* out) {
  PutVarint(static_cast<uint64_t>(length) << 1, out);
  const int bytes = (bit_width + 7) / 8;
  for (int b = 0; b < bytes; ++b) out->push_back(static_cast<char>((value >> (8 * b)) & 0xff));
}

}  // namespace

void EncodeRle(const uint32_t* values, size_t count, int bit_width, std::string* out) {
  size_t i = 0;
  std::vector<uint32_t> padded;
  while (i < count) {
    const size_t run = RunLength(values, count, i);
    if (run >= kMinRun) {
      PutRleRun(values[i], run, bit_width, out);
      i += run;
      continue;
    }
    // A literal segment: groups of 8 until a long run starts at a group boundary, or the end.
    size_t end = i;
    while (end < count) {
      end = std::min(end + 8, count);
      if (end < count && RunLength(values, count, end) >= kMinRun) break;
    }
    const size_t literal = end - i;
    const size_t groups = (literal + 7) / 8;
    PutVarint((static_cast<uint64_t>(groups) << 1) | 1, out);
    if (literal % 8 == 0) {
      PackBits(values + i, literal, bit_width, out);
    } else {
      // Only the final segment can be short; zero values fill its last group.
      padded.assign(values + i, values + end);
      padded.resize(groups * 8, 0);
      PackBits(padded.data(), padded.size(), bit_width, out);
    }
    i = end;
  }
}

Status RleDecoder::NextRun() {
  ByteReader reader(data_.substr(pos_), "RLE data");
  TARN_ASSIGN_OR_RETURN(uint64_t header, reader.Varint());
  if ((header & 1) == 0) {
    run_is_rle_ = true;
    run_left_ = header >> 1;
    const int bytes = (bit_width_ + 7) / 8;
    TARN_ASSIGN_OR_RETURN(std::string_view value, reader.Bytes(static_cast<size_t>(bytes)));
    run_value_ = 0;
    for (int b = 0; b < bytes; ++b) {
      run_value_ |= static_cast<uint32_t>(static_cast<uint8_t>(value[b])) << (8 * b);
    }
    if (bit_width_ < 32 && (run_value_ >> bit_width_) != 0) {
      return Corruption("RLE data: run value " + std::to_string(run_value_) + " exceeds " +
                        std::to_string(bit_width_) + " bits");
    }
  } else {
    const uint64_t groups = header >> 1;
    if (groups > reader.remaining()) return Corruption("RLE data: bit-packed run longer than data");
    run_is_rle_ = false;
    run_left_ = groups * 8;
    const size_t bytes = groups * static_cast<size_t>(bit_width_);
    TARN_ASSIGN_OR_RETURN(std::string_view packed, reader.Bytes(bytes));
    packed_ = packed.data();
    packed_index_ = 0;
  }
  if (run_left_ == 0) return Corruption("RLE data: empty run");
  pos_ += reader.position();
  return Status::Ok();
}

Status RleDecoder::Decode(uint32_t* out, size_t count) {
  if (bit_width_ < 0 || bit_width_ > 32) {
    return Corruption("RLE data: bit width " + std::to_string(bit_width_) + " out of range");
  }
  while (count > 0) {
    if (run_left_ == 0) {
      if (pos_ >= data_.size()) return Corruption("RLE data: fewer values than expected");
      TARN_RETURN_IF_ERROR(NextRun());
    }
    const size_t n = std::min(count, run_left_);
    if (run_is_rle_) {
      std::fill(out, out + n, run_value_);
    } else if (packed_index_ % 8 == 0 || bit_width_ == 0) {
      // Whole bytes from here: values in a bit-packed run start at byte boundaries every 8.
      const size_t byte_offset = packed_index_ / 8 * static_cast<size_t>(bit_width_);
      UnpackBits32(packed_ + byte_offset, bit_width_, n, out);
      packed_index_ += n;
    } else {
      // Resume in the middle of a group: unpack the whole group prefix, keep the tail.
      const size_t group_start = packed_index_ / 8 * 8;
      uint32_t group[8];
      UnpackBits32(packed_ + group_start / 8 * static_cast<size_t>(bit_width_), bit_width_, 8,
                   group);
      const size_t take = std::min(n, group_start + 8 - packed_index_);
      std::copy(group + (packed_index_ - group_start), group + (packed_index_ - group_start) + take,
                out);
      packed_index_ += take;
      run_left_ -= take;
      out += take;
      count -= take;
      continue;
    }
    run_left_ -= n;
    out += n;
    count -= n;
  }
  return Status::Ok();
}

}  // namespace tarn::formats::parquet
