#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/byte_sink.h"
#include "common/random_access_file.h"
#include "formats/parquet/file_reader.h"
#include "formats/parquet/file_writer.h"
#include "formats/parquet/test_data.h"

namespace tarn::formats::parquet {
namespace {

std::string SmallFile() {
  const Schema schema = *ParseSchema("l bigint, v string, a array<int>, d double");
  std::vector<Column> columns;
  for (size_t f = 0; f < schema.size(); ++f) {
    columns.push_back(testing::RandomColumn(schema[f].type, 500, f + 1));
  }
  auto sink = std::make_unique<StringSink>();
  StringSink* raw = sink.get();
  ParquetWriterOptions options;
  options.page_bytes = 2048;
  auto writer = ParquetWriter::Open(schema, std::move(sink), options);
  EXPECT_TRUE((*writer)->Write(columns).ok());
  EXPECT_TRUE((*writer)->Close().ok());
  return raw->data();
}

// Opens `bytes` and reads every column; returns the first failure, or OK.
Status ReadEverything(const std::string& bytes) {
  auto reader = ParquetReader::Open(std::make_unique<StringRandomAccessFile>(bytes, "bad.parquet"));
  if (!reader.ok()) return reader.status();
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    for (size_t f = 0; f < (*reader)->schema().size(); ++f) {
      auto stats = (*reader)->Statistics(g, static_cast<int>(f));
      if (!stats.ok()) return stats.status();
      auto column = (*reader)->ReadColumn(g, static_cast<int>(f));
      if (!column.ok()) return column.status();
    }
  }
  return Status::Ok();
}

TEST(MalformedParquetTest, ValidFileReads) { EXPECT_TRUE(ReadEverything(SmallFile()).ok()); }

TEST(MalformedParquetTest, BadMagicNamesTheFile) {
  std::string bytes = SmallFile();
  bytes[0] = 'X';
  const Status s = ReadEverything(bytes);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("bad.parquet"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("PAR1"), std::string::npos) << s.message();
}

TEST(MalformedParquetTest, TooSmallFile) {
  EXPECT_EQ(ReadEverything("PAR1").code(), StatusCode::kCorruption);
  EXPECT_EQ(ReadEverything("").code(), StatusCode::kCorruption);
}

TEST(MalformedParquetTest, LyingFooterLength) {
  std::string bytes = SmallFile();
  const size_t at = bytes.size() - 8;
  for (uint32_t lie : {0u, 1u, 7u, static_cast<uint32_t>(bytes.size()), 0xffffffffu}) {
    std::memcpy(&bytes[at], &lie, 4);
    EXPECT_EQ(ReadEverything(bytes).code(), StatusCode::kCorruption) << lie;
  }
}

TEST(MalformedParquetTest, EveryTruncationFailsCleanly) {
  const std::string bytes = SmallFile();
  for (size_t length = 0; length < bytes.size(); length += 7) {
    // A truncated file loses its tail magic; with the magic glued back on, the footer lies.
    std::string cut = bytes.substr(0, length);
    EXPECT_FALSE(ReadEverything(cut).ok()) << length;
    std::string glued = cut + bytes.substr(bytes.size() - 8);
    (void)ReadEverything(glued);  // Must not crash; some cuts still leave a readable file.
  }
}

TEST(MalformedParquetTest, FlippedBytesNeverCrash) {
  const std::string bytes = SmallFile();
  Random random(42);
  int failures = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bad = bytes;
    const size_t at = random.UniformInt(bad.size());
    bad[at] = static_cast<char>(bad[at] ^ (1 << random.UniformInt(8)));
    failures += ReadEverything(bad).ok() ? 0 : 1;
  }
  EXPECT_GT(failures, 0);  // Some flips land in values and read as other values; many do not.
}

}  // namespace
}  // namespace tarn::formats::parquet
