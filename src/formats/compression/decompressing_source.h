// Streaming decompression of lake objects: a ByteSource that reads a compressed ByteSource and
// gives its decompressed bytes, in bounded memory, for objects of any size.
//
//   .gz   gzip (zlib); concatenated members are read as one stream, as gzip -d does.
//   .zst  zstd frames; concatenated frames are read as one stream.
//
// Corrupt or truncated input is kCorruption with the object's name and the compressed offset
// where it was found, e.g. "events.gz: corrupt gzip data at compressed offset 1234: invalid
// distance too far back", or "events.gz: truncated gzip stream at compressed offset 4096".
// Such an error is final: later reads return it again. Errors of the wrapped source pass through
// unchanged (a retry may succeed). Not thread-safe.
//
// Edges, decided here:
//   - A zero-byte object is an empty stream for both formats (gzip -d would call it an error;
//     an empty object is how an empty upload arrives, and it holds no data to lose).
//   - gzip: zero bytes after a complete member are padding and are skipped, as gzip -d does;
//     anything else that is not another member is "trailing garbage after gzip member at
//     compressed offset N" (gzip -d only warns; we refuse, since it means damage or a mix-up).
//   - zstd: skippable frames are skipped; anything after the last frame that is not a frame is
//     "trailing garbage after zstd frame at compressed offset N".
// Memory: a 256 KiB input buffer plus zlib's 32 KiB window, or zstd's window, which zstd limits
// to 128 MiB by default (frames that ask for more are rejected as corrupt).
#pragma once

#include <memory>
#include <string_view>

#include "common/byte_source.h"
#include "formats/compression/codec.h"

namespace tarn::formats {

enum class StreamCompression { kNone, kGzip, kZstd };

// By the object name's extension: ".gz" gzip, ".zst" zstd, anything else none.
StreamCompression StreamCompressionFromName(std::string_view name);

// Wraps `compressed`; with kNone returns it unchanged. The result takes its name from
// `compressed`.
std::unique_ptr<ByteSource> MakeDecompressingSource(std::unique_ptr<ByteSource> compressed,
                                                    StreamCompression compression);

}  // namespace tarn::formats
