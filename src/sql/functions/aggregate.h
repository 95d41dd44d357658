// Aggregate functions of the query engine (docs/query-engine.md, "Aggregates"). Hash
// aggregation gives every group a dense id; an aggregate keeps its states in vectors indexed by
// group id and updates them from whole batches, so there is one virtual call per batch.
// Partial aggregates built on several threads are merged into one.
//
// Thread-safety: a GroupedAggregate belongs to one thread; AggregateFactory::Make may be called
// from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sql/types.h"

namespace tarn::sql {

class GroupedAggregate {
 public:
  virtual ~GroupedAggregate() = default;
  // Makes room for groups [0, groups); new groups start in the empty state.
  virtual void Resize(size_t groups) = 0;
  // Adds row r of `args` (each `rows` long) to group group_of_row[r]. count(*) has no args.
  virtual Status Update(std::span<const Column* const> args, const uint32_t* group_of_row,
                        size_t rows) = 0;
  // Adds every group g of `other` (the same function, from another thread) into group
  // group_map[g] of this one (already Resize()d to hold it).
  virtual Status Merge(GroupedAggregate& other, const uint32_t* group_map) = 0;
  // One row per group, in group id order, of the factory's result type.
  virtual Status Finalize(Column* out) = 0;
  // Memory held, for the query's memory limit.
  virtual size_t MemoryBytes() const = 0;
};

class AggregateFactory {
 public:
  virtual ~AggregateFactory() = default;
  virtual const DataType& type() const = 0;
  virtual std::unique_ptr<GroupedAggregate> Make() const = 0;
};

struct AggregateBinding {
  std::vector<DataType> arg_types;  // Empty for count(*).
  // Constant arguments (approx_percentile's percentage, approx_distinct's max error) as 1-row
  // Columns, else nullptr.
  std::vector<const Column*> constants;
  bool distinct = false;  // count(DISTINCT x), sum(DISTINCT x), ...
};

// Binds an aggregate by lower-case name: count (with no arguments: count(*)), count_if, sum,
// avg, min, max, arbitrary, max_by, min_by, approx_distinct, approx_percentile. kNotFound for
// a name that is not an aggregate; kInvalidArgument with Trino's wording for bad arguments.
Result<std::unique_ptr<AggregateFactory>> BindAggregateFunction(std::string_view name,
                                                                const AggregateBinding& binding);

bool IsAggregateFunction(std::string_view name);

}  // namespace tarn::sql
