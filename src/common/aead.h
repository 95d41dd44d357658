// AES-256-GCM authenticated encryption and a cryptographically secure random source, both
// through OpenSSL's EVP interface (docs/encryption.md). Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn {

inline constexpr size_t kAeadKeyBytes = 32;    // AES-256.
inline constexpr size_t kAeadNonceBytes = 12;  // GCM's 96-bit IV.
inline constexpr size_t kAeadTagBytes = 16;

using AeadKey = std::array<uint8_t, kAeadKeyBytes>;
using AeadNonce = std::array<uint8_t, kAeadNonceBytes>;

// Fills `out` with `size` random bytes (RAND_bytes). kInternal when the generator fails.
Status RandomBytes(void* out, size_t size);
Result<AeadKey> RandomKey();

// Encrypts `plaintext` and appends ciphertext followed by the 16-byte tag to `*out`; `aad` is
// authenticated, not encrypted. The caller guarantees that (key, nonce) is never reused.
Status AeadSeal(const AeadKey& key, const AeadNonce& nonce, std::string_view aad,
                std::string_view plaintext, std::string* out);

// Checks and decrypts `sealed` (ciphertext + tag) into `out` (sealed.size() - 16 bytes).
// kCorruption "authentication failed" when the key, nonce, aad or any bit of `sealed` differs
// from sealing; kCorruption when `sealed` is shorter than a tag. `out` is unspecified on error.
Status AeadOpen(const AeadKey& key, const AeadNonce& nonce, std::string_view aad,
                std::string_view sealed, char* out);

// One key set up once for many seals and opens (the segments of one object): the key schedule
// is computed once and each call only sets the nonce. Not thread-safe: one instance per thread.
// The key is wiped when the instance is destroyed.
class AeadCipher {
 public:
  // kInternal when OpenSSL cannot allocate or set up the context.
  static Result<std::unique_ptr<AeadCipher>> Make(const AeadKey& key);
  ~AeadCipher();
  AeadCipher(const AeadCipher&) = delete;
  AeadCipher& operator=(const AeadCipher&) = delete;

  // Writes plaintext.size() bytes of ciphertext and then the 16-byte tag to `out`. `out` may
  // equal plaintext.data() (in place); otherwise the two must not overlap.
  Status Seal(const AeadNonce& nonce, std::string_view aad, std::string_view plaintext, char* out);
  // Checks `sealed` (ciphertext + tag) and writes sealed.size() - 16 plaintext bytes to `out`,
  // which may equal sealed.data(). Fails as AeadOpen does.
  Status Open(const AeadNonce& nonce, std::string_view aad, std::string_view sealed, char* out);

 private:
  explicit AeadCipher(void* context) : context_(context) {}
  void* context_;  // EVP_CIPHER_CTX, owned.
};

// Overwrites `size` bytes at `data` with zeros in a way the compiler cannot drop (key material).
void SecureZero(void* data, size_t size);

// Compares in time independent of where the inputs differ (for MACs and signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tarn
