// Internal to the aggregate functions (aggregates.cc): approx_distinct and approx_percentile,
// grouped aggregates over the sketches of hyperloglog.h and tdigest.h.
//
// Thread-safety: as GroupedAggregate (one thread at a time).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "sql/functions/aggregate.h"
#include "sql/functions/aggregate_ops.h"
#include "sql/functions/hyperloglog.h"
#include "sql/functions/tdigest.h"

namespace tarn::sql::aggregate_internal {

// approx_distinct: one HyperLogLog per group.

template <typename Ops>
class ApproxDistinctAggregate final : public GroupedAggregate {
 public:
  explicit ApproxDistinctAggregate(int index_bits) : index_bits_(index_bits) {}

  void Resize(size_t groups) override {
    if (groups <= sketches_.size()) return;
    const HyperLogLog empty(index_bits_);
    sketch_bytes_ += (groups - sketches_.size()) * empty.MemoryBytes();
    sketches_.resize(groups, empty);
  }

  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.empty()) return MissingArguments(0, 1);
    const Column& c = *args[0];
    for (size_t r = 0; r < rows; ++r) {
      if (c.is_null(r)) continue;
      HyperLogLog& sketch = sketches_[group_of_row[r]];
      const size_t before = sketch.MemoryBytes();
      sketch.Add(Ops::Hash(Ops::Get(c, r)));
      sketch_bytes_ += sketch.MemoryBytes() - before;
    }
    return Status::Ok();
  }

  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(ApproxDistinctAggregate * o, SameKind<ApproxDistinctAggregate>(other));
    for (size_t g = 0; g < o->sketches_.size(); ++g) {
      HyperLogLog& sketch = sketches_[group_map[g]];
      const size_t before = sketch.MemoryBytes();
      sketch.Merge(o->sketches_[g]);
      sketch_bytes_ += sketch.MemoryBytes() - before;
    }
    return Status::Ok();
  }

  Status Finalize(Column* out) override {
    *out = Column::Make(BigintType());
    out->Reserve(sketches_.size());
    for (HyperLogLog& sketch : sketches_) out->AppendInt64(sketch.Estimate());
    return Status::Ok();
  }

  size_t MemoryBytes() const override { return sketch_bytes_; }

 private:
  int index_bits_;
  std::vector<HyperLogLog> sketches_;
  size_t sketch_bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// approx_percentile

// T is int64_t for integers (so that exact answers stay exact) and double for the rest;
// decimals are sketched by their numeric value.
template <typename Ops, typename T>
class ApproxPercentileAggregate final : public GroupedAggregate {
 public:
  // `scale` is the input's decimal scale (0 for other types); `type` the result type, an array
  // when `as_array`.
  ApproxPercentileAggregate(DataType type, std::vector<double> percentages, bool as_array,
                            int scale)
      : type_(std::move(type)),
        percentages_(std::move(percentages)),
        as_array_(as_array),
        divisor_(std::pow(10.0, scale)) {}

  void Resize(size_t groups) override {
    if (groups > sketches_.size()) sketches_.resize(groups);
  }

  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.empty()) return MissingArguments(0, 1);
    const Column& c = *args[0];
    for (size_t r = 0; r < rows; ++r) {
      if (c.is_null(r)) continue;
      QuantileSketch<T>& sketch = sketches_[group_of_row[r]];
      const size_t before = sketch.MemoryBytes();
      sketch.Add(ToSketch(Ops::Get(c, r)));
      heap_bytes_ += sketch.MemoryBytes() - before;
    }
    return Status::Ok();
  }

  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(ApproxPercentileAggregate * o,
                          SameKind<ApproxPercentileAggregate>(other));
    for (size_t g = 0; g < o->sketches_.size(); ++g) {
      QuantileSketch<T>& sketch = sketches_[group_map[g]];
      const size_t before = sketch.MemoryBytes();
      sketch.Merge(o->sketches_[g]);
      heap_bytes_ += sketch.MemoryBytes() - before;
    }
    return Status::Ok();
  }

  Status Finalize(Column* out) override {
    *out = Column::Make(type_);
    out->Reserve(sketches_.size());
    for (QuantileSketch<T>& sketch : sketches_) {
      if (sketch.empty()) {
        out->AppendNull();
      } else if (!as_array_) {
        AppendQuantile(sketch, percentages_[0], out);
      } else {
        for (double p : percentages_) AppendQuantile(sketch, p, &out->children[0]);
        out->AppendListEnd();
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    return sketches_.capacity() * sizeof(QuantileSketch<T>) + heap_bytes_;
  }

 private:
  T ToSketch(typename Ops::Value v) const {
    if constexpr (std::is_same_v<T, int64_t>) {
      return static_cast<int64_t>(v);
    } else {
      return static_cast<double>(v) / divisor_;
    }
  }

  static void AppendQuantile(QuantileSketch<T>& sketch, double p, Column* out) {
    if constexpr (std::is_same_v<T, int64_t>) {
      if (sketch.is_exact()) {
        out->AppendInt64(sketch.ExactQuantile(p));
      } else {
        out->AppendInt64(std::llround(sketch.Quantile(p)));
      }
    } else if (out->type.kind == TypeKind::kFloat) {
      out->AppendFloat(static_cast<float>(sketch.Quantile(p)));
    } else {
      out->AppendDouble(sketch.Quantile(p));
    }
  }

  DataType type_;
  std::vector<double> percentages_;
  bool as_array_;
  double divisor_;
  std::vector<QuantileSketch<T>> sketches_;
  size_t heap_bytes_ = 0;  // Beyond sizeof(QuantileSketch<T>) per sketch.
};

}  // namespace tarn::sql::aggregate_internal
