#include "common/md5.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace tarn {

namespace {

// Fetched once: looking the algorithm up through the provider on every digest takes locks.
const EVP_MD* Md5Algorithm() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

}  // namespace

Md5::Md5() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || Md5Algorithm() == nullptr) {
    std::fputs("tarn: OpenSSL could not provide MD5\n", stderr);
    std::abort();
  }
}

Md5::~Md5() { EVP_MD_CTX_free(ctx_); }

Md5Digest Md5::Digest(std::string_view data) {
  Md5Digest digest;
  unsigned int length = 0;
  // MD5 is built into OpenSSL's default provider; these calls fail only on allocation failure,
  // after which no useful work can continue.
  if (EVP_DigestInit_ex(ctx_, Md5Algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_, digest.data(), &length) != 1 || length != digest.size()) {
    std::fputs("tarn: OpenSSL failed to compute an MD5 digest\n", stderr);
    std::abort();
  }
  return digest;
}

char* AppendHex(char* out, const Md5Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (uint8_t byte : digest) {
    *out++ = kHex[byte >> 4];
    *out++ = kHex[byte & 0xf];
  }
  return out;
}

std::string ToHex(const Md5Digest& digest) {
  std::string out(32, '\0');
  AppendHex(out.data(), digest);
  return out;
}

}  // namespace tarn
