#include "formats/compression/codec.h"

#include <libdeflate.h>
#include <snappy.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace tarn::formats {
namespace {

Status ResourceExhausted(std::string message) {
  return Status(StatusCode::kResourceExhausted, std::move(message));
}

Status OutputTooLarge(std::string_view codec, size_t max_output) {
  return ResourceExhausted(std::string(codec) + " data expands to more than the limit of " +
                           std::to_string(max_output) + " bytes");
}

Status SizeMismatch(std::string_view codec, std::string_view actual, size_t expected) {
  return Corruption(std::string(codec) + " data expands to " + std::string(actual) +
                    " bytes, expected " + std::to_string(expected));
}

// a * b, or SIZE_MAX when that overflows.
size_t SaturatingMul(size_t a, size_t b) {
  if (a != 0 && b > std::numeric_limits<size_t>::max() / a) {
    return std::numeric_limits<size_t>::max();
  }
  return a * b;
}

// The next capacity when `current` was too small: double it (64 KiB at least), but never past
// `limit`.
size_t Grow(size_t current, size_t limit) {
  if (current > limit / 2) return limit;
  return std::min(limit, std::max<size_t>(current * 2, 1 << 16));
}

class UncompressedCodec final : public Codec {
 public:
  CompressionCodec kind() const override { return CompressionCodec::kUncompressed; }

  Status Compress(std::string_view input, std::string* out) override {
    out->append(input);
    return Status::Ok();
  }

  Status Decompress(std::string_view input, size_t uncompressed_size, char* out) override {
    if (input.size() != uncompressed_size) {
      return SizeMismatch("UNCOMPRESSED", std::to_string(input.size()), uncompressed_size);
    }
    if (!input.empty()) std::memcpy(out, input.data(), input.size());
    return Status::Ok();
  }

  Status DecompressUnknownSize(std::string_view input, std::string* out,
                               size_t max_output) override {
    if (input.size() > max_output) return OutputTooLarge("UNCOMPRESSED", max_output);
    out->append(input);
    return Status::Ok();
  }
};

// Snappy's raw block format (what Parquet stores): a varint of the uncompressed length, then
// tags. Snappy carries no checksum, so a changed literal byte decodes "successfully"; only
// structural damage is detected.
class SnappyCodec final : public Codec {
 public:
  CompressionCodec kind() const override { return CompressionCodec::kSnappy; }

  Status Compress(std::string_view input, std::string* out) override {
    // The format stores the uncompressed length as a 32-bit varint.
    if (input.size() > std::numeric_limits<uint32_t>::max()) {
      return InvalidArgument("SNAPPY cannot compress " + std::to_string(input.size()) +
                             " bytes; its limit is 4 GiB - 1");
    }
    const size_t base = out->size();
    out->resize(base + snappy::MaxCompressedLength(input.size()));
    size_t written = 0;
    snappy::RawCompress(input.data(), input.size(), out->data() + base, &written);
    out->resize(base + written);
    return Status::Ok();
  }

  Status Decompress(std::string_view input, size_t uncompressed_size, char* out) override {
    if (input.empty()) return EmptyInput(uncompressed_size);
    TARN_ASSIGN_OR_RETURN(size_t claimed, ClaimedLength(input));
    if (claimed != uncompressed_size) {
      return SizeMismatch("SNAPPY", std::to_string(claimed), uncompressed_size);
    }
    char none;  // Somewhere valid to point at when the caller's buffer is empty.
    if (!snappy::RawUncompress(input.data(), input.size(), out == nullptr ? &none : out)) {
      return Malformed();
    }
    return Status::Ok();
  }

  Status DecompressUnknownSize(std::string_view input, std::string* out,
                               size_t max_output) override {
    if (input.empty()) return Status::Ok();
    TARN_ASSIGN_OR_RETURN(size_t claimed, ClaimedLength(input));
    if (claimed > max_output) return OutputTooLarge("SNAPPY", max_output);
    const size_t base = out->size();
    out->resize(base + claimed);
    if (!snappy::RawUncompress(input.data(), input.size(), out->data() + base)) {
      out->resize(base);
      return Malformed();
    }
    return Status::Ok();
  }

 private:
  // The uncompressed length the header states, checked against what `input` could possibly
  // expand to before anyone allocates for it: the densest snappy tag is a 3-byte copy of 64
  // bytes, so no valid block expands by more than 64/3.
  static Result<size_t> ClaimedLength(std::string_view input) {
    size_t claimed = 0;
    if (!snappy::GetUncompressedLength(input.data(), input.size(), &claimed)) {
      return Corruption("SNAPPY data has a malformed length header");
    }
    if (claimed > SaturatingMul(input.size(), 22)) {
      return Corruption("SNAPPY header claims " + std::to_string(claimed) + " bytes from " +
                        std::to_string(input.size()) + " compressed bytes, which is impossible");
    }
    return claimed;
  }

  static Status EmptyInput(size_t uncompressed_size) {
    return uncompressed_size == 0 ? Status::Ok() : SizeMismatch("SNAPPY", "0", uncompressed_size);
  }

  static Status Malformed() { return Corruption("SNAPPY data is malformed or truncated"); }
};

// GZIP through libdeflate, which bench/codec_bench.cc measured faster than zlib in both
// directions on JSON lines. libdeflate works on whole buffers only; the streaming reader
// (decompressing_source.cc) uses zlib.
class GzipCodec final : public Codec {
 public:
  explicit GzipCodec(int level) : level_(level) {}
  ~GzipCodec() override {
    libdeflate_free_compressor(compressor_);
    libdeflate_free_decompressor(decompressor_);
  }

  CompressionCodec kind() const override { return CompressionCodec::kGzip; }

  Status Compress(std::string_view input, std::string* out) override {
    if (compressor_ == nullptr) {
      compressor_ = libdeflate_alloc_compressor(level_);
      if (compressor_ == nullptr) return ResourceExhausted("no memory for a GZIP compressor");
    }
    const size_t base = out->size();
    out->resize(base + libdeflate_gzip_compress_bound(compressor_, input.size()));
    const size_t written = libdeflate_gzip_compress(compressor_, input.data(), input.size(),
                                                    out->data() + base, out->size() - base);
    if (written == 0) {
      out->resize(base);
      return Internal("GZIP output exceeded libdeflate's own bound");
    }
    out->resize(base + written);
    return Status::Ok();
  }

  // Reads the members of `input` one after another; all of `input` must be used.
  Status Decompress(std::string_view input, size_t uncompressed_size, char* out) override {
    TARN_RETURN_IF_ERROR(EnsureDecompressor());
    size_t in_pos = 0;
    size_t produced = 0;
    for (int member = 0; in_pos < input.size(); ++member) {
      size_t in_used = 0;
      size_t out_used = 0;
      const libdeflate_result r = libdeflate_gzip_decompress_ex(
          decompressor_, input.data() + in_pos, input.size() - in_pos, out + produced,
          uncompressed_size - produced, &in_used, &out_used);
      if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
        return SizeMismatch("GZIP", "more than " + std::to_string(uncompressed_size),
                            uncompressed_size);
      }
      if (r != LIBDEFLATE_SUCCESS) return MemberError(input, in_pos, member);
      in_pos += in_used;
      produced += out_used;
    }
    if (produced != uncompressed_size) {
      return SizeMismatch("GZIP", std::to_string(produced), uncompressed_size);
    }
    return Status::Ok();
  }

  // Each member is decoded into a guess of its size, and again into twice that space when the
  // guess was too small (libdeflate cannot resume), so the work stays within twice the output.
  // `*out` only grows until the end, so no byte of it is cleared twice.
  Status DecompressUnknownSize(std::string_view input, std::string* out,
                               size_t max_output) override {
    TARN_RETURN_IF_ERROR(EnsureDecompressor());
    const size_t base = out->size();
    size_t in_pos = 0;
    size_t produced = 0;
    for (int member = 0; in_pos < input.size(); ++member) {
      // Zero bytes after a complete member are padding (gzip -d accepts them too).
      if (member > 0 && IsAllZero(input.substr(in_pos))) break;
      const size_t room = max_output - produced;
      const size_t spare = out->size() - base - produced;
      size_t capacity = std::min(std::max(FirstGuess(input.substr(in_pos)), spare), room);
      for (;;) {
        if (out->size() < base + produced + capacity) out->resize(base + produced + capacity);
        size_t in_used = 0;
        size_t out_used = 0;
        const libdeflate_result r = libdeflate_gzip_decompress_ex(
            decompressor_, input.data() + in_pos, input.size() - in_pos,
            out->data() + base + produced, capacity, &in_used, &out_used);
        if (r == LIBDEFLATE_SUCCESS) {
          in_pos += in_used;
          produced += out_used;
          break;
        }
        if (r != LIBDEFLATE_INSUFFICIENT_SPACE || capacity == room) {
          out->resize(base);
          return r == LIBDEFLATE_INSUFFICIENT_SPACE ? OutputTooLarge("GZIP", max_output)
                                                    : MemberError(input, in_pos, member);
        }
        capacity = Grow(capacity, room);
      }
    }
    out->resize(base + produced);
    return Status::Ok();
  }

 private:
  Status EnsureDecompressor() {
    if (decompressor_ == nullptr) {
      decompressor_ = libdeflate_alloc_decompressor();
      if (decompressor_ == nullptr) return ResourceExhausted("no memory for a GZIP decompressor");
    }
    return Status::Ok();
  }

  // A member's size: the trailer's ISIZE (the size modulo 2^32 of the last member in `rest`,
  // exact when `rest` is one member), unless that exceeds what deflate can produce from `rest`
  // (at most 1032:1), in which case four times the input.
  static size_t FirstGuess(std::string_view rest) {
    const size_t densest = SaturatingMul(rest.size(), 1032);
    if (rest.size() >= 18) {
      uint32_t isize = 0;
      for (int i = 0; i < 4; ++i) {
        isize |= static_cast<uint32_t>(static_cast<unsigned char>(rest[rest.size() - 4 + i]))
                 << (8 * i);
      }
      if (isize <= densest) return isize;
    }
    return std::max<size_t>(SaturatingMul(rest.size(), 4), 1 << 16);
  }

  static bool IsAllZero(std::string_view bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
  }

  static Status MemberError(std::string_view input, size_t offset, int member) {
    const std::string where = " at offset " + std::to_string(offset);
    const bool magic = input.size() - offset >= 2 && input[offset] == '\x1f' &&
                       input[offset + 1] == static_cast<char>(0x8b);
    if (member > 0 && !magic) return Corruption("trailing garbage after GZIP data" + where);
    return Corruption("GZIP member" + where + " is corrupt or truncated");
  }

  int level_;
  libdeflate_compressor* compressor_ = nullptr;
  libdeflate_decompressor* decompressor_ = nullptr;
};

// ZSTD frames, written with a content checksum so that damage inside a frame is detected.
class ZstdCodec final : public Codec {
 public:
  explicit ZstdCodec(int level) : level_(level) {}
  ~ZstdCodec() override {
    ZSTD_freeCCtx(cctx_);
    ZSTD_freeDCtx(dctx_);
  }

  CompressionCodec kind() const override { return CompressionCodec::kZstd; }

  Status Compress(std::string_view input, std::string* out) override {
    if (cctx_ == nullptr) {
      cctx_ = ZSTD_createCCtx();
      if (cctx_ == nullptr) return ResourceExhausted("no memory for a ZSTD compressor");
      if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level_)) ||
          ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1))) {
        return Internal("ZSTD rejected compression level " + std::to_string(level_));
      }
    }
    const size_t bound = ZSTD_compressBound(input.size());
    if (ZSTD_isError(bound)) {
      return InvalidArgument("ZSTD cannot compress " + std::to_string(input.size()) + " bytes");
    }
    const size_t base = out->size();
    out->resize(base + bound);
    const size_t written =
        ZSTD_compress2(cctx_, out->data() + base, bound, input.data(), input.size());
    if (ZSTD_isError(written)) {
      out->resize(base);
      return Internal(std::string("ZSTD compression failed: ") + ZSTD_getErrorName(written));
    }
    out->resize(base + written);
    return Status::Ok();
  }

  Status Decompress(std::string_view input, size_t uncompressed_size, char* out) override {
    if (input.empty()) {
      return uncompressed_size == 0 ? Status::Ok() : SizeMismatch("ZSTD", "0", uncompressed_size);
    }
    TARN_RETURN_IF_ERROR(EnsureDctx());
    char none;  // zstd wants a real pointer even for an empty destination.
    const size_t r = ZSTD_decompressDCtx(dctx_, uncompressed_size == 0 ? &none : out,
                                         uncompressed_size, input.data(), input.size());
    if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) {
      return SizeMismatch("ZSTD", "more than " + std::to_string(uncompressed_size),
                          uncompressed_size);
    }
    if (ZSTD_isError(r)) return Corruption(std::string("ZSTD data: ") + ZSTD_getErrorName(r));
    if (r != uncompressed_size) return SizeMismatch("ZSTD", std::to_string(r), uncompressed_size);
    return Status::Ok();
  }

  // Streams into a buffer that doubles as needed, up to one byte past `max_output` so that
  // output beyond the limit shows as a full buffer.
  Status DecompressUnknownSize(std::string_view input, std::string* out,
                               size_t max_output) override {
    if (input.empty()) return Status::Ok();
    TARN_RETURN_IF_ERROR(EnsureDctx());
    ZSTD_DCtx_reset(dctx_, ZSTD_reset_session_only);
    const size_t limit =
        max_output == std::numeric_limits<size_t>::max() ? max_output : max_output + 1;
    const size_t base = out->size();
    out->resize(base + std::min(FirstGuess(input), limit));
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    ZSTD_outBuffer dst{out->data() + base, out->size() - base, 0};
    for (;;) {
      const size_t in_before = in.pos;
      const size_t out_before = dst.pos;
      const size_t r = ZSTD_decompressStream(dctx_, &dst, &in);
      if (ZSTD_isError(r)) {
        out->resize(base);
        return Corruption("ZSTD data is corrupt near offset " + std::to_string(in.pos) + ": " +
                          ZSTD_getErrorName(r));
      }
      if (dst.pos > max_output) {
        out->resize(base);
        return OutputTooLarge("ZSTD", max_output);
      }
      if (r == 0 && in.pos == in.size) break;  // The last frame is complete and flushed.
      if (dst.pos == dst.size) {
        out->resize(base + Grow(dst.size, limit));
        dst.dst = out->data() + base;
        dst.size = out->size() - base;
      } else if (in.pos == in_before && dst.pos == out_before) {
        out->resize(base);
        return Corruption("ZSTD data is truncated at offset " + std::to_string(in.pos));
      }
    }
    out->resize(base + dst.pos);
    return Status::Ok();
  }

 private:
  Status EnsureDctx() {
    if (dctx_ == nullptr) {
      dctx_ = ZSTD_createDCtx();
      if (dctx_ == nullptr) return ResourceExhausted("no memory for a ZSTD decompressor");
    }
    return Status::Ok();
  }

  // The first frame's declared size when it has one that `input` could produce (a 4-byte RLE
  // block gives at most 128 KiB, 32768:1), else four times the input.
  static size_t FirstGuess(std::string_view input) {
    const unsigned long long declared = ZSTD_getFrameContentSize(input.data(), input.size());
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR &&
        declared <= SaturatingMul(input.size(), 32768)) {
      return static_cast<size_t>(declared);
    }
    return std::max<size_t>(SaturatingMul(input.size(), 4), 1 << 16);
  }

  int level_;
  ZSTD_CCtx* cctx_ = nullptr;
  ZSTD_DCtx* dctx_ = nullptr;
};

}  // namespace

std::string_view CodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return "UNCOMPRESSED";
    case CompressionCodec::kSnappy:
      return "SNAPPY";
    case CompressionCodec::kGzip:
      return "GZIP";
    case CompressionCodec::kZstd:
      return "ZSTD";
  }
  return "UNKNOWN";
}

Result<CompressionCodec> ParseCodec(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "NONE") return CompressionCodec::kUncompressed;
  for (CompressionCodec codec : {CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                 CompressionCodec::kGzip, CompressionCodec::kZstd}) {
    if (upper == CodecName(codec)) return codec;
  }
  return InvalidArgument("unknown compression codec '" + std::string(name) +
                         "'; expected one of UNCOMPRESSED (or NONE), SNAPPY, GZIP, ZSTD");
}

Result<std::unique_ptr<Codec>> MakeCodec(CompressionCodec codec, const CodecOptions& options) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return std::unique_ptr<Codec>(new UncompressedCodec());
    case CompressionCodec::kSnappy:
      return std::unique_ptr<Codec>(new SnappyCodec());
    case CompressionCodec::kGzip: {
      const int level = options.level == 0 ? 6 : options.level;
      if (level < 1 || level > 12) {
        return InvalidArgument("GZIP level must be 1..12 (0 for the default 6), got " +
                               std::to_string(options.level));
      }
      return std::unique_ptr<Codec>(new GzipCodec(level));
    }
    case CompressionCodec::kZstd: {
      const int level = options.level == 0 ? ZSTD_CLEVEL_DEFAULT : options.level;
      if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
        return InvalidArgument("ZSTD level must be " + std::to_string(ZSTD_minCLevel()) + ".." +
                               std::to_string(ZSTD_maxCLevel()) + " (0 for the default " +
                               std::to_string(ZSTD_CLEVEL_DEFAULT) + "), got " +
                               std::to_string(options.level));
      }
      return std::unique_ptr<Codec>(new ZstdCodec(level));
    }
  }
  return InvalidArgument("unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace tarn::formats
