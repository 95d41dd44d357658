#include "ingest/http_server.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

namespace tarn::ingest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

namespace {

using RequestMessage = http::request<http::string_body>;
using RequestParser = http::request_parser<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The one place the server's request limits reach the parser.
void ConfigureRequestParser(RequestParser& parser, const HttpServerOptions& options) {
  parser.body_limit(options.max_body_bytes);
  parser.header_limit(
      static_cast<uint32_t>(std::min<size_t>(options.max_header_bytes, UINT32_MAX)));
}

HttpRequest ToHttpRequest(RequestMessage&& message, std::string remote) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote = std::move(remote);
  return request;
}

// How the server answers a failure to read a request: an HTTP status and message, or status 0
// to close the connection without answering (the client left, was too slow, or is not speaking
// HTTP at all).
struct ReadFailure {
  int status = 0;
  std::string message;
};

ReadFailure ClassifyReadError(beast::error_code error) {
  if (error == http::error::body_limit) return {413, "request body too large"};
  if (error == http::error::header_limit) return {431, "request header too large"};
  if (error == http::error::end_of_stream || error == beast::error::timeout ||
      error == asio::error::operation_aborted || error == asio::error::eof ||
      error == asio::error::connection_reset || error == asio::ssl::error::stream_truncated) {
    return {};
  }
  if (std::string_view(error.category().name()) == "beast.http") {
    return {400, fmt::format("malformed HTTP request: {}", error.message())};
  }
  return {};
}

}  // namespace

HttpParseResult ParseHttpRequests(std::string_view bytes, const HttpServerOptions& options) {
  HttpParseResult result;
  asio::const_buffer rest(bytes.data(), bytes.size());
  while (rest.size() > 0) {
    RequestParser parser;
    ConfigureRequestParser(parser, options);
    parser.eager(true);
    while (!parser.is_done()) {
      beast::error_code error;
      const size_t used = rest.size() > 0 ? parser.put(rest, error) : 0;
      rest += used;
      if (error == http::error::need_more) {
        if (used > 0) continue;
        error = {};
      }
      if (error) {
        const ReadFailure failure = ClassifyReadError(error);
        result.refused = true;
        result.error_status = failure.status;
        result.error = failure.status != 0 ? failure.message : error.message();
        return result;
      }
      if (used == 0 && !parser.is_done()) {
        result.incomplete = true;
        return result;
      }
    }
    RequestMessage message = parser.release();
    const bool keep_alive = message.keep_alive();
    result.requests.push_back(ToHttpRequest(std::move(message), ""));
    if (!keep_alive) break;  // The server answers and closes; it reads no further.
  }
  return result;
}

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpHandler handler)
      : options_(options),
        handler_(std::move(handler)),
        ioc_(options.threads),
        acceptor_(asio::make_strand(ioc_)) {
    if (!options_.log) {
      options_.log = [](std::string_view line) {
        std::fputs(fmt::format("{}\n", line).c_str(), stderr);
      };
    }
  }

  Status LoadTls();
  Status Listen();
  void Run();
  void Stop(int grace_seconds);
  uint16_t port() const { return port_; }
  ServerTlsContext* tls() const { return tls_.get(); }

  // Book-keeping shared with sessions.
  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  void RequestStarted() { in_flight_.fetch_add(1); }
  void RequestFinished() {
    if (in_flight_.fetch_sub(1) == 1) {
      std::lock_guard lock(mu_);
      idle_.notify_all();
    }
  }
  bool stopping() const { return stopping_.load(); }
  void ConnectionClosed(const std::string& client);

 private:
  // Connections open from one client address, and refusals not yet logged.
  struct ClientSlots {
    size_t open = 0;
    size_t refused = 0;
    std::chrono::steady_clock::time_point last_log{};
  };

  void Accept();
  void Admit(tcp::socket socket);
  bool TakeClientSlot(const std::string& client);

  HttpServerOptions options_;
  HttpHandler handler_;
  std::unique_ptr<ServerTlsContext> tls_;
  // Sessions still queued in ioc_ are destroyed with it and report to these, so they are
  // declared (constructed) before it and outlive it.
  std::atomic<size_t> connections_{0};
  std::mutex clients_mu_;
  std::unordered_map<std::string, ClientSlots> clients_;  // Guarded by clients_mu_.
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable idle_;
  bool stopped_ = false;  // Guarded by mu_.
};

namespace {

// One connection: optionally a TLS handshake, then requests one after another. `Stream` is
// beast::tcp_stream (plain HTTP) or TlsStream; both have a tcp_stream as their lowest layer,
// which carries the deadlines.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  static constexpr size_t kFirstReadBytes = 4096;

 public:
  // `context` is the TLS context for this connection (null for plain HTTP); the session keeps
  // it alive, so a reload does not touch connections already open.
  Session(tcp::socket socket, HttpServer::Impl* server, std::string client,
          std::shared_ptr<asio::ssl::context> context)
      : context_(std::move(context)),
        stream_(MakeStream(std::move(socket), context_.get())),
        server_(server),
        client_(std::move(client)) {
    beast::error_code ignored;
    const tcp::endpoint remote = Lowest().socket().remote_endpoint(ignored);
    remote_ = fmt::format("{}:{}", remote.address().to_string(), remote.port());
  }
  ~Session() { server_->ConnectionClosed(client_); }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->Read();
      }
    });
  }

 private:
  static Stream MakeStream(tcp::socket socket, asio::ssl::context* context) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *context);
    } else {
      (void)context;
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  std::shared_ptr<Session> Self() { return this->shared_from_this(); }

  // The handshake has the same deadline as a request, so a client that connects and never
  // handshakes (or handshakes a byte at a time) is dropped.
  void Handshake() {
    Lowest().expires_after(std::chrono::seconds(server_->options().request_timeout_seconds));
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = Self()](beast::error_code error) {
                              // Plain HTTP sent to the TLS port, an old protocol version, an
                              // unknown CA on the client's side: nothing to answer.
                              if (error) return self->Close();
                              self->handshake_done_ = true;
                              self->Read();
                            });
  }

  void Read() {
    if (server_->stopping()) return Finish();
    parser_.emplace();
    ConfigureRequestParser(*parser_, server_->options());
    if (buffer_.size() > 0) return ReadRequest();  // A pipelined request has begun already.
    // The idle timeout covers the wait for a request to begin; once bytes arrive, the whole
    // request must come within the request timeout.
    Lowest().expires_after(std::chrono::seconds(server_->options().idle_timeout_seconds));
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = Self()](beast::error_code error, size_t bytes) {
                              self->buffer_.commit(bytes);
                              if (error) return self->OnReadError(error);
                              self->ReadRequest();
                            });
  }

  void ReadRequest() {
    Lowest().expires_after(std::chrono::seconds(server_->options().request_timeout_seconds));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, Self()));
  }

  void OnReadError(beast::error_code error) {
    const ReadFailure failure = ClassifyReadError(error);
    if (failure.status == 0) return Close();
    SendError(failure.status, failure.message);
  }

  void SendError(int status, std::string message) {
    HttpResponse response;
    response.status = status;
    response.content_type = "application/json";
    response.body =
        fmt::format("{{\"__type\":\"InvalidArgumentException\",\"message\":\"{}\"}}", message);
    keep_alive_ = false;
    server_->RequestStarted();
    Write(std::move(response));
  }

  void OnRead(beast::error_code error, size_t) {
    if (error) return OnReadError(error);
    RequestMessage message = parser_->release();
    keep_alive_ = message.keep_alive();
    HttpRequest request = ToHttpRequest(std::move(message), remote_);
    Lowest().expires_never();
    server_->RequestStarted();
    auto self = Self();
    // The handler may answer from another thread; the write goes back to this connection's
    // strand.
    server_->handler()(std::move(request), [self](HttpResponse response) {
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
  }

  void Write(HttpResponse response) {
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    message->set(http::field::server, "tarn");
    message->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_ && !server_->stopping());
    message->prepare_payload();
    Lowest().expires_after(std::chrono::seconds(server_->options().request_timeout_seconds));
    http::async_write(stream_, *message, [self = Self(), message](beast::error_code error, size_t) {
      self->server_->RequestFinished();
      if (error) return self->Close();
      if (!message->keep_alive()) return self->Finish();
      self->Read();
    });
  }

  // Ends the connection politely: over TLS with a close_notify (bounded by a short deadline),
  // so that clients reading to the end of the stream see a clean end.
  void Finish() {
    if constexpr (kTls) {
      if (handshake_done_) {
        Lowest().expires_after(std::chrono::seconds(
            std::max(1, std::min(5, server_->options().request_timeout_seconds))));
        stream_.async_shutdown([self = Self()](beast::error_code) { self->Close(); });
        return;
      }
    }
    Close();
  }

  void Close() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().socket().close(ignored);
  }

  std::shared_ptr<asio::ssl::context> context_;  // Before stream_, which refers to it.
  Stream stream_;
  HttpServer::Impl* server_;
  const std::string client_;  // The client's IP address, for the per-client limit.
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::string remote_;
  bool keep_alive_ = true;
  bool handshake_done_ = false;
};

}  // namespace

Status HttpServer::Impl::LoadTls() {
  if (!options_.tls) return Status::Ok();
  TARN_ASSIGN_OR_RETURN(tls_, ServerTlsContext::Load(*options_.tls));
  return Status::Ok();
}

bool HttpServer::Impl::TakeClientSlot(const std::string& client) {
  size_t refused = 0;
  {
    std::lock_guard lock(clients_mu_);
    ClientSlots& slots = clients_[client];
    if (slots.open < options_.max_connections_per_client) {
      ++slots.open;
      return true;
    }
    ++slots.refused;
    const auto now = std::chrono::steady_clock::now();
    if (now - slots.last_log < std::chrono::seconds(10)) return false;
    slots.last_log = now;
    refused = std::exchange(slots.refused, 0);
  }
  options_.log(fmt::format(
      "refused {} connection(s) from {}: it has {} open, the most one client address may have "
      "(max_connections_per_client)",
      refused, client, options_.max_connections_per_client));
  return false;
}

void HttpServer::Impl::ConnectionClosed(const std::string& client) {
  connections_.fetch_sub(1);
  std::lock_guard lock(clients_mu_);
  const auto it = clients_.find(client);
  if (it != clients_.end() && --it->second.open == 0) clients_.erase(it);
}

Status HttpServer::Impl::Listen() {
  beast::error_code error;
  const asio::ip::address address = asio::ip::make_address(options_.address, error);
  if (error) {
    return InvalidArgument(fmt::format("--listen: '{}' is not an IP address", options_.address));
  }
  const tcp::endpoint endpoint(address, options_.port);
  const auto fail = [&](std::string_view what) {
    return Status(
        StatusCode::kUnavailable,
        fmt::format("cannot {} {}:{}: {}", what, options_.address, options_.port, error.message()));
  };
  acceptor_.open(endpoint.protocol(), error);
  if (error) return fail("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  acceptor_.bind(endpoint, error);
  if (error) return fail("listen on");
  acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) return fail("listen on");
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [this](beast::error_code error, tcp::socket socket) {
                           if (error) {
                             if (error == asio::error::operation_aborted || !acceptor_.is_open()) {
                               return;
                             }
                           } else {
                             Admit(std::move(socket));
                           }
                           if (!stopping_) Accept();
                         });
}

void HttpServer::Impl::Admit(tcp::socket socket) {
  beast::error_code ignored;
  beast::error_code error;
  const tcp::endpoint remote = socket.remote_endpoint(error);
  // Over a limit: refuse rather than queue without bound. (An error: the client is gone.)
  if (error || connections_.load() >= options_.max_connections ||
      !TakeClientSlot(remote.address().to_string())) {
    socket.close(ignored);
    return;
  }
  std::string client = remote.address().to_string();
  connections_.fetch_add(1);
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls_ != nullptr) {
    std::make_shared<Session<TlsStream>>(std::move(socket), this, std::move(client),
                                         tls_->Current())
        ->Start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(std::move(socket), this, std::move(client),
                                                 nullptr)
        ->Start();
  }
}

void HttpServer::Impl::Run() {
  Accept();
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
}

void HttpServer::Impl::Stop(int grace_seconds) {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stopping_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  {
    std::unique_lock lock(mu_);
    idle_.wait_for(lock, std::chrono::seconds(grace_seconds),
                   [this] { return in_flight_.load() == 0; });
  }
  ioc_.stop();
  for (std::thread& thread : threads_) thread.join();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  TARN_RETURN_IF_ERROR(impl->LoadTls());
  TARN_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port(); }
bool HttpServer::tls() const { return impl_->tls() != nullptr; }

Status HttpServer::ReloadTls() {
  if (impl_->tls() == nullptr) {
    return InvalidArgument("this server speaks plain HTTP; there is no TLS certificate to reload");
  }
  return impl_->tls()->Reload();
}
void HttpServer::Stop(int grace_seconds) { impl_->Stop(grace_seconds); }

}  // namespace tarn::ingest
