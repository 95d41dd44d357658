// The logical plan (docs/query-engine.md, "Plan"): what the binder makes of a query, before the
// rules run and physical operators are built. Expressions refer to their child's output
// columns by index.
//
// Rules: filters move down through projections (by substituting the projected expressions),
// sorts, union branches and group keys, into table scans; there the conjuncts that name only
// partition columns select the partitions before any object is listed, and the others run in
// the scan's workers. Each scan reads only the data columns some operator above it needs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "sql/exec/expression.h"
#include "sql/exec/operators.h"

namespace tarn::sql {

// A table as a scan sees it: its catalog definition and its columns in scan order (data
// columns, then partition keys, then "$path").
struct ScanTable {
  catalog::TableDefinition definition;
  size_t data_columns = 0;
  size_t partition_columns = 0;
};

struct PlanNode {
  enum class Kind { kScan, kFilter, kProject, kAggregate, kSort, kLimit, kUnionAll, kValues };
  Kind kind = Kind::kValues;
  std::vector<DataType> types;  // Output columns.
  std::vector<std::unique_ptr<PlanNode>> children;

  std::shared_ptr<const ScanTable> table;  // kScan
  std::vector<ExprPtr> conjuncts;          // kScan: pushed filters, ANDed.
  ExprPtr predicate;                       // kFilter
  std::vector<ExprPtr> expressions;        // kProject
  std::vector<int> keys;                   // kAggregate
  std::vector<AggregateCall> aggregates;   // kAggregate
  std::vector<SortKey> sort_keys;          // kSort
  uint64_t offset = 0;                     // kLimit; kSort (top-N)
  std::optional<uint64_t> limit;           // kLimit; kSort (top-N)
  std::vector<Batch> rows;                 // kValues

  // Set by the rules: which outputs an operator above reads.
  std::vector<bool> required;
};

using PlanPtr = std::unique_ptr<PlanNode>;

PlanPtr MakeFilterNode(PlanPtr child, ExprPtr predicate);
PlanPtr MakeProjectNode(PlanPtr child, std::vector<ExprPtr> expressions);

// The expression with every column reference i replaced by `columns[i]`.
ExprPtr Substitute(const ExprPtr& expr, const std::vector<ExprPtr>& columns);
// The columns an expression reads.
void CollectColumns(const BoundExpr& expr, std::vector<bool>* columns);
// Splits AND trees into their conjuncts.
void SplitConjuncts(const ExprPtr& expr, std::vector<ExprPtr>* out);
bool IsDeterministic(const BoundExpr& expr);

// Runs the rules: pushes filters down and marks the columns each node must produce.
PlanPtr Optimize(PlanPtr plan);

struct PhysicalOptions {
  std::string lake_root;
  int64_t now_micros = 0;
};

// Builds the operators. Partition pruning and listing happen here.
Result<OperatorPtr> BuildOperators(PlanNode& plan, const PhysicalOptions& options,
                                   QueryContext* context);

// A readable plan, one node a line, for EXPLAIN.
std::string ExplainPlan(const PlanNode& plan);

}  // namespace tarn::sql
