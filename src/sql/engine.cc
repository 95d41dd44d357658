#include "sql/engine.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "common/civil_time.h"
#include "common/json_text.h"
#include "common/parallel.h"
#include "sql/planner/binder.h"

namespace tarn::sql {

Result<QueryResult> RunQuery(const AstQuery& query, catalog::SqliteCatalog& catalog,
                             const QueryOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const int64_t now = options.now_micros != 0
                          ? options.now_micros
                          : std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  BinderOptions binder;
  binder.catalog = &catalog;
  binder.default_database = options.database;
  binder.query_start_micros = now;
  TARN_ASSIGN_OR_RETURN(BoundQuery bound, BindQuery(query, binder));
  PlanPtr plan = Optimize(std::move(bound.plan));
  QueryResult result;
  if (options.explain) {
    result.names = {"Query Plan"};
    result.types = {VarcharType()};
    Batch batch;
    batch.rows = 1;
    batch.columns.push_back(Column::Make(VarcharType()));
    batch.columns[0].AppendBytes(ExplainPlan(*plan));
    result.batches.push_back(std::move(batch));
    result.rows = 1;
    return result;
  }
  QueryContext context;
  context.memory_limit = options.memory_limit;
  context.keyring = options.keyring;
  context.threads = options.threads > 0 ? options.threads : static_cast<int>(HardwareThreads());
  PhysicalOptions physical;
  physical.lake_root = options.lake_root;
  physical.now_micros = now;
  TARN_ASSIGN_OR_RETURN(OperatorPtr root, BuildOperators(*plan, physical, &context));
  result.names = std::move(bound.names);
  result.types = root->types();
  while (true) {
    Batch batch;
    TARN_ASSIGN_OR_RETURN(bool more, root->Next(&batch));
    if (!more) break;
    result.rows += batch.rows;
    TARN_RETURN_IF_ERROR(context.Reserve(static_cast<int64_t>(batch.MemoryBytes())));
    result.batches.push_back(std::move(batch));
  }
  root.reset();
  result.bytes_scanned = context.bytes_scanned.load();
  result.peak_memory = context.peak_memory();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::optional<std::string> FormatValue(const Column& column, size_t row) {
  if (column.is_null(row)) return std::nullopt;
  switch (column.type.kind) {
    case TypeKind::kBoolean:
      return std::string(column.b8[row] ? "true" : "false");
    case TypeKind::kTinyInt:
    case TypeKind::kSmallInt:
    case TypeKind::kInt:
      return std::to_string(column.i32[row]);
    case TypeKind::kBigInt:
      return std::to_string(column.i64[row]);
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      const double v = column.type.kind == TypeKind::kFloat ? column.f32[row] : column.f64[row];
      if (std::isnan(v)) return std::string("NaN");
      if (std::isinf(v)) return std::string(v > 0 ? "Infinity" : "-Infinity");
      std::string out;
      AppendPythonFloat(&out, v);
      return out;
    }
    case TypeKind::kDate: {
      const CivilDate d = CivilFromDays(column.i32[row]);
      return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
    }
    case TypeKind::kTimestamp:
      return FormatTimestamp(column.i64[row]).substr(0, 23);
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
      return std::string(column.string_at(row));
    default: {
      // Decimals, nested values: their canonical JSON text (a decimal is a string there).
      std::string out;
      formats::AppendJsonValue(column, row, &out);
      if (column.type.kind == TypeKind::kDecimal && out.size() >= 2 && out.front() == '"') {
        out = out.substr(1, out.size() - 2);
      }
      return out;
    }
  }
}

}  // namespace tarn::sql
