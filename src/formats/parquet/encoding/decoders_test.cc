#include "formats/parquet/encoding/decoders.h"

#include <gtest/gtest.h>

namespace tarn::formats::parquet {
namespace {

using format::Type;

// DELTA_BINARY_PACKED bytes built by hand from the specification: block size 128, 4
// miniblocks, the given values, every delta bit-packed at the width it needs.
std::string DeltaEncode(const std::vector<int64_t>& values) {
  std::string out;
  PutVarint(128, &out);
  PutVarint(4, &out);
  PutVarint(values.size(), &out);
  PutVarint(ZigZag(values.empty() ? 0 : values[0]), &out);
  for (size_t start = 1; start < values.size(); start += 128) {
    const size_t end = std::min(values.size(), start + 128);
    std::vector<int64_t> deltas;
    for (size_t i = start; i < end; ++i) deltas.push_back(values[i] - values[i - 1]);
    int64_t min_delta = *std::min_element(deltas.begin(), deltas.end());
    PutVarint(ZigZag(min_delta), &out);
    std::vector<uint32_t> adjusted(128, 0);
    for (size_t i = 0; i < deltas.size(); ++i)
      adjusted[i] = static_cast<uint32_t>(deltas[i] - min_delta);
    std::string widths, bodies;
    for (int m = 0; m < 4; ++m) {
      uint32_t max = 0;
      for (int i = 0; i < 32; ++i) max = std::max(max, adjusted[m * 32 + i]);
      const int width = BitWidth(max);
      widths.push_back(static_cast<char>(width));
      if (static_cast<size_t>(m * 32) < deltas.size())
        PackBits(&adjusted[m * 32], 32, width, &bodies);
    }
    out += widths + bodies;
  }
  return out;
}

TEST(DecodersTest, DeltaBinaryPackedAcrossBlocks) {
  std::vector<int64_t> values;
  for (int i = 0; i < 300; ++i) values.push_back(1000 + i * 7 - (i % 5) * 3);
  const std::string encoded = DeltaEncode(values);
  ByteReader in(encoded, "test");
  PhysicalValues out;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(Type::INT64, in, values.size(), &out).ok());
  EXPECT_EQ(out.i64, values);
}

TEST(DecodersTest, DeltaLengthAndDeltaByteArray) {
  // DELTA_LENGTH_BYTE_ARRAY: lengths [5, 4], then "helloworl".
  std::string dlba = DeltaEncode({5, 4}) + "helloworl";
  ByteReader in(dlba, "test");
  PhysicalValues out;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(in, 2, &out).ok());
  EXPECT_EQ(out.views[0], "hello");
  EXPECT_EQ(out.views[1], "worl");
  // DELTA_BYTE_ARRAY: "apple", "applesauce", "apricot" as prefixes [0, 5, 2] and suffixes.
  std::string dba = DeltaEncode({0, 5, 2}) + DeltaEncode({5, 5, 5}) + "applesaucericot";
  ByteReader in2(dba, "test");
  PhysicalValues out2;
  ASSERT_TRUE(DecodeDeltaByteArray(in2, 3, &out2).ok());
  EXPECT_EQ(out2.views[0], "apple");
  EXPECT_EQ(out2.views[1], "applesauce");
  EXPECT_EQ(out2.views[2], "apricot");
}

TEST(DecodersTest, ByteStreamSplitDoubles) {
  const double values[3] = {1.5, -2.25, 1e300};
  std::string streams(24, '\0');
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < 8; ++k) streams[k * 3 + i] = reinterpret_cast<const char*>(&values[i])[k];
  }
  ByteReader in(streams, "test");
  PhysicalValues out;
  ASSERT_TRUE(DecodeByteStreamSplit(Type::DOUBLE, 0, in, 3, &out).ok());
  EXPECT_EQ(out.f64, (std::vector<double>{1.5, -2.25, 1e300}));
}

TEST(DecodersTest, PlainByteArrayLengthPastEndIsCorruption) {
  std::string data(
      "\xff\x00\x00\x00"
      "abc",
      7);
  ByteReader in(data, "test");
  PhysicalValues out;
  EXPECT_EQ(DecodePlain(Type::BYTE_ARRAY, 0, in, 1, &out).code(), StatusCode::kCorruption);
}

TEST(DecodersTest, DeltaPrefixLongerThanPreviousIsCorruption) {
  std::string dba = DeltaEncode({3}) + DeltaEncode({1}) + "x";
  ByteReader in(dba, "test");
  PhysicalValues out;
  EXPECT_EQ(DecodeDeltaByteArray(in, 1, &out).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace tarn::formats::parquet
