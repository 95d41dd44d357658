// PrefetchingSource: reads another ByteSource on a background thread, a few buffers ahead, so
// that producing bytes (decompressing an object) and consuming them (parsing records) use two
// cores. Reads return the inner source's bytes in order, and its errors where they happened.
//
// Read() is called from one thread; the prefetching thread is internal and stops when the
// source ends, fails, or the PrefetchingSource is destroyed.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/byte_source.h"

namespace tarn {

class PrefetchingSource : public ByteSource {
 public:
  // `buffer_bytes` per read of the inner source; at most `buffers` are filled ahead.
  explicit PrefetchingSource(std::unique_ptr<ByteSource> inner, size_t buffer_bytes = 1 << 20,
                             size_t buffers = 4);
  ~PrefetchingSource() override;

  Result<size_t> Read(char* out, size_t size) override;
  const std::string& name() const override { return name_; }

 private:
  struct Chunk {
    std::string data;  // Empty with ok status: the end.
    Status status;
  };
  void Run();

  std::unique_ptr<ByteSource> inner_;
  const std::string name_;
  const size_t buffer_bytes_;
  const size_t buffers_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> ready_;  // Guarded by mutex_.
  bool stop_ = false;        // Guarded by mutex_.

  // Consumer side only.
  Chunk current_;
  size_t current_pos_ = 0;
  bool done_ = false;
  std::thread worker_;
};

}  // namespace tarn
