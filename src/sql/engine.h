// The query engine's entry point (docs/query-engine.md): parse is the caller's; this binds a
// query against the lake's catalog, plans it, runs it and gathers the rows with what Athena
// reports about a query: run time, data scanned, and peak memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/sqlite_catalog.h"
#include "common/result.h"
#include "sql/exec/batch.h"
#include "sql/parser/ast.h"
#include "storage/keyring.h"

namespace tarn::sql {

struct QueryOptions {
  std::string lake_root = "lake";
  std::string database = "default";
  uint64_t memory_limit = 4ULL << 30;
  int threads = 0;         // 0: every core.
  int64_t now_micros = 0;  // 0: the current time.
  bool explain = false;    // Plan only: the result is the plan's text.
  storage::Keyring* keyring = nullptr;  // For encrypted objects; not owned.
};

struct QueryResult {
  std::vector<std::string> names;
  std::vector<DataType> types;
  std::vector<Batch> batches;
  uint64_t rows = 0;
  uint64_t bytes_scanned = 0;
  uint64_t peak_memory = 0;
  double seconds = 0;
};

Result<QueryResult> RunQuery(const AstQuery& query, catalog::SqliteCatalog& catalog,
                             const QueryOptions& options);

// A value as Athena's console shows it: timestamps "2023-06-18 14:27:52.000", dates
// "2023-06-18", decimals with their scale, doubles in shortest form; NULL as std::nullopt.
std::optional<std::string> FormatValue(const Column& column, size_t row);

}  // namespace tarn::sql
