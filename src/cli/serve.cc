// `tarn serve`: the Firehose-compatible collector (docs/serve.md).
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>
#include <simdjson.h>

#include <boost/asio/ip/address.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/byte_source.h"
#include "common/files.h"
#include "ingest/audit_log.h"
#include "ingest/credentials.h"
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
  std::string tls_cert;
  std::string tls_key;
  bool insecure_plaintext = false;
  int idle_timeout_seconds = 60;
  int request_timeout_seconds = 30;
  uint64_t max_connections_per_client = 64;
  std::string master_key_file;
};

// The lake's keyring, opened when first needed (an encrypted stream, a credential's secret),
// so that a lake that uses neither gets no keys. Thread-safe.
class LazyKeyring : public storage::SecretBox {
 public:
  LazyKeyring(std::string lake, std::string key_file)
      : lake_(std::move(lake)), key_file_(std::move(key_file)) {}

  Result<storage::Keyring*> Get() {
    std::lock_guard lock(mu_);
    if (keyring_ == nullptr) {
      TARN_ASSIGN_OR_RETURN(keyring_, OpenLakeKeyring(lake_, key_file_, KeyringUse::kCreate));
    }
    return keyring_.get();
  }
  Result<std::string> SealSecret(std::string_view secret, std::string_view context) override {
    TARN_ASSIGN_OR_RETURN(storage::Keyring * keyring, Get());
    return keyring->SealSecret(secret, context);
  }
  Result<std::string> OpenSecret(std::string_view sealed, std::string_view context) override {
    TARN_ASSIGN_OR_RETURN(storage::Keyring * keyring, Get());
    return keyring->OpenSecret(sealed, context);
  }

 private:
  const std::string lake_, key_file_;
  std::mutex mu_;
  std::shared_ptr<storage::Keyring> keyring_;  // Guarded by mu_.
};

// Whether `host` (as --listen gives it) only takes connections from this machine: 127.0.0.0/8,
// ::1 (also as ::ffff:127.x.y.z) or "localhost". Anything else, the wildcard addresses included,
// is reachable from the network.
bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code error;
  const boost::asio::ip::address address = boost::asio::ip::make_address(host, error);
  if (error) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .is_loopback();
  }
  return address.is_loopback();
}

// Takes LAKE/_tarn/serve.lock for the life of the returned lock and writes our pid into it;
// kUnavailable naming the other process when it is held.
Result<std::unique_ptr<FileLock>> LockLake(const std::string& lake) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(lake) / "_tarn", ec);
  if (ec) return ErrnoStatus(ec.value(), fmt::format("creating '{}/_tarn'", lake));
  const std::string path = lake + "/_tarn/serve.lock";
  Result<std::unique_ptr<FileLock>> lock = FileLock::Acquire(path, FileLock::Wait::kTry);
  if (!lock.ok() && lock.status().code() == StatusCode::kUnavailable) {
    std::string pid;
    if (std::ifstream in(path); in) std::getline(in, pid);
    return Status(StatusCode::kUnavailable,
                  fmt::format("another tarn serve (pid {}) is using the lake '{}'; stop it first",
                              pid.empty() ? "?" : pid, lake));
  }
  if (!lock.ok()) return lock.status();
  // Only for the message above: the lock holds whether or not the pid is written.
  const std::string text = std::to_string(::getpid());
  if (::ftruncate((*lock)->fd(), 0) == 0) {
    (void)!::pwrite((*lock)->fd(), text.data(), text.size(), 0);
  }
  return lock;
}

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
// "streams", "durability", "threads", "max-buffer-mb", "tls-cert", "tls-key",
// "insecure-plaintext", "idle-timeout-seconds", "request-timeout-seconds",
// "max-connections-per-client", "master-key-file"); flags given on the command line win.
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
    bool flag_value = false;
    if (key == "lake" || key == "listen" || key == "streams" || key == "durability" ||
        key == "tls-cert" || key == "tls-key" || key == "master-key-file") {
      if (value.get(text_value) != simdjson::SUCCESS) {
        return InvalidArgument(fmt::format("--config {}: '{}' must be a string", path, key));
      }
      if (given) continue;
      std::string* target = key == "lake"       ? &flags->lake
                            : key == "listen"   ? &flags->listen
                            : key == "streams"  ? &flags->streams
                            : key == "tls-cert" ? &flags->tls_cert
                            : key == "tls-key"  ? &flags->tls_key
                            : key == "master-key-file" ? &flags->master_key_file
                                                : &flags->durability;
      *target = std::string(text_value);
    } else if (key == "insecure-plaintext") {
      if (value.get(flag_value) != simdjson::SUCCESS) {
        return InvalidArgument(fmt::format("--config {}: '{}' must be true or false", path, key));
      }
      if (!given) flags->insecure_plaintext = flag_value;
    } else if (key == "threads" || key == "max-buffer-mb" || key == "idle-timeout-seconds" ||
               key == "request-timeout-seconds" || key == "max-connections-per-client") {
      if (value.get(number) != simdjson::SUCCESS || number < 1) {
        return InvalidArgument(
            fmt::format("--config {}: '{}' must be a positive integer", path, key));
      }
      if (given) continue;
      if (key == "threads") {
        flags->threads = static_cast<int>(std::min<int64_t>(number, 64));
      } else if (key == "max-buffer-mb") {
        flags->max_buffer_mb = static_cast<uint64_t>(number);
      } else if (key == "idle-timeout-seconds") {
        flags->idle_timeout_seconds = static_cast<int>(std::min<int64_t>(number, 3600));
      } else if (key == "request-timeout-seconds") {
        flags->request_timeout_seconds = static_cast<int>(std::min<int64_t>(number, 3600));
      } else {
        flags->max_connections_per_client = static_cast<uint64_t>(number);
      }
    } else {
      return InvalidArgument(fmt::format(
          "--config {}: unknown setting '{}' (known: lake, listen, streams, durability, threads, "
          "max-buffer-mb, tls-cert, tls-key, insecure-plaintext, idle-timeout-seconds, "
          "request-timeout-seconds, max-connections-per-client, master-key-file)",
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
  if (http.address == "localhost") http.address = "127.0.0.1";
  http.threads = flags.threads;
  http.idle_timeout_seconds = flags.idle_timeout_seconds;
  http.request_timeout_seconds = flags.request_timeout_seconds;
  http.max_connections_per_client = flags.max_connections_per_client;
  http.log = [](std::string_view line) {
    std::fputs(fmt::format("tarn serve: {}\n", line).c_str(), stderr);
  };
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    return ReportFailure("serve", InvalidArgument(fmt::format(
                                      "{} given without {}: HTTPS needs both the certificate "
                                      "chain and its private key",
                                      flags.tls_cert.empty() ? "--tls-key" : "--tls-cert",
                                      flags.tls_cert.empty() ? "--tls-cert" : "--tls-key")));
  }
  if (!flags.tls_cert.empty()) {
    http.tls = ingest::TlsFiles{flags.tls_cert, flags.tls_key};
    // Checked before the lake is opened (which may replay logs), so that a wrong file fails
    // at once; the server loads them again when it starts.
    Result<std::shared_ptr<boost::asio::ssl::context>> checked =
        ingest::MakeServerTlsContext(*http.tls);
    if (!checked.ok()) return ReportFailure("serve", checked.status());
  }
  // Reachable from other machines: TLS is required (below), and so is authentication
  // (ServiceOptions::auth = ingest::AuthMode::kRequired when this is true, set where `options`
  // is filled in).
  const bool non_loopback = !IsLoopbackHost(http.address);
  if (non_loopback && !http.tls) {
    if (!flags.insecure_plaintext) {
      PrintError("serve",
                 fmt::format("refusing to listen on {} without TLS: it is reachable from other "
                             "machines, and records (medical data) and credentials would cross "
                             "the network in clear text. Give --tls-cert FILE --tls-key FILE "
                             "(`tarn tls self-signed --out DIR` makes a pair for testing), "
                             "listen on 127.0.0.1, or pass --insecure-plaintext to accept the "
                             "risk.",
                             flags.listen));
      return kExitUsage;
    }
    std::fputs(fmt::format("tarn serve: warning: --insecure-plaintext: listening on {} without "
                           "TLS; records and credentials cross the network in clear text\n",
                           flags.listen)
                   .c_str(),
               stderr);
  }
  if (flags.durability != "sync" && flags.durability != "none") {
    return ReportFailure(
        "serve", InvalidArgument(fmt::format("--durability: expected sync or none, got '{}'",
                                             flags.durability)));
  }
  // Two servers on one lake would write the same logs: the second is refused.
  Result<std::unique_ptr<FileLock>> lock = LockLake(flags.lake);
  if (!lock.ok()) return ReportFailure("serve", lock.status());
  ingest::ServiceOptions options;
  options.lake_root = flags.lake;
  // Authentication (docs/security.md): open on loopback until a credential exists; mandatory
  // as soon as one does, and always when other machines can connect.
  auto keyring = std::make_shared<LazyKeyring>(flags.lake, flags.master_key_file);
  options.keyring = [keyring] { return keyring->Get(); };
  Result<std::unique_ptr<ingest::CredentialStore>> credentials =
      ingest::CredentialStore::Open(flags.lake, keyring);
  if (!credentials.ok()) return ReportFailure("serve", credentials.status());
  options.credentials = std::move(*credentials);
  options.auth = non_loopback ? ingest::AuthMode::kRequired : ingest::AuthMode::kAuto;
  Result<std::unique_ptr<ingest::AuditLog>> audit = ingest::AuditLog::Open(flags.lake);
  if (!audit.ok()) return ReportFailure("serve", audit.status());
  options.audit = std::move(*audit);
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
  sigaddset(&signals, SIGHUP);
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
  const bool v6 = http.address.find(':') != std::string::npos;
  std::fputs(fmt::format("tarn serve: listening on {}://{}{}{}:{} (lake {})\n",
                         http.tls ? "https" : "http", v6 ? "[" : "", http.address, v6 ? "]" : "",
                         (*server)->port(), flags.lake)
                 .c_str(),
             stdout);
  std::fflush(stdout);

  // SIGHUP reloads the certificate (new connections get it; open ones keep theirs) and serving
  // goes on; SIGINT and SIGTERM stop.
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    if (!http.tls) {
      std::fputs("tarn serve: SIGHUP received: nothing to reload (serving plain HTTP)\n", stderr);
      continue;
    }
    const Status reloaded = (*server)->ReloadTls();
    std::fputs((reloaded.ok()
                    ? fmt::format("tarn serve: SIGHUP received: reloaded the TLS "
                                  "certificate from {} and {} for new connections\n",
                                  flags.tls_cert, flags.tls_key)
                    : fmt::format("tarn serve: SIGHUP received: warning: {}\n", reloaded.message()))
                   .c_str(),
               stderr);
  }
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
      "buffered record before exiting. GET /health and GET /metrics (Prometheus) too.\n"
      "HTTPS with --tls-cert/--tls-key (TLS 1.2 and 1.3); SIGHUP reloads them. Listening on a\n"
      "non-loopback address needs TLS, or --insecure-plaintext. See docs/serve.md.\n\n"
      "Examples:\n"
      "  tarn serve --lake lake --streams examples/seed\n"
      "  aws firehose list-delivery-streams --endpoint-url http://127.0.0.1:4573\n"
      "  tarn send events.ndjson --stream events_json\n"
      "  tarn tls self-signed --out tls\n"
      "  tarn serve --listen 0.0.0.0:4573 --tls-cert tls/cert.pem --tls-key tls/key.pem");
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
  cmd->add_option("--tls-cert", flags->tls_cert,
                  "Serve HTTPS with this PEM certificate chain (server certificate first)");
  cmd->add_option("--tls-key", flags->tls_key, "The PEM private key of --tls-cert");
  cmd->add_option("--master-key-file", flags->master_key_file, kMasterKeyFileHelp);
  cmd->add_flag("--insecure-plaintext", flags->insecure_plaintext,
                "Allow plain HTTP on a non-loopback --listen address (records cross the network "
                "in clear text)");
  cmd->add_option("--idle-timeout-seconds", flags->idle_timeout_seconds,
                  "Close a connection that sends no request for this long")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--request-timeout-seconds", flags->request_timeout_seconds,
                  "Close a connection that takes longer to send one request (or to handshake)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--max-connections-per-client", flags->max_connections_per_client,
                  "Connections one client IP address may hold open; more are closed")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000}))
      ->capture_default_str();
  cmd->add_option("--fail-every-nth-put", flags->fail_every_nth_put,
                  "Testing: make every Nth object write fail (it is retried)")
      ->group("");
  return {cmd, [flags, cmd] { return RunServe(*flags, *cmd); }};
}

}  // namespace tarn::cli
