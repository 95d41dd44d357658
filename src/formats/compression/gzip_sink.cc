#include "formats/compression/gzip_sink.h"

#include <zlib.h>

#include <string>

namespace tarn::formats {

struct GzipSink::State {
  z_stream stream{};
  std::string out = std::string(1 << 18, '\0');
  bool closed = false;
};

Result<std::unique_ptr<GzipSink>> GzipSink::Make(std::unique_ptr<ByteSink> inner,
                                                 const GzipOptions& options) {
  if (options.level < 1 || options.level > 9) {
    return InvalidArgument("gzip level must be 1..9, got " + std::to_string(options.level));
  }
  auto state = std::make_unique<State>();
  // 15 window bits plus 16 asks zlib for a gzip header and trailer instead of zlib's own.
  if (deflateInit2(&state->stream, options.level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Internal("zlib could not start a gzip stream");
  }
  return std::unique_ptr<GzipSink>(new GzipSink(std::move(inner), std::move(state)));
}

GzipSink::GzipSink(std::unique_ptr<ByteSink> inner, std::unique_ptr<State> state)
    : inner_(std::move(inner)), state_(std::move(state)) {}

GzipSink::~GzipSink() { deflateEnd(&state_->stream); }

Status GzipSink::Deflate(std::string_view data, bool finish) {
  z_stream& s = state_->stream;
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  for (;;) {
    s.next_out = reinterpret_cast<Bytef*>(state_->out.data());
    s.avail_out = static_cast<uInt>(state_->out.size());
    const int rc = deflate(&s, finish ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) return Internal("zlib deflate failed");
    const size_t produced = state_->out.size() - s.avail_out;
    if (produced > 0) {
      TARN_RETURN_IF_ERROR(inner_->Append(std::string_view(state_->out.data(), produced)));
    }
    if (finish ? rc == Z_STREAM_END : (s.avail_in == 0 && s.avail_out != 0)) return Status::Ok();
  }
}

Status GzipSink::Append(std::string_view data) {
  if (state_->closed) return Internal("append to a closed gzip stream");
  // zlib counts input in 32-bit units; feed very large buffers in pieces.
  constexpr size_t kMaxPiece = size_t{1} << 30;
  while (data.size() > kMaxPiece) {
    TARN_RETURN_IF_ERROR(Deflate(data.substr(0, kMaxPiece), false));
    data.remove_prefix(kMaxPiece);
  }
  return Deflate(data, false);
}

Status GzipSink::Close() {
  if (state_->closed) return Internal("gzip stream closed twice");
  state_->closed = true;
  TARN_RETURN_IF_ERROR(Deflate({}, true));
  return inner_->Close();
}

}  // namespace tarn::formats
