#include "formats/parquet/file_writer.h"

#include <fmt/format.h>

#include "formats/parquet/encoding/bit_util.h"
#include "formats/parquet/thrift_io.h"

namespace tarn::formats::parquet {

using format::FieldRepetitionType;
using format::Type;

namespace {

constexpr std::string_view kMagic = "PAR1";
constexpr size_t kSliceRows = 1 << 16;

// Checks that a Column's members agree with its type and length, so shredding never reads out
// of bounds; names the column.
Status ValidateColumn(const Column& c, const DataType& type, const std::string& name) {
  if (!(c.type == type)) {
    return InvalidArgument(fmt::format("column '{}' is {} but the schema says {}", name,
                                       TypeName(c.type), TypeName(type)));
  }
  const size_t n = c.size();
  auto bad = [&](const char* what) {
    return InvalidArgument(
        fmt::format("column '{}': {} does not match its {} rows", name, what, n));
  };
  switch (StorageOf(type)) {
    case Storage::kBool:
      if (c.b8.size() != n) return bad("values");
      break;
    case Storage::kInt32:
      if (c.i32.size() != n) return bad("values");
      break;
    case Storage::kInt64:
      if (c.i64.size() != n) return bad("values");
      break;
    case Storage::kInt128:
      if (c.i128.size() != n) return bad("values");
      break;
    case Storage::kFloat:
      if (c.f32.size() != n) return bad("values");
      break;
    case Storage::kDouble:
      if (c.f64.size() != n) return bad("values");
      break;
    case Storage::kBytes:
    case Storage::kList:
      if (c.offsets.size() != n + 1 || c.offsets[0] != 0) return bad("offsets");
      for (size_t i = 0; i < n; ++i) {
        if (c.offsets[i] > c.offsets[i + 1]) return bad("offsets (decreasing)");
      }
      if (StorageOf(type) == Storage::kBytes && c.offsets[n] > c.bytes.size()) return bad("bytes");
      break;
    case Storage::kStruct:
      break;
  }
  if (c.children.size() != type.children.size()) return bad("children");
  for (size_t k = 0; k < c.children.size(); ++k) {
    const std::string child = name + "." + type.children[k].name;
    TARN_RETURN_IF_ERROR(ValidateColumn(c.children[k], type.children[k].type, child));
    if (type.kind == TypeKind::kStruct && c.children[k].size() != n) {
      return bad("struct field rows");
    }
    if (type.kind != TypeKind::kStruct && c.children[k].size() < c.offsets[n]) {
      return bad("element rows");
    }
  }
  return Status::Ok();
}

class Shredder {
 public:
  Shredder(const std::vector<LeafColumn>& leaves, std::vector<LeafBatch>* batches)
      : leaves_(leaves), batches_(batches) {}

  Status Field(const SchemaNode& node, const Column& column, size_t begin, size_t end) {
    if (node.is_leaf && leaves_[node.leaf_index].max_rep == 0) {
      // Flat columns: one slot per row, no recursion.
      LeafBatch& batch = (*batches_)[node.leaf_index];
      for (size_t i = begin; i < end; ++i) {
        const bool present = column.valid[i] != 0;
        batch.def.push_back(present ? node.def_level : static_cast<int16_t>(node.def_level - 1));
        if (present) AppendValue(node.leaf_index, column, i);
      }
      return Status::Ok();
    }
    for (size_t i = begin; i < end; ++i) TARN_RETURN_IF_ERROR(Shred(node, column, i, 0));
    return Status::Ok();
  }

 private:
  void EmitNull(const SchemaNode& node, int16_t def, int16_t rep) {
    if (node.is_leaf) {
      LeafBatch& batch = (*batches_)[node.leaf_index];
      batch.def.push_back(def);
      if (leaves_[node.leaf_index].max_rep > 0) batch.rep.push_back(rep);
      return;
    }
    for (const SchemaNode& child : node.children) EmitNull(child, def, rep);
  }

  Status Shred(const SchemaNode& node, const Column& column, size_t i, int16_t rep) {
    const bool optional = node.repetition == FieldRepetitionType::OPTIONAL;
    if (column.is_null(i)) {
      if (!optional) {
        return InvalidArgument(
            fmt::format("'{}' holds a NULL where Parquet requires a value "
                        "(a map key?)",
                        node.name));
      }
      EmitNull(node, static_cast<int16_t>(node.def_level - 1), rep);
      return Status::Ok();
    }
    if (node.is_leaf) {
      LeafBatch& batch = (*batches_)[node.leaf_index];
      batch.def.push_back(node.def_level);
      if (leaves_[node.leaf_index].max_rep > 0) batch.rep.push_back(rep);
      AppendValue(node.leaf_index, column, i);
      return Status::Ok();
    }
    if (column.type.kind == TypeKind::kStruct) {
      for (size_t k = 0; k < node.children.size(); ++k) {
        TARN_RETURN_IF_ERROR(Shred(node.children[k], column.children[k], i, rep));
      }
      return Status::Ok();
    }
    // A list or map: its one child is the repeated group.
    const SchemaNode& repeated = node.children[0];
    const uint64_t begin = column.offsets[i], end = column.offsets[i + 1];
    if (begin == end) {
      EmitNull(repeated, node.def_level, rep);
      return Status::Ok();
    }
    for (uint64_t j = begin; j < end; ++j) {
      const int16_t r = j == begin ? rep : repeated.rep_level;
      for (size_t k = 0; k < repeated.children.size(); ++k) {
        TARN_RETURN_IF_ERROR(Shred(repeated.children[k], column.children[k], j, r));
      }
    }
    return Status::Ok();
  }

  void AppendValue(int leaf_index, const Column& column, size_t i) {
    PhysicalValues& values = (*batches_)[leaf_index].values;
    switch (leaves_[leaf_index].physical) {
      case Type::BOOLEAN:
        values.b8.push_back(column.b8[i]);
        break;
      case Type::INT32:
        // Narrow decimals live in 64-bit storage but are written as INT32.
        values.i32.push_back(StorageOf(column.type) == Storage::kInt64
                                 ? static_cast<int32_t>(column.i64[i])
                                 : column.i32[i]);
        break;
      case Type::INT64:
        values.i64.push_back(column.i64[i]);
        break;
      case Type::FLOAT:
        values.f32.push_back(column.f32[i]);
        break;
      case Type::DOUBLE:
        values.f64.push_back(column.f64[i]);
        break;
      case Type::FIXED_LEN_BYTE_ARRAY:  // Only wide decimals are written so.
        values.i128.push_back(column.i128[i]);
        break;
      default:
        values.views.push_back(column.string_at(i));
        break;
    }
  }

  const std::vector<LeafColumn>& leaves_;
  std::vector<LeafBatch>* batches_;
};

}  // namespace

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(const Schema& schema,
                                                           std::unique_ptr<ByteSink> sink,
                                                           const ParquetWriterOptions& options) {
  if (schema.empty()) return InvalidArgument("a Parquet file needs at least one column");
  if (options.page_bytes < 1024 || options.row_group_bytes < options.page_bytes) {
    return InvalidArgument(
        fmt::format("invalid Parquet sizes: page {} bytes (at least 1024), row group {} bytes (at "
                    "least a page)",
                    options.page_bytes, options.row_group_bytes));
  }
  TARN_ASSIGN_OR_RETURN(ParquetSchema parquet_schema, MakeParquetSchema(schema));
  std::unique_ptr<ParquetWriter> writer(
      new ParquetWriter(std::move(parquet_schema), std::move(sink), options));
  for (const LeafColumn& leaf : writer->schema_.leaves) {
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<Codec> codec,
                          MakeCodec(options.compression, CodecOptions{options.compression_level}));
    writer->leaves_.push_back(std::make_unique<ColumnChunkWriter>(leaf, options, std::move(codec)));
  }
  writer->batches_.resize(writer->schema_.leaves.size());
  TARN_RETURN_IF_ERROR(writer->Emit(kMagic));
  return writer;
}

ParquetWriter::ParquetWriter(ParquetSchema schema, std::unique_ptr<ByteSink> sink,
                             const ParquetWriterOptions& options)
    : schema_(std::move(schema)), sink_(std::move(sink)), options_(options) {}

Status ParquetWriter::Emit(std::string_view bytes) {
  TARN_RETURN_IF_ERROR(sink_->Append(bytes));
  offset_ += static_cast<int64_t>(bytes.size());
  return Status::Ok();
}

Status ParquetWriter::Write(const std::vector<Column>& columns) {
  if (closed_) return Internal("write to a closed Parquet writer");
  if (columns.size() != schema_.schema.size()) {
    return InvalidArgument(
        fmt::format("{} columns given for a schema of {}", columns.size(), schema_.schema.size()));
  }
  const size_t rows = columns[0].size();
  for (size_t f = 0; f < columns.size(); ++f) {
    TARN_RETURN_IF_ERROR(
        ValidateColumn(columns[f], schema_.schema[f].type, schema_.schema[f].name));
    if (columns[f].size() != rows) {
      return InvalidArgument(fmt::format("column '{}' has {} rows where the first has {}",
                                         schema_.schema[f].name, columns[f].size(), rows));
    }
  }
  for (size_t begin = 0; begin < rows; begin += kSliceRows) {
    const size_t end = std::min(rows, begin + kSliceRows);
    Shredder shredder(schema_.leaves, &batches_);
    for (size_t f = 0; f < columns.size(); ++f) {
      TARN_RETURN_IF_ERROR(shredder.Field(schema_.fields[f], columns[f], begin, end));
    }
    int64_t estimate = 0;
    for (size_t l = 0; l < leaves_.size(); ++l) {
      TARN_RETURN_IF_ERROR(leaves_[l]->Write(batches_[l]));
      batches_[l].Clear();
      estimate += leaves_[l]->EstimatedSize();
    }
    group_rows_ += static_cast<int64_t>(end - begin);
    rows_ += static_cast<int64_t>(end - begin);
    if (estimate >= options_.row_group_bytes) TARN_RETURN_IF_ERROR(FlushRowGroup());
  }
  return Status::Ok();
}

Status ParquetWriter::FlushRowGroup() {
  if (group_rows_ == 0) return Status::Ok();
  format::RowGroup group;
  const int64_t group_start = offset_;
  int64_t uncompressed = 0;
  std::vector<format::ColumnChunk> chunks;
  std::string out;
  for (auto& leaf : leaves_) {
    format::ColumnChunk chunk;
    out.clear();
    TARN_RETURN_IF_ERROR(leaf->Finish(offset_, &out, &chunk));
    TARN_RETURN_IF_ERROR(Emit(out));
    uncompressed += chunk.meta_data.total_uncompressed_size;
    chunks.push_back(std::move(chunk));
  }
  group.__set_columns(chunks);
  group.__set_num_rows(group_rows_);
  group.__set_total_byte_size(uncompressed);
  group.__set_file_offset(group_start);
  group.__set_total_compressed_size(offset_ - group_start);
  group.__set_ordinal(static_cast<int16_t>(row_groups_.size()));
  row_groups_.push_back(std::move(group));
  group_rows_ = 0;
  return Status::Ok();
}

Status ParquetWriter::Close() {
  if (closed_) return Internal("Parquet writer closed twice");
  closed_ = true;
  TARN_RETURN_IF_ERROR(FlushRowGroup());
  format::FileMetaData meta;
  meta.__set_version(1);
  meta.__set_schema(schema_.elements);
  meta.__set_num_rows(rows_);
  meta.__set_row_groups(row_groups_);
  meta.__set_created_by("tarn version " TARN_FORMATS_VERSION);
  std::vector<format::ColumnOrder> orders(schema_.leaves.size());
  for (auto& order : orders) order.__set_TYPE_ORDER(format::TypeDefinedOrder());
  meta.__set_column_orders(orders);
  std::string footer;
  TARN_RETURN_IF_ERROR(Serialize(meta, &footer));
  PutLittleEndian<uint32_t>(static_cast<uint32_t>(footer.size()), &footer);
  footer.append(kMagic);
  TARN_RETURN_IF_ERROR(Emit(footer));
  return sink_->Close();
}

}  // namespace tarn::formats::parquet
