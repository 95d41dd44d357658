#include "formats/parquet/column_writer.h"

#include <cmath>
#include <cstring>

#include "formats/parquet/encoding/bit_util.h"
#include "formats/parquet/encoding/rle.h"
#include "formats/parquet/thrift_io.h"

namespace tarn::formats::parquet {

using format::Encoding;
using format::PageType;
using format::Type;

namespace {

format::CompressionCodec::type ThriftCodec(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return format::CompressionCodec::UNCOMPRESSED;
    case CompressionCodec::kSnappy:
      return format::CompressionCodec::SNAPPY;
    case CompressionCodec::kGzip:
      return format::CompressionCodec::GZIP;
    case CompressionCodec::kZstd:
      return format::CompressionCodec::ZSTD;
  }
  return format::CompressionCodec::UNCOMPRESSED;
}

template <typename T>
uint64_t Bits(T v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  return bits;
}

template <typename T>
T FromPlain(const std::string& s) {
  T v;
  std::memcpy(&v, s.data(), sizeof(T));
  return v;
}

template <typename T>
std::string ToPlain(T v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(T));
}

void AppendLevels(const std::vector<uint32_t>& levels, int max_level, bool length_prefix,
                  std::string* out) {
  std::string encoded;
  EncodeRle(levels.data(), levels.size(), BitWidth(static_cast<uint64_t>(max_level)), &encoded);
  if (length_prefix) PutLittleEndian<uint32_t>(static_cast<uint32_t>(encoded.size()), out);
  out->append(encoded);
}

}  // namespace

ColumnChunkWriter::ColumnChunkWriter(const LeafColumn& leaf, const ParquetWriterOptions& options,
                                     std::unique_ptr<Codec> codec)
    : leaf_(leaf),
      options_(options),
      codec_(std::move(codec)),
      use_dictionary_(options.dictionary && leaf.physical != Type::BOOLEAN) {}

template <typename T>
void ColumnChunkWriter::UpdateStats(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(value)) return;  // NaN has no place in min/max (TYPE_ORDER rules).
  }
  if (!page_stats_.has_value) {
    page_stats_.has_value = true;
    page_stats_.min = ToPlain(value);
    page_stats_.max = ToPlain(value);
    return;
  }
  if (value < FromPlain<T>(page_stats_.min)) page_stats_.min = ToPlain(value);
  if (value > FromPlain<T>(page_stats_.max)) page_stats_.max = ToPlain(value);
}

void ColumnChunkWriter::UpdateBytesStats(std::string_view value) {
  // Byte arrays order as unsigned bytes, which std::string_view's compare gives via memcmp.
  if (!page_stats_.has_value) {
    page_stats_.has_value = true;
    page_stats_.min.assign(value);
    page_stats_.max.assign(value);
    return;
  }
  if (value < std::string_view(page_stats_.min)) page_stats_.min.assign(value);
  if (value > std::string_view(page_stats_.max)) page_stats_.max.assign(value);
}

void ColumnChunkWriter::Merge(const Stats& page) {
  chunk_stats_.nulls += page.nulls;
  if (!page.has_value) return;
  if (!chunk_stats_.has_value) {
    chunk_stats_.has_value = true;
    chunk_stats_.min = page.min;
    chunk_stats_.max = page.max;
    return;
  }
  auto less = [&](const std::string& a, const std::string& b) {
    switch (leaf_.physical) {
      case Type::BOOLEAN:
        return a[0] < b[0];
      case Type::INT32:
        return FromPlain<int32_t>(a) < FromPlain<int32_t>(b);
      case Type::INT64:
        return FromPlain<int64_t>(a) < FromPlain<int64_t>(b);
      case Type::FLOAT:
        return FromPlain<float>(a) < FromPlain<float>(b);
      case Type::DOUBLE:
        return FromPlain<double>(a) < FromPlain<double>(b);
      default:
        return a < b;
    }
  };
  if (less(page.min, chunk_stats_.min)) chunk_stats_.min = page.min;
  if (less(chunk_stats_.max, page.max)) chunk_stats_.max = page.max;
}

format::Statistics ColumnChunkWriter::ToThrift(const Stats& stats) const {
  format::Statistics out;
  out.__set_null_count(stats.nulls);
  if (stats.has_value) {
    std::string min = stats.min, max = stats.max;
    // Zero bounds are written as -0.0 (min) and +0.0 (max), so either sign matches.
    if (leaf_.physical == Type::FLOAT) {
      if (FromPlain<float>(min) == 0) min = ToPlain(-0.0f);
      if (FromPlain<float>(max) == 0) max = ToPlain(0.0f);
    } else if (leaf_.physical == Type::DOUBLE) {
      if (FromPlain<double>(min) == 0) min = ToPlain(-0.0);
      if (FromPlain<double>(max) == 0) max = ToPlain(0.0);
    }
    out.__set_min_value(min);
    out.__set_max_value(max);
  }
  return out;
}

size_t ColumnChunkWriter::DictionarySize() const {
  const bool bytes =
      leaf_.physical == Type::BYTE_ARRAY || leaf_.physical == Type::FIXED_LEN_BYTE_ARRAY;
  return bytes ? dict_storage_.size() : dict_fixed_values_.size();
}

void ColumnChunkWriter::AddValues(const PhysicalValues& values, size_t begin, size_t end) {
  switch (leaf_.physical) {
    case Type::BOOLEAN:
      for (size_t i = begin; i < end; ++i) {
        page_bools_.push_back(values.b8[i]);
        UpdateStats<uint8_t>(values.b8[i]);
      }
      return;
    case Type::BYTE_ARRAY:
    case Type::FIXED_LEN_BYTE_ARRAY:
      for (size_t i = begin; i < end; ++i) {
        // Wide decimals arrive as 128-bit values and are written big-endian in type_length
        // bytes. Their order is signed, not bytewise, so they get no min/max statistics.
        char wide[16];
        std::string_view v;
        if (leaf_.physical == Type::FIXED_LEN_BYTE_ARRAY) {
          unsigned __int128 bits = static_cast<unsigned __int128>(values.i128[i]);
          for (int b = leaf_.type_length - 1; b >= 0; --b, bits >>= 8) {
            wide[b] = static_cast<char>(bits & 0xff);
          }
          v = std::string_view(wide, static_cast<size_t>(leaf_.type_length));
        } else {
          v = values.views[i];
          UpdateBytesStats(v);
        }
        if (use_dictionary_) {
          auto it = dict_bytes_.find(v);
          if (it == dict_bytes_.end()) {
            dict_storage_.emplace_back(v);
            it = dict_bytes_
                     .emplace(dict_storage_.back(), static_cast<uint32_t>(dict_storage_.size() - 1))
                     .first;
            dict_plain_bytes_ += static_cast<int64_t>(4 + v.size());
          }
          page_indices_.push_back(it->second);
        } else {
          if (leaf_.physical == Type::BYTE_ARRAY) {
            PutLittleEndian<uint32_t>(static_cast<uint32_t>(v.size()), &page_plain_);
          }
          page_plain_.append(v);
        }
      }
      return;
    default:
      break;
  }
  auto add_fixed = [&](auto value) {
    using T = decltype(value);
    UpdateStats<T>(value);
    if (use_dictionary_) {
      const uint64_t bits = Bits(value);
      auto it = dict_fixed_.find(bits);
      if (it == dict_fixed_.end()) {
        dict_fixed_values_.push_back(bits);
        it = dict_fixed_.emplace(bits, static_cast<uint32_t>(dict_fixed_values_.size() - 1)).first;
        dict_plain_bytes_ += static_cast<int64_t>(sizeof(T));
      }
      page_indices_.push_back(it->second);
    } else {
      PutLittleEndian<T>(value, &page_plain_);
    }
  };
  for (size_t i = begin; i < end; ++i) {
    switch (leaf_.physical) {
      case Type::INT32:
        add_fixed(values.i32[i]);
        break;
      case Type::INT64:
        add_fixed(values.i64[i]);
        break;
      case Type::FLOAT:
        add_fixed(values.f32[i]);
        break;
      case Type::DOUBLE:
        add_fixed(values.f64[i]);
        break;
      default:
        break;
    }
  }
}

Status ColumnChunkWriter::Write(const LeafBatch& batch) {
  const bool repeated = leaf_.max_rep > 0;
  size_t value = 0;
  const size_t slots = batch.def.size();
  // Pages are cut only where a row starts, so that no row spans two pages.
  size_t slot = 0;
  while (slot < slots) {
    // A run of slots up to the next cut check: whole rows, at most 1024 slots.
    size_t end = slot + 1;
    while (end < slots && (end - slot < 1024 || (repeated && batch.rep[end] != 0))) ++end;
    size_t present = 0;
    for (size_t i = slot; i < end; ++i) {
      const int16_t def = batch.def[i];
      page_def_.push_back(static_cast<uint32_t>(def));
      if (repeated) {
        page_rep_.push_back(static_cast<uint32_t>(batch.rep[i]));
        if (batch.rep[i] == 0) ++page_rows_;
      } else {
        ++page_rows_;
      }
      if (def == leaf_.max_def) {
        ++present;
      } else {
        ++page_nulls_;
        ++page_stats_.nulls;
      }
    }
    page_values_ += static_cast<int64_t>(end - slot);
    if (value + present > batch.values.size(leaf_.physical)) {
      return Internal("column '" + leaf_.path.back() + "': fewer values than present slots");
    }
    AddValues(batch.values, value, value + present);
    value += present;
    slot = end;
    if (use_dictionary_ && dict_plain_bytes_ > options_.dictionary_page_bytes) {
      // The dictionary grew too large: pages so far keep it, the rest are PLAIN.
      TARN_RETURN_IF_ERROR(FlushPage());
      use_dictionary_ = false;
    }
    const int64_t page_estimate =
        static_cast<int64_t>(page_plain_.size() + page_indices_.size() * 2 +
                             page_bools_.size() / 8 + page_def_.size() / 4 + page_rep_.size() / 4);
    if (page_estimate >= options_.page_bytes) TARN_RETURN_IF_ERROR(FlushPage());
  }
  return Status::Ok();
}

int64_t ColumnChunkWriter::EstimatedSize() const {
  return static_cast<int64_t>(pages_.size() + page_plain_.size() + page_indices_.size() * 2 +
                              page_bools_.size() / 8) +
         (chunk_used_dictionary_ || !page_indices_.empty() ? dict_plain_bytes_ : 0);
}

Status ColumnChunkWriter::FlushPage() {
  if (page_values_ == 0) return Status::Ok();
  // In dictionary mode every value of the page went to the dictionary; a page of NULLs before
  // the dictionary has any entry is written as an (empty) PLAIN page.
  const bool dictionary_page = use_dictionary_ && DictionarySize() > 0;
  std::string values;
  Encoding::type encoding = Encoding::PLAIN;
  if (dictionary_page) {
    const int width = std::max(1, BitWidth(DictionarySize() > 0 ? DictionarySize() - 1 : 0));
    values.push_back(static_cast<char>(width));
    EncodeRle(page_indices_.data(), page_indices_.size(), width, &values);
    encoding = options_.page_version == DataPageVersion::kV1 ? Encoding::PLAIN_DICTIONARY
                                                             : Encoding::RLE_DICTIONARY;
    chunk_used_dictionary_ = true;
  } else if (leaf_.physical == Type::BOOLEAN) {
    std::vector<uint32_t> bits(page_bools_.begin(), page_bools_.end());
    PackBits(bits.data(), bits.size(), 1, &values);
    chunk_used_plain_ = true;
  } else {
    values = std::move(page_plain_);
    chunk_used_plain_ = true;
  }
  if (dictionary_page)
    ++dictionary_pages_;
  else
    ++plain_pages_;

  format::PageHeader header;
  std::string body;
  if (options_.page_version == DataPageVersion::kV1) {
    if (leaf_.max_rep > 0) AppendLevels(page_rep_, leaf_.max_rep, true, &body);
    if (leaf_.max_def > 0) AppendLevels(page_def_, leaf_.max_def, true, &body);
    body.append(values);
    std::string compressed;
    TARN_RETURN_IF_ERROR(codec_->Compress(body, &compressed));
    format::DataPageHeader data;
    data.__set_num_values(static_cast<int32_t>(page_values_));
    data.__set_encoding(encoding);
    data.__set_definition_level_encoding(Encoding::RLE);
    data.__set_repetition_level_encoding(Encoding::RLE);
    data.__set_statistics(ToThrift(page_stats_));
    header.__set_type(PageType::DATA_PAGE);
    header.__set_uncompressed_page_size(static_cast<int32_t>(body.size()));
    header.__set_compressed_page_size(static_cast<int32_t>(compressed.size()));
    header.__set_data_page_header(data);
    std::string encoded_header;
    TARN_RETURN_IF_ERROR(Serialize(header, &encoded_header));
    chunk_uncompressed_ += static_cast<int64_t>(encoded_header.size() + body.size());
    pages_.append(encoded_header);
    pages_.append(compressed);
  } else {
    std::string levels;
    if (leaf_.max_rep > 0) AppendLevels(page_rep_, leaf_.max_rep, false, &levels);
    const size_t rep_length = levels.size();
    if (leaf_.max_def > 0) AppendLevels(page_def_, leaf_.max_def, false, &levels);
    const size_t def_length = levels.size() - rep_length;
    std::string compressed;
    TARN_RETURN_IF_ERROR(codec_->Compress(values, &compressed));
    format::DataPageHeaderV2 data;
    data.__set_num_values(static_cast<int32_t>(page_values_));
    data.__set_num_nulls(static_cast<int32_t>(page_nulls_));
    data.__set_num_rows(static_cast<int32_t>(page_rows_));
    data.__set_encoding(encoding);
    data.__set_definition_levels_byte_length(static_cast<int32_t>(def_length));
    data.__set_repetition_levels_byte_length(static_cast<int32_t>(rep_length));
    data.__set_is_compressed(true);
    data.__set_statistics(ToThrift(page_stats_));
    header.__set_type(PageType::DATA_PAGE_V2);
    header.__set_uncompressed_page_size(static_cast<int32_t>(levels.size() + values.size()));
    header.__set_compressed_page_size(static_cast<int32_t>(levels.size() + compressed.size()));
    header.__set_data_page_header_v2(data);
    std::string encoded_header;
    TARN_RETURN_IF_ERROR(Serialize(header, &encoded_header));
    chunk_uncompressed_ +=
        static_cast<int64_t>(encoded_header.size() + levels.size() + values.size());
    pages_.append(encoded_header);
    pages_.append(levels);
    pages_.append(compressed);
  }
  ++data_pages_;
  chunk_values_ += page_values_;
  Merge(page_stats_);
  page_def_.clear();
  page_rep_.clear();
  page_indices_.clear();
  page_plain_.clear();
  page_bools_.clear();
  page_values_ = page_rows_ = page_nulls_ = 0;
  page_stats_.Clear();
  return Status::Ok();
}

void ColumnChunkWriter::EncodeDictionaryPlain(std::string* out) const {
  if (leaf_.physical == Type::BYTE_ARRAY || leaf_.physical == Type::FIXED_LEN_BYTE_ARRAY) {
    for (const std::string& v : dict_storage_) {
      if (leaf_.physical == Type::BYTE_ARRAY) {
        PutLittleEndian<uint32_t>(static_cast<uint32_t>(v.size()), out);
      }
      out->append(v);
    }
    return;
  }
  const size_t width = leaf_.physical == Type::INT32 || leaf_.physical == Type::FLOAT ? 4 : 8;
  for (uint64_t bits : dict_fixed_values_) out->append(reinterpret_cast<const char*>(&bits), width);
}

Status ColumnChunkWriter::WriteDictionaryPage(std::string* out) {
  std::string plain;
  EncodeDictionaryPlain(&plain);
  std::string compressed;
  TARN_RETURN_IF_ERROR(codec_->Compress(plain, &compressed));
  format::DictionaryPageHeader dict;
  dict.__set_num_values(static_cast<int32_t>(DictionarySize()));
  dict.__set_encoding(options_.page_version == DataPageVersion::kV1 ? Encoding::PLAIN_DICTIONARY
                                                                    : Encoding::PLAIN);
  format::PageHeader header;
  header.__set_type(PageType::DICTIONARY_PAGE);
  header.__set_uncompressed_page_size(static_cast<int32_t>(plain.size()));
  header.__set_compressed_page_size(static_cast<int32_t>(compressed.size()));
  header.__set_dictionary_page_header(dict);
  std::string encoded_header;
  TARN_RETURN_IF_ERROR(Serialize(header, &encoded_header));
  chunk_uncompressed_ += static_cast<int64_t>(encoded_header.size() + plain.size());
  out->append(encoded_header);
  out->append(compressed);
  return Status::Ok();
}

Status ColumnChunkWriter::Finish(int64_t file_offset, std::string* out,
                                 format::ColumnChunk* chunk) {
  TARN_RETURN_IF_ERROR(FlushPage());
  const size_t start = out->size();
  format::ColumnMetaData meta;
  if (chunk_used_dictionary_) {
    meta.__set_dictionary_page_offset(file_offset);
    TARN_RETURN_IF_ERROR(WriteDictionaryPage(out));
  }
  meta.__set_data_page_offset(file_offset + static_cast<int64_t>(out->size() - start));
  out->append(pages_);
  const int64_t compressed_size = static_cast<int64_t>(out->size() - start);

  meta.__set_type(leaf_.physical);
  std::vector<int32_t> encodings = {Encoding::RLE};
  std::vector<format::PageEncodingStats> encoding_stats;
  const bool v1 = options_.page_version == DataPageVersion::kV1;
  if (chunk_used_dictionary_) {
    encodings.push_back(v1 ? Encoding::PLAIN_DICTIONARY : Encoding::RLE_DICTIONARY);
    if (!v1) encodings.push_back(Encoding::PLAIN);  // The dictionary page's encoding.
    format::PageEncodingStats dict_stats;
    dict_stats.__set_page_type(PageType::DICTIONARY_PAGE);
    dict_stats.__set_encoding(v1 ? Encoding::PLAIN_DICTIONARY : Encoding::PLAIN);
    dict_stats.__set_count(1);
    encoding_stats.push_back(dict_stats);
    format::PageEncodingStats data_stats;
    data_stats.__set_page_type(v1 ? PageType::DATA_PAGE : PageType::DATA_PAGE_V2);
    data_stats.__set_encoding(v1 ? Encoding::PLAIN_DICTIONARY : Encoding::RLE_DICTIONARY);
    data_stats.__set_count(dictionary_pages_);
    encoding_stats.push_back(data_stats);
  }
  if (chunk_used_plain_) {
    if (v1 || !chunk_used_dictionary_) encodings.push_back(Encoding::PLAIN);
    format::PageEncodingStats plain_stats;
    plain_stats.__set_page_type(v1 ? PageType::DATA_PAGE : PageType::DATA_PAGE_V2);
    plain_stats.__set_encoding(Encoding::PLAIN);
    plain_stats.__set_count(plain_pages_);
    encoding_stats.push_back(plain_stats);
  }
  meta.__set_encodings(encodings);
  meta.__set_encoding_stats(encoding_stats);
  meta.__set_path_in_schema(leaf_.path);
  meta.__set_codec(ThriftCodec(options_.compression));
  meta.__set_num_values(chunk_values_);
  meta.__set_total_uncompressed_size(chunk_uncompressed_);
  meta.__set_total_compressed_size(compressed_size);
  meta.__set_statistics(ToThrift(chunk_stats_));
  chunk->__set_file_offset(file_offset);
  chunk->__set_meta_data(meta);

  // Ready for the next row group: a fresh dictionary and counters.
  pages_.clear();
  use_dictionary_ = options_.dictionary && leaf_.physical != Type::BOOLEAN;
  dict_fixed_.clear();
  dict_bytes_.clear();
  dict_storage_.clear();
  dict_fixed_values_.clear();
  dict_plain_bytes_ = 0;
  chunk_used_dictionary_ = chunk_used_plain_ = false;
  chunk_values_ = chunk_uncompressed_ = 0;
  dictionary_pages_ = data_pages_ = plain_pages_ = 0;
  chunk_stats_.Clear();
  return Status::Ok();
}

}  // namespace tarn::formats::parquet
