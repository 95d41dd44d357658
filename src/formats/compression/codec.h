// Compression codecs behind one interface: whole-buffer compression and decompression for
// Parquet pages and lake objects. The codecs are Parquet's: UNCOMPRESSED, SNAPPY, GZIP, ZSTD.
//
// A Codec object may keep scratch state between calls; it is not thread-safe: give each thread
// its own. Errors on corrupt or truncated input are kCorruption and say what was wrong; callers
// add the object name and offset with Status::WithContext.
//
// Choices the formats leave open: an empty input decompresses to nothing for every codec. GZIP
// uses libdeflate (measured faster than zlib by bench/codec_bench.cc). ZSTD output carries a
// content checksum, so damage inside a frame is detected; SNAPPY has no checksum, so a changed
// literal byte goes unnoticed and only structural damage is kCorruption.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn::formats {

enum class CompressionCodec { kUncompressed, kSnappy, kGzip, kZstd };

// "UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD" (Parquet's names).
std::string_view CodecName(CompressionCodec codec);
// Accepts the names above in any case, and "none" for UNCOMPRESSED; kInvalidArgument otherwise,
// naming the accepted values.
Result<CompressionCodec> ParseCodec(std::string_view name);

struct CodecOptions {
  // Codec-specific level; 0 means the codec's default (gzip 6, zstd 3). Ignored by snappy and
  // uncompressed. GZIP takes 1..12 (10-12 are libdeflate's slowest, smallest), ZSTD takes
  // ZSTD_minCLevel()..ZSTD_maxCLevel(); MakeCodec rejects others with kInvalidArgument.
  int level = 0;
};

class Codec {
 public:
  virtual ~Codec() = default;
  virtual CompressionCodec kind() const = 0;

  // Appends the compressed form of `input` to `*out`.
  virtual Status Compress(std::string_view input, std::string* out) = 0;

  // Decompresses `input`, which must expand to exactly `uncompressed_size` bytes written at
  // `out`; anything else (shorter, longer, malformed, trailing garbage) is kCorruption. GZIP
  // and ZSTD accept several members / frames here too, but nothing after the last one.
  virtual Status Decompress(std::string_view input, size_t uncompressed_size, char* out) = 0;

  // Decompresses `input` whose expanded size is not known, appending to `*out`. For GZIP,
  // concatenated members are read as one stream, and zero bytes after the last member are
  // padding (as for gzip -d and MakeDecompressingSource); any other trailing byte is
  // kCorruption. `max_output` bounds the result (kResourceExhausted beyond it), so a small
  // hostile input cannot exhaust memory; ZSTD's decoder also keeps a window of at most 128 MiB
  // (zstd's default limit). On failure `*out` is left as it was.
  virtual Status DecompressUnknownSize(std::string_view input, std::string* out,
                                       size_t max_output) = 0;
};

Result<std::unique_ptr<Codec>> MakeCodec(CompressionCodec codec, const CodecOptions& options = {});

}  // namespace tarn::formats
