// `tarn demo`: the seed article's story, end to end, on the embedded default (a local lake
// folder), in the eight steps of docs/demo.md: generate the data set; start the server in this
// process and create the two delivery streams through the Firehose API; the two tables; send
// every event to both streams with `tarn send` (child processes of this binary) and list what
// was delivered; show one object; run the article's June-2023 query on both tables; estimate
// the monthly AWS bill from what was measured; say how to explore further.
//
// Every step goes through the code a user's commands use: the HTTP API (FirehoseClient), the
// delivery streams, the catalog's DDL executor and the query engine.
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <system_error>

#include "catalog/ddl_executor.h"
#include "catalog/sqlite_catalog.h"
#include "cli/commands.h"
#include "cli/cost.h"
#include "cli/flags.h"
#include "cli/generate.h"
#include "cli/ls_cat.h"
#include "common/civil_time.h"
#include "common/human_units.h"
#include "ingest/firehose_api.h"
#include "ingest/firehose_client.h"
#include "ingest/http_server.h"
#include "sql/engine.h"
#include "sql/parser/ddl_parser.h"
#include "sql/parser/query_parser.h"
#include "sql/parser/script.h"
#include "sql/types.h"
#include "storage/encrypted_object.h"
#include "storage/keyring.h"

extern char** environ;

namespace tarn::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kMarker[] = ".tarn-demo";
constexpr char kBucket[] = "tarn-demo";
constexpr char kDatabase[] = "kozlovski";
constexpr const char* kStreams[] = {"events_json", "events_parquet"};
constexpr size_t kMaxListedObjects = 12;  // Per sink, so that step 4 fits one screen.
constexpr size_t kCatLines = 5;

struct DemoFlags {
  uint64_t sessions = 100'000;
  uint64_t seed = 2023;
  std::string dir = "demo-lake";
  std::string examples;
  bool keep = false;
};

// Makes `dir` a fresh, empty demo folder, or keeps it with `keep`. Only a folder that a demo
// made (it holds the marker file) is ever removed.
Status PrepareFolder(const fs::path& dir, bool keep) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return InvalidArgument(fmt::format("--dir '{}' exists and is not a folder", dir.string()));
    }
    const bool ours = fs::exists(dir / kMarker, ec);
    const bool empty = fs::is_empty(dir, ec);
    if (!ours && !empty) {
      return InvalidArgument(fmt::format(
          "refusing to use '{}': it was not made by tarn demo (no {} file in it); choose another "
          "--dir or remove it",
          dir.string(), kMarker));
    }
    if (ours && !keep) {
      fs::remove_all(dir, ec);
      if (ec) return ErrnoStatus(ec.value(), fmt::format("removing '{}'", dir.string()));
    }
  }
  fs::create_directories(dir / "source", ec);
  if (ec) return ErrnoStatus(ec.value(), fmt::format("creating '{}'", dir.string()));
  FILE* marker = std::fopen((dir / kMarker).c_str(), "w");
  if (marker == nullptr)
    return ErrnoStatus(errno, fmt::format("writing '{}'", (dir / kMarker).string()));
  std::fputs("This folder was made by `tarn demo`; the next run replaces it.\n", marker);
  std::fclose(marker);
  return Status::Ok();
}

// examples/seed: --examples, else beside the working folder, else beside the binary (build/tarn
// in a checkout).
Result<fs::path> FindExamples(const std::string& given) {
  std::vector<fs::path> candidates;
  if (!given.empty()) {
    candidates.push_back(given);
  } else {
    candidates.push_back("examples/seed");
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      for (fs::path up = exe.parent_path(); !up.empty() && up != up.root_path();
           up = up.parent_path()) {
        candidates.push_back(up / "examples" / "seed");
      }
    }
  }
  for (const fs::path& candidate : candidates) {
    std::error_code ec;
    if (fs::exists(candidate / "tables.sql", ec)) return candidate;
  }
  return NotFound(fmt::format(
      "cannot find the seed's definitions ({}/tables.sql); run the demo from the tarn checkout "
      "or give --examples DIR",
      given.empty() ? "examples/seed" : given));
}

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(fmt::format("cannot read '{}'", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void StepDone(int step, Clock::time_point start) {
  fmt::print("  (step {} took {:.2f} s)\n\n", step, SecondsSince(start));
  std::fflush(stdout);
}

void PrintSummary(const gen::GeneratorStats& stats) {
  fmt::print("\n  {:<22} {:>12} {:>8}\n", "event name", "events", "share");
  for (int k = 0; k < gen::kEventKindCount; ++k) {
    const uint64_t n = stats.events_by_kind[k];
    fmt::print("  {:<22} {:>12} {:>7.1f}%\n", gen::EventName(static_cast<gen::EventKind>(k)),
               WithThousands(n), stats.events ? 100.0 * n / stats.events : 0.0);
  }
  fmt::print("  {:<22} {:>12} {:>7.1f}%\n", "(exact duplicates)", WithThousands(stats.duplicates),
             stats.events ? 100.0 * stats.duplicates / stats.events : 0.0);
  fmt::print("  {:<22} {:>12}\n\n", "total", WithThousands(stats.events));
  fmt::print("  events per session   {:.2f}\n",
             stats.sessions ? double(stats.events) / stats.sessions : 0.0);
  if (stats.events > 0) {
    fmt::print("  event times          {} .. {}\n",
               FormatTimestamp(stats.first_event_micros).substr(0, 19),
               FormatTimestamp(stats.last_event_micros).substr(0, 19));
  }
  fmt::print("  size                 {} ({:.0f} bytes an event)\n", HumanBytes(stats.bytes),
             stats.events ? double(stats.bytes) / stats.events : 0.0);
}

// Runs every DDL statement of `file` through the catalog's executor, as `tarn catalog import`
// and `tarn query` do. Returns how many ran.
Result<size_t> RunDdlFile(const std::string& lake, const fs::path& file) {
  TARN_ASSIGN_OR_RETURN(std::string text, ReadText(file));
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<catalog::SqliteCatalog> catalog,
                        catalog::SqliteCatalog::OpenLake(lake));
  TARN_ASSIGN_OR_RETURN(std::vector<sql::ScriptStatement> statements, sql::SplitStatements(text));
  catalog::DdlExecutor executor(catalog.get(), lake);
  for (const sql::ScriptStatement& statement : statements) {
    Result<catalog::DdlStatement> parsed = sql::ParseDdl(statement.text);
    Status status = parsed.status();
    if (parsed.ok()) status = executor.Execute(*parsed, "default").status();
    if (!status.ok()) {
      return status.WithContext(fmt::format("{}: line {}", file.string(), statement.line));
    }
  }
  return statements.size();
}

// Creates a stream from its CreateDeliveryStream body through the HTTP API. With `keep`, a
// stream that exists already (ResourceInUseException) is reused.
Result<std::string> CreateStream(ingest::FirehoseClient& client, const fs::path& file, bool keep) {
  TARN_ASSIGN_OR_RETURN(std::string body, ReadText(file));
  TARN_ASSIGN_OR_RETURN(ingest::FirehoseResponse response,
                        client.Call("CreateDeliveryStream", body));
  if (response.http_status == 200) {
    const size_t arn = response.body.find("arn:");
    return arn == std::string::npos
               ? std::string("created")
               : "created " + response.body.substr(arn, response.body.find('"', arn) - arn);
  }
  if (keep && response.error_type == "ResourceInUseException") return std::string("kept (--keep)");
  return StatusFromErrorResponse(response, "CreateDeliveryStream", client.endpoint())
      .WithContext(file.string());
}

// Runs `tarn send FILE --stream STREAM --endpoint URL` as a child process of this binary, its
// progress bar and summary on our terminal. Returns its exit status.
Result<int> RunSend(const std::string& input, const std::string& stream,
                    const std::string& endpoint) {
  std::vector<std::string> args = {"tarn", "send",       input,   "--stream",
                                   stream, "--endpoint", endpoint};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ);
  if (err != 0) return ErrnoStatus(err, "starting tarn send");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "waiting for tarn send");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// Counts the records of an NDJSON file and the bytes Firehose bills for them.
struct RecordTally {
  uint64_t records = 0;
  uint64_t billed_bytes = 0;
};

Result<RecordTally> TallyRecords(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(fmt::format("cannot read '{}'", path));
  RecordTally tally;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;  // `tarn send` skips empty lines.
    tally.records += 1;
    tally.billed_bytes += FirehoseBilledBytes(line.size());
  }
  return tally;
}

struct SinkListing {
  std::string uri;
  LsListing listing;
  std::set<std::string> partitions;
};

// Step 4's listing of one sink, as `aws s3 ls --recursive --human-readable --summarize`.
Result<SinkListing> ListSink(const std::string& lake, const std::string& format) {
  SinkListing sink;
  sink.uri = fmt::format("s3://{}/events_raw/{}/", kBucket, format);
  LsOptions options;
  options.recursive = true;
  options.human_readable = true;
  options.summarize = true;
  TARN_ASSIGN_OR_RETURN(sink.listing, ListLakeObjects(lake, sink.uri, options));
  for (const std::string& key : sink.listing.keys) {
    const size_t d = key.find("/d=");
    if (d != std::string::npos) sink.partitions.insert(key.substr(0, key.find('/', d + 1)));
  }
  return sink;
}

void PrintListing(const std::string& dir, const SinkListing& sink) {
  fmt::print("  $ tarn ls --lake {} {} --recursive --human-readable --summarize\n", dir, sink.uri);
  const std::vector<std::string>& lines = sink.listing.lines;
  const size_t objects = lines.size() >= 3 ? lines.size() - 3 : lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i < objects && objects > kMaxListedObjects && i >= kMaxListedObjects - 2) {
      if (i == kMaxListedObjects - 2) {
        fmt::print("  ... {} more objects\n", objects - (kMaxListedObjects - 2));
      }
      continue;
    }
    fmt::print("{}{}\n", lines[i].empty() ? "" : "  ", lines[i]);
  }
}

// Runs one query through the engine, as `tarn query` does.
Result<sql::QueryResult> RunQueryText(const std::string& lake, const std::string& text) {
  TARN_ASSIGN_OR_RETURN(std::vector<sql::ScriptStatement> statements, sql::SplitStatements(text));
  if (statements.size() != 1) {
    return InvalidArgument(
        fmt::format("expected one query, found {} statements", statements.size()));
  }
  TARN_ASSIGN_OR_RETURN(sql::Statement statement, sql::ParseStatement(statements[0].text));
  const sql::QueryStatement* query = std::get_if<sql::QueryStatement>(&statement);
  if (query == nullptr) return InvalidArgument("the June query is not a query");
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<catalog::SqliteCatalog> catalog,
                        catalog::SqliteCatalog::OpenLake(lake));
  // Encrypted objects are read with the lake's keyring, as `tarn query` reads them.
  TARN_ASSIGN_OR_RETURN(std::shared_ptr<storage::Keyring> keyring,
                        OpenLakeKeyring(lake, "", KeyringUse::kIfPresent));
  sql::QueryOptions options;
  options.lake_root = lake;
  options.database = kDatabase;
  options.keyring = keyring.get();
  return sql::RunQuery(query->query, *catalog, options);
}

// The rows of a result as text, cells joined by '\t'.
std::vector<std::vector<std::string>> ResultRows(const sql::QueryResult& result) {
  std::vector<std::vector<std::string>> rows;
  for (const sql::Batch& batch : result.batches) {
    for (size_t r = 0; r < batch.rows; ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < result.names.size(); ++c) {
        row.push_back(sql::FormatValue(batch.columns[c], r).value_or("NULL"));
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// Whether the object at `path` is stored encrypted (its first bytes are the magic).
bool StoredEncrypted(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char head[sizeof(storage::kEncryptedMagic) - 1] = {};
  in.read(head, sizeof(head));
  return in.gcount() == sizeof(head) &&
         storage::LooksEncrypted(std::string_view(head, sizeof(head)));
}

class Demo {
 public:
  explicit Demo(const DemoFlags& flags) : flags_(flags), dir_(flags.dir) {}

  int Run() {
    const auto start = Clock::now();
    Result<fs::path> examples = FindExamples(flags_.examples);
    if (!examples.ok()) return ReportFailure("demo", examples.status());
    examples_ = *examples;
    if (Status s = PrepareFolder(dir_, flags_.keep); !s.ok()) return ReportFailure("demo", s);
    fmt::print("tarn demo: the seed article's data lake, on this machine, in '{}'\n\n",
               dir_.string());
    Status status = Status::Ok();
    for (auto step : {&Demo::Generate, &Demo::CreateStreams, &Demo::ShowTables, &Demo::SendAll,
                      &Demo::ShowObject, &Demo::Query, &Demo::Cost, &Demo::Explore}) {
      status = (this->*step)();
      if (!status.ok()) break;
    }
    StopServer();
    if (!status.ok()) {
      PrintError("demo", status.message());
      return kExitFailure;
    }
    fmt::print("tarn demo: done in {:.1f} s\n", SecondsSince(start));
    return kExitOk;
  }

 private:
  std::string lake() const { return dir_.string(); }

  Status Generate() {
    const auto start = Clock::now();
    fmt::print("Step 1. Generate the seed's synthetic app events ({} sessions, seed {})\n",
               WithThousands(flags_.sessions), flags_.seed);
    std::fflush(stdout);
    gen::GeneratorOptions options;
    options.sessions = flags_.sessions;
    options.seed = flags_.seed;
    options.now_micros = *ParseNowFlag("");
    source_ = (dir_ / "source" / "events.ndjson").string();
    TARN_ASSIGN_OR_RETURN(stats_, GenerateDataSet(options, source_, ProgressBar::Display::kAuto));
    fmt::print("  wrote {} events ({}) to {} in {:.2f} s\n", WithThousands(stats_.events),
               HumanBytes(stats_.bytes), source_, SecondsSince(start));
    PrintSummary(stats_);
    StepDone(1, start);
    return Status::Ok();
  }

  Status CreateStreams() {
    const auto start = Clock::now();
    fmt::print("Step 2. Start the tarn server and create the seed's two delivery streams\n");
    // The Parquet stream converts records with the schema of catalog table events_parquet, as
    // Firehose reads it from Glue, so the tables (step 3) must exist first.
    TARN_ASSIGN_OR_RETURN(ddl_statements_, RunDdlFile(lake(), examples_ / "tables.sql"));
    fmt::print(
        "  catalog  ran {} ({} statements) first: the Parquet stream takes its schema\n"
        "           from table {}.events_parquet (step 3)\n",
        (examples_ / "tables.sql").string(), ddl_statements_, kDatabase);
    ingest::ServiceOptions options;
    options.lake_root = lake();
    // The lake's keyring plays AWS's owned key; opened when an encrypted stream starts.
    options.keyring = [this]() -> Result<storage::Keyring*> {
      if (keyring_ == nullptr) {
        TARN_ASSIGN_OR_RETURN(keyring_, OpenLakeKeyring(lake(), "", KeyringUse::kCreate));
      }
      return keyring_.get();
    };
    std::vector<std::string> warnings;
    TARN_ASSIGN_OR_RETURN(service_, ingest::FirehoseService::Open(options, &warnings));
    for (const std::string& warning : warnings) fmt::print("  warning: {}\n", warning);
    ingest::HttpServerOptions http;
    http.address = "127.0.0.1";
    http.port = 0;
    ingest::FirehoseService* api = service_.get();
    TARN_ASSIGN_OR_RETURN(server_,
                          ingest::HttpServer::Start(
                              http, [api](ingest::HttpRequest request, ingest::Responder respond) {
                                api->Handle(std::move(request), std::move(respond));
                              }));
    endpoint_ = fmt::format("http://127.0.0.1:{}", server_->port());
    fmt::print("  server   listening on {} (in this process; lake '{}')\n", endpoint_, lake());
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<ingest::FirehoseClient> client,
                          ingest::FirehoseClient::Make(endpoint_));
    for (const char* stream : kStreams) {
      const fs::path file = examples_ / (std::string(stream) + ".json");
      TARN_ASSIGN_OR_RETURN(std::string outcome, CreateStream(*client, file, flags_.keep));
      fmt::print("  {:<15}{} (CreateDeliveryStream with {})\n", stream, outcome, file.string());
    }
    fmt::print(
        "  events_json     GZIP JSON lines, partitioned by jq {{event_name:.name, …}} into\n"
        "                  events_raw/json/name=…/d=YYYY-MM-DD/, 64 MiB / 60 s buffers, "
        "server-side\n"
        "                  encryption asked for (AWS_OWNED_CMK: the lake's own keyring)\n"
        "  events_parquet  the same partitioning into events_raw/parquet/…, converted to "
        "Parquet\n"
        "                  (GZIP pages) with the schema of {}.events_parquet\n",
        kDatabase);
    StepDone(2, start);
    return Status::Ok();
  }

  Status ShowTables() {
    const auto start = Clock::now();
    fmt::print("Step 3. The article's two tables ({}, Athena DDL)\n",
               (examples_ / "tables.sql").string());
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<catalog::SqliteCatalog> catalog,
                          catalog::SqliteCatalog::OpenLake(lake()));
    for (const char* name : kStreams) {
      TARN_ASSIGN_OR_RETURN(catalog::TableDefinition table, catalog->GetTable(kDatabase, name));
      std::string columns, keys;
      for (const catalog::Column& c : table.columns)
        columns += (columns.empty() ? "" : ", ") + c.name + " " + sql::SqlTypeName(c.type);
      for (const catalog::Column& c : table.partition_keys)
        keys += (keys.empty() ? "" : ", ") + c.name + " " + sql::SqlTypeName(c.type);
      const auto classification = table.table_properties.find("classification");
      fmt::print("  {}.{}\n    columns     {}\n    partitions  {}\n    location    {} ({})\n",
                 kDatabase, name, columns, keys, table.location,
                 classification == table.table_properties.end() ? "?" : classification->second);
    }
    fmt::print(
        "  Partitions are registered in the catalog as objects are delivered (no MSCK "
        "REPAIR needed).\n");
    StepDone(3, start);
    return Status::Ok();
  }

  Status SendAll() {
    const auto start = Clock::now();
    fmt::print(
        "Step 4. Send every event to both streams with tarn send (PutRecordBatch, 500 a "
        "call)\n");
    std::fflush(stdout);
    for (const char* stream : kStreams) {
      fmt::print("  $ tarn send {} --stream {} --endpoint {}\n", source_, stream, endpoint_);
      std::fflush(stdout);
      TARN_ASSIGN_OR_RETURN(int rc, RunSend(source_, stream, endpoint_));
      if (rc != 0) {
        return Internal(fmt::format("tarn send to {} exited with status {}", stream, rc));
      }
    }
    // The streams buffer for 60 s; deliver now what they hold, as `tarn serve` does at SIGTERM.
    const auto flush_start = Clock::now();
    TARN_RETURN_IF_ERROR(service_->FlushAll());
    fmt::print(
        "  delivered everything buffered in {:.2f} s (a flush; the streams buffer up to 60 "
        "s)\n\n",
        SecondsSince(flush_start));
    StopServer();
    for (const char* format : {"json", "parquet"}) {
      TARN_ASSIGN_OR_RETURN(SinkListing sink, ListSink(lake(), format));
      PrintListing(lake(), sink);
      const double ratio = sink.listing.bytes ? double(stats_.bytes) / sink.listing.bytes : 0;
      fmt::print("  {} sink: {} in {} objects, {:.1f}x smaller than the raw {}\n\n", format,
                 HumanBytes(sink.listing.bytes), sink.listing.objects, ratio,
                 HumanBytes(stats_.bytes));
      sinks_.push_back(std::move(sink));
    }
    StepDone(4, start);
    return Status::Ok();
  }

  Status ShowObject() {
    const auto start = Clock::now();
    fmt::print(
        "Step 5. The first lines of one delivered JSON object, decompressed (and "
        "decrypted)\n");
    if (sinks_.empty() || sinks_[0].listing.keys.empty())
      return NotFound("no JSON object was delivered");
    // The article shows an anonymous_visited object; take the first such key, else the first.
    std::string key = sinks_[0].listing.keys[0];
    for (const std::string& k : sinks_[0].listing.keys) {
      if (k.find("name=anonymous_visited/") != std::string::npos) {
        key = k;
        break;
      }
    }
    CatRequest request;
    request.lake = lake();
    request.uri = fmt::format("s3://{}/{}", kBucket, key);
    fmt::print("  $ tarn cat --lake {} {} | head -{}\n", lake(), request.uri, kCatLines);
    std::string text;
    size_t lines = 0;
    TARN_RETURN_IF_ERROR(CatLakeObject(request, [&](std::string_view piece) {
      for (char c : piece) {
        text.push_back(c);
        if (c == '\n' && ++lines == kCatLines) return false;
      }
      return true;
    }));
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) fmt::print("  {}\n", line);
    fmt::print("  (the object is stored {})\n",
               StoredEncrypted(dir_ / kBucket / key)
                   ? "encrypted; tarn cat decrypted it with the lake's keyring"
                   : "unencrypted");
    cat_uri_ = request.uri;
    StepDone(5, start);
    return Status::Ok();
  }

  Status Query() {
    const auto start = Clock::now();
    const fs::path file = examples_ / "june_2023.sql";
    fmt::print("Step 6. The article's June-2023 query ({}) on both tables\n", file.string());
    TARN_ASSIGN_OR_RETURN(std::string text, ReadText(file));
    std::vector<std::vector<std::vector<std::string>>> results;
    std::vector<sql::QueryResult> runs;
    for (const char* table : kStreams) {
      const std::string sql = Replace(text, fmt::format("{}.events_json", kDatabase),
                                      fmt::format("{}.{}", kDatabase, table));
      Result<sql::QueryResult> result = RunQueryText(lake(), sql);
      if (!result.ok()) return result.status().WithContext(fmt::format("query on {}", table));
      results.push_back(ResultRows(*result));
      runs.push_back(std::move(*result));
    }
    // Both results side by side (the day, then each table's count), in two halves next to
    // each other, so that a month fits one screen.
    const std::vector<std::string>& names = runs[0].names;
    const size_t rows = std::max(results[0].size(), results[1].size());
    const size_t half = (rows + 1) / 2;
    auto line = [&](size_t r) {
      auto cell = [&](size_t t, size_t c) {
        return r < results[t].size() && c < results[t][r].size() ? results[t][r][c] : "-";
      };
      return fmt::format("{:<23} {:>5} {:>7}", cell(0, 0), cell(0, 1), cell(1, 1));
    };
    const std::string header = fmt::format("{:<23} {:>5} {:>7}", names.empty() ? "day" : names[0],
                                           "json", "parquet");
    fmt::print("  {}{}\n", header, rows > 1 ? "   " + header : "");
    for (size_t r = 0; r < half; ++r) {
      fmt::print("  {}{}\n", line(r), r + half < rows ? "   " + line(r + half) : "");
    }
    fmt::print("  ({} rows; the two results are {})\n", rows,
               results[0] == results[1] ? "equal" : "DIFFERENT");
    for (size_t t = 0; t < runs.size(); ++t) {
      fmt::print("  {:<15} Run time: {:.3f} sec, Data scanned: {} ({} bytes)\n", kStreams[t],
                 runs[t].seconds, HumanBytes(runs[t].bytes_scanned),
                 WithThousands(runs[t].bytes_scanned));
    }
    scanned_json_ = runs[0].bytes_scanned;
    scanned_parquet_ = runs[1].bytes_scanned;
    if (scanned_parquet_ > 0 && scanned_parquet_ < scanned_json_) {
      fmt::print(
          "  events_parquet scanned {:.1f}x less than events_json ({:.0f}% less; the article: "
          "8.18 MB vs 4.19 MB, 1.95x)\n",
          double(scanned_json_) / scanned_parquet_,
          100.0 * (1.0 - double(scanned_parquet_) / double(scanned_json_)));
    } else {
      fmt::print(
          "  events_parquet scanned no less than events_json here ({} vs {}; the article: "
          "4.19 MB vs 8.18 MB)\n",
          HumanBytes(scanned_parquet_), HumanBytes(scanned_json_));
    }
    if (results[0] != results[1]) return Internal("the two tables gave different results");
    StepDone(6, start);
    return Status::Ok();
  }

  Status Cost() {
    const auto start = Clock::now();
    fmt::print(
        "Step 7. What this would cost on AWS a month (us-east-1 list prices; this run's "
        "volume\n        as one month's, 100 full-scan queries a day, as in the article)\n");
    TARN_ASSIGN_OR_RETURN(RecordTally tally, TallyRecords(source_));
    MonthlyVolumes volumes;
    uint64_t partitions = 0;
    for (size_t i = 0; i < sinks_.size(); ++i) {
      StreamVolume stream;
      stream.name = kStreams[i];
      stream.records = tally.records;
      stream.billed_bytes = tally.billed_bytes;
      stream.delivered_bytes = sinks_[i].listing.bytes;
      stream.objects = sinks_[i].listing.objects;
      stream.dynamic_partitioning = true;
      stream.format_conversion = i == 1;
      volumes.streams.push_back(stream);
      volumes.stored_bytes += sinks_[i].listing.bytes;
      partitions += sinks_[i].partitions.size();
    }
    volumes.glue_objects = 1 + 2 + partitions;  // The database, two tables, their partitions.
    volumes.full_scan_bytes = sinks_[0].listing.bytes;
    volumes.scanned_table = "events_json";
    const CostEstimate estimate = EstimateMonthlyCost(volumes);
    fmt::print("{}", FormatCostTable(estimate, "  "));
    const double athena_parquet = volumes.queries_per_day * volumes.days_per_month *
                                  AthenaQueryDollars(sinks_[1].listing.bytes);
    fmt::print(
        "  The same queries on events_parquet: ${:.2f} a month for Athena; the June query "
        "as run\n  in step 6: ${:.6f} (json) and ${:.6f} (parquet) each (10 MB minimum).\n",
        athena_parquet, AthenaQueryDollars(scanned_json_), AthenaQueryDollars(scanned_parquet_));
    fmt::print(
        "  The article's table: Firehose $0.10, S3 $0.00, Glue $0.00, Athena $0.73 = "
        "$0.83\n  (one stream, no partitioning or conversion charges; see docs/demo.md).\n");
    StepDone(7, start);
    return Status::Ok();
  }

  Status Explore() {
    fmt::print("Step 8. Explore further:\n");
    fmt::print("  tarn query --lake {} \"SELECT name, count(*) FROM {}.events_json GROUP BY 1\"\n",
               lake(), kDatabase);
    fmt::print("  tarn query --lake {} -f {}\n", lake(), (examples_ / "june_2023.sql").string());
    fmt::print("  tarn ls --lake {} s3://{}/events_raw/ --recursive --human-readable --summarize\n",
               lake(), kBucket);
    fmt::print("  tarn cat --lake {} {} | head\n", lake(), cat_uri_);
    fmt::print(
        "  tarn serve --lake {}    (the streams are in the lake's catalog; then tarn send "
        "FILE --stream events_json)\n",
        lake());
    fmt::print("  tarn demo --keep        (reuses '{}'; without it the next run starts afresh)\n",
               lake());
    return Status::Ok();
  }

  void StopServer() {
    if (server_ != nullptr) server_->Stop();
    if (service_ != nullptr) service_->Close();
    server_.reset();
    service_.reset();
  }

  DemoFlags flags_;
  fs::path dir_;
  fs::path examples_;
  std::string source_;
  gen::GeneratorStats stats_;
  size_t ddl_statements_ = 0;
  std::shared_ptr<storage::Keyring> keyring_;
  std::unique_ptr<ingest::FirehoseService> service_;
  std::unique_ptr<ingest::HttpServer> server_;
  std::string endpoint_;
  std::vector<SinkListing> sinks_;
  std::string cat_uri_;
  uint64_t scanned_json_ = 0;
  uint64_t scanned_parquet_ = 0;
};

}  // namespace

Command AddDemoCommand(CLI::App& app) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* cmd =
      app.add_subcommand("demo", "Run the seed article's story end to end in ./demo-lake");
  cmd->footer(
      "Generates the seed article's data set, starts the server in this process, creates the\n"
      "article's streams and tables (examples/seed), sends every event to both streams with\n"
      "tarn send, lists and shows what was delivered, runs the article's June-2023 query on both\n"
      "tables, and estimates the monthly AWS bill (docs/demo.md). A folder made by an earlier\n"
      "demo is replaced unless --keep is given; any other existing, non-empty folder is left\n"
      "alone and the demo stops.");
  cmd->add_option("--sessions", flags->sessions, "Number of user sessions to simulate")
      ->check(CLI::Range(uint64_t{1}, gen::kMaxSessions))
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "Random seed of the data set")->capture_default_str();
  cmd->add_option("--dir", flags->dir, "Demo folder")->capture_default_str();
  cmd->add_option("--examples", flags->examples,
                  "Folder of the seed's definitions (default: examples/seed of the checkout)");
  cmd->add_flag("--keep", flags->keep, "Reuse the demo folder instead of starting afresh");
  return {cmd, [flags]() -> int { return Demo(*flags).Run(); }};
}

}  // namespace tarn::cli
