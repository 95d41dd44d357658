#include "formats/parquet/encoding/decoders.h"

#include <algorithm>

#include "formats/parquet/encoding/rle.h"

namespace tarn::formats::parquet {

using format::Type;

size_t PhysicalValues::size(PhysicalType type) const {
  switch (type) {
    case Type::BOOLEAN:
      return b8.size();
    case Type::INT32:
      return i32.size();
    case Type::INT64:
      return i64.size();
    case Type::FLOAT:
      return f32.size();
    case Type::DOUBLE:
      return f64.size();
    case Type::FIXED_LEN_BYTE_ARRAY:
      // The writer hands wide decimals over as 128-bit values; readers produce views.
      return views.empty() ? i128.size() : views.size();
    default:
      return views.size();
  }
}

void PhysicalValues::Clear() {
  b8.clear();
  i32.clear();
  i64.clear();
  i128.clear();
  f32.clear();
  f64.clear();
  views.clear();
  arena.clear();
}

namespace {

template <typename T>
Status AppendFixed(ByteReader& in, size_t count, std::vector<T>* out) {
  if (count > in.remaining() / sizeof(T)) {
    return Corruption("PLAIN values: " + std::to_string(count) + " values need more than the " +
                      std::to_string(in.remaining()) + " bytes left");
  }
  if (count == 0) return Status::Ok();
  const size_t old = out->size();
  out->resize(old + count);
  std::memcpy(out->data() + old, in.current(), count * sizeof(T));
  return in.Skip(count * sizeof(T));
}

Status AppendFixedViews(ByteReader& in, size_t width, size_t count, PhysicalValues* out) {
  if (width == 0 || count > in.remaining() / width) {
    return Corruption("fixed-width values: " + std::to_string(count) + " values of " +
                      std::to_string(width) + " bytes need more than the " +
                      std::to_string(in.remaining()) + " bytes left");
  }
  for (size_t i = 0; i < count; ++i) {
    TARN_ASSIGN_OR_RETURN(std::string_view v, in.Bytes(width));
    out->views.push_back(v);
  }
  return Status::Ok();
}

}  // namespace

Status DecodePlain(PhysicalType type, int type_length, ByteReader& in, size_t count,
                   PhysicalValues* out) {
  switch (type) {
    case Type::BOOLEAN: {
      const size_t bytes = (count + 7) / 8;
      TARN_ASSIGN_OR_RETURN(std::string_view packed, in.Bytes(bytes));
      const size_t old = out->b8.size();
      out->b8.resize(old + count);
      for (size_t i = 0; i < count; ++i) {
        out->b8[old + i] = (static_cast<uint8_t>(packed[i / 8]) >> (i % 8)) & 1;
      }
      return Status::Ok();
    }
    case Type::INT32:
      return AppendFixed(in, count, &out->i32);
    case Type::INT64:
      return AppendFixed(in, count, &out->i64);
    case Type::FLOAT:
      return AppendFixed(in, count, &out->f32);
    case Type::DOUBLE:
      return AppendFixed(in, count, &out->f64);
    case Type::INT96:
      return AppendFixedViews(in, 12, count, out);
    case Type::FIXED_LEN_BYTE_ARRAY:
      return AppendFixedViews(in, static_cast<size_t>(std::max(type_length, 0)), count, out);
    case Type::BYTE_ARRAY: {
      if (count > in.remaining() / 4) {
        return Corruption("PLAIN byte arrays: " + std::to_string(count) + " values cannot fit in " +
                          std::to_string(in.remaining()) + " bytes");
      }
      out->views.reserve(out->views.size() + count);
      for (size_t i = 0; i < count; ++i) {
        TARN_ASSIGN_OR_RETURN(uint32_t length, in.Fixed<uint32_t>());
        TARN_ASSIGN_OR_RETURN(std::string_view v, in.Bytes(length));
        out->views.push_back(v);
      }
      return Status::Ok();
    }
  }
  return Corruption("unknown physical type " + std::to_string(static_cast<int>(type)));
}

Status DecodeRleBooleans(ByteReader& in, size_t count, PhysicalValues* out) {
  // Data page v1 prefixes RLE booleans with their byte length, like levels.
  TARN_ASSIGN_OR_RETURN(uint32_t length, in.Fixed<uint32_t>());
  TARN_ASSIGN_OR_RETURN(std::string_view data, in.Bytes(length));
  std::vector<uint32_t> values(count);
  RleDecoder decoder(data, 1);
  TARN_RETURN_IF_ERROR(decoder.Decode(values.data(), count));
  for (uint32_t v : values) out->b8.push_back(static_cast<uint8_t>(v));
  return Status::Ok();
}

Status DecodeDeltaInts(ByteReader& in, std::vector<int64_t>* out) {
  TARN_ASSIGN_OR_RETURN(uint64_t block_size, in.Varint());
  TARN_ASSIGN_OR_RETURN(uint64_t miniblocks, in.Varint());
  TARN_ASSIGN_OR_RETURN(uint64_t total, in.Varint());
  TARN_ASSIGN_OR_RETURN(uint64_t first, in.Varint());
  if (block_size == 0 || block_size % 128 != 0 || miniblocks == 0 || block_size % miniblocks != 0 ||
      (block_size / miniblocks) % 32 != 0) {
    return Corruption("DELTA_BINARY_PACKED: invalid block size " + std::to_string(block_size) +
                      " with " + std::to_string(miniblocks) + " miniblocks");
  }
  // Each value takes at least one bit after the first, unless widths are 0; bound by blocks.
  if (total > (uint64_t{1} << 31)) {
    return Corruption("DELTA_BINARY_PACKED: value count " + std::to_string(total) + " too large");
  }
  const size_t per_miniblock = block_size / miniblocks;
  out->reserve(out->size() + total);
  if (total == 0) return Status::Ok();
  uint64_t value = static_cast<uint64_t>(UnZigZag(first));
  out->push_back(static_cast<int64_t>(value));
  uint64_t left = total - 1;
  std::vector<uint64_t> deltas(per_miniblock);
  std::vector<uint8_t> widths(miniblocks);
  while (left > 0) {
    TARN_ASSIGN_OR_RETURN(uint64_t min_delta_zz, in.Varint());
    const uint64_t min_delta = static_cast<uint64_t>(UnZigZag(min_delta_zz));
    TARN_ASSIGN_OR_RETURN(std::string_view width_bytes, in.Bytes(miniblocks));
    for (size_t m = 0; m < miniblocks; ++m) widths[m] = static_cast<uint8_t>(width_bytes[m]);
    for (size_t m = 0; m < miniblocks && left > 0; ++m) {
      if (widths[m] > 64) {
        return Corruption("DELTA_BINARY_PACKED: bit width " + std::to_string(widths[m]));
      }
      const size_t bytes = per_miniblock * widths[m] / 8;
      TARN_ASSIGN_OR_RETURN(std::string_view packed, in.Bytes(bytes));
      UnpackBits(packed.data(), widths[m], per_miniblock, deltas.data());
      const size_t n = static_cast<size_t>(std::min<uint64_t>(left, per_miniblock));
      for (size_t i = 0; i < n; ++i) {
        value += min_delta + deltas[i];  // Wrapping arithmetic, as the encoding defines.
        out->push_back(static_cast<int64_t>(value));
      }
      left -= n;
    }
  }
  return Status::Ok();
}

Status DecodeDeltaBinaryPacked(PhysicalType type, ByteReader& in, size_t count,
                               PhysicalValues* out) {
  std::vector<int64_t> values;
  TARN_RETURN_IF_ERROR(DecodeDeltaInts(in, &values));
  if (values.size() < count) {
    return Corruption("DELTA_BINARY_PACKED: " + std::to_string(values.size()) +
                      " values where the page has " + std::to_string(count));
  }
  if (type == Type::INT32) {
    for (size_t i = 0; i < count; ++i) out->i32.push_back(static_cast<int32_t>(values[i]));
  } else if (type == Type::INT64) {
    out->i64.insert(out->i64.end(), values.begin(), values.begin() + static_cast<long>(count));
  } else {
    return Corruption("DELTA_BINARY_PACKED on a non-integer column");
  }
  return Status::Ok();
}

Status DecodeDeltaLengthByteArray(ByteReader& in, size_t count, PhysicalValues* out) {
  std::vector<int64_t> lengths;
  TARN_RETURN_IF_ERROR(DecodeDeltaInts(in, &lengths));
  if (lengths.size() < count) {
    return Corruption("DELTA_LENGTH_BYTE_ARRAY: " + std::to_string(lengths.size()) +
                      " lengths where the page has " + std::to_string(count) + " values");
  }
  for (size_t i = 0; i < count; ++i) {
    if (lengths[i] < 0) return Corruption("DELTA_LENGTH_BYTE_ARRAY: negative length");
    TARN_ASSIGN_OR_RETURN(std::string_view v, in.Bytes(static_cast<size_t>(lengths[i])));
    out->views.push_back(v);
  }
  return Status::Ok();
}

Status DecodeDeltaByteArray(ByteReader& in, size_t count, PhysicalValues* out) {
  std::vector<int64_t> prefixes;
  TARN_RETURN_IF_ERROR(DecodeDeltaInts(in, &prefixes));
  PhysicalValues suffixes;
  TARN_RETURN_IF_ERROR(DecodeDeltaLengthByteArray(in, count, &suffixes));
  if (prefixes.size() < count) {
    return Corruption("DELTA_BYTE_ARRAY: fewer prefix lengths than values");
  }
  // Build all values in one block, then point views at it (it no longer moves).
  std::string block;
  std::vector<std::pair<size_t, size_t>> ranges(count);
  size_t previous_start = 0, previous_length = 0;
  for (size_t i = 0; i < count; ++i) {
    const int64_t prefix = prefixes[i];
    if (prefix < 0 || static_cast<size_t>(prefix) > previous_length) {
      return Corruption("DELTA_BYTE_ARRAY: prefix length " + std::to_string(prefix) +
                        " longer than the previous value");
    }
    const size_t start = block.size();
    block.append(block, previous_start, static_cast<size_t>(prefix));
    block.append(suffixes.views[i]);
    ranges[i] = {start, block.size() - start};
    previous_start = start;
    previous_length = block.size() - start;
  }
  out->arena.push_back(std::move(block));
  const std::string& stored = out->arena.back();
  for (const auto& [start, length] : ranges) {
    out->views.push_back(std::string_view(stored).substr(start, length));
  }
  return Status::Ok();
}

Status DecodeByteStreamSplit(PhysicalType type, int type_length, ByteReader& in, size_t count,
                             PhysicalValues* out) {
  size_t width = 0;
  switch (type) {
    case Type::INT32:
    case Type::FLOAT:
      width = 4;
      break;
    case Type::INT64:
    case Type::DOUBLE:
      width = 8;
      break;
    case Type::FIXED_LEN_BYTE_ARRAY:
      width = static_cast<size_t>(std::max(type_length, 0));
      break;
    default:
      return Corruption("BYTE_STREAM_SPLIT on an unsupported physical type");
  }
  if (width == 0 || count > in.remaining() / width) {
    return Corruption("BYTE_STREAM_SPLIT: " + std::to_string(count) + " values need more than " +
                      std::to_string(in.remaining()) + " bytes");
  }
  // The page's values section is the K streams, each as long as the value count.
  const size_t streams_length = in.remaining();
  if (streams_length % width != 0) return Corruption("BYTE_STREAM_SPLIT: ragged streams");
  const size_t stride = streams_length / width;
  if (stride < count) return Corruption("BYTE_STREAM_SPLIT: streams shorter than the value count");
  const char* base = in.current();
  std::string joined(count * width, '\0');
  for (size_t i = 0; i < count; ++i) {
    for (size_t k = 0; k < width; ++k) joined[i * width + k] = base[k * stride + i];
  }
  TARN_RETURN_IF_ERROR(in.Skip(streams_length));
  ByteReader plain(joined, "BYTE_STREAM_SPLIT values");
  if (type == Type::FIXED_LEN_BYTE_ARRAY) {
    out->arena.push_back(std::move(joined));
    ByteReader stored(out->arena.back(), "BYTE_STREAM_SPLIT values");
    return DecodePlain(type, type_length, stored, count, out);
  }
  return DecodePlain(type, type_length, plain, count, out);
}

}  // namespace tarn::formats::parquet
