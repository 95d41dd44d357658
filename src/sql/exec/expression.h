// Bound expressions: what the binder makes of SQL expressions, evaluated a batch at a time
// (docs/query-engine.md). Function calls go to BoundScalar (functions/scalar.h); AND, OR, NOT,
// IS NULL, CASE (and IF), COALESCE and TRY are the engine's own, because they
// decide which rows their arguments are evaluated on: a CASE branch only sees the rows that
// take it, so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never divides by zero.
// `x IN (a, b)` is bound as `x = a OR x = b`, which gives SQL's NULL rules.
// Thread-safety: a BoundExpr is immutable once bound; Evaluate may run on several threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "sql/exec/batch.h"
#include "sql/functions/scalar.h"

namespace tarn::sql {

struct BoundExpr {
  enum class Kind {
    kColumn,    // Input column `column`.
    kConstant,  // `constant`, one row.
    kCall,      // `function` over children.
    kAnd,       // Three-valued AND of children (two or more).
    kOr,        // Three-valued OR of children.
    kNot,
    kIsNull,    // children[0] IS NULL.
    kCase,      // children: when0, then0, when1, then1, ..., [else]; has_else says.
    kCoalesce,  // The first non-NULL child, evaluating later children only where needed.
    kTry,       // children[0], a row's runtime error becoming NULL.
  };
  Kind kind = Kind::kConstant;
  DataType type;
  int column = -1;
  Column constant;
  std::shared_ptr<const BoundScalar> function;
  std::string function_name;  // kCall: the registered name ("$eq", "date_trunc", ...).
  std::vector<std::shared_ptr<const BoundExpr>> children;
  bool has_else = false;
  std::string text;  // How the SQL wrote it, for messages and EXPLAIN.

  bool is_constant() const { return kind == Kind::kConstant; }
};

using ExprPtr = std::shared_ptr<const BoundExpr>;

ExprPtr MakeColumnRef(int column, DataType type, std::string text);
ExprPtr MakeConstant(Column value, std::string text);  // `value` has one row.
ExprPtr MakeCall(std::string name, std::shared_ptr<const BoundScalar> function,
                 std::vector<ExprPtr> children, std::string text);
ExprPtr MakeLogical(BoundExpr::Kind kind, std::vector<ExprPtr> children, std::string text);

// Computes `expr` over the rows of `batch` into `out` (batch.rows rows).
Status Evaluate(const BoundExpr& expr, const Batch& batch, Column* out);

// For a boolean expression: the rows where it is TRUE (not FALSE, not NULL).
Status EvaluateFilter(const BoundExpr& expr, const Batch& batch, std::vector<uint32_t>* rows);

// Folds an expression whose inputs are all constants into a constant (deterministic functions
// only); other expressions come back as they are. Runtime errors while folding stay where they
// were (they happen, or not, when the query runs).
ExprPtr FoldConstants(const ExprPtr& expr);

}  // namespace tarn::sql
