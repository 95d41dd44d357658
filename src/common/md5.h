// MD5 digests (through OpenSSL's EVP interface) for checksums that formats and the seed's data
// define with MD5. Not for security. An Md5 object reuses one digest context across calls, so it
// is cheap per call; it is not thread-safe: give each thread its own.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace tarn {

using Md5Digest = std::array<uint8_t, 16>;

class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;

  // The digest of `data`.
  Md5Digest Digest(std::string_view data);

 private:
  evp_md_ctx_st* ctx_;
};

// Writes the 32 lowercase hex digits of `digest` at `out` and returns the position after them.
char* AppendHex(char* out, const Md5Digest& digest);
std::string ToHex(const Md5Digest& digest);

}  // namespace tarn
