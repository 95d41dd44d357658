#include "ingest/http_server.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

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

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpHandler handler)
      : options_(options),
        handler_(std::move(handler)),
        ioc_(options.threads),
        acceptor_(asio::make_strand(ioc_)) {}

  Status Listen();
  void Run();
  void Stop(int grace_seconds);
  uint16_t port() const { return port_; }

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
  void ConnectionClosed() { connections_.fetch_sub(1); }

 private:
  void Accept();

  HttpServerOptions options_;
  HttpHandler handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<size_t> connections_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable idle_;
  bool stopped_ = false;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ignored;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ignored);
    remote_ = fmt::format("{}:{}", remote.address().to_string(), remote.port());
  }
  ~Session() { server_->ConnectionClosed(); }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    if (server_->stopping()) return Close();
    parser_.emplace();
    parser_->body_limit(server_->options().max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_->options().max_header_bytes));
    // The idle timeout covers the wait for a request to begin; once bytes arrive, the whole
    // request must come within the request timeout.
    stream_.expires_after(std::chrono::seconds(server_->options().idle_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code error, size_t) {
    if (error) return OnReadError(error);
    stream_.expires_after(std::chrono::seconds(server_->options().request_timeout_seconds));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code error) {
    if (error == http::error::body_limit) {
      return SendError(413, "request body too large");
    }
    if (error == http::error::header_limit) {
      return SendError(431, "request header too large");
    }
    if (error == http::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::operation_aborted || error == asio::error::eof ||
        error == asio::error::connection_reset) {
      return Close();
    }
    if (std::string_view(error.category().name()) == "beast.http") {
      return SendError(400, fmt::format("malformed HTTP request: {}", error.message()));
    }
    Close();
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
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote = remote_;
    stream_.expires_never();
    server_->RequestStarted();
    auto self = shared_from_this();
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
    stream_.expires_after(std::chrono::seconds(server_->options().request_timeout_seconds));
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code error, size_t) {
                        self->server_->RequestFinished();
                        if (error || !message->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = true;
};

}  // namespace

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
  acceptor_.async_accept(
      asio::make_strand(ioc_), [this](beast::error_code error, tcp::socket socket) {
        if (error) {
          if (error == asio::error::operation_aborted || !acceptor_.is_open()) return;
        } else if (connections_.load() >= options_.max_connections) {
          beast::error_code ignored;
          socket.close(ignored);  // Over the limit: refuse rather than queue without bound.
        } else {
          connections_.fetch_add(1);
          beast::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          std::make_shared<Session>(std::move(socket), this)->Start();
        }
        if (!stopping_) Accept();
      });
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
  TARN_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop(int grace_seconds) { impl_->Stop(grace_seconds); }

}  // namespace tarn::ingest
