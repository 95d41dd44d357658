#include "delivery/delivery_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/base64.h"
#include "common/byte_sink.h"
#include "common/byte_source.h"
#include "common/civil_time.h"
#include "common/json_text.h"
#include "common/md5.h"
#include "common/time_zone.h"
#include "delivery/metadata_extractor.h"
#include "delivery/prefix.h"
#include "delivery/serde_rewrite.h"
#include "formats/parquet/file_writer.h"
#include "storage/encrypted_object.h"

namespace tarn::delivery {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A unit is what one object holds of one logged record: the whole record, or one of the
// sub-records de-aggregation made of it. Packed as sequence << 20 | sub-record index.
constexpr uint64_t kSubBits = 20;
constexpr uint64_t kWhole = (1ULL << kSubBits) - 1;
constexpr size_t kMaxSubRecords = kWhole;

uint64_t Unit(uint64_t sequence, uint64_t sub) { return (sequence << kSubBits) | sub; }
uint64_t UnitSequence(uint64_t unit) { return unit >> kSubBits; }

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in->empty()) return false;
    const uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

void PutBytes(std::string* out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out->append(bytes);
}

bool GetBytes(std::string_view* in, std::string* out) {
  uint64_t size = 0;
  if (!GetVarint(in, &size) || size > in->size()) return false;
  out->assign(in->substr(0, size));
  in->remove_prefix(size);
  return true;
}

// One object of an intent and the units it holds (ascending).
struct PlannedObject {
  std::string key;
  std::vector<uint64_t> units;
  std::string bytes;
  uint64_t records = 0;  // Rows or lines, for metrics.
  bool error = false;
};

// Intent entries: count, then per object its key and its units as runs of equal deltas.
std::string EncodeIntent(const std::string& bucket, const std::vector<PlannedObject>& objects) {
  std::string out;
  PutBytes(&out, bucket);
  PutVarint(&out, objects.size());
  for (const PlannedObject& object : objects) {
    PutBytes(&out, object.key);
    out.push_back(object.error ? '\x01' : '\x00');
    std::vector<std::pair<uint64_t, uint64_t>> runs;  // (delta, count)
    uint64_t previous = 0;
    for (uint64_t unit : object.units) {
      const uint64_t delta = unit - previous;
      previous = unit;
      if (!runs.empty() && runs.back().first == delta) {
        ++runs.back().second;
      } else {
        runs.emplace_back(delta, 1);
      }
    }
    PutVarint(&out, runs.size());
    for (const auto& [delta, count] : runs) {
      PutVarint(&out, delta);
      PutVarint(&out, count);
    }
  }
  return out;
}

struct DecodedObject {
  std::string key;
  bool error = false;  // Error output: no partition to register.
  std::vector<uint64_t> units;
};

bool DecodeIntent(std::string_view in, std::string* bucket, std::vector<DecodedObject>* objects) {
  uint64_t count = 0;
  if (!GetBytes(&in, bucket) || !GetVarint(&in, &count) || count > in.size()) return false;
  for (uint64_t i = 0; i < count; ++i) {
    DecodedObject object;
    uint64_t runs = 0;
    if (!GetBytes(&in, &object.key) || in.empty()) return false;
    object.error = in.front() != 0;
    in.remove_prefix(1);
    if (!GetVarint(&in, &runs) || runs > in.size()) return false;
    uint64_t unit = 0;
    for (uint64_t r = 0; r < runs; ++r) {
      uint64_t delta = 0, n = 0;
      if (!GetVarint(&in, &delta) || !GetVarint(&in, &n) || n > (1ULL << 32)) return false;
      for (uint64_t k = 0; k < n; ++k) object.units.push_back(unit += delta);
    }
    objects->push_back(std::move(object));
  }
  return in.empty();
}

// `yyyy-MM-dd-HH-mm-ss` of a (local) time.
std::string NameTime(int64_t micros) {
  const CivilDateTime t = CivilFromMicros(micros);
  return fmt::format("{:04}-{:02}-{:02}-{:02}-{:02}-{:02}", t.date.year, t.date.month, t.date.day,
                     t.hour, t.minute, t.second);
}

// A version-4-shaped UUID made from a digest, so that names follow from log positions.
std::string UuidFrom(std::string_view seed) {
  Md5 md5;
  Md5Digest d = md5.Digest(seed);
  d[6] = static_cast<uint8_t>((d[6] & 0x0f) | 0x40);
  d[8] = static_cast<uint8_t>((d[8] & 0x3f) | 0x80);
  const std::string hex = ToHex(d);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

// One error record in Firehose's error-output layout, as a JSON line.
void AppendErrorRecord(std::string* out, int64_t arrival_micros, std::string_view code,
                       std::string_view message, std::string_view raw,
                       const ConversionSettings* conversion) {
  const int64_t now_ms = NowMicros() / 1000;
  const char* code_key = conversion != nullptr ? "lastErrorCode" : "errorCode";
  const char* message_key = conversion != nullptr ? "lastErrorMessage" : "errorMessage";
  out->append(fmt::format(
      "{{\"attemptsMade\":1,\"arrivalTimestamp\":{},\"{}\":", arrival_micros / 1000, code_key));
  AppendJsonString(out, code);
  out->append(fmt::format(",\"{}\":", message_key));
  // A message quotes at most a little of the record; the record itself is in rawData.
  constexpr size_t kMaxMessage = 1024;
  AppendJsonString(out, message.size() > kMaxMessage ? message.substr(0, kMaxMessage) : message);
  out->append(fmt::format(",\"attemptEndingTimestamp\":{},\"rawData\":\"", now_ms));
  AppendBase64(raw, out);
  out->push_back('"');
  if (conversion != nullptr) {
    out->append(",\"dataCatalogTable\":{\"databaseName\":");
    AppendJsonString(out, conversion->database);
    out->append(",\"tableName\":");
    AppendJsonString(out, conversion->table);
    out->push_back('}');
  }
  out->append("}\n");
}

std::vector<std::string_view> SplitDelimited(std::string_view data, std::string_view delimiter) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = data.find(delimiter, start);
    if (at == std::string_view::npos) {
      if (start < data.size()) parts.push_back(data.substr(start));
      break;
    }
    if (at > start) parts.push_back(data.substr(start, at - start));
    start = at + delimiter.size();
  }
  return parts;
}

}  // namespace

class DeliveryStream::Impl {
 public:
  Impl(DeliverySettings settings, storage::ObjectStore* store, DeliveryLimits limits,
       CommitHook on_commit)
      : settings_(std::move(settings)),
        store_(store),
        limits_(limits),
        on_commit_(std::move(on_commit)) {
    if (settings_.encrypt_objects && settings_.keyring != nullptr) {
      encrypting_store_ =
          std::make_unique<storage::EncryptingObjectStore>(store, settings_.keyring);
      store_ = encrypting_store_.get();
    }
    if (settings_.encrypt_log) limits_.wal.keyring = settings_.keyring;
  }

  Status Open(const std::string& folder, std::vector<std::string>* warnings);
  void Start();
  void Put(std::vector<std::string> records, std::function<void(PutOutcome)> done);
  Status Flush();
  void Close();
  DeliveryMetrics metrics() const;
  const DeliverySettings& settings() const { return settings_; }

 private:
  struct Request {
    std::vector<std::string> records;
    int64_t arrival_micros;
    std::function<void(PutOutcome)> done;
  };
  // A piece of a JSON-lines buffer compressed ahead of time by a flusher, so that sealing a
  // large buffer costs little; the object is the concatenation of its pieces (gzip members,
  // zstd frames and snappy chunks may follow one another).
  // A record that failed format conversion, for the error output.
  struct BadRecord {
    uint64_t unit = 0;
    int64_t arrival_micros = 0;
    std::string message;
    std::string raw;
  };
  // A Parquet object being written while its buffer fills: converted chunks become row groups'
  // pages at once; sealing adds the tail and the footer.
  struct ParquetState {
    std::mutex mu;
    std::unique_ptr<formats::parquet::ParquetWriter> writer;
    StringSink* sink = nullptr;
    uint64_t rows = 0;
    std::vector<BadRecord> bad;
  };
  struct Chunk {
    std::string raw;
    std::string compressed;
    Status status;
    int state = 0;  // 0 queued, 1 working, 2 done; guarded by mu_.
    // With format conversion: the chunk's lines are these units, converted into `parquet`.
    std::shared_ptr<ParquetState> parquet;
    std::vector<uint64_t> units;
    std::vector<int64_t> arrivals;
    std::map<size_t, std::string> originals;
  };
  struct Partition {
    std::string prefix;      // Evaluated prefix: the buffer's identity.
    std::string error_type;  // Non-empty for an error-output buffer.
    std::vector<std::shared_ptr<Chunk>> chunks;
    uint64_t raw_bytes = 0;  // In chunks and data.
    std::string data;        // JSON lines (raw, not yet compressed).
    std::vector<uint64_t> units;
    std::vector<int64_t> arrivals;            // Per unit (conversion error records).
    std::map<size_t, std::string> originals;  // Unit index -> record with line breaks.
    std::shared_ptr<ParquetState> parquet;    // With format conversion.
    size_t chunked_units = 0;                 // Units already handed to chunks.
    int64_t oldest_micros = 0;
    Clock::time_point deadline;
  };
  struct Completion {
    std::vector<uint64_t> units;
    uint64_t records = 0, bytes = 0, objects = 0, buffered = 0;
  };

  void WriterLoop();
  void FlusherLoop();
  void Compress(Chunk& chunk);
  // Converts JSON lines (one record a line, each line one of `units`) into `state`'s Parquet
  // writer; lines that do not convert become bad records.
  Status ConvertLines(ParquetState& state, std::string_view lines,
                      const std::vector<uint64_t>& units, const std::vector<int64_t>& arrivals,
                      const std::map<size_t, std::string>& originals);
  // Waits for a chunk a flusher works on, or does the work itself when none has started.
  Status FinishChunk(Chunk& chunk);
  ObjectCompression compression() const {
    return settings_.conversion_enabled ? ObjectCompression::kUncompressed : settings_.compression;
  }
  void ProcessRecord(uint64_t sequence, int64_t arrival_micros, std::string_view data);
  void AddUnit(uint64_t unit, int64_t arrival_micros, std::string_view data);
  void AddToPartition(const std::string& prefix, const std::string& error_type, uint64_t unit,
                      int64_t arrival_micros, std::string_view line, std::string_view original,
                      bool data_line);
  void AddError(uint64_t unit, int64_t arrival_micros, std::string_view type, std::string_view code,
                std::string_view message, std::string_view raw);
  // `random` is the caller's thread's (the writer's random_, or a flusher's own).
  Result<std::string> ErrorPrefix(int64_t arrival_micros, std::string_view type, Random* random);
  int64_t LocalMicros(int64_t utc_micros) const {
    return utc_micros + zone_.OffsetSeconds(utc_micros / 1000000) * 1000000;
  }
  void Seal(const std::string& prefix);
  void SealDue(bool all);
  void ApplyCompletions(std::vector<Completion> completions);
  Status AdvanceCheckpoint();
  Status BuildObjects(Partition& partition, std::vector<PlannedObject>* objects);
  std::string ObjectKey(const std::string& prefix, int64_t oldest_micros, uint64_t first_unit,
                        std::string_view extension, std::string_view salt);
  Status Commit(std::vector<PlannedObject>& objects);

  DeliverySettings settings_;
  storage::ObjectStore* store_;  // The caller's, or encrypting_store_ over it.
  std::unique_ptr<storage::EncryptingObjectStore> encrypting_store_;
  DeliveryLimits limits_;
  CommitHook on_commit_;
  TimeZone zone_;
  PrefixTemplate prefix_;
  PrefixTemplate error_prefix_;
  std::unique_ptr<MetadataExtractor> extractor_;
  std::unique_ptr<WriteAheadLog> log_;
  std::unique_ptr<WriteAheadLog> commits_;  // Intents; guarded by commits_mu_.
  std::mutex commits_mu_;
  std::map<uint64_t, uint64_t> live_intents_;  // Intent sequence -> largest record sequence.
  uint64_t boot_ = 0;
  Random random_{0};

  // Shared with Put() and the flushers; guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable writer_cv_;
  std::condition_variable flusher_cv_;
  std::condition_variable idle_cv_;
  std::deque<Request> queue_;
  uint64_t queued_bytes_ = 0;
  std::deque<std::unique_ptr<Partition>> sealed_;
  std::deque<std::shared_ptr<Chunk>> chunk_jobs_;
  std::condition_variable chunk_cv_;
  std::vector<Completion> completions_;
  uint64_t inflight_bytes_ = 0;     // Sealed, not yet committed.
  uint64_t buffered_bytes_ = 0;     // In open partitions.
  uint64_t undelivered_bytes_ = 0;  // Logged, not yet checkpointed (approximate).
  uint64_t accepted_through_ = 0;   // Last sequence logged.
  uint64_t delivered_through_ = 0;  // The log's checkpoint.
  size_t in_writer_ = 0;            // Requests the writer took from queue_ and has not processed.
  uint64_t failed_flushes_ = 0;     // Buffers that could not be delivered (they stay in the log).
  bool seal_all_ = false;
  bool closing_ = false;
  bool stopped_ = false;
  int64_t oldest_undelivered_micros_ = 0;
  DeliveryMetrics metrics_;

  // Writer thread only.
  std::unordered_map<std::string, std::unique_ptr<Partition>> partitions_;
  size_t data_partitions_ = 0;
  // Per logged record from base_ on: units not yet committed, its size (for the log limit)
  // and arrival (for freshness). The front is popped once its units are all committed.
  struct LoggedRecord {
    uint32_t outstanding = 0;
    uint32_t size = 0;
    int64_t arrival_micros = 0;
  };
  std::deque<LoggedRecord> logged_;
  uint64_t base_ = 1;  // Sequence of logged_.front().
  void Logged(uint64_t sequence, int64_t arrival_micros, size_t size) {
    while (base_ + logged_.size() < sequence) logged_.push_back({});  // A gap: nothing to wait for.
    logged_.push_back({0, static_cast<uint32_t>(size), arrival_micros});
  }
  LoggedRecord* Find(uint64_t sequence) {
    if (sequence < base_ || sequence - base_ >= logged_.size()) return nullptr;
    return &logged_[sequence - base_];
  }
  std::unordered_set<uint64_t> committed_;  // Units found delivered on replay.
  std::vector<std::string> values_;
  std::map<std::string, std::string> keys_;

  std::thread writer_;
  std::vector<std::thread> flushers_;
};

Status DeliveryStream::Impl::Open(const std::string& folder, std::vector<std::string>* warnings) {
  if ((settings_.encrypt_log || settings_.encrypt_objects) && settings_.keyring == nullptr) {
    return InvalidArgument(
        fmt::format("delivery stream '{}': encryption needs a keyring", settings_.name));
  }
  TARN_ASSIGN_OR_RETURN(zone_, TimeZone::Load(settings_.time_zone));
  TARN_ASSIGN_OR_RETURN(prefix_, PrefixTemplate::Compile(settings_.prefix, PrefixKind::kPrefix));
  const std::string error_text =
      settings_.error_prefix.empty()
          ? settings_.prefix + "!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/"
          : settings_.error_prefix;
  TARN_ASSIGN_OR_RETURN(error_prefix_,
                        PrefixTemplate::Compile(error_text, PrefixKind::kErrorOutputPrefix));
  if (!settings_.metadata_query.empty()) {
    TARN_ASSIGN_OR_RETURN(extractor_, MetadataExtractor::Compile(settings_.metadata_query));
    for (const std::string& key : extractor_->keys()) keys_[key];
  }
  for (const std::string& key : prefix_.partition_keys()) {
    if (!keys_.contains(key)) {
      return InvalidArgument(fmt::format(
          "Prefix uses !{{partitionKeyFromQuery:{}}} but the MetadataExtractionQuery does not "
          "make the key '{}'",
          key, key));
    }
  }
  std::vector<WalRecord> replayed;
  std::vector<WalRecord> intents;
  TARN_ASSIGN_OR_RETURN(log_,
                        WriteAheadLog::Open(folder + "/records", limits_.wal, &replayed, warnings));
  WalOptions commit_options = limits_.wal;
  commit_options.segment_bytes = 16ULL << 20;
  TARN_ASSIGN_OR_RETURN(
      commits_, WriteAheadLog::Open(folder + "/commits", commit_options, &intents, warnings));
  boot_ = commits_->next_sequence();
  random_ = Random(boot_ ^ static_cast<uint64_t>(NowMicros()));
  // Intents whose objects exist are delivered; the others never happened.
  for (const WalRecord& intent : intents) {
    std::string bucket;
    std::vector<DecodedObject> objects;
    if (!DecodeIntent(intent.data, &bucket, &objects)) {
      return Corruption(
          fmt::format("{}/commits: intent {} cannot be decoded", folder, intent.sequence));
    }
    uint64_t largest = 0;
    for (const DecodedObject& object : objects) {
      TARN_ASSIGN_OR_RETURN(bool exists, store_->Exists(bucket, object.key));
      if (!exists) continue;
      for (uint64_t unit : object.units) {
        committed_.insert(unit);
        largest = std::max(largest, UnitSequence(unit));
      }
      if (on_commit_ && !object.error) on_commit_(fmt::format("s3://{}/{}", bucket, object.key));
    }
    live_intents_[intent.sequence] = largest;
  }
  accepted_through_ = log_->next_sequence() - 1;
  delivered_through_ = log_->checkpoint();
  base_ = replayed.empty() ? log_->next_sequence() : replayed.front().sequence;
  if (!replayed.empty()) {
    warnings->push_back(fmt::format("stream {}: replaying {} logged records not yet delivered",
                                    settings_.name, replayed.size()));
  }
  for (const WalRecord& record : replayed) {
    Logged(record.sequence, record.arrival_micros, record.data.size());
    undelivered_bytes_ += record.data.size();
    ProcessRecord(record.sequence, record.arrival_micros, record.data);
  }
  committed_.clear();
  return AdvanceCheckpoint();
}

void DeliveryStream::Impl::Start() {
  writer_ = std::thread([this] { WriterLoop(); });
  for (int i = 0; i < std::max(1, limits_.flush_threads); ++i) {
    flushers_.emplace_back([this] { FlusherLoop(); });
  }
}

void DeliveryStream::Impl::Put(std::vector<std::string> records,
                               std::function<void(PutOutcome)> done) {
  if (records.empty()) {
    done(PutOutcome{Status::Ok(), 0});  // Nothing to log (the API refuses empty batches).
    return;
  }
  uint64_t bytes = 0;
  for (const std::string& record : records) bytes += record.size();
  std::unique_lock lock(mu_);
  metrics_.incoming_put_requests++;
  const char* refusal = nullptr;
  if (closing_) {
    refusal = "the stream is shutting down";
  } else if (queued_bytes_ + bytes > limits_.max_queued_bytes) {
    refusal = "too many requests are waiting for the log";
  } else if (buffered_bytes_ + inflight_bytes_ > limits_.max_buffered_bytes) {
    refusal = "delivery buffers are full";
  } else if (undelivered_bytes_ + bytes > limits_.max_log_bytes) {
    refusal = "the write-ahead log holds too much undelivered data";
  }
  if (refusal != nullptr) {
    metrics_.throttled_records += records.size();
    lock.unlock();
    done(PutOutcome{Status(StatusCode::kUnavailable,
                           fmt::format("Slow down: {} ({})", refusal, settings_.name)),
                    0});
    return;
  }
  metrics_.incoming_records += records.size();
  metrics_.incoming_bytes += bytes;
  queued_bytes_ += bytes;
  queue_.push_back(Request{std::move(records), NowMicros(), std::move(done)});
  lock.unlock();
  writer_cv_.notify_one();
}

void DeliveryStream::Impl::WriterLoop() {
  std::vector<Request> batch;
  std::vector<std::pair<int64_t, std::string_view>> entries;
  while (true) {
    std::vector<Completion> completions;
    bool seal_all = false;
    bool closing = false;
    {
      std::unique_lock lock(mu_);
      writer_cv_.wait_for(lock, std::chrono::milliseconds(200), [this] {
        return !queue_.empty() || !completions_.empty() || seal_all_ || closing_;
      });
      while (!queue_.empty()) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      in_writer_ = batch.size();
      queued_bytes_ = 0;
      completions.swap(completions_);
      seal_all = std::exchange(seal_all_, false);
      closing = closing_;
    }
    if (!batch.empty()) {
      entries.clear();
      for (const Request& request : batch) {
        for (const std::string& record : request.records) {
          entries.emplace_back(request.arrival_micros, record);
        }
      }
      Result<std::vector<uint64_t>> sequences = log_->Append(entries);
      if (!sequences.ok()) {
        const Status failed(StatusCode::kUnavailable,
                            fmt::format("cannot log records of stream {}: {}", settings_.name,
                                        sequences.status().message()));
        {
          std::lock_guard lock(mu_);
          for (const Request& request : batch) {
            metrics_.throttled_records += request.records.size();
          }
        }
        for (Request& request : batch) request.done(PutOutcome{failed, 0});
      } else {
        {
          // Before the answers: a Flush() or a limit check that follows an answer must see
          // its records.
          uint64_t bytes = 0;
          for (const auto& entry : entries) bytes += entry.second.size();
          std::lock_guard lock(mu_);
          accepted_through_ = log_->next_sequence() - 1;
          undelivered_bytes_ += bytes;
        }
        size_t next = 0;
        for (Request& request : batch) {
          request.done(PutOutcome{Status::Ok(), (*sequences)[next]});
          next += request.records.size();
        }
        next = 0;
        for (Request& request : batch) {
          for (const std::string& record : request.records) {
            const uint64_t sequence = (*sequences)[next++];
            Logged(sequence, request.arrival_micros, record.size());
            ProcessRecord(sequence, request.arrival_micros, record);
          }
        }
      }
      batch.clear();
    }
    ApplyCompletions(std::move(completions));
    {
      std::lock_guard lock(mu_);
      in_writer_ = 0;
    }
    SealDue(seal_all || closing);
    Status checkpoint = AdvanceCheckpoint();
    if (!checkpoint.ok()) {
      fmt::print(stderr, "tarn: stream {}: {}\n", settings_.name, checkpoint.message());
    }
    if (closing) {
      std::unique_lock lock(mu_);
      if (queue_.empty() && sealed_.empty() && inflight_bytes_ == 0 && completions_.empty()) {
        stopped_ = true;
        flusher_cv_.notify_all();
        idle_cv_.notify_all();
        return;
      }
    }
  }
}

void DeliveryStream::Impl::ProcessRecord(uint64_t sequence, int64_t arrival_micros,
                                         std::string_view data) {
  if (settings_.deaggregation == DeaggregationType::kNone) {
    if (!committed_.contains(Unit(sequence, kWhole))) {
      AddUnit(Unit(sequence, kWhole), arrival_micros, data);
    }
    return;
  }
  const std::vector<std::string_view> parts = settings_.deaggregation == DeaggregationType::kJson
                                                  ? SplitJsonValues(data)
                                                  : SplitDelimited(data, settings_.delimiter);
  if (parts.size() > kMaxSubRecords) {
    if (!committed_.contains(Unit(sequence, kWhole))) {
      AddError(Unit(sequence, kWhole), arrival_micros, "processing-failed",
               "RecordDeAggregation.TooManySubRecords",
               fmt::format("de-aggregation made more than {} sub-records", kMaxSubRecords), data);
    }
    return;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!committed_.contains(Unit(sequence, i)))
      AddUnit(Unit(sequence, i), arrival_micros, parts[i]);
  }
}

void DeliveryStream::Impl::AddUnit(uint64_t unit, int64_t arrival_micros, std::string_view data) {
  if (extractor_ != nullptr) {
    const auto start = Clock::now();
    Status extracted = extractor_->Extract(data, &values_);
    {
      std::lock_guard lock(mu_);
      metrics_.jq_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    }
    if (!extracted.ok()) {
      AddError(unit, arrival_micros, "partitioning-failed",
               "DynamicPartitioning.MetadataExtractionFailed", extracted.message(), data);
      return;
    }
    size_t i = 0;
    for (const std::string& key : extractor_->keys()) keys_[key] = values_[i++];
  }
  PrefixTemplate::Context context;
  context.time_micros = LocalMicros(arrival_micros);
  context.partition_keys = &keys_;
  context.random = &random_;
  Result<std::string> prefix = prefix_.Evaluate(context);
  if (!prefix.ok()) {
    AddError(unit, arrival_micros, "partitioning-failed", "DynamicPartitioning.PartitionKeyInvalid",
             prefix.status().message(), data);
    return;
  }
  if (!partitions_.contains(*prefix) && data_partitions_ >= settings_.active_partition_limit) {
    {
      std::lock_guard lock(mu_);
      metrics_.partition_count_exceeded = 1;
    }
    AddError(unit, arrival_micros, "activePartitionExceeded",
             "DynamicPartitioning.ActivePartitionsLimitExceeded",
             fmt::format("The number of active partitions has exceeded the configured limit "
                         "({}); partition {}",
                         settings_.active_partition_limit, *prefix),
             data);
    return;
  }
  if (settings_.conversion_enabled) {
    const SerDeRewrite* rewrite = settings_.conversion.rewrite.get();
    if (rewrite != nullptr && rewrite->active()) {
      AddToPartition(*prefix, "", unit, arrival_micros, rewrite->Apply(data), data, true);
      return;
    }
    // One record per line, so that a reader's line number names the record; line breaks can
    // only be whitespace between JSON tokens, so they become spaces (the original is kept for
    // the error output).
    if (data.find_first_of("\r\n") != std::string_view::npos) {
      std::string line(data);
      std::replace_if(
          line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
      AddToPartition(*prefix, "", unit, arrival_micros, line, data, true);
    } else {
      AddToPartition(*prefix, "", unit, arrival_micros, data, {}, true);
    }
    return;
  }
  AddToPartition(*prefix, "", unit, arrival_micros, data, {}, true);
}

Result<std::string> DeliveryStream::Impl::ErrorPrefix(int64_t arrival_micros, std::string_view type,
                                                      Random* random) {
  PrefixTemplate::Context context;
  context.time_micros = LocalMicros(arrival_micros);
  context.error_output_type = type;
  context.random = random;
  return error_prefix_.Evaluate(context);
}

void DeliveryStream::Impl::AddError(uint64_t unit, int64_t arrival_micros, std::string_view type,
                                    std::string_view code, std::string_view message,
                                    std::string_view raw) {
  Result<std::string> prefix = ErrorPrefix(arrival_micros, type, &random_);
  // The error prefix has no partition keys, so it cannot fail but by length; then the error
  // goes under the type alone rather than being lost.
  const std::string where = prefix.ok() ? *prefix : fmt::format("{}/", type);
  std::string line;
  AppendErrorRecord(&line, arrival_micros, code, message, raw, nullptr);
  AddToPartition(where, std::string(type), unit, arrival_micros, line, {}, false);
}

void DeliveryStream::Impl::AddToPartition(const std::string& prefix, const std::string& error_type,
                                          uint64_t unit, int64_t arrival_micros,
                                          std::string_view line, std::string_view original,
                                          bool data_line) {
  const std::string id = error_type.empty() ? prefix : "\x01" + prefix;
  auto [it, created] = partitions_.try_emplace(id);
  if (created) {
    it->second = std::make_unique<Partition>();
    it->second->prefix = prefix;
    it->second->error_type = error_type;
    it->second->oldest_micros = arrival_micros;
    it->second->deadline = Clock::now() + std::chrono::seconds(settings_.interval_seconds);
    if (error_type.empty()) ++data_partitions_;
    if (!settings_.conversion_enabled) {
      it->second->data.reserve(std::min<uint64_t>(settings_.buffer_bytes, (4 << 20) + (64 << 10)));
    }
  }
  Partition& partition = *it->second;
  if (!original.empty()) partition.originals[partition.units.size()] = std::string(original);
  partition.units.push_back(unit);
  partition.arrivals.push_back(arrival_micros);
  partition.data.append(line);
  uint64_t added = line.size();
  if (data_line && (settings_.append_delimiter || settings_.conversion_enabled)) {
    partition.data.push_back('\n');
    ++added;
  }
  partition.raw_bytes += added;
  constexpr size_t kChunkBytes = 4 << 20;
  if (partition.data.size() >= kChunkBytes && partition.raw_bytes < settings_.buffer_bytes) {
    auto chunk = std::make_shared<Chunk>();
    chunk->raw.swap(partition.data);
    partition.data.reserve(kChunkBytes + (64 << 10));
    if (settings_.conversion_enabled && error_type.empty()) {
      if (partition.parquet == nullptr) partition.parquet = std::make_shared<ParquetState>();
      chunk->parquet = partition.parquet;
      const size_t first = partition.chunked_units;
      chunk->units.assign(partition.units.begin() + static_cast<ptrdiff_t>(first),
                          partition.units.end());
      chunk->arrivals.assign(partition.arrivals.begin() + static_cast<ptrdiff_t>(first),
                             partition.arrivals.end());
      for (auto it = partition.originals.lower_bound(first); it != partition.originals.end();) {
        chunk->originals[it->first - first] = std::move(it->second);
        it = partition.originals.erase(it);
      }
      partition.chunked_units = partition.units.size();
    }
    partition.chunks.push_back(chunk);
    {
      std::lock_guard lock(mu_);
      chunk_jobs_.push_back(std::move(chunk));
    }
    flusher_cv_.notify_one();
  }
  if (LoggedRecord* logged = Find(UnitSequence(unit))) logged->outstanding++;
  bool full = partition.raw_bytes >= settings_.buffer_bytes;
  {
    std::lock_guard lock(mu_);
    buffered_bytes_ += added;
    metrics_.partition_count = data_partitions_;
    if (!error_type.empty()) metrics_.error_records++;
  }
  if (full) Seal(id);
}

void DeliveryStream::Impl::Seal(const std::string& id) {
  auto it = partitions_.find(id);
  if (it == partitions_.end()) return;
  std::unique_ptr<Partition> partition = std::move(it->second);
  partitions_.erase(it);
  if (partition->error_type.empty()) --data_partitions_;
  {
    std::lock_guard lock(mu_);
    buffered_bytes_ -= partition->raw_bytes;
    inflight_bytes_ += partition->raw_bytes;
    metrics_.partition_count = data_partitions_;
    if (data_partitions_ < settings_.active_partition_limit) metrics_.partition_count_exceeded = 0;
    sealed_.push_back(std::move(partition));
  }
  flusher_cv_.notify_one();
}

void DeliveryStream::Impl::SealDue(bool all) {
  const auto now = Clock::now();
  std::vector<std::string> due;
  for (const auto& [id, partition] : partitions_) {
    if (all || partition->deadline <= now) due.push_back(id);
  }
  for (const std::string& id : due) Seal(id);
  // Memory: past the limit, the largest buffers go out early.
  // Memory: while open buffers hold more than half the limit, the largest goes out early, one
  // a round (sealing moves bytes to the flushers; the limit itself refuses puts).
  if (!partitions_.empty()) {
    {
      std::lock_guard lock(mu_);
      if (buffered_bytes_ <= limits_.max_buffered_bytes / 2) return;
    }
    auto largest = std::max_element(
        partitions_.begin(), partitions_.end(),
        [](const auto& a, const auto& b) { return a.second->raw_bytes < b.second->raw_bytes; });
    Seal(largest->first);
  }
}

void DeliveryStream::Impl::ApplyCompletions(std::vector<Completion> completions) {
  for (const Completion& completion : completions) {
    for (uint64_t unit : completion.units) {
      LoggedRecord* logged = Find(UnitSequence(unit));
      if (logged != nullptr && logged->outstanding > 0) logged->outstanding--;
    }
  }
}

Status DeliveryStream::Impl::AdvanceCheckpoint() {
  uint64_t freed = 0;
  while (!logged_.empty() && logged_.front().outstanding == 0) {
    freed += logged_.front().size;
    logged_.pop_front();
    ++base_;
  }
  const uint64_t through = base_ - 1;
  {
    std::lock_guard lock(mu_);
    undelivered_bytes_ -= std::min(undelivered_bytes_, freed);
    oldest_undelivered_micros_ = logged_.empty() ? 0 : logged_.front().arrival_micros;
  }
  if (through <= log_->checkpoint()) return Status::Ok();
  TARN_RETURN_IF_ERROR(log_->Checkpoint(through));
  {
    std::lock_guard lock(mu_);
    delivered_through_ = through;
  }
  idle_cv_.notify_all();
  // Intents whose records are all below the checkpoint are no longer needed.
  std::lock_guard lock(commits_mu_);
  uint64_t drop_through = 0;
  while (!live_intents_.empty() && live_intents_.begin()->second <= through) {
    drop_through = live_intents_.begin()->first;
    live_intents_.erase(live_intents_.begin());
  }
  if (drop_through > commits_->checkpoint()) return commits_->Checkpoint(drop_through);
  return Status::Ok();
}

std::string DeliveryStream::Impl::ObjectKey(const std::string& prefix, int64_t oldest_micros,
                                            uint64_t first_unit, std::string_view extension,
                                            std::string_view salt) {
  const std::string uuid =
      UuidFrom(fmt::format("{}\n{}\n{}\n{}\n{}", settings_.name, boot_, prefix, first_unit, salt));
  return fmt::format("{}{}-{}-{}-{}{}", prefix, settings_.name, settings_.version,
                     NameTime(LocalMicros(oldest_micros)), uuid, extension);
}

Status DeliveryStream::Impl::FinishChunk(Chunk& chunk) {
  bool mine = false;
  {
    std::unique_lock lock(mu_);
    if (chunk.state == 0) {
      chunk.state = 1;
      mine = true;
    } else {
      chunk_cv_.wait(lock, [&] { return chunk.state == 2; });
    }
  }
  if (mine) Compress(chunk);
  return chunk.status;
}

Status DeliveryStream::Impl::ConvertLines(ParquetState& state, std::string_view lines,
                                          const std::vector<uint64_t>& units,
                                          const std::vector<int64_t>& arrivals,
                                          const std::map<size_t, std::string>& originals) {
  // A record may hold several objects, and one bad object fails the whole record, so the rows
  // are kept until the lines are read; when some lines are bad, the others are read again
  // without them (bad records are rare; the common case reads once).
  const ConversionSettings& conversion = settings_.conversion;
  std::map<uint64_t, std::string> bad;  // Line (1-based) -> the first problem on it.
  std::vector<std::vector<formats::Column>> batches;
  std::string filtered;
  std::vector<uint64_t> kept;  // Original line of each line of `filtered`.
  std::string_view input = lines;
  for (int pass = 0; pass < 2; ++pass) {
    const size_t bad_before = bad.size();
    batches.clear();
    TARN_ASSIGN_OR_RETURN(
        std::unique_ptr<formats::JsonLinesReader> reader,
        formats::JsonLinesReader::Open(std::make_unique<StringSource>(input, "buffer"),
                                       conversion.columns, conversion.reader));
    while (true) {
      std::vector<formats::Column> columns;
      Result<size_t> read = reader->ReadBatch(4096, &columns);
      if (!read.ok()) {
        if (read.status().code() != StatusCode::kCorruption || reader->last_bad_line() == 0) {
          return read.status();
        }
        uint64_t line = reader->last_bad_line();
        if (pass == 1 && line >= 1 && line <= kept.size()) line = kept[line - 1];
        bad.emplace(line, read.status().message());
        continue;
      }
      if (*read == 0) break;
      batches.push_back(std::move(columns));
    }
    if (bad.size() == bad_before) break;
    if (pass == 1) {
      return Internal("format conversion found new bad records after removing the bad ones");
    }
    filtered.clear();
    size_t start = 0;
    for (uint64_t line = 1; start < lines.size(); ++line) {
      size_t end = lines.find('\n', start);
      if (end == std::string_view::npos) end = lines.size() - 1;
      if (!bad.contains(line)) {
        filtered.append(lines.substr(start, end + 1 - start));
        kept.push_back(line);
      }
      start = end + 1;
    }
    input = filtered;
  }
  std::lock_guard lock(state.mu);
  if (state.writer == nullptr) {
    auto sink = std::make_unique<StringSink>();
    state.sink = sink.get();
    TARN_ASSIGN_OR_RETURN(state.writer, formats::parquet::ParquetWriter::Open(
                                            conversion.schema, std::move(sink), conversion.writer));
  }
  for (const std::vector<formats::Column>& columns : batches) {
    TARN_RETURN_IF_ERROR(state.writer->Write(columns));
    state.rows += columns.empty() ? 0 : columns[0].size();
  }
  // `bad` is in line order, so one walk over the lines finds every bad one.
  size_t cursor = 0;
  uint64_t cursor_line = 1;
  for (const auto& [line, message] : bad) {
    const size_t index = line - 1;
    if (index >= units.size()) {
      return Internal(fmt::format("the reader reported line {} of {}", line, units.size()));
    }
    while (cursor_line < line) {
      cursor = lines.find('\n', cursor) + 1;
      ++cursor_line;
    }
    BadRecord record;
    record.unit = units[index];
    record.arrival_micros = arrivals[index];
    record.message = message;
    auto original = originals.find(index);
    record.raw = original != originals.end()
                     ? original->second
                     : std::string(lines.substr(cursor, lines.find('\n', cursor) - cursor));
    state.bad.push_back(std::move(record));
  }
  return Status::Ok();
}

Status DeliveryStream::Impl::BuildObjects(Partition& partition,
                                          std::vector<PlannedObject>* objects) {
  const bool convert = settings_.conversion_enabled && partition.error_type.empty();
  const ObjectCompression compression = this->compression();
  if (!convert) {
    PlannedObject object;
    object.error = !partition.error_type.empty();
    object.units = partition.units;
    object.records = partition.units.size();
    const std::string_view extension = settings_.file_extension.empty() || object.error
                                           ? DefaultExtension(compression)
                                           : std::string_view(settings_.file_extension);
    object.key = ObjectKey(partition.prefix, partition.oldest_micros, partition.units.front(),
                           extension, partition.error_type);
    for (const std::shared_ptr<Chunk>& chunk : partition.chunks) {
      TARN_RETURN_IF_ERROR(FinishChunk(*chunk));
      object.bytes.append(chunk->compressed);
      chunk->compressed = std::string();
    }
    TARN_RETURN_IF_ERROR(CompressObject(compression, partition.data, &object.bytes));
    objects->push_back(std::move(object));
    return Status::Ok();
  }
  // Parquet: the chunks were converted while the buffer filled; the tail is converted now and
  // the footer closes the object. Records that did not convert go to the error output.
  const ConversionSettings& conversion = settings_.conversion;
  for (const std::shared_ptr<Chunk>& chunk : partition.chunks) {
    TARN_RETURN_IF_ERROR(FinishChunk(*chunk));
  }
  if (partition.parquet == nullptr) partition.parquet = std::make_shared<ParquetState>();
  ParquetState& state = *partition.parquet;
  {
    const size_t first = partition.chunked_units;
    std::vector<uint64_t> units(partition.units.begin() + static_cast<ptrdiff_t>(first),
                                partition.units.end());
    std::vector<int64_t> arrivals(partition.arrivals.begin() + static_cast<ptrdiff_t>(first),
                                  partition.arrivals.end());
    std::map<size_t, std::string> originals;
    for (auto& [index, text] : partition.originals) originals[index - first] = std::move(text);
    TARN_RETURN_IF_ERROR(ConvertLines(state, partition.data, units, arrivals, originals));
  }
  std::lock_guard parquet_lock(state.mu);
  std::unordered_set<uint64_t> bad_units;
  for (const BadRecord& record : state.bad) bad_units.insert(record.unit);
  PlannedObject data;
  for (uint64_t unit : partition.units) {
    if (!bad_units.contains(unit)) data.units.push_back(unit);
  }
  if (state.writer != nullptr) TARN_RETURN_IF_ERROR(state.writer->Close());
  if (!data.units.empty() && state.writer != nullptr) {
    data.records = state.rows;
    data.bytes = state.sink->data();
    const std::string_view extension = settings_.file_extension.empty()
                                           ? std::string_view(".parquet")
                                           : std::string_view(settings_.file_extension);
    data.key =
        ObjectKey(partition.prefix, partition.oldest_micros, data.units.front(), extension, "");
    objects->push_back(std::move(data));
  }
  {
    std::lock_guard lock(mu_);
    metrics_.failed_conversion_records += state.bad.size();
    metrics_.error_records += state.bad.size();
    metrics_.succeeded_conversion_records += partition.units.size() - state.bad.size();
  }
  Random random(boot_ ^ partition.units.front());
  // Error objects, one per error prefix (it may hold the arrival date).
  std::map<std::string, PlannedObject> errors;
  for (const BadRecord& record : state.bad) {
    Result<std::string> prefix =
        ErrorPrefix(record.arrival_micros, "format-conversion-failed", &random);
    const std::string where = prefix.ok() ? *prefix : "format-conversion-failed/";
    PlannedObject& error = errors[where];
    error.error = true;
    AppendErrorRecord(&error.bytes, record.arrival_micros, "DataFormatConversion.MalformedData",
                      record.message, record.raw, &conversion);
    error.units.push_back(record.unit);
    error.records++;
  }
  for (auto& [where, error] : errors) std::sort(error.units.begin(), error.units.end());
  for (auto& [where, error] : errors) {
    error.key = ObjectKey(where, partition.oldest_micros, error.units.front(), "",
                          "format-conversion-failed");
    objects->push_back(std::move(error));
  }
  return Status::Ok();
}

Status DeliveryStream::Impl::Commit(std::vector<PlannedObject>& objects) {
  {
    std::lock_guard lock(commits_mu_);
    TARN_ASSIGN_OR_RETURN(
        std::vector<uint64_t> sequence,
        commits_->Append({{NowMicros(), EncodeIntent(settings_.bucket, objects)}}));
    uint64_t largest = 0;
    for (const PlannedObject& object : objects) {
      for (uint64_t unit : object.units) largest = std::max(largest, UnitSequence(unit));
    }
    live_intents_[sequence.front()] = largest;
  }
  for (const PlannedObject& object : objects) {
    int64_t backoff_ms = limits_.retry_initial_ms;
    while (true) {
      Status put = store_->Put(settings_.bucket, object.key, object.bytes);
      {
        std::lock_guard lock(mu_);
        metrics_.put_attempts++;
        if (put.ok()) metrics_.put_successes++;
      }
      if (put.ok()) break;
      if (put.code() == StatusCode::kAlreadyExists) {
        // Written by an earlier attempt whose outcome was lost: the intent names it alone.
        break;
      }
      if (put.code() == StatusCode::kInvalidArgument) {
        // The store refuses the key itself: retrying cannot help.
        return put.WithContext(fmt::format("s3://{}/{}", settings_.bucket, object.key));
      }
      {
        std::lock_guard lock(mu_);
        if (closing_ && backoff_ms >= limits_.retry_max_ms) {
          // Shutting down: leave the records in the log for the next start.
          return put.WithContext(fmt::format("s3://{}/{}", settings_.bucket, object.key));
        }
      }
      fmt::print(stderr, "tarn: stream {}: writing s3://{}/{} failed, retrying in {} ms: {}\n",
                 settings_.name, settings_.bucket, object.key, backoff_ms, put.message());
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, limits_.retry_max_ms);
    }
    if (on_commit_ && !object.error) {
      on_commit_(fmt::format("s3://{}/{}", settings_.bucket, object.key));
    }
  }
  return Status::Ok();
}

void DeliveryStream::Impl::Compress(Chunk& chunk) {
  if (chunk.parquet != nullptr) {
    chunk.status =
        ConvertLines(*chunk.parquet, chunk.raw, chunk.units, chunk.arrivals, chunk.originals);
  } else {
    chunk.status = CompressObject(compression(), chunk.raw, &chunk.compressed);
  }
  chunk.raw = std::string();
  {
    std::lock_guard lock(mu_);
    chunk.state = 2;
  }
  chunk_cv_.notify_all();
}

void DeliveryStream::Impl::FlusherLoop() {
  while (true) {
    std::unique_ptr<Partition> partition;
    std::shared_ptr<Chunk> chunk;
    {
      std::unique_lock lock(mu_);
      flusher_cv_.wait(lock,
                       [this] { return !sealed_.empty() || !chunk_jobs_.empty() || stopped_; });
      if (!chunk_jobs_.empty()) {
        chunk = std::move(chunk_jobs_.front());
        chunk_jobs_.pop_front();
        if (chunk->state != 0) continue;  // Its buffer's flusher took it.
        chunk->state = 1;
      } else if (!sealed_.empty()) {
        partition = std::move(sealed_.front());
        sealed_.pop_front();
      } else {
        return;
      }
    }
    if (chunk != nullptr) {
      Compress(*chunk);
      continue;
    }
    std::vector<PlannedObject> objects;
    Status status = BuildObjects(*partition, &objects);
    if (status.ok()) status = Commit(objects);
    Completion completion;
    completion.buffered = partition->raw_bytes;
    if (!status.ok()) {
      // The records stay in the log and are delivered by the next start; say so loudly.
      fmt::print(stderr,
                 "tarn: stream {}: cannot deliver {} records of {}: {} (they stay in the "
                 "write-ahead log and are delivered again after a restart)\n",
                 settings_.name, partition->units.size(), partition->prefix, status.message());
    } else {
      completion.units = std::move(partition->units);
      for (const PlannedObject& object : objects) {
        if (object.error) continue;
        completion.records += object.records;
        completion.bytes += object.bytes.size();
        completion.objects++;
      }
    }
    {
      std::lock_guard lock(mu_);
      if (!status.ok()) failed_flushes_++;
      inflight_bytes_ -= completion.buffered;
      metrics_.delivered_records += completion.records;
      metrics_.delivered_bytes += completion.bytes;
      metrics_.delivered_objects += completion.objects;
      completions_.push_back(std::move(completion));
    }
    writer_cv_.notify_one();
  }
}

Status DeliveryStream::Impl::Flush() {
  std::unique_lock lock(mu_);
  // Requests still queued or in the writer's hands are logged by its next round; wait for
  // those too.
  const uint64_t failed_before = failed_flushes_;
  seal_all_ = true;
  writer_cv_.notify_one();
  const auto limit = Clock::now() + std::chrono::minutes(10);
  while (true) {
    const bool waiting = !queue_.empty() || in_writer_ > 0;
    if (!waiting && delivered_through_ >= accepted_through_) return Status::Ok();
    if (stopped_) return Status(StatusCode::kUnavailable, "the stream stopped before delivering");
    if (failed_flushes_ > failed_before && sealed_.empty() && inflight_bytes_ == 0 && !waiting) {
      return Status(StatusCode::kUnavailable,
                    fmt::format("stream {}: some records could not be delivered; they stay in "
                                "the write-ahead log and are delivered after a restart",
                                settings_.name));
    }
    if (idle_cv_.wait_until(lock, std::min(limit, Clock::now() + std::chrono::milliseconds(100))) ==
            std::cv_status::timeout &&
        Clock::now() >= limit) {
      return Status(
          StatusCode::kUnavailable,
          fmt::format("stream {}: delivery did not finish in 10 minutes", settings_.name));
    }
    seal_all_ = true;
    writer_cv_.notify_one();
  }
}

void DeliveryStream::Impl::Close() {
  {
    std::lock_guard lock(mu_);
    if (stopped_ && !writer_.joinable()) return;
    closing_ = true;
  }
  writer_cv_.notify_one();
  if (writer_.joinable()) writer_.join();
  flusher_cv_.notify_all();
  for (std::thread& flusher : flushers_) {
    if (flusher.joinable()) flusher.join();
  }
}

DeliveryMetrics DeliveryStream::Impl::metrics() const {
  std::lock_guard lock(mu_);
  DeliveryMetrics m = metrics_;
  m.buffered_bytes = buffered_bytes_ + inflight_bytes_;
  m.data_freshness_seconds =
      oldest_undelivered_micros_ == 0
          ? 0
          : static_cast<double>(NowMicros() - oldest_undelivered_micros_) / 1e6;
  return m;
}

DeliveryStream::DeliveryStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DeliveryStream::~DeliveryStream() { Close(); }

Result<std::unique_ptr<DeliveryStream>> DeliveryStream::Open(
    DeliverySettings settings, storage::ObjectStore* store, std::string log_folder,
    DeliveryLimits limits, CommitHook on_commit, std::vector<std::string>* warnings) {
  auto impl = std::make_unique<Impl>(std::move(settings), store, limits, std::move(on_commit));
  TARN_RETURN_IF_ERROR(impl->Open(log_folder, warnings));
  impl->Start();
  return std::unique_ptr<DeliveryStream>(new DeliveryStream(std::move(impl)));
}

void DeliveryStream::Put(std::vector<std::string> records, std::function<void(PutOutcome)> done) {
  impl_->Put(std::move(records), std::move(done));
}
Status DeliveryStream::Flush() { return impl_->Flush(); }
void DeliveryStream::Close() { impl_->Close(); }
DeliveryMetrics DeliveryStream::metrics() const { return impl_->metrics(); }
const DeliverySettings& DeliveryStream::settings() const { return impl_->settings(); }

}  // namespace tarn::delivery
