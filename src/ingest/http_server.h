// HttpServer: the HTTP/1.1 server under `tarn serve` (Boost.Beast over Asio), plain or over TLS
// (ingest/tls.h). Keep-alive, many concurrent connections on a few threads, limits checked
// before work is done (header and body size, connections in all and per client address), an
// idle timeout before each request and a deadline for the TLS handshake and for reading one
// whole request (so a slow client cannot hold a connection), and a graceful stop that finishes
// the requests in flight. Handlers answer asynchronously: they get a Responder to call once,
// from any thread.
//
// Thread-safety: Start(), port(), Stop() from one owning thread; ReloadTls() from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "ingest/tls.h"

namespace tarn::ingest {

struct HttpRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;
  std::string remote;  // "address:port" of the client.

  // The first header of that (lower-case) name, or "".
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/x-amz-json-1.1";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Responder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest, Responder)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 4573;             // 0: any free port.
  size_t max_body_bytes = 8 << 20;  // A PutRecordBatch body is at most ~5.6 MB (4 MiB base64).
  size_t max_header_bytes = 16 << 10;
  // For a request's first byte (after the TLS handshake, or after the previous answer).
  int idle_timeout_seconds = 60;
  // For the TLS handshake, and from a request's first byte to its last (slow clients).
  int request_timeout_seconds = 30;
  size_t max_connections = 1024;
  // Per client IP address; a connection past it is closed when accepted, with a log line.
  size_t max_connections_per_client = 64;
  int threads = 2;
  // HTTPS with these files when set (see ServerTlsContext); plain HTTP otherwise.
  std::optional<TlsFiles> tls;
  // Where refused connections are reported, one line each (at most one line per client address
  // every 10 s). Unset: standard error.
  std::function<void(std::string_view)> log;
};

// What the server makes of the bytes one connection sends, without the network: the same parser
// settings (ConfigureRequestParser in http_server.cc) and the same conversion to HttpRequest as
// a live connection, for tests and fuzzing.
struct HttpParseResult {
  std::vector<HttpRequest> requests;  // Complete requests, in order; `remote` is empty.
  // When the bytes after those requests are refused: the status the server answers (400, 413,
  // 431) with `error` as its message, or 0 when it would close the connection silently.
  bool refused = false;
  int error_status = 0;
  std::string error;
  bool incomplete = false;  // The bytes end inside a request: the server would wait for more.
};
HttpParseResult ParseHttpRequests(std::string_view bytes, const HttpServerOptions& options);

class HttpServer {
 public:
  // Loads the TLS files when options.tls is set (failing as ServerTlsContext::Load does), binds
  // and starts serving. kUnavailable naming the address when it cannot bind.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler);
  ~HttpServer();

  uint16_t port() const;
  bool tls() const;

  // Reads the TLS files again and uses them for new connections; connections already open keep
  // their certificate. On failure the old certificate stays and the status says why;
  // kInvalidArgument when the server does not serve TLS.
  Status ReloadTls();

  // Stops accepting, lets requests in flight finish (up to `grace_seconds`), closes every
  // connection and joins the threads. Idempotent.
  void Stop(int grace_seconds = 30);

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
