#include "common/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

#include "common/byte_sink.h"

namespace tarn {

Status SyncFolder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "opening folder '" + folder + "'");
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(err, "syncing folder '" + folder + "'");
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes, Replace replace,
                           mode_t mode) {
  static std::atomic<uint64_t> counter{0};
  const size_t slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string temp;
  int fd = -1;
  // O_EXCL: a name left by a crashed process that had our pid is skipped, never reused.
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    temp = folder + "/.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return ErrnoStatus(errno, "creating a temporary file for '" + path + "'");
  Status status = WriteAll(fd, bytes, "'" + temp + "'");
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus(errno, "syncing '" + temp + "'");
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus(errno, "closing '" + temp + "'");
  if (status.ok()) {
    const bool placed = replace == Replace::kYes ? ::rename(temp.c_str(), path.c_str()) == 0
                                                 : ::link(temp.c_str(), path.c_str()) == 0;
    if (!placed) {
      status = errno == EEXIST && replace == Replace::kNever
                   ? Status(StatusCode::kAlreadyExists, "'" + path + "' exists already")
                   : ErrnoStatus(errno, "placing '" + temp + "' as '" + path + "'");
    }
  }
  // After a rename the temporary name is gone; after a link or a failure it is removed.
  if (replace == Replace::kNever || !status.ok()) ::unlink(temp.c_str());
  TARN_RETURN_IF_ERROR(status);
  return SyncFolder(folder);
}

Result<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path, Wait wait) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(errno, "opening lock file '" + path + "'");
  const int operation = wait == Wait::kTry ? LOCK_EX | LOCK_NB : LOCK_EX;
  while (::flock(fd, operation) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status(StatusCode::kUnavailable, "'" + path + "' is locked by another process");
    }
    return ErrnoStatus(err, "locking '" + path + "'");
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() { ::close(fd_); }  // Closing releases the lock.

}  // namespace tarn
