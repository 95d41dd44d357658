#include "ingest/audit_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "common/civil_time.h"
#include "common/json_text.h"

namespace tarn::ingest {

std::string FormatAuditLine(const AuditEntry& entry) {
  const CivilDateTime t = CivilFromMicros(entry.time_micros);
  std::string out =
      fmt::format("{{\"time\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\"", t.date.year,
                  t.date.month, t.date.day, t.hour, t.minute, t.second, t.micros / 1000);
  out.append(",\"credential\":");
  AppendJsonString(&out, entry.credential);
  out.append(",\"source\":");
  AppendJsonString(&out, entry.source);
  out.append(",\"operation\":");
  AppendJsonString(&out, entry.operation);
  out.append(",\"stream\":");
  if (entry.stream.has_value()) {
    AppendJsonString(&out, *entry.stream);
  } else {
    out.append("null");
  }
  out.append(fmt::format(",\"records\":{},\"bytes\":{},\"outcome\":", entry.records, entry.bytes));
  AppendJsonString(&out, entry.outcome);
  out.append(fmt::format(",\"http_status\":{}}}\n", entry.http_status));
  return out;
}

class AuditLog::Impl {
 public:
  explicit Impl(std::string folder) : folder_(std::move(folder)) {}
  ~Impl() {
    if (fd_ >= 0) ::close(fd_);
  }

  const std::string& folder() const { return folder_; }

  Status Append(const AuditEntry& entry) {
    const std::string line = FormatAuditLine(entry);
    const CivilDate today = CivilFromMicros(entry.time_micros).date;
    const int64_t day = DaysFromCivil(today.year, today.month, today.day);
    std::lock_guard lock(mu_);
    if (fd_ < 0 || day != day_) {
      std::string path = fmt::format("{}/audit-{:04}-{:02}-{:02}.jsonl", folder_, today.year,
                                     today.month, today.day);
      const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) return ErrnoStatus(errno, "cannot open audit log '" + path + "'");
      if (fd_ >= 0) ::close(fd_);
      fd_ = fd;
      day_ = day;
      path_ = std::move(path);
    }
    // One write() per line: with O_APPEND the line lands whole at the end of the file.
    ssize_t written;
    do {
      written = ::write(fd_, line.data(), line.size());
    } while (written < 0 && errno == EINTR);
    if (written < 0) return ErrnoStatus(errno, "writing audit log '" + path_ + "'");
    if (static_cast<size_t>(written) != line.size()) {
      return Status(
          StatusCode::kResourceExhausted,
          fmt::format("audit log '{}': short write ({} of {} bytes)", path_, written, line.size()));
    }
    return Status::Ok();
  }

 private:
  const std::string folder_;
  std::mutex mu_;
  int fd_ = -1;       // Guarded by mu_.
  int64_t day_ = 0;   // Guarded by mu_: the UTC day fd_ is for.
  std::string path_;  // Guarded by mu_.
};

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditLog::~AuditLog() = default;

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& lake_root) {
  const std::string tarn_folder = lake_root + "/_tarn";
  const std::string folder = tarn_folder + "/audit";
  for (const std::string& path : {lake_root, tarn_folder}) {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "cannot create '" + path + "'");
    }
  }
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "cannot create audit log folder '" + folder + "'");
  }
  struct stat info;
  if (::stat(folder.c_str(), &info) != 0) {
    return ErrnoStatus(errno, "cannot read audit log folder '" + folder + "'");
  }
  if (!S_ISDIR(info.st_mode)) {
    return InvalidArgument("audit log folder '" + folder + "' is not a folder");
  }
  return std::unique_ptr<AuditLog>(new AuditLog(std::make_unique<Impl>(folder)));
}

Status AuditLog::Append(const AuditEntry& entry) { return impl_->Append(entry); }
const std::string& AuditLog::folder() const { return impl_->folder(); }

}  // namespace tarn::ingest
