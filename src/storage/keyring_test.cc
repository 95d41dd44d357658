#include "storage/keyring.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace tarn::storage {
namespace {

namespace fs = std::filesystem;

constexpr char kHexKey[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

class KeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = (fs::temp_directory_path() /
             ("tarn_keyring_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    fs::remove_all(lake_);
  }
  void TearDown() override { fs::remove_all(lake_); }

  std::shared_ptr<Keyring> OpenKeyring(const KeyringOptions& options = {}) {
    auto keyring = Keyring::Open(lake_, options);
    EXPECT_TRUE(keyring.ok()) << keyring.status().ToString();
    return keyring.ok() ? *keyring : nullptr;
  }

  static KeyringOptions WithOperatorKey(uint8_t fill) {
    KeyringOptions options;
    options.operator_key = AeadKey{};
    options.operator_key->fill(fill);
    return options;
  }

  static int ModeOf(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 ? static_cast<int>(info.st_mode & 0777) : -1;
  }

  std::string KeysFolder() const { return lake_ + "/_tarn/keys"; }

  std::string lake_;
};

TEST_F(KeyringTest, OpenCreatesVersionOneWithPrivateModes) {
  auto keyring = OpenKeyring();
  EXPECT_EQ(keyring->active_version(), 1u);
  ASSERT_EQ(keyring->Versions().size(), 1u);
  EXPECT_TRUE(keyring->Versions()[0].active);
  EXPECT_GT(keyring->Versions()[0].created_unix_seconds, 1600000000);
  EXPECT_EQ(ModeOf(KeysFolder()), 0700);
  EXPECT_EQ(ModeOf(KeysFolder() + "/wraps"), 0700);
  EXPECT_EQ(ModeOf(KeysFolder() + "/master-1.key"), 0600);
}

TEST_F(KeyringTest, ReopenUnwrapsKeysWrappedBefore) {
  DataKey data_key = *OpenKeyring()->NewDataKey();
  EXPECT_EQ(data_key.version, 1u);
  EXPECT_EQ(data_key.wrapped.size(), kWrappedKeyBytes);
  auto reopened = OpenKeyring();
  auto key = reopened->UnwrapDataKey(data_key.id, data_key.version, data_key.wrapped);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*key, data_key.key);
}

TEST_F(KeyringTest, DataKeysAreFreshAndBoundToTheirId) {
  auto keyring = OpenKeyring();
  DataKey a = *keyring->NewDataKey();
  DataKey b = *keyring->NewDataKey();
  EXPECT_NE(a.key, b.key);
  EXPECT_NE(a.id, b.id);
  // A wrapped key moved to another id does not unwrap.
  auto moved = keyring->UnwrapDataKey(b.id, a.version, a.wrapped);
  EXPECT_EQ(moved.status().code(), StatusCode::kCorruption);
  std::string flipped = a.wrapped;
  flipped[20] ^= 1;
  EXPECT_EQ(keyring->UnwrapDataKey(a.id, a.version, flipped).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(keyring->UnwrapDataKey(a.id, a.version, a.wrapped.substr(1)).status().code(),
            StatusCode::kCorruption);
}

TEST_F(KeyringTest, RotateRewrapRetireKeepsOldDataReadable) {
  auto keyring = OpenKeyring();
  DataKey old_key = *keyring->NewDataKey();
  ASSERT_EQ(*keyring->Rotate(), 2u);
  EXPECT_EQ(keyring->active_version(), 2u);
  EXPECT_EQ(keyring->NewDataKey()->version, 2u);
  EXPECT_FALSE(keyring->HasRewrap(old_key.id));
  ASSERT_TRUE(keyring->Rewrap(old_key.id, old_key.version, old_key.wrapped).ok());
  EXPECT_TRUE(keyring->HasRewrap(old_key.id));
  for (const auto& entry : fs::directory_iterator(KeysFolder() + "/wraps")) {
    EXPECT_EQ(ModeOf(entry.path().string()), 0600);
  }
  ASSERT_TRUE(keyring->Retire(1).ok());
  EXPECT_FALSE(fs::exists(KeysFolder() + "/master-1.key"));
  ASSERT_EQ(keyring->Versions().size(), 1u);
  EXPECT_EQ(keyring->Versions()[0].version, 2u);
  auto key = OpenKeyring()->UnwrapDataKey(old_key.id, old_key.version, old_key.wrapped);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*key, old_key.key);
}

TEST_F(KeyringTest, RetiredVersionWithoutRewrapIsNotFound) {
  auto keyring = OpenKeyring();
  DataKey old_key = *keyring->NewDataKey();
  ASSERT_TRUE(keyring->Rotate().ok());
  ASSERT_TRUE(keyring->Retire(1).ok());
  auto key = keyring->UnwrapDataKey(old_key.id, old_key.version, old_key.wrapped);
  EXPECT_EQ(key.status().code(), StatusCode::kNotFound);
  EXPECT_NE(key.status().message().find("master key version 1 is not in the keyring"),
            std::string::npos)
      << key.status().message();
}

TEST_F(KeyringTest, RewrapUnderTheActiveVersionIsANoOp) {
  auto keyring = OpenKeyring();
  DataKey data_key = *keyring->NewDataKey();
  ASSERT_TRUE(keyring->Rewrap(data_key.id, data_key.version, data_key.wrapped).ok());
  EXPECT_FALSE(keyring->HasRewrap(data_key.id));
}

TEST_F(KeyringTest, RewrapFileIsBoundToItsId) {
  auto keyring = OpenKeyring();
  DataKey a = *keyring->NewDataKey();
  DataKey b = *keyring->NewDataKey();
  ASSERT_TRUE(keyring->Rotate().ok());
  ASSERT_TRUE(keyring->Rewrap(a.id, a.version, a.wrapped).ok());
  ASSERT_TRUE(keyring->Retire(1).ok());
  // Copy a's rewrap over b's name: it must not unwrap as b's key.
  const std::string wraps = KeysFolder() + "/wraps/";
  std::string a_file;
  for (const auto& entry : fs::directory_iterator(wraps)) a_file = entry.path().string();
  std::string b_hex;
  for (uint8_t byte : b.id) b_hex += fmt::format("{:02x}", byte);
  fs::copy_file(a_file, wraps + b_hex);
  auto key = keyring->UnwrapDataKey(b.id, b.version, b.wrapped);
  EXPECT_EQ(key.status().code(), StatusCode::kCorruption);
  EXPECT_NE(key.status().message().find(b_hex), std::string::npos) << key.status().message();
}

TEST_F(KeyringTest, ActiveVersionCannotBeRetired) {
  auto keyring = OpenKeyring();
  EXPECT_EQ(keyring->Retire(1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(keyring->Retire(7).code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs::exists(KeysFolder() + "/master-1.key"));
}

TEST_F(KeyringTest, RotationInAnotherInstanceIsPickedUpForNewKeys) {
  auto server = OpenKeyring();
  auto cli = OpenKeyring();
  ASSERT_EQ(*cli->Rotate(), 2u);
  EXPECT_EQ(server->NewDataKey()->version, 2u);
  EXPECT_EQ(*server->Rotate(), 3u);
}

TEST_F(KeyringTest, OperatorKeySealsTheKeyFiles) {
  const KeyringOptions options = WithOperatorKey(0x11);
  DataKey data_key = *OpenKeyring(options)->NewDataKey();
  std::ifstream file(KeysFolder() + "/master-1.key", std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(content.substr(0, 8), "TARNMK1S");
  auto key = OpenKeyring(options)->UnwrapDataKey(data_key.id, 1, data_key.wrapped);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, data_key.key);
}

TEST_F(KeyringTest, WrongOrMissingOperatorKeyIsPermissionDeniedNamingTheFile) {
  ASSERT_NE(OpenKeyring(WithOperatorKey(0x11)), nullptr);
  for (const KeyringOptions& options : {WithOperatorKey(0x12), KeyringOptions{}}) {
    auto keyring = Keyring::Open(lake_, options);
    EXPECT_EQ(keyring.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(keyring.status().message().find("master-1.key"), std::string::npos)
        << keyring.status().message();
  }
}

TEST_F(KeyringTest, UnsealedKeyringRefusesAnOperatorKey) {
  ASSERT_NE(OpenKeyring(), nullptr);
  EXPECT_EQ(Keyring::Open(lake_, WithOperatorKey(1)).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(KeyringTest, CorruptKeyFileIsCorruptionNamingIt) {
  ASSERT_NE(OpenKeyring(), nullptr);
  std::ofstream(KeysFolder() + "/master-1.key", std::ios::trunc) << "short";
  auto keyring = Keyring::Open(lake_, {});
  EXPECT_EQ(keyring.status().code(), StatusCode::kCorruption);
  EXPECT_NE(keyring.status().message().find("master-1.key"), std::string::npos);
}

TEST_F(KeyringTest, ConcurrentOpensAgreeOnVersionOne) {
  std::shared_ptr<Keyring> keyrings[4];
  std::vector<std::thread> threads;
  for (auto& keyring : keyrings) {
    threads.emplace_back([&] { keyring = *Keyring::Open(lake_, {}); });
  }
  for (auto& thread : threads) thread.join();
  DataKey data_key = *keyrings[0]->NewDataKey();
  for (auto& keyring : keyrings) {
    EXPECT_EQ(keyring->Versions().size(), 1u);
    EXPECT_EQ(*keyring->UnwrapDataKey(data_key.id, 1, data_key.wrapped), data_key.key);
  }
}

TEST_F(KeyringTest, SecretsOpenOnlyWithTheirContext) {
  auto keyring = OpenKeyring();
  auto sealed = keyring->SealSecret("wJalrXUtnFEMI/K7MDENG", "AKIDEXAMPLE");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("wJalr"), std::string::npos);
  EXPECT_EQ(*OpenKeyring()->OpenSecret(*sealed, "AKIDEXAMPLE"), "wJalrXUtnFEMI/K7MDENG");
  auto moved = keyring->OpenSecret(*sealed, "AKIDOTHER");
  EXPECT_EQ(moved.status().code(), StatusCode::kCorruption);
  EXPECT_NE(moved.status().message().find("AKIDOTHER"), std::string::npos);
  EXPECT_FALSE(keyring->OpenSecret("not base64!", "AKIDEXAMPLE").ok());
  EXPECT_FALSE(keyring->OpenSecret("AAAA", "AKIDEXAMPLE").ok());
}

TEST_F(KeyringTest, SecretsSurviveRotationUntilRetirement) {
  auto keyring = OpenKeyring();
  const std::string sealed = *keyring->SealSecret("s3cret", "ctx");
  ASSERT_TRUE(keyring->Rotate().ok());
  EXPECT_EQ(*keyring->OpenSecret(sealed, "ctx"), "s3cret");
  ASSERT_TRUE(keyring->Retire(1).ok());
  EXPECT_EQ(keyring->OpenSecret(sealed, "ctx").status().code(), StatusCode::kNotFound);
}

TEST(OperatorKeyTest, ParsesHexAndBase64) {
  auto hex = ParseOperatorKey(std::string("  ") + kHexKey + "\n", "TARN_MASTER_KEY");
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ((*hex)[0], 0);
  EXPECT_EQ((*hex)[31], 0x1f);
  // base64 of the bytes 0..31.
  auto base64 = ParseOperatorKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "file");
  ASSERT_TRUE(base64.ok());
  EXPECT_EQ(*base64, *hex);
}

TEST(OperatorKeyTest, RejectsOtherTextNamingTheOriginOnly) {
  for (std::string_view text :
       {"", "abc", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="}) {
    auto key = ParseOperatorKey(text, "TARN_MASTER_KEY");
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(key.status().message().find("TARN_MASTER_KEY"), std::string::npos);
    if (!text.empty()) {
      EXPECT_EQ(key.status().message().find(text), std::string::npos);
    }
  }
}

TEST(OperatorKeyTest, OptionsComeFromTheFileThenTheEnvironment) {
  ::unsetenv("TARN_MASTER_KEY");
  EXPECT_FALSE(KeyringOptionsFrom("")->operator_key.has_value());
  ::setenv("TARN_MASTER_KEY", kHexKey, 1);
  EXPECT_EQ((*KeyringOptionsFrom("")->operator_key)[1], 1);
  ::setenv("TARN_MASTER_KEY", "bad", 1);
  EXPECT_NE(KeyringOptionsFrom("").status().message().find("TARN_MASTER_KEY"), std::string::npos);
  const std::string path =
      (fs::temp_directory_path() / ("tarn_operator_key_" + std::to_string(::getpid()))).string();
  std::ofstream(path) << "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
  EXPECT_EQ((*KeyringOptionsFrom(path)->operator_key)[31], 31);  // The file wins.
  fs::remove(path);
  auto missing = KeyringOptionsFrom(path);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
  ::unsetenv("TARN_MASTER_KEY");
}

}  // namespace
}  // namespace tarn::storage
