// `tarn ls` and `tarn cat`: the lake seen through `s3://` paths, as `aws s3 ls` and
// `aws s3 cp s3://… - | gzip -d` show a bucket (docs/demo.md, "tarn ls and tarn cat").
//
// The lake maps s3://BUCKET/KEY to LAKE/BUCKET/KEY (storage/object_store.h); LAKE/_tarn holds
// tarn's own state and is no bucket. `tarn demo` reuses ListLakeObjects and CatLakeObject
// (cli/ls_cat.h).
//
// `tarn ls` prints what the AWS CLI v1 `aws s3 ls` prints (awscli/customizations/s3/
// subcommands.py, ListCommand, read for its format):
//   object:  "YYYY-MM-DD HH:MM:SS" (local time of the last change) ' ' size right-aligned to 10
//            ' ' name (the key's last segment, or the whole key with --recursive)
//   prefix:  "PRE" right-aligned to 30 ' ' last segment '/'   (without --recursive)
//   bucket:  "YYYY-MM-DD HH:MM:SS" ' ' name                   (for `tarn ls s3://`)
//   summary: "\nTotal Objects: N\n" and "   Total Size: S\n" (labels right-aligned to 15)
// Sizes with --human-readable follow awscli's human_readable_size: "1 Byte", "N Bytes" below
// 1 KiB, else the first of KiB, MiB, … whose value rounds (half to even) below 1024, one decimal.
// Listing a prefix that matches nothing prints nothing and exits 1, as aws does.
//
// Thread-safety: the functions keep no state.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli/commands.h"
#include "cli/ls_cat.h"
#include "cli/flags.h"
#include "common/byte_source.h"
#include "formats/compression/codec.h"
#include "formats/compression/decompressing_source.h"
#include "storage/encrypted_object.h"
#include "storage/keyring.h"
#include "storage/object_store.h"

namespace tarn::cli {


namespace {

namespace fs = std::filesystem;

constexpr std::string_view kScheme = "s3://";
constexpr std::string_view kTarnFolder = "_tarn";

struct S3Path {
  std::string bucket;  // Empty for "s3://".
  std::string key;     // Prefix or key; may be empty.
};

enum class PathKind { kPrefix, kObject };

Result<S3Path> ParseS3Path(const std::string& uri, PathKind kind = PathKind::kPrefix) {
  const bool for_object = kind == PathKind::kObject;
  if (uri.compare(0, kScheme.size(), kScheme) != 0) {
    return InvalidArgument(
        fmt::format("'{}' is not an s3:// path (expected s3://BUCKET/KEY)", uri));
  }
  const std::string rest = uri.substr(kScheme.size());
  const size_t slash = rest.find('/');
  S3Path path;
  path.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) path.key = rest.substr(slash + 1);
  if (path.bucket == "." || path.bucket == ".." || path.bucket == kTarnFolder ||
      path.bucket.find('\0') != std::string::npos) {
    return InvalidArgument(fmt::format("'{}': '{}' is not a bucket name", uri, path.bucket));
  }
  if (path.bucket.empty() && !path.key.empty()) {
    return InvalidArgument(fmt::format("'{}' names no bucket (expected s3://BUCKET/KEY)", uri));
  }
  if (for_object && (path.bucket.empty() || path.key.empty() || path.key.back() == '/')) {
    return InvalidArgument(fmt::format("'{}' names no object (expected s3://BUCKET/KEY)", uri));
  }
  // A prefix may end in '/' or be partial, but must not climb out of the bucket.
  if (!path.key.empty() && !storage::IsSafeKey(for_object ? path.key : path.key + "x")) {
    return InvalidArgument(
        fmt::format("'{}': key '{}' has an empty, '.' or '..' segment", uri, path.key));
  }
  return path;
}

std::string LocalTimeText(time_t seconds) {
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", local.tm_year + 1900, local.tm_mon + 1,
                     local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec);
}

std::string SizeText(uint64_t bytes, bool human) {
  return human ? AwsHumanSize(bytes) : std::to_string(bytes);
}

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  time_t modified = 0;
};

// Every object of `bucket_dir` whose key starts with `prefix`, sorted by key as S3 lists them
// (byte order). Walks only the folder the prefix's complete segments name.
Result<std::vector<ObjectInfo>> CollectObjects(const fs::path& bucket_dir,
                                               const std::string& prefix) {
  std::vector<ObjectInfo> objects;
  const size_t last_slash = prefix.rfind('/');
  const std::string start_folder =
      last_slash == std::string::npos ? "" : prefix.substr(0, last_slash);
  const fs::path start = start_folder.empty() ? bucket_dir : bucket_dir / start_folder;
  std::error_code ec;
  if (!fs::is_directory(start, ec)) return objects;
  fs::recursive_directory_iterator it(start, ec), end;
  if (ec) return ErrnoStatus(ec.value(), fmt::format("listing '{}'", start.string()));
  for (; it != end; it.increment(ec)) {
    if (ec) return ErrnoStatus(ec.value(), fmt::format("listing '{}'", start.string()));
    if (!it->is_regular_file(ec)) continue;
    std::string key = it->path().lexically_relative(bucket_dir).generic_string();
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;  // Removed while listing.
    objects.push_back({std::move(key), static_cast<uint64_t>(st.st_size), st.st_mtime});
  }
  std::sort(objects.begin(), objects.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return objects;
}

std::string LastSegment(std::string_view key) {
  const size_t slash = key.rfind('/');
  return std::string(slash == std::string_view::npos ? key : key.substr(slash + 1));
}

Result<LsListing> ListBuckets(const fs::path& lake) {
  LsListing listing;
  std::error_code ec;
  fs::directory_iterator it(lake, ec), end;
  if (ec) return NotFound(fmt::format("cannot read lake folder '{}'", lake.string()));
  std::vector<std::pair<std::string, time_t>> buckets;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (name == kTarnFolder || name.starts_with('.') || !it->is_directory(ec)) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;
    buckets.emplace_back(name, st.st_mtime);
  }
  std::sort(buckets.begin(), buckets.end());
  for (const auto& [name, modified] : buckets) {
    listing.lines.push_back(LocalTimeText(modified) + " " + name);
  }
  listing.matched = !buckets.empty();
  return listing;
}

// The Snappy framing format's checksum: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78)
// of the uncompressed chunk, rotated right by 15 and offset by 0xa282ead8.
uint32_t MaskedCrc32c(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      table[i] = c;
    }
    return table;
  }();
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) crc = kTable[(crc ^ byte) & 0xff] ^ (crc >> 8);
  crc = ~crc;
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

// Reads exactly `size` bytes, or fewer only at the end of `source`.
Result<size_t> ReadUpTo(ByteSource& source, size_t size, std::string* out) {
  out->resize(size);
  size_t got = 0;
  while (got < size) {
    TARN_ASSIGN_OR_RETURN(size_t n, source.Read(out->data() + got, size - got));
    if (n == 0) break;
    got += n;
  }
  out->resize(got);
  return got;
}

uint32_t Little24(std::string_view b) {
  return static_cast<uint8_t>(b[0]) | static_cast<uint8_t>(b[1]) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 16;
}
uint32_t Little32(std::string_view b) {
  return Little24(b) | static_cast<uint32_t>(static_cast<uint8_t>(b[3])) << 24;
}
uint32_t Big32(std::string_view b) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 8 | static_cast<uint8_t>(b[3]);
}

constexpr std::string_view kSnappyStreamId("\xff\x06\x00\x00sNaPpY", 10);

// Decodes a `.snappy` object: Snappy's framing format (Firehose's SNAPPY) when it starts with
// the stream identifier, else Hadoop's block format (Firehose's HADOOP_SNAPPY), and hands each
// decoded chunk to `sink`. Errors name the object and the compressed offset.
Status DecodeSnappy(ByteSource& source, const std::function<bool(std::string_view)>& sink) {
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<formats::Codec> codec,
                        formats::MakeCodec(formats::CompressionCodec::kSnappy));
  const std::string& name = source.name();
  std::string head, body, plain;
  uint64_t offset = 0;
  TARN_ASSIGN_OR_RETURN(size_t got, ReadUpTo(source, kSnappyStreamId.size(), &head));
  auto corrupt = [&](std::string_view what) {
    return Corruption(fmt::format("{}: {} at compressed offset {}", name, what, offset));
  };
  if (got == kSnappyStreamId.size() && head == kSnappyStreamId) {
    offset = got;
    while (true) {
      TARN_ASSIGN_OR_RETURN(got, ReadUpTo(source, 4, &head));
      if (got == 0) return Status::Ok();
      if (got < 4) return corrupt("truncated snappy chunk header");
      const uint8_t type = static_cast<uint8_t>(head[0]);
      const uint32_t length = Little24(head.substr(1));
      TARN_ASSIGN_OR_RETURN(got, ReadUpTo(source, length, &body));
      if (got < length) return corrupt("truncated snappy chunk");
      if (type == 0x00 || type == 0x01) {
        if (length < 4) return corrupt("snappy chunk shorter than its checksum");
        plain.clear();
        const std::string_view data = std::string_view(body).substr(4);
        if (type == 0x00) {
          Status s = codec->DecompressUnknownSize(data, &plain, 65536);
          if (!s.ok()) return corrupt(s.message());
        } else {
          plain.assign(data);
        }
        if (MaskedCrc32c(plain) != Little32(body)) return corrupt("snappy chunk checksum mismatch");
        if (!sink(plain)) return Status::Ok();
      } else if (type >= 0x02 && type <= 0x7f) {
        return corrupt(fmt::format("unskippable snappy chunk type 0x{:02x}", type));
      }  // Padding (0xfe), another stream identifier (0xff), skippable types: nothing to emit.
      offset += 4 + length;
    }
  }
  // Hadoop: [u32 BE block length] then [u32 BE chunk length][chunk] until the block is whole.
  std::string pending = head;  // The bytes read while looking for the stream identifier.
  auto take = [&](size_t n, std::string* out) -> Result<size_t> {
    const size_t from_pending = std::min(n, pending.size());
    std::string rest;
    TARN_ASSIGN_OR_RETURN(size_t more, ReadUpTo(source, n - from_pending, &rest));
    *out = pending.substr(0, from_pending) + rest;
    pending.erase(0, from_pending);
    return from_pending + more;
  };
  while (true) {
    TARN_ASSIGN_OR_RETURN(got, take(4, &head));
    if (got == 0) return Status::Ok();
    if (got < 4) return corrupt("truncated hadoop-snappy block header");
    const uint64_t block = Big32(head);
    offset += 4;
    uint64_t produced = 0;
    while (produced < block) {
      TARN_ASSIGN_OR_RETURN(got, take(4, &head));
      if (got < 4) return corrupt("truncated hadoop-snappy chunk header");
      const uint32_t length = Big32(head);
      offset += 4;
      TARN_ASSIGN_OR_RETURN(got, take(length, &body));
      if (got < length) return corrupt("truncated hadoop-snappy chunk");
      plain.clear();
      Status s = codec->DecompressUnknownSize(body, &plain, block - produced);
      if (!s.ok()) return corrupt(s.message());
      produced += plain.size();
      offset += length;
      if (!sink(plain)) return Status::Ok();
    }
  }
}

// The first bytes of a file, to tell whether it is encrypted before opening any keyring.
Result<std::string> FilePrefix(const std::string& path, size_t size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, fmt::format("opening '{}'", path));
  std::string prefix(size, '\0');
  const ssize_t n = ::pread(fd, prefix.data(), size, 0);
  const int err = errno;
  ::close(fd);
  if (n < 0) return ErrnoStatus(err, fmt::format("reading '{}'", path));
  prefix.resize(static_cast<size_t>(n));
  return prefix;
}

// Writes to standard output. False once the reader has gone (EPIPE): the caller stops quietly.
class StdoutWriter {
 public:
  bool Write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  int error() const { return error_; }

 private:
  int error_ = 0;
};

}  // namespace

std::string AwsHumanSize(uint64_t bytes) {
  static constexpr const char* kSuffixes[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes == 1) return "1 Byte";
  if (bytes < 1024) return fmt::format("{} Bytes", bytes);
  const double value = static_cast<double>(bytes);
  double unit = 1024.0 * 1024.0;
  for (const char* suffix : kSuffixes) {
    // std::nearbyint rounds half to even in the default rounding mode, as Python's round().
    if (std::nearbyint(value / unit * 1024.0) < 1024.0) {
      return fmt::format("{:.1f} {}", 1024.0 * value / unit, suffix);
    }
    unit *= 1024.0;
  }
  return fmt::format("{:.1f} EiB", value / (unit / 1024.0));
}

Result<LsListing> ListLakeObjects(const std::string& lake, const std::string& uri,
                                  const LsOptions& options) {
  TARN_ASSIGN_OR_RETURN(S3Path path, ParseS3Path(uri));
  LsListing listing;
  if (path.bucket.empty()) {
    TARN_ASSIGN_OR_RETURN(listing, ListBuckets(lake));
  } else {
    const fs::path bucket_dir = fs::path(lake) / path.bucket;
    std::error_code ec;
    if (!fs::is_directory(bucket_dir, ec)) {
      return NotFound(fmt::format(
          "{}: NoSuchBucket: the bucket '{}' does not exist (no folder '{}' in the lake)", uri,
          path.bucket, bucket_dir.string()));
    }
    TARN_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, CollectObjects(bucket_dir, path.key));
    std::vector<std::string> prefixes;
    std::vector<const ObjectInfo*> shown;
    for (const ObjectInfo& object : objects) {
      const size_t slash =
          options.recursive ? std::string::npos : object.key.find('/', path.key.size());
      if (slash != std::string::npos) {
        // A common prefix: everything up to and including the next '/'; shown by its last
        // segment, as aws shows "PRE name=anonymous_visited/".
        std::string common = object.key.substr(0, slash);
        if (prefixes.empty() || prefixes.back() != common) prefixes.push_back(std::move(common));
        continue;
      }
      shown.push_back(&object);
    }
    for (const std::string& common : prefixes) {
      listing.lines.push_back(fmt::format("{:>30} {}/", "PRE", LastSegment(common)));
    }
    for (const ObjectInfo* object : shown) {
      listing.keys.push_back(object->key);
      listing.objects += 1;
      listing.bytes += object->size;
      listing.lines.push_back(
          fmt::format("{} {:>10} {}", LocalTimeText(object->modified),
                      SizeText(object->size, options.human_readable),
                      options.recursive ? object->key : LastSegment(object->key)));
    }
    listing.matched = !prefixes.empty() || !shown.empty();
  }
  if (options.summarize) {
    listing.lines.push_back("");
    listing.lines.push_back(fmt::format("Total Objects: {}", listing.objects));
    listing.lines.push_back(
        fmt::format("   Total Size: {}", SizeText(listing.bytes, options.human_readable)));
  }
  return listing;
}

Status CatLakeObject(const CatRequest& request, const std::function<bool(std::string_view)>& sink) {
  TARN_ASSIGN_OR_RETURN(S3Path path, ParseS3Path(request.uri, PathKind::kObject));
  const fs::path file = fs::path(request.lake) / path.bucket / path.key;
  std::error_code ec;
  if (!fs::is_directory(fs::path(request.lake) / path.bucket, ec)) {
    return NotFound(fmt::format("{}: NoSuchBucket: the bucket '{}' does not exist in lake '{}'",
                                request.uri, path.bucket, request.lake));
  }
  if (!fs::is_regular_file(file, ec)) {
    return NotFound(fmt::format(
        "{}: NoSuchKey: no object '{}' in bucket '{}'{}", request.uri, path.key, path.bucket,
        fs::is_directory(file, ec) ? " (it is a prefix; try tarn ls)" : ""));
  }
  if (path.key.ends_with(".parquet")) {
    return InvalidArgument(fmt::format(
        "{} is a Parquet object, which is binary; read it with SQL instead, e.g. tarn query "
        "--lake {} \"SELECT * FROM <table> LIMIT 10\"",
        request.uri, request.lake));
  }
  TARN_ASSIGN_OR_RETURN(std::string prefix,
                        FilePrefix(file.string(), sizeof(storage::kEncryptedMagic) - 1));
  std::shared_ptr<storage::Keyring> keyring;
  if (storage::LooksEncrypted(prefix)) {
    // Only an encrypted object needs the keyring; opening it for a plain one would create keys.
    TARN_ASSIGN_OR_RETURN(
        keyring, OpenLakeKeyring(request.lake, request.master_key_file, KeyringUse::kIfPresent));
    if (keyring == nullptr) {
      return Status(StatusCode::kPermissionDenied,
                    fmt::format("{} is encrypted, but lake '{}' has no keyring (_tarn/keys)",
                                request.uri, request.lake));
    }
  }
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileSource> stored, FileSource::Open(file.string()));
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> plain,
                        storage::OpenSourceForReading(std::move(stored), keyring.get()));
  if (path.key.ends_with(".snappy")) return DecodeSnappy(*plain, sink);
  std::unique_ptr<ByteSource> source = formats::MakeDecompressingSource(
      std::move(plain), formats::StreamCompressionFromName(path.key));
  std::string buffer(256 << 10, '\0');
  bool first = true;
  while (true) {
    TARN_ASSIGN_OR_RETURN(size_t n, source->Read(buffer.data(), buffer.size()));
    if (n == 0) return Status::Ok();
    const std::string_view piece(buffer.data(), n);
    if (first && piece.starts_with("PAR1")) {
      return InvalidArgument(fmt::format(
          "{} holds Parquet, which is binary; read it with SQL instead (tarn query --lake {})",
          request.uri, request.lake));
    }
    first = false;
    if (!sink(piece)) return Status::Ok();
  }
}

Command AddLsCommand(CLI::App& app) {
  struct Flags {
    std::string path = "s3://";
    std::string lake = "lake";
    LsOptions options;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("ls", "List the lake's objects as `aws s3 ls` does");
  cmd->footer(
      "Paths are s3://BUCKET[/PREFIX]; bucket BUCKET is the folder LAKE/BUCKET. Without\n"
      "--recursive, keys below the next '/' are shown as PRE lines. A prefix that matches\n"
      "nothing exits 1, as aws does.\n\n"
      "Examples:\n"
      "  tarn ls --lake demo-lake s3://tarn-demo/events_raw/\n"
      "  tarn ls --lake demo-lake s3://tarn-demo/events_raw/json/ --recursive --human-readable "
      "--summarize");
  cmd->add_option("PATH", flags->path, "s3://BUCKET[/PREFIX] (s3:// alone lists the buckets)")
      ->capture_default_str();
  cmd->add_option("--lake", flags->lake, "Lake folder")->capture_default_str();
  cmd->add_flag("--recursive", flags->options.recursive, "List every object below the prefix");
  cmd->add_flag("--human-readable", flags->options.human_readable,
                "Sizes in KiB, MiB, GiB, … as aws prints them");
  cmd->add_flag("--summarize", flags->options.summarize, "End with the count and total size");
  return {cmd, [flags]() -> int {
            Result<LsListing> listing = ListLakeObjects(flags->lake, flags->path, flags->options);
            if (!listing.ok()) return ReportFailure("ls", listing.status());
            StdoutWriter out;
            std::string text;
            for (const std::string& line : listing->lines) text += line + "\n";
            if (!out.Write(text) && out.error() != EPIPE) {
              return ReportFailure("ls", ErrnoStatus(out.error(), "writing standard output"));
            }
            // aws exits 1 when a named prefix matched nothing; listing a bucket or the buckets
            // exits 0 even when empty.
            const bool has_key = ParseS3Path(flags->path)->key.size() > 0;
            return has_key && !listing->matched ? kExitFailure : kExitOk;
          }};
}

Command AddCatCommand(CLI::App& app) {
  auto request = std::make_shared<CatRequest>();
  CLI::App* cmd = app.add_subcommand(
      "cat", "Print an object of the lake, decrypted and decompressed (.gz, .zst, .snappy)");
  cmd->footer(
      "Like `aws s3 cp s3://BUCKET/KEY - | gzip -d`: the object is decrypted when it is\n"
      "encrypted (with the lake's keyring; --master-key-file or TARN_MASTER_KEY when the\n"
      "keyring is sealed) and decompressed by its extension: .gz (gzip), .zst (zstd),\n"
      ".snappy (Snappy framing format, or Hadoop's snappy blocks). Parquet objects are binary:\n"
      "read them with `tarn query`.\n\n"
      "Example:\n"
      "  tarn cat --lake demo-lake s3://tarn-demo/events_raw/json/name=…/d=…/OBJECT.gz | head");
  cmd->add_option("URI", request->uri, "s3://BUCKET/KEY")->required();
  cmd->add_option("--lake", request->lake, "Lake folder")->capture_default_str();
  cmd->add_option("--master-key-file", request->master_key_file, kMasterKeyFileHelp);
  return {cmd, [request]() -> int {
            StdoutWriter out;
            Status status =
                CatLakeObject(*request, [&](std::string_view piece) { return out.Write(piece); });
            if (out.error() == EPIPE) return kExitOk;  // `tarn cat … | head`: the reader is done.
            if (out.error() != 0) {
              return ReportFailure("cat", ErrnoStatus(out.error(), "writing standard output"));
            }
            if (!status.ok()) {
              // A bad path is a usage error (2); anything about the object itself fails it (1).
              PrintError("cat", status.message());
              return ParseS3Path(request->uri, PathKind::kObject).ok() ? kExitFailure : kExitUsage;
            }
            return kExitOk;
          }};
}

}  // namespace tarn::cli
