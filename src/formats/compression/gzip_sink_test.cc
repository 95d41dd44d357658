#include "formats/compression/gzip_sink.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "common/random.h"

namespace tarn::formats {
namespace {

// Inflates a gzip stream with zlib directly, the independent side of the round trip.
std::string Gunzip(const std::string& compressed) {
  z_stream s{};
  EXPECT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  s.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buf[4096];
  int rc;
  do {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof(buf);
    rc = inflate(&s, Z_NO_FLUSH);
    EXPECT_TRUE(rc == Z_OK || rc == Z_STREAM_END) << rc;
    out.append(buf, sizeof(buf) - s.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&s);
  return out;
}

// Owns the inner StringSink's result after the GzipSink that wraps it is closed.
std::string Compress(const std::string& input, size_t piece) {
  auto inner = std::make_unique<StringSink>();
  StringSink* raw = inner.get();
  auto gzip = GzipSink::Make(std::move(inner));
  EXPECT_TRUE(gzip.ok());
  for (size_t i = 0; i < input.size(); i += piece) {
    EXPECT_TRUE((*gzip)->Append(std::string_view(input).substr(i, piece)).ok());
  }
  EXPECT_TRUE((*gzip)->Close().ok());
  EXPECT_TRUE(raw->closed());
  return raw->data();
}

TEST(GzipSinkTest, RoundTripsThroughZlib) {
  Random random(3);
  std::string input;
  for (int i = 0; i < 300000; ++i) input.push_back(static_cast<char>('a' + random.UniformInt(6)));
  EXPECT_EQ(Gunzip(Compress(input, 7919)), input);
}

TEST(GzipSinkTest, EmptyInputIsAValidGzipStream) {
  const std::string compressed = Compress("", 1);
  ASSERT_GE(compressed.size(), 18u);  // Header and trailer.
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);
  EXPECT_EQ(Gunzip(compressed), "");
}

TEST(GzipSinkTest, RejectsBadLevel) {
  EXPECT_EQ(GzipSink::Make(std::make_unique<StringSink>(), {.level = 0}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::formats
