#include "formats/parquet/encoding/bit_util.h"

namespace tarn::formats::parquet {

template <typename Out>
static void Unpack(const char* in, int bit_width, size_t count, Out* out) {
  if (bit_width == 0) {
    for (size_t i = 0; i < count; ++i) out[i] = 0;
    return;
  }
  const uint8_t* p = reinterpret_cast<const uint8_t*>(in);
  const uint64_t mask = bit_width == 64 ? ~uint64_t{0} : (uint64_t{1} << bit_width) - 1;
  // A bit accumulator: `bits` holds `available` unread bits, lowest first.
  unsigned __int128 bits = 0;
  int available = 0;
  size_t byte = 0;
  for (size_t i = 0; i < count; ++i) {
    while (available < bit_width) {
      bits |= static_cast<unsigned __int128>(p[byte++]) << available;
      available += 8;
    }
    out[i] = static_cast<Out>(static_cast<uint64_t>(bits) & mask);
    bits >>= bit_width;
    available -= bit_width;
  }
}

void UnpackBits(const char* in, int bit_width, size_t count, uint64_t* out) {
  Unpack(in, bit_width, count, out);
}

void UnpackBits32(const char* in, int bit_width, size_t count, uint32_t* out) {
  if (bit_width == 1) {
    // Definition levels of flat columns: the common case, unpacked a byte at a time.
    const uint8_t* p = reinterpret_cast<const uint8_t*>(in);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
      const uint8_t b = p[i / 8];
      for (int k = 0; k < 8; ++k) out[i + k] = (b >> k) & 1;
    }
    for (; i < count; ++i) out[i] = (p[i / 8] >> (i % 8)) & 1;
    return;
  }
  Unpack(in, bit_width, count, out);
}

void PackBits(const uint32_t* values, size_t count, int bit_width, std::string* out) {
  uint64_t bits = 0;
  int used = 0;
  for (size_t i = 0; i < count; ++i) {
    bits |= static_cast<uint64_t>(values[i]) << used;
    used += bit_width;
    while (used >= 8) {
      out->push_back(static_cast<char>(bits & 0xff));
      bits >>= 8;
      used -= 8;
    }
  }
  if (used > 0) out->push_back(static_cast<char>(bits & 0xff));
}

int BitWidth(uint64_t max_value) {
  int width = 0;
  while (max_value != 0) {
    ++width;
    max_value >>= 1;
  }
  return width;
}

}  // namespace tarn::formats::parquet
