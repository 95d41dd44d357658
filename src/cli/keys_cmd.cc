// `tarn keys`: the lake's master keys (docs/encryption.md). `list` shows the versions; `rotate`
// adds a version and re-wraps every data key in the lake (objects and write-ahead log
// segments) under it, without rewriting any data; `retire V` deletes a version's key material
// once no data key depends on it alone.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/civil_time.h"
#include "delivery/wal.h"
#include "storage/encrypted_object.h"

namespace tarn::cli {
namespace {

namespace fs = std::filesystem;

// A data key found in the lake: where, and its header fields.
struct FoundKey {
  std::string where;
  storage::DataKeyId id{};
  uint32_t version = 0;
  std::string wrapped;
};

struct Inventory {
  std::vector<FoundKey> keys;
  uint64_t objects = 0;   // Encrypted objects.
  uint64_t segments = 0;  // Encrypted write-ahead log segments.
  uint64_t files = 0;     // Files looked at.
};

// Reads the header of every file in the lake's buckets and of every write-ahead log segment.
// tarn's own state other than the logs (catalog, keys, temporary files) holds no data keys.
Result<Inventory> FindDataKeys(const std::string& lake) {
  Inventory found;
  std::error_code ec;
  const fs::path root(lake);
  fs::recursive_directory_iterator it(root, ec), end;
  if (ec) return ErrnoStatus(ec.value(), fmt::format("listing the lake '{}'", lake));
  for (; it != end; it.increment(ec)) {
    if (ec) return ErrnoStatus(ec.value(), fmt::format("listing the lake '{}'", lake));
    const fs::path& path = it->path();
    const fs::path relative = path.lexically_relative(root);
    const std::string first = relative.begin()->string();
    if (first == "_tarn") {
      const auto second = std::next(relative.begin());
      if (it.depth() == 1 && second != relative.end() && second->string() != "wal") {
        it.disable_recursion_pending();
      }
      if (!it->is_regular_file(ec) || path.extension() != ".wal") continue;
      ++found.files;
      TARN_ASSIGN_OR_RETURN(std::optional<delivery::WalSegmentKey> key,
                            delivery::ReadWalSegmentKey(path.string()));
      if (!key) continue;
      ++found.segments;
      found.keys.push_back({path.string(), key->id, key->version, key->wrapped});
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    ++found.files;
    std::ifstream in(path, std::ios::binary);
    std::string header(storage::kEncryptedHeaderBytes, '\0');
    in.read(header.data(), static_cast<std::streamsize>(header.size()));
    header.resize(static_cast<size_t>(in.gcount()));
    if (!storage::LooksEncrypted(header)) continue;
    TARN_ASSIGN_OR_RETURN(storage::EncryptedHeader parsed,
                          storage::ParseEncryptedHeader(header, path.string()));
    ++found.objects;
    found.keys.push_back({path.string(), parsed.id, parsed.version, parsed.wrapped});
  }
  return found;
}

std::string Created(int64_t unix_seconds) {
  return FormatTimestamp(unix_seconds * 1000000).substr(0, 19);
}

int List(storage::Keyring& keyring) {
  fmt::print("{:>8}  {:<19}  {}\n", "version", "created (UTC)", "state");
  for (const storage::MasterKeyInfo& info : keyring.Versions()) {
    fmt::print("{:>8}  {:<19}  {}\n", info.version, Created(info.created_unix_seconds),
               info.active ? "active: wraps new data keys" : "unwraps older data keys");
  }
  return kExitOk;
}

int Rotate(storage::Keyring& keyring, const std::string& lake) {
  Result<uint32_t> version = keyring.Rotate();
  if (!version.ok()) return ReportFailure("keys rotate", version.status());
  fmt::print("tarn keys rotate: master key version {} is active; new data keys are wrapped "
             "under it\n",
             *version);
  Result<Inventory> found = FindDataKeys(lake);
  if (!found.ok()) return ReportFailure("keys rotate", found.status());
  uint64_t rewrapped = 0;
  for (const FoundKey& key : found->keys) {
    if (key.version == *version) continue;
    Status status = keyring.Rewrap(key.id, key.version, key.wrapped);
    if (!status.ok()) return ReportFailure("keys rotate", status.WithContext(key.where));
    ++rewrapped;
  }
  fmt::print(
      "tarn keys rotate: re-wrapped {} data key(s) under version {} ({} encrypted object(s), {} "
      "log segment(s) among {} file(s)); no data was rewritten. Older versions keep working "
      "until `tarn keys retire VERSION`.\n",
      rewrapped, *version, found->objects, found->segments, found->files);
  return kExitOk;
}

int Retire(storage::Keyring& keyring, const std::string& lake, uint32_t version) {
  Result<Inventory> found = FindDataKeys(lake);
  if (!found.ok()) return ReportFailure("keys retire", found.status());
  uint64_t stranded = 0;
  std::string example;
  for (const FoundKey& key : found->keys) {
    if (key.version != version || keyring.HasRewrap(key.id)) continue;
    if (stranded++ == 0) example = key.where;
  }
  if (stranded > 0) {
    PrintError("keys retire",
               fmt::format("{} data key(s) are wrapped only under master key version {} (e.g. "
                           "'{}'); retiring it would make them unreadable. Run `tarn keys "
                           "rotate` first",
                           stranded, version, example));
    return kExitFailure;
  }
  Status status = keyring.Retire(version);
  if (!status.ok()) return ReportFailure("keys retire", status);
  fmt::print("tarn keys retire: master key version {} is deleted; nothing in the lake needs "
             "it ({} data key(s) checked)\n",
             version, found->keys.size());
  return kExitOk;
}

}  // namespace

Command AddKeysCommand(CLI::App& app) {
  struct Flags {
    std::string lake = "lake";
    std::string master_key_file;
    uint32_t version = 0;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "keys", "The lake's master keys: list them, rotate to a new one, retire an old one");
  cmd->require_subcommand(1);
  cmd->fallthrough();  // --lake and --master-key-file also after the subcommand.
  cmd->add_option("--lake", flags->lake, "Lake folder")->capture_default_str();
  cmd->add_option("--master-key-file", flags->master_key_file, kMasterKeyFileHelp);
  CLI::App* list = cmd->add_subcommand("list", "Show the master key versions");
  CLI::App* rotate = cmd->add_subcommand(
      "rotate",
      "Add a master key version, make it active, and re-wrap every data key in the lake under "
      "it (data is not rewritten). A running tarn serve wraps its next data keys under the new "
      "version; `retire` refuses while anything still needs the old one");
  CLI::App* retire = cmd->add_subcommand(
      "retire", "Delete a master key version; refused while any data key needs it");
  retire->add_option("VERSION", flags->version, "The version to retire")->required();

  return {cmd, [flags, list, rotate]() -> int {
            // Never creates a keyring: a mistyped --lake must not make one somewhere else.
            Result<std::shared_ptr<storage::Keyring>> keyring =
                OpenLakeKeyring(flags->lake, flags->master_key_file, KeyringUse::kIfPresent);
            if (!keyring.ok()) return ReportFailure("keys", keyring.status());
            if (*keyring == nullptr) {
              const std::string message = fmt::format(
                  "the lake '{}' has no keyring (LAKE/_tarn/keys/ is made when the first "
                  "encrypted stream or credential needs it)",
                  flags->lake);
              if (list->parsed()) {
                fmt::print("tarn keys: {}\n", message);
                return kExitOk;
              }
              PrintError("keys", message);
              return kExitFailure;
            }
            if (list->parsed()) return List(**keyring);
            if (rotate->parsed()) return Rotate(**keyring, flags->lake);
            return Retire(**keyring, flags->lake, flags->version);
          }};
}

}  // namespace tarn::cli
