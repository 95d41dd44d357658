// Physical operators of the query engine (docs/query-engine.md): each pulls batches from its
// children and hands out batches. Everything above a scan runs on the query's thread; scans
// run their own workers (scan.h). Operators check the query's memory limit as they hold rows.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "sql/exec/batch.h"
#include "sql/exec/expression.h"
#include "sql/functions/aggregate.h"
#include "storage/keyring.h"

namespace tarn::sql {

// What one query shares between its operators.
struct QueryContext {
  uint64_t memory_limit = 4ULL << 30;
  std::atomic<uint64_t> bytes_scanned{0};
  std::atomic<bool> cancelled{false};
  int threads = 2;
  // Reads encrypted objects (docs/encryption.md); null: an encrypted object fails the query.
  storage::Keyring* keyring = nullptr;
  // Reserves (or with a negative `bytes`, releases) memory; kResourceExhausted "Query exceeded
  // memory limit of 4.00 GiB" past the limit.
  Status Reserve(int64_t bytes);
  uint64_t memory_used() const { return used_.load(); }
  uint64_t peak_memory() const { return peak_.load(); }

 private:
  std::atomic<uint64_t> used_{0};
  std::atomic<uint64_t> peak_{0};
};

class Operator {
 public:
  virtual ~Operator() = default;
  // The next batch (rows > 0); false at the end.
  virtual Result<bool> Next(Batch* out) = 0;
  // Whether several threads may call Next at once (each gets different batches).
  virtual bool concurrent() const { return false; }
  const std::vector<DataType>& types() const { return types_; }

 protected:
  std::vector<DataType> types_;
};

using OperatorPtr = std::unique_ptr<Operator>;

OperatorPtr MakeFilter(OperatorPtr child, ExprPtr predicate);
OperatorPtr MakeProject(OperatorPtr child, std::vector<ExprPtr> expressions);
OperatorPtr MakeLimit(OperatorPtr child, uint64_t offset, std::optional<uint64_t> limit);
OperatorPtr MakeValues(std::vector<DataType> types, std::vector<Batch> batches);
OperatorPtr MakeUnionAll(std::vector<OperatorPtr> children);

struct SortKey {
  int column = 0;
  bool descending = false;
  bool nulls_first = false;  // Trino's default: NULLS LAST for both directions.
};
// Sorts all rows; with `limit`, keeps only the first offset+limit (top-N).
OperatorPtr MakeSort(OperatorPtr child, std::vector<SortKey> keys, std::optional<uint64_t> limit,
                     QueryContext* context);

struct AggregateCall {
  std::shared_ptr<const AggregateFactory> factory;
  std::vector<int> arguments;  // Child columns.
  // DISTINCT keeps a set of values per group; merging two threads' sets costs as much as
  // building them, so such aggregates run on one thread.
  bool distinct = false;
};
// Groups by `keys` (child columns); outputs the key columns, then one column per aggregate.
// With no keys there is exactly one output row (aggregates over empty input: count 0, ...).
OperatorPtr MakeHashAggregate(OperatorPtr child, std::vector<int> keys,
                              std::vector<AggregateCall> aggregates, QueryContext* context);

// Compares row a of `x` with row b of `y` (same type): <0, 0, >0; NULLs compare equal to each
// other and are ordered by the caller.
int CompareValues(const Column& x, size_t a, const Column& y, size_t b);

}  // namespace tarn::sql
