// AuditLog: one JSON line per Firehose API request, accepted or rejected, appended to
// LAKE/_tarn/audit/audit-YYYY-MM-DD.jsonl (the UTC day of the request; docs/security.md,
// "Audit log"). The folder is created with mode 0700 and each file with mode 0600; files are
// opened with O_APPEND and every line goes out in one write(), so lines from several processes
// never interleave and nothing already written is rewritten.
//
// A line: {"time":"2026-01-02T03:04:05.678Z","credential":"TKIA…"|"anonymous",
// "source":"127.0.0.1:51234","operation":"PutRecordBatch","stream":"events"|null,"records":3,
// "bytes":120,"outcome":"ok"|"<AWS error type>","http_status":200}
//
// Thread-safe: Append may be called from any thread; it holds a mutex around one write() (and,
// once a day, opening the next file), so a request never waits long.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

namespace tarn::ingest {

struct AuditEntry {
  int64_t time_micros = 0;  // Since the epoch, UTC.
  std::string credential = "anonymous";
  std::string source;  // "address:port".
  std::string operation;
  std::optional<std::string> stream;
  uint64_t records = 0;  // Records in a put request.
  uint64_t bytes = 0;    // Decoded record bytes of a put request.
  std::string outcome = "ok";
  int http_status = 200;
};

// The JSON line of `entry`, newline included.
std::string FormatAuditLine(const AuditEntry& entry);

class AuditLog {
 public:
  // Creates LAKE/_tarn/audit/ (mode 0700) when absent. Errors name the folder.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& lake_root);
  ~AuditLog();

  // Appends the entry's line to the file of its UTC day. Errors name the file.
  Status Append(const AuditEntry& entry);

  // LAKE/_tarn/audit.
  const std::string& folder() const;

  class Impl;

 private:
  explicit AuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
