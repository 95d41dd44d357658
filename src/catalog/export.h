// Exporting the catalog as Athena DDL, to recreate it in Athena, Trino's Hive connector or
// Spark SQL pointed at the same s3:// locations (and to back it up as text).
#pragma once

#include <string>

#include "catalog/sqlite_catalog.h"

namespace tarn::catalog {

// Statements separated by ";\n\n": CREATE DATABASE IF NOT EXISTS for every database but
// `default`, then for each table its CREATE EXTERNAL TABLE IF NOT EXISTS and its partitions in
// ALTER TABLE ... ADD IF NOT EXISTS PARTITION statements of at most `batch` partitions each.
Result<std::string> ExportAthenaDdl(SqliteCatalog& catalog, size_t batch = 100);

}  // namespace tarn::catalog
