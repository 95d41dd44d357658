#include "formats/compression/decompressing_source.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <string>

#include "common/chunked_source.h"
#include "common/random.h"
#include "formats/compression/zlib_reference.h"

namespace tarn::formats {
namespace {

std::string JsonLines(size_t size, uint64_t seed = 1) {
  Random random(seed);
  std::string out;
  while (out.size() < size) {
    out += "{\"name\": \"event_" + std::to_string(random.UniformInt(20)) +
           "\", \"value\": " + std::to_string(random.UniformInt(1'000'000)) + "}\n";
  }
  out.resize(size);
  return out;
}

using reference::ZlibGzip;

// A zstd frame with a content checksum, written by libzstd itself.
std::string Zstd(std::string_view input) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(input.size()), '\0');
  out.resize(ZSTD_compress2(cctx, out.data(), out.size(), input.data(), input.size()));
  ZSTD_freeCCtx(cctx);
  return out;
}

// Serves its data at most `piece` bytes per read, as a slow network source would.
class TrickleSource : public fakes::ChunkedSource {
 public:
  TrickleSource(std::string data, size_t piece)
      : ChunkedSource(std::move(data), {piece}, "events.gz") {}
};

class FailingSource : public ByteSource {
 public:
  Result<size_t> Read(char*, size_t) override {
    return Status(StatusCode::kUnavailable, "s3://b/k: 503");
  }
  const std::string& name() const override { return name_; }

 private:
  std::string name_ = "s3://b/k";
};

std::unique_ptr<ByteSource> Open(std::string compressed, StreamCompression kind,
                                 size_t source_piece = 1 << 20) {
  return MakeDecompressingSource(
      std::make_unique<TrickleSource>(std::move(compressed), source_piece), kind);
}

// Reads everything, asking for `piece` bytes at a time.
Result<std::string> ReadInPieces(ByteSource& source, size_t piece) {
  std::string out;
  std::string buffer(piece, '\0');
  for (;;) {
    TARN_ASSIGN_OR_RETURN(size_t n, source.Read(buffer.data(), piece));
    if (n == 0) return out;
    out.append(buffer.data(), n);
  }
}

Status ReadError(std::string compressed, StreamCompression kind) {
  return ReadAll(*Open(std::move(compressed), kind)).status();
}

bool Contains(const Status& status, const std::string& part) {
  return status.message().find(part) != std::string::npos;
}

TEST(StreamCompressionFromNameTest, GoesByTheExtension) {
  EXPECT_EQ(StreamCompressionFromName("a/events.json.gz"), StreamCompression::kGzip);
  EXPECT_EQ(StreamCompressionFromName("events.zst"), StreamCompression::kZstd);
  EXPECT_EQ(StreamCompressionFromName("events.json"), StreamCompression::kNone);
  EXPECT_EQ(StreamCompressionFromName("gz"), StreamCompression::kNone);
}

TEST(DecompressingSourceTest, NoneReturnsTheSourceItself) {
  auto inner = std::make_unique<StringSource>("plain", "x.json");
  ByteSource* raw = inner.get();
  EXPECT_EQ(MakeDecompressingSource(std::move(inner), StreamCompression::kNone).get(), raw);
}

TEST(DecompressingSourceTest, TakesTheWrappedSourcesName) {
  EXPECT_EQ(Open("", StreamCompression::kGzip)->name(), "events.gz");
  EXPECT_EQ(Open("", StreamCompression::kZstd)->name(), "events.gz");
}

TEST(DecompressingSourceTest, ErrorsOfTheWrappedSourcePassThrough) {
  for (auto kind : {StreamCompression::kGzip, StreamCompression::kZstd}) {
    auto source = MakeDecompressingSource(std::make_unique<FailingSource>(), kind);
    EXPECT_EQ(ReadAll(*source).status().code(), StatusCode::kUnavailable);
  }
}

// Behaviour both formats share; each test compresses with `Compress`.
class StreamTest : public testing::TestWithParam<StreamCompression> {
 protected:
  std::string Compress(std::string_view input) {
    return GetParam() == StreamCompression::kGzip ? ZlibGzip(input) : Zstd(input);
  }
  std::string Name() const { return GetParam() == StreamCompression::kGzip ? "gzip" : "zstd"; }
};

INSTANTIATE_TEST_SUITE_P(Formats, StreamTest,
                         testing::Values(StreamCompression::kGzip, StreamCompression::kZstd),
                         [](const auto& info) {
                           return info.param == StreamCompression::kGzip ? "Gzip" : "Zstd";
                         });

TEST_P(StreamTest, ReadsSeveralMegabytes) {
  const std::string input = JsonLines(6 << 20);
  auto out = ReadAll(*Open(Compress(input), GetParam()));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(*out == input);
}

TEST_P(StreamTest, ReadingOneByteAtATimeGivesTheSameBytes) {
  const std::string input = JsonLines(100'000);
  auto out = ReadInPieces(*Open(Compress(input), GetParam()), 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(*out == input);
}

TEST_P(StreamTest, SourceGivingOneByteAtATimeGivesTheSameBytes) {
  const std::string input = JsonLines(50'000);
  auto out = ReadInPieces(*Open(Compress(input) + Compress("end"), GetParam(), 1), 4096);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(*out == input + "end");
}

TEST_P(StreamTest, ReadsConcatenationAsOneStream) {
  const std::string a = JsonLines(300'000, 1), b = JsonLines(200'000, 2);
  auto out = ReadAll(*Open(Compress(a) + Compress("") + Compress(b), GetParam()));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(*out == a + b);
}

TEST_P(StreamTest, EmptyObjectIsAnEmptyStream) {
  auto out = ReadAll(*Open("", GetParam()));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "");
}

TEST_P(StreamTest, EveryTruncationIsAnErrorNamingTheOffset) {
  const std::string compressed = Compress(JsonLines(20'000));
  for (size_t n = 1; n < compressed.size(); ++n) {
    const Status status = ReadError(compressed.substr(0, n), GetParam());
    EXPECT_EQ(status.code(), StatusCode::kCorruption);
    EXPECT_EQ(status.message(), "events.gz: truncated " + Name() + " stream at compressed offset " +
                                    std::to_string(n));
  }
}

// A changed bit is found by the checksum, unless it is one the decoder never looks at (zstd
// has a few); either way no wrong byte comes out.
TEST_P(StreamTest, DamagedMiddleByteIsCorruptionOrHarmless) {
  const std::string input = JsonLines(50'000);
  const std::string compressed = Compress(input);
  for (size_t i = compressed.size() / 4; i < compressed.size() * 3 / 4; ++i) {
    std::string damaged = compressed;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    auto out = ReadAll(*Open(damaged, GetParam()));
    EXPECT_TRUE(out.ok() ? *out == input : out.status().code() == StatusCode::kCorruption)
        << "byte " << i << ": " << out.status().ToString();
  }
}

TEST_P(StreamTest, CorruptionNamesTheFormatAndOffset) {
  std::string damaged = Compress(JsonLines(50'000));
  damaged[damaged.size() / 2] ^= 0x10;
  EXPECT_TRUE(Contains(ReadError(damaged, GetParam()),
                       "events.gz: corrupt " + Name() + " data at compressed offset "));
}

TEST_P(StreamTest, TrailingGarbageIsAnErrorNamingItsOffset) {
  const std::string compressed = Compress("data");
  const Status status = ReadError(compressed + "garbage!", GetParam());
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_EQ(status.message(), "events.gz: trailing garbage after " + Name() + " " +
                                  (Name() == "gzip" ? "member" : "frame") +
                                  " at compressed offset " + std::to_string(compressed.size()));
}

TEST_P(StreamTest, AnErrorIsFinal) {
  auto source = Open(Compress("data") + "garbage!", GetParam());
  const Status first = ReadAll(*source).status();
  char byte;
  EXPECT_EQ(source->Read(&byte, 1).status().message(), first.message());
}

TEST(GzipSourceTest, SkipsZeroPaddingAfterTheLastMember) {
  auto out = ReadInPieces(
      *Open(ZlibGzip("data") + std::string(1000, '\0'), StreamCompression::kGzip, 3), 2);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "data");
}

TEST(GzipSourceTest, NothingButZerosIsNotGzip) {
  EXPECT_EQ(ReadError(std::string(100, '\0'), StreamCompression::kGzip).code(),
            StatusCode::kCorruption);
}

TEST(GzipSourceTest, AMemberAfterPaddingIsGarbage) {
  const std::string first = ZlibGzip("a") + std::string(4, '\0');
  EXPECT_TRUE(Contains(
      ReadError(first + ZlibGzip("b"), StreamCompression::kGzip),
      "trailing garbage after gzip member at compressed offset " + std::to_string(first.size())));
}

TEST(GzipSourceTest, ZlibStreamIsNotGzip) {
  std::string zlib_stream(compressBound(4), '\0');
  uLongf size = zlib_stream.size();
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(zlib_stream.data()), &size,
                     reinterpret_cast<const Bytef*>("data"), 4),
            Z_OK);
  zlib_stream.resize(size);
  const Status status = ReadError(zlib_stream, StreamCompression::kGzip);
  EXPECT_TRUE(Contains(status, "events.gz: corrupt gzip data at compressed offset 0: "))
      << status.ToString();
}

TEST(GzipSourceTest, ReadsWhatTheGzipCodecWrites) {
  auto codec = MakeCodec(CompressionCodec::kGzip);
  ASSERT_TRUE(codec.ok());
  const std::string input = JsonLines(1 << 20);
  std::string compressed;
  ASSERT_TRUE((*codec)->Compress(input, &compressed).ok());
  auto out = ReadAll(*Open(compressed, StreamCompression::kGzip));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(*out == input);
}

TEST(ZstdSourceTest, SkipsSkippableFrames) {
  // Magic 0x184D2A50 (little-endian), a 4-byte length, then that many bytes to ignore.
  const std::string skippable = std::string("\x50\x2a\x4d\x18\x03\x00\x00\x00xyz", 11);
  auto out = ReadAll(*Open(Zstd("a") + skippable + Zstd("b"), StreamCompression::kZstd));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "ab");
}

}  // namespace
}  // namespace tarn::formats
