// WriteAheadLog: a stream's durable log of accepted records (docs/wal.md). Records are
// acknowledged after Append() returns (with kSync, after fsync). Opening replays the log:
// checks every entry's CRC-32C, truncates a torn tail of the newest segment, and hands back
// the records after the last checkpoint. Not thread-safe: the stream's single writer owns it
// (group commit happens above, by batching many requests into one Append).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/aead.h"
#include "common/result.h"
#include "storage/keyring.h"

namespace tarn::delivery {

enum class Durability { kSync, kNone };  // kNone: no fsync, for benchmarks only.

struct WalOptions {
  uint64_t segment_bytes = 64ULL << 20;
  Durability durability = Durability::kSync;
  // When set, every segment this log creates is encrypted under a data key of its own, wrapped
  // by this keyring (docs/wal.md, "Encryption"); not owned. Replay needs it for encrypted
  // segments. A log opened with a keyring never appends to a segment it did not create.
  storage::Keyring* keyring = nullptr;
};

// The data key of an encrypted segment, as written in its first entry (for re-wrapping).
struct WalSegmentKey {
  uint32_t version = 0;
  storage::DataKeyId id{};
  std::string wrapped;
};
// Reads the key entry of segment file `path`; nullopt for a plaintext segment.
Result<std::optional<WalSegmentKey>> ReadWalSegmentKey(const std::string& path);

struct WalRecord {
  uint64_t sequence = 0;
  int64_t arrival_micros = 0;
  std::string data;
};

class WriteAheadLog {
 public:
  // Opens (creating) the log in `folder`. `replayed` receives the records after the last
  // checkpoint; `warnings` what was repaired (a truncated tail). Damage in an older segment is
  // kCorruption naming the file and offset.
  static Result<std::unique_ptr<WriteAheadLog>> Open(const std::string& folder,
                                                     const WalOptions& options,
                                                     std::vector<WalRecord>* replayed,
                                                     std::vector<std::string>* warnings);
  ~WriteAheadLog();

  // Appends records, giving each the next sequence number (returned in order), and makes them
  // durable before returning.
  Result<std::vector<uint64_t>> Append(
      const std::vector<std::pair<int64_t, std::string_view>>& records);

  // Records everything up to `sequence` as committed to the lake, and deletes the segments that
  // hold nothing after it.
  Status Checkpoint(uint64_t sequence);

  uint64_t next_sequence() const { return next_sequence_; }
  uint64_t checkpoint() const { return checkpoint_; }

 private:
  WriteAheadLog(std::string folder, const WalOptions& options)
      : folder_(std::move(folder)), options_(options) {}
  Status OpenSegment(uint64_t first_sequence);
  Status Write(std::string_view bytes);
  Status WriteToSegment(std::string_view bytes);  // No change of segment.
  Status Trim();
  // Seals `data` as an encrypted record entry appended to `out`.
  Status AppendSealed(std::string* out, uint64_t sequence, int64_t arrival, std::string_view data);

  std::string folder_;
  WalOptions options_;
  int fd_ = -1;
  std::string segment_path_;
  uint64_t segment_size_ = 0;
  uint64_t next_sequence_ = 1;
  uint64_t checkpoint_ = 0;
  std::vector<std::pair<uint64_t, std::string>> segments_;  // First sequence, path.
  // The current segment's data key when encrypting, and the next nonce under it: it only
  // grows, even when a failed append is cut back, so no nonce is ever used twice with a key.
  std::optional<AeadKey> segment_key_;
  uint64_t next_nonce_ = 0;
};

}  // namespace tarn::delivery
