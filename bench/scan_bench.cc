// tarn's side of the scan benchmarks in bench/formats.py: reads one column of a Parquet file, or
// two fields of a (gzip) JSON-lines file, and aggregates them as the peer's SQL does, printing
// the result and the time taken inside the process.
//
//   tarn_scan_bench parquet FILE COLUMN   count of non-NULL values and the sum of their lengths
//                                         (strings) or values (integers, timestamps)
//   tarn_scan_bench json FILE             count of payload_md5 and max(tstamp)
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <string>

#include "common/byte_source.h"
#include "common/prefetching_source.h"
#include "common/random_access_file.h"
#include "formats/compression/decompressing_source.h"
#include "formats/json/json_lines_reader.h"
#include "formats/parquet/file_reader.h"

namespace {

using namespace tarn;

int Fail(const Status& s) {
  std::fprintf(stderr, "tarn_scan_bench: %s\n", s.ToString().c_str());
  return 1;
}

int ScanParquet(const std::string& path, const std::string& column_name) {
  auto file = LocalRandomAccessFile::Open(path);
  if (!file.ok()) return Fail(file.status());
  auto reader = formats::parquet::ParquetReader::Open(std::move(*file));
  if (!reader.ok()) return Fail(reader.status());
  const int field = (*reader)->FieldIndex(column_name);
  if (field < 0) return Fail(NotFound("no column " + column_name));
  uint64_t count = 0;
  int64_t sum = 0;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    auto column = (*reader)->ReadColumn(g, field);
    if (!column.ok()) return Fail(column.status());
    const formats::Column& c = *column;
    const bool bytes = formats::StorageOf(c.type) == formats::Storage::kBytes;
    for (size_t i = 0; i < c.size(); ++i) {
      if (c.is_null(i)) continue;
      ++count;
      sum += bytes ? static_cast<int64_t>(c.offsets[i + 1] - c.offsets[i]) : c.i64[i];
    }
  }
  std::printf("count %llu sum %lld bytes_read %llu\n", static_cast<unsigned long long>(count),
              static_cast<long long>(sum),
              static_cast<unsigned long long>((*reader)->bytes_read()));
  return 0;
}

int ScanJson(const std::string& path) {
  auto file = FileSource::Open(path);
  if (!file.ok()) return Fail(file.status());
  // As `tarn convert` does: decompress on a second core while this one parses.
  std::unique_ptr<ByteSource> source = std::make_unique<PrefetchingSource>(
      formats::MakeDecompressingSource(std::move(*file), formats::StreamCompressionFromName(path)));
  std::vector<formats::JsonColumnSpec> specs = {
      {"tstamp", formats::DataType::Of(formats::TypeKind::kTimestamp), {}},
      {"payload_md5", formats::DataType::Of(formats::TypeKind::kString), {}}};
  auto reader = formats::JsonLinesReader::Open(std::move(source), specs);
  if (!reader.ok()) return Fail(reader.status());
  std::vector<formats::Column> batch;
  uint64_t count = 0;
  int64_t max = std::numeric_limits<int64_t>::min();
  for (;;) {
    auto rows = (*reader)->ReadBatch(8192, &batch);
    if (!rows.ok()) return Fail(rows.status());
    if (*rows == 0) break;
    for (size_t i = 0; i < *rows; ++i) {
      if (!batch[1].is_null(i)) ++count;
      if (!batch[0].is_null(i) && batch[0].i64[i] > max) max = batch[0].i64[i];
    }
  }
  std::printf("count %llu max_tstamp_us %lld\n", static_cast<unsigned long long>(count),
              static_cast<long long>(max));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  int rc = 2;
  if (argc == 4 && std::string(argv[1]) == "parquet") {
    rc = ScanParquet(argv[2], argv[3]);
  } else if (argc == 3 && std::string(argv[1]) == "json") {
    rc = ScanJson(argv[2]);
  } else {
    std::fprintf(stderr, "usage: tarn_scan_bench parquet FILE COLUMN | json FILE\n");
    return 2;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seconds %.4f\n", seconds);
  return rc;
}
