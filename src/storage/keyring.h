// Keyring: a lake's master keys, used to wrap (encrypt) the per-object and per-WAL-segment data
// keys and to seal small secrets such as credential secrets (docs/encryption.md).
//
// Master keys are numbered versions 1, 2, …; the newest one not retired is active and wraps
// every new data key. `Rotate` adds a version; data keys wrapped under an older version are
// re-wrapped under the active one with `Rewrap` (the encrypted data itself is never rewritten:
// the new wrapping is kept in the keyring, and `UnwrapDataKey` prefers it). A retired version's
// key material is deleted, so it unwraps nothing any more.
//
// Storage: LAKE/_tarn/keys/ (mode 0700), created on first use; each master key version in its
// own file (mode 0600); re-wrapped data keys under LAKE/_tarn/keys/wraps/. When the operator
// supplies a key (KeyringOptions::operator_key, from TARN_MASTER_KEY or a key file), every
// master key file is sealed under it, so the files alone reveal nothing; a wrong operator key is
// kPermissionDenied naming the file. Files are written atomically (temp file, fsync, then link()
// for a master key, which never replaces one, or rename() for a re-wrapping; folder fsync).
// Creating, rotating and retiring versions hold an flock on LAKE/_tarn/keys/.lock, so several
// processes may share a lake; a process notices another's rotation at its next NewDataKey.
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/aead.h"
#include "common/result.h"

namespace tarn::storage {

inline constexpr size_t kDataKeyIdBytes = 16;
// A wrapped data key: nonce (12) | AES-256-GCM ciphertext of the key (32) | tag (16).
inline constexpr size_t kWrappedKeyBytes = kAeadNonceBytes + kAeadKeyBytes + kAeadTagBytes;

using DataKeyId = std::array<uint8_t, kDataKeyIdBytes>;

struct DataKey {
  AeadKey key{};         // Plaintext key: keep in memory only.
  DataKeyId id{};        // Random; names the key in headers and in the keyring's wraps.
  uint32_t version = 0;  // Master key version that wrapped it.
  std::string wrapped;   // kWrappedKeyBytes bytes; authenticated with `id` and `version`.
};

struct MasterKeyInfo {
  uint32_t version = 0;
  int64_t created_unix_seconds = 0;
  bool active = false;
};

struct KeyringOptions {
  // When set, master key files are sealed under this key (see above).
  std::optional<AeadKey> operator_key;
};

// Reads an operator key: 64 hex digits or the base64 of 32 bytes, surrounding whitespace
// ignored. kInvalidArgument naming `origin` (e.g. "TARN_MASTER_KEY") otherwise.
Result<AeadKey> ParseOperatorKey(std::string_view text, std::string_view origin);

// Where the operator key comes from, in order: the file `key_file` when not empty, else the
// environment variable TARN_MASTER_KEY when set, else none. Errors name the file or variable.
Result<KeyringOptions> KeyringOptionsFrom(const std::string& key_file);

// Seals and opens small secrets (credential secrets) under the active master key.
class SecretBox {
 public:
  virtual ~SecretBox() = default;
  // Returns an opaque, printable (base64) sealed form; `context` is authenticated (e.g. the
  // access key id), so a sealed secret cannot be moved to another record.
  virtual Result<std::string> SealSecret(std::string_view secret, std::string_view context) = 0;
  virtual Result<std::string> OpenSecret(std::string_view sealed, std::string_view context) = 0;
};

class Keyring : public SecretBox {
 public:
  // Opens LAKE/_tarn/keys/, creating it and master key version 1 when absent.
  static Result<std::shared_ptr<Keyring>> Open(const std::string& lake_root,
                                               const KeyringOptions& options);
  ~Keyring() override;

  uint32_t active_version() const;
  std::vector<MasterKeyInfo> Versions() const;  // Not retired, oldest first.

  // A fresh random data key wrapped under the active version.
  Result<DataKey> NewDataKey();
  // The plaintext of a data key from its header fields: a re-wrapping kept in the keyring
  // wins; else `wrapped` under `version`. kNotFound when the version is retired or unknown
  // ("master key version 3 is not in the keyring"), kCorruption when unwrapping fails.
  Result<AeadKey> UnwrapDataKey(const DataKeyId& id, uint32_t version, std::string_view wrapped);
  // True when the keyring holds a re-wrapping of `id` under a version that is not retired.
  bool HasRewrap(const DataKeyId& id) const;

  // Adds a new master key version and makes it active; returns its number.
  Result<uint32_t> Rotate();
  // Unwraps the key (as UnwrapDataKey) and keeps its wrapping under the active version.
  // Nothing to do (Ok) when it is already wrapped under the active version.
  Status Rewrap(const DataKeyId& id, uint32_t version, std::string_view wrapped);
  // Deletes a version's key material. kInvalidArgument for the active version, kNotFound for
  // a version that is not there.
  Status Retire(uint32_t version);

  Result<std::string> SealSecret(std::string_view secret, std::string_view context) override;
  Result<std::string> OpenSecret(std::string_view sealed, std::string_view context) override;

  class Impl;

 private:
  explicit Keyring(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::storage
