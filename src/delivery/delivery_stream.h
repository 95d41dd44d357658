// DeliveryStream: one Firehose delivery stream at run time (docs/delivery.md). Puts arrive from
// any thread; a writer thread appends them to the stream's write-ahead log (one fsync for all
// the requests waiting: group commit) and only then acknowledges them; it then runs the
// processors (de-aggregation, jq metadata extraction, delimiters), evaluates each record's
// prefix, and appends it to that partition's buffer. A buffer is sealed when it reaches its size
// hint, its interval passes, memory runs short, or the stream closes; flusher threads encode it
// (JSON lines + codec, or Parquet) and commit it to the object store.
//
// Exactly once: before an object is written, an intent naming its key and the log positions
// (units) it holds is made durable in the stream's commit log; after a crash, an intent whose
// object exists counts those units as delivered, and every other logged record is delivered
// again. The record log is checkpointed (and trimmed) only below the oldest undelivered record.
// Records that fail processing, partitioning or conversion go to the error output prefix.
//
// Thread-safety: Put, metrics() and Flush may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "delivery/wal.h"
#include "formats/json/json_lines_reader.h"
#include "formats/parquet/column_writer.h"
#include "formats/types.h"
#include "storage/keyring.h"
#include "storage/object_store.h"

namespace tarn::delivery {

class SerDeRewrite;

// How an object's bytes are compressed (Firehose's CompressionFormat, plus ZSTD).
enum class ObjectCompression { kUncompressed, kGzip, kSnappy, kHadoopSnappy, kZstd };

enum class DeaggregationType { kNone, kJson, kDelimited };

struct ConversionSettings {
  std::string database;
  std::string table;
  formats::Schema schema;                        // The table's data columns.
  std::vector<formats::JsonColumnSpec> columns;  // Where each column is in a record.
  formats::JsonReaderOptions reader;
  formats::parquet::ParquetWriterOptions writer;
  // ConvertDotsInJsonKeysToUnderscores and Hive TimestampFormats; null when neither is set.
  std::shared_ptr<const SerDeRewrite> rewrite;
};

// Everything a stream needs, already validated (see stream_config.h for the API's shape).
struct DeliverySettings {
  std::string name;
  std::string version = "1";  // VersionId, in object names.
  std::string bucket;
  std::string prefix;        // Firehose Prefix text.
  std::string error_prefix;  // ErrorOutputPrefix text; empty: unset.
  uint64_t buffer_bytes = 5ULL << 20;
  int64_t interval_seconds = 300;
  ObjectCompression compression = ObjectCompression::kUncompressed;
  std::string file_extension;  // Empty: the compression's default.
  std::string time_zone;       // CustomTimeZone; empty is UTC.
  DeaggregationType deaggregation = DeaggregationType::kNone;
  std::string delimiter;       // kDelimited, decoded.
  std::string metadata_query;  // jq; empty: no MetadataExtraction processor.
  bool append_delimiter = false;
  bool dynamic_partitioning = false;
  size_t active_partition_limit = 500;
  bool conversion_enabled = false;
  ConversionSettings conversion;
  // Encryption at rest (docs/encryption.md): the write-ahead log's segments and the delivered
  // objects are sealed under data keys wrapped by `keyring` (not owned; required when either
  // is set).
  bool encrypt_log = false;
  bool encrypt_objects = false;
  storage::Keyring* keyring = nullptr;
};

struct DeliveryLimits {
  WalOptions wal;
  uint64_t max_buffered_bytes = 512ULL << 20;  // Buffers + objects being written.
  uint64_t max_log_bytes = 2ULL << 30;         // Logged but not yet delivered.
  uint64_t max_queued_bytes = 64ULL << 20;     // Accepted requests waiting for the log.
  int flush_threads = 2;
  int64_t retry_initial_ms = 100;  // Backoff for failed object writes.
  int64_t retry_max_ms = 5000;
};

// The stream's figures, named after Firehose's CloudWatch metrics.
struct DeliveryMetrics {
  uint64_t incoming_records = 0, incoming_bytes = 0, incoming_put_requests = 0;
  uint64_t throttled_records = 0;
  uint64_t delivered_records = 0, delivered_bytes = 0, delivered_objects = 0;
  uint64_t put_attempts = 0, put_successes = 0;
  uint64_t partition_count = 0, partition_count_exceeded = 0;
  double jq_seconds = 0;
  uint64_t succeeded_conversion_records = 0, failed_conversion_records = 0;
  uint64_t error_records = 0;
  double data_freshness_seconds = 0;  // Age of the oldest undelivered record.
  uint64_t buffered_bytes = 0;
};

// Called after an object is committed (s3://bucket/key), e.g. to register its partition.
using CommitHook = std::function<void(const std::string& uri)>;

struct PutOutcome {
  Status status;                // Not OK: no record was accepted (kUnavailable: retry later).
  uint64_t first_sequence = 0;  // The records' log positions, consecutive.
};

class DeliveryStream {
 public:
  // Opens the stream's logs in `log_folder` (created), replays them, and starts its threads.
  // `warnings` receives what replay repaired.
  static Result<std::unique_ptr<DeliveryStream>> Open(DeliverySettings settings,
                                                      storage::ObjectStore* store,
                                                      std::string log_folder, DeliveryLimits limits,
                                                      CommitHook on_commit,
                                                      std::vector<std::string>* warnings);
  ~DeliveryStream();  // Close()s.

  // Accepts records; `done` runs (on the writer thread) once they are logged, or at once when
  // the stream is over its limits or closed.
  void Put(std::vector<std::string> records, std::function<void(PutOutcome)> done);

  // Seals every buffer and waits until everything accepted so far is committed (or failed
  // for good). For shutdown and tests.
  Status Flush();
  // Stops accepting, delivers everything buffered, and stops the threads.
  void Close();

  DeliveryMetrics metrics() const;
  const DeliverySettings& settings() const;

  class Impl;

 private:
  explicit DeliveryStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The default object name extension of a compression ("" for none, ".gz", ".snappy", ".zst").
std::string_view DefaultExtension(ObjectCompression compression);

// Encodes `raw` as an object of the given compression: GZIP (RFC 1952), Snappy's framing
// format, Hadoop's block-compressed Snappy, ZSTD, or the bytes as they are.
Status CompressObject(ObjectCompression compression, std::string_view raw, std::string* out);

}  // namespace tarn::delivery
