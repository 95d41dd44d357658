#include "formats/compression/decompressing_source.h"

#include <isa-l/igzip_lib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace tarn::formats {
namespace {

// Compressed bytes are read from the wrapped source in pieces of this size.
constexpr size_t kInputBufferSize = 256 * 1024;
// The inflaters count in 32-bit units; larger reads are served in pieces.
constexpr size_t kMaxReadPiece = size_t{1} << 30;

// Owns the wrapped source and the fixed input buffer, and counts the compressed bytes read so
// that errors can say where in the object they were found.
class CompressedInput {
 public:
  explicit CompressedInput(std::unique_ptr<ByteSource> source)
      : source_(std::move(source)), buffer_(new char[kInputBufferSize]) {}

  const std::string& name() const { return source_->name(); }
  // The compressed offset of the next unconsumed byte when `unconsumed` bytes of the last
  // read are still unused.
  uint64_t OffsetOf(size_t unconsumed) const { return bytes_read_ - unconsumed; }

  // Keeps the `unconsumed` bytes at `next` (which point into the buffer) by moving them to its
  // front, then reads more after them; returns the bytes now available from the front, which
  // is `unconsumed` at the end of the source. Errors of the source pass through unchanged.
  Result<size_t> Refill(const char* next, size_t unconsumed) {
    if (unconsumed > 0 && next != buffer_.get()) std::memmove(buffer_.get(), next, unconsumed);
    TARN_ASSIGN_OR_RETURN(size_t n,
                          source_->Read(buffer_.get() + unconsumed, kInputBufferSize - unconsumed));
    bytes_read_ += n;
    return unconsumed + n;
  }

  char* data() { return buffer_.get(); }

 private:
  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<char[]> buffer_;
  uint64_t bytes_read_ = 0;
};

// Gzip members (RFC 1952) one after another, then optionally zero bytes to the end.
// Inflated with ISA-L's igzip, which streams about twice as fast as zlib (bench/formats.py
// scans gzip JSON lines through this class), checking each member's CRC-32 and length.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> compressed) : input_(std::move(compressed)) {
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;  // Gzip wrapping only: a zlib or raw stream is not accepted.
  }

  const std::string& name() const override { return input_.name(); }

  Result<size_t> Read(char* out, size_t size) override {
    if (!failed_.ok()) return failed_;
    state_.next_out = reinterpret_cast<uint8_t*>(out);
    state_.avail_out = static_cast<uint32_t>(std::min(size, kMaxReadPiece));
    const uint32_t requested = state_.avail_out;
    while (state_.avail_out > 0 && !finished_) {
      const size_t produced = requested - state_.avail_out;
      if (!in_member_) {
        if (produced > 0 && state_.avail_in == 0) break;  // Don't wait on the source.
        TARN_ASSIGN_OR_RETURN(bool more, StartMember());
        if (!more) break;
        continue;
      }
      const uint32_t in_before = state_.avail_in, out_before = state_.avail_out;
      const int rc = isal_inflate(&state_);
      if (rc != ISAL_DECOMP_OK && rc != ISAL_END_INPUT) {
        return Fail("corrupt gzip data at compressed offset " + std::to_string(Offset()) + ": " +
                    ErrorName(rc));
      }
      if (state_.block_state == ISAL_BLOCK_FINISH) {
        in_member_ = false;
        ++members_;
        continue;
      }
      const bool stuck = state_.avail_in == in_before && state_.avail_out == out_before;
      if (state_.avail_in == 0 || stuck) {
        // Out of input. Hand over what is ready rather than wait on the source for more.
        if (requested - state_.avail_out > 0) break;
        const uint32_t before = state_.avail_in;
        TARN_ASSIGN_OR_RETURN(size_t available, Refill());
        if (available == before) {
          return Fail("truncated gzip stream at compressed offset " +
                      std::to_string(input_.OffsetOf(0)));
        }
      }
    }
    return static_cast<size_t>(requested - state_.avail_out);
  }

 private:
  static std::string ErrorName(int rc) {
    switch (rc) {
      case ISAL_INVALID_BLOCK: return "invalid deflate block";
      case ISAL_INVALID_SYMBOL: return "invalid code";
      case ISAL_INVALID_LOOKBACK: return "distance too far back";
      case ISAL_INVALID_WRAPPER: return "invalid gzip header";
      case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
      case ISAL_INCORRECT_CHECKSUM: return "CRC or length mismatch";
      default: return "igzip error " + std::to_string(rc);
    }
  }

  // Between members: begins the next one, skips zero padding, or finds the end. Returns false
  // at the end of the stream.
  Result<bool> StartMember() {
    // Two bytes tell a member (1f 8b) from padding and garbage; the source may give fewer.
    while (state_.avail_in < 2) {
      const size_t before = state_.avail_in;
      TARN_ASSIGN_OR_RETURN(size_t available, Refill());
      if (available == before) break;  // The end of the source.
    }
    if (state_.avail_in == 0) return End();
    const uint8_t* next = state_.next_in;
    const bool magic = next[0] == 0x1f && (state_.avail_in < 2 || next[1] == 0x8b);
    if (!magic && members_ == 0) {
      return Fail("corrupt gzip data at compressed offset " + std::to_string(Offset()) +
                  ": not gzip data (no 1f 8b magic)");
    }
    if (!magic) {
      // Only zeros may follow the last member.
      while (state_.avail_in > 0 && *state_.next_in == 0) {
        ++state_.next_in;
        --state_.avail_in;
        if (state_.avail_in == 0) {
          TARN_ASSIGN_OR_RETURN(size_t available, Refill());
          if (available == 0) return End();
        }
      }
      return Fail("trailing garbage after gzip member at compressed offset " +
                  std::to_string(Offset()));
    }
    if (members_ > 0) {
      // A fresh state for the next member; the unread input stays where it is.
      uint8_t* next_in = state_.next_in;
      const uint32_t avail_in = state_.avail_in;
      uint8_t* next_out = state_.next_out;
      const uint32_t avail_out = state_.avail_out;
      isal_inflate_reset(&state_);
      state_.crc_flag = ISAL_GZIP;
      state_.next_in = next_in;
      state_.avail_in = avail_in;
      state_.next_out = next_out;
      state_.avail_out = avail_out;
    }
    in_member_ = true;
    return true;
  }

  // Keeps what is unread and reads more; returns the bytes available (0 at the end).
  Result<size_t> Refill() {
    TARN_ASSIGN_OR_RETURN(
        size_t available,
        input_.Refill(reinterpret_cast<const char*>(state_.next_in), state_.avail_in));
    state_.next_in = reinterpret_cast<uint8_t*>(input_.data());
    state_.avail_in = static_cast<uint32_t>(available);
    return available;
  }

  uint64_t Offset() const { return input_.OffsetOf(state_.avail_in); }

  bool End() {
    finished_ = true;
    return false;
  }

  Status Fail(const std::string& what) {
    failed_ = Corruption(name() + ": " + what);
    return failed_;
  }

  CompressedInput input_;
  inflate_state state_{};
  bool in_member_ = false;
  bool finished_ = false;
  uint64_t members_ = 0;
  Status failed_;
};

// Zstd frames one after another (skippable frames are skipped by zstd itself).
class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<ByteSource> compressed)
      : input_(std::move(compressed)), dctx_(ZSTD_createDCtx()) {
    if (dctx_ == nullptr) {
      failed_ = Status(StatusCode::kResourceExhausted, name() + ": zstd could not start");
    }
  }
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }

  const std::string& name() const override { return input_.name(); }

  Result<size_t> Read(char* out, size_t size) override {
    if (!failed_.ok()) return failed_;
    ZSTD_outBuffer dst{out, size, 0};
    while (dst.pos < dst.size) {
      // Between frames with nothing buffered: read on, or stop at the end of the source.
      if (frame_done_ && in_.pos == in_.size) {
        if (dst.pos > 0) break;
        TARN_ASSIGN_OR_RETURN(size_t available, Refill());
        if (available == 0) break;
      }
      const bool at_boundary = frame_done_;
      const uint64_t offset_before = Offset();
      const size_t r = ZSTD_decompressStream(dctx_, &dst, &in_);
      if (ZSTD_isError(r)) {
        if (at_boundary && frames_ > 0 && ZSTD_getErrorCode(r) == ZSTD_error_prefix_unknown) {
          return Fail("trailing garbage after zstd frame at compressed offset " +
                      std::to_string(offset_before));
        }
        // A frame that fails at its start is reported where it starts.
        return Fail("corrupt zstd data at compressed offset " +
                    std::to_string(at_boundary ? offset_before : Offset()) + ": " +
                    ZSTD_getErrorName(r));
      }
      if (r == 0) ++frames_;
      frame_done_ = r == 0;
      // Room left and input used up: this frame needs more input.
      if (!frame_done_ && dst.pos < dst.size && in_.pos == in_.size) {
        if (dst.pos > 0) break;
        TARN_ASSIGN_OR_RETURN(size_t available, Refill());
        if (available == 0) {
          return Fail("truncated zstd stream at compressed offset " +
                      std::to_string(input_.OffsetOf(0)));
        }
      }
    }
    return dst.pos;
  }

 private:
  Result<size_t> Refill() {
    TARN_ASSIGN_OR_RETURN(
        size_t available,
        input_.Refill(static_cast<const char*>(in_.src) + in_.pos, in_.size - in_.pos));
    in_ = ZSTD_inBuffer{input_.data(), available, 0};
    return available;
  }

  uint64_t Offset() const { return input_.OffsetOf(in_.size - in_.pos); }

  Status Fail(const std::string& what) {
    failed_ = Corruption(name() + ": " + what);
    return failed_;
  }

  CompressedInput input_;
  ZSTD_DCtx* dctx_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  bool frame_done_ = true;
  uint64_t frames_ = 0;
  Status failed_;
};

bool EndsWith(std::string_view name, std::string_view suffix) {
  return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

}  // namespace

StreamCompression StreamCompressionFromName(std::string_view name) {
  if (EndsWith(name, ".gz")) return StreamCompression::kGzip;
  if (EndsWith(name, ".zst")) return StreamCompression::kZstd;
  return StreamCompression::kNone;
}

std::unique_ptr<ByteSource> MakeDecompressingSource(std::unique_ptr<ByteSource> compressed,
                                                    StreamCompression compression) {
  switch (compression) {
    case StreamCompression::kNone:
      return compressed;
    case StreamCompression::kGzip:
      return std::make_unique<GzipSource>(std::move(compressed));
    case StreamCompression::kZstd:
      return std::make_unique<ZstdSource>(std::move(compressed));
  }
  return compressed;
}

}  // namespace tarn::formats
