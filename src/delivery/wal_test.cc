#include "delivery/wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <isa-l/crc.h>
#include <cstring>

namespace tarn::delivery {
namespace {

namespace fs = std::filesystem;

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("tarn_wal_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<WriteAheadLog> Open(std::vector<WalRecord>* replayed,
                                      std::vector<std::string>* warnings = nullptr,
                                      uint64_t segment_bytes = 64 << 20,
                                      storage::Keyring* keyring = nullptr) {
    std::vector<std::string> ignored;
    WalOptions options;
    options.segment_bytes = segment_bytes;
    options.keyring = keyring;
    auto wal = WriteAheadLog::Open(dir_, options, replayed, warnings ? warnings : &ignored);
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    return wal.ok() ? std::move(*wal) : nullptr;
  }
  std::vector<fs::path> Segments() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
};

TEST_F(WalTest, ReplaysWhatWasNotCheckpointed) {
  std::vector<WalRecord> replayed;
  {
    auto wal = Open(&replayed);
    EXPECT_EQ(*wal->Append({{10, "a"}, {11, "b"}}), (std::vector<uint64_t>{1, 2}));
    EXPECT_EQ(*wal->Append({{12, "c"}}), (std::vector<uint64_t>{3}));
    ASSERT_TRUE(wal->Checkpoint(2).ok());
  }
  auto wal = Open(&replayed);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].sequence, 3u);
  EXPECT_EQ(replayed[0].arrival_micros, 12);
  EXPECT_EQ(replayed[0].data, "c");
  EXPECT_EQ(wal->next_sequence(), 4u);  // Sequence numbers go on, never reused.
  EXPECT_EQ(wal->checkpoint(), 2u);
}

TEST_F(WalTest, TornTailIsCutWithAWarningAndLoggingGoesOn) {
  std::vector<WalRecord> replayed;
  {
    auto wal = Open(&replayed);
    ASSERT_TRUE(wal->Append({{1, "first"}, {2, "second"}}).ok());
  }
  const fs::path segment = Segments().back();
  fs::resize_file(segment, fs::file_size(segment) - 3);  // A write cut short by a crash.
  std::vector<std::string> warnings;
  auto wal = Open(&replayed, &warnings);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].data, "first");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("cut off"), std::string::npos) << warnings[0];
  EXPECT_EQ(*wal->Append({{3, "third"}}), std::vector<uint64_t>{2});
  wal.reset();
  replayed.clear();
  Open(&replayed);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_EQ(replayed[1].data, "third");
}

TEST_F(WalTest, FlippedBitInTheNewestSegmentIsCut) {
  std::vector<WalRecord> replayed;
  {
    auto wal = Open(&replayed);
    ASSERT_TRUE(wal->Append({{1, "keep"}}).ok());
    ASSERT_TRUE(wal->Append({{2, "damaged"}}).ok());
  }
  const fs::path segment = Segments().back();
  std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(fs::file_size(segment)) - 2);
  f.put('X');
  f.close();
  std::vector<std::string> warnings;
  Open(&replayed, &warnings);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].data, "keep");
  EXPECT_NE(warnings[0].find("checksum mismatch"), std::string::npos);
}

TEST_F(WalTest, DamageInAnOlderSegmentIsAnError) {
  std::vector<WalRecord> replayed;
  {
    auto wal = Open(&replayed, nullptr, 64);  // Tiny segments: one entry each.
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(wal->Append({{i, std::string(40, 'x')}}).ok());
  }
  ASSERT_GE(Segments().size(), 3u);
  fs::resize_file(Segments().front(), 10);
  std::vector<std::string> warnings;
  WalOptions options;
  options.segment_bytes = 64;
  auto wal = WriteAheadLog::Open(dir_, options, &replayed, &warnings);
  EXPECT_EQ(wal.status().code(), StatusCode::kCorruption);
  EXPECT_NE(wal.status().message().find("newer segments follow"), std::string::npos);
}

TEST_F(WalTest, CheckpointTrimsWholeSegmentsOnly) {
  std::vector<WalRecord> replayed;
  auto wal = Open(&replayed, nullptr, 200);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(wal->Append({{i, std::string(60, 'r')}}).ok());
  const size_t before = Segments().size();
  ASSERT_GE(before, 4u);
  ASSERT_TRUE(wal->Checkpoint(6).ok());
  EXPECT_LT(Segments().size(), before);
  wal.reset();
  replayed.clear();
  Open(&replayed, nullptr, 200);
  ASSERT_EQ(replayed.size(), 4u);  // 7, 8, 9, 10 survive; nothing earlier comes back.
  EXPECT_EQ(replayed.front().sequence, 7u);
}

TEST_F(WalTest, CheckpointPastTheEndIsRefused) {
  std::vector<WalRecord> replayed;
  auto wal = Open(&replayed);
  ASSERT_TRUE(wal->Append({{1, "a"}}).ok());
  EXPECT_EQ(wal->Checkpoint(5).code(), StatusCode::kInvalidArgument);
}

class EncryptedWalTest : public WalTest {
 protected:
  void SetUp() override {
    WalTest::SetUp();
    lake_ = dir_ + "_lake";
    fs::remove_all(lake_);
    auto keyring = storage::Keyring::Open(lake_, {});
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    keyring_ = *keyring;
  }
  void TearDown() override {
    WalTest::TearDown();
    fs::remove_all(lake_);
  }
  std::unique_ptr<WriteAheadLog> OpenEncrypted(std::vector<WalRecord>* replayed,
                                               uint64_t segment_bytes = 64 << 20) {
    return Open(replayed, nullptr, segment_bytes, keyring_.get());
  }
  std::string AllBytes() const {
    std::string all;
    for (const fs::path& path : Segments()) {
      std::ifstream in(path, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  std::string lake_;
  std::shared_ptr<storage::Keyring> keyring_;
};

TEST_F(EncryptedWalTest, NoPlaintextReachesTheDiskAndReplayDecrypts) {
  std::vector<WalRecord> replayed;
  {
    auto wal = OpenEncrypted(&replayed);
    ASSERT_TRUE(wal->Append({{7, "blood_pressure=120/80 patient-4711"}}).ok());
  }
  EXPECT_EQ(AllBytes().find("patient-4711"), std::string::npos);
  auto wal = OpenEncrypted(&replayed);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].data, "blood_pressure=120/80 patient-4711");
  EXPECT_EQ(replayed[0].arrival_micros, 7);
}

TEST_F(EncryptedWalTest, EverySegmentHasItsOwnKeyAndReopeningStartsANewOne) {
  std::vector<WalRecord> replayed;
  {
    auto wal = OpenEncrypted(&replayed, 200);
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(wal->Append({{i, std::string(60, 'x')}}).ok());
  }
  auto wal = OpenEncrypted(&replayed, 200);
  ASSERT_TRUE(wal->Append({{9, "after"}}).ok());
  std::set<std::string> ids;
  for (const fs::path& path : Segments()) {
    auto key = ReadWalSegmentKey(path.string());
    ASSERT_TRUE(key.ok() && key->has_value()) << path;
    ids.insert(std::string(reinterpret_cast<const char*>((*key)->id.data()), (*key)->id.size()));
  }
  EXPECT_GE(Segments().size(), 4u);
  EXPECT_EQ(ids.size(), Segments().size());
  replayed.clear();
  wal.reset();
  OpenEncrypted(&replayed, 200);
  EXPECT_EQ(replayed.size(), 7u);
  EXPECT_EQ(replayed.back().data, "after");
}

TEST_F(EncryptedWalTest, TheSegmentKeyIsTheLastBeforeItsRecordsPastACheckpoint) {
  std::vector<WalRecord> replayed;
  {
    auto wal = OpenEncrypted(&replayed, 100);
    ASSERT_TRUE(wal->Append({{1, std::string(90, 'a')}}).ok());
    ASSERT_TRUE(wal->Append({{2, std::string(90, 'b')}}).ok());  // A new segment, no record yet
    ASSERT_TRUE(wal->Checkpoint(2).ok());                         // but a checkpoint.
  }
  // Reopened: the newest segment holds no record, so it gets a second key, then the records.
  auto wal = OpenEncrypted(&replayed, 100);
  ASSERT_TRUE(wal->Append({{3, "c"}}).ok());
  wal.reset();
  const fs::path newest = Segments().back();
  auto key = ReadWalSegmentKey(newest.string());
  ASSERT_TRUE(key.ok() && key->has_value());
  // The key the records were sealed with is the one reported: re-wrapping it under a new
  // version, then unwrapping through the keyring, still replays the record.
  ASSERT_TRUE(keyring_->Rotate().ok());
  ASSERT_TRUE(keyring_->Rewrap((*key)->id, (*key)->version, (*key)->wrapped).ok());
  ASSERT_TRUE(keyring_->Retire(1).ok());
  replayed.clear();
  std::vector<std::string> warnings;
  WalOptions options;
  options.segment_bytes = 100;
  options.keyring = keyring_.get();
  std::vector<WalRecord> after;
  // Only the newest segment is needed once everything before the checkpoint is trimmed.
  for (const fs::path& path : Segments()) {
    if (path != newest) fs::remove(path);
  }
  auto reopened = WriteAheadLog::Open(dir_, options, &after, &warnings);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].data, "c");
}

TEST_F(EncryptedWalTest, AnAlteredRecordIsAnErrorNotData) {
  std::vector<WalRecord> replayed;
  {
    auto wal = OpenEncrypted(&replayed);
    ASSERT_TRUE(wal->Append({{1, "first record"}, {2, "second record"}}).ok());
  }
  const fs::path segment = Segments().back();
  std::string bytes = AllBytes();
  // Flip a ciphertext bit and fix the entry's CRC, as a deliberate change would.
  const size_t last = bytes.size() - 20;
  bytes[last] ^= 1;
  size_t pos = 0, entry = 0;
  while (pos < bytes.size()) {
    uint32_t length;
    std::memcpy(&length, bytes.data() + pos, 4);
    if (pos + 8 + length == bytes.size()) entry = pos;
    pos += 8 + length;
  }
  uint32_t length;
  std::memcpy(&length, bytes.data() + entry, 4);
  const uint32_t crc = crc32_iscsi(reinterpret_cast<unsigned char*>(bytes.data() + entry + 8),
                                   static_cast<int>(length), 0);
  std::memcpy(bytes.data() + entry + 4, &crc, 4);
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << bytes;
  std::vector<std::string> warnings;
  WalOptions options;
  options.keyring = keyring_.get();
  auto wal = WriteAheadLog::Open(dir_, options, &replayed, &warnings);
  ASSERT_FALSE(wal.ok());
  EXPECT_NE(wal.status().message().find("fails authentication"), std::string::npos)
      << wal.status().ToString();
  EXPECT_NE(wal.status().message().find(segment.string()), std::string::npos);
}

TEST_F(EncryptedWalTest, AnEncryptedLogNeedsTheKeyring) {
  std::vector<WalRecord> replayed;
  { ASSERT_TRUE(OpenEncrypted(&replayed)->Append({{1, "x"}}).ok()); }
  std::vector<std::string> warnings;
  auto wal = WriteAheadLog::Open(dir_, WalOptions{}, &replayed, &warnings);
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace tarn::delivery
