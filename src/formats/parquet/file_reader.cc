#include "formats/parquet/file_reader.h"

#include <fmt/format.h>

#include <cctype>

#include "formats/parquet/column_reader.h"
#include "formats/parquet/encoding/bit_util.h"
#include "formats/parquet/thrift_io.h"

namespace tarn::formats::parquet {

using format::FieldRepetitionType;

namespace {

constexpr uint64_t kMaxFooterBytes = 256ULL << 20;

// The first byte of a chunk: its dictionary page when it has one, else its first data page.
int64_t ChunkStart(const format::ColumnMetaData& meta) {
  if (meta.__isset.dictionary_page_offset && meta.dictionary_page_offset > 0 &&
      meta.dictionary_page_offset < meta.data_page_offset) {
    return meta.dictionary_page_offset;
  }
  return meta.data_page_offset;
}

// Walks the level streams of the leaves under a field and rebuilds its nested values.
class Assembler {
 public:
  Assembler(const std::vector<LeafColumn>& leaves, std::vector<LeafData>* data)
      : leaves_(leaves), data_(data), pos_(data->size(), 0), value_(data->size(), 0) {}

  Status Read(const SchemaNode& node, Column* out) {
    if (node.repetition == FieldRepetitionType::REPEATED) return Repeated(node, out);
    return Value(node, out);
  }

  bool Done(const SchemaNode& node) const {
    const int leaf = FirstLeaf(node);
    return pos_[leaf] >= (*data_)[leaf].slots;
  }

 private:
  int FirstLeaf(const SchemaNode& node) const {
    const SchemaNode* n = &node;
    while (!n->is_leaf) n = &n->children[0];
    return n->leaf_index;
  }

  int16_t PeekDef(int leaf) const {
    const LeafData& d = (*data_)[leaf];
    return d.def.empty() ? leaves_[leaf].max_def : d.def[pos_[leaf]];
  }
  int16_t PeekRep(int leaf) const {
    const LeafData& d = (*data_)[leaf];
    return d.rep.empty() ? 0 : d.rep[pos_[leaf]];
  }

  Status CheckSlot(int leaf) const {
    if (pos_[leaf] >= (*data_)[leaf].slots) {
      return Corruption(
          fmt::format("column '{}': levels end before the row does", leaves_[leaf].path.back()));
    }
    return Status::Ok();
  }

  // Consumes one slot from every leaf under `node` (a NULL or an empty list).
  Status Skip(const SchemaNode& node) {
    if (node.is_leaf) {
      TARN_RETURN_IF_ERROR(CheckSlot(node.leaf_index));
      ++pos_[node.leaf_index];
      return Status::Ok();
    }
    for (const SchemaNode& child : node.children) TARN_RETURN_IF_ERROR(Skip(child));
    return Status::Ok();
  }

  // One non-repeated occurrence of `node`.
  Status Value(const SchemaNode& node, Column* out) {
    const int first = FirstLeaf(node);
    TARN_RETURN_IF_ERROR(CheckSlot(first));
    if (PeekDef(first) < node.def_level) {
      out->AppendNull();
      return Skip(node);
    }
    if (node.is_leaf) return LeafValue(node.leaf_index, out);
    if (node.type.kind == TypeKind::kStruct) {
      out->AppendStructRow();
      for (size_t k = 0; k < node.children.size(); ++k) {
        TARN_RETURN_IF_ERROR(Read(node.children[k], &out->children[k]));
      }
      return Status::Ok();
    }
    // A LIST or MAP group: its child is the repeated node.
    return List(node.children[0], node.type.kind == TypeKind::kMap, node.three_level, out);
  }

  // A bare repeated field: an array that is never NULL.
  Status Repeated(const SchemaNode& node, Column* out) { return List(node, false, false, out); }

  Status List(const SchemaNode& repeated, bool is_map, bool three_level, Column* out) {
    const int first = FirstLeaf(repeated);
    TARN_RETURN_IF_ERROR(CheckSlot(first));
    if (PeekDef(first) < repeated.def_level) {
      TARN_RETURN_IF_ERROR(Skip(repeated));
      out->AppendListEnd();
      return Status::Ok();
    }
    for (;;) {
      if (is_map) {
        TARN_RETURN_IF_ERROR(Read(repeated.children[0], &out->children[0]));
        TARN_RETURN_IF_ERROR(Read(repeated.children[1], &out->children[1]));
      } else if (three_level) {
        TARN_RETURN_IF_ERROR(Read(repeated.children[0], &out->children[0]));
      } else if (repeated.is_leaf) {
        TARN_RETURN_IF_ERROR(LeafValue(repeated.leaf_index, &out->children[0]));
      } else {
        // The repeated group is itself the element: a struct of its fields.
        Column& element = out->children[0];
        element.AppendStructRow();
        for (size_t k = 0; k < repeated.children.size(); ++k) {
          TARN_RETURN_IF_ERROR(Read(repeated.children[k], &element.children[k]));
        }
      }
      if (pos_[first] >= (*data_)[first].slots || PeekRep(first) != repeated.rep_level) break;
    }
    out->AppendListEnd();
    return Status::Ok();
  }

  Status LeafValue(int leaf, Column* out) {
    TARN_RETURN_IF_ERROR(CheckSlot(leaf));
    LeafData& d = (*data_)[leaf];
    ++pos_[leaf];
    const size_t v = value_[leaf]++;
    if (v >= d.values.size()) {
      return Corruption(
          fmt::format("column '{}': more present slots than values", leaves_[leaf].path.back()));
    }
    const Column& values = d.values;
    switch (StorageOf(values.type)) {
      case Storage::kBool:
        out->AppendBool(values.b8[v] != 0);
        break;
      case Storage::kInt32:
        out->AppendInt32(values.i32[v]);
        break;
      case Storage::kInt64:
        out->AppendInt64(values.i64[v]);
        break;
      case Storage::kInt128:
        out->AppendInt128(values.i128[v]);
        break;
      case Storage::kFloat:
        out->AppendFloat(values.f32[v]);
        break;
      case Storage::kDouble:
        out->AppendDouble(values.f64[v]);
        break;
      default:
        out->AppendBytes(values.string_at(v));
        break;
    }
    return Status::Ok();
  }

  const std::vector<LeafColumn>& leaves_;
  std::vector<LeafData>* data_;
  std::vector<size_t> pos_;
  std::vector<size_t> value_;
};

// Spreads the non-NULL `values` of a flat column over its rows by definition level: a row whose
// level is below `max_def` is NULL. Moves the value storage rather than copying values.
Column Scatter(Column values, const std::vector<int16_t>& def, int16_t max_def) {
  const size_t rows = def.size();
  Column out = Column::Make(values.type);
  out.valid.resize(rows);
  for (size_t i = 0; i < rows; ++i) out.valid[i] = def[i] == max_def;
  auto spread = [&](auto& from, auto& to) {
    to.resize(rows);
    size_t v = 0;
    for (size_t i = 0; i < rows; ++i) {
      if (out.valid[i]) to[i] = from[v++];
    }
  };
  switch (StorageOf(values.type)) {
    case Storage::kBool:
      spread(values.b8, out.b8);
      break;
    case Storage::kInt32:
      spread(values.i32, out.i32);
      break;
    case Storage::kInt64:
      spread(values.i64, out.i64);
      break;
    case Storage::kInt128:
      spread(values.i128, out.i128);
      break;
    case Storage::kFloat:
      spread(values.f32, out.f32);
      break;
    case Storage::kDouble:
      spread(values.f64, out.f64);
      break;
    default: {
      out.bytes = std::move(values.bytes);
      out.offsets.resize(rows + 1);
      out.offsets[0] = 0;
      size_t v = 0;
      for (size_t i = 0; i < rows; ++i) {
        out.offsets[i + 1] = out.valid[i] ? values.offsets[++v] : out.offsets[i];
      }
      break;
    }
  }
  return out;
}

void CollectLeaves(const SchemaNode& node, std::vector<int>* out) {
  if (node.is_leaf) {
    out->push_back(node.leaf_index);
    return;
  }
  for (const SchemaNode& child : node.children) CollectLeaves(child, out);
}

// Renumbers the leaves of `node` to 0.. in order (for assembling one field's leaves alone).
SchemaNode Renumbered(const SchemaNode& node, int* next) {
  SchemaNode copy = node;
  if (copy.is_leaf) copy.leaf_index = (*next)++;
  for (SchemaNode& child : copy.children) child = Renumbered(child, next);
  return copy;
}

}  // namespace

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(std::unique_ptr<RandomAccessFile> file) {
  std::unique_ptr<ParquetReader> reader(new ParquetReader(std::move(file)));
  TARN_RETURN_IF_ERROR(reader->ReadFooter());
  return reader;
}

Status ParquetReader::ReadFooter() {
  const std::string& name = file_->name();
  const uint64_t size = file_->size();
  if (size < 12) {
    return Corruption(fmt::format("'{}' is not a Parquet file: {} bytes is too small", name, size));
  }
  char head[4], tail[8];
  TARN_RETURN_IF_ERROR(file_->ReadAt(0, 4, head));
  TARN_RETURN_IF_ERROR(file_->ReadAt(size - 8, 8, tail));
  if (std::string_view(head, 4) != "PAR1" || std::string_view(tail + 4, 4) != "PAR1") {
    return Corruption(fmt::format("'{}' is not a Parquet file: no PAR1 magic at its {}", name,
                                  std::string_view(head, 4) != "PAR1" ? "start" : "end"));
  }
  const uint32_t footer_size = LoadLittleEndian<uint32_t>(tail);
  if (footer_size == 0 || footer_size > size - 12 || footer_size > kMaxFooterBytes) {
    return Corruption(
        fmt::format("'{}': footer length {} does not fit a {}-byte file", name, footer_size, size));
  }
  data_end_ = size - 8 - footer_size;
  std::string footer(footer_size, '\0');
  TARN_RETURN_IF_ERROR(file_->ReadAt(data_end_, footer_size, footer.data()));
  uint32_t used = footer_size;
  Status s = Deserialize(reinterpret_cast<const uint8_t*>(footer.data()), &used, &meta_);
  if (!s.ok())
    return Corruption(fmt::format("'{}': footer at offset {}: {}", name, data_end_, s.message()));
  TARN_ASSIGN_OR_RETURN(schema_, ReadParquetSchema(meta_.schema));
  return ValidateChunks();
}

Status ParquetReader::ValidateChunks() const {
  const std::string& name = file_->name();
  if (meta_.num_rows < 0) return Corruption(fmt::format("'{}': negative row count", name));
  int64_t rows = 0;
  for (size_t g = 0; g < meta_.row_groups.size(); ++g) {
    const format::RowGroup& group = meta_.row_groups[g];
    if (group.num_rows < 0)
      return Corruption(fmt::format("'{}': row group {} has negative rows", name, g));
    rows += group.num_rows;
    if (group.columns.size() != schema_.leaves.size()) {
      return Corruption(fmt::format("'{}': row group {} has {} column chunks for {} columns", name,
                                    g, group.columns.size(), schema_.leaves.size()));
    }
    for (size_t c = 0; c < group.columns.size(); ++c) {
      const format::ColumnChunk& chunk = group.columns[c];
      if (!chunk.__isset.meta_data) {
        return Corruption(fmt::format("'{}': row group {} column {} has no metadata", name, g, c));
      }
      const format::ColumnMetaData& meta = chunk.meta_data;
      const int64_t start = ChunkStart(meta);
      if (meta.type != schema_.leaves[c].physical || start < 4 || meta.total_compressed_size < 0 ||
          static_cast<uint64_t>(start) > data_end_ ||
          static_cast<uint64_t>(meta.total_compressed_size) >
              data_end_ - static_cast<uint64_t>(start)) {
        return Corruption(fmt::format(
            "'{}': row group {} column '{}': chunk at offset {} of {} bytes lies outside the data "
            "(which ends at {}) or has the wrong type",
            name, g, schema_.leaves[c].path.back(), start, meta.total_compressed_size, data_end_));
      }
    }
  }
  if (rows != meta_.num_rows) {
    return Corruption(fmt::format("'{}': row groups hold {} rows but the footer says {}", name,
                                  rows, meta_.num_rows));
  }
  return Status::Ok();
}

int ParquetReader::FieldIndex(std::string_view name) const {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string wanted = lower(name);
  for (size_t i = 0; i < schema_.schema.size(); ++i) {
    if (lower(schema_.schema[i].name) == wanted) return static_cast<int>(i);
  }
  return -1;
}

Result<ColumnStatistics> ParquetReader::Statistics(int row_group, int field) const {
  ColumnStatistics out;
  if (row_group < 0 || row_group >= num_row_groups() || field < 0 ||
      field >= static_cast<int>(schema_.fields.size())) {
    return InvalidArgument(
        fmt::format("no row group {} / field {} in '{}'", row_group, field, name()));
  }
  const SchemaNode& node = schema_.fields[field];
  if (!node.is_leaf) return out;
  const LeafColumn& leaf = schema_.leaves[node.leaf_index];
  const format::ColumnMetaData& meta =
      meta_.row_groups[row_group].columns[node.leaf_index].meta_data;
  out.num_values = meta.num_values;
  if (!meta.__isset.statistics) return out;
  const format::Statistics& stats = meta.statistics;
  if (stats.__isset.null_count) out.null_count = stats.null_count;
  std::string_view min, max;
  if (stats.__isset.min_value && stats.__isset.max_value) {
    min = stats.min_value;
    max = stats.max_value;
  } else if (stats.__isset.min && stats.__isset.max && leaf.physical != format::Type::BYTE_ARRAY &&
             leaf.physical != format::Type::FIXED_LEN_BYTE_ARRAY &&
             leaf.conversion != LeafConversion::kUInt32ToInt64) {
    // The legacy fields are signed-order only: trustworthy for signed numbers alone.
    min = stats.min;
    max = stats.max;
  } else {
    return out;
  }
  Result<Column> low = DecodeStatisticsValue(leaf, min);
  Result<Column> high = DecodeStatisticsValue(leaf, max);
  if (!low.ok() || !high.ok()) return out;  // Unreadable statistics are no statistics.
  Column both = std::move(*low);
  const Column& h = *high;
  both.valid.push_back(1);
  switch (StorageOf(both.type)) {
    case Storage::kBool:
      both.b8.push_back(h.b8[0]);
      break;
    case Storage::kInt32:
      both.i32.push_back(h.i32[0]);
      break;
    case Storage::kInt64:
      both.i64.push_back(h.i64[0]);
      break;
    case Storage::kInt128:
      both.i128.push_back(h.i128[0]);
      break;
    case Storage::kFloat:
      both.f32.push_back(h.f32[0]);
      break;
    case Storage::kDouble:
      both.f64.push_back(h.f64[0]);
      break;
    default:
      both.bytes.append(h.string_at(0));
      both.offsets.push_back(both.bytes.size());
      break;
  }
  out.min_max = std::move(both);
  return out;
}

Result<Column> ParquetReader::ReadColumn(int row_group, int field) {
  if (row_group < 0 || row_group >= num_row_groups() || field < 0 ||
      field >= static_cast<int>(schema_.fields.size())) {
    return InvalidArgument(
        fmt::format("no row group {} / field {} in '{}'", row_group, field, name()));
  }
  const SchemaNode& node = schema_.fields[field];
  std::vector<int> leaf_indices;
  CollectLeaves(node, &leaf_indices);
  std::vector<LeafColumn> leaves;
  std::vector<LeafData> data;
  for (int index : leaf_indices) {
    const LeafColumn& leaf = schema_.leaves[index];
    const format::ColumnMetaData& meta = meta_.row_groups[row_group].columns[index].meta_data;
    const int64_t start = ChunkStart(meta);
    // Uninitialised: the read fills every byte.
    const size_t chunk_size = static_cast<size_t>(meta.total_compressed_size);
    std::unique_ptr<char[]> chunk(new char[std::max<size_t>(chunk_size, 1)]);
    TARN_RETURN_IF_ERROR(file_->ReadAt(static_cast<uint64_t>(start), chunk_size, chunk.get()));
    std::string where =
        fmt::format("'{}' row group {} column '{}'", name(), row_group, fmt::join(leaf.path, "."));
    TARN_ASSIGN_OR_RETURN(LeafData decoded,
                          DecodeColumnChunk(leaf, meta, std::string_view(chunk.get(), chunk_size),
                                            start, where));
    leaves.push_back(leaf);
    data.push_back(std::move(decoded));
  }
  const int64_t rows = row_group_rows(row_group);
  if (node.is_leaf && leaves[0].max_rep == 0) {
    // A flat column: definition levels map slots to rows directly.
    LeafData& d = data[0];
    if (d.slots != static_cast<size_t>(rows)) {
      return Corruption(fmt::format("'{}' row group {} column '{}': {} values for {} rows", name(),
                                    row_group, node.name, d.slots, rows));
    }
    Column& values = d.values;
    if (values.size() == d.slots) return std::move(values);  // No NULLs: the values are the rows.
    return Scatter(std::move(values), d.def, leaves[0].max_def);
  }
  int next = 0;
  const SchemaNode local = Renumbered(node, &next);
  Assembler assembler(leaves, &data);
  Column out = Column::Make(node.type);
  for (int64_t r = 0; r < rows; ++r) TARN_RETURN_IF_ERROR(assembler.Read(local, &out));
  if (!assembler.Done(local)) {
    return Corruption(fmt::format("'{}' row group {} column '{}': levels left over after {} rows",
                                  name(), row_group, node.name, rows));
  }
  return out;
}

}  // namespace tarn::formats::parquet
