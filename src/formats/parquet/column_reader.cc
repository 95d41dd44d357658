#include "formats/parquet/column_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "common/parallel.h"
#include "formats/compression/codec.h"
#include "formats/parquet/encoding/decoders.h"
#include "formats/parquet/encoding/rle.h"
#include "formats/parquet/thrift_io.h"

namespace tarn::formats::parquet {

using format::Encoding;
using format::PageType;
using format::Type;

namespace {

// Pages larger than this are treated as corrupt rather than allocated (smaller when fuzzing, so
// that a size claim cannot pass for an out-of-memory crash).
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr int64_t kMaxPageBytes = 16LL << 20;
#else
constexpr int64_t kMaxPageBytes = 1LL << 30;
#endif

Result<CompressionCodec> CodecOf(int32_t codec) {
  switch (codec) {
    case format::CompressionCodec::UNCOMPRESSED:
      return CompressionCodec::kUncompressed;
    case format::CompressionCodec::SNAPPY:
      return CompressionCodec::kSnappy;
    case format::CompressionCodec::GZIP:
      return CompressionCodec::kGzip;
    case format::CompressionCodec::ZSTD:
      return CompressionCodec::kZstd;
    default:
      return InvalidArgument(
          fmt::format("compression codec {} is not supported (tarn reads "
                      "UNCOMPRESSED, SNAPPY, GZIP and ZSTD)",
                      static_cast<int>(codec)));
  }
}

// A big-endian two's complement integer of any length as a 128-bit value; bytes beyond 16 must
// be sign padding, else `*overflow`.
__int128 BigEndianSigned(std::string_view bytes, bool* overflow) {
  const bool negative = !bytes.empty() && static_cast<int8_t>(bytes[0]) < 0;
  *overflow = false;
  const size_t skip = bytes.size() > 16 ? bytes.size() - 16 : 0;
  for (size_t i = 0; i < skip; ++i) {
    if (static_cast<uint8_t>(bytes[i]) != (negative ? 0xff : 0x00)) *overflow = true;
  }
  unsigned __int128 v = negative ? ~static_cast<unsigned __int128>(0) : 0;
  for (size_t i = skip; i < bytes.size(); ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  const __int128 result = static_cast<__int128>(v);
  if (skip > 0 && ((result < 0) != negative)) *overflow = true;
  return result;
}

// Appends physical values [begin, end) to `out`, converted to the leaf's table type.
Status ConvertValues(const LeafColumn& leaf, const PhysicalValues& in, size_t begin, size_t end,
                     Column* out) {
  switch (leaf.conversion) {
    case LeafConversion::kNone:
      switch (leaf.physical) {
        case Type::BOOLEAN:
          out->b8.insert(out->b8.end(), in.b8.begin() + begin, in.b8.begin() + end);
          break;
        case Type::INT32:
          out->i32.insert(out->i32.end(), in.i32.begin() + begin, in.i32.begin() + end);
          break;
        case Type::INT64:
          out->i64.insert(out->i64.end(), in.i64.begin() + begin, in.i64.begin() + end);
          break;
        case Type::FLOAT:
          out->f32.insert(out->f32.end(), in.f32.begin() + begin, in.f32.begin() + end);
          break;
        case Type::DOUBLE:
          out->f64.insert(out->f64.end(), in.f64.begin() + begin, in.f64.begin() + end);
          break;
        default:
          for (size_t i = begin; i < end; ++i) {
            out->bytes.append(in.views[i]);
            out->offsets.push_back(out->bytes.size());
          }
          break;
      }
      break;
    case LeafConversion::kInt32ToInt64:
      for (size_t i = begin; i < end; ++i) out->i64.push_back(in.i32[i]);
      break;
    case LeafConversion::kUInt32ToInt64:
      for (size_t i = begin; i < end; ++i) out->i64.push_back(static_cast<uint32_t>(in.i32[i]));
      break;
    case LeafConversion::kMillisToMicros:
      for (size_t i = begin; i < end; ++i) out->i64.push_back(in.i64[i] * 1000);
      break;
    case LeafConversion::kNanosToMicros:
      for (size_t i = begin; i < end; ++i) {
        const int64_t v = in.i64[i];
        out->i64.push_back(v / 1000 - (v % 1000 < 0 ? 1 : 0));
      }
      break;
    case LeafConversion::kInt96Timestamp:
      for (size_t i = begin; i < end; ++i) {
        const std::string_view v = in.views[i];
        const int64_t nanos = LoadLittleEndian<int64_t>(v.data());
        const int32_t julian_day = LoadLittleEndian<int32_t>(v.data() + 8);
        constexpr int64_t kJulianEpoch = 2440588;  // Julian day of 1970-01-01.
        out->i64.push_back((julian_day - kJulianEpoch) * 86'400'000'000LL + nanos / 1000);
      }
      break;
    case LeafConversion::kDecimalBytes: {
      const bool wide = StorageOf(leaf.type) == Storage::kInt128;
      __int128 limit = 1;
      for (int d = 0; d < leaf.type.precision; ++d) limit *= 10;
      for (size_t i = begin; i < end; ++i) {
        bool overflow = false;
        const __int128 v = BigEndianSigned(in.views[i], &overflow);
        if (overflow || v >= limit || v <= -limit) {
          return Corruption(fmt::format(
              "column '{}': a decimal value has more than the {} digits its type allows",
              leaf.path.back(), leaf.type.precision));
        }
        if (wide) {
          out->i128.push_back(v);
        } else {
          out->i64.push_back(static_cast<int64_t>(v));
        }
      }
      break;
    }
  }
  out->valid.insert(out->valid.end(), end - begin, 1);
  return Status::Ok();
}

// PLAIN byte arrays straight into a column: one pass, no views in between (strings are the
// bulk of most scans).
Status PlainBytesInto(ByteReader& in, size_t count, Column* out) {
  if (count > in.remaining() / 4) {
    return Corruption("PLAIN byte arrays: " + std::to_string(count) + " values cannot fit in " +
                      std::to_string(in.remaining()) + " bytes");
  }
  for (size_t i = 0; i < count; ++i) {
    TARN_ASSIGN_OR_RETURN(uint32_t length, in.Fixed<uint32_t>());
    TARN_ASSIGN_OR_RETURN(std::string_view v, in.Bytes(length));
    out->bytes.append(v);
    out->offsets.push_back(out->bytes.size());
  }
  out->valid.insert(out->valid.end(), count, 1);
  return Status::Ok();
}

// A page of the chunk: its header, its bytes, and once decompressed, its plain bytes.
struct PageRef {
  size_t pos = 0;  // Offset of the header within the chunk.
  format::PageHeader header;
  std::string_view page;
  const char* buffer = nullptr;  // In the decoder's buffer pool.
  size_t size = 0;
  bool decompressed = false;
  Status status;
};

// Pages decompressed together: at most this many, or this many uncompressed bytes.
// Small enough that the buffers, reused from window to window, stay in memory already mapped.
constexpr size_t kWindowPages = 8;
constexpr size_t kWindowBytes = 16 << 20;

// Reads the values of one chunk page by page.
class ChunkDecoder {
 public:
  ChunkDecoder(const LeafColumn& leaf, const format::ColumnMetaData& meta, std::string_view bytes,
               int64_t offset, const std::string& where)
      : leaf_(leaf), meta_(meta), bytes_(bytes), offset_(offset), where_(where) {}

  Result<LeafData> Decode() {
    TARN_ASSIGN_OR_RETURN(CompressionCodec kind, CodecOf(meta_.codec));
    TARN_ASSIGN_OR_RETURN(codec_, MakeCodec(kind));
    data_.values = Column::Make(leaf_.type);
    if (meta_.num_values < 0) return Error(0, "negative value count");
    const uint64_t expected = static_cast<uint64_t>(meta_.num_values);
    // Size the outputs once: growing them value by value costs more than decoding. The
    // chunk's sizes bound what it can hold (and a lying footer cannot make us reserve more
    // than the bytes we were given allow).
    const size_t most_slots = static_cast<size_t>(
        std::min<uint64_t>(expected, std::max<uint64_t>(bytes_.size() * 8, 1 << 16)));
    data_.values.Reserve(most_slots);
    if (leaf_.max_def > 0) data_.def.reserve(most_slots);
    if (leaf_.max_rep > 0) data_.rep.reserve(most_slots);
    if (StorageOf(leaf_.type) == Storage::kBytes && meta_.total_uncompressed_size > 0) {
      data_.values.bytes.reserve(static_cast<size_t>(std::min<int64_t>(
          meta_.total_uncompressed_size, static_cast<int64_t>(bytes_.size()) * 64)));
    }
    // Pages are taken a window at a time: their headers are read, the window's pages are
    // decompressed on all cores (decompression is most of a scan's work), then decoded in order.
    size_t pos = 0;
    uint64_t announced = 0;  // Values the headers read so far promise.
    std::vector<PageRef> window;
    while (data_.slots < expected) {
      window.clear();
      size_t window_bytes = 0;
      while (announced < expected && window.size() < kWindowPages && window_bytes < kWindowBytes) {
        if (pos >= bytes_.size()) break;
        PageRef ref;
        ref.pos = pos;
        uint32_t header_size =
            static_cast<uint32_t>(std::min<size_t>(bytes_.size() - pos, UINT32_MAX));
        Status s = Deserialize(reinterpret_cast<const uint8_t*>(bytes_.data() + pos), &header_size,
                               &ref.header);
        if (!s.ok()) return Error(pos, "page header: " + s.message());
        const int64_t compressed = ref.header.compressed_page_size;
        const int64_t uncompressed = ref.header.uncompressed_page_size;
        if (compressed < 0 || uncompressed < 0 || uncompressed > kMaxPageBytes ||
            static_cast<uint64_t>(compressed) > bytes_.size() - pos - header_size) {
          return Error(pos, fmt::format("page sizes {} (compressed) / {} (uncompressed) do not "
                                        "fit the chunk",
                                        compressed, uncompressed));
        }
        ref.page = bytes_.substr(pos + header_size, static_cast<size_t>(compressed));
        if (ref.header.type == PageType::DATA_PAGE && ref.header.__isset.data_page_header) {
          announced += static_cast<uint64_t>(std::max(ref.header.data_page_header.num_values, 0));
        } else if (ref.header.type == PageType::DATA_PAGE_V2 &&
                   ref.header.__isset.data_page_header_v2) {
          announced +=
              static_cast<uint64_t>(std::max(ref.header.data_page_header_v2.num_values, 0));
        }
        window_bytes += static_cast<size_t>(uncompressed);
        pos += header_size + static_cast<size_t>(compressed);
        window.push_back(std::move(ref));
      }
      if (window.empty()) {
        return Error(pos, fmt::format("chunk ends after {} of {} values", data_.slots, expected));
      }
      DecompressWindow(&window);
      for (PageRef& ref : window) {
        page_offset_ = ref.pos;
        prepared_ = &ref;
        Status s = Status::Ok();
        switch (ref.header.type) {
          case PageType::DICTIONARY_PAGE:
            s = DictionaryPage(ref.header, ref.page);
            break;
          case PageType::DATA_PAGE:
            s = DataPageV1(ref.header, ref.page);
            break;
          case PageType::DATA_PAGE_V2:
            s = DataPageV2(ref.header, ref.page);
            break;
          default:
            break;  // Index pages carry nothing we read.
        }
        prepared_ = nullptr;
        TARN_RETURN_IF_ERROR(s);
        if (data_.slots > expected) {
          return Error(ref.pos,
                       fmt::format("pages hold more than the chunk's {} values", expected));
        }
      }
    }
    return std::move(data_);
  }

 private:
  Status Error(size_t chunk_pos, std::string_view what) const {
    return Corruption(fmt::format("{}: page at offset {}: {}", where_,
                                  offset_ + static_cast<int64_t>(chunk_pos), what));
  }
  Status Wrap(const Status& s) const {
    if (s.ok()) return s;
    return Status(s.code(), fmt::format("{}: page at offset {}: {}", where_,
                                        offset_ + static_cast<int64_t>(page_offset_), s.message()));
  }

  // The compressed part of a page: all of a v1 or dictionary page, the values after the levels
  // of a v2 page (when they are compressed at all); with its uncompressed size.
  struct Compressed {
    std::string_view bytes;
    int64_t uncompressed = 0;
    bool present = false;
  };
  static Compressed CompressedPart(const format::PageHeader& header, std::string_view page) {
    Compressed c;
    if (header.type == PageType::DICTIONARY_PAGE || header.type == PageType::DATA_PAGE) {
      c = {page, header.uncompressed_page_size, true};
    } else if (header.type == PageType::DATA_PAGE_V2 && header.__isset.data_page_header_v2) {
      const auto& h = header.data_page_header_v2;
      const int64_t levels =
          static_cast<int64_t>(h.definition_levels_byte_length) + h.repetition_levels_byte_length;
      if (h.definition_levels_byte_length >= 0 && h.repetition_levels_byte_length >= 0 &&
          levels <= static_cast<int64_t>(page.size()) &&
          (!h.__isset.is_compressed || h.is_compressed)) {
        c = {page.substr(static_cast<size_t>(levels)), header.uncompressed_page_size - levels,
             true};
      }
    }
    return c;
  }

  // Decompresses the window's pages into their own buffers, several at once when it pays.
  void DecompressWindow(std::vector<PageRef>* window) {
    if (codec_->kind() == CompressionCodec::kUncompressed) return;
    std::vector<PageRef*> work;
    for (PageRef& ref : *window) {
      const Compressed c = CompressedPart(ref.header, ref.page);
      if (c.present && c.uncompressed >= 0) work.push_back(&ref);
    }
    const size_t threads = work.size() > 1 ? std::min<size_t>(HardwareThreads(), 8) : 1;
    // Buffers are kept from window to window: fresh memory costs page faults, which showed up
    // in profiles as much as a fifth of a scan. Uninitialised: the codec writes every byte.
    if (pool_.size() < work.size()) pool_.resize(work.size());
    for (size_t i = 0; i < work.size(); ++i) {
      const size_t size =
          static_cast<size_t>(CompressedPart(work[i]->header, work[i]->page).uncompressed);
      if (pool_[i].capacity < size) {
        pool_[i].data.reset(new char[size]);
        pool_[i].capacity = size;
      }
    }
    ParallelFor(work.size(), threads, [&](size_t i) {
      PageRef& ref = *work[i];
      const Compressed c = CompressedPart(ref.header, ref.page);
      // Each call takes a codec of its own: codecs keep state between calls.
      Result<std::unique_ptr<Codec>> codec = MakeCodec(codec_->kind());
      if (!codec.ok()) {
        ref.status = codec.status();
        return;
      }
      ref.size = static_cast<size_t>(c.uncompressed);
      char* out = pool_[i].data.get();
      ref.buffer = out;
      ref.status = (*codec)->Decompress(c.bytes, ref.size, out);
      ref.decompressed = true;
    });
  }

  Result<std::string_view> Decompress(std::string_view compressed, int64_t uncompressed) {
    if (codec_->kind() == CompressionCodec::kUncompressed) {
      if (static_cast<int64_t>(compressed.size()) != uncompressed) {
        return Error(page_offset_, "uncompressed page size disagrees with its length");
      }
      return compressed;
    }
    if (prepared_ != nullptr && prepared_->decompressed) {
      TARN_RETURN_IF_ERROR(Wrap(prepared_->status));
      if (static_cast<int64_t>(prepared_->size) != uncompressed) {
        return Error(page_offset_, "page size changed between reads");
      }
      return std::string_view(prepared_->buffer, prepared_->size);
    }
    buffer_.resize(static_cast<size_t>(uncompressed));
    Status s = codec_->Decompress(compressed, buffer_.size(), buffer_.data());
    if (!s.ok()) return Wrap(s);
    return std::string_view(buffer_);
  }

  Status DictionaryPage(const format::PageHeader& header, std::string_view page) {
    if (!header.__isset.dictionary_page_header) return Error(page_offset_, "no dictionary header");
    if (have_dictionary_) return Error(page_offset_, "a second dictionary page");
    const auto& dict = header.dictionary_page_header;
    if (dict.encoding != Encoding::PLAIN && dict.encoding != Encoding::PLAIN_DICTIONARY) {
      return Error(page_offset_, "dictionary encoding is not PLAIN");
    }
    if (dict.num_values < 0) return Error(page_offset_, "negative dictionary size");
    TARN_ASSIGN_OR_RETURN(std::string_view plain, Decompress(page, header.uncompressed_page_size));
    dictionary_storage_.assign(plain);
    ByteReader reader(dictionary_storage_, "dictionary page");
    PhysicalValues values;
    TARN_RETURN_IF_ERROR(Wrap(DecodePlain(leaf_.physical, leaf_.type_length, reader,
                                          static_cast<size_t>(dict.num_values), &values)));
    dictionary_ = Column::Make(leaf_.type);
    TARN_RETURN_IF_ERROR(
        Wrap(ConvertValues(leaf_, values, 0, values.size(leaf_.physical), &dictionary_)));
    have_dictionary_ = true;
    return Status::Ok();
  }

  Status Levels(std::string_view data, int max_level, size_t count, std::vector<int16_t>* out) {
    levels_.resize(count);
    RleDecoder decoder(data, BitWidth(static_cast<uint64_t>(max_level)));
    TARN_RETURN_IF_ERROR(Wrap(decoder.Decode(levels_.data(), count)));
    const uint32_t highest = count == 0 ? 0 : *std::max_element(levels_.begin(), levels_.end());
    if (highest > static_cast<uint32_t>(max_level)) {
      return Error(page_offset_, fmt::format("level {} above the maximum {}", highest, max_level));
    }
    const size_t old = out->size();
    out->resize(old + count);
    std::copy(levels_.begin(), levels_.end(), out->begin() + static_cast<long>(old));
    return Status::Ok();
  }

  Status DataPageV1(const format::PageHeader& header, std::string_view page) {
    if (!header.__isset.data_page_header) return Error(page_offset_, "no data page header");
    const auto& h = header.data_page_header;
    if (h.num_values < 0) return Error(page_offset_, "negative value count");
    const size_t count = static_cast<size_t>(h.num_values);
    TARN_ASSIGN_OR_RETURN(std::string_view body, Decompress(page, header.uncompressed_page_size));
    ByteReader reader(body, "data page");
    if (leaf_.max_rep > 0) {
      if (h.repetition_level_encoding != Encoding::RLE) {
        return Error(page_offset_, "repetition levels not RLE-encoded");
      }
      TARN_ASSIGN_OR_RETURN(uint32_t length, reader.Fixed<uint32_t>());
      TARN_ASSIGN_OR_RETURN(std::string_view levels, reader.Bytes(length));
      TARN_RETURN_IF_ERROR(Levels(levels, leaf_.max_rep, count, &data_.rep));
    }
    if (leaf_.max_def > 0) {
      if (h.definition_level_encoding != Encoding::RLE) {
        return Error(page_offset_, "definition levels not RLE-encoded");
      }
      TARN_ASSIGN_OR_RETURN(uint32_t length, reader.Fixed<uint32_t>());
      TARN_ASSIGN_OR_RETURN(std::string_view levels, reader.Bytes(length));
      TARN_RETURN_IF_ERROR(Levels(levels, leaf_.max_def, count, &data_.def));
    }
    data_.slots += count;
    const size_t present = PresentInLastPage(count);
    return Values(h.encoding, reader, present);
  }

  Status DataPageV2(const format::PageHeader& header, std::string_view page) {
    if (!header.__isset.data_page_header_v2) return Error(page_offset_, "no data page v2 header");
    const auto& h = header.data_page_header_v2;
    if (h.num_values < 0 || h.num_nulls < 0 || h.num_nulls > h.num_values ||
        h.definition_levels_byte_length < 0 || h.repetition_levels_byte_length < 0 ||
        static_cast<int64_t>(h.definition_levels_byte_length) + h.repetition_levels_byte_length >
            static_cast<int64_t>(page.size())) {
      return Error(page_offset_, "inconsistent data page v2 header");
    }
    const size_t count = static_cast<size_t>(h.num_values);
    const size_t rep_length = static_cast<size_t>(h.repetition_levels_byte_length);
    const size_t def_length = static_cast<size_t>(h.definition_levels_byte_length);
    if (leaf_.max_rep > 0) {
      TARN_RETURN_IF_ERROR(Levels(page.substr(0, rep_length), leaf_.max_rep, count, &data_.rep));
    }
    if (leaf_.max_def > 0) {
      TARN_RETURN_IF_ERROR(
          Levels(page.substr(rep_length, def_length), leaf_.max_def, count, &data_.def));
    }
    data_.slots += count;
    const size_t present = PresentInLastPage(count);
    std::string_view values = page.substr(rep_length + def_length);
    const int64_t values_size =
        header.uncompressed_page_size - static_cast<int64_t>(rep_length + def_length);
    if (values_size < 0) return Error(page_offset_, "negative values size");
    const bool compressed = !h.__isset.is_compressed || h.is_compressed;
    if (compressed) {
      TARN_ASSIGN_OR_RETURN(values, Decompress(values, values_size));
    }
    ByteReader reader(values, "data page v2 values");
    return Values(h.encoding, reader, present);
  }

  // Slots of the page just decoded (its `count` definition levels) that hold a value.
  size_t PresentInLastPage(size_t count) const {
    if (leaf_.max_def == 0) return count;
    return static_cast<size_t>(
        std::count(data_.def.end() - static_cast<long>(count), data_.def.end(), leaf_.max_def));
  }

  Status Values(int32_t encoding, ByteReader& reader, size_t count) {
    if (encoding == Encoding::PLAIN_DICTIONARY || encoding == Encoding::RLE_DICTIONARY) {
      if (!have_dictionary_)
        return Error(page_offset_, "dictionary-encoded page without a dictionary");
      TARN_ASSIGN_OR_RETURN(std::string_view width_byte, reader.Bytes(count > 0 ? 1 : 0));
      if (count == 0) return Status::Ok();
      const int width = static_cast<uint8_t>(width_byte[0]);
      if (width > 32) return Error(page_offset_, "dictionary index width above 32");
      indices_.resize(count);
      RleDecoder decoder(std::string_view(reader.current(), reader.remaining()), width);
      TARN_RETURN_IF_ERROR(Wrap(decoder.Decode(indices_.data(), count)));
      return Gather(count);
    }
    if (encoding == Encoding::PLAIN && leaf_.physical == Type::BYTE_ARRAY &&
        leaf_.conversion == LeafConversion::kNone) {
      return Wrap(PlainBytesInto(reader, count, &data_.values));
    }
    physical_.Clear();
    Status s;
    switch (encoding) {
      case Encoding::PLAIN:
        s = DecodePlain(leaf_.physical, leaf_.type_length, reader, count, &physical_);
        break;
      case Encoding::RLE:
        if (leaf_.physical != Type::BOOLEAN)
          return Error(page_offset_, "RLE values on a non-boolean column");
        s = DecodeRleBooleans(reader, count, &physical_);
        break;
      case Encoding::DELTA_BINARY_PACKED:
        s = DecodeDeltaBinaryPacked(leaf_.physical, reader, count, &physical_);
        break;
      case Encoding::DELTA_LENGTH_BYTE_ARRAY:
        if (leaf_.physical != Type::BYTE_ARRAY)
          return Error(page_offset_, "DELTA_LENGTH_BYTE_ARRAY on a non-byte-array column");
        s = DecodeDeltaLengthByteArray(reader, count, &physical_);
        break;
      case Encoding::DELTA_BYTE_ARRAY:
        if (leaf_.physical != Type::BYTE_ARRAY && leaf_.physical != Type::FIXED_LEN_BYTE_ARRAY) {
          return Error(page_offset_, "DELTA_BYTE_ARRAY on a non-byte-array column");
        }
        s = DecodeDeltaByteArray(reader, count, &physical_);
        break;
      case Encoding::BYTE_STREAM_SPLIT:
        s = DecodeByteStreamSplit(leaf_.physical, leaf_.type_length, reader, count, &physical_);
        break;
      default:
        return Error(page_offset_,
                     fmt::format("unsupported encoding {}", static_cast<int>(encoding)));
    }
    TARN_RETURN_IF_ERROR(Wrap(s));
    if (physical_.size(leaf_.physical) != count) return Error(page_offset_, "value count mismatch");
    return Wrap(ConvertValues(leaf_, physical_, 0, count, &data_.values));
  }

  Status Gather(size_t count) {
    const size_t dict_size = dictionary_.size();
    Column& out = data_.values;
    for (size_t i = 0; i < count; ++i) {
      if (indices_[i] >= dict_size) {
        return Error(page_offset_, fmt::format("dictionary index {} beyond the {} entries",
                                               indices_[i], dict_size));
      }
    }
    out.valid.insert(out.valid.end(), count, 1);
    switch (StorageOf(leaf_.type)) {
      case Storage::kBool:
        for (size_t i = 0; i < count; ++i) out.b8.push_back(dictionary_.b8[indices_[i]]);
        break;
      case Storage::kInt32:
        for (size_t i = 0; i < count; ++i) out.i32.push_back(dictionary_.i32[indices_[i]]);
        break;
      case Storage::kInt64:
        for (size_t i = 0; i < count; ++i) out.i64.push_back(dictionary_.i64[indices_[i]]);
        break;
      case Storage::kInt128:
        for (size_t i = 0; i < count; ++i) out.i128.push_back(dictionary_.i128[indices_[i]]);
        break;
      case Storage::kFloat:
        for (size_t i = 0; i < count; ++i) out.f32.push_back(dictionary_.f32[indices_[i]]);
        break;
      case Storage::kDouble:
        for (size_t i = 0; i < count; ++i) out.f64.push_back(dictionary_.f64[indices_[i]]);
        break;
      default:
        for (size_t i = 0; i < count; ++i) {
          out.bytes.append(dictionary_.string_at(indices_[i]));
          out.offsets.push_back(out.bytes.size());
        }
        break;
    }
    return Status::Ok();
  }

  const LeafColumn& leaf_;
  const format::ColumnMetaData& meta_;
  std::string_view bytes_;
  int64_t offset_;
  const std::string& where_;
  std::unique_ptr<Codec> codec_;
  LeafData data_;
  size_t page_offset_ = 0;
  std::string buffer_;
  PageRef* prepared_ = nullptr;  // The page being decoded, with its bytes decompressed.
  struct Buffer {
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
  };
  std::vector<Buffer> pool_;  // Decompressed pages of the current window, one per page.
  std::string dictionary_storage_;
  Column dictionary_;
  bool have_dictionary_ = false;
  std::vector<uint32_t> levels_;
  std::vector<uint32_t> indices_;
  PhysicalValues physical_;
};

}  // namespace

Result<LeafData> DecodeColumnChunk(const LeafColumn& leaf, const format::ColumnMetaData& meta,
                                   std::string_view chunk_bytes, int64_t chunk_offset,
                                   const std::string& where) {
  return ChunkDecoder(leaf, meta, chunk_bytes, chunk_offset, where).Decode();
}

Result<Column> DecodeStatisticsValue(const LeafColumn& leaf, std::string_view plain) {
  PhysicalValues values;
  std::string framed;
  if (leaf.physical == Type::BYTE_ARRAY) {
    PutLittleEndian<uint32_t>(static_cast<uint32_t>(plain.size()), &framed);
    framed.append(plain);
  } else {
    framed.assign(plain);
  }
  ByteReader reader(framed, "statistics value");
  const int type_length = leaf.physical == Type::FIXED_LEN_BYTE_ARRAY
                              ? static_cast<int>(plain.size())
                              : leaf.type_length;
  TARN_RETURN_IF_ERROR(DecodePlain(leaf.physical, type_length, reader, 1, &values));
  Column out = Column::Make(leaf.type);
  TARN_RETURN_IF_ERROR(ConvertValues(leaf, values, 0, 1, &out));
  return out;
}

}  // namespace tarn::formats::parquet
