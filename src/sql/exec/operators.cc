#include "sql/exec/operators.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "common/human_units.h"

namespace tarn::sql {

Status QueryContext::Reserve(int64_t bytes) {
  if (bytes < 0) {
    used_.fetch_sub(static_cast<uint64_t>(-bytes));
    return Status::Ok();
  }
  const uint64_t now = used_.fetch_add(static_cast<uint64_t>(bytes)) + static_cast<uint64_t>(bytes);
  uint64_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
  if (now > memory_limit) {
    return Status(StatusCode::kResourceExhausted,
                  fmt::format("Query exceeded memory limit of {} (EXCEEDED_MEMORY_LIMIT)",
                              HumanBytes(memory_limit)));
  }
  return Status::Ok();
}

namespace {

template <typename T>
int Compare3(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int CompareDouble(double a, double b) {
  // NaN sorts after every number, as in Trino.
  const bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return Compare3(a, b);
}

class FilterOperator : public Operator {
 public:
  FilterOperator(OperatorPtr child, ExprPtr predicate)
      : child_(std::move(child)), predicate_(std::move(predicate)) {
    types_ = child_->types();
  }
  Result<bool> Next(Batch* out) override {
    while (true) {
      TARN_ASSIGN_OR_RETURN(bool more, child_->Next(out));
      if (!more) return false;
      TARN_RETURN_IF_ERROR(EvaluateFilter(*predicate_, *out, &rows_));
      if (rows_.empty()) continue;
      out->Select(rows_);
      return true;
    }
  }

 private:
  OperatorPtr child_;
  ExprPtr predicate_;
  std::vector<uint32_t> rows_;
};

class ProjectOperator : public Operator {
 public:
  ProjectOperator(OperatorPtr child, std::vector<ExprPtr> expressions)
      : child_(std::move(child)), expressions_(std::move(expressions)) {
    for (const ExprPtr& e : expressions_) types_.push_back(e->type);
  }
  Result<bool> Next(Batch* out) override {
    Batch input;
    TARN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
    if (!more) return false;
    out->rows = input.rows;
    out->columns.resize(expressions_.size());
    for (size_t i = 0; i < expressions_.size(); ++i) {
      out->columns[i] = Column::Make(expressions_[i]->type);
      TARN_RETURN_IF_ERROR(Evaluate(*expressions_[i], input, &out->columns[i]));
    }
    return true;
  }

 private:
  OperatorPtr child_;
  std::vector<ExprPtr> expressions_;
};

class LimitOperator : public Operator {
 public:
  LimitOperator(OperatorPtr child, uint64_t offset, std::optional<uint64_t> limit)
      : child_(std::move(child)), offset_(offset), limit_(limit) {
    types_ = child_->types();
  }
  Result<bool> Next(Batch* out) override {
    while (true) {
      if (limit_ && returned_ >= *limit_) return false;
      TARN_ASSIGN_OR_RETURN(bool more, child_->Next(out));
      if (!more) return false;
      size_t begin = 0;
      if (skipped_ < offset_) {
        begin = static_cast<size_t>(std::min<uint64_t>(offset_ - skipped_, out->rows));
        skipped_ += begin;
      }
      size_t end = out->rows;
      if (limit_) end = std::min<size_t>(end, begin + static_cast<size_t>(*limit_ - returned_));
      if (begin >= end) continue;
      if (begin > 0 || end < out->rows) {
        std::vector<uint32_t> rows;
        for (size_t r = begin; r < end; ++r) rows.push_back(static_cast<uint32_t>(r));
        out->Select(rows);
      }
      returned_ += out->rows;
      return true;
    }
  }

 private:
  OperatorPtr child_;
  uint64_t offset_;
  std::optional<uint64_t> limit_;
  uint64_t skipped_ = 0;
  uint64_t returned_ = 0;
};

class ValuesOperator : public Operator {
 public:
  ValuesOperator(std::vector<DataType> types, std::vector<Batch> batches)
      : batches_(std::move(batches)) {
    types_ = std::move(types);
  }
  Result<bool> Next(Batch* out) override {
    while (next_ < batches_.size()) {
      *out = std::move(batches_[next_++]);
      if (out->rows > 0) return true;
    }
    return false;
  }

 private:
  std::vector<Batch> batches_;
  size_t next_ = 0;
};

class UnionAllOperator : public Operator {
 public:
  explicit UnionAllOperator(std::vector<OperatorPtr> children) : children_(std::move(children)) {
    types_ = children_.front()->types();
  }
  Result<bool> Next(Batch* out) override {
    while (next_ < children_.size()) {
      TARN_ASSIGN_OR_RETURN(bool more, children_[next_]->Next(out));
      if (more) return true;
      ++next_;
    }
    return false;
  }

 private:
  std::vector<OperatorPtr> children_;
  size_t next_ = 0;
};

// Collects every row of a child into one set of columns, counting the memory.
class RowCollector {
 public:
  RowCollector(const std::vector<DataType>& types, QueryContext* context) : context_(context) {
    for (const DataType& type : types) columns_.push_back(Column::Make(type));
  }
  ~RowCollector() { context_->Reserve(-static_cast<int64_t>(reserved_)).ok(); }
  Status Add(const Batch& batch) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      AppendRows(batch.columns[c], 0, batch.rows, &columns_[c]);
    }
    rows_ += batch.rows;
    const size_t bytes = batch.MemoryBytes();
    reserved_ += bytes;
    return context_->Reserve(static_cast<int64_t>(bytes));
  }
  std::vector<Column>& columns() { return columns_; }
  size_t rows() const { return rows_; }

 private:
  QueryContext* context_;
  std::vector<Column> columns_;
  size_t rows_ = 0;
  size_t reserved_ = 0;
};

class SortOperator : public Operator {
 public:
  SortOperator(OperatorPtr child, std::vector<SortKey> keys, std::optional<uint64_t> limit,
               QueryContext* context)
      : child_(std::move(child)),
        keys_(std::move(keys)),
        limit_(limit),
        rows_(child_->types(), context) {
    types_ = child_->types();
  }
  Result<bool> Next(Batch* out) override {
    if (!sorted_) {
      Batch batch;
      while (true) {
        TARN_ASSIGN_OR_RETURN(bool more, child_->Next(&batch));
        if (!more) break;
        TARN_RETURN_IF_ERROR(rows_.Add(batch));
      }
      order_.resize(rows_.rows());
      for (size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<uint32_t>(i);
      const std::vector<Column>& columns = rows_.columns();
      const auto less = [&](uint32_t a, uint32_t b) {
        for (const SortKey& key : keys_) {
          const Column& column = columns[static_cast<size_t>(key.column)];
          const bool an = column.is_null(a), bn = column.is_null(b);
          if (an || bn) {
            if (an == bn) continue;
            return an ? key.nulls_first : !key.nulls_first;
          }
          const int c = CompareValues(column, a, column, b);
          if (c != 0) return key.descending ? c > 0 : c < 0;
        }
        return a < b;  // Stable.
      };
      if (limit_ && *limit_ < order_.size()) {
        std::partial_sort(order_.begin(), order_.begin() + static_cast<ptrdiff_t>(*limit_),
                          order_.end(), less);
        order_.resize(static_cast<size_t>(*limit_));
      } else {
        std::sort(order_.begin(), order_.end(), less);
      }
      sorted_ = true;
    }
    if (next_ >= order_.size()) return false;
    const size_t count = std::min(kBatchRows, order_.size() - next_);
    out->rows = count;
    out->columns.clear();
    for (const Column& column : rows_.columns()) {
      out->columns.push_back(Gather(column, order_.data() + next_, count));
    }
    next_ += count;
    return true;
  }

 private:
  OperatorPtr child_;
  std::vector<SortKey> keys_;
  std::optional<uint64_t> limit_;
  RowCollector rows_;
  std::vector<uint32_t> order_;
  bool sorted_ = false;
  size_t next_ = 0;
};

// Appends the key bytes of row `row` of `column`: a NULL flag, then the value.
void AppendKey(const Column& column, size_t row, std::string* key) {
  if (column.is_null(row)) {
    key->push_back('\0');
    return;
  }
  key->push_back('\1');
  const auto raw = [key](const void* p, size_t n) { key->append(static_cast<const char*>(p), n); };
  switch (formats::StorageOf(column.type)) {
    case formats::Storage::kBool:
      raw(&column.b8[row], 1);
      return;
    case formats::Storage::kInt32:
      raw(&column.i32[row], 4);
      return;
    case formats::Storage::kInt64:
      raw(&column.i64[row], 8);
      return;
    case formats::Storage::kInt128:
      raw(&column.i128[row], 16);
      return;
    case formats::Storage::kFloat: {
      float v = column.f32[row];
      if (v == 0) v = 0;  // -0.0 and 0.0 group together.
      if (std::isnan(v)) v = std::nanf("");
      raw(&v, 4);
      return;
    }
    case formats::Storage::kDouble: {
      double v = column.f64[row];
      if (v == 0) v = 0;
      if (std::isnan(v)) v = std::nan("");
      raw(&v, 8);
      return;
    }
    case formats::Storage::kBytes: {
      const std::string_view s = column.string_at(row);
      const uint64_t n = s.size();
      raw(&n, 8);
      key->append(s);
      return;
    }
    default: {
      // Nested values group by their canonical JSON text.
      std::string text;
      formats::AppendJsonValue(column, row, &text);
      const uint64_t n = text.size();
      raw(&n, 8);
      key->append(text);
      return;
    }
  }
}

// One thread's groups: the hash table from key bytes to group id, the key values, and the
// aggregate states.
struct GroupTable {
  std::unordered_map<std::string, uint32_t> map;
  std::vector<Column> key_columns;
  std::vector<std::unique_ptr<GroupedAggregate>> states;
  size_t groups = 0;
  size_t reserved = 0;

  GroupTable(const std::vector<DataType>& key_types, const std::vector<AggregateCall>& calls,
             bool global) {
    for (const DataType& type : key_types) key_columns.push_back(Column::Make(type));
    for (const AggregateCall& call : calls) states.push_back(call.factory->Make());
    if (global) {
      groups = 1;
      for (auto& state : states) state->Resize(1);
    }
  }

  Status Add(const Batch& batch, const std::vector<int>& keys,
             const std::vector<AggregateCall>& calls, std::vector<uint32_t>* group_of_row,
             std::string* key) {
    group_of_row->assign(batch.rows, 0);
    // A batch whose keys are the same on every row (a partition column, one object's rows)
    // needs one lookup.
    bool uniform = batch.rows > 1 && !keys.empty();
    for (size_t k = 0; k < keys.size() && uniform; ++k) {
      const Column& column = batch.columns[static_cast<size_t>(keys[k])];
      for (size_t r = 1; r < batch.rows && uniform; ++r) {
        uniform = column.is_null(r) == column.is_null(0) &&
                  (column.is_null(0) || CompareValues(column, r, column, 0) == 0);
      }
    }
    const size_t distinct_rows = uniform ? 1 : batch.rows;
    if (!keys.empty()) {
      const size_t before = groups;
      for (size_t r = 0; r < distinct_rows; ++r) {
        key->clear();
        for (int k : keys) AppendKey(batch.columns[static_cast<size_t>(k)], r, key);
        auto [it, inserted] = map.try_emplace(*key, static_cast<uint32_t>(groups));
        if (inserted) {
          for (size_t k = 0; k < keys.size(); ++k) {
            AppendRow(batch.columns[static_cast<size_t>(keys[k])], r, &key_columns[k]);
          }
          ++groups;
        }
        (*group_of_row)[r] = it->second;
      }
      if (uniform) std::fill(group_of_row->begin(), group_of_row->end(), (*group_of_row)[0]);
      if (groups != before) {
        for (auto& state : states) state->Resize(groups);
      }
    }
    std::vector<const Column*> args;
    for (size_t a = 0; a < calls.size(); ++a) {
      args.clear();
      for (int column : calls[a].arguments) {
        args.push_back(&batch.columns[static_cast<size_t>(column)]);
      }
      TARN_RETURN_IF_ERROR(states[a]->Update(args, group_of_row->data(), batch.rows));
    }
    return Status::Ok();
  }

  // Brings the memory reserved for this table up to date.
  Status Account(QueryContext* context) {
    size_t bytes = map.size() * 64 + map.bucket_count() * 8;
    for (const Column& column : key_columns) bytes += ColumnMemoryBytes(column);
    for (const auto& state : states) bytes += state->MemoryBytes();
    const int64_t delta = static_cast<int64_t>(bytes) - static_cast<int64_t>(reserved);
    reserved = bytes;
    return context->Reserve(delta);
  }

  // Adds `other`'s groups into this table.
  Status Merge(GroupTable& other, bool global) {
    std::vector<uint32_t> group_map(other.groups);
    if (global) {
      group_map.assign(other.groups, 0);
    } else {
      std::string key;
      for (size_t g = 0; g < other.groups; ++g) {
        key.clear();
        for (const Column& column : other.key_columns) AppendKey(column, g, &key);
        auto [it, inserted] = map.try_emplace(key, static_cast<uint32_t>(groups));
        if (inserted) {
          for (size_t k = 0; k < key_columns.size(); ++k) {
            AppendRow(other.key_columns[k], g, &key_columns[k]);
          }
          ++groups;
        }
        group_map[g] = it->second;
      }
      for (auto& state : states) state->Resize(groups);
    }
    for (size_t a = 0; a < states.size(); ++a) {
      TARN_RETURN_IF_ERROR(states[a]->Merge(*other.states[a], group_map.data()));
    }
    return Status::Ok();
  }
};

class HashAggregateOperator : public Operator {
 public:
  HashAggregateOperator(OperatorPtr child, std::vector<int> keys,
                        std::vector<AggregateCall> aggregates, QueryContext* context)
      : child_(std::move(child)),
        keys_(std::move(keys)),
        calls_(std::move(aggregates)),
        context_(context) {
    for (int key : keys_) types_.push_back(child_->types()[static_cast<size_t>(key)]);
    for (const AggregateCall& call : calls_) types_.push_back(call.factory->type());
  }
  ~HashAggregateOperator() override {
    for (const auto& table : tables_)
      context_->Reserve(-static_cast<int64_t>(table->reserved)).ok();
  }

  Result<bool> Next(Batch* out) override {
    if (!built_) {
      TARN_RETURN_IF_ERROR(Build());
      built_ = true;
    }
    GroupTable& table = *tables_[0];
    if (emitted_ >= table.groups) return false;
    const size_t count = std::min(kBatchRows, table.groups - emitted_);
    out->rows = count;
    out->columns.clear();
    for (const Column& key : table.key_columns) {
      Column part = Column::Make(key.type);
      AppendRows(key, emitted_, emitted_ + count, &part);
      out->columns.push_back(std::move(part));
    }
    for (const Column& result : results_) {
      Column part = Column::Make(result.type);
      AppendRows(result, emitted_, emitted_ + count, &part);
      out->columns.push_back(std::move(part));
    }
    emitted_ += count;
    return true;
  }

 private:
  // Aggregates on `threads` threads when the child hands out batches to several at once (a
  // scan), each into its own table; the tables are merged at the end.
  Status Build() {
    std::vector<DataType> key_types(types_.begin(),
                                    types_.begin() + static_cast<ptrdiff_t>(keys_.size()));
    const bool global = keys_.empty();
    bool distinct = false;
    for (const AggregateCall& call : calls_) distinct = distinct || call.distinct;
    const int threads = child_->concurrent() && !distinct ? std::max(1, context_->threads) : 1;
    for (int t = 0; t < threads; ++t) {
      tables_.push_back(std::make_unique<GroupTable>(key_types, calls_, global));
    }
    std::vector<Status> statuses(static_cast<size_t>(threads));
    const auto work = [&](size_t t) {
      Batch batch;
      std::vector<uint32_t> group_of_row;
      std::string key;
      while (true) {
        Result<bool> more = child_->Next(&batch);
        if (!more.ok()) {
          statuses[t] = more.status();
          return;
        }
        if (!*more) return;
        Status added = tables_[t]->Add(batch, keys_, calls_, &group_of_row, &key);
        if (added.ok()) added = tables_[t]->Account(context_);
        if (!added.ok()) {
          statuses[t] = added;
          return;
        }
      }
    };
    if (threads == 1) {
      work(0);
    } else {
      std::vector<std::thread> workers;
      for (int t = 1; t < threads; ++t) workers.emplace_back(work, static_cast<size_t>(t));
      work(0);
      for (std::thread& worker : workers) worker.join();
    }
    for (const Status& status : statuses) TARN_RETURN_IF_ERROR(status);
    for (size_t t = 1; t < tables_.size(); ++t) {
      TARN_RETURN_IF_ERROR(tables_[0]->Merge(*tables_[t], global));
      context_->Reserve(-static_cast<int64_t>(tables_[t]->reserved)).ok();
      tables_[t]->reserved = 0;
      tables_[t].reset(new GroupTable({}, {}, false));
    }
    TARN_RETURN_IF_ERROR(tables_[0]->Account(context_));
    for (auto& state : tables_[0]->states) {
      results_.push_back(Column::Make(types_[keys_.size() + results_.size()]));
      TARN_RETURN_IF_ERROR(state->Finalize(&results_.back()));
    }
    return Status::Ok();
  }

  OperatorPtr child_;
  std::vector<int> keys_;
  std::vector<AggregateCall> calls_;
  QueryContext* context_;
  std::vector<std::unique_ptr<GroupTable>> tables_;
  std::vector<Column> results_;
  size_t emitted_ = 0;
  bool built_ = false;
};

}  // namespace

int CompareValues(const Column& x, size_t a, const Column& y, size_t b) {
  switch (formats::StorageOf(x.type)) {
    case formats::Storage::kBool:
      return Compare3(x.b8[a], y.b8[b]);
    case formats::Storage::kInt32:
      return Compare3(x.i32[a], y.i32[b]);
    case formats::Storage::kInt64:
      return Compare3(x.i64[a], y.i64[b]);
    case formats::Storage::kInt128:
      return Compare3(x.i128[a], y.i128[b]);
    case formats::Storage::kFloat:
      return CompareDouble(x.f32[a], y.f32[b]);
    case formats::Storage::kDouble:
      return CompareDouble(x.f64[a], y.f64[b]);
    case formats::Storage::kBytes: {
      const std::string_view s = x.string_at(a), t = y.string_at(b);
      const int c = std::memcmp(s.data(), t.data(), std::min(s.size(), t.size()));
      return c != 0 ? (c < 0 ? -1 : 1) : Compare3(s.size(), t.size());
    }
    default: {
      std::string s, t;
      formats::AppendJsonValue(x, a, &s);
      formats::AppendJsonValue(y, b, &t);
      return s.compare(t) < 0 ? -1 : (s == t ? 0 : 1);
    }
  }
}

OperatorPtr MakeFilter(OperatorPtr child, ExprPtr predicate) {
  return std::make_unique<FilterOperator>(std::move(child), std::move(predicate));
}
OperatorPtr MakeProject(OperatorPtr child, std::vector<ExprPtr> expressions) {
  return std::make_unique<ProjectOperator>(std::move(child), std::move(expressions));
}
OperatorPtr MakeLimit(OperatorPtr child, uint64_t offset, std::optional<uint64_t> limit) {
  return std::make_unique<LimitOperator>(std::move(child), offset, limit);
}
OperatorPtr MakeValues(std::vector<DataType> types, std::vector<Batch> batches) {
  return std::make_unique<ValuesOperator>(std::move(types), std::move(batches));
}
OperatorPtr MakeUnionAll(std::vector<OperatorPtr> children) {
  return std::make_unique<UnionAllOperator>(std::move(children));
}
OperatorPtr MakeSort(OperatorPtr child, std::vector<SortKey> keys, std::optional<uint64_t> limit,
                     QueryContext* context) {
  return std::make_unique<SortOperator>(std::move(child), std::move(keys), limit, context);
}
OperatorPtr MakeHashAggregate(OperatorPtr child, std::vector<int> keys,
                              std::vector<AggregateCall> aggregates, QueryContext* context) {
  return std::make_unique<HashAggregateOperator>(std::move(child), std::move(keys),
                                                 std::move(aggregates), context);
}

}  // namespace tarn::sql
