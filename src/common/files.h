// POSIX file helpers shared by everything in tarn that writes durably or guards a folder: the
// write-ahead log, the object store, the keyring, the credentials file and `tarn serve`.
// Thread-safe (they keep no state beyond a lock's descriptor).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn {

// fsyncs a folder, so that a file created, renamed or removed in it survives a crash.
// Errors name the folder.
Status SyncFolder(const std::string& folder);

enum class Replace { kYes, kNever };

// Writes `bytes` to `path` atomically and durably: into a new temporary file
// (FOLDER/.tmp-<pid>-<n>, mode `mode`) that is fsynced, then renamed over `path` (kYes) or linked
// to it (kNever: kAlreadyExists when `path` exists, which is never replaced), then the folder is
// fsynced. The temporary file does not stay behind. Errors name the file.
Status WriteFileAtomically(const std::string& path, std::string_view bytes, Replace replace,
                           mode_t mode = 0600);

// An exclusive advisory lock (flock) on a file, created with mode 0600 when absent, held until
// the object is destroyed.
class FileLock {
 public:
  enum class Wait { kBlock, kTry };
  // kTry: kUnavailable naming the file when another process holds it. Other errors name it.
  static Result<std::unique_ptr<FileLock>> Acquire(const std::string& path, Wait wait);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  int fd() const { return fd_; }  // For the holder to note who holds it (e.g. its pid).

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace tarn
