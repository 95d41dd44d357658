// ByteSource: a stream of bytes read front to back (a file, an object, a decompressor over
// either). Read() fills up to `size` bytes and returns how many it gave; 0 means the end.
// Errors name the source and the offset where reading failed. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<size_t> Read(char* out, size_t size) = 0;
  // The name used in error messages (a path or an s3:// URI).
  virtual const std::string& name() const = 0;
};

// Reads a file through its descriptor, which it owns.
class FileSource : public ByteSource {
 public:
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  // Reads standard input (not owned); named "standard input".
  static std::unique_ptr<FileSource> Stdin();
  ~FileSource() override;

  Result<size_t> Read(char* out, size_t size) override;
  const std::string& name() const override { return name_; }

 private:
  FileSource(std::string name, int fd, bool owned)
      : name_(std::move(name)), fd_(fd), owned_(owned) {}
  std::string name_;
  int fd_;
  bool owned_;
  uint64_t offset_ = 0;
};

// Reads from memory that outlives it.
class StringSource : public ByteSource {
 public:
  StringSource(std::string_view data, std::string name = "memory")
      : data_(data), name_(std::move(name)) {}
  Result<size_t> Read(char* out, size_t size) override;
  const std::string& name() const override { return name_; }

 private:
  std::string_view data_;
  std::string name_;
};

// Reads `source` to its end.
Result<std::string> ReadAll(ByteSource& source);

}  // namespace tarn
