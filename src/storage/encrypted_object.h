// Encrypted objects: envelope encryption of whole objects in independently authenticated
// segments, so a reader can decrypt any byte range (a Parquet footer, one column chunk) without
// the rest of the object (docs/encryption.md has the byte layout).
//
//   header (kEncryptedHeaderBytes): magic "TARNENC1" | master key version (u32 LE) |
//       data key id (16) | wrapped data key (60) | segment size (u32 LE) | reserved (u32, 0)
//   segments: ciphertext of up to `segment size` plaintext bytes | 16-byte tag, at least one
//       (an empty object has one empty segment), every segment but the last full.
//
// Segment i is sealed with the object's data key, nonce = i (u64 LE) | 4 zero bytes, and AAD =
// the header | i (u64 LE) | last (1 byte), so reordering, truncating, extending or flipping any
// bit fails authentication; errors name the object and the segment.
// The plaintext size follows from the stored size alone (no read needed).
// Readers treat an object without the magic as plaintext, except that a first 8 bytes within 4
// bits of the magic is kCorruption (a damaged magic must not make ciphertext "plaintext").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/byte_source.h"
#include "common/random_access_file.h"
#include "common/result.h"
#include "storage/keyring.h"
#include "storage/object_store.h"

namespace tarn::storage {

inline constexpr char kEncryptedMagic[] = "TARNENC1";  // 8 bytes, without the NUL.
inline constexpr size_t kEncryptedHeaderBytes = 96;
inline constexpr uint32_t kDefaultSegmentBytes = 16 << 10;

// True when `prefix` (at least the first 8 bytes of an object) starts with the magic.
bool LooksEncrypted(std::string_view prefix);

// Encrypts `plaintext` under a fresh data key from `keyring`; returns the stored bytes.
// kInvalidArgument when `segment_bytes` is 0 or above 2^30.
Result<std::string> EncryptObject(Keyring& keyring, std::string_view plaintext,
                                  uint32_t segment_bytes = kDefaultSegmentBytes);
// Decrypts a whole stored object; `name` is used in errors. kCorruption on any tampering.
Result<std::string> DecryptObject(Keyring& keyring, std::string_view stored, std::string_view name);

// The header fields of a stored object (for `tarn keys rotate`, which re-wraps data keys).
struct EncryptedHeader {
  uint32_t version = 0;
  DataKeyId id{};
  std::string wrapped;
  uint32_t segment_bytes = 0;
};
Result<EncryptedHeader> ParseEncryptedHeader(std::string_view header, std::string_view name);

// Opens `file` for reading by range: an encrypted object is decrypted segment by segment (size()
// is the plaintext size; bytes_read() counts the stored bytes read, header and tags included);
// anything else is returned as it is. Reads the first 8 bytes to tell (counted), then the
// header; an empty encrypted object's lone segment is verified here. An encrypted object with
// `keyring` null is kPermissionDenied naming the object and saying a master key is needed; a
// stored size no valid layout has is kCorruption naming the object. ReadAt is thread-safe.
Result<std::unique_ptr<RandomAccessFile>> OpenForReading(std::unique_ptr<RandomAccessFile> file,
                                                         Keyring* keyring);

// The same for a front-to-back reader: `source` is read through; an encrypted object yields its
// plaintext, verified segment by segment (a bad segment is an error before any of its bytes are
// returned).
Result<std::unique_ptr<ByteSource>> OpenSourceForReading(std::unique_ptr<ByteSource> source,
                                                         Keyring* keyring);

// An ObjectStore that encrypts every Put under `keyring` and decrypts on Get (objects that are
// not encrypted are returned as stored). Neither pointer is owned.
class EncryptingObjectStore : public ObjectStore {
 public:
  EncryptingObjectStore(ObjectStore* inner, Keyring* keyring) : inner_(inner), keyring_(keyring) {}
  Status Put(const std::string& bucket, const std::string& key, std::string_view bytes) override;
  Result<bool> Exists(const std::string& bucket, const std::string& key) override {
    return inner_->Exists(bucket, key);
  }
  Result<std::string> Get(const std::string& bucket, const std::string& key) override;

 private:
  ObjectStore* inner_;
  Keyring* keyring_;
};

}  // namespace tarn::storage
