// Serialising Parquet's Thrift metadata (footer, page headers) with the compact protocol.
// Deserialisation never throws: malformed bytes become kCorruption statuses, and container and
// string sizes are bounded by the bytes given, so a hostile footer cannot exhaust memory.
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "formats/parquet/parquet_format_types.h"

namespace tarn::formats::parquet {

namespace internal {
Status SerializeBase(const apache::thrift::TBase& value, std::string* out);
Status DeserializeBase(const uint8_t* data, uint32_t* size, apache::thrift::TBase* value);
}  // namespace internal

// Appends the compact-protocol encoding of `value` to `*out`.
template <typename T>
Status Serialize(const T& value, std::string* out) {
  return internal::SerializeBase(value, out);
}

// Reads a `T` from the first `*size` bytes at `data`; on success `*size` becomes the number of
// bytes the value took. kCorruption says what was wrong (the caller names file and offset).
template <typename T>
Status Deserialize(const uint8_t* data, uint32_t* size, T* value) {
  return internal::DeserializeBase(data, size, value);
}

}  // namespace tarn::formats::parquet
