// `tarn send`: sends the lines of an NDJSON file to a Firehose stream with PutRecordBatch, as the
// seed's emitter did. docs/send.md describes the batching, retries and summary.
//
// Threads: one reader cuts the input into batches and hands them over a bounded queue to
// --concurrency workers, each with its own FirehoseClient; the main thread draws progress. They
// share counters (atomics) and the first fatal error (under a mutex).
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/byte_sink.h"
#include "common/byte_source.h"
#include "common/human_units.h"
#include "common/prefetching_source.h"
#include "common/random.h"
#include "formats/compression/decompressing_source.h"
#include "ingest/firehose_client.h"
#include "ingest/firehose_messages.h"

namespace tarn::cli {
namespace {

using Clock = std::chrono::steady_clock;
using ingest::kMaxBatchBytes;
using ingest::kMaxRecordBytes;
using ingest::kMaxRecordsPerBatch;

constexpr std::string_view kCommand = "send";
constexpr size_t kMaxLinesReported = 10;  // Oversized lines printed one by one; then counted.

struct SendFlags {
  std::string input;
  std::string stream;
  std::string endpoint = "http://127.0.0.1:4573";
  std::string ca;  // PEM CA bundle for an https:// endpoint; empty: the system's.
  size_t batch = kMaxRecordsPerBatch;
  size_t concurrency = 4;
  int max_retries = 10;
  double timeout_seconds = 60;
  bool append_newline = false;
  std::string stats_json;
  bool quiet = false;
};

// Records of consecutive input lines, stored back to back in one buffer.
struct Batch {
  uint64_t first_line = 0;  // 1-based line numbers of the first and last record.
  uint64_t last_line = 0;
  std::string data;
  std::vector<uint32_t> ends;  // End offset in `data` of each record.
  size_t size() const { return ends.size(); }
  std::string_view record(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(data).substr(begin, ends[i] - begin);
  }
};

// A queue of batches that holds at most `capacity`, so that reading runs at most that far ahead
// of sending. Close() ends it after the queued batches; Cancel() drops them.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  // False when the queue was cancelled: nobody will send the batch.
  bool Push(Batch batch) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return cancelled_ || batches_.size() < capacity_; });
    if (cancelled_) {
      dropped_ = true;
      return false;
    }
    batches_.push_back(std::move(batch));
    not_empty_.notify_one();
    return true;
  }

  // The next batch; nothing once closed and drained, or cancelled.
  std::optional<Batch> Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return cancelled_ || closed_ || !batches_.empty(); });
    if (cancelled_ || batches_.empty()) return std::nullopt;
    Batch batch = std::move(batches_.front());
    batches_.pop_front();
    not_full_.notify_one();
    return batch;
  }

  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

  // Whether records read were never sent because the queue was cancelled.
  bool dropped() {
    std::lock_guard lock(mutex_);
    return dropped_;
  }

  void Cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (!batches_.empty()) dropped_ = true;
    batches_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<Batch> batches_;  // Guarded by mutex_.
  bool closed_ = false;        // Guarded by mutex_.
  bool cancelled_ = false;     // Guarded by mutex_.
  bool dropped_ = false;       // Guarded by mutex_.
};

// Counts the bytes read from the input file, for the progress display.
class CountingSource : public ByteSource {
 public:
  CountingSource(std::unique_ptr<ByteSource> inner, std::atomic<uint64_t>* count)
      : inner_(std::move(inner)), count_(count) {}
  Result<size_t> Read(char* out, size_t size) override {
    Result<size_t> n = inner_->Read(out, size);
    if (n.ok()) count_->fetch_add(*n, std::memory_order_relaxed);
    return n;
  }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::atomic<uint64_t>* count_;
};

// What the threads of one run share.
class SendRun {
 public:
  explicit SendRun(const SendFlags& flags)
      : flags_(flags), queue_(2 * flags.concurrency), start_(Clock::now()) {}

  const SendFlags& flags() const { return flags_; }
  BatchQueue& queue() { return queue_; }

  std::atomic<uint64_t> input_bytes{0};  // Of the input file as stored (compressed or not).
  std::atomic<uint64_t> records_sent{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> failed{0};

  // Prints a message on standard error, over the progress line if one is drawn.
  void Print(std::string_view line) {
    std::lock_guard lock(console_mutex_);
    if (progress_drawn_) std::fputs("\r\033[K", stderr);
    progress_drawn_ = false;
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
  }

  void DrawProgress(std::string_view line) {
    std::lock_guard lock(console_mutex_);
    std::fputs("\r", stderr);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputs("\033[K", stderr);
    std::fflush(stderr);
    progress_drawn_ = true;
  }

  void ClearProgress() {
    std::lock_guard lock(console_mutex_);
    if (progress_drawn_) std::fputs("\r\033[K", stderr);
    progress_drawn_ = false;
  }

  // Ends the run early with `status` (the first one wins): queued batches are dropped and
  // workers stop retrying.
  void Fail(Status status) {
    {
      std::lock_guard lock(state_mutex_);
      if (error_.ok()) error_ = std::move(status);
      stopping_ = true;
    }
    stop_changed_.notify_all();
    queue_.Cancel();
  }

  // Records an error that does not stop the others (the input could not be read to its end:
  // what was read is still sent).
  void NoteError(Status status) {
    std::lock_guard lock(state_mutex_);
    if (error_.ok()) error_ = std::move(status);
  }

  Status error() {
    std::lock_guard lock(state_mutex_);
    return error_;
  }

  // Sleeps for `delay` unless the run stops first; returns false if it did.
  bool SleepUnlessStopped(std::chrono::milliseconds delay) {
    std::unique_lock lock(state_mutex_);
    return !stop_changed_.wait_for(lock, delay, [&] { return stopping_; });
  }

  // Whether this is the first call that could not be answered (to warn once, not per retry).
  bool FirstUnavailable() { return !warned_unavailable_.exchange(true); }

  void AddLatencies(const std::vector<float>& millis) {
    std::lock_guard lock(state_mutex_);
    latencies_ms_.insert(latencies_ms_.end(), millis.begin(), millis.end());
  }

  std::vector<float> TakeLatencies() {
    std::lock_guard lock(state_mutex_);
    return std::move(latencies_ms_);
  }

  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  const SendFlags& flags_;
  BatchQueue queue_;
  const Clock::time_point start_;
  std::atomic<bool> warned_unavailable_{false};

  std::mutex console_mutex_;
  bool progress_drawn_ = false;  // Guarded by console_mutex_.

  std::mutex state_mutex_;
  std::condition_variable stop_changed_;
  Status error_;                     // Guarded by state_mutex_.
  bool stopping_ = false;            // Guarded by state_mutex_.
  std::vector<float> latencies_ms_;  // Guarded by state_mutex_.
};

// Cuts the input into batches of whole lines and queues them. Returns when the input ends (then
// closes the queue), fails, or the run stops.
class BatchReader {
 public:
  BatchReader(SendRun& run, std::string input_name)
      : run_(run), flags_(run.flags()), input_name_(std::move(input_name)) {}

  Status ReadAll(ByteSource& source) {
    const Status status = ReadLines(source);
    // What was read before a read error is still sent; a cancelled run sends nothing more.
    if (batch_.size() > 0 && !run_.queue().Push(std::move(batch_))) return Status::Ok();
    if (oversized_ > kMaxLinesReported) {
      run_.Print(
          fmt::format("tarn send: error: {}: {} lines in all were larger than {} bytes "
                      "and were not sent",
                      input_name_, WithThousands(oversized_), WithThousands(kMaxRecordBytes)));
    }
    return status;
  }

 private:
  Status ReadLines(ByteSource& source) {
    std::string buffer(1 << 20, '\0');
    std::string carry;  // A line that continues into the next read.
    uint64_t carry_size = 0;
    for (;;) {
      TARN_ASSIGN_OR_RETURN(const size_t n, source.Read(buffer.data(), buffer.size()));
      if (n == 0) break;
      const char* p = buffer.data();
      const char* const end = p + n;
      while (p < end) {
        const char* newline = static_cast<const char*>(std::memchr(p, '\n', end - p));
        const std::string_view piece(p, (newline != nullptr ? newline : end) - p);
        if (carry_size == 0 && newline != nullptr) {
          if (!Line(piece, piece.size())) return Status::Ok();
        } else {
          // Keep at most what a record may hold (plus a '\r'); only the length of the rest.
          carry_size += piece.size();
          if (carry_size <= kMaxRecordBytes + 1) carry.append(piece);
          if (newline != nullptr) {
            if (!Line(carry, carry_size)) return Status::Ok();
            carry.clear();
            carry_size = 0;
          }
        }
        if (newline == nullptr) break;
        p = newline + 1;
      }
    }
    if (carry_size > 0) Line(carry, carry_size);
    return Status::Ok();
  }

  // Adds the line numbered ++line_ (`size` bytes long, of which `text` holds the first ones) to
  // the batch, queueing the batch first when the line does not fit. False if the run stopped.
  bool Line(std::string_view text, uint64_t size) {
    ++line_;
    if (size == text.size() && !text.empty() && text.back() == '\r') {
      text.remove_suffix(1);
      --size;
    }
    if (size == 0) return true;
    const uint64_t record_size = size + (flags_.append_newline ? 1 : 0);
    if (record_size > kMaxRecordBytes) {
      run_.failed.fetch_add(1, std::memory_order_relaxed);
      if (++oversized_ <= kMaxLinesReported) {
        run_.Print(fmt::format(
            "tarn send: error: {}:{}: a record of {} bytes is larger than "
            "Firehose's limit of {} bytes; not sent",
            input_name_, line_, WithThousands(record_size), WithThousands(kMaxRecordBytes)));
      }
      return true;
    }
    if (batch_.size() == flags_.batch || batch_.data.size() + record_size > kMaxBatchBytes) {
      const size_t last_bytes = batch_.data.size();
      if (!run_.queue().Push(std::move(batch_))) return false;
      batch_ = Batch();
      batch_.data.reserve(last_bytes);
      batch_.ends.reserve(flags_.batch);
    }
    if (batch_.size() == 0) batch_.first_line = line_;
    batch_.last_line = line_;
    batch_.data.append(text);
    if (flags_.append_newline) batch_.data.push_back('\n');
    batch_.ends.push_back(static_cast<uint32_t>(batch_.data.size()));
    return true;
  }

  SendRun& run_;
  const SendFlags& flags_;
  const std::string input_name_;
  Batch batch_;
  uint64_t line_ = 0;
  uint64_t oversized_ = 0;
};

// The wait before retry number `attempt` (1-based): 100 ms doubling up to 5 s, of which a random
// half, so that workers that failed together do not retry together.
std::chrono::milliseconds Backoff(int attempt, Random& random) {
  const int64_t cap = std::min<int64_t>(5'000, int64_t{100} << std::min(attempt - 1, 16));
  return std::chrono::milliseconds(cap / 2 + static_cast<int64_t>(random.UniformInt(cap / 2 + 1)));
}

// Takes batches from the queue and sends each until all its records are accepted, its retries
// are spent, or the service refuses it for good.
class Worker {
 public:
  Worker(SendRun& run, std::unique_ptr<ingest::FirehoseClient> client, uint64_t seed,
         std::string input_name)
      : run_(run), client_(std::move(client)), random_(seed), input_name_(std::move(input_name)) {}

  void Run() {
    while (std::optional<Batch> batch = run_.queue().Pop()) Send(*batch);
    run_.AddLatencies(latencies_ms_);
  }

 private:
  void Send(const Batch& batch) {
    const SendFlags& flags = run_.flags();
    run_.batches.fetch_add(1, std::memory_order_relaxed);
    std::vector<std::string_view> pending(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) pending[i] = batch.record(i);
    for (int attempt = 0;; ++attempt) {
      const Clock::time_point start = Clock::now();
      Result<ingest::PutBatchResult> result = client_->PutRecordBatch(flags.stream, pending);
      std::string last_error;
      if (result.ok()) {
        latencies_ms_.push_back(
            std::chrono::duration<float, std::milli>(Clock::now() - start).count());
        size_t kept = 0;
        uint64_t accepted_bytes = 0;
        for (size_t i = 0; i < pending.size(); ++i) {
          const ingest::RecordOutcome& outcome = result->outcomes[i];
          if (outcome.error_code.empty()) {
            accepted_bytes += pending[i].size();
          } else {
            if (last_error.empty()) {
              last_error = outcome.error_code + ": " + outcome.error_message;
            }
            pending[kept++] = pending[i];
          }
        }
        run_.records_sent.fetch_add(pending.size() - kept, std::memory_order_relaxed);
        run_.bytes_sent.fetch_add(accepted_bytes, std::memory_order_relaxed);
        pending.resize(kept);
        if (pending.empty()) return;
      } else if (result.status().code() == StatusCode::kUnavailable) {
        last_error = result.status().message();
        if (!flags.quiet && run_.FirstUnavailable()) {
          run_.Print(fmt::format("tarn send: warning: {}; retrying (--max-retries {})", last_error,
                                 flags.max_retries));
        }
      } else {
        // The service refused the call itself (unknown stream, bad request): resending the
        // same request cannot help.
        run_.failed.fetch_add(pending.size(), std::memory_order_relaxed);
        run_.Fail(result.status());
        return;
      }
      if (attempt == flags.max_retries) {
        run_.failed.fetch_add(pending.size(), std::memory_order_relaxed);
        run_.Fail(Status(StatusCode::kUnavailable,
                         fmt::format("{}: lines {}-{}: {} of {} records still not accepted after "
                                     "{} retries; last error: {}",
                                     input_name_, batch.first_line, batch.last_line, pending.size(),
                                     batch.size(), flags.max_retries, last_error)));
        return;
      }
      run_.retries.fetch_add(1, std::memory_order_relaxed);
      if (!run_.SleepUnlessStopped(Backoff(attempt + 1, random_))) {
        run_.failed.fetch_add(pending.size(), std::memory_order_relaxed);
        return;
      }
    }
  }

  SendRun& run_;
  std::unique_ptr<ingest::FirehoseClient> client_;
  Random random_;
  const std::string input_name_;
  std::vector<float> latencies_ms_;
};

// The size of the input as stored, when it is a regular file (for a percentage and an ETA).
uint64_t InputSize(const std::string& input) {
  struct stat info;
  if (input == "-" ? ::fstat(0, &info) != 0 : ::stat(input.c_str(), &info) != 0) return 0;
  return S_ISREG(info.st_mode) ? static_cast<uint64_t>(info.st_size) : 0;
}

std::string ProgressLine(SendRun& run, uint64_t total_input) {
  const double seconds = std::max(run.Seconds(), 1e-3);
  const uint64_t records = run.records_sent.load(std::memory_order_relaxed);
  const uint64_t bytes = run.bytes_sent.load(std::memory_order_relaxed);
  std::string line = "sending ";
  // Progress is measured on the input as stored, which the reader consumes at most a few
  // batches ahead of what was sent.
  double fraction = 0;
  if (total_input > 0) {
    constexpr int kWidth = 25;
    fraction = std::min(
        1.0, double(run.input_bytes.load(std::memory_order_relaxed)) / double(total_input));
    const int filled = static_cast<int>(fraction * kWidth);
    line += fmt::format("[{}{}] {:3.0f}% ", std::string(filled, '#'),
                        std::string(kWidth - filled, ' '), fraction * 100);
  }
  line += fmt::format("{} records, {}, {} records/s, {:.1f} MB/s", WithThousands(records),
                      HumanBytes(bytes), HumanCount(double(records) / seconds),
                      double(bytes) / 1e6 / seconds);
  const uint64_t retries = run.retries.load(std::memory_order_relaxed);
  if (retries > 0) line += fmt::format(", {} retries", WithThousands(retries));
  if (fraction > 0.01 && fraction < 1) {
    line += fmt::format(", ETA {:.0f}s", seconds * (1 - fraction) / fraction);
  }
  return line;
}

// The value at quantile `q` of `sorted` (nearest rank).
double Percentile(const std::vector<float>& sorted, double q) {
  const size_t rank = static_cast<size_t>(std::ceil(q * double(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

struct Summary {
  uint64_t records = 0, bytes = 0, batches = 0, retries = 0, failed = 0;
  double seconds = 0;
  std::optional<double> p50_ms, p99_ms;  // None when no call was answered.
};

Status WriteStatsJson(const std::string& path, const Summary& s) {
  auto number = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.3f}", *v) : std::string("null");
  };
  const std::string json = fmt::format(
      "{{\"records\": {}, \"bytes\": {}, \"batches\": {}, \"retries\": {}, \"failed\": {}, "
      "\"seconds\": {:.3f}, \"latency_ms_p50\": {}, \"latency_ms_p99\": {}}}\n",
      s.records, s.bytes, s.batches, s.retries, s.failed, s.seconds, number(s.p50_ms),
      number(s.p99_ms));
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileSink> sink, FileSink::Create(path));
  TARN_RETURN_IF_ERROR(sink->Append(json));
  return sink->Close();
}

Result<std::unique_ptr<ByteSource>> OpenInput(const std::string& input,
                                              std::atomic<uint64_t>* count) {
  std::unique_ptr<ByteSource> source;
  if (input == "-") {
    source = FileSource::Stdin();
  } else {
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<FileSource> file, FileSource::Open(input));
    source = std::move(file);
  }
  source = std::make_unique<CountingSource>(std::move(source), count);
  const formats::StreamCompression compression = formats::StreamCompressionFromName(input);
  if (compression == formats::StreamCompression::kNone) return source;
  // Decompress on its own core while the reader cuts lines.
  source = formats::MakeDecompressingSource(std::move(source), compression);
  return std::unique_ptr<ByteSource>(std::make_unique<PrefetchingSource>(std::move(source)));
}

int RunSend(const SendFlags& flags) {
  if (!ingest::IsValidStreamName(flags.stream)) {
    PrintError(kCommand, fmt::format("--stream: '{}' is not a stream name: 1 to 64 characters "
                                     "of a-z, A-Z, 0-9, _, . and -",
                                     flags.stream));
    return kExitUsage;
  }
  ingest::FirehoseClientOptions client_options;
  client_options.call_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(flags.timeout_seconds * 1000));
  client_options.connect_timeout =
      std::min(client_options.connect_timeout, client_options.call_timeout);
  client_options.ca_file = flags.ca;
  std::vector<std::unique_ptr<ingest::FirehoseClient>> clients;
  for (size_t i = 0; i < flags.concurrency; ++i) {
    Result<std::unique_ptr<ingest::FirehoseClient>> client =
        ingest::FirehoseClient::Make(flags.endpoint, client_options);
    if (!client.ok()) return ReportFailure(kCommand, client.status());
    clients.push_back(std::move(*client));
  }
  SendRun run(flags);
  Result<std::unique_ptr<ByteSource>> source = OpenInput(flags.input, &run.input_bytes);
  if (!source.ok()) {
    PrintError(kCommand, source.status().message());
    return kExitFailure;
  }
  const std::string input_name = (*source)->name();

  std::vector<std::thread> workers;
  std::mt19937_64 seeds(std::random_device{}());
  for (auto& client : clients) {
    workers.emplace_back([&run, client = std::move(client), seed = seeds(), input_name]() mutable {
      Worker(run, std::move(client), seed, input_name).Run();
    });
  }
  std::thread reader([&] {
    BatchReader batcher(run, input_name);
    Status status = batcher.ReadAll(**source);
    if (!status.ok()) run.NoteError(status);
    run.queue().Close();
  });

  const bool draw = !flags.quiet && ::isatty(2) == 1;
  const uint64_t total_input = InputSize(flags.input);
  std::mutex done_mutex;
  std::condition_variable done_changed;
  bool done = false;
  std::thread progress;
  if (draw) {
    progress = std::thread([&] {
      std::unique_lock lock(done_mutex);
      while (!done_changed.wait_for(lock, std::chrono::milliseconds(200), [&] { return done; })) {
        run.DrawProgress(ProgressLine(run, total_input));
      }
    });
  }
  reader.join();
  for (std::thread& worker : workers) worker.join();
  {
    std::lock_guard lock(done_mutex);
    done = true;
  }
  done_changed.notify_all();
  if (progress.joinable()) progress.join();
  run.ClearProgress();

  Summary summary;
  summary.seconds = run.Seconds();
  summary.records = run.records_sent.load();
  summary.bytes = run.bytes_sent.load();
  summary.batches = run.batches.load();
  summary.retries = run.retries.load();
  summary.failed = run.failed.load();
  std::vector<float> latencies = run.TakeLatencies();
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    summary.p50_ms = Percentile(latencies, 0.50);
    summary.p99_ms = Percentile(latencies, 0.99);
  }

  const Status error = run.error();
  if (!error.ok()) {
    PrintError(kCommand, run.queue().dropped()
                             ? error.message() + "; stopped there, the rest was not sent"
                             : error.message());
  }
  if (!flags.quiet) {
    const double seconds = std::max(summary.seconds, 1e-3);
    std::string latency = "no calls answered";
    if (summary.p50_ms) {
      latency = fmt::format("PutRecordBatch latency p50 {:.1f} ms, p99 {:.1f} ms", *summary.p50_ms,
                            *summary.p99_ms);
    }
    run.Print(fmt::format(
        "tarn send: {} records ({}) in {} batches to stream '{}' at {} in {:.2f} s: "
        "{} records/s, {:.1f} MB/s; {} retries, {} failed; {}",
        WithThousands(summary.records), HumanBytes(summary.bytes), WithThousands(summary.batches),
        flags.stream, flags.endpoint, summary.seconds,
        HumanCount(double(summary.records) / seconds), double(summary.bytes) / 1e6 / seconds,
        WithThousands(summary.retries), WithThousands(summary.failed), latency));
  }
  if (!flags.stats_json.empty()) {
    const Status written = WriteStatsJson(flags.stats_json, summary);
    if (!written.ok()) {
      PrintError(kCommand, written.WithContext("--stats-json").message());
      return kExitFailure;
    }
  }
  return error.ok() && summary.failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

Command AddSendCommand(CLI::App& app) {
  auto flags = std::make_shared<SendFlags>();
  CLI::App* cmd = app.add_subcommand(
      "send", "Send the lines of an NDJSON file to a Firehose stream (PutRecordBatch)");
  cmd->footer(
      "Each non-empty line is one record, sent without its newline (a stream's\n"
      "AppendDelimiterToRecord processor adds delimiters; --append-newline sends line + \"\\n\").\n"
      "Records go in batches of up to --batch records and 4 MiB; failed records are resent with\n"
      "exponential backoff (100 ms doubling to 5 s), refused calls (unknown stream) are not.\n"
      "Exits 0 only when every record was accepted. https:// endpoints must present a certificate\n"
      "that verifies (against --ca FILE or the system's CAs) for their host name; a certificate\n"
      "that does not is an error, not retried. See docs/send.md.\n\n"
      "Examples:\n"
      "  tarn send events.ndjson.gz --stream events\n"
      "  tarn generate --sessions 1000 | tarn send - --stream events --endpoint "
      "http://127.0.0.1:4573\n"
      "  tarn send events.ndjson --stream events --concurrency 8 --stats-json stats.json\n"
      "  tarn send events.ndjson --stream events --endpoint https://127.0.0.1:4573 --ca "
      "tls/cert.pem");
  cmd->add_option("FILE", flags->input,
                  "NDJSON input: plain, .gz or .zst; '-' reads standard input")
      ->required();
  cmd->add_option("--stream", flags->stream, "Firehose delivery stream to send to")->required();
  cmd->add_option("--endpoint", flags->endpoint, "Firehose API endpoint (tarn serve)")
      ->capture_default_str();
  cmd->add_option("--ca", flags->ca,
                  "PEM file of the CA certificate(s) that an https:// endpoint's certificate must "
                  "chain to (e.g. tarn tls self-signed's cert.pem); default: the system's");
  cmd->add_option("--batch", flags->batch, "Records per PutRecordBatch call (1 to 500)")
      ->check(CLI::Range(size_t{1}, kMaxRecordsPerBatch))
      ->capture_default_str();
  cmd->add_option("--concurrency", flags->concurrency, "Calls in flight at once (1 to 64)")
      ->check(CLI::Range(size_t{1}, size_t{64}))
      ->capture_default_str();
  cmd->add_option("--max-retries", flags->max_retries,
                  "Resends of one batch before giving up (0 to 100)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  cmd->add_option("--timeout", flags->timeout_seconds,
                  "Seconds one call may take, connecting included")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_flag("--append-newline", flags->append_newline,
                "Send each line with its \"\\n\" (for streams without a delimiter processor)");
  cmd->add_option("--stats-json", flags->stats_json, "Also write the summary as JSON to this file");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress, warnings or summary; only errors");
  return {cmd, [flags] { return RunSend(*flags); }};
}

}  // namespace tarn::cli
