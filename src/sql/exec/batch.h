// Batch: a run of rows of several columns (one Column per output column), the unit operators
// pass to each other; about kBatchRows rows. Not thread-safe; a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sql/types.h"

namespace tarn::sql {

inline constexpr size_t kBatchRows = 2048;

struct Batch {
  std::vector<Column> columns;
  size_t rows = 0;

  // Keeps the rows whose index is in `selection` (ascending), in every column.
  void Select(const std::vector<uint32_t>& selection);
  // Bytes held, for the query's memory limit.
  size_t MemoryBytes() const;
};

// Appends rows [begin, end) of `from` to `to`.
void AppendRows(const Column& from, size_t begin, size_t end, Column* to);
// The rows of `column` at `rows` (any order, repeats allowed), as a new column.
Column Gather(const Column& column, const uint32_t* rows, size_t count);
size_t ColumnMemoryBytes(const Column& column);

}  // namespace tarn::sql
