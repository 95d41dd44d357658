#include "storage/keyring.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>

#include "common/base64.h"
#include "common/files.h"

// File layouts, nonces and AAD are described in docs/encryption.md.

namespace tarn::storage {
namespace {

constexpr std::string_view kPlainKeyMagic = "TARNMK1P";
constexpr std::string_view kSealedKeyMagic = "TARNMK1S";
constexpr std::string_view kWrapMagic = "TARNWRP1";
constexpr std::string_view kDataKeyAad = "tarn data key";
constexpr std::string_view kSecretAad = "tarn secret";
// magic (8) | version (u32 LE) | created (i64 LE)
constexpr size_t kKeyFileHeaderBytes = 8 + 4 + 8;
constexpr size_t kPlainKeyFileBytes = kKeyFileHeaderBytes + kAeadKeyBytes;
constexpr size_t kSealedKeyFileBytes =
    kKeyFileHeaderBytes + kAeadNonceBytes + kAeadKeyBytes + kAeadTagBytes;
// magic (8) | version (u32 LE) | wrapped key (60)
constexpr size_t kWrapFileBytes = 8 + 4 + kWrappedKeyBytes;
constexpr size_t kSecretHeaderBytes = 4 + kAeadNonceBytes;

void AppendU32(uint32_t value, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void AppendU64(uint64_t value, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint32_t ReadU32(const char* p) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(p[i]);
  return value;
}

uint64_t ReadU64(const char* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(p[i]);
  return value;
}

std::string HexOf(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view AsView(const AeadKey& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

std::string DataKeyAad(const DataKeyId& id, uint32_t version) {
  std::string aad(kDataKeyAad);
  aad.append(reinterpret_cast<const char*>(id.data()), id.size());
  AppendU32(version, &aad);
  return aad;
}

// nonce | ciphertext of the key | tag, authenticated with the id and the master key version.
Result<std::string> WrapKey(const AeadKey& master, const DataKeyId& id, uint32_t version,
                            const AeadKey& key) {
  AeadNonce nonce;
  TARN_RETURN_IF_ERROR(RandomBytes(nonce.data(), nonce.size()));
  std::string wrapped(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  TARN_RETURN_IF_ERROR(AeadSeal(master, nonce, DataKeyAad(id, version), AsView(key), &wrapped));
  return wrapped;
}

Result<AeadKey> UnwrapKey(const AeadKey& master, const DataKeyId& id, uint32_t version,
                          std::string_view wrapped) {
  AeadNonce nonce;
  std::memcpy(nonce.data(), wrapped.data(), nonce.size());
  AeadKey key;
  const Status status =
      AeadOpen(master, nonce, DataKeyAad(id, version), wrapped.substr(kAeadNonceBytes),
               reinterpret_cast<char*>(key.data()));
  if (!status.ok()) {
    SecureZero(key.data(), key.size());
    return status;
  }
  return key;
}

// Reads a whole small file; kNotFound when it does not exist, kCorruption when it is larger
// than `limit` bytes.
Result<std::string> ReadSmallFile(const std::string& path, size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open '" + path + "'");
  std::string data(limit + 1, '\0');
  size_t used = 0;
  Status status;
  while (used < data.size()) {
    const ssize_t n = ::read(fd, data.data() + used, data.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = ErrnoStatus(errno, "cannot read '" + path + "'");
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  TARN_RETURN_IF_ERROR(status);
  if (used > limit) {
    return Corruption(fmt::format("'{}' is larger than the {} bytes it can be", path, limit));
  }
  data.resize(used);
  return data;
}

Status MakePrivateFolder(const std::string& folder) {
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "cannot create folder '" + folder + "'");
  }
  // Also tightens a folder made by something else; the keys must not be listable by others.
  if (::chmod(folder.c_str(), 0700) != 0) {
    return ErrnoStatus(errno, "cannot set mode 0700 on '" + folder + "'");
  }
  return Status::Ok();
}

struct MasterKey {
  AeadKey key{};
  int64_t created = 0;
};

struct StoredWrap {
  uint32_t version = 0;
  std::string wrapped;
};

}  // namespace

Result<AeadKey> ParseOperatorKey(std::string_view text, std::string_view origin) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  text = first == std::string_view::npos ? std::string_view() : text.substr(first);
  text = text.substr(0, text.find_last_not_of(kSpace) + 1);
  AeadKey key;
  if (text.size() == 2 * kAeadKeyBytes) {
    bool hex = true;
    for (size_t i = 0; i < kAeadKeyBytes && hex; ++i) {
      const int high = HexDigit(text[2 * i]);
      const int low = HexDigit(text[2 * i + 1]);
      hex = high >= 0 && low >= 0;
      key[i] = static_cast<uint8_t>(high * 16 + low);
    }
    if (hex) return key;
  }
  // The message never repeats the text: it may be a mistyped key.
  Result<std::string> decoded = DecodeBase64(text);
  if (!decoded.ok() || decoded->size() != kAeadKeyBytes) {
    if (decoded.ok()) SecureZero(decoded->data(), decoded->size());
    return InvalidArgument(fmt::format(
        "{}: an operator key must be 64 hex digits or the base64 of 32 bytes (got {} characters)",
        origin, text.size()));
  }
  std::memcpy(key.data(), decoded->data(), key.size());
  SecureZero(decoded->data(), decoded->size());
  return key;
}

Result<KeyringOptions> KeyringOptionsFrom(const std::string& key_file) {
  KeyringOptions options;
  if (!key_file.empty()) {
    Result<std::string> text = ReadSmallFile(key_file, 4096);
    if (!text.ok()) return text.status().WithContext("operator key file");
    Result<AeadKey> key = ParseOperatorKey(*text, key_file);
    SecureZero(text->data(), text->size());
    if (!key.ok()) return key.status();
    options.operator_key = *key;
    return options;
  }
  if (const char* env = std::getenv("TARN_MASTER_KEY"); env != nullptr) {
    TARN_ASSIGN_OR_RETURN(options.operator_key, ParseOperatorKey(env, "TARN_MASTER_KEY"));
  }
  return options;
}

class Keyring::Impl {
 public:
  Impl(std::string folder, const KeyringOptions& options)
      : folder_(std::move(folder)),
        wraps_(folder_ + "/wraps"),
        operator_key_(options.operator_key) {}

  ~Impl() {
    for (auto& [version, master] : keys_) SecureZero(master.key.data(), master.key.size());
    if (operator_key_) SecureZero(operator_key_->data(), operator_key_->size());
  }

  // Creates the folders and version 1 when there is none; loads every version.
  // An exclusive flock on LAKE/_tarn/keys/.lock, held by creation, rotation and retirement so
  // that processes sharing a lake agree on the versions.
  Result<std::unique_ptr<FileLock>> LockFolder() const {
    return FileLock::Acquire(folder_ + "/.lock", FileLock::Wait::kBlock);
  }

  Status Init() {
    TARN_RETURN_IF_ERROR(MakePrivateFolder(folder_));
    TARN_RETURN_IF_ERROR(MakePrivateFolder(wraps_));
    TARN_ASSIGN_OR_RETURN(auto lock, LockFolder());
    TARN_ASSIGN_OR_RETURN(auto loaded, LoadAll());
    if (loaded.empty()) {
      TARN_ASSIGN_OR_RETURN(MasterKey created, Create(1));
      loaded.emplace(1, created);
    }
    Replace(std::move(loaded));
    return Status::Ok();
  }

  uint32_t active() const {
    std::lock_guard<std::mutex> guard(mu_);
    return active_;
  }

  std::vector<MasterKeyInfo> Versions() const {
    std::lock_guard<std::mutex> guard(mu_);
    std::vector<MasterKeyInfo> out;
    for (const auto& [version, master] : keys_) {
      out.push_back({version, master.created, version == active_});
    }
    return out;
  }

  // The active version and its key. Another process may have rotated since: a file for the
  // next version makes this one reload first, so new data keys follow the newest master key.
  Result<std::pair<uint32_t, AeadKey>> Active() {
    struct stat info;
    if (::stat(KeyPath(active() + 1).c_str(), &info) == 0) TARN_RETURN_IF_ERROR(Refresh());
    std::lock_guard<std::mutex> guard(mu_);
    return std::make_pair(active_, keys_.at(active_).key);
  }

  // A version's key, loading it from its file when another process created it since.
  Result<AeadKey> Master(uint32_t version) {
    {
      std::lock_guard<std::mutex> guard(mu_);
      auto it = keys_.find(version);
      if (it != keys_.end()) return it->second.key;
    }
    Result<MasterKey> loaded = Load(version);
    if (!loaded.ok()) {
      if (loaded.status().code() != StatusCode::kNotFound) return loaded.status();
      return NotFound(
          fmt::format("master key version {} is not in the keyring {} (retired, or "
                      "never created here)",
                      version, folder_));
    }
    std::lock_guard<std::mutex> guard(mu_);
    keys_.emplace(version, *loaded);
    active_ = std::max(active_, version);
    return loaded->key;
  }

  Result<uint32_t> Rotate() {
    TARN_ASSIGN_OR_RETURN(auto lock, LockFolder());
    TARN_ASSIGN_OR_RETURN(auto loaded, LoadAll());
    // The active version is never retired, so the highest file is the highest version ever
    // made and numbers are not reused.
    const uint32_t next = loaded.empty() ? 1 : loaded.rbegin()->first + 1;
    TARN_ASSIGN_OR_RETURN(MasterKey created, Create(next));
    loaded.emplace(next, created);
    Replace(std::move(loaded));
    return next;
  }

  Status Retire(uint32_t version) {
    TARN_ASSIGN_OR_RETURN(auto lock, LockFolder());
    TARN_ASSIGN_OR_RETURN(auto loaded, LoadAll());
    if (loaded.find(version) == loaded.end()) {
      return NotFound(
          fmt::format("master key version {} is not in the keyring {}", version, folder_));
    }
    if (version == loaded.rbegin()->first) {
      return InvalidArgument(fmt::format(
          "master key version {} is the active version and cannot be retired (rotate first)",
          version));
    }
    const std::string path = KeyPath(version);
    if (::unlink(path.c_str()) != 0) return ErrnoStatus(errno, "cannot delete '" + path + "'");
    TARN_RETURN_IF_ERROR(SyncFolder(folder_));
    auto node = loaded.extract(version);
    SecureZero(node.mapped().key.data(), node.mapped().key.size());
    Replace(std::move(loaded));
    return Status::Ok();
  }

  // The re-wrapping kept for `id`, if any.
  Result<std::optional<StoredWrap>> ReadWrap(const DataKeyId& id) {
    const std::string path = WrapPath(id);
    Result<std::string> data = ReadSmallFile(path, kWrapFileBytes);
    if (!data.ok()) {
      if (data.status().code() == StatusCode::kNotFound) return std::optional<StoredWrap>();
      return data.status();
    }
    if (data->size() != kWrapFileBytes || std::string_view(*data).substr(0, 8) != kWrapMagic) {
      return Corruption(
          fmt::format("'{}' is not a tarn wrapped key file ({} bytes, expected {} "
                      "starting with {})",
                      path, data->size(), kWrapFileBytes, kWrapMagic));
    }
    return std::optional<StoredWrap>(StoredWrap{ReadU32(data->data() + 8), data->substr(12)});
  }

  Status WriteWrap(const DataKeyId& id, uint32_t version, std::string_view wrapped) {
    std::string data(kWrapMagic);
    AppendU32(version, &data);
    data.append(wrapped);
    return WriteFileAtomically(WrapPath(id), data, Replace::kYes);
  }

  std::string WrapPath(const DataKeyId& id) const {
    return wraps_ + "/" + HexOf(id.data(), id.size());
  }

 private:
  std::string KeyPath(uint32_t version) const {
    return fmt::format("{}/master-{}.key", folder_, version);
  }

  void Replace(std::map<uint32_t, MasterKey> loaded) {
    std::lock_guard<std::mutex> guard(mu_);
    for (auto& [version, master] : keys_) SecureZero(master.key.data(), master.key.size());
    keys_ = std::move(loaded);
    active_ = keys_.empty() ? 0 : keys_.rbegin()->first;
  }

  Status Refresh() {
    TARN_ASSIGN_OR_RETURN(auto lock, LockFolder());
    TARN_ASSIGN_OR_RETURN(auto loaded, LoadAll());
    if (loaded.empty()) return NotFound("the keyring " + folder_ + " has no master key any more");
    Replace(std::move(loaded));
    return Status::Ok();
  }

  // Every master-<N>.key in the folder.
  Result<std::map<uint32_t, MasterKey>> LoadAll() {
    std::map<uint32_t, MasterKey> loaded;
    DIR* dir = ::opendir(folder_.c_str());
    if (dir == nullptr) return ErrnoStatus(errno, "cannot list '" + folder_ + "'");
    std::vector<uint32_t> versions;
    while (const dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name.size() < 12 || name.substr(0, 7) != "master-" ||
          name.substr(name.size() - 4) != ".key") {
        continue;
      }
      const std::string_view digits = name.substr(7, name.size() - 11);
      uint64_t version = 0;
      bool valid = !digits.empty() && digits.size() <= 10 && digits[0] != '0';
      for (char c : digits) {
        valid = valid && c >= '0' && c <= '9';
        version = version * 10 + static_cast<uint64_t>(c - '0');
      }
      if (valid && version <= UINT32_MAX) versions.push_back(static_cast<uint32_t>(version));
    }
    ::closedir(dir);
    for (uint32_t version : versions) {
      TARN_ASSIGN_OR_RETURN(MasterKey master, Load(version));
      loaded.emplace(version, master);
    }
    return loaded;
  }

  // Reads and checks master-<version>.key; kNotFound when the file is absent.
  Result<MasterKey> Load(uint32_t version) {
    const std::string path = KeyPath(version);
    TARN_ASSIGN_OR_RETURN(std::string data, ReadSmallFile(path, kSealedKeyFileBytes));
    const std::string_view view = data;
    const bool sealed = view.size() == kSealedKeyFileBytes && view.substr(0, 8) == kSealedKeyMagic;
    if (!sealed && (view.size() != kPlainKeyFileBytes || view.substr(0, 8) != kPlainKeyMagic)) {
      return Corruption(
          fmt::format("'{}' is not a tarn master key file ({} bytes)", path, data.size()));
    }
    if (ReadU32(data.data() + 8) != version) {
      return Corruption(fmt::format("'{}' holds master key version {}, not {}", path,
                                    ReadU32(data.data() + 8), version));
    }
    MasterKey master;
    master.created = static_cast<int64_t>(ReadU64(data.data() + 12));
    const std::string_view body = view.substr(kKeyFileHeaderBytes);
    if (!sealed) {
      if (operator_key_) {
        SecureZero(data.data(), data.size());
        return Status(StatusCode::kPermissionDenied,
                      fmt::format("'{}' is not sealed, but an operator key was given: the "
                                  "keyring was made without one",
                                  path));
      }
      std::memcpy(master.key.data(), body.data(), master.key.size());
    } else {
      if (!operator_key_) {
        return Status(StatusCode::kPermissionDenied,
                      fmt::format("'{}' is sealed under an operator key: set TARN_MASTER_KEY or "
                                  "give the key file",
                                  path));
      }
      AeadNonce nonce;
      std::memcpy(nonce.data(), body.data(), nonce.size());
      const Status opened =
          AeadOpen(*operator_key_, nonce, view.substr(0, kKeyFileHeaderBytes),
                   body.substr(kAeadNonceBytes), reinterpret_cast<char*>(master.key.data()));
      if (!opened.ok()) {
        SecureZero(master.key.data(), master.key.size());
        return Status(StatusCode::kPermissionDenied,
                      fmt::format("'{}': the operator key does not open this master key (wrong "
                                  "key, or the file was changed)",
                                  path));
      }
    }
    SecureZero(data.data(), data.size());
    return master;
  }

  // Makes master-<version>.key with a fresh key. link() never replaces a file, so two
  // processes cannot both make the same version.
  Result<MasterKey> Create(uint32_t version) {
    MasterKey master;
    TARN_ASSIGN_OR_RETURN(master.key, RandomKey());
    master.created = static_cast<int64_t>(std::time(nullptr));
    std::string data(operator_key_ ? kSealedKeyMagic : kPlainKeyMagic);
    AppendU32(version, &data);
    AppendU64(static_cast<uint64_t>(master.created), &data);
    if (operator_key_) {
      AeadNonce nonce;
      TARN_RETURN_IF_ERROR(RandomBytes(nonce.data(), nonce.size()));
      const std::string header = data;
      data.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
      TARN_RETURN_IF_ERROR(AeadSeal(*operator_key_, nonce, header, AsView(master.key), &data));
    } else {
      data.append(AsView(master.key));
    }
    const Status written = WriteFileAtomically(KeyPath(version), data, Replace::kNever);
    SecureZero(data.data(), data.size());
    TARN_RETURN_IF_ERROR(written);
    return master;
  }

  const std::string folder_;
  const std::string wraps_;
  std::optional<AeadKey> operator_key_;
  mutable std::mutex mu_;
  std::map<uint32_t, MasterKey> keys_;  // Guarded by mu_.
  uint32_t active_ = 0;                 // Guarded by mu_.
};

Result<std::shared_ptr<Keyring>> Keyring::Open(const std::string& lake_root,
                                               const KeyringOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(lake_root + "/_tarn", error);
  if (error) {
    return Internal(fmt::format("cannot create {}/_tarn: {}", lake_root, error.message()));
  }
  auto impl = std::make_unique<Impl>(lake_root + "/_tarn/keys", options);
  TARN_RETURN_IF_ERROR(impl->Init());
  return std::shared_ptr<Keyring>(new Keyring(std::move(impl)));
}

Keyring::Keyring(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Keyring::~Keyring() = default;

uint32_t Keyring::active_version() const { return impl_->active(); }

std::vector<MasterKeyInfo> Keyring::Versions() const { return impl_->Versions(); }

Result<DataKey> Keyring::NewDataKey() {
  TARN_ASSIGN_OR_RETURN(auto active, impl_->Active());
  DataKey data_key;
  data_key.version = active.first;
  TARN_ASSIGN_OR_RETURN(data_key.key, RandomKey());
  TARN_RETURN_IF_ERROR(RandomBytes(data_key.id.data(), data_key.id.size()));
  TARN_ASSIGN_OR_RETURN(data_key.wrapped,
                        WrapKey(active.second, data_key.id, data_key.version, data_key.key));
  SecureZero(active.second.data(), active.second.size());
  return data_key;
}

Result<AeadKey> Keyring::UnwrapDataKey(const DataKeyId& id, uint32_t version,
                                       std::string_view wrapped) {
  const std::string hex_id = HexOf(id.data(), id.size());
  if (wrapped.size() != kWrappedKeyBytes) {
    return Corruption(fmt::format("wrapped data key {} is {} bytes, expected {}", hex_id,
                                  wrapped.size(), kWrappedKeyBytes));
  }
  // Re-wrappings are always made under the version active at the time, which is newer than
  // the one they replace, so a key wrapped under the active version has none.
  if (version != impl_->active()) {
    TARN_ASSIGN_OR_RETURN(std::optional<StoredWrap> rewrap, impl_->ReadWrap(id));
    if (rewrap) {
      Result<AeadKey> master = impl_->Master(rewrap->version);
      if (master.ok()) {
        Result<AeadKey> key = UnwrapKey(*master, id, rewrap->version, rewrap->wrapped);
        SecureZero(master->data(), master->size());
        if (!key.ok()) {
          return Corruption(
              fmt::format("'{}' does not unwrap under master key version {} (the "
                          "file was changed or belongs to another id)",
                          impl_->WrapPath(id), rewrap->version));
        }
        return key;
      }
      if (master.status().code() != StatusCode::kNotFound) return master.status();
    }
  }
  TARN_ASSIGN_OR_RETURN(AeadKey master, impl_->Master(version));
  Result<AeadKey> key = UnwrapKey(master, id, version, wrapped);
  SecureZero(master.data(), master.size());
  if (!key.ok()) {
    return Corruption(
        fmt::format("data key {} does not unwrap under master key version {} (its "
                    "id, version or wrapped bytes were changed)",
                    hex_id, version));
  }
  return key;
}

bool Keyring::HasRewrap(const DataKeyId& id) const {
  Result<std::optional<StoredWrap>> rewrap = impl_->ReadWrap(id);
  if (!rewrap.ok() || !rewrap->has_value()) return false;
  Result<AeadKey> master = impl_->Master((*rewrap)->version);
  if (!master.ok()) return false;
  SecureZero(master->data(), master->size());
  return true;
}

Result<uint32_t> Keyring::Rotate() { return impl_->Rotate(); }

Status Keyring::Rewrap(const DataKeyId& id, uint32_t version, std::string_view wrapped) {
  TARN_ASSIGN_OR_RETURN(AeadKey key, UnwrapDataKey(id, version, wrapped));
  TARN_ASSIGN_OR_RETURN(auto active, impl_->Active());
  Status status;
  if (version != active.first) {
    TARN_ASSIGN_OR_RETURN(std::optional<StoredWrap> existing, impl_->ReadWrap(id));
    if (!existing || existing->version != active.first) {
      Result<std::string> rewrapped = WrapKey(active.second, id, active.first, key);
      status = rewrapped.ok() ? impl_->WriteWrap(id, active.first, *rewrapped) : rewrapped.status();
    }
  }
  SecureZero(key.data(), key.size());
  SecureZero(active.second.data(), active.second.size());
  return status;
}

Status Keyring::Retire(uint32_t version) { return impl_->Retire(version); }

Result<std::string> Keyring::SealSecret(std::string_view secret, std::string_view context) {
  TARN_ASSIGN_OR_RETURN(auto active, impl_->Active());
  AeadNonce nonce;
  TARN_RETURN_IF_ERROR(RandomBytes(nonce.data(), nonce.size()));
  std::string sealed;
  AppendU32(active.first, &sealed);
  sealed.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  std::string aad(kSecretAad);
  aad.append(sealed, 0, 4);
  aad.append(context);
  const Status status = AeadSeal(active.second, nonce, aad, secret, &sealed);
  SecureZero(active.second.data(), active.second.size());
  TARN_RETURN_IF_ERROR(status);
  std::string out;
  AppendBase64(sealed, &out);
  return out;
}

Result<std::string> Keyring::OpenSecret(std::string_view sealed, std::string_view context) {
  Result<std::string> bytes = DecodeBase64(sealed);
  if (!bytes.ok()) return bytes.status().WithContext("sealed secret");
  if (bytes->size() < kSecretHeaderBytes + kAeadTagBytes) {
    return Corruption(fmt::format("sealed secret is {} bytes, shorter than the {} it needs",
                                  bytes->size(), kSecretHeaderBytes + kAeadTagBytes));
  }
  const uint32_t version = ReadU32(bytes->data());
  TARN_ASSIGN_OR_RETURN(AeadKey master, impl_->Master(version));
  AeadNonce nonce;
  std::memcpy(nonce.data(), bytes->data() + 4, nonce.size());
  std::string aad(kSecretAad);
  aad.append(*bytes, 0, 4);
  aad.append(context);
  std::string secret(bytes->size() - kSecretHeaderBytes - kAeadTagBytes, '\0');
  const Status status = AeadOpen(
      master, nonce, aad, std::string_view(*bytes).substr(kSecretHeaderBytes), secret.data());
  SecureZero(master.data(), master.size());
  if (!status.ok()) {
    return Corruption(
        fmt::format("sealed secret does not open for '{}' (it was sealed for "
                    "another record, or changed)",
                    context));
  }
  return secret;
}

}  // namespace tarn::storage
