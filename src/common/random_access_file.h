// RandomAccessFile: an object read by byte ranges (a Parquet file's footer, then only the
// column chunks a query needs). Every implementation counts the bytes it returns, which is what
// a scan reports as "data scanned". Errors name the object and the range. ReadAt is safe to
// call from several threads at once; the byte counter is atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly `length` bytes at `offset` into `out`; a range past the end is kCorruption
  // (the caller trusted a length the object does not have).
  virtual Status ReadAt(uint64_t offset, size_t length, char* out) = 0;
  virtual const std::string& name() const = 0;
  uint64_t bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }

 protected:
  Status CheckRange(uint64_t offset, size_t length) const;
  std::atomic<uint64_t> bytes_read_{0};
};

// A local file, read with pread.
class LocalRandomAccessFile : public RandomAccessFile {
 public:
  static Result<std::unique_ptr<LocalRandomAccessFile>> Open(const std::string& path);
  ~LocalRandomAccessFile() override;
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t length, char* out) override;
  const std::string& name() const override { return name_; }

 private:
  LocalRandomAccessFile(std::string name, int fd, uint64_t size)
      : name_(std::move(name)), fd_(fd), size_(size) {}
  std::string name_;
  int fd_;
  uint64_t size_;
};

// Bytes in memory that the object owns.
class StringRandomAccessFile : public RandomAccessFile {
 public:
  explicit StringRandomAccessFile(std::string data, std::string name = "memory")
      : data_(std::move(data)), name_(std::move(name)) {}
  uint64_t size() const override { return data_.size(); }
  Status ReadAt(uint64_t offset, size_t length, char* out) override;
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  std::string name_;
};

}  // namespace tarn
