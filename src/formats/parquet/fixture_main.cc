// tarn_parquet_fixture: writes Parquet files with tarn's writer for the cross-checks against
// DuckDB (tests/integration/parquet_duckdb_test.py), each beside the rows it holds as canonical
// JSON lines (FILE.expected.ndjson). A test tool, not part of the product.
//
// usage: tarn_parquet_fixture OUTPUT_DIR
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/byte_sink.h"
#include "formats/parquet/file_writer.h"
#include "formats/parquet/test_data.h"

namespace tarn::formats::parquet {
namespace {

struct Case {
  std::string name;
  std::string schema;
  size_t rows;
  testing::RandomColumnOptions data;
  ParquetWriterOptions writer;
};

Status WriteCase(const std::string& dir, const Case& c, uint64_t seed) {
  TARN_ASSIGN_OR_RETURN(Schema schema, ParseSchema(c.schema));
  std::vector<Column> columns;
  for (size_t f = 0; f < schema.size(); ++f) {
    columns.push_back(testing::RandomColumn(schema[f].type, c.rows, seed * 31 + f, c.data));
  }
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSink> sink,
                        FileSink::Create(dir + "/" + c.name + ".parquet"));
  TARN_ASSIGN_OR_RETURN(auto writer, ParquetWriter::Open(schema, std::move(sink), c.writer));
  TARN_RETURN_IF_ERROR(writer->Write(columns));
  TARN_RETURN_IF_ERROR(writer->Close());
  std::string lines;
  for (size_t r = 0; r < c.rows; ++r) {
    lines.push_back('{');
    for (size_t f = 0; f < schema.size(); ++f) {
      if (f > 0) lines.append(", ");
      lines.append("\"" + schema[f].name + "\": ");
      AppendJsonValue(columns[f], r, &lines);
    }
    lines.append("}\n");
  }
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileSink> expected,
                        FileSink::Create(dir + "/" + c.name + ".expected.ndjson"));
  TARN_RETURN_IF_ERROR(expected->Append(lines));
  return expected->Close();
}

std::vector<Case> Cases() {
  const std::string flat =
      "b boolean, t tinyint, s smallint, i int, l bigint, f float, d double, m decimal(9,2), "
      "n decimal(18,4), w decimal(38,6), v string, x binary, dt date, ts timestamp";
  std::vector<Case> cases;
  const std::pair<const char*, CompressionCodec> codecs[] = {
      {"uncompressed", CompressionCodec::kUncompressed},
      {"snappy", CompressionCodec::kSnappy},
      {"gzip", CompressionCodec::kGzip},
      {"zstd", CompressionCodec::kZstd}};
  for (const auto& [codec_name, codec] : codecs) {
    for (DataPageVersion version : {DataPageVersion::kV1, DataPageVersion::kV2}) {
      Case c{std::string("flat_") + codec_name + (version == DataPageVersion::kV1 ? "_v1" : "_v2"),
             flat,
             2000,
             {},
             {}};
      c.writer.compression = codec;
      c.writer.page_version = version;
      c.writer.page_bytes = 4096;
      cases.push_back(c);
    }
  }
  Case dictionary{"dictionary", flat, 5000, {}, {}};
  dictionary.data.distinct = 5;
  cases.push_back(dictionary);
  Case fallback{"dictionary_fallback", "v string, l bigint, d double", 30000, {}, {}};
  fallback.data.max_string = 50;
  fallback.writer.dictionary_page_bytes = 8192;
  cases.push_back(fallback);
  Case groups{"row_groups", flat, 40000, {}, {}};
  groups.writer.row_group_bytes = 128 << 10;
  groups.writer.page_bytes = 16 << 10;
  cases.push_back(groups);
  Case nulls{"all_null", flat, 300, {}, {}};
  nulls.data.null_probability = 1.0;
  cases.push_back(nulls);
  Case none{"no_nulls", flat, 300, {}, {}};
  none.data.null_probability = 0.0;
  cases.push_back(none);
  Case empty{"empty", flat, 0, {}, {}};
  cases.push_back(empty);
  Case nested{"nested",
              "a array<int>, m map<string,double>, s struct<x:bigint,y:string,z:array<string>>, "
              "aa array<array<int>>, sa array<struct<k:int,v:string>>",
              1500,
              {},
              {}};
  cases.push_back(nested);
  Case nested_v2 = nested;
  nested_v2.name = "nested_v2";
  nested_v2.writer.page_version = DataPageVersion::kV2;
  nested_v2.writer.page_bytes = 2048;
  cases.push_back(nested_v2);
  Case long_strings{"long_strings", "v string", 50, {}, {}};
  long_strings.data.max_string = 100000;
  cases.push_back(long_strings);
  return cases;
}

}  // namespace
}  // namespace tarn::formats::parquet

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tarn_parquet_fixture OUTPUT_DIR\n");
    return 2;
  }
  std::filesystem::create_directories(argv[1]);
  uint64_t seed = 1;
  for (const auto& c : tarn::formats::parquet::Cases()) {
    tarn::Status s = tarn::formats::parquet::WriteCase(argv[1], c, seed++);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", c.name.c_str(), s.ToString().c_str());
      return 1;
    }
    std::printf("%s\n", c.name.c_str());
  }
  return 0;
}
