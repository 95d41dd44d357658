#include "common/random_access_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tarn {

Status RandomAccessFile::CheckRange(uint64_t offset, size_t length) const {
  if (offset > size() || length > size() - offset) {
    return Corruption("'" + name() + "': read of " + std::to_string(length) + " bytes at offset " +
                      std::to_string(offset) + " goes past its end at " + std::to_string(size()));
  }
  return Status::Ok();
}

Result<std::unique_ptr<LocalRandomAccessFile>> LocalRandomAccessFile::Open(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open '" + path + "'");
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "cannot stat '" + path + "'");
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return InvalidArgument("'" + path + "' is not a regular file");
  }
  return std::unique_ptr<LocalRandomAccessFile>(
      new LocalRandomAccessFile(path, fd, static_cast<uint64_t>(info.st_size)));
}

LocalRandomAccessFile::~LocalRandomAccessFile() { ::close(fd_); }

Status LocalRandomAccessFile::ReadAt(uint64_t offset, size_t length, char* out) {
  TARN_RETURN_IF_ERROR(CheckRange(offset, length));
  size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd_, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno,
                         "reading '" + name_ + "' at offset " + std::to_string(offset + done));
    }
    if (n == 0) {
      return Corruption("'" + name_ + "' ended at offset " + std::to_string(offset + done) +
                        " (it shrank while being read)");
    }
    done += static_cast<size_t>(n);
  }
  bytes_read_.fetch_add(length, std::memory_order_relaxed);
  return Status::Ok();
}

Status StringRandomAccessFile::ReadAt(uint64_t offset, size_t length, char* out) {
  TARN_RETURN_IF_ERROR(CheckRange(offset, length));
  std::memcpy(out, data_.data() + offset, length);
  bytes_read_.fetch_add(length, std::memory_order_relaxed);
  return Status::Ok();
}

}  // namespace tarn
