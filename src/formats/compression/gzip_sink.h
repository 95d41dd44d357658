// GzipSink: a ByteSink that gzip-compresses (zlib, RFC 1952) what it is given into another sink.
// Close() finishes the gzip member and then closes the inner sink. Not thread-safe.
#pragma once

#include <memory>

#include "common/byte_sink.h"

namespace tarn::formats {

struct GzipOptions {
  int level = 6;  // 1 (fastest) .. 9 (smallest); 6 is gzip's own default.
};

class GzipSink : public ByteSink {
 public:
  static Result<std::unique_ptr<GzipSink>> Make(std::unique_ptr<ByteSink> inner,
                                                const GzipOptions& options = {});
  ~GzipSink() override;

  Status Append(std::string_view data) override;
  Status Close() override;

 private:
  struct State;
  GzipSink(std::unique_ptr<ByteSink> inner, std::unique_ptr<State> state);
  Status Deflate(std::string_view data, bool finish);

  std::unique_ptr<ByteSink> inner_;
  std::unique_ptr<State> state_;
};

}  // namespace tarn::formats
