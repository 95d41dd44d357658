#include "ingest/credentials.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>

#include "common/aead.h"
#include "common/byte_sink.h"
#include "common/civil_time.h"
#include "common/files.h"
#include "common/json_text.h"
#include "ingest/firehose_messages.h"

namespace tarn::ingest {
namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct Record {
  CredentialInfo info;
  std::string sealed_secret;
};

// What identifies one version of the file on disk.
struct FileVersion {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileVersion&) const = default;
};

Result<FileVersion> StatFile(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return FileVersion{};
    return ErrnoStatus(errno, "cannot read '" + path + "'");
  }
  return FileVersion{true, info.st_dev, info.st_ino, info.st_size,
                     int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec};
}

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot read '" + path + "'");
  std::string text;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "reading '" + path + "'");
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

Result<std::string> RandomString(std::string_view alphabet, size_t length) {
  std::string bytes(length, '\0');
  TARN_RETURN_IF_ERROR(RandomBytes(bytes.data(), bytes.size()));
  // Both alphabets have a power-of-two size dividing 256, so masking is unbiased.
  const size_t mask = alphabet.size() - 1;
  for (char& c : bytes) c = alphabet[static_cast<unsigned char>(c) & mask];
  return bytes;
}

std::string NowIso8601() {
  const int64_t micros = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const CivilDateTime t = CivilFromMicros(micros);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.date.year, t.date.month, t.date.day,
                     t.hour, t.minute, t.second);
}

Status ParseError(const std::string& path, std::string_view what) {
  return Corruption(fmt::format("credentials file '{}': {}", path, what));
}

Result<std::vector<Record>> ParseFile(const std::string& path, std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    return ParseError(path, "not valid JSON");
  }
  int64_t version = 0;
  if (root["version"].get(version) != simdjson::SUCCESS || version != 1) {
    return ParseError(path, "expected \"version\": 1");
  }
  simdjson::dom::array list;
  if (root["credentials"].get(list) != simdjson::SUCCESS) {
    return ParseError(path, "expected a \"credentials\" array");
  }
  std::vector<Record> records;
  size_t index = 0;
  for (simdjson::dom::element item : list) {
    const std::string where = fmt::format("credentials[{}]", index++);
    Record record;
    std::string_view name, akid, sealed, created;
    if (item["name"].get(name) != simdjson::SUCCESS ||
        item["access_key_id"].get(akid) != simdjson::SUCCESS ||
        item["sealed_secret"].get(sealed) != simdjson::SUCCESS) {
      return ParseError(path, where + ": name, access_key_id and sealed_secret must be strings");
    }
    if (item["created"].get(created) != simdjson::SUCCESS) created = "";
    bool manage = false;
    if (item["manage"].get(manage) != simdjson::SUCCESS) {
      return ParseError(path, where + ".manage: must be true or false");
    }
    simdjson::dom::array put;
    if (item["put"].get(put) != simdjson::SUCCESS) {
      return ParseError(path, where + ".put: must be an array of stream names");
    }
    for (simdjson::dom::element stream : put) {
      std::string_view value;
      if (stream.get(value) != simdjson::SUCCESS) {
        return ParseError(path, where + ".put: must be an array of stream names");
      }
      record.info.permissions.put_streams.emplace_back(value);
    }
    record.info.name = std::string(name);
    record.info.access_key_id = std::string(akid);
    record.info.permissions.manage = manage;
    record.info.created = std::string(created);
    record.sealed_secret = std::string(sealed);
    records.push_back(std::move(record));
  }
  return records;
}

std::string FormatFile(const std::vector<Record>& records) {
  std::string out = "{\n  \"version\": 1,\n  \"credentials\": [";
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    out.append(i == 0 ? "\n    {" : ",\n    {");
    out.append("\"name\": ");
    AppendJsonString(&out, r.info.name);
    out.append(", \"access_key_id\": ");
    AppendJsonString(&out, r.info.access_key_id);
    out.append(", \"created\": ");
    AppendJsonString(&out, r.info.created);
    out.append(", \"put\": [");
    for (size_t j = 0; j < r.info.permissions.put_streams.size(); ++j) {
      if (j > 0) out.append(", ");
      AppendJsonString(&out, r.info.permissions.put_streams[j]);
    }
    out.append("], \"manage\": ");
    out.append(r.info.permissions.manage ? "true" : "false");
    out.append(", \"sealed_secret\": ");
    AppendJsonString(&out, r.sealed_secret);
    out.append("}");
  }
  out.append(records.empty() ? "]\n}\n" : "\n  ]\n}\n");
  return out;
}



}  // namespace

bool Permissions::MayPut(std::string_view stream) const {
  return std::any_of(put_streams.begin(), put_streams.end(), [&](const std::string& allowed) {
    return allowed == "*" || allowed == stream;
  });
}

std::string Permissions::ToString() const {
  std::string out = "put: ";
  if (put_streams.empty()) out.append("(none)");
  for (size_t i = 0; i < put_streams.size(); ++i) {
    if (i > 0) out.append(",");
    out.append(put_streams[i]);
  }
  if (manage) out.append("; manage");
  return out;
}

Status ValidateCredentialName(std::string_view name) {
  if (name.empty()) return InvalidArgument("credential name: must not be empty");
  if (name.size() > 64) {
    return InvalidArgument(
        fmt::format("credential name '{}': {} characters, at most 64", name, name.size()));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) {
      return InvalidArgument(
          fmt::format("credential name '{}': character {} is not one of A-Z, a-z, 0-9, _, . and -",
                      name, i + 1));
    }
  }
  return Status::Ok();
}

Status ValidatePermissions(const Permissions& permissions) {
  for (const std::string& stream : permissions.put_streams) {
    if (stream != "*" && !IsValidStreamName(stream)) {
      return InvalidArgument(fmt::format(
          "--put: '{}' is not a stream name (1 to 64 characters of a-z, A-Z, 0-9, _, . and -) "
          "or '*'",
          stream));
    }
  }
  return Status::Ok();
}

class CredentialStore::Impl {
 public:
  Impl(const std::string& lake_root, std::shared_ptr<storage::SecretBox> box)
      : folder_(lake_root + "/_tarn"),
        path_(folder_ + "/credentials.json"),
        lock_path_(folder_ + "/credentials.lock"),
        box_(std::move(box)) {}

  const std::string& path() const { return path_; }

  Result<NewCredential> Create(const std::string& name, const Permissions& permissions) {
    TARN_RETURN_IF_ERROR(ValidateCredentialName(name));
    TARN_RETURN_IF_ERROR(ValidatePermissions(permissions));
    if (box_ == nullptr) return InvalidArgument("creating a credential needs the lake's keyring");
    std::error_code error;
    std::filesystem::create_directories(folder_, error);
    if (error)
      return InvalidArgument(fmt::format("cannot create '{}': {}", folder_, error.message()));
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock, FileLock::Acquire(lock_path_, FileLock::Wait::kBlock));
    TARN_ASSIGN_OR_RETURN(std::vector<Record> records, ReadRecords());
    for (const Record& r : records) {
      if (r.info.name == name) {
        return Status(StatusCode::kAlreadyExists,
                      fmt::format("a credential named '{}' exists already (access key id {}); "
                                  "revoke it first or choose another name",
                                  name, r.info.access_key_id));
      }
    }
    NewCredential created;
    created.name = name;
    do {
      TARN_ASSIGN_OR_RETURN(std::string suffix, RandomString(kBase32, kAccessKeyIdLength - 4));
      created.access_key_id = "TKIA" + suffix;
    } while (std::any_of(records.begin(), records.end(), [&](const Record& r) {
      return r.info.access_key_id == created.access_key_id;
    }));
    TARN_ASSIGN_OR_RETURN(created.secret, RandomString(kSecretAlphabet, kSecretLength));
    Record record;
    record.info.name = name;
    record.info.access_key_id = created.access_key_id;
    record.info.permissions = permissions;
    record.info.created = NowIso8601();
    TARN_ASSIGN_OR_RETURN(record.sealed_secret,
                          box_->SealSecret(created.secret, created.access_key_id));
    records.push_back(std::move(record));
    std::sort(records.begin(), records.end(),
              [](const Record& a, const Record& b) { return a.info.name < b.info.name; });
    TARN_RETURN_IF_ERROR(WriteFileAtomically(path_, FormatFile(records), Replace::kYes));
    return created;
  }

  Result<ResolvedCredential> Lookup(std::string_view access_key_id) {
    std::lock_guard lock(mu_);
    TARN_RETURN_IF_ERROR(RefreshLocked());
    for (const Record& r : records_) {
      if (r.info.access_key_id != access_key_id) continue;
      if (box_ == nullptr) {
        return InvalidArgument("looking up a credential needs the lake's keyring");
      }
      const std::string cache_key = r.info.access_key_id + '\n' + r.sealed_secret;
      auto it = opened_.find(cache_key);
      if (it == opened_.end()) {
        Result<std::string> secret = box_->OpenSecret(r.sealed_secret, r.info.access_key_id);
        if (!secret.ok()) {
          return Corruption(
              fmt::format("credentials file '{}': the secret of {} ('{}') does "
                          "not open: {}",
                          path_, r.info.access_key_id, r.info.name, secret.status().message()));
        }
        it = opened_.emplace(cache_key, std::move(*secret)).first;
      }
      return ResolvedCredential{r.info.name, r.info.access_key_id, it->second, r.info.permissions};
    }
    return NotFound(fmt::format("no credential has access key id '{}'", access_key_id));
  }

  Result<std::vector<CredentialInfo>> List() {
    std::lock_guard lock(mu_);
    TARN_RETURN_IF_ERROR(RefreshLocked());
    std::vector<CredentialInfo> out;
    for (const Record& r : records_) out.push_back(r.info);
    std::sort(out.begin(), out.end(),
              [](const CredentialInfo& a, const CredentialInfo& b) { return a.name < b.name; });
    return out;
  }

  bool HasAny() {
    std::lock_guard lock(mu_);
    if (!RefreshLocked().ok()) return true;
    return !records_.empty();
  }

  Result<CredentialInfo> Revoke(std::string_view which) {
    if (!std::filesystem::exists(path_)) {
      return NotFound(
          fmt::format("no credential is named '{}' or has that access key id "
                      "(the lake has no credentials)",
                      which));
    }
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock, FileLock::Acquire(lock_path_, FileLock::Wait::kBlock));
    TARN_ASSIGN_OR_RETURN(std::vector<Record> records, ReadRecords());
    auto it = std::find_if(records.begin(), records.end(), [&](const Record& r) {
      return r.info.name == which || r.info.access_key_id == which;
    });
    if (it == records.end()) {
      return NotFound(fmt::format("no credential is named '{}' or has that access key id", which));
    }
    CredentialInfo removed = it->info;
    records.erase(it);
    TARN_RETURN_IF_ERROR(WriteFileAtomically(path_, FormatFile(records), Replace::kYes));
    return removed;
  }

 private:
  // The records in the file now; none when it does not exist.
  Result<std::vector<Record>> ReadRecords() const {
    TARN_ASSIGN_OR_RETURN(FileVersion version, StatFile(path_));
    if (!version.exists) return std::vector<Record>();
    TARN_ASSIGN_OR_RETURN(std::string text, ReadFile(path_));
    return ParseFile(path_, text);
  }

  Status RefreshLocked() {
    TARN_ASSIGN_OR_RETURN(FileVersion version, StatFile(path_));
    if (loaded_ && version == version_) return load_status_;
    loaded_ = true;
    version_ = version;
    records_.clear();
    load_status_ = Status::Ok();
    if (!version.exists) return load_status_;
    Result<std::string> text = ReadFile(path_);
    Result<std::vector<Record>> records =
        text.ok() ? ParseFile(path_, *text) : Result<std::vector<Record>>(text.status());
    if (!records.ok()) {
      load_status_ = records.status();
      return load_status_;
    }
    records_ = std::move(*records);
    return load_status_;
  }

  const std::string folder_;
  const std::string path_;
  const std::string lock_path_;
  const std::shared_ptr<storage::SecretBox> box_;

  std::mutex mu_;
  bool loaded_ = false;                        // Guarded by mu_.
  FileVersion version_;                        // Guarded by mu_.
  Status load_status_;                         // Guarded by mu_.
  std::vector<Record> records_;                // Guarded by mu_.
  std::map<std::string, std::string> opened_;  // Guarded by mu_: "akid\nsealed" → secret.
};

CredentialStore::CredentialStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CredentialStore::~CredentialStore() = default;

Result<std::unique_ptr<CredentialStore>> CredentialStore::Open(
    const std::string& lake_root, std::shared_ptr<storage::SecretBox> box) {
  auto impl = std::make_unique<Impl>(lake_root, std::move(box));
  TARN_ASSIGN_OR_RETURN(FileVersion version, StatFile(impl->path()));
  (void)version;
  return std::unique_ptr<CredentialStore>(new CredentialStore(std::move(impl)));
}

Result<NewCredential> CredentialStore::Create(const std::string& name,
                                              const Permissions& permissions) {
  return impl_->Create(name, permissions);
}
Result<ResolvedCredential> CredentialStore::Lookup(std::string_view access_key_id) {
  return impl_->Lookup(access_key_id);
}
Result<std::vector<CredentialInfo>> CredentialStore::List() { return impl_->List(); }
bool CredentialStore::HasAny() { return impl_->HasAny(); }
Result<CredentialInfo> CredentialStore::Revoke(std::string_view name_or_access_key_id) {
  return impl_->Revoke(name_or_access_key_id);
}
const std::string& CredentialStore::path() const { return impl_->path(); }

}  // namespace tarn::ingest
