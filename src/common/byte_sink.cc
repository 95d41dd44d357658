#include "common/byte_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

namespace tarn {

Status WriteAll(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) return Status(StatusCode::kUnavailable, "broken pipe");
      return ErrnoStatus(errno, std::string("writing ") + std::string(what));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    // A device, pipe or socket (/dev/null, a FIFO): write to it directly; renaming a file over it
    // would replace the device.
    if (S_ISDIR(info.st_mode)) return InvalidArgument("'" + path + "' is a folder, not a file");
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "cannot open '" + path + "'");
    return std::unique_ptr<FileSink>(new FileSink(path, "", fd));
  }
  std::string temp_path = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "cannot create '" + path + "'");
  return std::unique_ptr<FileSink>(new FileSink(path, std::move(temp_path), fd));
}

FileSink::FileSink(std::string path, std::string temp_path, int fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}

FileSink::~FileSink() {
  if (fd_ >= 0) {
    ::close(fd_);
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  }
}

Status FileSink::Append(std::string_view data) {
  if (fd_ < 0) return Internal("append to closed file '" + path_ + "'");
  return WriteAll(fd_, data, "'" + path_ + "'");
}

Status FileSink::Close() {
  if (fd_ < 0) return Internal("file '" + path_ + "' closed twice");
  const int fd = fd_;
  fd_ = -1;
  if (temp_path_.empty()) {
    if (::close(fd) != 0) return ErrnoStatus(errno, "closing '" + path_ + "'");
    return Status::Ok();
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp_path_.c_str());
    return ErrnoStatus(err, "syncing '" + path_ + "'");
  }
  if (::close(fd) != 0) {
    ::unlink(temp_path_.c_str());
    return ErrnoStatus(errno, "closing '" + path_ + "'");
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp_path_.c_str());
    return ErrnoStatus(err, "renaming into '" + path_ + "'");
  }
  // Make the rename itself durable.
  std::filesystem::path folder = std::filesystem::path(path_).parent_path();
  if (folder.empty()) folder = ".";
  const int dir_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

Status FdSink::Append(std::string_view data) { return WriteAll(fd_, data, "standard output"); }

}  // namespace tarn
