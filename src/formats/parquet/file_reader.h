// ParquetReader: reads Parquet files from any writer through a RandomAccessFile, fetching only
// the footer and the column chunks asked for, each with one ranged read (docs/parquet.md).
// Exposes row-group statistics so that a scan can skip row groups, and counts every byte read.
// Malformed files (bad magic, truncated footer, lying offsets or lengths) give kCorruption
// naming the file. Not thread-safe: one scan thread per reader.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/random_access_file.h"
#include "formats/column.h"
#include "formats/parquet/parquet_format_types.h"
#include "formats/parquet/schema.h"

namespace tarn::formats::parquet {

// Min/max (as a two-row column: row 0 the minimum, row 1 the maximum) and NULL count of one
// flat column in one row group, as far as the file says.
struct ColumnStatistics {
  std::optional<Column> min_max;
  std::optional<int64_t> null_count;
  int64_t num_values = 0;
};

class ParquetReader {
 public:
  static Result<std::unique_ptr<ParquetReader>> Open(std::unique_ptr<RandomAccessFile> file);

  const Schema& schema() const { return schema_.schema; }
  const ParquetSchema& parquet_schema() const { return schema_; }
  const format::FileMetaData& metadata() const { return meta_; }
  int64_t num_rows() const { return meta_.num_rows; }
  int num_row_groups() const { return static_cast<int>(meta_.row_groups.size()); }
  int64_t row_group_rows(int row_group) const { return meta_.row_groups[row_group].num_rows; }

  // The index of the top-level field named `name` (case-insensitive), or -1.
  int FieldIndex(std::string_view name) const;

  // Statistics of field `field` (a flat column) in `row_group`; empty members when the file has
  // none or the field is nested.
  Result<ColumnStatistics> Statistics(int row_group, int field) const;

  // Reads field `field` of `row_group` (all its leaf chunks) into a Column of the field's type.
  Result<Column> ReadColumn(int row_group, int field);

  // Bytes fetched from the file so far (footer included).
  uint64_t bytes_read() const { return file_->bytes_read(); }
  const std::string& name() const { return file_->name(); }

 private:
  ParquetReader(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}
  Status ReadFooter();
  Status ValidateChunks() const;

  std::unique_ptr<RandomAccessFile> file_;
  format::FileMetaData meta_;
  ParquetSchema schema_;
  uint64_t data_end_ = 0;  // Where the footer starts.
};

}  // namespace tarn::formats::parquet
