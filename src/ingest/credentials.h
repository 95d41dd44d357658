// CredentialStore: the access keys that may call a lake's Firehose API, with what each may do
// (docs/security.md, "Permissions" and "The credentials file").
//
// The store is one JSON file, LAKE/_tarn/credentials.json (mode 0600), rewritten atomically
// (temporary file, fsync, rename) under an advisory lock on LAKE/_tarn/credentials.lock so that
// two `tarn credentials` commands cannot lose each other's change. Secrets are kept only sealed
// by a SecretBox (the lake's keyring) with the access key id as authenticated context, so a
// sealed secret moved to another record does not open.
//
// Changes made by another process (`tarn credentials create` while `tarn serve` runs) take
// effect without a restart: every read stats the file, and when its inode, size or modification
// time differ from what was loaded, the file is read again. A file that cannot be read or parsed
// fails every read (kCorruption naming the file) rather than falling back to an older copy, so a
// broken store never lets a revoked key in. Opened secrets are cached in memory by access key
// id and sealed form.
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/keyring.h"

namespace tarn::ingest {

inline constexpr size_t kAccessKeyIdLength = 20;  // "TKIA" + 16 base32 characters.
inline constexpr size_t kSecretLength = 40;

struct Permissions {
  // Streams the credential may PutRecord / PutRecordBatch to; "*" is every stream.
  std::vector<std::string> put_streams;
  // May CreateDeliveryStream, DeleteDeliveryStream and UpdateDestination.
  bool manage = false;

  bool MayPut(std::string_view stream) const;
  // "put: a, b; manage" style summary for listings.
  std::string ToString() const;
};

// A credential as listed: everything but the secret.
struct CredentialInfo {
  std::string name;
  std::string access_key_id;
  Permissions permissions;
  std::string created;  // ISO-8601 UTC.
};

// What Create returns: the only time the secret is shown.
struct NewCredential {
  std::string name;
  std::string access_key_id;
  std::string secret;
};

// What Lookup returns for a known access key.
struct ResolvedCredential {
  std::string name;
  std::string access_key_id;
  std::string secret;
  Permissions permissions;
};

// 1..64 characters of [A-Za-z0-9_.-]; kInvalidArgument saying which rule `name` breaks.
Status ValidateCredentialName(std::string_view name);
// Each entry "*" or a valid stream name; kInvalidArgument naming the bad entry.
Status ValidatePermissions(const Permissions& permissions);

class CredentialStore {
 public:
  // Opens the store of the lake at `lake_root` (the file need not exist yet; LAKE/_tarn/ is
  // created on the first Create). `box` seals and opens secrets; it may be null for a store
  // used only to List and Revoke, where Create and Lookup then fail with kInvalidArgument.
  static Result<std::unique_ptr<CredentialStore>> Open(const std::string& lake_root,
                                                       std::shared_ptr<storage::SecretBox> box);
  ~CredentialStore();

  // Creates a credential with a fresh random access key id and secret. kInvalidArgument for a
  // bad name or permission, kAlreadyExists when the name is taken, I/O errors naming the file.
  Result<NewCredential> Create(const std::string& name, const Permissions& permissions);
  // The credential of `access_key_id` with its opened secret; kNotFound when there is none,
  // kCorruption when the file or the sealed secret is damaged.
  Result<ResolvedCredential> Lookup(std::string_view access_key_id);
  // Every credential, sorted by name, without secrets.
  Result<std::vector<CredentialInfo>> List();
  // Whether any credential exists (true as well when the file cannot be read: fail closed).
  bool HasAny();
  // Removes the credential named `name_or_access_key_id` (a name, or an access key id).
  // kNotFound when neither matches. Returns what was removed.
  Result<CredentialInfo> Revoke(std::string_view name_or_access_key_id);

  // LAKE/_tarn/credentials.json.
  const std::string& path() const;

  class Impl;

 private:
  explicit CredentialStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
