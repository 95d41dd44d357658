// Internal to the aggregate functions (aggregates.cc): how an aggregate reads, keeps,
// compares, hashes and writes the values of one storage kind of formats::Column, so that its
// loops are specialised by template per storage and make no call per row.
//
// Each XxxOps has Value (what a row reads as), State (how a group keeps one), Get(column, row),
// View(state), Store(&state, value), HeapBytes(state) (memory a state holds outside itself),
// Less(a, b) (Trino's order; NaN above every number), Append(column, value) and Hash(value)
// (64 well-mixed bits; equal values, including -0.0 and 0.0, hash equal).
//
// Thread-safety: stateless.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/result.h"
#include "sql/functions/aggregate.h"
#include "sql/functions/distinct_set.h"
#include "sql/functions/hyperloglog.h"

namespace tarn::sql::aggregate_internal {

using formats::Storage;
using formats::StorageOf;

template <typename V>
struct FixedOps {
  using Value = V;
  using State = V;
  static Value View(const State& s) { return s; }
  static void Store(State* s, Value v) { *s = v; }
  static size_t HeapBytes(const State&) { return 0; }
  static bool Less(Value a, Value b) {
    if constexpr (std::is_floating_point_v<V>) {
      // NaN sorts above every number, as in Trino's ordering.
      if (std::isnan(b)) return !std::isnan(a);
    }
    return a < b;
  }
};

struct BoolOps : FixedOps<uint8_t> {
  static Value Get(const Column& c, size_t r) { return c.b8[r]; }
  static void Append(Column* out, Value v) { out->AppendBool(v != 0); }
  static uint64_t Hash(Value v) { return Mix64(v + hash_internal::kP5); }
};
struct Int32Ops : FixedOps<int32_t> {
  static Value Get(const Column& c, size_t r) { return c.i32[r]; }
  static void Append(Column* out, Value v) { out->AppendInt32(v); }
  static uint64_t Hash(Value v) {
    return Mix64(static_cast<uint64_t>(int64_t{v}) + hash_internal::kP5);
  }
};
struct Int64Ops : FixedOps<int64_t> {
  static Value Get(const Column& c, size_t r) { return c.i64[r]; }
  static void Append(Column* out, Value v) { out->AppendInt64(v); }
  static uint64_t Hash(Value v) { return Mix64(static_cast<uint64_t>(v) + hash_internal::kP5); }
};
struct Int128Ops : FixedOps<__int128> {
  static Value Get(const Column& c, size_t r) { return c.i128[r]; }
  static void Append(Column* out, Value v) { out->AppendInt128(v); }
  static uint64_t Hash(Value v) {
    char buf[sizeof(v)];
    std::memcpy(buf, &v, sizeof(v));
    return Hash64(std::string_view(buf, sizeof(buf)));
  }
};
struct FloatOps : FixedOps<float> {
  static Value Get(const Column& c, size_t r) { return c.f32[r]; }
  static void Append(Column* out, Value v) { out->AppendFloat(v); }
  static uint64_t Hash(Value v) {
    uint32_t bits;
    const float canonical = CanonicalFloat(v);
    std::memcpy(&bits, &canonical, sizeof(bits));
    return Mix64(bits + hash_internal::kP5);
  }
};
struct DoubleOps : FixedOps<double> {
  static Value Get(const Column& c, size_t r) { return c.f64[r]; }
  static void Append(Column* out, Value v) { out->AppendDouble(v); }
  static uint64_t Hash(Value v) {
    uint64_t bits;
    const double canonical = CanonicalDouble(v);
    std::memcpy(&bits, &canonical, sizeof(bits));
    return Mix64(bits + hash_internal::kP5);
  }
};
// Text and binary compare by unsigned bytes, as Trino orders varchar and varbinary.
struct BytesOps {
  using Value = std::string_view;
  using State = std::string;
  static Value Get(const Column& c, size_t r) { return c.string_at(r); }
  static Value View(const State& s) { return s; }
  static void Store(State* s, Value v) { s->assign(v); }
  static size_t HeapBytes(const State& s) { return s.capacity() > 15 ? s.capacity() : 0; }
  static bool Less(Value a, Value b) { return a < b; }
  static void Append(Column* out, Value v) { out->AppendBytes(v); }
  static uint64_t Hash(Value v) { return Hash64(v); }
};

template <typename T>
struct Tag {
  using type = T;
};

// Calls f(Tag<XxxOps>{}) for the storage of `type`; nested types are the caller's to refuse.
template <typename F>
auto WithOps(const DataType& type, F&& f) {
  switch (StorageOf(type)) {
    case Storage::kBool:
      return f(Tag<BoolOps>{});
    case Storage::kInt32:
      return f(Tag<Int32Ops>{});
    case Storage::kInt64:
      return f(Tag<Int64Ops>{});
    case Storage::kInt128:
      return f(Tag<Int128Ops>{});
    case Storage::kFloat:
      return f(Tag<FloatOps>{});
    case Storage::kDouble:
      return f(Tag<DoubleOps>{});
    default:
      return f(Tag<BytesOps>{});
  }
}

// The error of an Update given fewer argument vectors than the function takes (an engine bug).
inline Status MissingArguments(size_t got, size_t wanted) {
  return Internal("aggregate update got " + std::to_string(got) + " argument vectors, needs " +
                  std::to_string(wanted));
}

// `other` as the concrete aggregate T that Merge expects, or an error (an engine bug).
template <typename T>
Result<T*> SameKind(GroupedAggregate& other) {
  auto* same = dynamic_cast<T*>(&other);
  if (same == nullptr) return Internal("merging partial aggregates of different functions");
  return same;
}

}  // namespace tarn::sql::aggregate_internal
