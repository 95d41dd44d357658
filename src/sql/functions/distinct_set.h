// Helpers of the aggregates that keep values apart from their Columns: a byte encoding of one
// row of a flat Column (DISTINCT aggregates, max_by/min_by's x), and DistinctSet, the set of
// (group, encoded row) pairs a DISTINCT aggregate keeps.
//
// Encoding of a value: one byte, 1 = present, 0 = NULL; then, when present, the value's bytes:
// boolean 1, i32 4, i64 8, i128 16, float 4, double 8 (little-endian), text and binary a
// 4-byte length and the bytes. Floating values are canonical (-0.0 as 0.0, one NaN), so that
// values SQL calls not distinct encode the same. Nested types (array, map, row) have no
// encoding: CanEncode() says which types do.
//
// Thread-safety: plain values; one thread at a time.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "formats/column.h"
#include "sql/functions/hyperloglog.h"

namespace tarn::sql {

inline bool CanEncode(const formats::DataType& type) { return !type.is_nested(); }

inline float CanonicalFloat(float v) {
  if (std::isnan(v)) return std::numeric_limits<float>::quiet_NaN();
  return v == 0 ? 0.0f : v;
}
inline double CanonicalDouble(double v) {
  if (std::isnan(v)) return std::numeric_limits<double>::quiet_NaN();
  return v == 0 ? 0.0 : v;
}

namespace codec_internal {
template <typename T>
void Put(T v, std::string* out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}
template <typename T>
T Take(std::string_view* in) {
  T v;
  std::memcpy(&v, in->data(), sizeof(T));
  in->remove_prefix(sizeof(T));
  return v;
}
}  // namespace codec_internal

// Appends the encoding of row `row` of `column` (a type CanEncode() accepts) to `out`.
inline void EncodeValue(const formats::Column& column, size_t row, std::string* out) {
  using codec_internal::Put;
  using formats::Storage;
  if (column.is_null(row)) {
    out->push_back(0);
    return;
  }
  out->push_back(1);
  switch (formats::StorageOf(column.type)) {
    case Storage::kBool:
      out->push_back(static_cast<char>(column.b8[row] != 0));
      break;
    case Storage::kInt32:
      Put(column.i32[row], out);
      break;
    case Storage::kInt64:
      Put(column.i64[row], out);
      break;
    case Storage::kInt128:
      Put(column.i128[row], out);
      break;
    case Storage::kFloat:
      Put(CanonicalFloat(column.f32[row]), out);
      break;
    case Storage::kDouble:
      Put(CanonicalDouble(column.f64[row]), out);
      break;
    case Storage::kBytes: {
      const std::string_view v = column.string_at(row);
      Put(static_cast<uint32_t>(v.size()), out);
      out->append(v);
      break;
    }
    case Storage::kList:
    case Storage::kStruct:
      break;  // CanEncode() is false for these.
  }
}

// Reads one value written by EncodeValue from the front of `in` and appends it to `out`, a
// Column of the type it was encoded from.
inline void DecodeValue(std::string_view* in, formats::Column* out) {
  using codec_internal::Take;
  using formats::Storage;
  const bool present = (*in)[0] != 0;
  in->remove_prefix(1);
  if (!present) {
    out->AppendNull();
    return;
  }
  switch (formats::StorageOf(out->type)) {
    case Storage::kBool:
      out->AppendBool((*in)[0] != 0);
      in->remove_prefix(1);
      break;
    case Storage::kInt32:
      out->AppendInt32(Take<int32_t>(in));
      break;
    case Storage::kInt64:
      out->AppendInt64(Take<int64_t>(in));
      break;
    case Storage::kInt128:
      out->AppendInt128(Take<__int128>(in));
      break;
    case Storage::kFloat:
      out->AppendFloat(Take<float>(in));
      break;
    case Storage::kDouble:
      out->AppendDouble(Take<double>(in));
      break;
    case Storage::kBytes: {
      const uint32_t size = Take<uint32_t>(in);
      out->AppendBytes(in->substr(0, size));
      in->remove_prefix(size);
      break;
    }
    case Storage::kList:
    case Storage::kStruct:
      out->AppendNull();
      break;
  }
}

// A hash set of (group id, key bytes), keys stored back to back in one arena; entries keep
// their insertion order.
class DistinctSet {
 public:
  struct Entry {
    uint64_t hash;
    uint64_t offset;  // Into the arena.
    uint32_t group;
    uint32_t size;
  };

  // Makes room for `more` entries without growing in between, so that slots prefetched for
  // them stay where they are.
  void Reserve(size_t more) {
    while ((entries_.size() + more) * 2 > slots_.size()) Grow();
  }
  // Starts loading the slot a hash probes first (batched inserts hide the cache miss).
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }

  // Adds (group, key); true when it was not there yet.
  bool Insert(uint32_t group, std::string_view key) {
    return InsertHashed(group, key, Hash64(key, group));
  }

  // Insert with the hash Hash64(key, group) already computed.
  bool InsertHashed(uint32_t group, std::string_view key, uint64_t hash) {
    if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    const uint64_t tag = hash & 0xFFFFFFFF00000000ULL;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const uint64_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = SlotOf(hash, entries_.size());
        entries_.push_back({hash, arena_.size(), group, static_cast<uint32_t>(key.size())});
        arena_.append(key);
        return true;
      }
      if ((slot & 0xFFFFFFFF00000000ULL) != tag) continue;
      const Entry& e = entries_[(slot & 0xFFFFFFFFULL) - 1];
      if (e.hash == hash && e.group == group && this->key(e) == key) return false;
    }
  }
  size_t size() const { return entries_.size(); }
  const Entry& entry(size_t i) const { return entries_[i]; }
  std::string_view key(const Entry& e) const {
    return std::string_view(arena_).substr(e.offset, e.size);
  }

  // Adds every entry of `other`, its group g becoming group_map[g].
  void MergeFrom(const DistinctSet& other, const uint32_t* group_map) {
    for (const Entry& e : other.entries_) {
      const uint32_t group = group_map[e.group];
      const std::string_view k = other.key(e);
      InsertHashed(group, k, group == e.group ? e.hash : Hash64(k, group));
    }
  }

  size_t MemoryBytes() const {
    return arena_.capacity() + entries_.capacity() * sizeof(Entry) +
           slots_.capacity() * sizeof(uint64_t);
  }

 private:
  // A slot holds the top 32 bits of its entry's hash (so that most probes that do not match
  // never touch the entry) and the entry's index + 1; 0 is empty.
  static uint64_t SlotOf(uint64_t hash, size_t index) {
    return (hash & 0xFFFFFFFF00000000ULL) | (index + 1);
  }

  void Grow() {
    const size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
    slots_.assign(capacity, 0);
    const size_t mask = capacity - 1;
    for (size_t n = 0; n < entries_.size(); ++n) {
      size_t i = entries_[n].hash & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = SlotOf(entries_[n].hash, n);
    }
  }

  std::vector<Entry> entries_;
  std::string arena_;
  std::vector<uint64_t> slots_;
};

}  // namespace tarn::sql
