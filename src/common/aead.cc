#include "common/aead.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace tarn {
namespace {

// EVP takes int lengths; longer inputs go through in pieces of this size.
constexpr size_t kMaxPiece = size_t{1} << 30;

Status OpenSslError(std::string_view what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  std::string message = "OpenSSL " + std::string(what) + " failed";
  if (code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    message += ": ";
    message += text;
  }
  return Internal(std::move(message));
}

EVP_CIPHER_CTX* Context(void* context) { return static_cast<EVP_CIPHER_CTX*>(context); }

// Feeds `in` through EVP_CipherUpdate (aad when `out` is null) piece by piece.
bool Update(EVP_CIPHER_CTX* ctx, const char* in, size_t size, char* out) {
  while (size > 0) {
    const size_t piece = std::min(size, kMaxPiece);
    int written = 0;
    if (EVP_CipherUpdate(ctx, reinterpret_cast<unsigned char*>(out), &written,
                         reinterpret_cast<const unsigned char*>(in),
                         static_cast<int>(piece)) != 1) {
      return false;
    }
    in += piece;
    if (out != nullptr) out += piece;
    size -= piece;
  }
  return true;
}

}  // namespace

Status RandomBytes(void* out, size_t size) {
  auto* bytes = static_cast<unsigned char*>(out);
  while (size > 0) {
    const size_t piece = std::min(size, kMaxPiece);
    if (RAND_bytes(bytes, static_cast<int>(piece)) != 1) return OpenSslError("RAND_bytes");
    bytes += piece;
    size -= piece;
  }
  return Status::Ok();
}

Result<AeadKey> RandomKey() {
  AeadKey key;
  TARN_RETURN_IF_ERROR(RandomBytes(key.data(), key.size()));
  return key;
}

Result<std::unique_ptr<AeadCipher>> AeadCipher::Make(const AeadKey& key) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return OpenSslError("EVP_CIPHER_CTX_new");
  // The key schedule is set here once; each Seal or Open sets only the nonce and direction.
  if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nullptr, 1) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return OpenSslError("AES-256-GCM key setup");
  }
  return std::unique_ptr<AeadCipher>(new AeadCipher(ctx));
}

AeadCipher::~AeadCipher() { EVP_CIPHER_CTX_free(Context(context_)); }  // Also wipes the key.

Status AeadCipher::Seal(const AeadNonce& nonce, std::string_view aad, std::string_view plaintext,
                        char* out) {
  EVP_CIPHER_CTX* ctx = Context(context_);
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 1) != 1) {
    return OpenSslError("AES-GCM nonce setup");
  }
  if (!Update(ctx, aad.data(), aad.size(), nullptr) ||
      !Update(ctx, plaintext.data(), plaintext.size(), out)) {
    return OpenSslError("AES-GCM encryption");
  }
  int written = 0;
  if (EVP_CipherFinal_ex(ctx, reinterpret_cast<unsigned char*>(out + plaintext.size()), &written) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagBytes),
                          out + plaintext.size()) != 1) {
    return OpenSslError("AES-GCM tag");
  }
  return Status::Ok();
}

Status AeadCipher::Open(const AeadNonce& nonce, std::string_view aad, std::string_view sealed,
                        char* out) {
  if (sealed.size() < kAeadTagBytes) {
    return Corruption("sealed data of " + std::to_string(sealed.size()) +
                      " bytes is shorter than its 16-byte tag");
  }
  EVP_CIPHER_CTX* ctx = Context(context_);
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 0) != 1) {
    return OpenSslError("AES-GCM nonce setup");
  }
  const size_t text_size = sealed.size() - kAeadTagBytes;
  // The tag is copied out first: decrypting in place overwrites nothing past text_size, but
  // EVP wants a writable buffer for it.
  unsigned char tag[kAeadTagBytes];
  std::copy_n(reinterpret_cast<const unsigned char*>(sealed.data()) + text_size, kAeadTagBytes,
              tag);
  if (!Update(ctx, aad.data(), aad.size(), nullptr) ||
      !Update(ctx, sealed.data(), text_size, out) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagBytes), tag) != 1) {
    return OpenSslError("AES-GCM decryption");
  }
  int written = 0;
  if (EVP_CipherFinal_ex(ctx, reinterpret_cast<unsigned char*>(out + text_size), &written) != 1) {
    ERR_clear_error();
    return Corruption("authentication failed (wrong key, or the data or its context changed)");
  }
  return Status::Ok();
}

Status AeadSeal(const AeadKey& key, const AeadNonce& nonce, std::string_view aad,
                std::string_view plaintext, std::string* out) {
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<AeadCipher> cipher, AeadCipher::Make(key));
  const size_t start = out->size();
  out->resize(start + plaintext.size() + kAeadTagBytes);
  Status status = cipher->Seal(nonce, aad, plaintext, out->data() + start);
  if (!status.ok()) out->resize(start);
  return status;
}

Status AeadOpen(const AeadKey& key, const AeadNonce& nonce, std::string_view aad,
                std::string_view sealed, char* out) {
  if (sealed.size() < kAeadTagBytes) {
    return Corruption("sealed data of " + std::to_string(sealed.size()) +
                      " bytes is shorter than its 16-byte tag");
  }
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<AeadCipher> cipher, AeadCipher::Make(key));
  return cipher->Open(nonce, aad, sealed, out);
}

void SecureZero(void* data, size_t size) { OPENSSL_cleanse(data, size); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Only the length is allowed to show in the timing, and lengths of MACs are public.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tarn
