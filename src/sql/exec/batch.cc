#include "sql/exec/batch.h"

namespace tarn::sql {
namespace {

template <typename T>
void AppendRange(const std::vector<T>& from, size_t begin, size_t end, std::vector<T>* to) {
  to->insert(to->end(), from.begin() + static_cast<ptrdiff_t>(begin),
             from.begin() + static_cast<ptrdiff_t>(end));
}

}  // namespace

void AppendRows(const Column& from, size_t begin, size_t end, Column* to) {
  if (begin >= end) return;
  AppendRange(from.valid, begin, end, &to->valid);
  switch (formats::StorageOf(from.type)) {
    case formats::Storage::kBool:
      AppendRange(from.b8, begin, end, &to->b8);
      return;
    case formats::Storage::kInt32:
      AppendRange(from.i32, begin, end, &to->i32);
      return;
    case formats::Storage::kInt64:
      AppendRange(from.i64, begin, end, &to->i64);
      return;
    case formats::Storage::kInt128:
      AppendRange(from.i128, begin, end, &to->i128);
      return;
    case formats::Storage::kFloat:
      AppendRange(from.f32, begin, end, &to->f32);
      return;
    case formats::Storage::kDouble:
      AppendRange(from.f64, begin, end, &to->f64);
      return;
    case formats::Storage::kBytes: {
      if (to->offsets.empty()) to->offsets.push_back(0);
      const uint64_t first = from.offsets[begin];
      const uint64_t base = to->bytes.size();
      to->bytes.append(from.bytes, first, from.offsets[end] - first);
      for (size_t r = begin; r < end; ++r)
        to->offsets.push_back(base + from.offsets[r + 1] - first);
      return;
    }
    case formats::Storage::kList: {
      if (to->offsets.empty()) to->offsets.push_back(0);
      const uint64_t first = from.offsets[begin];
      const uint64_t last = from.offsets[end];
      const uint64_t base = to->offsets.back();
      for (size_t c = 0; c < from.children.size(); ++c) {
        AppendRows(from.children[c], first, last, &to->children[c]);
      }
      for (size_t r = begin; r < end; ++r)
        to->offsets.push_back(base + from.offsets[r + 1] - first);
      return;
    }
    case formats::Storage::kStruct:
      for (size_t c = 0; c < from.children.size(); ++c) {
        AppendRows(from.children[c], begin, end, &to->children[c]);
      }
      return;
  }
}

Column Gather(const Column& column, const uint32_t* rows, size_t count) {
  Column out = Column::Make(column.type);
  out.Reserve(count);
  const formats::Storage storage = formats::StorageOf(column.type);
  if (storage == formats::Storage::kList || storage == formats::Storage::kStruct) {
    for (size_t i = 0; i < count; ++i) AppendRow(column, rows[i], &out);
    return out;
  }
  out.valid.resize(count);
  for (size_t i = 0; i < count; ++i) out.valid[i] = column.valid[rows[i]];
  switch (storage) {
    case formats::Storage::kBool:
      out.b8.resize(count);
      for (size_t i = 0; i < count; ++i) out.b8[i] = column.b8[rows[i]];
      break;
    case formats::Storage::kInt32:
      out.i32.resize(count);
      for (size_t i = 0; i < count; ++i) out.i32[i] = column.i32[rows[i]];
      break;
    case formats::Storage::kInt64:
      out.i64.resize(count);
      for (size_t i = 0; i < count; ++i) out.i64[i] = column.i64[rows[i]];
      break;
    case formats::Storage::kInt128:
      out.i128.resize(count);
      for (size_t i = 0; i < count; ++i) out.i128[i] = column.i128[rows[i]];
      break;
    case formats::Storage::kFloat:
      out.f32.resize(count);
      for (size_t i = 0; i < count; ++i) out.f32[i] = column.f32[rows[i]];
      break;
    case formats::Storage::kDouble:
      out.f64.resize(count);
      for (size_t i = 0; i < count; ++i) out.f64[i] = column.f64[rows[i]];
      break;
    case formats::Storage::kBytes: {
      out.offsets.assign(1, 0);
      out.offsets.reserve(count + 1);
      for (size_t i = 0; i < count; ++i) {
        out.bytes.append(column.string_at(rows[i]));
        out.offsets.push_back(out.bytes.size());
      }
      break;
    }
    default:
      break;
  }
  return out;
}

void Batch::Select(const std::vector<uint32_t>& selection) {
  if (selection.size() == rows) return;
  for (Column& column : columns) column = Gather(column, selection.data(), selection.size());
  rows = selection.size();
}

size_t ColumnMemoryBytes(const Column& column) {
  size_t bytes = column.valid.capacity() + column.b8.capacity() + column.i32.capacity() * 4 +
                 column.i64.capacity() * 8 + column.i128.capacity() * 16 +
                 column.f32.capacity() * 4 + column.f64.capacity() * 8 +
                 column.offsets.capacity() * 8 + column.bytes.capacity();
  for (const Column& child : column.children) bytes += ColumnMemoryBytes(child);
  return bytes;
}

size_t Batch::MemoryBytes() const {
  size_t bytes = 0;
  for (const Column& column : columns) bytes += ColumnMemoryBytes(column);
  return bytes;
}

}  // namespace tarn::sql
