// ByteSink: where a stream of bytes goes (a file, standard output, a compressor in front of
// either). Writers produce into a sink and call Close() once at the end; nothing written is
// final until Close() returns OK. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Append(std::string_view data) = 0;
  // Flushes and finishes the stream. A sink that is destroyed without a successful Close()
  // leaves no partial result behind where it can avoid it (see FileSink).
  virtual Status Close() = 0;
};

// Writes a file atomically: bytes go to "<path>.tmp-<pid>" beside it, and Close() flushes them
// to disk (fsync), renames the file into place and syncs the folder. A sink destroyed before
// Close() removes its temporary file, so a failed or interrupted run never leaves a truncated
// file under the final name. A path that names an existing device, pipe or socket (/dev/null,
// a FIFO) is written directly instead.
class FileSink : public ByteSink {
 public:
  static Result<std::unique_ptr<FileSink>> Create(const std::string& path);
  ~FileSink() override;

  Status Append(std::string_view data) override;
  Status Close() override;

 private:
  FileSink(std::string path, std::string temp_path, int fd);

  std::string path_;
  std::string temp_path_;
  int fd_;
};

// Writes to a file descriptor that the sink does not own (standard output). A reader that went
// away (EPIPE) is reported as kUnavailable with the message "broken pipe".
class FdSink : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  Status Append(std::string_view data) override;
  Status Close() override { return Status::Ok(); }

 private:
  int fd_;
};

// Collects everything in memory; for tests and small outputs.
class StringSink : public ByteSink {
 public:
  Status Append(std::string_view data) override {
    if (closed_) return Internal("append to a closed string sink");
    data_.append(data);
    return Status::Ok();
  }
  Status Close() override {
    closed_ = true;
    return Status::Ok();
  }
  const std::string& data() const { return data_; }
  bool closed() const { return closed_; }

 private:
  std::string data_;
  bool closed_ = false;
};

// Writes all of `data` to `fd`, retrying short writes and EINTR; `what` names the destination
// in the error.
Status WriteAll(int fd, std::string_view data, std::string_view what);

}  // namespace tarn
