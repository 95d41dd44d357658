// ColumnChunkWriter: encodes the values of one leaf column into the pages of a column chunk,
// one row group at a time (docs/parquet.md): dictionary encoding while the dictionary stays
// small, falling back to PLAIN; RLE definition and repetition levels; data page v1 or v2;
// statistics per page and per chunk; pages compressed with the chunk's codec.
// Not thread-safe; a file writer owns one per leaf.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "formats/compression/codec.h"
#include "formats/parquet/encoding/decoders.h"
#include "formats/parquet/parquet_format_types.h"
#include "formats/parquet/schema.h"

namespace tarn::formats::parquet {

enum class DataPageVersion { kV1, kV2 };

struct ParquetWriterOptions {
  CompressionCodec compression = CompressionCodec::kSnappy;
  int compression_level = 0;                  // 0: the codec's default.
  int64_t row_group_bytes = 128LL << 20;      // Target compressed size of a row group.
  int64_t page_bytes = 1LL << 20;             // Target uncompressed size of a data page.
  bool dictionary = true;                     // Dictionary-encode while it stays small.
  int64_t dictionary_page_bytes = 1LL << 20;  // Fall back to PLAIN beyond this.
  DataPageVersion page_version = DataPageVersion::kV1;
};

// What the shredder hands one leaf: a level pair per slot (repetition levels only when the
// leaf repeats) and the non-null values in order.
struct LeafBatch {
  std::vector<int16_t> def;
  std::vector<int16_t> rep;
  PhysicalValues values;
  void Clear() {
    def.clear();
    rep.clear();
    values.Clear();
  }
};

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const LeafColumn& leaf, const ParquetWriterOptions& options,
                    std::unique_ptr<Codec> codec);

  Status Write(const LeafBatch& batch);

  // Bytes this chunk would take if finished now (compressed pages plus the open page).
  int64_t EstimatedSize() const;

  // Finishes the chunk: appends its pages to `*out`, which will start at file offset
  // `file_offset`, and fills `*chunk`. The writer is then ready for the next row group.
  Status Finish(int64_t file_offset, std::string* out, format::ColumnChunk* chunk);

 private:
  struct Stats {
    bool has_value = false;
    std::string min, max;  // PLAIN-encoded (no length prefix for byte arrays).
    int64_t nulls = 0;
    void Clear() {
      has_value = false;
      min.clear();
      max.clear();
      nulls = 0;
    }
  };

  template <typename T>
  void UpdateStats(T value);
  void UpdateBytesStats(std::string_view value);
  void Merge(const Stats& page);
  format::Statistics ToThrift(const Stats& stats) const;

  void AddValues(const PhysicalValues& values, size_t begin, size_t end);
  Status FlushPage();
  Status WriteDictionaryPage(std::string* out);
  void EncodeDictionaryPlain(std::string* out) const;
  size_t DictionarySize() const;

  LeafColumn leaf_;
  ParquetWriterOptions options_;
  std::unique_ptr<Codec> codec_;

  // The open page.
  std::vector<uint32_t> page_def_, page_rep_;
  std::vector<uint32_t> page_indices_;  // Dictionary mode.
  std::string page_plain_;              // PLAIN mode.
  std::vector<uint8_t> page_bools_;     // PLAIN booleans, packed at the end of the page.
  int64_t page_values_ = 0;             // Level slots, NULLs included.
  int64_t page_rows_ = 0;
  int64_t page_nulls_ = 0;
  Stats page_stats_;

  // The chunk so far.
  std::string pages_;  // Finished data pages, with their headers.
  bool use_dictionary_;
  std::unordered_map<uint64_t, uint32_t> dict_fixed_;          // Value bits to index.
  std::unordered_map<std::string_view, uint32_t> dict_bytes_;  // Views into dict_storage_.
  std::deque<std::string> dict_storage_;
  std::vector<uint64_t> dict_fixed_values_;
  int64_t dict_plain_bytes_ = 0;
  bool chunk_used_dictionary_ = false;
  bool chunk_used_plain_ = false;
  int64_t chunk_values_ = 0;
  int64_t chunk_uncompressed_ = 0;
  int dictionary_pages_ = 0, data_pages_ = 0, plain_pages_ = 0;
  Stats chunk_stats_;
};

}  // namespace tarn::formats::parquet
