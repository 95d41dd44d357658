#include "storage/encrypted_object.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "common/random.h"

namespace tarn::storage {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kSegment = 64;
constexpr char kName[] = "s3://lake/events/part-0.parquet";

std::string Plaintext(size_t size, uint64_t seed = 1) {
  Random random(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>('a' + random.UniformInt(26));
  return out;
}

class EncryptedObjectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lake_ = new std::string(
        (fs::temp_directory_path() / ("tarn_encrypted_object_test_" + std::to_string(::getpid())))
            .string());
    fs::remove_all(*lake_);
    keyring_ = new std::shared_ptr<Keyring>(*Keyring::Open(*lake_, {}));
  }
  static void TearDownTestSuite() {
    delete keyring_;
    fs::remove_all(*lake_);
    delete lake_;
  }

  static Keyring& keyring() { return **keyring_; }

  static std::string Encrypt(std::string_view plaintext, uint32_t segment = kSegment) {
    auto stored = EncryptObject(keyring(), plaintext, segment);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    return stored.ok() ? *stored : std::string();
  }

  static Result<std::unique_ptr<RandomAccessFile>> OpenFile(
      std::string stored, Keyring* keyring = &EncryptedObjectTest::keyring()) {
    return OpenForReading(std::make_unique<StringRandomAccessFile>(std::move(stored), kName),
                          keyring);
  }

  // Reads `stored` whole through each of the three readers; each must give `plaintext`, or
  // each must fail naming the object (when `plaintext` is null).
  static void ExpectEveryReader(const std::string& stored, const std::string* plaintext,
                                const std::string& what) {
    auto whole = DecryptObject(keyring(), stored, kName);
    std::string through_file;
    Status file_status;
    auto file = OpenFile(stored);
    if (file.ok()) {
      through_file.resize((*file)->size());
      file_status = (*file)->ReadAt(0, through_file.size(), through_file.data());
    } else {
      file_status = file.status();
    }
    Status source_status;
    std::string through_source;
    auto source = OpenSourceForReading(std::make_unique<StringSource>(stored, kName), &keyring());
    if (source.ok()) {
      auto all = ReadAll(**source);
      source_status = all.status();
      if (all.ok()) through_source = *all;
    } else {
      source_status = source.status();
    }
    if (plaintext != nullptr) {
      ASSERT_TRUE(whole.ok()) << what << ": " << whole.status().ToString();
      EXPECT_EQ(*whole, *plaintext) << what;
      ASSERT_TRUE(file_status.ok()) << what << ": " << file_status.ToString();
      EXPECT_EQ(through_file, *plaintext) << what;
      ASSERT_TRUE(source_status.ok()) << what << ": " << source_status.ToString();
      EXPECT_EQ(through_source, *plaintext) << what;
      return;
    }
    for (const Status& status : {whole.status(), file_status, source_status}) {
      ASSERT_FALSE(status.ok()) << what;
      EXPECT_NE(status.message().find(kName), std::string::npos)
          << what << ": " << status.ToString();
    }
  }

  static std::string* lake_;
  static std::shared_ptr<Keyring>* keyring_;
};

std::string* EncryptedObjectTest::lake_ = nullptr;
std::shared_ptr<Keyring>* EncryptedObjectTest::keyring_ = nullptr;

TEST_F(EncryptedObjectTest, RoundTripAtSegmentBoundaries) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{kSegment - 1}, size_t{kSegment},
                      size_t{kSegment + 1}, size_t{3 * kSegment + 5}}) {
    const std::string plaintext = Plaintext(size);
    const std::string stored = Encrypt(plaintext);
    const size_t segments = std::max<size_t>(1, (size + kSegment - 1) / kSegment);
    EXPECT_EQ(stored.size(), kEncryptedHeaderBytes + size + 16 * segments) << size;
    EXPECT_TRUE(LooksEncrypted(stored));
    if (size > 8) {
      EXPECT_EQ(stored.find(plaintext.substr(0, 8)), std::string::npos);
    }
    ExpectEveryReader(stored, &plaintext, "size " + std::to_string(size));
  }
}

TEST_F(EncryptedObjectTest, DefaultSegmentsRoundTrip) {
  const std::string plaintext = Plaintext(3 * kDefaultSegmentBytes + 12345);
  const std::string stored = Encrypt(plaintext, kDefaultSegmentBytes);
  EXPECT_EQ(stored.size(), kEncryptedHeaderBytes + plaintext.size() + 4 * 16);
  ExpectEveryReader(stored, &plaintext, "default segments");
}

TEST_F(EncryptedObjectTest, HeaderFieldsParse) {
  const std::string stored = Encrypt("abc");
  auto header = ParseEncryptedHeader(stored, kName);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->version, keyring().active_version());
  EXPECT_EQ(header->segment_bytes, kSegment);
  EXPECT_EQ(header->wrapped, stored.substr(28, kWrappedKeyBytes));
  EXPECT_FALSE(ParseEncryptedHeader(stored.substr(0, 95), kName).ok());
}

TEST_F(EncryptedObjectTest, RandomRangesEqualThePlaintextFromSeveralThreads) {
  const std::string plaintext = Plaintext(17 * kSegment + 29);
  auto file = OpenFile(Encrypt(plaintext));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->size(), plaintext.size());
  std::vector<std::thread> threads;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    threads.emplace_back([&, seed] {
      Random random(seed);
      for (int i = 0; i < 300; ++i) {
        const uint64_t offset = random.UniformInt(plaintext.size() + 1);
        const size_t length =
            random.UniformInt(std::min<uint64_t>(plaintext.size() - offset, 300) + 1);
        std::string out(length, '\0');
        ASSERT_TRUE((*file)->ReadAt(offset, length, out.data()).ok());
        ASSERT_EQ(out, plaintext.substr(offset, length)) << offset << "+" << length;
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

TEST_F(EncryptedObjectTest, ReadPastThePlaintextEndIsCorruption) {
  auto file = OpenFile(Encrypt(Plaintext(100)));
  ASSERT_TRUE(file.ok());
  char out[20];
  const Status status = (*file)->ReadAt(95, 10, out);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find(kName), std::string::npos);
}

TEST_F(EncryptedObjectTest, BytesReadCountsStoredBytes) {
  auto file = OpenFile(Encrypt(Plaintext(3 * kSegment + 5)));
  ASSERT_TRUE(file.ok());
  std::string all(3 * kSegment + 5, '\0');
  EXPECT_EQ((*file)->bytes_read(), kEncryptedHeaderBytes);
  char out[2 * kSegment];
  ASSERT_TRUE((*file)->ReadAt(3, 10, out).ok());
  EXPECT_EQ((*file)->bytes_read(), kEncryptedHeaderBytes + kSegment + 16);
  ASSERT_TRUE((*file)->ReadAt(20, 5, out).ok());  // The same segment again: no stored read.
  EXPECT_EQ((*file)->bytes_read(), kEncryptedHeaderBytes + kSegment + 16);
  // Segments 0, 1 and 2: segment 0 comes from the cache, 1 and 2 are read once.
  ASSERT_TRUE((*file)->ReadAt(kSegment - 1, kSegment + 2, out).ok());
  EXPECT_EQ((*file)->bytes_read(), kEncryptedHeaderBytes + 3 * (kSegment + 16));
  ASSERT_TRUE((*file)->ReadAt(3 * kSegment, 5, out).ok());  // The short last segment.
  EXPECT_EQ((*file)->bytes_read(), kEncryptedHeaderBytes + 3 * (kSegment + 16) + 5 + 16);
  ASSERT_TRUE((*file)->ReadAt(0, 3 * kSegment + 5, all.data()).ok());  // All cached.
  EXPECT_EQ((*file)->bytes_read(), kEncryptedHeaderBytes + 3 * (kSegment + 16) + 5 + 16);
}

TEST_F(EncryptedObjectTest, EveryFlippedBitIsDetected) {
  const std::string stored = Encrypt(Plaintext(2 * kSegment + 3));
  for (size_t bit = 0; bit < stored.size() * 8; ++bit) {
    std::string flipped = stored;
    flipped[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    ExpectEveryReader(flipped, nullptr, "bit " + std::to_string(bit));
  }
}

TEST_F(EncryptedObjectTest, EveryTruncationIsDetected) {
  const std::string stored = Encrypt(Plaintext(2 * kSegment + 3));
  for (size_t size = 8; size < stored.size(); ++size) {
    ExpectEveryReader(stored.substr(0, size), nullptr, "size " + std::to_string(size));
  }
  EXPECT_EQ(DecryptObject(keyring(), stored.substr(0, 5), kName).status().code(),
            StatusCode::kCorruption);
}

TEST_F(EncryptedObjectTest, SwappedOrAppendedSegmentsAreDetected) {
  const std::string stored = Encrypt(Plaintext(3 * kSegment));
  const std::string header = stored.substr(0, kEncryptedHeaderBytes);
  const size_t unit = kSegment + 16;
  auto segment = [&](int i) { return stored.substr(kEncryptedHeaderBytes + i * unit, unit); };
  ExpectEveryReader(header + segment(1) + segment(0) + segment(2), nullptr, "swapped 0 and 1");
  ExpectEveryReader(header + segment(0) + segment(2) + segment(1), nullptr, "swapped 1 and 2");
  ExpectEveryReader(stored + segment(2), nullptr, "appended a copy of the last");
  ExpectEveryReader(stored + segment(0).substr(0, 20), nullptr, "appended a short segment");
  ExpectEveryReader(header + segment(0) + segment(1), nullptr, "dropped the last");
  // Another object's segment in place of this one's.
  const std::string other = Encrypt(Plaintext(3 * kSegment));
  ExpectEveryReader(
      header + segment(0) + other.substr(kEncryptedHeaderBytes + unit, unit) + segment(2), nullptr,
      "segment from another object");
}

TEST_F(EncryptedObjectTest, ImpossibleStoredSizesAreCorruptionNamingTheObject) {
  const std::string stored = Encrypt("");
  for (size_t size : {size_t{kEncryptedHeaderBytes}, size_t{kEncryptedHeaderBytes + 15}}) {
    auto file = OpenFile(stored.substr(0, size));
    EXPECT_EQ(file.status().code(), StatusCode::kCorruption) << size;
    EXPECT_NE(file.status().message().find(kName), std::string::npos);
  }
}

TEST_F(EncryptedObjectTest, PlaintextObjectsPassThrough) {
  for (const std::string plaintext : {"", "abc", "{\"a\": 1}\n{\"a\": 2}\n"}) {
    auto file = OpenFile(plaintext, nullptr);
    ASSERT_TRUE(file.ok());
    std::string out(plaintext.size(), '\0');
    ASSERT_TRUE((*file)->ReadAt(0, out.size(), out.data()).ok());
    EXPECT_EQ(out, plaintext);
    auto source = OpenSourceForReading(std::make_unique<StringSource>(plaintext), nullptr);
    ASSERT_TRUE(source.ok());
    EXPECT_EQ(*ReadAll(**source), plaintext);
  }
}

TEST_F(EncryptedObjectTest, EncryptedWithoutKeyringIsPermissionDenied) {
  const std::string stored = Encrypt("secret");
  auto file = OpenFile(stored, nullptr);
  EXPECT_EQ(file.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(file.status().message().find(kName), std::string::npos);
  auto source = OpenSourceForReading(std::make_unique<StringSource>(stored, kName), nullptr);
  EXPECT_EQ(source.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(EncryptedObjectTest, StreamingReadsInSmallPieces) {
  const std::string plaintext = Plaintext(5 * kSegment + 7);
  const std::string stored = Encrypt(plaintext);  // StringSource only views it.
  auto source = OpenSourceForReading(std::make_unique<StringSource>(stored), &keyring());
  ASSERT_TRUE(source.ok());
  std::string out;
  char piece[7];
  for (;;) {
    auto n = (*source)->Read(piece, sizeof(piece));
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    out.append(piece, *n);
  }
  EXPECT_EQ(out, plaintext);
}

TEST_F(EncryptedObjectTest, RejectsZeroSegmentSize) {
  EXPECT_EQ(EncryptObject(keyring(), "abc", 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EncryptedObjectTest, SixtyFourMebibytesRoundTrip) {
  const std::string plaintext(64 << 20, 'x');
  const auto start = std::chrono::steady_clock::now();
  const std::string stored = Encrypt(plaintext, kDefaultSegmentBytes);
  const auto encrypted = std::chrono::steady_clock::now();
  auto decrypted = DecryptObject(keyring(), stored, kName);
  const auto end = std::chrono::steady_clock::now();
  ASSERT_TRUE(decrypted.ok());
  EXPECT_TRUE(*decrypted == plaintext);
  using Ms = std::chrono::milliseconds;
  std::printf("64 MiB: encrypt %lld ms, decrypt %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<Ms>(encrypted - start).count()),
              static_cast<long long>(std::chrono::duration_cast<Ms>(end - encrypted).count()));
}

class MapStore : public ObjectStore {
 public:
  Status Put(const std::string& bucket, const std::string& key, std::string_view bytes) override {
    objects_[bucket + "/" + key] = std::string(bytes);
    return Status::Ok();
  }
  Result<bool> Exists(const std::string& bucket, const std::string& key) override {
    return objects_.count(bucket + "/" + key) > 0;
  }
  Result<std::string> Get(const std::string& bucket, const std::string& key) override {
    auto it = objects_.find(bucket + "/" + key);
    if (it == objects_.end()) return NotFound(bucket + "/" + key);
    return it->second;
  }

 private:
  std::map<std::string, std::string> objects_;
};

TEST_F(EncryptedObjectTest, EncryptingStoreEncryptsPutsAndDecryptsGets) {
  MapStore inner;
  EncryptingObjectStore store(&inner, &keyring());
  ASSERT_TRUE(store.Put("lake", "a.json", "{\"heart_rate\": 61}").ok());
  EXPECT_TRUE(LooksEncrypted(*inner.Get("lake", "a.json")));
  EXPECT_EQ(inner.Get("lake", "a.json")->find("heart_rate"), std::string::npos);
  EXPECT_EQ(*store.Get("lake", "a.json"), "{\"heart_rate\": 61}");
  ASSERT_TRUE(inner.Put("lake", "plain.json", "{}").ok());
  EXPECT_EQ(*store.Get("lake", "plain.json"), "{}");
  std::string stored = *inner.Get("lake", "a.json");
  stored[100] ^= 4;
  ASSERT_TRUE(inner.Put("lake", "a.json", stored).ok());
  auto tampered = store.Get("lake", "a.json");
  EXPECT_EQ(tampered.status().code(), StatusCode::kCorruption);
  EXPECT_NE(tampered.status().message().find("s3://lake/a.json"), std::string::npos);
}

TEST_F(EncryptedObjectTest, ObjectsStayReadableAfterRotateRewrapRetire) {
  const std::string lake = *lake_ + "_rotation";
  fs::remove_all(lake);
  auto keyring = *Keyring::Open(lake, {});
  const std::string stored = *EncryptObject(*keyring, "old data", kSegment);
  ASSERT_TRUE(keyring->Rotate().ok());
  auto header = *ParseEncryptedHeader(stored, kName);
  ASSERT_TRUE(keyring->Rewrap(header.id, header.version, header.wrapped).ok());
  ASSERT_TRUE(keyring->Retire(1).ok());
  EXPECT_EQ(*DecryptObject(*keyring, stored, kName), "old data");
  fs::remove_all(lake);
}

}  // namespace
}  // namespace tarn::storage
