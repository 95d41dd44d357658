#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/byte_sink.h"
#include "common/random_access_file.h"
#include "formats/parquet/file_reader.h"
#include "formats/parquet/file_writer.h"
#include "formats/parquet/test_data.h"

namespace tarn::formats::parquet {
namespace {

using testing::RandomColumn;
using testing::RandomColumnOptions;
using testing::RowText;

// Writes `columns` under `schema` and returns the file's bytes.
std::string WriteFile(const Schema& schema, const std::vector<Column>& columns,
                      const ParquetWriterOptions& options) {
  auto sink = std::make_unique<StringSink>();
  StringSink* raw = sink.get();
  auto writer = ParquetWriter::Open(schema, std::move(sink), options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  const Status written = (*writer)->Write(columns);
  EXPECT_TRUE(written.ok()) << written.ToString();
  EXPECT_TRUE((*writer)->Close().ok());
  return raw->data();
}

std::unique_ptr<ParquetReader> OpenFile(const std::string& bytes) {
  auto reader =
      ParquetReader::Open(std::make_unique<StringRandomAccessFile>(bytes, "test.parquet"));
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return std::move(*reader);
}

// Reads every field of every row group and compares row by row with `expected`.
void ExpectSameRows(const std::string& bytes, const Schema& schema,
                    const std::vector<Column>& expected) {
  auto reader = OpenFile(bytes);
  // Parquet keeps no length for varchar and char: they read back as string.
  std::string expected_schema = SchemaToString(schema);
  for (const char* bounded : {"varchar(10)", "char(10)"}) {
    for (size_t at; (at = expected_schema.find(bounded)) != std::string::npos;) {
      expected_schema.replace(at, std::string(bounded).size(), "string");
    }
  }
  ASSERT_EQ(SchemaToString(reader->schema()), expected_schema);
  ASSERT_EQ(reader->num_rows(), static_cast<int64_t>(expected[0].size()));
  for (size_t f = 0; f < schema.size(); ++f) {
    size_t row = 0;
    for (int g = 0; g < reader->num_row_groups(); ++g) {
      auto column = reader->ReadColumn(g, static_cast<int>(f));
      ASSERT_TRUE(column.ok()) << column.status().ToString();
      for (size_t i = 0; i < column->size(); ++i, ++row) {
        ASSERT_EQ(RowText(*column, i), RowText(expected[f], row))
            << schema[f].name << " row " << row;
      }
    }
    ASSERT_EQ(row, expected[f].size());
  }
}

Schema AllFlatTypes() {
  return *ParseSchema(
      "b boolean, t tinyint, s smallint, i int, l bigint, f float, d double, "
      "m decimal(9,2), n decimal(18,4), w decimal(38,6), v string, c varchar(10), x binary, dt "
      "date, "
      "ts timestamp");
}

std::vector<Column> RandomRows(const Schema& schema, size_t rows, uint64_t seed,
                               const RandomColumnOptions& options = {}) {
  std::vector<Column> columns;
  for (size_t f = 0; f < schema.size(); ++f) {
    columns.push_back(RandomColumn(schema[f].type, rows, seed * 100 + f, options));
  }
  return columns;
}

class CodecRoundTrip
    : public ::testing::TestWithParam<std::tuple<CompressionCodec, DataPageVersion>> {};

TEST_P(CodecRoundTrip, EveryFlatTypeWithNulls) {
  const Schema schema = AllFlatTypes();
  const auto columns = RandomRows(schema, 3000, 1);
  ParquetWriterOptions options;
  options.compression = std::get<0>(GetParam());
  options.page_version = std::get<1>(GetParam());
  options.page_bytes = 4096;  // Many pages.
  ExpectSameRows(WriteFile(schema, columns, options), schema, columns);
}

INSTANTIATE_TEST_SUITE_P(
    AllCodecs, CodecRoundTrip,
    ::testing::Combine(::testing::Values(CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                         CompressionCodec::kGzip, CompressionCodec::kZstd),
                       ::testing::Values(DataPageVersion::kV1, DataPageVersion::kV2)));

TEST(ParquetRoundTripTest, DictionaryFriendlyValues) {
  const Schema schema = AllFlatTypes();
  RandomColumnOptions options;
  options.distinct = 7;
  const auto columns = RandomRows(schema, 5000, 2, options);
  ExpectSameRows(WriteFile(schema, columns, {}), schema, columns);
}

TEST(ParquetRoundTripTest, DictionaryFallsBackToPlain) {
  const Schema schema = *ParseSchema("v string, l bigint");
  RandomColumnOptions options;
  options.null_probability = 0.05;
  options.max_string = 60;
  const auto columns = RandomRows(schema, 20000, 3, options);
  ParquetWriterOptions writer;
  writer.dictionary_page_bytes = 4096;
  writer.page_bytes = 8192;
  const std::string bytes = WriteFile(schema, columns, writer);
  ExpectSameRows(bytes, schema, columns);
  auto reader = OpenFile(bytes);
  const auto& meta = reader->metadata().row_groups[0].columns[0].meta_data;
  EXPECT_TRUE(meta.__isset.dictionary_page_offset);  // Started with a dictionary...
  bool plain = false;
  for (auto e : meta.encodings) plain |= e == format::Encoding::PLAIN;
  EXPECT_TRUE(plain);  // ...and fell back to PLAIN pages.
}

TEST(ParquetRoundTripTest, ManyRowGroups) {
  const Schema schema = AllFlatTypes();
  const auto columns = RandomRows(schema, 70000, 4);
  ParquetWriterOptions options;
  options.row_group_bytes = 64 << 10;
  options.page_bytes = 8 << 10;
  const std::string bytes = WriteFile(schema, columns, options);
  EXPECT_GT(OpenFile(bytes)->num_row_groups(), 1);
  ExpectSameRows(bytes, schema, columns);
}

TEST(ParquetRoundTripTest, NestedTypes) {
  const Schema schema = *ParseSchema(
      "a array<int>, m map<string,double>, s struct<x:bigint,y:string,z:array<string>>, "
      "aa array<array<int>>, as2 array<struct<k:int,v:map<string,int>>>");
  const auto columns = RandomRows(schema, 2000, 5);
  for (auto version : {DataPageVersion::kV1, DataPageVersion::kV2}) {
    ParquetWriterOptions options;
    options.page_version = version;
    options.page_bytes = 2048;
    ExpectSameRows(WriteFile(schema, columns, options), schema, columns);
  }
}

TEST(ParquetRoundTripTest, AllNullColumns) {
  const Schema schema = AllFlatTypes();
  RandomColumnOptions options;
  options.null_probability = 1.0;
  const auto columns = RandomRows(schema, 1000, 6, options);
  ExpectSameRows(WriteFile(schema, columns, {}), schema, columns);
}

TEST(ParquetRoundTripTest, EmptyFile) {
  const Schema schema = AllFlatTypes();
  const auto columns = RandomRows(schema, 0, 7);
  const std::string bytes = WriteFile(schema, columns, {});
  auto reader = OpenFile(bytes);
  EXPECT_EQ(reader->num_rows(), 0);
  EXPECT_EQ(reader->num_row_groups(), 0);
  EXPECT_EQ(SchemaToString(reader->schema()),
            "b boolean, t tinyint, s smallint, i int, l bigint, "
            "f float, d double, m decimal(9,2), n decimal(18,4), w decimal(38,6), v string, c "
            "string, x binary, "
            "dt date, ts timestamp");
}

TEST(ParquetRoundTripTest, VeryLongAndNonAsciiStrings) {
  const Schema schema = *ParseSchema("v string");
  Column c = Column::Make(schema[0].type);
  c.AppendBytes(std::string(5 << 20, 'x'));
  c.AppendBytes("zażółć gęślą jaźń 漢字 😀");
  c.AppendNull();
  c.AppendBytes("");
  ExpectSameRows(WriteFile(schema, {c}, {}), schema, {c});
}

TEST(ParquetRoundTripTest, StatisticsBoundEveryRowGroup) {
  const Schema schema = *ParseSchema("l bigint, v string, d double");
  const auto columns = RandomRows(schema, 30000, 8);
  ParquetWriterOptions options;
  options.row_group_bytes = 64 << 10;
  options.page_bytes = 8 << 10;
  auto reader = OpenFile(WriteFile(schema, columns, options));
  size_t row = 0;
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    const size_t rows = static_cast<size_t>(reader->row_group_rows(g));
    auto stats = reader->Statistics(g, 0);
    ASSERT_TRUE(stats.ok() && stats->min_max.has_value());
    int64_t nulls = 0;
    for (size_t i = row; i < row + rows; ++i) {
      if (columns[0].is_null(i)) {
        ++nulls;
        continue;
      }
      EXPECT_GE(columns[0].i64[i], stats->min_max->i64[0]);
      EXPECT_LE(columns[0].i64[i], stats->min_max->i64[1]);
    }
    EXPECT_EQ(stats->null_count, nulls);
    auto text = reader->Statistics(g, 1);
    ASSERT_TRUE(text->min_max.has_value());
    for (size_t i = row; i < row + rows; ++i) {
      if (!columns[1].is_null(i)) {
        EXPECT_GE(columns[1].string_at(i), text->min_max->string_at(0));
        EXPECT_LE(columns[1].string_at(i), text->min_max->string_at(1));
      }
    }
    row += rows;
  }
}

TEST(ParquetRoundTripTest, ReadsOnlyTheRequestedColumn) {
  const Schema schema = *ParseSchema("a string, b string");
  RandomColumnOptions options;
  options.max_string = 200;
  const auto columns = RandomRows(schema, 20000, 9, options);
  ParquetWriterOptions writer;
  writer.compression = CompressionCodec::kUncompressed;
  const std::string bytes = WriteFile(schema, columns, writer);
  auto reader = OpenFile(bytes);
  const uint64_t footer_bytes = reader->bytes_read();
  ASSERT_TRUE(reader->ReadColumn(0, 1).ok());
  const auto& meta = reader->metadata().row_groups[0].columns[1].meta_data;
  EXPECT_EQ(reader->bytes_read() - footer_bytes, static_cast<uint64_t>(meta.total_compressed_size));
  EXPECT_LT(reader->bytes_read(), bytes.size() * 6 / 10);
}

TEST(ParquetRoundTripTest, RejectsMismatchedColumns) {
  const Schema schema = *ParseSchema("a int, b string");
  auto writer = ParquetWriter::Open(schema, std::make_unique<StringSink>());
  ASSERT_TRUE(writer.ok());
  Column a = Column::Make(schema[0].type);
  a.AppendInt32(1);
  Column b = Column::Make(schema[1].type);
  EXPECT_EQ((*writer)->Write({a, b}).code(), StatusCode::kInvalidArgument);  // Lengths differ.
  EXPECT_EQ((*writer)->Write({a}).code(), StatusCode::kInvalidArgument);     // Too few.
  Column wrong = Column::Make(DataType::Of(TypeKind::kDouble));
  wrong.AppendDouble(1);
  EXPECT_EQ((*writer)->Write({a, wrong}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::formats::parquet
