// The binder (docs/query-engine.md, "Binding"): resolves a parsed query against the catalog —
// tables and their columns, CTEs and subqueries, functions and their types — and makes the
// logical plan. Errors read as Athena's, with the code first and the position of the offending
// text: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved", "TABLE_NOT_FOUND: line
// 1:15: Table 'awsdatacatalog.db.t' does not exist", "TYPE_MISMATCH: line 2:7: Cannot apply
// operator: varchar = integer", "FUNCTION_NOT_FOUND: line 1:8: Function 'f' not registered".
// Not thread-safe: one binder per query.
#pragma once

#include <string>
#include <vector>

#include "catalog/sqlite_catalog.h"
#include "common/result.h"
#include "sql/parser/ast.h"
#include "sql/planner/plan.h"

namespace tarn::sql {

struct BoundQuery {
  PlanPtr plan;
  std::vector<std::string> names;  // Result column headers.
};

struct BinderOptions {
  catalog::SqliteCatalog* catalog = nullptr;
  std::string default_database = "default";
  int64_t query_start_micros = 0;
};

Result<BoundQuery> BindQuery(const AstQuery& query, const BinderOptions& options);

}  // namespace tarn::sql
