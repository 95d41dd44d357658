#include "ingest/tls.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "ingest/firehose_client.h"
#include "ingest/http_server.h"

namespace tarn::ingest {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tarn_tls_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A self-signed pair in dir_/NAME.
  SelfSignedResult Make(const std::string& name, std::vector<std::string> extra = {}) {
    SelfSignedOptions options;
    options.out_dir = (dir_ / name).string();
    options.extra_names = std::move(extra);
    Result<SelfSignedResult> made = MakeSelfSigned(options);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? *made : SelfSignedResult{};
  }

  fs::path dir_;
};

std::unique_ptr<X509, decltype(&X509_free)> ReadCert(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  X509* cert = file != nullptr ? PEM_read_X509(file, nullptr, nullptr, nullptr) : nullptr;
  if (file != nullptr) std::fclose(file);
  return {cert, &X509_free};
}

int Mode(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int>(info.st_mode & 0777) : -1;
}

TEST_F(TlsTest, SelfSignedWritesKeyPrivateAndCertificateReadable) {
  const SelfSignedResult made = Make("a");
  EXPECT_EQ(Mode(made.private_key_path), 0600);
  EXPECT_EQ(Mode(made.certificate_path), 0644);
  EXPECT_EQ(made.certificate_path, (dir_ / "a" / "cert.pem").string());
}

TEST_F(TlsTest, SelfSignedCertificateNamesLoopbackAndExtraNames) {
  const auto cert = ReadCert(Make("a", {"tarn.example", "10.1.2.3"}).certificate_path);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "tarn.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "other.example", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.1.2.3", 0), 1);
}

TEST_F(TlsTest, SelfSignedCertificateIsAV3CaValidForTheDaysAsked) {
  const auto cert = ReadCert(Make("a").certificate_path);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_get_version(cert.get()), 2);  // v3
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                           X509_get0_notAfter(cert.get())),
            1);
  EXPECT_EQ(days, 365);
}

TEST_F(TlsTest, SelfSignedSerialsDiffer) { EXPECT_NE(Make("a").serial_hex, Make("b").serial_hex); }

TEST_F(TlsTest, SelfSignedRefusesToOverwrite) {
  Make("a");
  SelfSignedOptions options;
  options.out_dir = (dir_ / "a").string();
  Result<SelfSignedResult> again = MakeSelfSigned(options);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("key.pem already exists"), std::string::npos);
}

TEST_F(TlsTest, SelfSignedRejectsABadNameAndDays) {
  SelfSignedOptions options;
  options.out_dir = (dir_ / "a").string();
  options.extra_names = {"bad name/x"};
  EXPECT_NE(MakeSelfSigned(options).status().message().find("'bad name/x'"), std::string::npos);
  options.extra_names.clear();
  options.days = 0;
  EXPECT_EQ(MakeSelfSigned(options).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir_ / "a" / "key.pem"));
}

TEST_F(TlsTest, ContextAllowsOnlyTls12And13WithoutCompressionOrRenegotiation) {
  const SelfSignedResult made = Make("a");
  auto context = MakeServerTlsContext({made.certificate_path, made.private_key_path});
  ASSERT_TRUE(context.ok()) << context.status().ToString();
  SSL_CTX* ctx = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  const uint64_t options = SSL_CTX_get_options(ctx);
  EXPECT_NE(options & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(options & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_NE(options & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
}

TEST_F(TlsTest, ContextOffersOnlyEcdheAeadCiphers) {
  const SelfSignedResult made = Make("a");
  auto context = MakeServerTlsContext({made.certificate_path, made.private_key_path});
  ASSERT_TRUE(context.ok());
  SSL* ssl = SSL_new((*context)->native_handle());
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl);
  ASSERT_GT(sk_SSL_CIPHER_num(ciphers), 0);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    const int kx = SSL_CIPHER_get_kx_nid(cipher);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_any) << SSL_CIPHER_get_name(cipher);
    EXPECT_TRUE(SSL_CIPHER_is_aead(cipher)) << SSL_CIPHER_get_name(cipher);
  }
  SSL_free(ssl);
}

TEST_F(TlsTest, KeyOfAnotherCertificateIsRefusedNamingBothFiles) {
  const SelfSignedResult a = Make("a");
  const SelfSignedResult b = Make("b");
  auto context = MakeServerTlsContext({a.certificate_path, b.private_key_path});
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(context.status().message().find(a.certificate_path), std::string::npos);
  EXPECT_NE(context.status().message().find(b.private_key_path), std::string::npos);
}

TEST_F(TlsTest, MissingOrEmptyFilesAreNamed) {
  const SelfSignedResult a = Make("a");
  const std::string missing = (dir_ / "missing.pem").string();
  auto context = MakeServerTlsContext({missing, a.private_key_path});
  EXPECT_EQ(context.status().code(), StatusCode::kNotFound);
  EXPECT_NE(context.status().message().find(missing), std::string::npos);
  std::ofstream(dir_ / "empty.pem") << "not a certificate\n";
  context = MakeServerTlsContext({(dir_ / "empty.pem").string(), a.private_key_path});
  EXPECT_NE(context.status().message().find("no PEM certificate"), std::string::npos);
}

TEST_F(TlsTest, CertificateChainKeepsIntermediatesAfterTheLeaf) {
  const SelfSignedResult a = Make("a");
  const SelfSignedResult b = Make("b");
  const std::string chain = (dir_ / "chain.pem").string();
  std::ofstream(chain) << std::ifstream(a.certificate_path).rdbuf()
                       << std::ifstream(b.certificate_path).rdbuf();
  auto context = MakeServerTlsContext({chain, a.private_key_path});
  ASSERT_TRUE(context.ok()) << context.status().ToString();
  STACK_OF(X509)* extra = nullptr;
  ASSERT_EQ(SSL_CTX_get0_chain_certs((*context)->native_handle(), &extra), 1);
  EXPECT_EQ(sk_X509_num(extra), 1);
}

TEST_F(TlsTest, ReloadSwapsTheContextAndAFailedReloadKeepsTheOld) {
  const SelfSignedResult a = Make("a");
  auto tls = ServerTlsContext::Load({a.certificate_path, a.private_key_path});
  ASSERT_TRUE(tls.ok());
  const auto first = (*tls)->Current();
  ASSERT_TRUE((*tls)->Reload().ok());
  const auto second = (*tls)->Current();
  EXPECT_NE(first, second);
  fs::remove(a.private_key_path);
  const Status failed = (*tls)->Reload();
  EXPECT_EQ(failed.code(), StatusCode::kNotFound);
  EXPECT_NE(failed.message().find("previous certificate stays"), std::string::npos);
  EXPECT_EQ((*tls)->Current(), second);
}

// ---- HttpServer over TLS, and its request limits --------------------------------------------

HttpHandler EchoMethod() {
  return [](HttpRequest request, Responder respond) {
    HttpResponse response;
    response.body = request.method;
    respond(std::move(response));
  };
}

// One HTTPS GET with a client limited to `max_version`; the answer's body, or the error.
std::string HttpsGet(uint16_t port, const std::string& ca, int max_version) {
  asio::io_context ioc;
  asio::ssl::context context(asio::ssl::context::tls_client);
  // The client offers old versions too, so that only the server can refuse them.
  SSL_CTX_set_cipher_list(context.native_handle(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(context.native_handle(), max_version);
  context.load_verify_file(ca);
  context.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<tcp::socket> stream(ioc, context);
  beast::error_code error;
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, error);
  if (!error) stream.handshake(asio::ssl::stream_base::client, error);
  if (error) return "error: " + error.message();
  http::request<http::empty_body> request(http::verb::get, "/", 11);
  request.set(http::field::host, "localhost");
  http::write(stream, request, error);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!error) http::read(stream, buffer, response, error);
  return error ? "error: " + error.message() : response.body();
}

TEST_F(TlsTest, ServerAnswersTls12And13AndRefusesTls11) {
  const SelfSignedResult a = Make("a");
  HttpServerOptions options;
  options.port = 0;
  options.tls = TlsFiles{a.certificate_path, a.private_key_path};
  auto server = HttpServer::Start(options, EchoMethod());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_TRUE((*server)->tls());
  EXPECT_EQ(HttpsGet((*server)->port(), a.certificate_path, TLS1_3_VERSION), "GET");
  EXPECT_EQ(HttpsGet((*server)->port(), a.certificate_path, TLS1_2_VERSION), "GET");
  EXPECT_NE(HttpsGet((*server)->port(), a.certificate_path, TLS1_1_VERSION)
                .find("alert protocol version"),
            std::string::npos);
}

TEST_F(TlsTest, ServerReloadKeepsServingWithTheNewCertificate) {
  const SelfSignedResult a = Make("a");
  const SelfSignedResult b = Make("b");
  HttpServerOptions options;
  options.port = 0;
  options.tls = TlsFiles{a.certificate_path, a.private_key_path};
  auto server = HttpServer::Start(options, EchoMethod());
  ASSERT_TRUE(server.ok());
  fs::copy_file(b.certificate_path, a.certificate_path, fs::copy_options::overwrite_existing);
  fs::copy_file(b.private_key_path, a.private_key_path, fs::copy_options::overwrite_existing);
  ASSERT_TRUE((*server)->ReloadTls().ok());
  // Only b's certificate is trusted now (the file a.certificate_path holds it).
  EXPECT_EQ(HttpsGet((*server)->port(), b.certificate_path, TLS1_3_VERSION), "GET");
}

TEST_F(TlsTest, ClientVerifiesTheServerAgainstItsCaFileAndDoesNotRetryAFailure) {
  const SelfSignedResult a = Make("a");
  HttpServerOptions options;
  options.port = 0;
  options.tls = TlsFiles{a.certificate_path, a.private_key_path};
  auto server = HttpServer::Start(options, EchoMethod());
  ASSERT_TRUE(server.ok());
  const std::string endpoint = fmt::format("https://127.0.0.1:{}", (*server)->port());
  FirehoseClientOptions trusting;
  trusting.ca_file = a.certificate_path;
  auto client = FirehoseClient::Make(endpoint, trusting);
  ASSERT_TRUE(client.ok());
  auto answer = (*client)->Call("ListDeliveryStreams", "{}");
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->body, "POST");

  auto stranger = FirehoseClient::Make(endpoint);  // The system's CAs only.
  ASSERT_TRUE(stranger.ok());
  const Status refused = (*stranger)->Call("ListDeliveryStreams", "{}").status();
  EXPECT_EQ(refused.code(), StatusCode::kUnauthenticated);  // Not kUnavailable: no retry.
  EXPECT_NE(refused.message().find("cannot verify the TLS certificate of " + endpoint),
            std::string::npos)
      << refused.message();
}

TEST_F(TlsTest, ClientCaFileMustBeReadableAndForHttps) {
  FirehoseClientOptions options;
  options.ca_file = (dir_ / "missing.pem").string();
  EXPECT_NE(FirehoseClient::Make("https://127.0.0.1:1", options)
                .status()
                .message()
                .find("missing.pem: cannot read it"),
            std::string::npos);
  const SelfSignedResult a = Make("a");
  options.ca_file = a.certificate_path;
  EXPECT_EQ(FirehoseClient::Make("http://127.0.0.1:1", options).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(HttpServerTest, ReloadTlsOfAPlainServerIsAnError) {
  HttpServerOptions options;
  options.port = 0;
  auto server = HttpServer::Start(options, EchoMethod());
  ASSERT_TRUE(server.ok());
  EXPECT_EQ((*server)->ReloadTls().code(), StatusCode::kInvalidArgument);
}

// Whether the server closes `socket` (a read ends) within `seconds`.
bool ClosedWithin(tcp::socket& socket, int seconds) {
  timeval timeout{seconds, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

TEST(HttpServerTest, ConnectionsPastThePerClientLimitAreClosedAndLogged) {
  HttpServerOptions options;
  options.port = 0;
  options.max_connections_per_client = 2;
  std::mutex mu;
  std::string logged;
  options.log = [&](std::string_view line) {
    std::lock_guard lock(mu);
    logged += line;
  };
  auto server = HttpServer::Start(options, EchoMethod());
  ASSERT_TRUE(server.ok());
  asio::io_context ioc;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), (*server)->port());
  std::vector<tcp::socket> sockets;
  for (int i = 0; i < 3; ++i) sockets.emplace_back(ioc).connect(endpoint);
  EXPECT_TRUE(ClosedWithin(sockets[2], 5));
  EXPECT_FALSE(ClosedWithin(sockets[0], 1));
  std::lock_guard lock(mu);
  EXPECT_NE(logged.find("from 127.0.0.1"), std::string::npos) << logged;
}

TEST(HttpServerTest, SlowRequestIsClosedByTheDeadline) {
  HttpServerOptions options;
  options.port = 0;
  options.request_timeout_seconds = 1;
  auto server = HttpServer::Start(options, EchoMethod());
  ASSERT_TRUE(server.ok());
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), (*server)->port()});
  asio::write(socket, asio::buffer(std::string_view("POST / HTTP/1.1\r\nHost: x\r\n")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ClosedWithin(socket, 5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(TlsTest, ClientThatNeverHandshakesIsClosedByTheDeadline) {
  const SelfSignedResult a = Make("a");
  HttpServerOptions options;
  options.port = 0;
  options.request_timeout_seconds = 1;
  options.tls = TlsFiles{a.certificate_path, a.private_key_path};
  auto server = HttpServer::Start(options, EchoMethod());
  ASSERT_TRUE(server.ok());
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), (*server)->port()});
  EXPECT_TRUE(ClosedWithin(socket, 5));
}

TEST(HttpParseTest, PipelinedRequestsAreParsedInOrder) {
  const HttpParseResult parsed = ParseHttpRequests(
      "POST /a HTTP/1.1\r\nContent-Length: 2\r\nX-Amz-Target: T\r\n\r\nhiGET /b HTTP/1.1\r\n\r\n",
      {});
  ASSERT_EQ(parsed.requests.size(), 2u);
  EXPECT_EQ(parsed.requests[0].body, "hi");
  EXPECT_EQ(parsed.requests[0].Header("x-amz-target"), "T");
  EXPECT_EQ(parsed.requests[1].target, "/b");
  EXPECT_FALSE(parsed.refused || parsed.incomplete);
}

TEST(HttpParseTest, ChunkedBodyIsJoined) {
  const HttpParseResult parsed = ParseHttpRequests(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", {});
  ASSERT_EQ(parsed.requests.size(), 1u);
  EXPECT_EQ(parsed.requests[0].body, "abcde");
}

TEST(HttpParseTest, LimitsGiveTheServersAnswers) {
  HttpServerOptions options;
  options.max_body_bytes = 10;
  options.max_header_bytes = 64;
  EXPECT_EQ(
      ParseHttpRequests("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", options).error_status,
      413);
  EXPECT_EQ(ParseHttpRequests("GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n", options)
                .error_status,
            431);
  EXPECT_EQ(ParseHttpRequests("GET / HTTP/1.1\r\nBad Header\r\n\r\n", options).error_status, 400);
  EXPECT_TRUE(
      ParseHttpRequests("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", options).incomplete);
}

}  // namespace
}  // namespace tarn::ingest
