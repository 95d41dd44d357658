// Table scans (docs/query-engine.md, "Scans"): a pool of workers reads the table's objects —
// JSON lines (plain, .gz, .zst) through the table's SerDe rules, or Parquet column chunks by
// name — adds partition values and "$path", and applies the filter and projection pushed into
// the scan, so that only surviving rows leave the workers. Work is split by object over the
// query's threads. Bytes scanned count what is read from storage: compressed bytes of JSON
// objects, the footer and needed column chunks of Parquet objects.
#pragma once

#include <string>
#include <vector>

#include "formats/json/json_lines_reader.h"
#include "sql/exec/expression.h"
#include "sql/exec/operators.h"

namespace tarn::sql {

struct ScanFile {
  std::string path;                      // On disk.
  std::string uri;                       // s3://bucket/key, for "$path" and messages.
  std::vector<Column> partition_values;  // One 1-row constant per partition column.
};

struct ScanOutput {
  enum class Source { kData, kPartition, kPath, kNull };  // kNull: not needed above.
  Source source = Source::kData;
  int index = 0;  // kData: into the data columns; kPartition: into partition_values.
  DataType type;
};

// A bound on a data column for skipping Parquet row groups by their statistics: rows can only
// match when lower <= value <= upper (each optional, inclusive).
struct ColumnRange {
  int data_column = 0;
  std::optional<Column> lower;  // 1-row constants of the column's type.
  std::optional<Column> upper;
};

struct ScanSpec {
  enum class Format { kJson, kParquet };
  Format format = Format::kJson;
  std::string table;  // db.table, for messages.
  std::vector<ScanFile> files;
  std::vector<ScanOutput> outputs;
  // The data columns the scan reads: for JSON through the SerDe, for Parquet by name.
  std::vector<formats::JsonColumnSpec> data_columns;
  formats::JsonReaderOptions json_options;
  ExprPtr filter;                // Over the outputs; null: none.
  std::vector<ExprPtr> project;  // Over the outputs; empty: the outputs as they are.
  std::vector<ColumnRange> ranges;
};

OperatorPtr MakeScan(ScanSpec spec, QueryContext* context);

// The objects under `folder` (recursively), skipping names that start with '_' or '.', sorted.
Result<std::vector<std::string>> ListObjects(const std::string& folder);

}  // namespace tarn::sql
