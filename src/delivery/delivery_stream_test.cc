#include "delivery/delivery_stream.h"

#include <fmt/format.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <snappy.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "common/base64.h"
#include "common/random_access_file.h"
#include "formats/parquet/file_reader.h"
#include "storage/encrypted_object.h"

namespace tarn::delivery {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Independent decoders: zlib, libzstd's streaming API, and the Snappy framing format read by hand
// (https://github.com/google/snappy/blob/main/framing_format.txt) with a bitwise CRC-32C.

// CRC-32C (Castagnoli), bit by bit, reflected polynomial 0x82F63B78.
uint32_t Crc32c(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (char c : data) {
    crc ^= static_cast<uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

uint32_t MaskedCrc(std::string_view data) {
  const uint32_t crc = Crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

uint32_t Little(std::string_view bytes) {
  uint32_t v = 0;
  for (size_t i = bytes.size(); i-- > 0;) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

uint32_t Big32(std::string_view bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

// Every gzip member of `in`, one after another.
std::string Gunzip(std::string_view in) {
  std::string out;
  size_t pos = 0;
  char buffer[1 << 16];
  while (pos < in.size()) {
    z_stream s{};
    EXPECT_EQ(inflateInit2(&s, 16 + MAX_WBITS), Z_OK);
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + pos));
    s.avail_in = static_cast<uInt>(in.size() - pos);
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      s.next_out = reinterpret_cast<Bytef*>(buffer);
      s.avail_out = sizeof(buffer);
      rc = inflate(&s, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        ADD_FAILURE() << "gzip member at offset " << pos << ": zlib error " << rc;
        inflateEnd(&s);
        return out;
      }
      out.append(buffer, sizeof(buffer) - s.avail_out);
    }
    pos = in.size() - s.avail_in;
    inflateEnd(&s);
  }
  return out;
}

// Every zstd frame of `in`.
std::string Unzstd(std::string_view in) {
  std::string out;
  if (in.empty()) return out;
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  char buffer[1 << 16];
  size_t ret = 0;
  while (true) {
    ZSTD_outBuffer output{buffer, sizeof(buffer), 0};
    ret = ZSTD_decompressStream(dctx, &output, &input);
    if (ZSTD_isError(ret)) {
      ADD_FAILURE() << "zstd at offset " << input.pos << ": " << ZSTD_getErrorName(ret);
      break;
    }
    out.append(buffer, output.pos);
    // Done when the input is used up and the decoder has nothing more to give.
    if (input.pos == input.size && (ret == 0 || output.pos < output.size)) break;
  }
  EXPECT_EQ(ret, 0u) << "the last zstd frame is cut short";
  ZSTD_freeDCtx(dctx);
  return out;
}

// Snappy's framing format: stream identifiers (also in the middle: concatenated streams),
// compressed and uncompressed chunks of at most 64 KiB with masked CRC-32C, skippable chunks.
std::string Unframe(std::string_view in) {
  static constexpr std::string_view kIdentifier("\xff\x06\x00\x00sNaPpY", 10);
  std::string out;
  if (in.substr(0, kIdentifier.size()) != kIdentifier) {
    ADD_FAILURE() << "a framed snappy stream starts with the stream identifier";
    return out;
  }
  size_t pos = 0;
  while (pos < in.size()) {
    if (in.size() - pos < 4) {
      ADD_FAILURE() << "chunk header cut short at offset " << pos;
      return out;
    }
    const uint8_t type = static_cast<uint8_t>(in[pos]);
    const uint32_t length = Little(in.substr(pos + 1, 3));
    if (in.size() - pos - 4 < length) {
      ADD_FAILURE() << "chunk at offset " << pos << " claims " << length << " bytes";
      return out;
    }
    const std::string_view body = in.substr(pos + 4, length);
    if (type == 0xff) {
      EXPECT_EQ(body, "sNaPpY") << "stream identifier at offset " << pos;
    } else if (type == 0x00 || type == 0x01) {
      if (length < 4) {
        ADD_FAILURE() << "data chunk without checksum at offset " << pos;
        return out;
      }
      std::string data;
      if (type == 0x00) {
        if (!snappy::Uncompress(body.data() + 4, body.size() - 4, &data)) {
          ADD_FAILURE() << "snappy block of the chunk at offset " << pos << " is malformed";
          return out;
        }
      } else {
        data.assign(body.substr(4));
      }
      EXPECT_LE(data.size(), 65536u) << "chunk at offset " << pos << " holds too much";
      EXPECT_EQ(Little(body.substr(0, 4)), MaskedCrc(data)) << "checksum of chunk at " << pos;
      out.append(data);
    } else if (type <= 0x7f) {
      ADD_FAILURE() << "reserved unskippable chunk type " << int{type} << " at offset " << pos;
      return out;
    }
    pos += 4 + length;
  }
  return out;
}

// Hadoop's block-compressed Snappy: per block its raw length, then (length, snappy block)
// pairs until the block's raw length is reached, all lengths 32-bit big-endian.
std::string UnHadoop(std::string_view in) {
  std::string out;
  size_t pos = 0;
  while (pos < in.size()) {
    if (in.size() - pos < 4) {
      ADD_FAILURE() << "block header cut short at offset " << pos;
      return out;
    }
    const uint32_t raw = Big32(in.substr(pos));
    pos += 4;
    uint32_t produced = 0;
    while (produced < raw) {
      if (in.size() - pos < 4 || in.size() - pos - 4 < Big32(in.substr(pos))) {
        ADD_FAILURE() << "compressed chunk cut short at offset " << pos;
        return out;
      }
      const uint32_t length = Big32(in.substr(pos));
      std::string data;
      if (!snappy::Uncompress(in.data() + pos + 4, length, &data)) {
        ADD_FAILURE() << "snappy block at offset " << pos << " is malformed";
        return out;
      }
      produced += static_cast<uint32_t>(data.size());
      out.append(data);
      pos += 4 + length;
    }
    EXPECT_EQ(produced, raw) << "block ending at offset " << pos;
  }
  return out;
}

std::string Decode(ObjectCompression compression, std::string_view bytes) {
  switch (compression) {
    case ObjectCompression::kGzip:
      return Gunzip(bytes);
    case ObjectCompression::kZstd:
      return Unzstd(bytes);
    case ObjectCompression::kSnappy:
      return Unframe(bytes);
    case ObjectCompression::kHadoopSnappy:
      return UnHadoop(bytes);
    case ObjectCompression::kUncompressed:
      break;
  }
  return std::string(bytes);
}

std::string Compressed(ObjectCompression compression, std::string_view raw) {
  std::string out;
  const Status status = CompressObject(compression, raw, &out);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

std::string RandomText(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  for (char& c : out) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    c = static_cast<char>(seed >> 24);
  }
  return out;
}

std::string Repetitive(size_t n) {
  std::string out;
  while (out.size() < n) out += "{\"event\":\"click\",\"user\":12345}\n";
  out.resize(n);
  return out;
}

const ObjectCompression kCodecs[] = {ObjectCompression::kGzip, ObjectCompression::kZstd,
                                     ObjectCompression::kSnappy, ObjectCompression::kHadoopSnappy,
                                     ObjectCompression::kUncompressed};

TEST(CompressObjectTest, IndependentCrc32cMatchesTheCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
}

TEST(CompressObjectTest, TheFramingDecoderCatchesABadChecksum) {
  std::string framed = Compressed(ObjectCompression::kSnappy, "some text");
  framed[14] ^= 1;  // The first chunk's masked CRC.
  EXPECT_NONFATAL_FAILURE(Unframe(framed), "checksum of chunk at 10");
}

TEST(CompressObjectTest, EveryCodecRoundTripsThroughAnIndependentDecoder) {
  const std::vector<std::string> inputs = {"",
                                           "hello, lake\n",
                                           RandomText(1 << 20, 7),
                                           Repetitive(1 << 20),
                                           Repetitive(65536),
                                           RandomText(65536, 3),
                                           Repetitive(65537),
                                           RandomText(65537, 5)};
  for (ObjectCompression codec : kCodecs) {
    for (const std::string& input : inputs) {
      EXPECT_TRUE(Decode(codec, Compressed(codec, input)) == input)
          << "codec " << static_cast<int>(codec) << ", input of " << input.size() << " bytes";
    }
  }
}

TEST(CompressObjectTest, ConcatenatedObjectsDecodeToConcatenatedInputs) {
  // The stream compresses 4 MiB chunks of one buffer separately and concatenates them.
  const std::string a = Repetitive(100000) + RandomText(30000, 11);
  const std::string b = RandomText(70000, 13);
  for (ObjectCompression codec : kCodecs) {
    EXPECT_TRUE(
        Decode(codec, Compressed(codec, a) + Compressed(codec, b) + Compressed(codec, "")) == a + b)
        << "codec " << static_cast<int>(codec);
  }
}

TEST(CompressObjectTest, SnappyFramesHoldAtMost64KiBEachWithTheStreamIdentifierFirst) {
  const std::string framed = Compressed(ObjectCompression::kSnappy, RandomText(65537, 17));
  EXPECT_EQ(framed.substr(0, 10), std::string("\xff\x06\x00\x00sNaPpY", 10));
  // Random bytes do not compress: two stored chunks, 65536 and 1 bytes (plus 4 CRC bytes each).
  EXPECT_EQ(static_cast<uint8_t>(framed[10]), 0x01);
  EXPECT_EQ(Little(std::string_view(framed).substr(11, 3)), 65536u + 4);
  EXPECT_EQ(framed.size(), 10u + (4 + 4 + 65536) + (4 + 4 + 1));
}

TEST(CompressObjectTest, HadoopSnappyChunksFitHadoopsDecompressionBuffer) {
  // Hadoop's SnappyCodec reads a compressed chunk into a direct buffer of
  // io.compression.codec.snappy.buffersize (256 KiB) and decompresses it in one call; its writer
  // keeps raw blocks to 256 KiB - (256 KiB / 6 + 32) so that chunks always fit. Raw blocks of
  // a full 256 KiB of incompressible text make chunks larger than that buffer.
  const std::string hadoop = Compressed(ObjectCompression::kHadoopSnappy, RandomText(1 << 20, 23));
  for (size_t pos = 0; pos + 8 <= hadoop.size();) {
    const uint32_t length = Big32(std::string_view(hadoop).substr(pos + 4));
    EXPECT_LE(length, 256u << 10) << "compressed chunk at offset " << pos;
    pos += 8 + length;
  }
}

TEST(CompressObjectTest, GzipIsRfc1952AndZstdHasItsMagic) {
  const std::string gz = Compressed(ObjectCompression::kGzip, "x");
  EXPECT_EQ(gz.substr(0, 2), "\x1f\x8b");
  const std::string zst = Compressed(ObjectCompression::kZstd, "x");
  EXPECT_EQ(zst.substr(0, 4), "\x28\xb5\x2f\xfd");
  EXPECT_EQ(Compressed(ObjectCompression::kHadoopSnappy, ""), "");
}

TEST(CompressObjectTest, DefaultExtensions) {
  EXPECT_EQ(DefaultExtension(ObjectCompression::kGzip), ".gz");
  EXPECT_EQ(DefaultExtension(ObjectCompression::kSnappy), ".snappy");
  EXPECT_EQ(DefaultExtension(ObjectCompression::kHadoopSnappy), ".snappy");
  EXPECT_EQ(DefaultExtension(ObjectCompression::kZstd), ".zst");
  EXPECT_EQ(DefaultExtension(ObjectCompression::kUncompressed), "");
}

// ---------------------------------------------------------------------------------------------
// The stream, end to end, over a lake folder.

PutOutcome PutAndWait(DeliveryStream& stream, std::vector<std::string> records) {
  std::promise<PutOutcome> promise;
  std::future<PutOutcome> future = promise.get_future();
  stream.Put(std::move(records), [&promise](PutOutcome outcome) { promise.set_value(outcome); });
  return future.get();
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Each of `expected` once in `lines`, and nothing else.
void ExpectEachOnce(const std::vector<std::string>& lines, const std::vector<std::string>& expected,
                    std::string_view where) {
  std::map<std::string, int> counts;
  for (const std::string& line : lines) counts[line]++;
  int wrong = 0;
  for (const std::string& record : expected) {
    const int n = counts[record];
    if (n != 1 && wrong++ < 5) ADD_FAILURE() << where << ": " << record << " appears " << n << "x";
    counts.erase(record);
  }
  for (const auto& [line, n] : counts) {
    if (n > 0 && wrong++ < 10) ADD_FAILURE() << where << ": unexpected line " << line;
  }
  EXPECT_EQ(lines.size(), expected.size()) << where;
}

struct Committed {
  std::mutex mu;
  std::vector<std::string> uris;
  std::vector<std::string> Get() {
    std::lock_guard lock(mu);
    return uris;
  }
};

class DeliveryStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("tarn_dstream_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    lake_ = dir_ + "/lake";
    log_ = dir_ + "/log";
    store_ = OpenStore();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<storage::LocalObjectStore> OpenStore() {
    auto store = storage::LocalObjectStore::Open(lake_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static DeliverySettings Settings() {
    DeliverySettings s;
    s.name = "s";
    s.bucket = "b";
    s.prefix = "p/";
    s.compression = ObjectCompression::kGzip;
    s.append_delimiter = true;
    s.buffer_bytes = 1 << 20;
    s.interval_seconds = 3600;  // Nothing goes out on its own; Flush() seals.
    return s;
  }
  static DeliverySettings Partitioned() {
    DeliverySettings s = Settings();
    s.dynamic_partitioning = true;
    s.metadata_query = "{k:.k}";
    s.prefix = "k=!{partitionKeyFromQuery:k}/";
    s.error_prefix = "err/!{firehose:error-output-type}/";
    return s;
  }
  static DeliveryLimits Limits() {
    DeliveryLimits limits;
    limits.retry_initial_ms = 1;
    limits.retry_max_ms = 4;
    return limits;
  }

  std::unique_ptr<DeliveryStream> Open(DeliverySettings settings, DeliveryLimits limits = Limits(),
                                       storage::ObjectStore* store = nullptr) {
    warnings_.clear();
    auto stream = DeliveryStream::Open(
        std::move(settings), store != nullptr ? store : store_.get(), log_, limits,
        [this](const std::string& uri) {
          std::lock_guard lock(committed_.mu);
          committed_.uris.push_back(uri);
        },
        &warnings_);
    EXPECT_TRUE(stream.ok()) << stream.status().ToString();
    return stream.ok() ? std::move(*stream) : nullptr;
  }

  // Keys (under the bucket) of every object under `folder` of bucket "b".
  std::vector<std::string> Keys(const std::string& folder = "") const {
    std::vector<std::string> keys;
    const fs::path root = fs::path(lake_) / "b";
    if (!fs::exists(root / folder)) return keys;
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      if (entry.is_regular_file()) keys.push_back(fs::relative(entry.path(), root).string());
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  std::string Read(const std::string& key) const {
    std::ifstream in(fs::path(lake_) / "b" / key, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  // The lines of every JSON-lines object under `folder`, decompressed by extension.
  std::vector<std::string> LinesUnder(const std::string& folder) const {
    std::vector<std::string> lines;
    for (const std::string& key : Keys(folder)) {
      const std::string bytes = Read(key);
      ObjectCompression codec = ObjectCompression::kUncompressed;
      if (key.ends_with(".gz")) codec = ObjectCompression::kGzip;
      if (key.ends_with(".zst")) codec = ObjectCompression::kZstd;
      if (key.ends_with(".snappy")) codec = ObjectCompression::kSnappy;
      for (std::string& line : Lines(Decode(codec, bytes))) lines.push_back(std::move(line));
    }
    return lines;
  }
  bool WarnedOfReplay() const {
    for (const std::string& w : warnings_) {
      if (w.find("replay") != std::string::npos) return true;
    }
    return false;
  }

  // Puts `records` in requests of `per_request`, waiting for each acknowledgement; checks that
  // the sequences are consecutive.
  static void PutAll(DeliveryStream& stream, const std::vector<std::string>& records,
                     size_t per_request = 100) {
    uint64_t next = 0;
    for (size_t i = 0; i < records.size(); i += per_request) {
      std::vector<std::string> request(records.begin() + i,
                                       records.begin() + std::min(records.size(), i + per_request));
      const size_t n = request.size();
      const PutOutcome outcome = PutAndWait(stream, std::move(request));
      ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
      if (next != 0) {
        EXPECT_EQ(outcome.first_sequence, next) << "request at record " << i;
      }
      next = outcome.first_sequence + n;
    }
  }

  std::string dir_, lake_, log_;
  std::unique_ptr<storage::LocalObjectStore> store_;
  std::vector<std::string> warnings_;
  Committed committed_;
};

std::vector<std::string> Records(size_t n, size_t from = 0, std::string_view pad = "") {
  std::vector<std::string> records;
  for (size_t i = from; i < from + n; ++i) {
    records.push_back(fmt::format(R"({{"i":{},"pad":"{}"}})", i, pad));
  }
  return records;
}

std::vector<std::string> Keyed(size_t n, std::vector<std::string> keys, size_t from = 0) {
  std::vector<std::string> records;
  for (size_t i = from; i < from + n; ++i) {
    records.push_back(fmt::format(R"({{"k":"{}","i":{}}})", keys[i % keys.size()], i));
  }
  return records;
}

TEST_F(DeliveryStreamTest, DeliversEveryRecordOnceInGzipObjectsNamedAsFirehoseDoes) {
  DeliverySettings settings = Settings();
  settings.buffer_bytes = 64 << 10;  // Several objects.
  auto stream = Open(settings);
  const std::vector<std::string> records = Records(4000, 0, "some padding text");
  PutAll(*stream, records);
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();

  ExpectEachOnce(LinesUnder("p"), records, "p/");
  const std::vector<std::string> keys = Keys("p");
  EXPECT_GT(keys.size(), 2u);
  const std::regex name(
      R"(p/\d{4}/\d{2}/\d{2}/\d{2}/s-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-)"
      R"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.gz)");
  std::set<std::string> expected_uris;
  for (const std::string& key : keys) {
    EXPECT_TRUE(std::regex_match(key, name)) << key;
    expected_uris.insert("s3://b/" + key);
  }
  const std::vector<std::string> uris = committed_.Get();
  EXPECT_EQ(std::set<std::string>(uris.begin(), uris.end()), expected_uris);
  EXPECT_EQ(uris.size(), keys.size()) << "one commit hook call per object";
  const DeliveryMetrics m = stream->metrics();
  EXPECT_EQ(m.incoming_records, records.size());
  EXPECT_EQ(m.delivered_records, records.size());
  EXPECT_EQ(m.delivered_objects, keys.size());
}

TEST_F(DeliveryStreamTest, LargeBuffersAreCompressedInChunksThatConcatenate) {
  // Past 4 MiB a buffer's text is compressed ahead as a chunk; the object is the chunks'
  // concatenation (gzip members, zstd frames, snappy streams and blocks).
  const std::vector<std::string> records = Records(9000, 0, std::string(500, 'x'));
  size_t bytes = 0;
  for (const std::string& r : records) bytes += r.size() + 1;
  ASSERT_GT(bytes, size_t{4} << 20) << "more than one chunk";
  const std::pair<ObjectCompression, std::string> codecs[] = {
      {ObjectCompression::kGzip, "gz"},
      {ObjectCompression::kZstd, "zst"},
      {ObjectCompression::kSnappy, "framed"},
      {ObjectCompression::kHadoopSnappy, "hadoop"}};
  for (const auto& [codec, folder] : codecs) {
    DeliverySettings settings = Settings();
    settings.compression = codec;
    settings.prefix = folder + "/";
    settings.file_extension = ".json" + std::string(DefaultExtension(codec));
    settings.buffer_bytes = 16 << 20;
    auto stream = Open(settings);
    PutAll(*stream, records, 1000);
    ASSERT_TRUE(stream->Flush().ok());
    stream->Close();
    const std::vector<std::string> keys = Keys(folder);
    ASSERT_EQ(keys.size(), 1u) << folder;
    EXPECT_TRUE(keys[0].ends_with(settings.file_extension)) << keys[0];
    ExpectEachOnce(Lines(Decode(codec, Read(keys[0]))), records, folder);
  }
}

TEST_F(DeliveryStreamTest, FlushAfterAnAcknowledgementWaitsForItsRecords) {
  auto stream = Open(Settings());
  // The acknowledgement runs on the writer thread before it processes the records; a writer
  // slow to process them (many records, jq) must not let Flush() see an empty queue and an old
  // accepted_through_ and return with nothing delivered.
  std::promise<PutOutcome> acked;
  stream->Put(Records(10), [&acked](PutOutcome outcome) {
    acked.set_value(outcome);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  });
  ASSERT_TRUE(acked.get_future().get().status.ok());
  ASSERT_TRUE(stream->Flush().ok());
  EXPECT_EQ(stream->metrics().delivered_records, 10u)
      << "Flush() returned before the acknowledged records were delivered";
  stream->Close();
}

TEST_F(DeliveryStreamTest, CloseDeliversWhatIsBufferedAndThenRefusesPuts) {
  auto stream = Open(Settings());
  const std::vector<std::string> records = Records(50);
  PutAll(*stream, records);
  stream->Close();
  ExpectEachOnce(LinesUnder("p"), records, "p/");
  const PutOutcome late = PutAndWait(*stream, {"x"});
  EXPECT_EQ(late.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(late.status.message().find("shutting down"), std::string::npos)
      << late.status.message();
}

TEST_F(DeliveryStreamTest, AReopenedStreamReplaysNothingThatWasDelivered) {
  {
    auto stream = Open(Settings());
    PutAll(*stream, Records(20));
    ASSERT_TRUE(stream->Flush().ok());
  }
  auto stream = Open(Settings());
  EXPECT_FALSE(WarnedOfReplay()) << warnings_.front();
  stream->Close();
  EXPECT_EQ(LinesUnder("p").size(), 20u);
}

// An error record of the error output, parsed.
struct ErrorRecord {
  int64_t attempts = 0, arrival_ms = 0;
  std::string code, message, raw, database, table;
};

ErrorRecord ParseError(const std::string& line, bool conversion) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ErrorRecord e;
  if (parser.parse(line).get(doc) != simdjson::SUCCESS) {
    ADD_FAILURE() << "error record is not JSON: " << line;
    return e;
  }
  std::string_view code, message, raw;
  EXPECT_EQ(doc["attemptsMade"].get(e.attempts), simdjson::SUCCESS) << line;
  EXPECT_EQ(doc["arrivalTimestamp"].get(e.arrival_ms), simdjson::SUCCESS) << line;
  EXPECT_EQ(doc[conversion ? "lastErrorCode" : "errorCode"].get(code), simdjson::SUCCESS) << line;
  EXPECT_EQ(doc[conversion ? "lastErrorMessage" : "errorMessage"].get(message), simdjson::SUCCESS)
      << line;
  EXPECT_EQ(doc["rawData"].get(raw), simdjson::SUCCESS) << line;
  e.code = code;
  e.message = message;
  Result<std::string> decoded = DecodeBase64(raw);
  EXPECT_TRUE(decoded.ok()) << line;
  if (decoded.ok()) e.raw = *decoded;
  if (conversion) {
    std::string_view database, table;
    EXPECT_EQ(doc["dataCatalogTable"]["databaseName"].get(database), simdjson::SUCCESS) << line;
    EXPECT_EQ(doc["dataCatalogTable"]["tableName"].get(table), simdjson::SUCCESS) << line;
    e.database = database;
    e.table = table;
  }
  return e;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(DeliveryStreamTest, DynamicPartitioningSendsEachKeyToItsFolderAndBadRecordsToErrors) {
  auto stream = Open(Partitioned());
  const std::vector<std::string> records = Keyed(90, {"a", "b", "c"});
  const std::vector<std::string> bad = {"not json", R"({"i":1})", R"({"k":"../x"})"};
  const int64_t before = NowMs();
  PutAll(*stream, records, 20);
  PutAll(*stream, bad);
  const int64_t after = NowMs();
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();

  for (const std::string key : {"a", "b", "c"}) {
    std::vector<std::string> expected;
    for (const std::string& r : records) {
      if (r.find("\"k\":\"" + key + "\"") != std::string::npos) expected.push_back(r);
    }
    ExpectEachOnce(LinesUnder("k=" + key), expected, "k=" + key);
  }
  std::set<std::string> folders;
  for (const auto& entry : fs::directory_iterator(fs::path(lake_) / "b")) {
    folders.insert(entry.path().filename().string());
  }
  EXPECT_EQ(folders, (std::set<std::string>{"err", "k=a", "k=b", "k=c"}));
  const std::vector<std::string> lines = LinesUnder("err/partitioning-failed");
  ASSERT_EQ(lines.size(), 3u);
  std::map<std::string, std::string> code_of;
  for (const std::string& line : lines) {
    const ErrorRecord e = ParseError(line, false);
    EXPECT_EQ(e.attempts, 1);
    EXPECT_GE(e.arrival_ms, before - 1);
    EXPECT_LE(e.arrival_ms, after + 1);
    EXPECT_FALSE(e.message.empty()) << line;
    code_of[e.raw] = e.code;
  }
  EXPECT_EQ(code_of["not json"], "DynamicPartitioning.MetadataExtractionFailed");
  EXPECT_EQ(code_of[R"({"i":1})"], "DynamicPartitioning.MetadataExtractionFailed");
  EXPECT_EQ(code_of[R"({"k":"../x"})"], "DynamicPartitioning.PartitionKeyInvalid");
  EXPECT_EQ(stream->metrics().error_records, 3u);
}

TEST_F(DeliveryStreamTest, RecordsBeyondTheActivePartitionLimitGoToTheErrorOutput) {
  DeliverySettings settings = Partitioned();
  settings.active_partition_limit = 2;
  auto stream = Open(settings);
  const std::vector<std::string> records = Keyed(30, {"a", "b", "c"});
  PutAll(*stream, records, 30);
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();
  EXPECT_EQ(LinesUnder("k=a").size(), 10u);
  EXPECT_EQ(LinesUnder("k=b").size(), 10u);
  EXPECT_TRUE(Keys("k=c").empty());
  std::vector<std::string> expected, raws;
  for (const std::string& r : records) {
    if (r.find(R"("k":"c")") != std::string::npos) expected.push_back(r);
  }
  for (const std::string& line : LinesUnder("err/activePartitionExceeded")) {
    const ErrorRecord e = ParseError(line, false);
    EXPECT_EQ(e.code, "DynamicPartitioning.ActivePartitionsLimitExceeded");
    raws.push_back(e.raw);
  }
  ExpectEachOnce(raws, expected, "activePartitionExceeded");
}

TEST_F(DeliveryStreamTest, FailedPutsAreRetriedAndDeliverEveryRecordOnce) {
  storage::FaultInjectingStore faulty(store_.get(), 2);
  DeliverySettings settings = Settings();
  settings.buffer_bytes = 16 << 10;
  auto stream = Open(settings, Limits(), &faulty);
  const std::vector<std::string> records = Records(1000);
  PutAll(*stream, records);
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();
  ExpectEachOnce(LinesUnder("p"), records, "p/");
  const DeliveryMetrics m = stream->metrics();
  EXPECT_GT(faulty.failures(), 0u);
  EXPECT_GT(m.put_attempts, m.put_successes);
  EXPECT_EQ(m.put_successes, Keys("p").size());
}

TEST_F(DeliveryStreamTest, OverItsQueueLimitAStreamRefusesPutsAndDeliversWhatItAccepted) {
  DeliveryLimits limits = Limits();
  limits.max_queued_bytes = 10;
  auto stream = Open(Settings(), limits);
  const PutOutcome refused = PutAndWait(*stream, {"0123456789ABC"});
  EXPECT_EQ(refused.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status.message().find("waiting for the log"), std::string::npos)
      << refused.status.message();
  EXPECT_TRUE(PutAndWait(*stream, {"small"}).status.ok());
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();
  ExpectEachOnce(LinesUnder("p"), {"small"}, "p/");
  EXPECT_EQ(stream->metrics().throttled_records, 1u);
}

TEST_F(DeliveryStreamTest, OverItsLogLimitAStreamRefusesPutsUntilDelivered) {
  DeliveryLimits limits = Limits();
  limits.max_log_bytes = 100;
  auto stream = Open(Settings(), limits);
  const std::string first(80, 'a'), second(30, 'b'), third(30, 'c');
  EXPECT_TRUE(PutAndWait(*stream, {first}).status.ok());
  // The writer counts a record after acknowledging it (see TheLogLimitCounts...); wait
  // until it has (it then knows the oldest undelivered record's age).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (stream->metrics().data_freshness_seconds == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const PutOutcome refused = PutAndWait(*stream, {second});
  EXPECT_EQ(refused.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status.message().find("write-ahead log"), std::string::npos)
      << refused.status.message();
  ASSERT_TRUE(stream->Flush().ok());
  EXPECT_TRUE(PutAndWait(*stream, {third}).status.ok()) << "delivered bytes leave the log";
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();
  ExpectEachOnce(LinesUnder("p"), {first, third}, "p/");
}

TEST_F(DeliveryStreamTest, TheLogLimitCountsAcknowledgedRecords) {
  // undelivered_bytes_ grows only after the acknowledgements ran (as accepted_through_ does),
  // so a Put right after an acknowledgement passes a log limit that is already full.
  DeliveryLimits limits = Limits();
  limits.max_log_bytes = 100;
  auto stream = Open(Settings(), limits);
  std::promise<void> acked;
  stream->Put({std::string(80, 'a')}, [&acked](PutOutcome) {
    acked.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // A slow writer round.
  });
  acked.get_future().wait();
  EXPECT_EQ(PutAndWait(*stream, {std::string(30, 'b')}).status.code(), StatusCode::kUnavailable)
      << "80 acknowledged + 30 bytes pass max_log_bytes = 100";
  stream->Close();
}

TEST_F(DeliveryStreamTest, ConvertsToParquetAndSendsUnconvertibleRecordsToTheErrorOutput) {
  DeliverySettings settings = Settings();
  settings.error_prefix = "err/!{firehose:error-output-type}/";
  settings.conversion_enabled = true;
  settings.conversion.database = "db";
  settings.conversion.table = "t";
  const formats::DataType int_type = formats::DataType::Of(formats::TypeKind::kInt);
  const formats::DataType string_type = formats::DataType::Of(formats::TypeKind::kString);
  settings.conversion.schema = {{"a", int_type}, {"s", string_type}};
  settings.conversion.columns = {{"a", int_type, {}}, {"s", string_type, {}}};
  auto stream = Open(settings);
  const std::string bad = R"({"a":"xyz","s":"y"})";
  PutAll(*stream, {R"({"a":1,"s":"x"})", bad, R"({"a":3,"s":"z"})"});
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();

  const std::vector<std::string> data = Keys("p");
  ASSERT_EQ(data.size(), 1u);
  EXPECT_TRUE(data[0].ends_with(".parquet")) << data[0];
  auto file = LocalRandomAccessFile::Open((fs::path(lake_) / "b" / data[0]).string());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto reader = formats::parquet::ParquetReader::Open(std::move(*file));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->num_rows(), 2);
  Result<formats::Column> a = (*reader)->ReadColumn(0, (*reader)->FieldIndex("a"));
  Result<formats::Column> s = (*reader)->ReadColumn(0, (*reader)->FieldIndex("s"));
  ASSERT_TRUE(a.ok() && s.ok());
  EXPECT_EQ(a->i32, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(s->string_at(0), "x");
  EXPECT_EQ(s->string_at(1), "z");

  const std::vector<std::string> errors = LinesUnder("err/format-conversion-failed");
  ASSERT_EQ(errors.size(), 1u);
  const ErrorRecord e = ParseError(errors[0], true);
  EXPECT_EQ(e.code, "DataFormatConversion.MalformedData");
  EXPECT_NE(e.message.find("xyz"), std::string::npos) << e.message;
  EXPECT_EQ(e.raw, bad);
  EXPECT_EQ(e.database, "db");
  EXPECT_EQ(e.table, "t");
  const DeliveryMetrics m = stream->metrics();
  EXPECT_EQ(m.succeeded_conversion_records, 2u);
  EXPECT_EQ(m.failed_conversion_records, 1u);
  EXPECT_EQ(committed_.Get(), std::vector<std::string>{"s3://b/" + data[0]});
}

TEST_F(DeliveryStreamTest, JsonDeaggregationSplitsARecordIntoPartitions) {
  DeliverySettings settings = Partitioned();
  settings.deaggregation = DeaggregationType::kJson;
  auto stream = Open(settings);
  PutAll(*stream, {R"({"k":"a"}{"k":"b"})", R"( {"k":"a","n":[1,"}"]}  )"});
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();
  ExpectEachOnce(LinesUnder("k=a"), {R"({"k":"a"})", R"({"k":"a","n":[1,"}"]})"}, "k=a");
  ExpectEachOnce(LinesUnder("k=b"), {R"({"k":"b"})"}, "k=b");
}

TEST_F(DeliveryStreamTest, APutOfNoRecordsIsAcknowledged) {
  // WriterLoop() reads (*sequences)[next] for every request, also one with no records: for a
  // batch of just that request, element 0 of an empty vector (a null dereference).
  EXPECT_EXIT(
      {
        auto stream = Open(Settings());
        const PutOutcome outcome = PutAndWait(*stream, {});
        stream->Close();
        std::_Exit(outcome.status.ok() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(DeliveryStreamTest, AKeyTheStoreRefusesForGoodDoesNotHangFlush) {
  // Prefix "p//" passes the prefix rules (S3 keys may hold "//"), but the lake folder refuses
  // the key with kInvalidArgument; Commit() retries every error but kAlreadyExists forever, so
  // Flush() waits its ten minutes. Failing for good, it should return.
  DeliverySettings settings = Settings();
  settings.prefix = "p//";
  auto stream = Open(settings);
  PutAll(*stream, Records(3));
  std::future<Status> flushed = std::async(std::launch::async, [&] { return stream->Flush(); });
  EXPECT_EQ(flushed.wait_for(std::chrono::milliseconds(500)), std::future_status::ready)
      << "Flush() still waits for a put that can never succeed";
  stream->Close();  // Lets the retrying flusher give up, so that Flush() returns.
  (void)flushed.get();
}

TEST_F(DeliveryStreamTest, UnderMemoryPressureOnlyTheLargestBufferGoesOutEarly) {
  // SealDue() seals the largest buffer while buffered + in-flight bytes pass 3/4 of the limit;
  // sealing moves bytes from one to the other, so the sum never drops and every buffer,
  // however small, is sealed at once.
  DeliverySettings settings = Partitioned();
  DeliveryLimits limits = Limits();
  limits.max_buffered_bytes = 4000;
  auto stream = Open(settings, limits);
  std::vector<std::string> records = Keyed(30, {"a"});
  for (std::string& r : records) r += std::string(100, ' ');
  records.push_back(R"({"k":"b"})");
  PutAll(*stream, records, records.size());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (stream->metrics().delivered_objects == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // A writer round or more.
  EXPECT_EQ(Keys("k=a").size(), 1u) << "the large buffer goes out early";
  EXPECT_TRUE(Keys("k=b").empty()) << "the small buffer stays until its interval or Flush()";
  stream->Close();
}

TEST_F(DeliveryStreamTest, ARecordHoldingTwoUnconvertibleObjectsIsOneErrorRecord) {
  // Without de-aggregation, {..}{..} is one record; the JSON reader reports each of its two
  // objects as a bad record on line 1, and BuildObjects() makes an error record (and counts a
  // failure) per report: two error records for one record, and
  // succeeded_conversion_records = units - bad wraps around.
  DeliverySettings settings = Settings();
  settings.conversion_enabled = true;
  const formats::DataType int_type = formats::DataType::Of(formats::TypeKind::kInt);
  settings.conversion.schema = {{"a", int_type}};
  settings.conversion.columns = {{"a", int_type, {}}};
  auto stream = Open(settings);
  const std::string record = R"({"a":"x"}{"a":"y"})";
  PutAll(*stream, {record});
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();
  std::vector<std::string> raws;
  for (const std::string& line : LinesUnder("p/format-conversion-failed")) {
    raws.push_back(ParseError(line, true).raw);
  }
  ExpectEachOnce(raws, {record}, "format-conversion-failed");
  const DeliveryMetrics m = stream->metrics();
  EXPECT_EQ(m.failed_conversion_records, 1u);
  EXPECT_EQ(m.succeeded_conversion_records, 0u);
}

// ---------------------------------------------------------------------------------------------
// Exactly once across crashes: a forked child opens the stream, puts records, waits for their
// acknowledgements (and for some objects, if asked), then _exit()s without closing anything.
// The parent is single-threaded when it forks (every earlier stream is closed).

struct CrashPlan {
  DeliverySettings settings;
  std::vector<std::string> records;
  uint64_t min_objects = 0;  // Delivered objects to wait for before crashing.
  std::string await_folder;  // A folder of the bucket to wait for an object in, if not empty.
};

[[noreturn]] void PutAndCrash(const CrashPlan& plan, const std::string& lake,
                              const std::string& log) {
  auto store = storage::LocalObjectStore::Open(lake);
  if (!store.ok()) _exit(10);
  std::vector<std::string> warnings;
  DeliveryLimits limits;
  limits.retry_initial_ms = 1;
  auto stream = DeliveryStream::Open(plan.settings, store->get(), log, limits, nullptr, &warnings);
  if (!stream.ok()) _exit(11);
  for (size_t i = 0; i < plan.records.size(); i += 37) {
    std::vector<std::string> request(plan.records.begin() + i,
                                     plan.records.begin() + std::min(plan.records.size(), i + 37));
    if (!PutAndWait(**stream, std::move(request)).status.ok()) _exit(12);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  const fs::path await = fs::path(lake) / "b" / plan.await_folder;
  const auto awaited = [&] {
    if (plan.await_folder.empty()) return true;
    std::error_code error;  // The folder is made before its first object is linked in.
    for (const auto& entry : fs::recursive_directory_iterator(await, error)) {
      if (entry.is_regular_file()) return true;
    }
    return false;
  };
  while ((*stream)->metrics().delivered_objects < plan.min_objects || !awaited()) {
    if (std::chrono::steady_clock::now() > deadline) _exit(13);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  _exit(0);
}

class DeliveryStreamCrashTest : public DeliveryStreamTest {
 protected:
  void Crash(const CrashPlan& plan) {
    store_.reset();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) PutAndCrash(plan, lake_, log_);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0) << "the child failed before its crash";
    store_ = OpenStore();  // A restart: clears what the crash left in _tarn/tmp.
  }
  // Restarts, checks the replay warning, delivers, and checks that the stream is then clean.
  void Recover(const DeliverySettings& settings) {
    {
      auto stream = Open(settings);
      ASSERT_NE(stream, nullptr);
      EXPECT_TRUE(WarnedOfReplay()) << "a restart after a crash replays the log";
      ASSERT_TRUE(stream->Flush().ok());
      stream->Close();
    }
    auto again = Open(settings);
    EXPECT_FALSE(WarnedOfReplay()) << "everything was delivered and checkpointed";
  }
};

TEST_F(DeliveryStreamCrashTest, NothingDeliveredBeforeTheCrash) {
  const CrashPlan plan{Settings(), Records(500), 0, ""};
  Crash(plan);
  EXPECT_TRUE(Keys().empty());
  Recover(plan.settings);
  ExpectEachOnce(LinesUnder("p"), plan.records, "p/");
}

TEST_F(DeliveryStreamCrashTest, SomeObjectsCommittedBeforeTheCrash) {
  CrashPlan plan{Settings(), Records(3000, 0, "padding padding"), 4, ""};
  plan.settings.buffer_bytes = 4 << 10;
  Crash(plan);
  const size_t before = Keys("p").size();
  EXPECT_GE(before, 4u);
  Recover(plan.settings);
  EXPECT_GT(Keys("p").size(), before);
  ExpectEachOnce(LinesUnder("p"), plan.records, "p/");
}

TEST_F(DeliveryStreamCrashTest, TwoCrashesInARow) {
  CrashPlan first{Settings(), Records(2000, 0, "padding"), 3, ""};
  first.settings.buffer_bytes = 4 << 10;
  Crash(first);
  CrashPlan second{first.settings, Records(1000, 2000, "padding"), 0, ""};
  Crash(second);
  Recover(first.settings);
  std::vector<std::string> all = first.records;
  all.insert(all.end(), second.records.begin(), second.records.end());
  ExpectEachOnce(LinesUnder("p"), all, "p/");
}

TEST_F(DeliveryStreamCrashTest, DeaggregatedSubRecordsOnceAcrossACrash) {
  CrashPlan plan{Partitioned(), {}, 2, ""};
  plan.settings.deaggregation = DeaggregationType::kJson;
  plan.settings.buffer_bytes = 2 << 10;
  std::vector<std::string> a, b, c;
  for (int i = 0; i < 600; ++i) {
    a.push_back(fmt::format(R"({{"k":"a","i":{}}})", i));
    b.push_back(fmt::format(R"({{"k":"b","i":{}}})", i));
    c.push_back(fmt::format(R"({{"k":"c","i":{}}})", i));
    // Key c's buffer fills three times slower than a's, so records are part delivered.
    plan.records.push_back(a.back() + b.back() + (i % 3 == 0 ? c.back() : " "));
  }
  Crash(plan);
  EXPECT_FALSE(Keys().empty());
  Recover(plan.settings);
  ExpectEachOnce(LinesUnder("k=a"), a, "k=a");
  ExpectEachOnce(LinesUnder("k=b"), b, "k=b");
  std::vector<std::string> every_third;
  for (size_t i = 0; i < c.size(); i += 3) every_third.push_back(c[i]);
  ExpectEachOnce(LinesUnder("k=c"), every_third, "k=c");
}

TEST_F(DeliveryStreamCrashTest, ReplayReportsOnlyDataObjectsToTheCommitHook) {
  // Commit() calls the hook for data objects only, but an intent does not say which of its
  // objects are error output, so Open() calls the hook for committed error objects too (and a
  // catalog would register err/... as a partition).
  CrashPlan plan{Partitioned(), {R"({"k":"b"})"}, 0, "err/partitioning-failed"};
  plan.settings.buffer_bytes = 2 << 10;  // The error buffer fills; k=b's stays (undelivered).
  for (int i = 0; i < 40; ++i) plan.records.push_back(fmt::format("not json {}", i));
  Crash(plan);
  auto stream = Open(plan.settings);
  ASSERT_TRUE(stream->Flush().ok());
  stream->Close();
  for (const std::string& uri : committed_.Get()) {
    EXPECT_EQ(uri.find("s3://b/err/"), std::string::npos) << uri;
  }
  EXPECT_EQ(LinesUnder("err").size(), 40u);
  EXPECT_EQ(LinesUnder("k=b").size(), 1u);
}

}  // namespace
}  // namespace tarn::delivery

namespace tarn::delivery {
namespace {

TEST_F(DeliveryStreamTest, AnEncryptedStreamWritesNoPlaintextAndItsObjectsDecrypt) {
  auto keyring = storage::Keyring::Open(dir_ + "/keys-lake", {});
  ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
  DeliverySettings settings = Partitioned();
  settings.encrypt_log = true;
  settings.encrypt_objects = true;
  settings.keyring = keyring->get();
  std::vector<std::string> records = Keyed(500, {"glucose", "pulse"});
  records.push_back(R"({"k":"..","secret":"patient-4711"})");  // To the error output.
  {
    auto stream = Open(settings);
    PutAll(*stream, records);
    // Acknowledged, not yet delivered: only the log holds the records, sealed.
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), {});
      EXPECT_EQ(bytes.find("patient-4711"), std::string::npos) << entry.path();
      EXPECT_EQ(bytes.find("glucose\",\"i\""), std::string::npos) << entry.path();
    }
    ASSERT_TRUE(stream->Flush().ok());
    stream->Close();
  }
  std::vector<std::string> lines;
  for (const std::string& key : Keys()) {
    const std::string stored = Read(key);
    ASSERT_TRUE(storage::LooksEncrypted(stored)) << key;
    EXPECT_EQ(stored.find("patient-4711"), std::string::npos) << key;
    auto plain = storage::DecryptObject(**keyring, stored, key);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    for (std::string& line : Lines(Decode(ObjectCompression::kGzip, *plain))) {
      lines.push_back(std::move(line));
    }
  }
  EXPECT_EQ(lines.size(), records.size());
}

TEST_F(DeliveryStreamTest, AnEncryptedStreamNeedsAKeyring) {
  DeliverySettings settings = Settings();
  settings.encrypt_objects = true;
  auto stream = DeliveryStream::Open(settings, store_.get(), log_, Limits(), {}, &warnings_);
  ASSERT_FALSE(stream.ok());
  EXPECT_NE(stream.status().message().find("keyring"), std::string::npos);
}

}  // namespace
}  // namespace tarn::delivery
