// Files laid out by hand from the specification, for encodings tarn's writer never produces
// and DuckDB does not write: INT96 timestamps, RLE-encoded booleans, legacy REQUIRED columns.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/random_access_file.h"
#include "formats/parquet/encoding/bit_util.h"
#include "formats/parquet/encoding/rle.h"
#include "formats/parquet/file_reader.h"
#include "formats/parquet/thrift_io.h"

namespace tarn::formats::parquet {
namespace {

using format::Encoding;
using format::FieldRepetitionType;
using format::Type;

std::string Levels(const std::vector<uint32_t>& levels) {
  std::string encoded, out;
  EncodeRle(levels.data(), levels.size(), 1, &encoded);
  PutLittleEndian<uint32_t>(static_cast<uint32_t>(encoded.size()), &out);
  return out + encoded;
}

// One uncompressed v1 data page holding `body`, returned with its header.
std::string Page(int32_t values, int32_t encoding, const std::string& body) {
  format::DataPageHeader data;
  data.__set_num_values(values);
  data.__set_encoding(encoding);
  data.__set_definition_level_encoding(Encoding::RLE);
  data.__set_repetition_level_encoding(Encoding::RLE);
  format::PageHeader header;
  header.__set_type(format::PageType::DATA_PAGE);
  header.__set_uncompressed_page_size(static_cast<int32_t>(body.size()));
  header.__set_compressed_page_size(static_cast<int32_t>(body.size()));
  header.__set_data_page_header(data);
  std::string out;
  EXPECT_TRUE(Serialize(header, &out).ok());
  return out + body;
}

struct HandColumn {
  std::string name;
  int32_t type;
  int32_t repetition;
  std::string page;
};

std::string BuildFile(const std::vector<HandColumn>& columns, int64_t rows) {
  std::string file = "PAR1";
  format::FileMetaData meta;
  format::SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(static_cast<int32_t>(columns.size()));
  std::vector<format::SchemaElement> schema = {root};
  format::RowGroup group;
  for (const HandColumn& c : columns) {
    format::SchemaElement e;
    e.__set_name(c.name);
    e.__set_type(c.type);
    e.__set_repetition_type(c.repetition);
    schema.push_back(e);
    format::ColumnMetaData cm;
    cm.__set_type(c.type);
    cm.__set_encodings({Encoding::PLAIN, Encoding::RLE});
    cm.__set_path_in_schema({c.name});
    cm.__set_codec(format::CompressionCodec::UNCOMPRESSED);
    cm.__set_num_values(rows);
    cm.__set_total_uncompressed_size(static_cast<int64_t>(c.page.size()));
    cm.__set_total_compressed_size(static_cast<int64_t>(c.page.size()));
    cm.__set_data_page_offset(static_cast<int64_t>(file.size()));
    format::ColumnChunk chunk;
    chunk.__set_file_offset(static_cast<int64_t>(file.size()));
    chunk.__set_meta_data(cm);
    group.columns.push_back(chunk);
    file += c.page;
  }
  group.__set_num_rows(rows);
  group.__set_total_byte_size(static_cast<int64_t>(file.size() - 4));
  meta.__set_version(1);
  meta.__set_schema(schema);
  meta.__set_num_rows(rows);
  meta.__set_row_groups({group});
  std::string footer;
  EXPECT_TRUE(Serialize(meta, &footer).ok());
  PutLittleEndian<uint32_t>(static_cast<uint32_t>(footer.size()), &footer);
  return file + footer + "PAR1";
}

std::string Row(const Column& c, size_t row) {
  std::string out;
  AppendJsonValue(c, row, &out);
  return out;
}

TEST(ForeignFileTest, Int96TimestampsAndRleBooleans) {
  // INT96: 8 bytes of nanoseconds in the day, then the Julian day, both little-endian.
  auto int96 = [](int64_t nanos, int32_t julian) {
    std::string v;
    PutLittleEndian(nanos, &v);
    PutLittleEndian(julian, &v);
    return v;
  };
  const int64_t day_nanos = (14 * 3600 + 27 * 60 + 52) * 1'000'000'000LL + 500'000'000;
  const std::string ts_values = int96(day_nanos, 2440588 + 19526) + int96(0, 2440588 - 1);
  const std::string ts_page = Page(3, Encoding::PLAIN, Levels({1, 0, 1}) + ts_values);
  // RLE booleans: a length prefix, then the hybrid encoding of [true, false].
  std::string rle;
  const std::vector<uint32_t> bits = {1, 0};
  EncodeRle(bits.data(), bits.size(), 1, &rle);
  std::string bool_values;
  PutLittleEndian<uint32_t>(static_cast<uint32_t>(rle.size()), &bool_values);
  bool_values += rle;
  const std::string b_page = Page(3, Encoding::RLE, Levels({1, 1, 0}) + bool_values);
  const std::string file =
      BuildFile({{"ts", Type::INT96, FieldRepetitionType::OPTIONAL, ts_page},
                 {"b", Type::BOOLEAN, FieldRepetitionType::OPTIONAL, b_page}},
                3);
  auto reader = ParquetReader::Open(std::make_unique<StringRandomAccessFile>(file, "hand.parquet"));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(SchemaToString((*reader)->schema()), "ts timestamp, b boolean");
  auto ts = (*reader)->ReadColumn(0, 0);
  ASSERT_TRUE(ts.ok()) << ts.status().ToString();
  EXPECT_EQ(Row(*ts, 0), "\"2023-06-18 14:27:52.500000\"");
  EXPECT_EQ(Row(*ts, 1), "null");
  EXPECT_EQ(Row(*ts, 2), "\"1969-12-31 00:00:00.000000\"");
  auto b = (*reader)->ReadColumn(0, 1);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(Row(*b, 0) + Row(*b, 1) + Row(*b, 2), "truefalsenull");
}

TEST(ForeignFileTest, RequiredColumnHasNoDefinitionLevels) {
  std::string values;
  for (int64_t v : {7, -8, 9}) PutLittleEndian(v, &values);
  const std::string page = Page(3, Encoding::PLAIN, values);
  const std::string file = BuildFile({{"l", Type::INT64, FieldRepetitionType::REQUIRED, page}}, 3);
  auto reader = ParquetReader::Open(std::make_unique<StringRandomAccessFile>(file, "req.parquet"));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto l = (*reader)->ReadColumn(0, 0);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(Row(*l, 0) + Row(*l, 1) + Row(*l, 2), "7-89");
}

TEST(ForeignFileTest, UnknownPhysicalTypeIsCorruption) {
  const std::string file = BuildFile({{"x", 42, FieldRepetitionType::OPTIONAL, ""}}, 0);
  auto reader = ParquetReader::Open(std::make_unique<StringRandomAccessFile>(file, "odd.parquet"));
  EXPECT_EQ(reader.status().code(), StatusCode::kCorruption);
  EXPECT_NE(reader.status().message().find("unknown physical type 42"), std::string::npos);
}

}  // namespace
}  // namespace tarn::formats::parquet
