// `tarn serve`: the Firehose-compatible collector (docs/serve.md).
#include <fmt/format.h>
#include <signal.h>
#include <simdjson.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/byte_source.h"
#include "ingest/firehose_api.h"
#include "ingest/http_server.h"

namespace tarn::cli {
namespace {

struct ServeFlags {
  std::string lake = "lake";
  std::string listen = "127.0.0.1:4573";
  std::string config;
  std::string streams;
  std::string durability = "sync";
  int threads = 2;
  uint64_t max_buffer_mb = 512;
  uint64_t fail_every_nth_put = 0;
};

// Splits "HOST:PORT" ("[::1]:PORT" for IPv6).
Status ParseListen(const std::string& text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return InvalidArgument(fmt::format("--listen: expected HOST:PORT, got '{}'", text));
  }
  std::string address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  uint64_t value = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || value > 65535) {
      return InvalidArgument(
          fmt::format("--listen: '{}' is not a port number", text.substr(colon + 1)));
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > 65535)
    return InvalidArgument(fmt::format("--listen: port {} is out of range", value));
  *host = address;
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

// --config FILE: a JSON object whose members are the long flags' names ("lake", "listen",
// "streams", "durability", "threads", "max-buffer-mb"); flags given on the command line win.
Status ReadConfig(const std::string& path, ServeFlags* flags, const CLI::App& cmd) {
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, FileSource::Open(path));
  TARN_ASSIGN_OR_RETURN(std::string text, ReadAll(*source));
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) {
    return InvalidArgument(fmt::format("--config {}: not a JSON object", path));
  }
  for (auto [key, value] : root) {
    const std::string flag = "--" + std::string(key);
    const bool given = cmd.count(flag) > 0;
    std::string_view text_value;
    int64_t number = 0;
    if (key == "lake" || key == "listen" || key == "streams" || key == "durability") {
      if (value.get(text_value) != simdjson::SUCCESS) {
        return InvalidArgument(fmt::format("--config {}: '{}' must be a string", path, key));
      }
      if (given) continue;
      std::string* target = key == "lake"      ? &flags->lake
                            : key == "listen"  ? &flags->listen
                            : key == "streams" ? &flags->streams
                                               : &flags->durability;
      *target = std::string(text_value);
    } else if (key == "threads" || key == "max-buffer-mb") {
      if (value.get(number) != simdjson::SUCCESS || number < 1) {
        return InvalidArgument(
            fmt::format("--config {}: '{}' must be a positive integer", path, key));
      }
      if (given) continue;
      if (key == "threads") {
        flags->threads = static_cast<int>(std::min<int64_t>(number, 64));
      } else {
        flags->max_buffer_mb = static_cast<uint64_t>(number);
      }
    } else {
      return InvalidArgument(fmt::format(
          "--config {}: unknown setting '{}' (known: lake, listen, streams, durability, threads, "
          "max-buffer-mb)",
          path, key));
    }
  }
  return Status::Ok();
}

int RunServe(const ServeFlags& given, const CLI::App& cmd) {
  ServeFlags flags = given;
  if (!flags.config.empty()) {
    Status read = ReadConfig(flags.config, &flags, cmd);
    if (!read.ok()) return ReportFailure("serve", read);
  }
  ingest::HttpServerOptions http;
  Status listen = ParseListen(flags.listen, &http.address, &http.port);
  if (!listen.ok()) return ReportFailure("serve", listen);
  http.threads = flags.threads;
  if (flags.durability != "sync" && flags.durability != "none") {
    return ReportFailure(
        "serve", InvalidArgument(fmt::format("--durability: expected sync or none, got '{}'",
                                             flags.durability)));
  }
  ingest::ServiceOptions options;
  options.lake_root = flags.lake;
  options.limits.max_buffered_bytes = flags.max_buffer_mb << 20;
  options.fail_every_nth_put = flags.fail_every_nth_put;
  if (flags.durability == "none") {
    options.limits.wal.durability = delivery::Durability::kNone;
    std::fputs(
        "tarn serve: warning: --durability none: records are acknowledged before they reach "
        "the disk; a crash or power loss can lose acknowledged records. Use it for benchmarks "
        "only.\n",
        stderr);
  }
  // Signals are taken by sigwait below, so every thread must have them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<std::string> warnings;
  Result<std::unique_ptr<ingest::FirehoseService>> service =
      ingest::FirehoseService::Open(options, &warnings);
  for (const std::string& warning : warnings) {
    std::fputs(fmt::format("tarn serve: warning: {}\n", warning).c_str(), stderr);
  }
  if (!service.ok()) return ReportFailure("serve", service.status());
  if (!flags.streams.empty()) {
    Result<std::vector<std::string>> loaded = (*service)->LoadStreamFiles(flags.streams);
    if (!loaded.ok()) return ReportFailure("serve", loaded.status());
    for (const std::string& line : *loaded) {
      std::fputs(fmt::format("tarn serve: {}\n", line).c_str(), stderr);
    }
  }
  ingest::FirehoseService* api = service->get();
  Result<std::unique_ptr<ingest::HttpServer>> server = ingest::HttpServer::Start(
      http, [api](ingest::HttpRequest request, ingest::Responder respond) {
        api->Handle(std::move(request), std::move(respond));
      });
  if (!server.ok()) return ReportFailure("serve", server.status());
  std::fputs(fmt::format("tarn serve: listening on http://{}:{} (lake {})\n", http.address,
                         (*server)->port(), flags.lake)
                 .c_str(),
             stdout);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::fputs(fmt::format("tarn serve: {} received: finishing requests and delivering every "
                         "buffered record\n",
                         signal_number == SIGINT ? "SIGINT" : "SIGTERM")
                 .c_str(),
             stderr);
  (*server)->Stop();
  Status flushed = (*service)->FlushAll();
  (*service)->Close();
  if (!flushed.ok()) {
    std::fputs(fmt::format("tarn serve: warning: {} (the records stay in the write-ahead log "
                           "and are delivered at the next start)\n",
                           flushed.message())
                   .c_str(),
               stderr);
    return kExitFailure;
  }
  std::fputs("tarn serve: stopped; everything accepted was delivered\n", stderr);
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run the Firehose-compatible collector that delivers records into the lake");
  cmd->footer(
      "Speaks Kinesis Data Firehose's API (PutRecord, PutRecordBatch, CreateDeliveryStream,\n"
      "DescribeDeliveryStream, ListDeliveryStreams, DeleteDeliveryStream, UpdateDestination) on\n"
      "POST /, so AWS SDKs and the AWS CLI work with --endpoint-url. A record is acknowledged\n"
      "only once it is in the stream's write-ahead log on disk; SIGINT or SIGTERM delivers every\n"
      "buffered record before exiting. GET /health and GET /metrics (Prometheus) too.\n\n"
      "Examples:\n"
      "  tarn serve --lake lake --streams examples/seed\n"
      "  aws firehose list-delivery-streams --endpoint-url http://127.0.0.1:4573\n"
      "  tarn send events.ndjson --stream events_json");
  cmd->add_option("--lake", flags->lake, "Lake folder (buckets are its sub-folders)")
      ->capture_default_str();
  cmd->add_option("--listen", flags->listen, "Address and port to listen on (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--config", flags->config,
                  "JSON file with settings named like these flags; flags given win");
  cmd->add_option("--streams", flags->streams,
                  "Folder of CreateDeliveryStream JSON files to create at start-up");
  cmd->add_option("--durability", flags->durability,
                  "sync: acknowledge after fsync (default); none: for benchmarks only")
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "HTTP threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--max-buffer-mb", flags->max_buffer_mb,
                  "Per-stream memory for buffers before puts are refused (503)")
      ->check(CLI::Range(uint64_t{16}, uint64_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--fail-every-nth-put", flags->fail_every_nth_put,
                  "Testing: make every Nth object write fail (it is retried)")
      ->group("");
  return {cmd, [flags, cmd] { return RunServe(*flags, *cmd); }};
}

}  // namespace tarn::cli
