#include "delivery/wal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <isa-l/crc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/files.h"

namespace tarn::delivery {
namespace {

namespace fs = std::filesystem;

constexpr uint8_t kRecord = 1;
constexpr uint8_t kCheckpoint = 2;
constexpr uint8_t kKey = 3;            // An encrypted segment's data key (docs/wal.md).
constexpr uint8_t kSealedRecord = 4;   // A record sealed under the segment's data key.
constexpr size_t kKeyPayload = 4 + storage::kDataKeyIdBytes + storage::kWrappedKeyBytes;
constexpr size_t kHeader = 8;    // length + crc
constexpr size_t kBody = 1 + 8;  // type + sequence

uint32_t Crc(std::string_view bytes) {
  return crc32_iscsi(reinterpret_cast<unsigned char*>(const_cast<char*>(bytes.data())),
                     static_cast<int>(bytes.size()), 0);
}

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// An entry: length and CRC of the body, then the body (type, sequence, prefix, payload). Built
// in place in `out`, so that a record's bytes are copied once.
void AppendEntry(std::string* out, uint8_t type, uint64_t sequence, std::string_view prefix,
                 std::string_view payload) {
  const size_t header = out->size();
  Put(out, static_cast<uint32_t>(kBody + prefix.size() + payload.size()));
  Put(out, uint32_t{0});
  const size_t body = out->size();
  out->push_back(static_cast<char>(type));
  Put(out, sequence);
  out->append(prefix);
  out->append(payload);
  const uint32_t crc = Crc(std::string_view(*out).substr(body));
  std::memcpy(out->data() + header + 4, &crc, sizeof(crc));
}

void AppendEntry(std::string* out, uint8_t type, uint64_t sequence, std::string_view payload) {
  AppendEntry(out, type, sequence, {}, payload);
}

AeadNonce NonceOf(uint64_t counter) {
  AeadNonce nonce{};
  std::memcpy(nonce.data(), &counter, sizeof(counter));
  return nonce;
}

// What a sealed record authenticates besides its bytes: its sequence and arrival time, so an
// entry cannot be moved to another place in the log.
std::string RecordAad(uint64_t sequence, int64_t arrival) {
  std::string aad("tarn wal record");
  Put(&aad, sequence);
  Put(&aad, arrival);
  return aad;
}

Result<WalSegmentKey> ParseKeyPayload(std::string_view payload, const std::string& path,
                                      size_t offset) {
  if (payload.size() != kKeyPayload) {
    return Corruption(fmt::format("write-ahead log segment '{}': key entry at offset {} has {} "
                                  "bytes, expected {}",
                                  path, offset, payload.size(), kKeyPayload));
  }
  WalSegmentKey key;
  key.version = Get<uint32_t>(payload.data());
  std::memcpy(key.id.data(), payload.data() + 4, key.id.size());
  key.wrapped = std::string(payload.substr(4 + key.id.size()));
  return key;
}

std::string SegmentName(uint64_t first_sequence) {
  return fmt::format("{:020}.wal", first_sequence);
}

}  // namespace

Result<std::unique_ptr<WriteAheadLog>> WriteAheadLog::Open(const std::string& folder,
                                                           const WalOptions& options,
                                                           std::vector<WalRecord>* replayed,
                                                           std::vector<std::string>* warnings) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return ErrnoStatus(ec.value(), "creating '" + folder + "'");
  std::unique_ptr<WriteAheadLog> wal(new WriteAheadLog(folder, options));
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 24 || !name.ends_with(".wal")) continue;
    uint64_t first = 0;
    bool digits = true;
    for (size_t i = 0; i < 20; ++i) {
      if (name[i] < '0' || name[i] > '9') digits = false;
      first = first * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    if (digits) wal->segments_.emplace_back(first, entry.path().string());
  }
  if (ec) return ErrnoStatus(ec.value(), "listing '" + folder + "'");
  std::sort(wal->segments_.begin(), wal->segments_.end());

  std::vector<WalRecord> pending;
  uint64_t last_sequence = 0;
  for (size_t s = 0; s < wal->segments_.size(); ++s) {
    const std::string& path = wal->segments_[s].second;
    const bool newest = s + 1 == wal->segments_.size();
    std::ifstream in(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return ErrnoStatus(errno, "reading '" + path + "'");
    size_t pos = 0;
    std::string damage;
    // The segment's newest key entry, and its plaintext once a record needed it: a key entry
    // that a later one replaced (a reopened segment) seals nothing and is never unwrapped.
    std::optional<WalSegmentKey> key_entry;
    size_t key_offset = 0;
    std::optional<AeadKey> key;
    while (pos < data.size()) {
      if (data.size() - pos < kHeader) {
        damage = "entry header cut short";
        break;
      }
      const uint32_t length = Get<uint32_t>(data.data() + pos);
      const uint32_t crc = Get<uint32_t>(data.data() + pos + 4);
      if (length < kBody || length > data.size() - pos - kHeader) {
        damage = fmt::format("entry length {} does not fit", length);
        break;
      }
      const std::string_view body(data.data() + pos + kHeader, length);
      if (Crc(body) != crc) {
        damage = "checksum mismatch";
        break;
      }
      const uint8_t type = static_cast<uint8_t>(body[0]);
      const uint64_t sequence = Get<uint64_t>(body.data() + 1);
      if (type == kRecord) {
        if (length < kBody + 8 || sequence <= last_sequence) {
          damage = fmt::format("record {} out of order or too short", sequence);
          break;
        }
        last_sequence = sequence;
        pending.push_back(
            {sequence, Get<int64_t>(body.data() + kBody), std::string(body.substr(kBody + 8))});
      } else if (type == kSealedRecord) {
        constexpr size_t kFixed = kBody + 8 + 8;  // + arrival + nonce counter
        if (length < kFixed + kAeadTagBytes || sequence <= last_sequence) {
          damage = fmt::format("record {} out of order or too short", sequence);
          break;
        }
        if (!key_entry) {
          return Corruption(fmt::format(
              "write-ahead log segment '{}': encrypted record at offset {} comes before the "
              "segment's key entry",
              path, pos));
        }
        if (!key) {
          Result<AeadKey> unwrapped = options.keyring->UnwrapDataKey(
              key_entry->id, key_entry->version, key_entry->wrapped);
          if (!unwrapped.ok()) {
            return unwrapped.status().WithContext(
                fmt::format("write-ahead log segment '{}', offset {}", path, key_offset));
          }
          key = *unwrapped;
        }
        const int64_t arrival = Get<int64_t>(body.data() + kBody);
        const std::string_view sealed = body.substr(kFixed);
        std::string plain(sealed.size() - kAeadTagBytes, '\0');
        const Status opened =
            AeadOpen(*key, NonceOf(Get<uint64_t>(body.data() + kBody + 8)),
                     RecordAad(sequence, arrival), sealed, plain.data());
        if (!opened.ok()) {
          // The checksum matched, so this is not a torn write: the file was altered.
          return Corruption(fmt::format(
              "write-ahead log segment '{}': record {} at offset {} fails authentication: the "
              "file was altered or belongs to another lake",
              path, sequence, pos));
        }
        last_sequence = sequence;
        pending.push_back({sequence, arrival, std::move(plain)});
      } else if (type == kKey) {
        if (options.keyring == nullptr) {
          return Status(StatusCode::kPermissionDenied,
                        fmt::format("write-ahead log segment '{}' is encrypted and no keyring "
                                    "was given to read it",
                                    path));
        }
        TARN_ASSIGN_OR_RETURN(key_entry, ParseKeyPayload(body.substr(kBody), path, pos));
        key_offset = pos;
        key.reset();
      } else if (type == kCheckpoint) {
        wal->checkpoint_ = std::max(wal->checkpoint_, sequence);
      } else {
        damage = fmt::format("unknown entry type {}", type);
        break;
      }
      pos += kHeader + length;
    }
    if (!damage.empty()) {
      if (!newest) {
        return Corruption(fmt::format(
            "write-ahead log segment '{}' is damaged at offset {} ({}), and newer segments follow "
            "it: acknowledged records may be lost; move the file aside to start without it",
            path, pos, damage));
      }
      if (::truncate(path.c_str(), static_cast<off_t>(pos)) != 0) {
        return ErrnoStatus(errno, "truncating '" + path + "'");
      }
      warnings->push_back(fmt::format(
          "write-ahead log segment '{}': {} byte(s) after offset {} were cut off ({}), as a "
          "crash while writing leaves them",
          path, data.size() - pos, pos, damage));
    }
    if (newest) wal->segment_size_ = damage.empty() ? data.size() : pos;
  }
  wal->next_sequence_ = std::max(last_sequence, wal->checkpoint_) + 1;
  for (WalRecord& record : pending) {
    if (record.sequence > wal->checkpoint_) replayed->push_back(std::move(record));
  }
  // An encrypted log always starts a new data key: appending to a segment written before
  // could reuse a nonce of that segment's key after a torn tail was cut off.
  if (!wal->segments_.empty() && wal->segment_size_ < options.segment_bytes &&
      options.keyring == nullptr) {
    wal->segment_path_ = wal->segments_.back().second;
    wal->fd_ = ::open(wal->segment_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (wal->fd_ < 0) return ErrnoStatus(errno, "opening '" + wal->segment_path_ + "'");
  } else {
    TARN_RETURN_IF_ERROR(wal->OpenSegment(wal->next_sequence_));
  }
  return wal;
}

WriteAheadLog::~WriteAheadLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status WriteAheadLog::OpenSegment(uint64_t first_sequence) {
  if (fd_ >= 0) ::close(fd_);
  segment_path_ = (fs::path(folder_) / SegmentName(first_sequence)).string();
  fd_ = ::open(segment_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return ErrnoStatus(errno, "creating '" + segment_path_ + "'");
  // A segment that holds no record yet may be opened again (a restart right after it was
  // made): entries are appended after what it has, and a new key entry supersedes the old.
  struct stat info {};
  if (::fstat(fd_, &info) != 0) return ErrnoStatus(errno, "reading '" + segment_path_ + "'");
  segment_size_ = static_cast<uint64_t>(info.st_size);
  if (segments_.empty() || segments_.back().second != segment_path_) {
    segments_.emplace_back(first_sequence, segment_path_);
  }
  if (options_.durability == Durability::kSync) TARN_RETURN_IF_ERROR(SyncFolder(folder_));
  segment_key_.reset();
  if (options_.keyring == nullptr) return Status::Ok();
  TARN_ASSIGN_OR_RETURN(storage::DataKey key, options_.keyring->NewDataKey());
  std::string payload;
  Put(&payload, key.version);
  payload.append(reinterpret_cast<const char*>(key.id.data()), key.id.size());
  payload.append(key.wrapped);
  std::string entry;
  AppendEntry(&entry, kKey, 0, payload);
  TARN_RETURN_IF_ERROR(WriteToSegment(entry));
  segment_key_ = key.key;
  next_nonce_ = 0;
  return Status::Ok();
}

Status WriteAheadLog::Write(std::string_view bytes) {
  if (segment_size_ > 0 && segment_size_ + bytes.size() > options_.segment_bytes) {
    TARN_RETURN_IF_ERROR(OpenSegment(next_sequence_));
  }
  return WriteToSegment(bytes);
}

Status WriteAheadLog::WriteToSegment(std::string_view bytes) {
  // On failure (a full disk) the segment is cut back to where it was, so that no partial
  // entry stays before the next append and the failed records are not acknowledged.
  const auto fail = [this](std::string_view what) {
    const int error = errno;
    if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) == 0) {
      ::lseek(fd_, static_cast<off_t>(segment_size_), SEEK_SET);
    }
    return ErrnoStatus(error, fmt::format("{} '{}'", what, segment_path_));
  };
  std::string_view left = bytes;
  while (!left.empty()) {
    const ssize_t n = ::write(fd_, left.data(), left.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("writing");
    }
    left.remove_prefix(static_cast<size_t>(n));
  }
  if (options_.durability == Durability::kSync && ::fdatasync(fd_) != 0) return fail("syncing");
  segment_size_ += bytes.size();
  return Status::Ok();
}

Result<std::vector<uint64_t>> WriteAheadLog::Append(
    const std::vector<std::pair<int64_t, std::string_view>>& records) {
  std::string bytes;
  size_t total = 0;
  for (const auto& record : records) {
    total += kHeader + kBody + 8 + record.second.size() + (segment_key_ ? 8 + kAeadTagBytes : 0);
  }
  bytes.reserve(total);
  std::vector<uint64_t> sequences;
  sequences.reserve(records.size());
  uint64_t sequence = next_sequence_;
  // The segment changes before sealing when this append would not fit, so that records are
  // sealed under the key of the segment they land in.
  if (segment_size_ > 0 && segment_size_ + total > options_.segment_bytes) {
    TARN_RETURN_IF_ERROR(OpenSegment(next_sequence_));
  }
  for (const auto& [arrival, data] : records) {
    if (segment_key_) {
      TARN_RETURN_IF_ERROR(AppendSealed(&bytes, sequence, arrival, data));
    } else {
      char stamp[sizeof(arrival)];
      std::memcpy(stamp, &arrival, sizeof(arrival));
      AppendEntry(&bytes, kRecord, sequence, std::string_view(stamp, sizeof(stamp)), data);
    }
    sequences.push_back(sequence++);
  }
  TARN_RETURN_IF_ERROR(WriteToSegment(bytes));
  next_sequence_ = sequence;
  return sequences;
}

Status WriteAheadLog::AppendSealed(std::string* out, uint64_t sequence, int64_t arrival,
                                   std::string_view data) {
  const uint64_t counter = next_nonce_++;
  const size_t header = out->size();
  Put(out, uint32_t{0});
  Put(out, uint32_t{0});
  const size_t body = out->size();
  out->push_back(static_cast<char>(kSealedRecord));
  Put(out, sequence);
  Put(out, arrival);
  Put(out, counter);
  TARN_RETURN_IF_ERROR(
      AeadSeal(*segment_key_, NonceOf(counter), RecordAad(sequence, arrival), data, out));
  const auto length = static_cast<uint32_t>(out->size() - body);
  const uint32_t crc = Crc(std::string_view(*out).substr(body));
  std::memcpy(out->data() + header, &length, sizeof(length));
  std::memcpy(out->data() + header + 4, &crc, sizeof(crc));
  return Status::Ok();
}

Status WriteAheadLog::Checkpoint(uint64_t sequence) {
  if (sequence >= next_sequence_) {
    return InvalidArgument(
        fmt::format("checkpoint {} is past the last record {}", sequence, next_sequence_ - 1));
  }
  std::string bytes;
  AppendEntry(&bytes, kCheckpoint, sequence, {});
  TARN_RETURN_IF_ERROR(Write(bytes));
  checkpoint_ = std::max(checkpoint_, sequence);
  return Trim();
}

Status WriteAheadLog::Trim() {
  // A segment holds records before the next segment's first sequence; the current segment
  // (which holds the checkpoint) always stays.
  size_t removed = 0;
  while (segments_.size() - removed > 1 && segments_[removed + 1].first - 1 <= checkpoint_) {
    if (::unlink(segments_[removed].second.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "removing '" + segments_[removed].second + "'");
    }
    ++removed;
  }
  if (removed == 0) return Status::Ok();
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<long>(removed));
  return options_.durability == Durability::kSync ? SyncFolder(folder_) : Status::Ok();
}

}  // namespace tarn::delivery

namespace tarn::delivery {

Result<std::optional<WalSegmentKey>> ReadWalSegmentKey(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(errno, "opening '" + path + "'");
  // Key entries come before the segment's records (checkpoints may sit between them), and the
  // last one wins (see OpenSegment), so the walk stops at the first record instead of reading
  // the whole segment.
  std::optional<WalSegmentKey> found;
  size_t pos = 0;
  char header[kHeader + 1];
  while (in.read(header, sizeof(header))) {
    const uint32_t length = Get<uint32_t>(header);
    const auto type = static_cast<uint8_t>(header[kHeader]);
    if (length < kBody || type == kRecord || type == kSealedRecord) break;
    std::string body(length, '\0');
    body[0] = header[kHeader];
    if (!in.read(body.data() + 1, length - 1)) break;
    if (type == kKey) {
      TARN_ASSIGN_OR_RETURN(WalSegmentKey key,
                            ParseKeyPayload(std::string_view(body).substr(kBody), path, pos));
      found = std::move(key);
    }
    pos += kHeader + length;
  }
  return found;
}

}  // namespace tarn::delivery
