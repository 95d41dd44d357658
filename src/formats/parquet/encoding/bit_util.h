// Bit and byte primitives of Parquet's encodings (docs/parquet.md): ULEB128 varints, zigzag,
// little-endian loads and stores, and LSB-first bit packing. Reads are bounds-checked through
// ByteReader. Pure functions and small value types; thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn::formats::parquet {

inline void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

template <typename T>
void PutLittleEndian(T v, std::string* out) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(T));  // x86-64 and ARM64 are LE.
}

template <typename T>
T LoadLittleEndian(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// A bounds-checked cursor over encoded bytes. Every read that would run past the end fails
// with kCorruption naming `what`.
class ByteReader {
 public:
  ByteReader(std::string_view data, const char* what) : data_(data), what_(what) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  const char* current() const { return data_.data() + pos_; }

  Result<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Truncated();
      const uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return Corruption(std::string(what_) + ": varint longer than 10 bytes");
  }

  Result<std::string_view> Bytes(size_t n) {
    if (n > remaining()) return Truncated();
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  template <typename T>
  Result<T> Fixed() {
    if (sizeof(T) > remaining()) return Truncated();
    T v = LoadLittleEndian<T>(data_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }

  Status Skip(size_t n) {
    if (n > remaining()) return Truncated();
    pos_ += n;
    return Status::Ok();
  }

 private:
  Status Truncated() const {
    return Corruption(std::string(what_) + ": data ends early at byte " + std::to_string(pos_));
  }

  std::string_view data_;
  const char* what_;
  size_t pos_ = 0;
};

// Unpacks `count` values of `bit_width` bits (0..64) stored LSB first from `in`, which holds at
// least (count * bit_width + 7) / 8 bytes.
void UnpackBits(const char* in, int bit_width, size_t count, uint64_t* out);
void UnpackBits32(const char* in, int bit_width, size_t count, uint32_t* out);

// Appends `count` values of `bit_width` bits LSB first (whole bytes; the last byte zero-padded).
void PackBits(const uint32_t* values, size_t count, int bit_width, std::string* out);

// Bits needed to represent `max_value` (0 for 0).
int BitWidth(uint64_t max_value);

}  // namespace tarn::formats::parquet
