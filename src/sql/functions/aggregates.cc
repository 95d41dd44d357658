// The aggregate functions: count, count_if, sum, avg, min, max, arbitrary, max_by, min_by,
// approx_distinct, approx_percentile, and DISTINCT over any of them. Semantics are Trino's
// (Athena engine v3): NULL inputs are skipped; with no input row count and count_if give 0 and
// every other function NULL.
//
// Each aggregate keeps one state per group in plain vectors indexed by group id, and is
// specialised (by template) on the storage of its input, so the loops of Update have no calls
// per row.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sql/functions/aggregate.h"
#include "sql/functions/aggregate_ops.h"
#include "sql/functions/approx_aggregates.h"
#include "sql/functions/distinct_set.h"

namespace tarn::sql {

namespace {

using namespace aggregate_internal;  // NOLINT: the internal headers are this file's parts.

__int128 TenTo(int exponent) {
  __int128 v = 1;
  for (int i = 0; i < exponent; ++i) v *= 10;
  return v;
}

const __int128 kDecimalLimit = TenTo(38);  // Exclusive bound of decimal(38,s) magnitudes.

Status DecimalOverflow() { return InvalidArgument("Decimal overflow"); }

// ---------------------------------------------------------------------------------------------
// count(*), count(x), count_if(b)

enum class CountMode { kRows, kNonNull, kTrue };

class CountAggregate final : public GroupedAggregate {
 public:
  explicit CountAggregate(CountMode mode) : mode_(mode) {}

  void Resize(size_t groups) override { counts_.resize(groups, 0); }

  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    int64_t* counts = counts_.data();
    if (mode_ == CountMode::kRows) {
      for (size_t r = 0; r < rows; ++r) ++counts[group_of_row[r]];
      return Status::Ok();
    }
    if (args.empty()) return MissingArguments(0, 1);
    const uint8_t* valid = args[0]->valid.data();
    if (mode_ == CountMode::kNonNull) {
      for (size_t r = 0; r < rows; ++r) counts[group_of_row[r]] += valid[r];
    } else {
      const uint8_t* b8 = args[0]->b8.data();
      for (size_t r = 0; r < rows; ++r) counts[group_of_row[r]] += valid[r] & (b8[r] != 0);
    }
    return Status::Ok();
  }

  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(CountAggregate * o, SameKind<CountAggregate>(other));
    for (size_t g = 0; g < o->counts_.size(); ++g) counts_[group_map[g]] += o->counts_[g];
    return Status::Ok();
  }

  Status Finalize(Column* out) override {
    *out = Column::Make(BigintType());
    out->Reserve(counts_.size());
    for (int64_t c : counts_) out->AppendInt64(c);
    return Status::Ok();
  }

  size_t MemoryBytes() const override { return counts_.capacity() * sizeof(int64_t); }

 private:
  CountMode mode_;
  std::vector<int64_t> counts_;
};

// ---------------------------------------------------------------------------------------------
// sum

// Integers into bigint, with Trino's overflow error.
template <typename Ops>
class SumIntegerAggregate final : public GroupedAggregate {
 public:
  void Resize(size_t groups) override {
    sums_.resize(groups, 0);
    seen_.resize(groups, 0);
  }

  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.empty()) return MissingArguments(0, 1);
    const Column& c = *args[0];
    for (size_t r = 0; r < rows; ++r) {
      if (c.is_null(r)) continue;
      TARN_RETURN_IF_ERROR(Add(group_of_row[r], Ops::Get(c, r)));
    }
    return Status::Ok();
  }

  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(SumIntegerAggregate * o, SameKind<SumIntegerAggregate>(other));
    for (size_t g = 0; g < o->sums_.size(); ++g) {
      if (o->seen_[g]) TARN_RETURN_IF_ERROR(Add(group_map[g], o->sums_[g]));
    }
    return Status::Ok();
  }

  Status Finalize(Column* out) override {
    *out = Column::Make(BigintType());
    out->Reserve(sums_.size());
    for (size_t g = 0; g < sums_.size(); ++g) {
      if (seen_[g]) {
        out->AppendInt64(sums_[g]);
      } else {
        out->AppendNull();
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    return sums_.capacity() * sizeof(int64_t) + seen_.capacity();
  }

 private:
  Status Add(uint32_t g, int64_t v) {
    const int64_t before = sums_[g];
    if (__builtin_add_overflow(before, v, &sums_[g])) {
      sums_[g] = before;
      return InvalidArgument("bigint addition overflow: " + std::to_string(before) + " + " +
                             std::to_string(v));
    }
    seen_[g] = 1;
    return Status::Ok();
  }

  std::vector<int64_t> sums_;
  std::vector<uint8_t> seen_;
};

// real and double, summed in double; the result has the input's type.
template <typename Ops>
class SumFloatingAggregate final : public GroupedAggregate {
 public:
  void Resize(size_t groups) override {
    sums_.resize(groups, 0);
    seen_.resize(groups, 0);
  }

  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.empty()) return MissingArguments(0, 1);
    const Column& c = *args[0];
    for (size_t r = 0; r < rows; ++r) {
      if (c.is_null(r)) continue;
      sums_[group_of_row[r]] += Ops::Get(c, r);
      seen_[group_of_row[r]] = 1;
    }
    return Status::Ok();
  }

  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(SumFloatingAggregate * o, SameKind<SumFloatingAggregate>(other));
    for (size_t g = 0; g < o->sums_.size(); ++g) {
      if (!o->seen_[g]) continue;
      sums_[group_map[g]] += o->sums_[g];
      seen_[group_map[g]] = 1;
    }
    return Status::Ok();
  }

  Status Finalize(Column* out) override {
    *out = Column::Make(
        DataType::Of(std::is_same_v<Ops, FloatOps> ? TypeKind::kFloat : TypeKind::kDouble));
    out->Reserve(sums_.size());
    for (size_t g = 0; g < sums_.size(); ++g) {
      if (!seen_[g]) {
        out->AppendNull();
      } else {
        Ops::Append(out, static_cast<typename Ops::Value>(sums_[g]));
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    return sums_.capacity() * sizeof(double) + seen_.capacity();
  }

 private:
  std::vector<double> sums_;
  std::vector<uint8_t> seen_;
};

// Shared by sum and avg of decimals and avg of integers: an exact 128-bit sum and a count.
template <typename Ops>
class ExactSumState {
 public:
  void Resize(size_t groups) {
    sums_.resize(groups, 0);
    counts_.resize(groups, 0);
  }

  Status Update(const Column& c, const uint32_t* group_of_row, size_t rows) {
    for (size_t r = 0; r < rows; ++r) {
      if (c.is_null(r)) continue;
      TARN_RETURN_IF_ERROR(Add(group_of_row[r], Ops::Get(c, r), 1));
    }
    return Status::Ok();
  }

  Status Merge(const ExactSumState& other, const uint32_t* group_map) {
    for (size_t g = 0; g < other.sums_.size(); ++g) {
      if (other.counts_[g] != 0) {
        TARN_RETURN_IF_ERROR(Add(group_map[g], other.sums_[g], other.counts_[g]));
      }
    }
    return Status::Ok();
  }

  size_t groups() const { return sums_.size(); }
  __int128 sum(size_t g) const { return sums_[g]; }
  int64_t count(size_t g) const { return counts_[g]; }
  size_t MemoryBytes() const {
    return sums_.capacity() * sizeof(__int128) + counts_.capacity() * sizeof(int64_t);
  }

 private:
  Status Add(uint32_t g, __int128 v, int64_t n) {
    if (__builtin_add_overflow(sums_[g], v, &sums_[g])) return DecimalOverflow();
    counts_[g] += n;
    return Status::Ok();
  }

  std::vector<__int128> sums_;
  std::vector<int64_t> counts_;
};

// sum(decimal(p,s)) -> decimal(38,s).
template <typename Ops>
class SumDecimalAggregate final : public GroupedAggregate {
 public:
  explicit SumDecimalAggregate(DataType type) : type_(std::move(type)) {}

  void Resize(size_t groups) override { state_.Resize(groups); }
  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.empty()) return MissingArguments(0, 1);
    return state_.Update(*args[0], group_of_row, rows);
  }
  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(SumDecimalAggregate * o, SameKind<SumDecimalAggregate>(other));
    return state_.Merge(o->state_, group_map);
  }
  Status Finalize(Column* out) override {
    *out = Column::Make(type_);
    out->Reserve(state_.groups());
    for (size_t g = 0; g < state_.groups(); ++g) {
      const __int128 sum = state_.sum(g);
      if (state_.count(g) == 0) {
        out->AppendNull();
      } else if (sum >= kDecimalLimit || sum <= -kDecimalLimit) {
        return DecimalOverflow();
      } else {
        out->AppendInt128(sum);
      }
    }
    return Status::Ok();
  }
  size_t MemoryBytes() const override { return state_.MemoryBytes(); }

 private:
  DataType type_;
  ExactSumState<Ops> state_;
};

// ---------------------------------------------------------------------------------------------
// avg

// avg of integers (-> double) and of decimals (-> the same decimal type, rounded half up).
template <typename Ops>
class AvgExactAggregate final : public GroupedAggregate {
 public:
  explicit AvgExactAggregate(DataType type) : type_(std::move(type)) {}

  void Resize(size_t groups) override { state_.Resize(groups); }
  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.empty()) return MissingArguments(0, 1);
    return state_.Update(*args[0], group_of_row, rows);
  }
  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(AvgExactAggregate * o, SameKind<AvgExactAggregate>(other));
    return state_.Merge(o->state_, group_map);
  }
  Status Finalize(Column* out) override {
    *out = Column::Make(type_);
    out->Reserve(state_.groups());
    const bool decimal = type_.kind == TypeKind::kDecimal;
    for (size_t g = 0; g < state_.groups(); ++g) {
      const int64_t n = state_.count(g);
      if (n == 0) {
        out->AppendNull();
      } else if (!decimal) {
        out->AppendDouble(static_cast<double>(state_.sum(g)) / static_cast<double>(n));
      } else {
        const __int128 sum = state_.sum(g);
        __int128 q = sum / n;
        const __int128 rem = sum % n;
        if ((rem < 0 ? -rem : rem) * 2 >= n) q += sum < 0 ? -1 : 1;
        if (StorageOf(type_) == Storage::kInt64) {
          out->AppendInt64(static_cast<int64_t>(q));
        } else {
          out->AppendInt128(q);
        }
      }
    }
    return Status::Ok();
  }
  size_t MemoryBytes() const override { return state_.MemoryBytes(); }

 private:
  DataType type_;
  ExactSumState<Ops> state_;
};

// avg of real (-> real) and double (-> double).
template <typename Ops>
class AvgFloatingAggregate final : public GroupedAggregate {
 public:
  void Resize(size_t groups) override {
    sums_.resize(groups, 0);
    counts_.resize(groups, 0);
  }
  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.empty()) return MissingArguments(0, 1);
    const Column& c = *args[0];
    for (size_t r = 0; r < rows; ++r) {
      if (c.is_null(r)) continue;
      sums_[group_of_row[r]] += Ops::Get(c, r);
      ++counts_[group_of_row[r]];
    }
    return Status::Ok();
  }
  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(AvgFloatingAggregate * o, SameKind<AvgFloatingAggregate>(other));
    for (size_t g = 0; g < o->sums_.size(); ++g) {
      sums_[group_map[g]] += o->sums_[g];
      counts_[group_map[g]] += o->counts_[g];
    }
    return Status::Ok();
  }
  Status Finalize(Column* out) override {
    *out = Column::Make(
        DataType::Of(std::is_same_v<Ops, FloatOps> ? TypeKind::kFloat : TypeKind::kDouble));
    out->Reserve(sums_.size());
    for (size_t g = 0; g < sums_.size(); ++g) {
      if (counts_[g] == 0) {
        out->AppendNull();
      } else {
        Ops::Append(out,
                    static_cast<typename Ops::Value>(sums_[g] / static_cast<double>(counts_[g])));
      }
    }
    return Status::Ok();
  }
  size_t MemoryBytes() const override {
    return sums_.capacity() * sizeof(double) + counts_.capacity() * sizeof(int64_t);
  }

 private:
  std::vector<double> sums_;
  std::vector<int64_t> counts_;
};

// ---------------------------------------------------------------------------------------------
// min, max, arbitrary

enum class Pick { kMin, kMax, kAny };

template <typename Ops, Pick kPick>
bool Replaces(typename Ops::Value candidate, typename Ops::Value held) {
  if constexpr (kPick == Pick::kMin) return Ops::Less(candidate, held);
  if constexpr (kPick == Pick::kMax) return Ops::Less(held, candidate);
  return false;
}

template <typename Ops, Pick kPick>
class PickAggregate final : public GroupedAggregate {
 public:
  explicit PickAggregate(DataType type) : type_(std::move(type)) {}

  void Resize(size_t groups) override {
    values_.resize(groups);
    seen_.resize(groups, 0);
  }

  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.empty()) return MissingArguments(0, 1);
    const Column& c = *args[0];
    for (size_t r = 0; r < rows; ++r) {
      if (!c.is_null(r)) Offer(group_of_row[r], Ops::Get(c, r));
    }
    return Status::Ok();
  }

  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(PickAggregate * o, SameKind<PickAggregate>(other));
    for (size_t g = 0; g < o->values_.size(); ++g) {
      if (o->seen_[g]) Offer(group_map[g], Ops::View(o->values_[g]));
    }
    return Status::Ok();
  }

  Status Finalize(Column* out) override {
    *out = Column::Make(type_);
    out->Reserve(values_.size());
    for (size_t g = 0; g < values_.size(); ++g) {
      if (seen_[g]) {
        Ops::Append(out, Ops::View(values_[g]));
      } else {
        out->AppendNull();
      }
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    return values_.capacity() * sizeof(typename Ops::State) + seen_.capacity() + heap_bytes_;
  }

 private:
  void Offer(uint32_t g, typename Ops::Value v) {
    if (seen_[g] && !Replaces<Ops, kPick>(v, Ops::View(values_[g]))) return;
    const size_t before = Ops::HeapBytes(values_[g]);
    Ops::Store(&values_[g], v);
    heap_bytes_ += Ops::HeapBytes(values_[g]) - before;
    seen_[g] = 1;
  }

  DataType type_;
  std::vector<typename Ops::State> values_;
  std::vector<uint8_t> seen_;
  size_t heap_bytes_ = 0;
};

// max_by(x, y), min_by(x, y): x (kept encoded, any flat type, may be NULL) at the extreme y.
template <typename YOps, Pick kPick>
class PickByAggregate final : public GroupedAggregate {
 public:
  explicit PickByAggregate(DataType type) : type_(std::move(type)) {}

  void Resize(size_t groups) override {
    keys_.resize(groups);
    values_.resize(groups);
    seen_.resize(groups, 0);
  }

  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    if (args.size() < 2) return MissingArguments(args.size(), 2);
    const Column& x = *args[0];
    const Column& y = *args[1];
    for (size_t r = 0; r < rows; ++r) {
      if (y.is_null(r)) continue;
      const uint32_t g = group_of_row[r];
      if (!Takes(g, YOps::Get(y, r))) continue;
      std::string& value = values_[g];
      heap_bytes_ -= BytesOps::HeapBytes(value);
      value.clear();
      EncodeValue(x, r, &value);
      heap_bytes_ += BytesOps::HeapBytes(value);
    }
    return Status::Ok();
  }

  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(PickByAggregate * o, SameKind<PickByAggregate>(other));
    for (size_t g = 0; g < o->keys_.size(); ++g) {
      if (!o->seen_[g] || !Takes(group_map[g], YOps::View(o->keys_[g]))) continue;
      std::string& value = values_[group_map[g]];
      heap_bytes_ -= BytesOps::HeapBytes(value);
      value = o->values_[g];
      heap_bytes_ += BytesOps::HeapBytes(value);
    }
    return Status::Ok();
  }

  Status Finalize(Column* out) override {
    *out = Column::Make(type_);
    out->Reserve(keys_.size());
    for (size_t g = 0; g < keys_.size(); ++g) {
      if (!seen_[g]) {
        out->AppendNull();
        continue;
      }
      std::string_view encoded = values_[g];
      DecodeValue(&encoded, out);
    }
    return Status::Ok();
  }

  size_t MemoryBytes() const override {
    return keys_.capacity() * sizeof(typename YOps::State) +
           values_.capacity() * sizeof(std::string) + seen_.capacity() + heap_bytes_;
  }

 private:
  // Stores key y for group g when it beats the group's key; the caller then stores x.
  bool Takes(uint32_t g, typename YOps::Value y) {
    if (seen_[g] && !Replaces<YOps, kPick>(y, YOps::View(keys_[g]))) return false;
    const size_t before = YOps::HeapBytes(keys_[g]);
    YOps::Store(&keys_[g], y);
    heap_bytes_ += YOps::HeapBytes(keys_[g]) - before;
    seen_[g] = 1;
    return true;
  }

  DataType type_;
  std::vector<typename YOps::State> keys_;
  std::vector<std::string> values_;  // EncodeValue of x.
  std::vector<uint8_t> seen_;
  size_t heap_bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// DISTINCT: the distinct value tuples of each group are kept, and fed to a fresh inner
// aggregate at Finalize, once each.

class DistinctAggregate final : public GroupedAggregate {
 public:
  DistinctAggregate(std::shared_ptr<const AggregateFactory> inner,
                    std::vector<DataType> value_types)
      : inner_(std::move(inner)), value_types_(std::move(value_types)) {}

  void Resize(size_t groups) override { groups_ = std::max(groups_, groups); }

  Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                size_t rows) override {
    const size_t n = value_types_.size();
    if (args.size() < n) return MissingArguments(args.size(), n);
    // Keys and hashes first, with each row's first slot prefetched; then the inserts, whose
    // probes then mostly hit the cache.
    key_.clear();
    ends_.clear();
    hashes_.clear();
    rows_.clear();
    for (size_t r = 0; r < rows; ++r) {
      // Every one-argument aggregate skips NULL, so NULL need not be kept.
      if (n == 1 && args[0]->is_null(r)) continue;
      const size_t begin = key_.size();
      for (size_t a = 0; a < n; ++a) EncodeValue(*args[a], r, &key_);
      ends_.push_back(key_.size());
      rows_.push_back(static_cast<uint32_t>(r));
      hashes_.push_back(Hash64(std::string_view(key_).substr(begin), group_of_row[r]));
    }
    set_.Reserve(rows_.size());
    for (uint64_t hash : hashes_) set_.Prefetch(hash);
    size_t begin = 0;
    for (size_t i = 0; i < rows_.size(); ++i) {
      set_.InsertHashed(group_of_row[rows_[i]],
                        std::string_view(key_).substr(begin, ends_[i] - begin), hashes_[i]);
      begin = ends_[i];
    }
    return Status::Ok();
  }

  Status Merge(GroupedAggregate& other, const uint32_t* group_map) override {
    TARN_ASSIGN_OR_RETURN(DistinctAggregate * o, SameKind<DistinctAggregate>(other));
    set_.MergeFrom(o->set_, group_map);
    return Status::Ok();
  }

  Status Finalize(Column* out) override {
    std::unique_ptr<GroupedAggregate> inner = inner_->Make();
    inner->Resize(groups_);
    constexpr size_t kBatch = 2048;
    std::vector<Column> columns;
    for (const DataType& t : value_types_) columns.push_back(Column::Make(t));
    std::vector<const Column*> pointers;
    for (const Column& c : columns) pointers.push_back(&c);
    std::vector<uint32_t> groups;
    for (size_t begin = 0; begin < set_.size(); begin += kBatch) {
      const size_t end = std::min(set_.size(), begin + kBatch);
      for (Column& c : columns) c.Clear();
      groups.clear();
      for (size_t i = begin; i < end; ++i) {
        const DistinctSet::Entry& e = set_.entry(i);
        std::string_view key = set_.key(e);
        for (Column& c : columns) DecodeValue(&key, &c);
        groups.push_back(e.group);
      }
      TARN_RETURN_IF_ERROR(inner->Update(pointers, groups.data(), groups.size()));
    }
    return inner->Finalize(out);
  }

  size_t MemoryBytes() const override { return set_.MemoryBytes() + key_.capacity(); }

 private:
  std::shared_ptr<const AggregateFactory> inner_;
  std::vector<DataType> value_types_;
  size_t groups_ = 0;
  DistinctSet set_;
  std::string key_;  // The batch's encoded keys, one after another.
  std::vector<size_t> ends_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> rows_;
};

// ---------------------------------------------------------------------------------------------
// Factories and binding

class FunctionFactory final : public AggregateFactory {
 public:
  using Maker = std::function<std::unique_ptr<GroupedAggregate>()>;
  FunctionFactory(DataType type, Maker maker) : type_(std::move(type)), maker_(std::move(maker)) {}
  const DataType& type() const override { return type_; }
  std::unique_ptr<GroupedAggregate> Make() const override { return maker_(); }

 private:
  DataType type_;
  Maker maker_;
};

template <typename A, typename... Params>
std::unique_ptr<AggregateFactory> Factory(DataType type, Params... params) {
  return std::make_unique<FunctionFactory>(
      std::move(type), [params...]() { return std::make_unique<A>(params...); });
}

// A bound function and how many of its leading arguments are values (the rest are constants
// read at binding).
struct Bound {
  std::unique_ptr<AggregateFactory> factory;
  size_t value_args = 1;
};

Status UnexpectedParameters(std::string_view name, const AggregateBinding& binding,
                            std::string_view expected) {
  std::string types;
  for (size_t i = 0; i < binding.arg_types.size(); ++i) {
    if (i > 0) types += ", ";
    types += SqlTypeName(binding.arg_types[i]);
  }
  return InvalidArgument("Unexpected parameters (" + types + ") for function " + std::string(name) +
                         ". Expected: " + std::string(expected));
}

bool IsOrderable(const DataType& t) { return !t.is_nested(); }

// Row `row` of `c` (not NULL) as a number, for constant arguments.
Result<double> NumberAt(const Column& c, size_t row, std::string_view function,
                        std::string_view what) {
  const DataType& t = c.type;
  const double divisor = t.kind == TypeKind::kDecimal ? std::pow(10.0, t.scale) : 1.0;
  switch (StorageOf(t)) {
    case Storage::kInt32:
      return static_cast<double>(c.i32[row]);
    case Storage::kInt64:
      return static_cast<double>(c.i64[row]) / divisor;
    case Storage::kInt128:
      return static_cast<double>(c.i128[row]) / divisor;
    case Storage::kFloat:
      return static_cast<double>(c.f32[row]);
    case Storage::kDouble:
      return c.f64[row];
    default:
      return InvalidArgument(std::string(function) + ": " + std::string(what) +
                             " must be a number, got " + SqlTypeName(t));
  }
}

// The constant argument `index` of `binding`: its one row, which must not be NULL.
Result<const Column*> ConstantArgument(const AggregateBinding& binding, size_t index,
                                       std::string_view function, std::string_view what) {
  const Column* c = index < binding.constants.size() ? binding.constants[index] : nullptr;
  if (c == nullptr) {
    return InvalidArgument(std::string(function) + ": " + std::string(what) +
                           " must be constant for all input rows");
  }
  if (c->size() == 0 || c->is_null(0)) {
    return InvalidArgument(std::string(function) + ": " + std::string(what) + " must not be null");
  }
  return c;
}

constexpr std::string_view kSumExpected =
    "sum(double), sum(real), sum(bigint), sum(interval day to second), "
    "sum(interval year to month), sum(decimal(p,s))";
constexpr std::string_view kAvgExpected =
    "avg(double), avg(real), avg(bigint), avg(interval day to second), "
    "avg(interval year to month), avg(decimal(p,s))";

Result<Bound> BindSum(const AggregateBinding& b) {
  if (b.arg_types.size() != 1 || !IsNumeric(b.arg_types[0])) {
    return UnexpectedParameters("sum", b, kSumExpected);
  }
  const DataType& t = b.arg_types[0];
  if (IsInteger(t)) {
    if (StorageOf(t) == Storage::kInt32) {
      return Bound{Factory<SumIntegerAggregate<Int32Ops>>(BigintType())};
    }
    return Bound{Factory<SumIntegerAggregate<Int64Ops>>(BigintType())};
  }
  if (t.kind == TypeKind::kFloat) return Bound{Factory<SumFloatingAggregate<FloatOps>>(t)};
  if (t.kind == TypeKind::kDouble) return Bound{Factory<SumFloatingAggregate<DoubleOps>>(t)};
  const DataType out = DecimalType(38, t.scale);
  if (StorageOf(t) == Storage::kInt64) {
    return Bound{Factory<SumDecimalAggregate<Int64Ops>>(out, out)};
  }
  return Bound{Factory<SumDecimalAggregate<Int128Ops>>(out, out)};
}

Result<Bound> BindAvg(const AggregateBinding& b) {
  if (b.arg_types.size() != 1 || !IsNumeric(b.arg_types[0])) {
    return UnexpectedParameters("avg", b, kAvgExpected);
  }
  const DataType& t = b.arg_types[0];
  if (t.kind == TypeKind::kFloat) return Bound{Factory<AvgFloatingAggregate<FloatOps>>(t)};
  if (t.kind == TypeKind::kDouble) return Bound{Factory<AvgFloatingAggregate<DoubleOps>>(t)};
  const DataType out = IsInteger(t) ? DoubleType() : t;
  switch (StorageOf(t)) {
    case Storage::kInt32:
      return Bound{Factory<AvgExactAggregate<Int32Ops>>(out, out)};
    case Storage::kInt64:
      return Bound{Factory<AvgExactAggregate<Int64Ops>>(out, out)};
    default:
      return Bound{Factory<AvgExactAggregate<Int128Ops>>(out, out)};
  }
}

template <Pick kPick>
Result<Bound> BindPick(std::string_view name, const AggregateBinding& b) {
  const bool any = kPick == Pick::kAny;
  if (b.arg_types.size() != 1 ||
      (any ? b.arg_types[0].is_nested() : !IsOrderable(b.arg_types[0]))) {
    const std::string n(name);
    return UnexpectedParameters(
        name, b, any ? n + "(T) T:any" : n + "(T) T:orderable, " + n + "(T, bigint) T:orderable");
  }
  const DataType& t = b.arg_types[0];
  return WithOps(t, [&](auto tag) {
    using Ops = typename decltype(tag)::type;
    return Bound{Factory<PickAggregate<Ops, kPick>>(t, t)};
  });
}

template <Pick kPick>
Result<Bound> BindPickBy(std::string_view name, const AggregateBinding& b) {
  if (b.arg_types.size() != 2 || !CanEncode(b.arg_types[0]) || !IsOrderable(b.arg_types[1])) {
    const std::string n(name);
    return UnexpectedParameters(
        name, b, n + "(V, K) V:any, K:orderable, " + n + "(V, K, bigint) V:any, K:orderable");
  }
  const DataType& x = b.arg_types[0];
  return WithOps(b.arg_types[1], [&](auto tag) {
    using Ops = typename decltype(tag)::type;
    return Bound{Factory<PickByAggregate<Ops, kPick>>(x, x), 2};
  });
}

Result<Bound> BindApproxDistinct(const AggregateBinding& b) {
  if (b.arg_types.empty() || b.arg_types.size() > 2 || b.arg_types[0].is_nested() ||
      (b.arg_types.size() == 2 && !IsNumeric(b.arg_types[1]))) {
    return UnexpectedParameters("approx_distinct", b,
                                "approx_distinct(T) T:any, approx_distinct(T, double) T:any");
  }
  double error = 0.023;
  if (b.arg_types.size() == 2) {
    TARN_ASSIGN_OR_RETURN(const Column* e,
                          ConstantArgument(b, 1, "approx_distinct", "max standard error"));
    TARN_ASSIGN_OR_RETURN(error, NumberAt(*e, 0, "approx_distinct", "max standard error"));
    if (!(error >= 0.0040625 && error <= 0.26)) {
      char text[64];
      std::snprintf(text, sizeof(text), "%.5f", error);
      return InvalidArgument("Max standard error must be in [0.0040625, 0.26000]: " +
                             std::string(text));
    }
  }
  const int bits = HyperLogLog::IndexBitsForError(error);
  return WithOps(b.arg_types[0], [&](auto tag) {
    using Ops = typename decltype(tag)::type;
    return Bound{Factory<ApproxDistinctAggregate<Ops>>(BigintType(), bits)};
  });
}

Result<Bound> BindApproxPercentile(const AggregateBinding& b) {
  constexpr std::string_view kExpected =
      "approx_percentile(bigint, double), approx_percentile(double, double), "
      "approx_percentile(real, double), approx_percentile(bigint, array(double)), "
      "approx_percentile(double, array(double)), approx_percentile(real, array(double))";
  if (b.arg_types.size() != 2 || !IsNumeric(b.arg_types[0])) {
    return UnexpectedParameters("approx_percentile", b, kExpected);
  }
  const DataType& p_type = b.arg_types[1];
  const bool as_array = p_type.kind == TypeKind::kArray;
  if (as_array ? !IsNumeric(p_type.children[0].type) : !IsNumeric(p_type)) {
    return UnexpectedParameters("approx_percentile", b, kExpected);
  }
  TARN_ASSIGN_OR_RETURN(const Column* constant,
                        ConstantArgument(b, 1, "approx_percentile", "percentage"));
  std::vector<double> percentages;
  if (!as_array) {
    TARN_ASSIGN_OR_RETURN(double p, NumberAt(*constant, 0, "approx_percentile", "percentage"));
    percentages.push_back(p);
  } else {
    const Column& elements = constant->children[0];
    for (uint64_t i = constant->offsets[0]; i < constant->offsets[1]; ++i) {
      if (elements.is_null(i)) return InvalidArgument("Percentile cannot be null");
      TARN_ASSIGN_OR_RETURN(double p, NumberAt(elements, i, "approx_percentile", "percentage"));
      percentages.push_back(p);
    }
  }
  for (double p : percentages) {
    if (!(p >= 0 && p <= 1)) return InvalidArgument("Percentile must be between 0 and 1");
  }
  const DataType& x = b.arg_types[0];
  DataType element = IsInteger(x)                 ? BigintType()
                     : x.kind == TypeKind::kFloat ? RealType()
                                                  : DoubleType();
  DataType out = as_array ? DataType::Array(element) : element;
  const int scale = x.kind == TypeKind::kDecimal ? x.scale : 0;
  if (IsInteger(x)) {
    if (StorageOf(x) == Storage::kInt32) {
      return Bound{Factory<ApproxPercentileAggregate<Int32Ops, int64_t>>(out, out, percentages,
                                                                         as_array, 0)};
    }
    return Bound{
        Factory<ApproxPercentileAggregate<Int64Ops, int64_t>>(out, out, percentages, as_array, 0)};
  }
  switch (StorageOf(x)) {
    case Storage::kFloat:
      return Bound{
          Factory<ApproxPercentileAggregate<FloatOps, double>>(out, out, percentages, as_array, 0)};
    case Storage::kDouble:
      return Bound{Factory<ApproxPercentileAggregate<DoubleOps, double>>(out, out, percentages,
                                                                         as_array, 0)};
    case Storage::kInt64:
      return Bound{Factory<ApproxPercentileAggregate<Int64Ops, double>>(out, out, percentages,
                                                                        as_array, scale)};
    default:
      return Bound{Factory<ApproxPercentileAggregate<Int128Ops, double>>(out, out, percentages,
                                                                         as_array, scale)};
  }
}

Result<Bound> BindPlain(std::string_view name, const AggregateBinding& b) {
  const auto& types = b.arg_types;
  if (name == "count") {
    if (types.empty()) return Bound{Factory<CountAggregate>(BigintType(), CountMode::kRows), 0};
    if (types.size() == 1) {
      return Bound{Factory<CountAggregate>(BigintType(), CountMode::kNonNull)};
    }
    return UnexpectedParameters(name, b, "count(), count(T) T:any");
  }
  if (name == "count_if") {
    if (types.size() != 1 || types[0].kind != TypeKind::kBoolean) {
      return UnexpectedParameters(name, b, "count_if(boolean)");
    }
    return Bound{Factory<CountAggregate>(BigintType(), CountMode::kTrue)};
  }
  if (name == "sum") return BindSum(b);
  if (name == "avg") return BindAvg(b);
  if (name == "min") return BindPick<Pick::kMin>(name, b);
  if (name == "max") return BindPick<Pick::kMax>(name, b);
  if (name == "arbitrary") return BindPick<Pick::kAny>(name, b);
  if (name == "max_by") return BindPickBy<Pick::kMax>(name, b);
  if (name == "min_by") return BindPickBy<Pick::kMin>(name, b);
  if (name == "approx_distinct") return BindApproxDistinct(b);
  if (name == "approx_percentile") return BindApproxPercentile(b);
  return NotFound("Function '" + std::string(name) + "' not registered");
}

constexpr std::string_view kAggregateNames[] = {"count",
                                                "count_if",
                                                "sum",
                                                "avg",
                                                "min",
                                                "max",
                                                "arbitrary",
                                                "max_by",
                                                "min_by",
                                                "approx_distinct",
                                                "approx_percentile"};

}  // namespace

Result<std::unique_ptr<AggregateFactory>> BindAggregateFunction(std::string_view name,
                                                                const AggregateBinding& binding) {
  TARN_ASSIGN_OR_RETURN(Bound bound, BindPlain(name, binding));
  if (!binding.distinct || bound.value_args == 0) return std::move(bound.factory);
  std::vector<DataType> value_types(
      binding.arg_types.begin(),
      binding.arg_types.begin() + static_cast<ptrdiff_t>(bound.value_args));
  for (const DataType& t : value_types) {
    if (!CanEncode(t)) {
      return InvalidArgument("DISTINCT is not supported for " + std::string(name) + " of " +
                             SqlTypeName(t));
    }
  }
  std::shared_ptr<const AggregateFactory> inner = std::move(bound.factory);
  DataType type = inner->type();
  return std::unique_ptr<AggregateFactory>(std::make_unique<FunctionFactory>(
      std::move(type),
      [inner, value_types]() { return std::make_unique<DistinctAggregate>(inner, value_types); }));
}

bool IsAggregateFunction(std::string_view name) {
  for (std::string_view n : kAggregateNames) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace tarn::sql
