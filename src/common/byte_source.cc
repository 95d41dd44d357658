#include "common/byte_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tarn {

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open '" + path + "'");
  return std::unique_ptr<FileSource>(new FileSource(path, fd, true));
}

std::unique_ptr<FileSource> FileSource::Stdin() {
  return std::unique_ptr<FileSource>(new FileSource("standard input", 0, false));
}

FileSource::~FileSource() {
  if (owned_) ::close(fd_);
}

Result<size_t> FileSource::Read(char* out, size_t size) {
  for (;;) {
    const ssize_t n = ::read(fd_, out, size);
    if (n >= 0) {
      offset_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) {
      return ErrnoStatus(errno, "reading '" + name_ + "' at offset " + std::to_string(offset_));
    }
  }
}

Result<size_t> StringSource::Read(char* out, size_t size) {
  const size_t n = std::min(size, data_.size());
  std::memcpy(out, data_.data(), n);
  data_.remove_prefix(n);
  return n;
}

Result<std::string> ReadAll(ByteSource& source) {
  std::string out;
  size_t used = 0;
  for (;;) {
    if (out.size() - used < (1 << 16)) out.resize(std::max<size_t>(out.size() * 2, 1 << 17));
    TARN_ASSIGN_OR_RETURN(size_t n, source.Read(out.data() + used, out.size() - used));
    if (n == 0) break;
    used += n;
  }
  out.resize(used);
  return out;
}

}  // namespace tarn
