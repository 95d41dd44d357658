// ParquetWriter: writes rows given as Columns into a Parquet file (docs/parquet.md): "PAR1",
// row groups cut by a compressed-size target, one column chunk per leaf, then the Thrift
// footer, its length and "PAR1". Nested types (struct, array, map) are shredded into
// definition and repetition levels. The file is final only after Close() returns OK.
// Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/byte_sink.h"
#include "formats/column.h"
#include "formats/parquet/column_writer.h"
#include "formats/parquet/schema.h"

namespace tarn::formats::parquet {

class ParquetWriter {
 public:
  // Fails with kInvalidArgument for a schema it cannot store (naming the column) or bad options.
  static Result<std::unique_ptr<ParquetWriter>> Open(const Schema& schema,
                                                     std::unique_ptr<ByteSink> sink,
                                                     const ParquetWriterOptions& options = {});

  // Appends rows: one Column per schema field, in schema order, all of one length and of the
  // field's type.
  Status Write(const std::vector<Column>& columns);

  // Flushes the last row group, writes the footer and closes the sink.
  Status Close();

  int64_t rows_written() const { return rows_; }
  int64_t bytes_written() const { return offset_; }
  int row_groups_written() const { return static_cast<int>(row_groups_.size()); }

 private:
  ParquetWriter(ParquetSchema schema, std::unique_ptr<ByteSink> sink,
                const ParquetWriterOptions& options);
  Status FlushRowGroup();
  Status Emit(std::string_view bytes);

  ParquetSchema schema_;
  std::unique_ptr<ByteSink> sink_;
  ParquetWriterOptions options_;
  std::vector<std::unique_ptr<ColumnChunkWriter>> leaves_;
  std::vector<LeafBatch> batches_;
  std::vector<format::RowGroup> row_groups_;
  int64_t rows_ = 0;
  int64_t group_rows_ = 0;
  int64_t offset_ = 0;
  bool closed_ = false;
};

}  // namespace tarn::formats::parquet
