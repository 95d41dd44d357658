// `tarn convert`: the lake's formats from the command line. JSON lines (optionally .gz or .zst)
// to Parquet with a schema, and Parquet to JSON lines.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/byte_source.h"
#include "common/human_units.h"
#include "common/json_text.h"
#include "common/prefetching_source.h"
#include "common/progress.h"
#include "common/random_access_file.h"
#include "formats/compression/decompressing_source.h"
#include "formats/compression/gzip_sink.h"
#include "formats/json/json_lines_reader.h"
#include "formats/parquet/file_reader.h"
#include "formats/parquet/file_writer.h"

namespace tarn::cli {
namespace {

using formats::parquet::ParquetReader;
using formats::parquet::ParquetWriter;
using formats::parquet::ParquetWriterOptions;

constexpr size_t kBatchRows = 65536;

bool IsParquet(const std::string& path) { return path.ends_with(".parquet"); }

struct Flags {
  std::string input;
  std::string output;
  std::string schema;
  std::string compression = "snappy";
  int compression_level = 0;
  double row_group_mib = 128;
  double page_kib = 1024;
  int page_version = 1;
  bool no_dictionary = false;
  bool skip_malformed = false;
  bool quiet = false;
};

struct Summary {
  uint64_t rows = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t skipped = 0;
};

Result<std::unique_ptr<ByteSink>> OpenTextOutput(const std::string& path) {
  if (path == "-") return std::unique_ptr<ByteSink>(new FdSink(1));
  if (path.ends_with(".zst")) {
    return InvalidArgument("writing .zst is not supported; write plain JSON lines or .gz");
  }
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSink> file, FileSink::Create(path));
  if (path.ends_with(".gz")) {
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSink> gzip, formats::GzipSink::Make(std::move(file)));
    return gzip;
  }
  return file;
}

// Counts what goes through a sink, so the summary can say how much was written.
class CountingSink : public ByteSink {
 public:
  CountingSink(std::unique_ptr<ByteSink> inner, uint64_t* count)
      : inner_(std::move(inner)), count_(count) {}
  Status Append(std::string_view data) override {
    *count_ += data.size();
    return inner_->Append(data);
  }
  Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<ByteSink> inner_;
  uint64_t* count_;
};

Result<Summary> ParquetToJson(const Flags& flags) {
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<LocalRandomAccessFile> file,
                        LocalRandomAccessFile::Open(flags.input));
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ParquetReader> reader,
                        ParquetReader::Open(std::move(file)));
  Summary summary;
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSink> out, OpenTextOutput(flags.output));
  CountingSink sink(std::move(out), &summary.bytes_out);
  const formats::Schema& schema = reader->schema();
  std::vector<std::string> keys;
  for (const formats::Field& field : schema) {
    std::string key;
    AppendJsonString(&key, field.name);
    keys.push_back(key + ": ");
  }
  ProgressBar bar("converting", static_cast<uint64_t>(reader->num_rows()), "rows",
                  flags.quiet ? ProgressBar::Display::kNever : ProgressBar::Display::kAuto);
  std::string text;
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    std::vector<formats::Column> columns;
    for (size_t f = 0; f < schema.size(); ++f) {
      TARN_ASSIGN_OR_RETURN(formats::Column column, reader->ReadColumn(g, static_cast<int>(f)));
      columns.push_back(std::move(column));
    }
    const size_t rows = static_cast<size_t>(reader->row_group_rows(g));
    for (size_t r = 0; r < rows; ++r) {
      text.push_back('{');
      for (size_t f = 0; f < columns.size(); ++f) {
        if (f > 0) text.append(", ");
        text.append(keys[f]);
        formats::AppendJsonValue(columns[f], r, &text);
      }
      text.append("}\n");
      if (text.size() >= (1 << 20)) {
        TARN_RETURN_IF_ERROR(sink.Append(text));
        text.clear();
      }
    }
    summary.rows += rows;
    bar.Update(summary.rows);
  }
  TARN_RETURN_IF_ERROR(sink.Append(text));
  TARN_RETURN_IF_ERROR(sink.Close());
  summary.bytes_in = reader->bytes_read();
  return summary;
}

Result<Summary> JsonToParquet(const Flags& flags) {
  if (flags.schema.empty()) {
    return InvalidArgument(
        "--schema is required to write Parquet, e.g. --schema \"tstamp "
        "timestamp, payload string, payload_md5 string\"");
  }
  Result<formats::Schema> schema = formats::ParseSchema(flags.schema);
  if (!schema.ok()) return schema.status().WithContext("--schema");
  Result<formats::CompressionCodec> codec = formats::ParseCodec(flags.compression);
  if (!codec.ok()) return codec.status().WithContext("--compression");
  ParquetWriterOptions options;
  options.compression = *codec;
  options.compression_level = flags.compression_level;
  options.row_group_bytes = static_cast<int64_t>(flags.row_group_mib * (1 << 20));
  options.page_bytes = static_cast<int64_t>(flags.page_kib * 1024);
  options.dictionary = !flags.no_dictionary;
  options.page_version = flags.page_version == 2 ? formats::parquet::DataPageVersion::kV2
                                                 : formats::parquet::DataPageVersion::kV1;

  std::unique_ptr<ByteSource> source;
  if (flags.input == "-") {
    source = FileSource::Stdin();
  } else {
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileSource> file, FileSource::Open(flags.input));
    source = std::move(file);
  }
  const formats::StreamCompression compression = formats::StreamCompressionFromName(flags.input);
  source = formats::MakeDecompressingSource(std::move(source), compression);
  // Decompress on a second core while this one parses.
  if (compression != formats::StreamCompression::kNone) {
    source = std::make_unique<PrefetchingSource>(std::move(source));
  }
  std::vector<formats::JsonColumnSpec> specs;
  for (const formats::Field& field : *schema) specs.push_back({field.name, field.type, {}});
  formats::JsonReaderOptions json_options;
  json_options.skip_malformed = flags.skip_malformed;
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<formats::JsonLinesReader> reader,
                        formats::JsonLinesReader::Open(std::move(source), specs, json_options));
  Summary summary;
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileSink> file, FileSink::Create(flags.output));
  auto counted = std::make_unique<CountingSink>(std::move(file), &summary.bytes_out);
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ParquetWriter> writer,
                        ParquetWriter::Open(*schema, std::move(counted), options));
  ProgressBar bar("converting", 0, "records",
                  flags.quiet ? ProgressBar::Display::kNever : ProgressBar::Display::kAuto);
  std::vector<formats::Column> batch;
  for (;;) {
    TARN_ASSIGN_OR_RETURN(size_t rows, reader->ReadBatch(kBatchRows, &batch));
    if (rows == 0) break;
    TARN_RETURN_IF_ERROR(writer->Write(batch));
    summary.rows += rows;
    bar.Update(summary.rows);
  }
  TARN_RETURN_IF_ERROR(writer->Close());
  summary.bytes_in = reader->bytes_read();
  summary.skipped = reader->malformed_records();
  return summary;
}

}  // namespace

Command AddConvertCommand(CLI::App& app) {
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd =
      app.add_subcommand("convert", "Convert between JSON lines (.gz, .zst) and Parquet");
  cmd->footer(
      "The direction follows the names: an INPUT ending in .parquet is written out as JSON\n"
      "lines (OUTPUT '-' is standard output, a name ending in .gz is gzip-compressed); any other\n"
      "INPUT is read as JSON lines ('-' is standard input; .gz and .zst are decompressed) and\n"
      "written as Parquet with the columns of --schema, in Hive types (boolean, tinyint, "
      "smallint,\n"
      "int, bigint, float, double, decimal(p,s), string, varchar(n), char(n), date, timestamp,\n"
      "array<T>, map<K,V>, struct<name:T,...>). Missing fields become NULL; docs/json-lines.md\n"
      "gives every conversion rule.\n\n"
      "Examples:\n"
      "  tarn convert events.ndjson.gz events.parquet \\\n"
      "      --schema \"tstamp timestamp, payload string, payload_md5 string\" --compression gzip\n"
      "  tarn convert events.parquet - | head -3");
  cmd->add_option("INPUT", flags->input, "File to read ('-' for standard input)")->required();
  cmd->add_option("OUTPUT", flags->output, "File to write ('-' for standard output)")->required();
  cmd->add_option("--schema", flags->schema,
                  "Columns of the Parquet file: \"name type, ...\" (JSON lines to Parquet)");
  cmd->add_option("--compression", flags->compression,
                  "Parquet codec: snappy, gzip, zstd or uncompressed")
      ->capture_default_str();
  cmd->add_option("--compression-level", flags->compression_level,
                  "Codec level (gzip 1-9, zstd 1-22); 0 is the codec's default")
      ->check(CLI::Range(0, 22))
      ->capture_default_str();
  cmd->add_option("--row-group-mib", flags->row_group_mib, "Row group size target in MiB")
      ->check(CLI::Range(1.0, 4096.0))
      ->capture_default_str();
  cmd->add_option("--page-kib", flags->page_kib, "Data page size target in KiB")
      ->check(CLI::Range(4.0, 65536.0))
      ->capture_default_str();
  cmd->add_option("--page-version", flags->page_version, "Data page version, 1 or 2")
      ->check(CLI::IsMember({1, 2}))
      ->capture_default_str();
  cmd->add_flag("--no-dictionary", flags->no_dictionary, "Write PLAIN pages only");
  cmd->add_flag("--skip-malformed", flags->skip_malformed,
                "Turn malformed JSON records into rows of NULLs instead of failing");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar and no summary");

  return {cmd, [flags]() -> int {
            const auto start = std::chrono::steady_clock::now();
            const bool to_json = IsParquet(flags->input);
            if (!to_json && !IsParquet(flags->output)) {
              PrintError("convert", "one side must be a .parquet file: got '" + flags->input +
                                        "' and '" + flags->output + "'");
              return kExitUsage;
            }
            Result<Summary> summary = to_json ? ParquetToJson(*flags) : JsonToParquet(*flags);
            if (!summary.ok()) return ReportFailure("convert", summary.status());
            if (!flags->quiet) {
              const double seconds =
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
              std::string line =
                  fmt::format("tarn convert: {} rows, {} read, {} written in {:.2f} s",
                              WithThousands(summary->rows), HumanBytes(summary->bytes_in),
                              HumanBytes(summary->bytes_out), seconds);
              if (summary->skipped > 0) {
                line += fmt::format(" ({} malformed records became NULL rows)",
                                    WithThousands(summary->skipped));
              }
              std::fputs((line + "\n").c_str(), stderr);
            }
            return kExitOk;
          }};
}

}  // namespace tarn::cli
