#include "common/base64.h"

#include <gtest/gtest.h>

namespace tarn {
namespace {

std::string Encode(std::string_view s) {
  std::string out;
  AppendBase64(s, &out);
  return out;
}

// RFC 4648 section 10 test vectors.
TEST(Base64Test, RfcVectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Encode(plain), encoded);
    EXPECT_EQ(*DecodeBase64(encoded), plain);
  }
}

TEST(Base64Test, BinaryRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(*DecodeBase64(Encode(all)), all);
}

TEST(Base64Test, RejectsMalformedText) {
  EXPECT_FALSE(DecodeBase64("Zm9").ok());       // Length.
  EXPECT_FALSE(DecodeBase64("Zm9v!A==").ok());  // Character.
  EXPECT_FALSE(DecodeBase64("Z===").ok());      // Too much padding.
  EXPECT_FALSE(DecodeBase64("Zg==Zg==").ok());  // Padding in the middle.
  EXPECT_NE(DecodeBase64("Zm 9").status().message().find("position 3"), std::string::npos);
}

}  // namespace
}  // namespace tarn
