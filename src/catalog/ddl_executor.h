// DdlExecutor: runs parsed DDL statements (ddl.h) against a catalog, as Athena runs them against
// Glue: creates and drops databases and tables, manages partitions, repairs a table's
// partitions from the lake's folders (MSCK REPAIR TABLE), and answers SHOW and DESCRIBE with
// rows. Not thread-safe (one catalog connection).
#pragma once

#include <string>
#include <vector>

#include "catalog/ddl.h"
#include "catalog/sqlite_catalog.h"

namespace tarn::catalog {

struct DdlResult {
  std::vector<std::string> columns;  // Empty when the statement returns no rows.
  std::vector<std::vector<std::string>> rows;
  std::string message;  // What was done, for statements that change things.
};

class DdlExecutor {
 public:
  // `lake_root` is the folder that holds buckets: s3://BUCKET/KEY is LAKE_ROOT/BUCKET/KEY.
  DdlExecutor(SqliteCatalog* catalog, std::string lake_root)
      : catalog_(catalog), lake_root_(std::move(lake_root)) {}

  // Runs `statement`; names without a database refer to `current_database`.
  Result<DdlResult> Execute(const DdlStatement& statement, const std::string& current_database);

  // MSCK REPAIR TABLE: walks the table's location for key=value/ folders in the declared key
  // order, registers the missing partitions in one transaction, and reports what it added,
  // which registered partitions have no folder (kept, as Athena keeps them) and which paths
  // did not conform. Objects and folders whose names start with '_' or '.' are ignored.
  Result<DdlResult> RepairTable(const std::string& database, const std::string& table);

 private:
  SqliteCatalog* catalog_;
  std::string lake_root_;
};

// The local folder of an s3://bucket/prefix location under `lake_root`; kInvalidArgument for a
// location that is not an s3:// URI or that tries to leave the lake ("..").
Result<std::string> LocalPath(const std::string& lake_root, const std::string& location);

}  // namespace tarn::catalog
