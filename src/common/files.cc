#include "common/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

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
