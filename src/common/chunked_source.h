// ChunkedSource: bytes from memory handed out in small reads, as a slow network source would,
// so that tests and fuzzers see records and frames that cross read boundaries. Read sizes cycle
// through `pieces`; after the data, `error` (when not OK) is returned by every read.
// Test support; not thread-safe.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "common/byte_source.h"

namespace tarn::fakes {

class ChunkedSource : public ByteSource {
 public:
  ChunkedSource(std::string data, std::vector<size_t> pieces, std::string name = "memory",
                Status error = Status::Ok())
      : data_(std::move(data)),
        pieces_(pieces.empty() ? std::vector<size_t>{1} : std::move(pieces)),
        name_(std::move(name)),
        error_(std::move(error)) {}

  Result<size_t> Read(char* out, size_t size) override {
    if (pos_ == data_.size() && !error_.ok()) return error_;
    const size_t piece = std::max<size_t>(pieces_[next_++ % pieces_.size()], 1);
    const size_t n = std::min({size, piece, data_.size() - pos_});
    if (n > 0) std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  std::vector<size_t> pieces_;
  std::string name_;
  Status error_;
  size_t pos_ = 0;
  size_t next_ = 0;
};

}  // namespace tarn::fakes
