#include "formats/parquet/encoding/rle.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"

namespace tarn::formats::parquet {
namespace {

std::vector<uint32_t> RoundTrip(const std::vector<uint32_t>& values, int width) {
  std::string encoded;
  EncodeRle(values.data(), values.size(), width, &encoded);
  std::vector<uint32_t> decoded(values.size());
  RleDecoder decoder(encoded, width);
  EXPECT_TRUE(decoder.Decode(decoded.data(), decoded.size()).ok());
  return decoded;
}

TEST(RleTest, RunsAndLiteralsRoundTripAtEveryWidth) {
  Random random(1);
  for (int width = 1; width <= 32; ++width) {
    std::vector<uint32_t> values;
    const uint64_t bound = width == 32 ? (uint64_t{1} << 32) : (uint64_t{1} << width);
    for (int i = 0; i < 1000; ++i) {
      const uint32_t v = static_cast<uint32_t>(random.UniformInt(bound));
      const int repeat = random.Bernoulli(0.3) ? static_cast<int>(random.UniformInt(30)) : 1;
      for (int r = 0; r < repeat; ++r) values.push_back(v);
    }
    ASSERT_EQ(RoundTrip(values, width), values) << "width " << width;
  }
}

TEST(RleTest, LongRunIsAFewBytes) {
  std::vector<uint32_t> values(100000, 1);
  std::string encoded;
  EncodeRle(values.data(), values.size(), 1, &encoded);
  EXPECT_LE(encoded.size(), 4u);
}

TEST(RleTest, DecodesSpecExample) {
  // Bit-packed run of 8 values 0..7 at width 3 (the specification's example bytes).
  const std::string encoded = {0x03, static_cast<char>(0x88), static_cast<char>(0xC6),
                               static_cast<char>(0xFA)};
  std::vector<uint32_t> out(8);
  RleDecoder decoder(encoded, 3);
  ASSERT_TRUE(decoder.Decode(out.data(), 8).ok());
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(RleTest, ShortDataIsCorruption) {
  std::vector<uint32_t> out(10);
  const std::string data("\x10\x01", 2);  // An RLE run of 8, then nothing.
  RleDecoder decoder(data, 1);
  EXPECT_EQ(decoder.Decode(out.data(), 10).code(), StatusCode::kCorruption);
}

TEST(RleTest, ValueWiderThanBitWidthIsCorruption) {
  std::vector<uint32_t> out(4);
  const std::string data("\x08\x05", 2);  // Run value 5 at width 1.
  RleDecoder decoder(data, 1);
  EXPECT_EQ(decoder.Decode(out.data(), 4).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace tarn::formats::parquet
