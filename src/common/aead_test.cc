#include "common/aead.h"

#include <gtest/gtest.h>

#include <set>

namespace tarn {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

AeadKey TestKey() {
  AeadKey key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
  return key;
}

AeadNonce TestNonce() {
  AeadNonce nonce;
  for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(200 - i);
  return nonce;
}

std::string Seal(std::string_view aad, std::string_view plaintext) {
  std::string sealed;
  EXPECT_TRUE(AeadSeal(TestKey(), TestNonce(), aad, plaintext, &sealed).ok());
  return sealed;
}

Status Open(const AeadKey& key, const AeadNonce& nonce, std::string_view aad,
            std::string_view sealed) {
  std::string out(sealed.size() >= kAeadTagBytes ? sealed.size() - kAeadTagBytes : 0, '\0');
  return AeadOpen(key, nonce, aad, sealed, out.data());
}

// McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14.
TEST(AeadTest, MatchesPublishedGcmVectors) {
  const AeadKey zero_key{};
  const AeadNonce zero_nonce{};
  std::string sealed;
  ASSERT_TRUE(AeadSeal(zero_key, zero_nonce, "", "", &sealed).ok());
  EXPECT_EQ(Hex(sealed), "530f8afbc74536b9a963b4f1c4cb738b");
  sealed.clear();
  ASSERT_TRUE(AeadSeal(zero_key, zero_nonce, "", std::string(16, '\0'), &sealed).ok());
  EXPECT_EQ(Hex(sealed), "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(AeadTest, RoundTrip) {
  const std::string plaintext = "measurement 42.5 at 2024-01-02T03:04:05Z";
  const std::string sealed = Seal("context", plaintext);
  ASSERT_EQ(sealed.size(), plaintext.size() + kAeadTagBytes);
  EXPECT_EQ(sealed.find("measurement"), std::string::npos);
  std::string out(plaintext.size(), '\0');
  ASSERT_TRUE(AeadOpen(TestKey(), TestNonce(), "context", sealed, out.data()).ok());
  EXPECT_EQ(out, plaintext);
}

TEST(AeadTest, SealAppendsToWhatIsThere) {
  std::string out = "prefix";
  ASSERT_TRUE(AeadSeal(TestKey(), TestNonce(), "", "abc", &out).ok());
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(out.substr(6), Seal("", "abc"));
}

TEST(AeadTest, EmptyPlaintextIsOnlyATagAndStillAuthenticatesTheAad) {
  const std::string sealed = Seal("aad", "");
  ASSERT_EQ(sealed.size(), kAeadTagBytes);
  EXPECT_TRUE(Open(TestKey(), TestNonce(), "aad", sealed).ok());
  EXPECT_EQ(Open(TestKey(), TestNonce(), "aaD", sealed).code(), StatusCode::kCorruption);
}

TEST(AeadTest, EverySingleBitFlipOfCiphertextOrTagFails) {
  const std::string sealed = Seal("aad", "twenty bytes of text");
  for (size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    std::string flipped = sealed;
    flipped[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    const Status status = Open(TestKey(), TestNonce(), "aad", flipped);
    ASSERT_EQ(status.code(), StatusCode::kCorruption) << "bit " << bit;
    EXPECT_NE(status.message().find("authentication failed"), std::string::npos);
  }
}

TEST(AeadTest, EverySingleBitFlipOfAadFails) {
  const std::string aad = "tarn data key 0123";
  const std::string sealed = Seal(aad, "secret");
  for (size_t bit = 0; bit < aad.size() * 8; ++bit) {
    std::string flipped = aad;
    flipped[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_EQ(Open(TestKey(), TestNonce(), flipped, sealed).code(), StatusCode::kCorruption)
        << "bit " << bit;
  }
}

TEST(AeadTest, EverySingleBitFlipOfNonceOrKeyFails) {
  const std::string sealed = Seal("aad", "secret");
  for (size_t bit = 0; bit < kAeadNonceBytes * 8; ++bit) {
    AeadNonce nonce = TestNonce();
    nonce[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    EXPECT_EQ(Open(TestKey(), nonce, "aad", sealed).code(), StatusCode::kCorruption)
        << "bit " << bit;
  }
  for (size_t bit = 0; bit < kAeadKeyBytes * 8; bit += 13) {
    AeadKey key = TestKey();
    key[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    EXPECT_EQ(Open(key, TestNonce(), "aad", sealed).code(), StatusCode::kCorruption)
        << "bit " << bit;
  }
}

TEST(AeadTest, InputShorterThanATagIsCorruption) {
  for (size_t size = 0; size < kAeadTagBytes; ++size) {
    const Status status = Open(TestKey(), TestNonce(), "", std::string(size, 'x'));
    EXPECT_EQ(status.code(), StatusCode::kCorruption);
    EXPECT_NE(status.message().find("shorter than its 16-byte tag"), std::string::npos);
  }
}

TEST(AeadTest, CipherReusedAcrossNoncesMatchesOneShotCallsInPlace) {
  auto cipher = AeadCipher::Make(TestKey());
  ASSERT_TRUE(cipher.ok());
  for (int i = 0; i < 3; ++i) {
    AeadNonce nonce{};
    nonce[0] = static_cast<uint8_t>(i);
    const std::string plaintext(100 + i, static_cast<char>('a' + i));
    std::string buffer = plaintext + std::string(kAeadTagBytes, '\0');
    const std::string_view in_place(buffer.data(), plaintext.size());
    ASSERT_TRUE((*cipher)->Seal(nonce, "x", in_place, buffer.data()).ok());
    std::string expected;
    ASSERT_TRUE(AeadSeal(TestKey(), nonce, "x", plaintext, &expected).ok());
    EXPECT_EQ(buffer, expected);
    ASSERT_TRUE((*cipher)->Open(nonce, "x", buffer, buffer.data()).ok());  // In place.
    EXPECT_EQ(buffer.substr(0, plaintext.size()), plaintext);
  }
}

TEST(AeadTest, RandomKeysDiffer) {
  std::set<AeadKey> keys;
  for (int i = 0; i < 16; ++i) keys.insert(*RandomKey());
  EXPECT_EQ(keys.size(), 16u);
  std::string bytes(64, '\0');
  ASSERT_TRUE(RandomBytes(bytes.data(), bytes.size()).ok());
  EXPECT_NE(bytes, std::string(64, '\0'));
}

TEST(AeadTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(AeadTest, SecureZeroClears) {
  AeadKey key = TestKey();
  SecureZero(key.data(), key.size());
  EXPECT_EQ(key, AeadKey{});
}

}  // namespace
}  // namespace tarn
