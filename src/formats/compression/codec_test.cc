#include "formats/compression/codec.h"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <limits>
#include <string>

#include "common/random.h"
#include "formats/compression/zlib_reference.h"

namespace tarn::formats {
namespace {

// Lines that compress the way real JSON events do: repeated keys, varying values.
std::string JsonLines(size_t size, uint64_t seed = 1) {
  Random random(seed);
  std::string out;
  while (out.size() < size) {
    out += "{\"name\": \"event_" + std::to_string(random.UniformInt(20)) +
           "\", \"value\": " + std::to_string(random.UniformInt(1'000'000)) + ", \"user\": \"u" +
           std::to_string(random.UniformInt(5000)) + "\"}\n";
  }
  out.resize(size);
  return out;
}

std::string RandomBytes(size_t size, uint64_t seed = 2) {
  Random random(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random.Next());
  return out;
}

std::unique_ptr<Codec> Make(CompressionCodec kind, int level = 0) {
  auto codec = MakeCodec(kind, {.level = level});
  EXPECT_TRUE(codec.ok()) << codec.status().ToString();
  return std::move(codec).value();
}

std::string Compress(Codec& codec, std::string_view input) {
  std::string out;
  EXPECT_TRUE(codec.Compress(input, &out).ok());
  return out;
}

// Decompresses `compressed` expecting `size` bytes; returns the status and fills `*out`.
Status DecompressTo(Codec& codec, std::string_view compressed, size_t size, std::string* out) {
  out->assign(size, '\0');
  return codec.Decompress(compressed, size, out->data());
}

using reference::ZlibGzip;

std::string ZlibGunzip(std::string_view input, size_t size) {
  z_stream s{};
  EXPECT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
  std::string out(size + 1, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  s.avail_in = static_cast<uInt>(input.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  inflateEnd(&s);
  return out;
}

TEST(CodecNameTest, NamesAreParquets) {
  EXPECT_EQ(CodecName(CompressionCodec::kUncompressed), "UNCOMPRESSED");
  EXPECT_EQ(CodecName(CompressionCodec::kSnappy), "SNAPPY");
  EXPECT_EQ(CodecName(CompressionCodec::kGzip), "GZIP");
  EXPECT_EQ(CodecName(CompressionCodec::kZstd), "ZSTD");
}

TEST(ParseCodecTest, AcceptsNamesInAnyCaseAndNone) {
  EXPECT_EQ(*ParseCodec("zstd"), CompressionCodec::kZstd);
  EXPECT_EQ(*ParseCodec("Snappy"), CompressionCodec::kSnappy);
  EXPECT_EQ(*ParseCodec("GZIP"), CompressionCodec::kGzip);
  EXPECT_EQ(*ParseCodec("uncompressed"), CompressionCodec::kUncompressed);
  EXPECT_EQ(*ParseCodec("None"), CompressionCodec::kUncompressed);
}

TEST(ParseCodecTest, RejectsUnknownNamesListingTheChoices) {
  const Status status = ParseCodec("lz4").status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("'lz4'"), std::string::npos);
  EXPECT_NE(status.message().find("UNCOMPRESSED (or NONE), SNAPPY, GZIP, ZSTD"), std::string::npos);
}

TEST(MakeCodecTest, RejectsLevelsOutOfRange) {
  EXPECT_EQ(MakeCodec(CompressionCodec::kGzip, {.level = 13}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeCodec(CompressionCodec::kGzip, {.level = -1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeCodec(CompressionCodec::kZstd, {.level = ZSTD_maxCLevel() + 1}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MakeCodecTest, SnappyIgnoresTheLevel) {
  EXPECT_TRUE(MakeCodec(CompressionCodec::kSnappy, {.level = 99}).ok());
}

// Behaviour every codec shares.
class EveryCodecTest : public testing::TestWithParam<CompressionCodec> {
 protected:
  std::unique_ptr<Codec> codec_ = Make(GetParam());

  void ExpectRoundTrip(const std::string& input) {
    const std::string compressed = Compress(*codec_, input);
    std::string known;
    ASSERT_TRUE(DecompressTo(*codec_, compressed, input.size(), &known).ok());
    EXPECT_TRUE(known == input);
    std::string unknown;
    ASSERT_TRUE(codec_->DecompressUnknownSize(compressed, &unknown, input.size()).ok());
    EXPECT_TRUE(unknown == input);
  }
};

INSTANTIATE_TEST_SUITE_P(Codecs, EveryCodecTest,
                         testing::Values(CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                         CompressionCodec::kGzip, CompressionCodec::kZstd),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST_P(EveryCodecTest, KindIsTheOneAskedFor) { EXPECT_EQ(codec_->kind(), GetParam()); }

TEST_P(EveryCodecTest, RoundTripsEmpty) { ExpectRoundTrip(""); }

TEST_P(EveryCodecTest, RoundTripsSmall) { ExpectRoundTrip("{\"a\": 1}\n"); }

TEST_P(EveryCodecTest, RoundTripsSeveralMegabytes) { ExpectRoundTrip(JsonLines(5 << 20)); }

TEST_P(EveryCodecTest, RoundTripsIncompressibleBytes) { ExpectRoundTrip(RandomBytes(1 << 20)); }

TEST_P(EveryCodecTest, ReusesItsStateAcrossCalls) {
  ExpectRoundTrip(JsonLines(100'000, 7));
  ExpectRoundTrip(RandomBytes(1000, 8));
  ExpectRoundTrip(JsonLines(3, 9));
}

TEST_P(EveryCodecTest, EmptyInputIsEmptyOutput) {
  std::string out = "kept";
  EXPECT_TRUE(codec_->DecompressUnknownSize("", &out, 100).ok());
  EXPECT_EQ(out, "kept");
  EXPECT_TRUE(codec_->Decompress("", 0, nullptr).ok());
}

TEST_P(EveryCodecTest, UnknownSizeAppendsToWhatIsThere) {
  std::string out = "prefix:";
  ASSERT_TRUE(codec_->DecompressUnknownSize(Compress(*codec_, "body"), &out, 4).ok());
  EXPECT_EQ(out, "prefix:body");
}

TEST_P(EveryCodecTest, ExpectingFewerBytesIsCorruption) {
  const std::string input = JsonLines(10'000);
  std::string out;
  EXPECT_EQ(DecompressTo(*codec_, Compress(*codec_, input), input.size() - 1, &out).code(),
            StatusCode::kCorruption);
}

TEST_P(EveryCodecTest, ExpectingMoreBytesIsCorruption) {
  const std::string input = JsonLines(10'000);
  std::string out;
  EXPECT_EQ(DecompressTo(*codec_, Compress(*codec_, input), input.size() + 1, &out).code(),
            StatusCode::kCorruption);
}

TEST_P(EveryCodecTest, UnknownSizeBeyondTheLimitIsResourceExhausted) {
  const std::string input = JsonLines(300'000);
  std::string out = "kept";
  EXPECT_EQ(codec_->DecompressUnknownSize(Compress(*codec_, input), &out, input.size() - 1).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(out, "kept");
}

TEST_P(EveryCodecTest, UnknownSizeAtExactlyTheLimitSucceeds) {
  const std::string input = JsonLines(300'000);
  std::string out;
  ASSERT_TRUE(codec_->DecompressUnknownSize(Compress(*codec_, input), &out, input.size()).ok());
  EXPECT_EQ(out.size(), input.size());
}

// Behaviour of the codecs that have a format to damage.
class CompressingCodecTest : public EveryCodecTest {};

INSTANTIATE_TEST_SUITE_P(Codecs, CompressingCodecTest,
                         testing::Values(CompressionCodec::kSnappy, CompressionCodec::kGzip,
                                         CompressionCodec::kZstd),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST_P(CompressingCodecTest, EveryTruncationIsCorruption) {
  const std::string input = JsonLines(20'000);
  const std::string compressed = Compress(*codec_, input);
  for (size_t n = 1; n < compressed.size(); ++n) {
    const std::string_view prefix(compressed.data(), n);
    std::string out;
    EXPECT_EQ(DecompressTo(*codec_, prefix, input.size(), &out).code(), StatusCode::kCorruption);
    EXPECT_EQ(codec_->DecompressUnknownSize(prefix, &out, 1 << 30).code(), StatusCode::kCorruption)
        << "prefix of " << n;
  }
}

TEST_P(CompressingCodecTest, TrailingGarbageIsCorruption) {
  const std::string input = JsonLines(1000);
  const std::string damaged = Compress(*codec_, input) + "junk";
  std::string out;
  EXPECT_EQ(DecompressTo(*codec_, damaged, input.size(), &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(codec_->DecompressUnknownSize(damaged, &out, 1 << 20).code(), StatusCode::kCorruption);
}

TEST_P(CompressingCodecTest, DamageAnywhereNeverCrashes) {
  const std::string input = JsonLines(5000);
  const std::string compressed = Compress(*codec_, input);
  for (size_t i = 0; i < compressed.size(); ++i) {
    std::string damaged = compressed;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    std::string out;
    const Status known = DecompressTo(*codec_, damaged, input.size(), &out);
    EXPECT_TRUE(known.ok() || known.code() == StatusCode::kCorruption) << known.ToString();
    const Status unknown = codec_->DecompressUnknownSize(damaged, &out, 1 << 20);
    EXPECT_TRUE(unknown.ok() || unknown.code() == StatusCode::kCorruption) << unknown.ToString();
  }
}

// GZIP and ZSTD carry checksums, so damage to the compressed data is always found.
class ChecksummedCodecTest : public EveryCodecTest {};

INSTANTIATE_TEST_SUITE_P(Codecs, ChecksummedCodecTest,
                         testing::Values(CompressionCodec::kGzip, CompressionCodec::kZstd),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

// A changed bit is found by the checksum, unless it is one the decoder never looks at (zstd
// has a few); either way no wrong byte comes out.
TEST_P(ChecksummedCodecTest, DamagedMiddleByteIsCorruptionOrHarmless) {
  const std::string input = JsonLines(50'000);
  const std::string compressed = Compress(*codec_, input);
  for (size_t i = compressed.size() / 4; i < compressed.size() * 3 / 4; ++i) {
    std::string damaged = compressed;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    std::string out;
    const Status status = DecompressTo(*codec_, damaged, input.size(), &out);
    EXPECT_TRUE(status.ok() ? out == input : status.code() == StatusCode::kCorruption)
        << "byte " << i << ": " << status.ToString();
  }
}

TEST_P(ChecksummedCodecTest, ReadsConcatenationAsOneStream) {
  const std::string compressed = Compress(*codec_, "first ") + Compress(*codec_, "second");
  std::string out;
  ASSERT_TRUE(codec_->DecompressUnknownSize(compressed, &out, 100).ok());
  EXPECT_EQ(out, "first second");
  ASSERT_TRUE(DecompressTo(*codec_, compressed, 12, &out).ok());
  EXPECT_EQ(out, "first second");
}

TEST_P(ChecksummedCodecTest, LimitCountsEveryPart) {
  const std::string compressed = Compress(*codec_, "first ") + Compress(*codec_, "second");
  std::string out;
  EXPECT_EQ(codec_->DecompressUnknownSize(compressed, &out, 11).code(),
            StatusCode::kResourceExhausted);
}

TEST_P(ChecksummedCodecTest, HighlyCompressibleInputStopsAtTheLimit) {
  const std::string bomb = Compress(*codec_, std::string(64 << 20, '\0'));
  std::string out;
  EXPECT_EQ(codec_->DecompressUnknownSize(bomb, &out, 1 << 20).code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(out.empty());
}

TEST(GzipCodecTest, ReadsWhatZlibWrites) {
  const std::string input = JsonLines(1 << 20);
  std::string out;
  ASSERT_TRUE(
      DecompressTo(*Make(CompressionCodec::kGzip), ZlibGzip(input), input.size(), &out).ok());
  EXPECT_TRUE(out == input);
}

TEST(GzipCodecTest, ZlibReadsWhatItWrites) {
  const std::string input = JsonLines(1 << 20);
  EXPECT_TRUE(ZlibGunzip(Compress(*Make(CompressionCodec::kGzip), input), input.size()) == input);
}

TEST(GzipCodecTest, EveryLevelRoundTrips) {
  const std::string input = JsonLines(50'000);
  for (int level = 1; level <= 12; ++level) {
    EXPECT_EQ(ZlibGunzip(Compress(*Make(CompressionCodec::kGzip, level), input), input.size()),
              input);
  }
}

TEST(GzipCodecTest, GrowsPastASmallLastMember) {
  // The trailer of the last member is the first guess at the size; here it is far too small.
  const std::string big = JsonLines(3 << 20);
  std::string out;
  ASSERT_TRUE(Make(CompressionCodec::kGzip)
                  ->DecompressUnknownSize(ZlibGzip(big) + ZlibGzip("x"), &out, 4 << 20)
                  .ok());
  EXPECT_TRUE(out == big + "x");
}

TEST(GzipCodecTest, UnknownSizeSkipsZeroPadding) {
  std::string out;
  ASSERT_TRUE(Make(CompressionCodec::kGzip)
                  ->DecompressUnknownSize(ZlibGzip("data") + std::string(100, '\0'), &out, 10)
                  .ok());
  EXPECT_EQ(out, "data");
}

TEST(GzipCodecTest, KnownSizeRejectsZeroPadding) {
  std::string out;
  EXPECT_EQ(
      DecompressTo(*Make(CompressionCodec::kGzip), ZlibGzip("data") + std::string(8, '\0'), 4, &out)
          .code(),
      StatusCode::kCorruption);
}

TEST(GzipCodecTest, TrailingGarbageNamesItsOffset) {
  const std::string member = ZlibGzip("data");
  std::string out;
  const Status status =
      Make(CompressionCodec::kGzip)->DecompressUnknownSize(member + "garbage", &out, 100);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("trailing garbage after GZIP data at offset " +
                                  std::to_string(member.size())),
            std::string::npos)
      << status.ToString();
}

TEST(ZstdCodecTest, ReadsWhatLibzstdWrites) {
  const std::string input = JsonLines(1 << 20);
  std::string compressed(ZSTD_compressBound(input.size()), '\0');
  compressed.resize(
      ZSTD_compress(compressed.data(), compressed.size(), input.data(), input.size(), 1));
  std::string out;
  ASSERT_TRUE(DecompressTo(*Make(CompressionCodec::kZstd), compressed, input.size(), &out).ok());
  EXPECT_TRUE(out == input);
}

TEST(ZstdCodecTest, LibzstdReadsWhatItWrites) {
  const std::string input = JsonLines(1 << 20);
  const std::string compressed = Compress(*Make(CompressionCodec::kZstd, 5), input);
  std::string out(input.size(), '\0');
  EXPECT_EQ(ZSTD_decompress(out.data(), out.size(), compressed.data(), compressed.size()),
            input.size());
  EXPECT_TRUE(out == input);
}

TEST(ZstdCodecTest, UnknownSizeReadsFramesWithoutADeclaredSize) {
  const std::string input = JsonLines(2 << 20);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::string compressed(ZSTD_compressBound(input.size()), '\0');
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  ZSTD_outBuffer dst{compressed.data(), compressed.size(), 0};
  ASSERT_EQ(ZSTD_compressStream2(cctx, &dst, &in, ZSTD_e_end), 0u);  // Size never declared.
  ZSTD_freeCCtx(cctx);
  compressed.resize(dst.pos);
  std::string out;
  ASSERT_TRUE(Make(CompressionCodec::kZstd)->DecompressUnknownSize(compressed, &out, 4 << 20).ok());
  EXPECT_TRUE(out == input);
}

TEST(SnappyCodecTest, ReadsWhatLibsnappyWrites) {
  const std::string input = JsonLines(1 << 20);
  std::string compressed;
  snappy::Compress(input.data(), input.size(), &compressed);
  std::string out;
  ASSERT_TRUE(DecompressTo(*Make(CompressionCodec::kSnappy), compressed, input.size(), &out).ok());
  EXPECT_TRUE(out == input);
}

TEST(SnappyCodecTest, LibsnappyReadsWhatItWrites) {
  const std::string input = JsonLines(1 << 20);
  const std::string compressed = Compress(*Make(CompressionCodec::kSnappy), input);
  std::string out;
  ASSERT_TRUE(snappy::Uncompress(compressed.data(), compressed.size(), &out));
  EXPECT_TRUE(out == input);
}

TEST(SnappyCodecTest, ImpossibleLengthIsRejectedBeforeAllocating) {
  // A varint header claiming 4 GiB - 1 bytes, followed by a few bytes of tags.
  const std::string hostile = std::string("\xff\xff\xff\xff\x0f", 5) + "abcd";
  std::string out;
  EXPECT_EQ(Make(CompressionCodec::kSnappy)
                ->DecompressUnknownSize(hostile, &out, std::numeric_limits<size_t>::max())
                .code(),
            StatusCode::kCorruption);
}

TEST(SnappyCodecTest, ClaimedLengthOverTheLimitIsResourceExhausted) {
  const std::string compressed = Compress(*Make(CompressionCodec::kSnappy), std::string(1000, 'a'));
  std::string out;
  EXPECT_EQ(Make(CompressionCodec::kSnappy)->DecompressUnknownSize(compressed, &out, 999).code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace tarn::formats
