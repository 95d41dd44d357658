#include "storage/encrypted_object.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>

// The byte layout, nonces and AAD are described in docs/encryption.md.

namespace tarn::storage {
namespace {

constexpr size_t kMagicBytes = 8;
// Largest segment accepted: bounds what one segment can make a reader hold.
constexpr uint32_t kMaxSegmentBytes = uint32_t{1} << 30;
constexpr size_t kAadBytes = kEncryptedHeaderBytes + 8 + 1;
// Offsets of the header fields.
constexpr size_t kVersionAt = 8;
constexpr size_t kIdAt = 12;
constexpr size_t kWrappedAt = kIdAt + kDataKeyIdBytes;
constexpr size_t kSegmentBytesAt = kWrappedAt + kWrappedKeyBytes;
constexpr size_t kReservedAt = kSegmentBytesAt + 4;
static_assert(kReservedAt + 4 == kEncryptedHeaderBytes);

void PutU32(uint32_t value, char* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

void PutU64(uint64_t value, char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint32_t GetU32(const char* p) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(p[i]);
  return value;
}

std::string Quoted(std::string_view name) { return fmt::format("'{}'", name); }

// A flipped bit in the magic must not turn an encrypted object into "plaintext" that readers
// then parse: a prefix a few bits away from the magic is reported as damage. Real plaintext
// (JSON, Parquet's "PAR1", compressed streams) is never this close.
constexpr int kMagicSuspectBits = 4;

Status CheckNotDamagedMagic(std::string_view prefix, std::string_view name) {
  if (prefix.size() < kMagicBytes) return Status::Ok();
  int differing = 0;
  for (size_t i = 0; i < kMagicBytes; ++i) {
    differing += __builtin_popcount(static_cast<uint8_t>(prefix[i] ^ kEncryptedMagic[i]));
  }
  if (differing > 0 && differing <= kMagicSuspectBits) {
    return Corruption(fmt::format(
        "{}: its first 8 bytes are {} bits away from the encrypted-object magic {}: the header "
        "was changed, or the object has an unknown encryption format",
        Quoted(name), differing, std::string_view(kEncryptedMagic, kMagicBytes)));
  }
  return Status::Ok();
}

// Where each segment lies, from the segment size and the stored size alone.
struct Layout {
  uint64_t segment_bytes = 0;
  uint64_t segments = 0;
  uint64_t stored_size = 0;
  uint64_t plaintext_size = 0;

  uint64_t unit() const { return segment_bytes + kAeadTagBytes; }
  uint64_t StoredOffset(uint64_t i) const { return kEncryptedHeaderBytes + i * unit(); }
  uint64_t StoredLength(uint64_t i) const {
    return i + 1 < segments ? unit() : stored_size - StoredOffset(i);
  }
};

Result<Layout> ComputeLayout(uint32_t segment_bytes, uint64_t stored_size, std::string_view name) {
  Layout layout;
  layout.segment_bytes = segment_bytes;
  layout.stored_size = stored_size;
  const uint64_t body = stored_size - kEncryptedHeaderBytes;  // Callers checked the header fits.
  layout.segments = body / layout.unit() + (body % layout.unit() != 0 ? 1 : 0);
  const uint64_t last = layout.segments == 0 ? 0 : body - (layout.segments - 1) * layout.unit();
  // Only a lone segment may be empty (an empty object); any other last segment holds a byte.
  const uint64_t least = layout.segments <= 1 ? kAeadTagBytes : kAeadTagBytes + 1;
  if (layout.segments == 0 || last < least) {
    return Corruption(fmt::format(
        "{}: a stored size of {} bytes is no valid encrypted layout for {}-byte segments (the "
        "last segment would hold {} bytes, at least {} needed): the object was truncated or "
        "extended",
        Quoted(name), stored_size, segment_bytes, last, least));
  }
  layout.plaintext_size = body - layout.segments * kAeadTagBytes;
  return layout;
}

AeadNonce SegmentNonce(uint64_t index) {
  AeadNonce nonce{};
  PutU64(index, reinterpret_cast<char*>(nonce.data()));
  return nonce;
}

// The AAD of each segment: the header, then the segment's index and whether it is the last.
class SegmentAad {
 public:
  explicit SegmentAad(std::string_view header) {
    std::memcpy(bytes_, header.data(), header.size());
  }
  std::string_view For(uint64_t index, bool last) {
    PutU64(index, bytes_ + kEncryptedHeaderBytes);
    bytes_[kEncryptedHeaderBytes + 8] = last ? 1 : 0;
    return {bytes_, kAadBytes};
  }

 private:
  char bytes_[kAadBytes];
};

Status SegmentFailed(std::string_view name, uint64_t index, uint64_t segments, uint64_t offset,
                     const Status& status) {
  return Corruption(fmt::format(
      "{}: segment {} of {} at stored offset {} failed authentication ({}): the object was "
      "changed, reordered, truncated or extended",
      Quoted(name), index, segments == 0 ? std::string("?") : std::to_string(segments), offset,
      status.message()));
}

// The parsed header and the object's data key, ready to decrypt segments.
struct ObjectKey {
  std::string header;
  EncryptedHeader fields;
  AeadKey key{};
  ~ObjectKey() { SecureZero(key.data(), key.size()); }
};

// Parses the header and, when the stored size is known, checks the layout before unwrapping
// the data key (a truncated object is reported as such, not as a key problem).
Status OpenObjectKey(Keyring& keyring, std::string_view header, std::string_view name,
                     std::optional<uint64_t> stored_size, ObjectKey* out, Layout* layout) {
  TARN_ASSIGN_OR_RETURN(out->fields, ParseEncryptedHeader(header, name));
  out->header.assign(header.substr(0, kEncryptedHeaderBytes));
  if (stored_size) {
    TARN_ASSIGN_OR_RETURN(*layout, ComputeLayout(out->fields.segment_bytes, *stored_size, name));
  }
  Result<AeadKey> key =
      keyring.UnwrapDataKey(out->fields.id, out->fields.version, out->fields.wrapped);
  if (!key.ok()) return key.status().WithContext(Quoted(name));
  out->key = *key;
  SecureZero(key->data(), key->size());
  return Status::Ok();
}

// A stored object read by range, decrypting the segments each read touches.
class DecryptingFile : public RandomAccessFile {
 public:
  DecryptingFile(std::unique_ptr<RandomAccessFile> inner, std::unique_ptr<ObjectKey> key,
                 Layout layout)
      : inner_(std::move(inner)), key_(std::move(key)), layout_(layout) {
    bytes_read_.store(inner_->bytes_read(), std::memory_order_relaxed);
  }

  uint64_t size() const override { return layout_.plaintext_size; }
  const std::string& name() const override { return inner_->name(); }

  Status ReadAt(uint64_t offset, size_t length, char* out) override {
    TARN_RETURN_IF_ERROR(CheckRange(offset, length));
    if (length == 0) return Status::Ok();
    return ReadSegments(offset, length, out);
  }

  // Authenticates the only segment of an empty object.
  Status VerifyEmpty() { return ReadSegments(0, 0, nullptr); }

 private:
  // Decrypts the segments holding [offset, offset + length) (segment 0 when length is 0).
  // Decrypted segments are kept (the last kCachedSegments used), so that readers coming back
  // to a segment (a footer after its length, neighbouring column chunks, row groups read by
  // several threads) read and count its stored bytes once.
  Status ReadSegments(uint64_t offset, size_t length, char* out) {
    const uint64_t segment_bytes = layout_.segment_bytes;
    const uint64_t first = offset / segment_bytes;
    const uint64_t last = length == 0 ? first : (offset + length - 1) / segment_bytes;
    auto copy = [&](uint64_t i, std::string_view plain) {
      const uint64_t plain_begin = i * segment_bytes;
      const uint64_t from = std::max<uint64_t>(offset, plain_begin);
      const uint64_t to = std::min<uint64_t>(offset + length, plain_begin + plain.size());
      if (to > from) std::memcpy(out + (from - offset), plain.data() + (from - plain_begin), to - from);
    };
    for (uint64_t i = first; i <= last;) {
      if (length > 0) {
        std::shared_ptr<const std::string> cached = Cached(i);
        if (cached != nullptr) {
          copy(i, *cached);
          ++i;
          continue;
        }
      }
      // A run of segments not in the cache: one read of their stored bytes.
      uint64_t end = i + 1;
      while (end <= last && Cached(end) == nullptr) ++end;
      const uint64_t begin = layout_.StoredOffset(i);
      const size_t stored = layout_.StoredOffset(end - 1) + layout_.StoredLength(end - 1) - begin;
      std::unique_ptr<char[]> buffer(new char[stored]);
      TARN_RETURN_IF_ERROR(inner_->ReadAt(begin, stored, buffer.get()));
      bytes_read_.fetch_add(stored, std::memory_order_relaxed);
      // One cipher per read: the context is not shared between threads.
      TARN_ASSIGN_OR_RETURN(std::unique_ptr<AeadCipher> cipher, AeadCipher::Make(key_->key));
      SegmentAad aad(key_->header);
      char* segment = buffer.get();
      for (; i < end; ++i) {
        const size_t sealed_size = layout_.StoredLength(i);
        const std::string_view sealed(segment, sealed_size);
        const Status opened =
            cipher->Open(SegmentNonce(i), aad.For(i, i + 1 == layout_.segments), sealed, segment);
        if (!opened.ok()) {
          return SegmentFailed(name(), i, layout_.segments, layout_.StoredOffset(i), opened);
        }
        auto plain = std::make_shared<const std::string>(segment, sealed_size - kAeadTagBytes);
        copy(i, *plain);
        Keep(i, std::move(plain));
        segment += sealed_size;
      }
    }
    return Status::Ok();
  }

  static constexpr size_t kCachedSegments = 128;

  std::shared_ptr<const std::string> Cached(uint64_t segment) {
    std::lock_guard<std::mutex> guard(cache_mu_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->first == segment) {
        cache_.splice(cache_.begin(), cache_, it);  // Most recently used first.
        return cache_.front().second;
      }
    }
    return nullptr;
  }
  void Keep(uint64_t segment, std::shared_ptr<const std::string> plain) {
    std::lock_guard<std::mutex> guard(cache_mu_);
    cache_.emplace_front(segment, std::move(plain));
    if (cache_.size() > kCachedSegments) cache_.pop_back();
  }

  const std::unique_ptr<RandomAccessFile> inner_;
  const std::unique_ptr<ObjectKey> key_;
  const Layout layout_;
  std::mutex cache_mu_;
  // Guarded by cache_mu_: decrypted segments by index, most recently used first.
  std::list<std::pair<uint64_t, std::shared_ptr<const std::string>>> cache_;
};

// Reads up to `size` bytes, stopping early only at the end of `source`.
Result<size_t> ReadFully(ByteSource& source, char* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    TARN_ASSIGN_OR_RETURN(size_t n, source.Read(out + done, size - done));
    if (n == 0) break;
    done += n;
  }
  return done;
}

// Gives back the bytes read to tell what `source` holds, then the rest of it.
class ReplayingSource : public ByteSource {
 public:
  ReplayingSource(std::string prefix, std::unique_ptr<ByteSource> source)
      : prefix_(std::move(prefix)), source_(std::move(source)) {}
  Result<size_t> Read(char* out, size_t size) override {
    if (used_ < prefix_.size()) {
      const size_t n = std::min(size, prefix_.size() - used_);
      std::memcpy(out, prefix_.data() + used_, n);
      used_ += n;
      return n;
    }
    return source_->Read(out, size);
  }
  const std::string& name() const override { return source_->name(); }

 private:
  std::string prefix_;
  size_t used_ = 0;
  std::unique_ptr<ByteSource> source_;
};

// Decrypts a stored object front to back. The stored size is unknown, so a segment is the last
// one when the source ends right after it: one byte past each full segment is read ahead.
class DecryptingSource : public ByteSource {
 public:
  DecryptingSource(std::unique_ptr<ByteSource> source, std::unique_ptr<ObjectKey> key,
                   std::unique_ptr<AeadCipher> cipher)
      : source_(std::move(source)),
        key_(std::move(key)),
        cipher_(std::move(cipher)),
        aad_(key_->header),
        unit_(uint64_t{key_->fields.segment_bytes} + kAeadTagBytes) {}

  Result<size_t> Read(char* out, size_t size) override {
    while (plain_used_ == plain_.size()) {
      if (done_ || size == 0) return 0;
      TARN_RETURN_IF_ERROR(NextSegment());
    }
    const size_t n = std::min(size, plain_.size() - plain_used_);
    std::memcpy(out, plain_.data() + plain_used_, n);
    plain_used_ += n;
    return n;
  }
  const std::string& name() const override { return source_->name(); }

 private:
  Status NextSegment() {
    // Grown as bytes arrive, so a header claiming huge segments costs nothing by itself.
    constexpr size_t kChunk = 1 << 20;
    while (!ended_ && pending_.size() <= unit_) {
      const size_t old = pending_.size();
      const size_t want = std::min<uint64_t>(unit_ + 1 - old, kChunk);
      pending_.resize(old + want);
      Result<size_t> n = source_->Read(pending_.data() + old, want);
      if (!n.ok()) return n.status();
      pending_.resize(old + *n);
      ended_ = *n == 0;
    }
    const bool last = pending_.size() <= unit_;
    const size_t sealed_size = last ? pending_.size() : unit_;
    const size_t least = index_ == 0 ? kAeadTagBytes : kAeadTagBytes + 1;
    if (last && sealed_size < least) {
      return Corruption(fmt::format(
          "{}: the object ends {} bytes into segment {} at stored offset {}, which needs at "
          "least {}: it was truncated or extended",
          Quoted(name()), sealed_size, index_, stored_offset_, least));
    }
    plain_.resize(sealed_size - kAeadTagBytes);
    const Status opened =
        cipher_->Open(SegmentNonce(index_), aad_.For(index_, last),
                      std::string_view(pending_.data(), sealed_size), plain_.data());
    if (!opened.ok()) {
      plain_.clear();
      return SegmentFailed(name(), index_, last ? index_ + 1 : 0, stored_offset_, opened);
    }
    plain_used_ = 0;
    pending_.erase(0, sealed_size);
    stored_offset_ += sealed_size;
    ++index_;
    done_ = last;
    return Status::Ok();
  }

  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<ObjectKey> key_;
  std::unique_ptr<AeadCipher> cipher_;
  SegmentAad aad_;
  const uint64_t unit_;
  std::string pending_;  // Stored bytes read, not yet decrypted.
  std::string plain_;    // The current segment's plaintext.
  size_t plain_used_ = 0;
  uint64_t index_ = 0;
  uint64_t stored_offset_ = kEncryptedHeaderBytes;
  bool ended_ = false;
  bool done_ = false;
};

}  // namespace

bool LooksEncrypted(std::string_view prefix) {
  return prefix.size() >= kMagicBytes &&
         prefix.substr(0, kMagicBytes) == std::string_view(kEncryptedMagic, kMagicBytes);
}

Result<EncryptedHeader> ParseEncryptedHeader(std::string_view header, std::string_view name) {
  if (header.size() < kEncryptedHeaderBytes || !LooksEncrypted(header)) {
    return Corruption(
        fmt::format("{}: not an encrypted object (expected a {}-byte header "
                    "starting with {}, found {} bytes)",
                    Quoted(name), kEncryptedHeaderBytes,
                    std::string_view(kEncryptedMagic, kMagicBytes), header.size()));
  }
  EncryptedHeader fields;
  fields.version = GetU32(header.data() + kVersionAt);
  std::memcpy(fields.id.data(), header.data() + kIdAt, fields.id.size());
  fields.wrapped.assign(header.substr(kWrappedAt, kWrappedKeyBytes));
  fields.segment_bytes = GetU32(header.data() + kSegmentBytesAt);
  const uint32_t reserved = GetU32(header.data() + kReservedAt);
  if (fields.version == 0 || fields.segment_bytes == 0 || fields.segment_bytes > kMaxSegmentBytes ||
      reserved != 0) {
    return Corruption(fmt::format(
        "{}: bad encrypted-object header (master key version {}, segment size {}, reserved {}; "
        "expected a version from 1, a segment size from 1 to {} and reserved 0)",
        Quoted(name), fields.version, fields.segment_bytes, reserved, kMaxSegmentBytes));
  }
  return fields;
}

Result<std::string> EncryptObject(Keyring& keyring, std::string_view plaintext,
                                  uint32_t segment_bytes) {
  if (segment_bytes == 0 || segment_bytes > kMaxSegmentBytes) {
    return InvalidArgument(
        fmt::format("segment size {} is not between 1 and {}", segment_bytes, kMaxSegmentBytes));
  }
  TARN_ASSIGN_OR_RETURN(DataKey data_key, keyring.NewDataKey());
  Result<std::unique_ptr<AeadCipher>> cipher = AeadCipher::Make(data_key.key);
  SecureZero(data_key.key.data(), data_key.key.size());
  if (!cipher.ok()) return cipher.status();

  const uint64_t segments =
      std::max<uint64_t>(1, (plaintext.size() + segment_bytes - 1) / segment_bytes);
  std::string stored(kEncryptedHeaderBytes + plaintext.size() + segments * kAeadTagBytes, '\0');
  char* header = stored.data();
  std::memcpy(header, kEncryptedMagic, kMagicBytes);
  PutU32(data_key.version, header + kVersionAt);
  std::memcpy(header + kIdAt, data_key.id.data(), data_key.id.size());
  std::memcpy(header + kWrappedAt, data_key.wrapped.data(), kWrappedKeyBytes);
  PutU32(segment_bytes, header + kSegmentBytesAt);
  PutU32(0, header + kReservedAt);

  SegmentAad aad(std::string_view(header, kEncryptedHeaderBytes));
  char* out = stored.data() + kEncryptedHeaderBytes;
  for (uint64_t i = 0; i < segments; ++i) {
    const std::string_view piece =
        plaintext.substr(std::min<uint64_t>(i * segment_bytes, plaintext.size()), segment_bytes);
    TARN_RETURN_IF_ERROR(
        (*cipher)->Seal(SegmentNonce(i), aad.For(i, i + 1 == segments), piece, out));
    out += piece.size() + kAeadTagBytes;
  }
  return stored;
}

Result<std::string> DecryptObject(Keyring& keyring, std::string_view stored,
                                  std::string_view name) {
  auto key = std::make_unique<ObjectKey>();
  Layout layout;
  TARN_RETURN_IF_ERROR(OpenObjectKey(keyring, stored, name, stored.size(), key.get(), &layout));
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<AeadCipher> cipher, AeadCipher::Make(key->key));
  SegmentAad aad(key->header);
  std::string plaintext(layout.plaintext_size, '\0');
  for (uint64_t i = 0; i < layout.segments; ++i) {
    const std::string_view sealed = stored.substr(layout.StoredOffset(i), layout.StoredLength(i));
    const Status opened = cipher->Open(SegmentNonce(i), aad.For(i, i + 1 == layout.segments),
                                       sealed, plaintext.data() + i * layout.segment_bytes);
    if (!opened.ok()) {
      return SegmentFailed(name, i, layout.segments, layout.StoredOffset(i), opened);
    }
  }
  return plaintext;
}

Result<std::unique_ptr<RandomAccessFile>> OpenForReading(std::unique_ptr<RandomAccessFile> file,
                                                         Keyring* keyring) {
  if (file->size() < kMagicBytes) return file;
  char header[kEncryptedHeaderBytes];
  TARN_RETURN_IF_ERROR(file->ReadAt(0, kMagicBytes, header));
  if (!LooksEncrypted(std::string_view(header, kMagicBytes))) {
    TARN_RETURN_IF_ERROR(CheckNotDamagedMagic(std::string_view(header, kMagicBytes), file->name()));
    return file;
  }
  if (keyring == nullptr) {
    return Status(StatusCode::kPermissionDenied,
                  fmt::format("{} is encrypted: reading it needs the lake's master key",
                              Quoted(file->name())));
  }
  if (file->size() < kEncryptedHeaderBytes) {
    return Corruption(
        fmt::format("{} is {} bytes, shorter than an encrypted object's {}-byte "
                    "header",
                    Quoted(file->name()), file->size(), kEncryptedHeaderBytes));
  }
  TARN_RETURN_IF_ERROR(
      file->ReadAt(kMagicBytes, kEncryptedHeaderBytes - kMagicBytes, header + kMagicBytes));
  auto key = std::make_unique<ObjectKey>();
  Layout layout;
  TARN_RETURN_IF_ERROR(OpenObjectKey(*keyring, std::string_view(header, kEncryptedHeaderBytes),
                                     file->name(), file->size(), key.get(), &layout));
  auto decrypting = std::make_unique<DecryptingFile>(std::move(file), std::move(key), layout);
  if (layout.plaintext_size == 0) {
    // No read would ever touch the lone empty segment: check it now, so that an object cut
    // down to its header and a tag is not taken for an empty one.
    TARN_RETURN_IF_ERROR(decrypting->VerifyEmpty());
  }
  return std::unique_ptr<RandomAccessFile>(std::move(decrypting));
}

Result<std::unique_ptr<ByteSource>> OpenSourceForReading(std::unique_ptr<ByteSource> source,
                                                         Keyring* keyring) {
  std::string header(kEncryptedHeaderBytes, '\0');
  TARN_ASSIGN_OR_RETURN(size_t got, ReadFully(*source, header.data(), kMagicBytes));
  if (!LooksEncrypted(std::string_view(header.data(), got))) {
    header.resize(got);
    TARN_RETURN_IF_ERROR(CheckNotDamagedMagic(header, source->name()));
    return std::unique_ptr<ByteSource>(new ReplayingSource(std::move(header), std::move(source)));
  }
  if (keyring == nullptr) {
    return Status(StatusCode::kPermissionDenied,
                  fmt::format("{} is encrypted: reading it needs the lake's master key",
                              Quoted(source->name())));
  }
  TARN_ASSIGN_OR_RETURN(size_t rest, ReadFully(*source, header.data() + kMagicBytes,
                                               kEncryptedHeaderBytes - kMagicBytes));
  if (rest < kEncryptedHeaderBytes - kMagicBytes) {
    return Corruption(
        fmt::format("{} ends at offset {}, inside its {}-byte encrypted-object "
                    "header",
                    Quoted(source->name()), kMagicBytes + rest, kEncryptedHeaderBytes));
  }
  auto key = std::make_unique<ObjectKey>();
  TARN_RETURN_IF_ERROR(
      OpenObjectKey(*keyring, header, source->name(), std::nullopt, key.get(), nullptr));
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<AeadCipher> cipher, AeadCipher::Make(key->key));
  return std::unique_ptr<ByteSource>(
      new DecryptingSource(std::move(source), std::move(key), std::move(cipher)));
}

Status EncryptingObjectStore::Put(const std::string& bucket, const std::string& key,
                                  std::string_view bytes) {
  if (keyring_ == nullptr) {
    return InvalidArgument(fmt::format("cannot encrypt s3://{}/{}: no keyring", bucket, key));
  }
  TARN_ASSIGN_OR_RETURN(std::string stored, EncryptObject(*keyring_, bytes));
  return inner_->Put(bucket, key, stored);
}

Result<std::string> EncryptingObjectStore::Get(const std::string& bucket, const std::string& key) {
  TARN_ASSIGN_OR_RETURN(std::string stored, inner_->Get(bucket, key));
  const std::string name = fmt::format("s3://{}/{}", bucket, key);
  if (!LooksEncrypted(stored)) {
    TARN_RETURN_IF_ERROR(CheckNotDamagedMagic(stored, name));
    return stored;
  }
  if (keyring_ == nullptr) {
    return Status(
        StatusCode::kPermissionDenied,
        fmt::format("{} is encrypted: reading it needs the lake's master key", Quoted(name)));
  }
  return DecryptObject(*keyring_, stored, name);
}

}  // namespace tarn::storage
