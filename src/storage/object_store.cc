#include "storage/object_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/byte_sink.h"
#include "common/byte_source.h"
#include "common/files.h"

namespace tarn::storage {
namespace {

Status Failed(std::string_view what, const std::string& path) {
  return ErrnoStatus(errno, fmt::format("{} {}", what, path));
}

}  // namespace

bool IsSafeKey(std::string_view key) {
  if (key.empty() || key.front() == '/') return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    const std::string_view segment = key.substr(start, end - start);
    // An empty last segment is a key ending in '/', which no object has.
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      if (c == '\0') return false;
    }
    start = end + 1;
  }
  return true;
}

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const std::string& lake_root) {
  std::error_code error;
  const std::string temp = lake_root + "/_tarn/tmp";
  std::filesystem::create_directories(temp, error);
  if (error)
    return Status(StatusCode::kInternal,
                  fmt::format("cannot create {}: {}", temp, error.message()));
  for (const auto& entry : std::filesystem::directory_iterator(temp, error)) {
    std::filesystem::remove_all(entry.path(), error);
  }
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(lake_root));
}

std::string LocalObjectStore::PathOf(const std::string& bucket, const std::string& key) const {
  return fmt::format("{}/{}/{}", root_, bucket, key);
}

Status LocalObjectStore::Put(const std::string& bucket, const std::string& key,
                             std::string_view bytes) {
  if (!IsSafeKey(bucket) || bucket.find('/') != std::string::npos) {
    return InvalidArgument(fmt::format("unsafe bucket name '{}'", bucket));
  }
  if (!IsSafeKey(key)) return InvalidArgument(fmt::format("unsafe object key '{}'", key));
  const std::string path = PathOf(bucket, key);
  const std::string folder = path.substr(0, path.rfind('/'));
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error)
    return Status(StatusCode::kInternal,
                  fmt::format("cannot create {}: {}", folder, error.message()));
  const std::string temp =
      fmt::format("{}/_tarn/tmp/{}-{}", root_, ::getpid(), next_temp_.fetch_add(1));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Failed("cannot create", temp);
  Status written = WriteAll(fd, bytes, temp);
  if (written.ok() && ::fsync(fd) != 0) written = Failed("cannot sync", temp);
  ::close(fd);
  if (written.ok()) {
    // link() fails when the key exists, so an object is never replaced.
    if (::link(temp.c_str(), path.c_str()) != 0) {
      written = errno == EEXIST ? Status(StatusCode::kAlreadyExists,
                                         fmt::format("object exists: s3://{}/{}", bucket, key))
                                : Failed("cannot create", path);
    }
  }
  ::unlink(temp.c_str());
  TARN_RETURN_IF_ERROR(written);
  return SyncFolder(folder);
}

Result<bool> LocalObjectStore::Exists(const std::string& bucket, const std::string& key) {
  struct stat info;
  const std::string path = PathOf(bucket, key);
  if (::stat(path.c_str(), &info) == 0) return S_ISREG(info.st_mode);
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return Failed("cannot stat", path);
}

Result<std::string> LocalObjectStore::Get(const std::string& bucket, const std::string& key) {
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, FileSource::Open(PathOf(bucket, key)));
  return ReadAll(*source);
}

Status FaultInjectingStore::Put(const std::string& bucket, const std::string& key,
                                std::string_view bytes) {
  const uint64_t n = puts_.fetch_add(1) + 1;
  if (fail_all_ || (every_ > 0 && n % every_ == 0)) {
    failures_.fetch_add(1);
    return Status(StatusCode::kUnavailable,
                  fmt::format("injected failure of put #{} (s3://{}/{})", n, bucket, key));
  }
  return inner_->Put(bucket, key, bytes);
}

}  // namespace tarn::storage
