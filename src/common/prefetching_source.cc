#include "common/prefetching_source.h"

#include <algorithm>
#include <cstring>

namespace tarn {

PrefetchingSource::PrefetchingSource(std::unique_ptr<ByteSource> inner, size_t buffer_bytes,
                                     size_t buffers)
    : inner_(std::move(inner)),
      name_(inner_->name()),
      buffer_bytes_(std::max<size_t>(buffer_bytes, 4096)),
      buffers_(std::max<size_t>(buffers, 1)),
      worker_([this] { Run(); }) {}

PrefetchingSource::~PrefetchingSource() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void PrefetchingSource::Run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || ready_.size() < buffers_; });
      if (stop_) return;
    }
    Chunk chunk;
    chunk.data.resize(buffer_bytes_);
    size_t filled = 0;
    // Fill the buffer (a short read is not the end; only 0 is).
    while (filled < chunk.data.size()) {
      Result<size_t> n = inner_->Read(chunk.data.data() + filled, chunk.data.size() - filled);
      if (!n.ok()) {
        chunk.status = n.status();
        break;
      }
      if (*n == 0) break;
      filled += *n;
    }
    chunk.data.resize(filled);
    const bool last = filled == 0 || !chunk.status.ok();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (filled > 0 && !chunk.status.ok()) {
        // Deliver the bytes read before the error first, then the error.
        Chunk error;
        error.status = chunk.status;
        chunk.status = Status::Ok();
        ready_.push_back(std::move(chunk));
        ready_.push_back(std::move(error));
      } else {
        ready_.push_back(std::move(chunk));
      }
    }
    changed_.notify_all();
    if (last) return;
  }
}

Result<size_t> PrefetchingSource::Read(char* out, size_t size) {
  size_t given = 0;
  while (given < size && !done_) {
    if (current_pos_ == current_.data.size()) {
      if (given > 0) break;  // Hand over what we have rather than wait.
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return !ready_.empty(); });
      current_ = std::move(ready_.front());
      ready_.pop_front();
      current_pos_ = 0;
      lock.unlock();
      changed_.notify_all();
      if (!current_.status.ok()) {
        done_ = true;
        return current_.status;
      }
      if (current_.data.empty()) {
        done_ = true;
        break;
      }
    }
    const size_t n = std::min(size - given, current_.data.size() - current_pos_);
    std::memcpy(out + given, current_.data.data() + current_pos_, n);
    current_pos_ += n;
    given += n;
  }
  if (given == 0 && done_ && !current_.status.ok()) return current_.status;
  return given;
}

}  // namespace tarn
