// HttpServer: the HTTP/1.1 server under `tarn serve` (Boost.Beast over Asio). Keep-alive, many
// concurrent connections on a few threads, limits checked before work is done (header and body
// size, connection count), an idle timeout between requests and a deadline for reading one
// request (so a slow client cannot hold a connection), and a graceful stop that finishes the
// requests in flight. Handlers answer asynchronously: they get a Responder to call once, from
// any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

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
  int idle_timeout_seconds = 60;     // Between requests on a kept-alive connection.
  int request_timeout_seconds = 30;  // To read one whole request.
  size_t max_connections = 1024;
  int threads = 2;
};

class HttpServer {
 public:
  // Binds and starts serving. kUnavailable naming the address when it cannot bind.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler);
  ~HttpServer();

  uint16_t port() const;
  // Stops accepting, lets requests in flight finish (up to `grace_seconds`), closes every
  // connection and joins the threads. Idempotent.
  void Stop(int grace_seconds = 30);

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
