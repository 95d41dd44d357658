#include "sql/exec/scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/byte_source.h"
#include "common/parallel.h"
#include "common/random_access_file.h"
#include "formats/compression/decompressing_source.h"
#include "formats/parquet/file_reader.h"
#include "sql/functions/scalar.h"
#include "storage/encrypted_object.h"

namespace tarn::sql {
namespace {

// Counts the bytes read from storage into the query's total.
class CountingSource : public ByteSource {
 public:
  CountingSource(std::unique_ptr<ByteSource> inner, std::string name, QueryContext* context)
      : inner_(std::move(inner)), name_(std::move(name)), context_(context) {}
  Result<size_t> Read(char* out, size_t size) override {
    TARN_ASSIGN_OR_RETURN(size_t n, inner_->Read(out, size));
    context_->bytes_scanned.fetch_add(n);
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string name_;
  QueryContext* context_;
};

Status BadData(const Status& status) {
  if (status.code() == StatusCode::kCorruption) {
    return Status(StatusCode::kCorruption, "HIVE_BAD_DATA: " + status.message());
  }
  return status;
}

class ScanOperator : public Operator {
 public:
  ScanOperator(ScanSpec spec, QueryContext* context) : spec_(std::move(spec)), context_(context) {
    if (spec_.project.empty()) {
      for (const ScanOutput& output : spec_.outputs) types_.push_back(output.type);
    } else {
      for (const ExprPtr& e : spec_.project) types_.push_back(e->type);
    }
  }
  ~ScanOperator() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    space_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  bool concurrent() const override { return true; }

  Result<bool> Next(Batch* out) override {
    std::call_once(started_, [this] { Start(); });
    std::unique_lock lock(mu_);
    ready_.wait(lock, [this] { return !queue_.empty() || running_ == 0 || !error_.ok(); });
    if (!error_.ok()) return error_;
    if (queue_.empty()) return false;
    *out = std::move(queue_.front());
    queue_.pop_front();
    space_.notify_one();
    return true;
  }

 private:
  void Start() {
    const int threads =
        std::max(1, std::min<int>(context_->threads, static_cast<int>(spec_.files.size())));
    const int workers = spec_.files.empty() ? 0 : threads;
    {
      std::lock_guard lock(mu_);
      running_ = workers;  // Workers count themselves down as they finish.
    }
    for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
  }

  // Workers take row groups other workers found first, then objects.
  void Work() {
    while (true) {
      size_t index = 0;
      std::pair<std::shared_ptr<OpenParquet>, int> row_group;
      {
        std::lock_guard lock(mu_);
        if (stop_ || !error_.ok()) break;
        if (!row_groups_.empty()) {
          row_group = std::move(row_groups_.front());
          row_groups_.pop_front();
        } else if (next_file_ < spec_.files.size()) {
          index = next_file_++;
        } else {
          break;
        }
      }
      Status status;
      if (row_group.first != nullptr) {
        status = ScanRowGroup(*row_group.first, row_group.second);
      } else if (spec_.format == ScanSpec::Format::kJson) {
        status = ScanJson(spec_.files[index]);
      } else {
        status = ScanParquet(spec_.files[index]);
      }
      if (!status.ok()) {
        std::lock_guard lock(mu_);
        if (error_.ok()) error_ = status;
        ready_.notify_all();
        break;
      }
    }
    std::lock_guard lock(mu_);
    --running_;
    ready_.notify_all();
  }

  // Adds partition and path columns, filters and projects, and queues the result.
  Status Emit(const ScanFile& file, std::vector<Column>& data, size_t rows) {
    if (rows == 0) return Status::Ok();
    Batch batch;
    batch.rows = rows;
    batch.columns.reserve(spec_.outputs.size());
    for (const ScanOutput& output : spec_.outputs) {
      switch (output.source) {
        case ScanOutput::Source::kData:
          batch.columns.push_back(std::move(data[static_cast<size_t>(output.index)]));
          break;
        case ScanOutput::Source::kPartition:
          batch.columns.push_back(
              Broadcast(file.partition_values[static_cast<size_t>(output.index)], 0, rows));
          break;
        case ScanOutput::Source::kNull:
          batch.columns.push_back(Nulls(output.type, rows));
          break;
        case ScanOutput::Source::kPath: {
          Column one = Column::Make(VarcharType());
          one.AppendBytes(file.uri);
          batch.columns.push_back(Broadcast(one, 0, rows));
          break;
        }
      }
    }
    if (spec_.filter != nullptr) {
      std::vector<uint32_t> selected;
      TARN_RETURN_IF_ERROR(EvaluateFilter(*spec_.filter, batch, &selected));
      if (selected.empty()) return Status::Ok();
      batch.Select(selected);
    }
    if (!spec_.project.empty()) {
      Batch projected;
      projected.rows = batch.rows;
      for (const ExprPtr& e : spec_.project) {
        projected.columns.push_back(Column::Make(e->type));
        TARN_RETURN_IF_ERROR(Evaluate(*e, batch, &projected.columns.back()));
      }
      batch = std::move(projected);
    }
    std::unique_lock lock(mu_);
    space_.wait(lock, [this] { return queue_.size() < kQueueBatches || stop_ || !error_.ok(); });
    if (stop_) return Status(StatusCode::kUnavailable, "query cancelled");
    queue_.push_back(std::move(batch));
    ready_.notify_one();
    return Status::Ok();
  }

  Status ScanJson(const ScanFile& file) {
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileSource> raw, FileSource::Open(file.path));
    auto counted = std::make_unique<CountingSource>(std::move(raw), file.uri, context_);
    Result<std::unique_ptr<ByteSource>> plain =
        storage::OpenSourceForReading(std::move(counted), context_->keyring);
    if (!plain.ok()) return plain.status().WithContext(file.uri);
    std::unique_ptr<ByteSource> source = formats::MakeDecompressingSource(
        std::move(*plain), formats::StreamCompressionFromName(file.path));
    if (spec_.data_columns.empty()) {
      // Only partition columns or "$path": count the records without decoding fields.
      formats::JsonColumnSpec none{"$none", VarcharType(), {"\x01none"}};
      TARN_ASSIGN_OR_RETURN(
          std::unique_ptr<formats::JsonLinesReader> reader,
          formats::JsonLinesReader::Open(std::move(source), {none}, spec_.json_options));
      std::vector<Column> columns;
      while (true) {
        Result<size_t> rows = reader->ReadBatch(kBatchRows, &columns);
        if (!rows.ok()) return BadData(rows.status());
        if (*rows == 0) return Status::Ok();
        std::vector<Column> empty;
        TARN_RETURN_IF_ERROR(Emit(file, empty, *rows));
      }
    }
    TARN_ASSIGN_OR_RETURN(
        std::unique_ptr<formats::JsonLinesReader> reader,
        formats::JsonLinesReader::Open(std::move(source), spec_.data_columns, spec_.json_options));
    std::vector<Column> columns;
    while (true) {
      if (stopped()) return Status::Ok();
      Result<size_t> rows = reader->ReadBatch(kBatchRows, &columns);
      if (!rows.ok()) return BadData(rows.status());
      if (*rows == 0) return Status::Ok();
      TARN_RETURN_IF_ERROR(Emit(file, columns, *rows));
      for (size_t c = 0; c < columns.size(); ++c)
        columns[c] = Column::Make(spec_.data_columns[c].type);
    }
  }

  // Whether a row group's statistics rule out every range.
  bool Skippable(formats::parquet::ParquetReader& reader, int row_group,
                 const std::vector<int>& fields) {
    for (const ColumnRange& range : spec_.ranges) {
      const int field = fields[static_cast<size_t>(range.data_column)];
      if (field < 0) continue;
      Result<formats::parquet::ColumnStatistics> stats = reader.Statistics(row_group, field);
      if (!stats.ok() || !stats->min_max.has_value()) continue;
      const Column& min_max = *stats->min_max;  // Two rows: min, max.
      if (min_max.size() < 2 || min_max.is_null(0) || min_max.is_null(1)) continue;
      const DataType& want = spec_.data_columns[static_cast<size_t>(range.data_column)].type;
      if (!SameType(min_max.type, want)) continue;
      if (range.lower && CompareValues(min_max, 1, *range.lower, 0) < 0) return true;
      if (range.upper && CompareValues(min_max, 0, *range.upper, 0) > 0) return true;
    }
    return false;
  }

  // One column of a row group as the table's type (the file's type converted as CAST would;
  // a column the file lacks is NULL).
  Status ReadParquetColumn(formats::parquet::ParquetReader& reader, int rg, int field, size_t c,
                           size_t rows, const ScanFile& file, Column* out) {
    const DataType& type = spec_.data_columns[c].type;
    if (field < 0) {
      *out = Nulls(type, rows);
      return Status::Ok();
    }
    Result<Column> column = reader.ReadColumn(rg, field);
    if (!column.ok()) return BadData(column.status().WithContext(file.uri));
    if (SameType(column->type, type)) {
      *out = std::move(*column);
      return Status::Ok();
    }
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<BoundScalar> cast, BindCast(column->type, type));
    Column converted = Column::Make(type);
    const Column* arg = &*column;
    Status status = cast->Evaluate({&arg, 1}, rows, &converted);
    if (!status.ok()) {
      return Status(StatusCode::kCorruption,
                    fmt::format("HIVE_BAD_DATA: {}: column {}: {}", file.uri,
                                spec_.data_columns[c].name, status.message()));
    }
    *out = std::move(converted);
    return Status::Ok();
  }

  // A Parquet object opened once and shared by the workers that read its row groups.
  struct OpenParquet {
    const ScanFile* file = nullptr;
    std::unique_ptr<formats::parquet::ParquetReader> reader;
    std::vector<int> fields;  // Field index of each data column; -1 when the file lacks it.
    std::atomic<uint64_t> counted{0};
  };

  // Adds what the reader read since it was last counted to the bytes scanned.
  void Count(OpenParquet& open) {
    const uint64_t now = open.reader->bytes_read();
    uint64_t before = open.counted.load();
    while (now > before && !open.counted.compare_exchange_weak(before, now)) {
    }
    if (now > before) context_->bytes_scanned.fetch_add(now - before);
  }

  // Opens the object, offers its other row groups to the other workers, and reads the first.
  Status ScanParquet(const ScanFile& file) {
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<LocalRandomAccessFile> raw,
                          LocalRandomAccessFile::Open(file.path));
    Result<std::unique_ptr<RandomAccessFile>> plain =
        storage::OpenForReading(std::move(raw), context_->keyring);
    if (!plain.ok()) return plain.status().WithContext(file.uri);
    Result<std::unique_ptr<formats::parquet::ParquetReader>> opened =
        formats::parquet::ParquetReader::Open(std::move(*plain));
    if (!opened.ok()) return BadData(opened.status().WithContext(file.uri));
    auto open = std::make_shared<OpenParquet>();
    open->file = &file;
    open->reader = std::move(*opened);
    for (const formats::JsonColumnSpec& column : spec_.data_columns) {
      open->fields.push_back(open->reader->FieldIndex(column.name));
    }
    Count(*open);
    std::vector<int> wanted;
    for (int rg = 0; rg < open->reader->num_row_groups(); ++rg) {
      if (!Skippable(*open->reader, rg, open->fields)) wanted.push_back(rg);
    }
    if (wanted.empty()) return Status::Ok();
    {
      std::lock_guard lock(mu_);
      for (size_t i = 1; i < wanted.size(); ++i) row_groups_.emplace_back(open, wanted[i]);
    }
    return ScanRowGroup(*open, wanted[0]);
  }

  Status ScanRowGroup(OpenParquet& open, int rg) {
    if (stopped()) return Status::Ok();
    formats::parquet::ParquetReader& reader = *open.reader;
    const ScanFile& file = *open.file;
    const size_t rows = static_cast<size_t>(reader.row_group_rows(rg));
    // The row group's columns are read and decoded side by side.
    std::vector<Column> whole(spec_.data_columns.size());
    std::vector<Status> statuses(spec_.data_columns.size());
    ParallelFor(spec_.data_columns.size(), static_cast<size_t>(std::max(1, context_->threads)),
                [&](size_t c) {
                  statuses[c] =
                      ReadParquetColumn(reader, rg, open.fields[c], c, rows, file, &whole[c]);
                });
    for (const Status& status : statuses) TARN_RETURN_IF_ERROR(status);
    Count(open);
    std::vector<Column> data(spec_.data_columns.size());
    for (size_t begin = 0; begin < rows; begin += kBatchRows) {
      const size_t end = std::min(rows, begin + kBatchRows);
      for (size_t c = 0; c < whole.size(); ++c) {
        data[c] = Column::Make(whole[c].type);
        AppendRows(whole[c], begin, end, &data[c]);
      }
      TARN_RETURN_IF_ERROR(Emit(file, data, end - begin));
    }
    return Status::Ok();
  }

  bool stopped() {
    std::lock_guard lock(mu_);
    return stop_ || !error_.ok();
  }

  static constexpr size_t kQueueBatches = 32;
  ScanSpec spec_;
  QueryContext* context_;
  std::once_flag started_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::condition_variable space_;
  std::deque<Batch> queue_;
  std::deque<std::pair<std::shared_ptr<OpenParquet>, int>> row_groups_;
  size_t next_file_ = 0;
  int running_ = 0;
  bool stop_ = false;
  Status error_;
};

}  // namespace

OperatorPtr MakeScan(ScanSpec spec, QueryContext* context) {
  return std::make_unique<ScanOperator>(std::move(spec), context);
}

Result<std::vector<std::string>> ListObjects(const std::string& folder) {
  std::vector<std::string> out;
  std::error_code error;
  if (!std::filesystem::exists(folder, error)) return out;
  std::filesystem::recursive_directory_iterator it(folder, error), end;
  if (error)
    return Status(StatusCode::kInternal,
                  fmt::format("cannot list {}: {}", folder, error.message()));
  for (; it != end; it.increment(error)) {
    if (error) {
      return Status(StatusCode::kInternal,
                    fmt::format("cannot list {}: {}", folder, error.message()));
    }
    const std::string name = it->path().filename().string();
    if (!name.empty() && (name[0] == '_' || name[0] == '.')) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tarn::sql
