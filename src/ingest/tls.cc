#include "ingest/tls.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <filesystem>

namespace tarn::ingest {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites: ECDHE only (forward secrecy, no RSA key exchange), AEAD only (no CBC, so no
// SHA-1 MACs). TLS 1.3 suites are all AEAD; listed so that the set does not follow OpenSSL's
// defaults silently.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

// OpenSSL's queued errors as one line ("reason; reason"), emptying the queue.
std::string OpenSslErrors() {
  std::string out;
  while (const unsigned long error = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(error);
    if (!out.empty()) out += "; ";
    out += reason != nullptr ? reason : fmt::format("OpenSSL error {:#x}", error);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Opens `path` for reading; the errno status names what the file is for.
Result<BioPtr> OpenForReading(const std::string& path, std::string_view what) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return ErrnoStatus(errno, fmt::format("TLS {} {}", what, path));
  BioPtr bio(BIO_new_fp(file, BIO_CLOSE));
  if (bio == nullptr) {
    std::fclose(file);
    return Internal(fmt::format("TLS {} {}: {}", what, path, OpenSslErrors()));
  }
  return bio;
}

// Never prompts: an encrypted key cannot be used by a server that starts unattended.
int RefusePassphrase(char*, int, int, void*) { return 0; }

Status LoadChain(SSL_CTX* ctx, const std::string& path) {
  TARN_ASSIGN_OR_RETURN(BioPtr bio, OpenForReading(path, "certificate chain"));
  std::vector<X509Ptr> chain;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, RefusePassphrase, nullptr)) {
    chain.emplace_back(cert);
  }
  // Reading stops at the end of the file with "no start line"; anything else is damage.
  const unsigned long last = ERR_peek_last_error();
  if (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
  } else if (last != 0) {
    return InvalidArgument(
        fmt::format("TLS certificate chain {}: certificate {} is not valid PEM: {}", path,
                    chain.size() + 1, OpenSslErrors()));
  }
  if (chain.empty()) {
    return InvalidArgument(fmt::format(
        "TLS certificate chain {}: no PEM certificate in it (expected the server's certificate, "
        "then its intermediates)",
        path));
  }
  if (SSL_CTX_use_certificate(ctx, chain[0].get()) != 1) {
    return InvalidArgument(
        fmt::format("TLS certificate chain {}: the first certificate: {}", path, OpenSslErrors()));
  }
  for (size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
      return InvalidArgument(fmt::format("TLS certificate chain {}: certificate {}: {}", path,
                                         i + 1, OpenSslErrors()));
    }
  }
  return Status::Ok();
}

Status LoadKey(SSL_CTX* ctx, const TlsFiles& files) {
  TARN_ASSIGN_OR_RETURN(BioPtr bio, OpenForReading(files.private_key, "private key"));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassphrase, nullptr));
  if (key == nullptr) {
    return InvalidArgument(
        fmt::format("TLS private key {}: no unencrypted PEM private key in it: {}",
                    files.private_key, OpenSslErrors()));
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgument(
        fmt::format("TLS private key {} does not belong to the first certificate of {} ({})",
                    files.private_key, files.certificate_chain, OpenSslErrors()));
  }
  return Status::Ok();
}

Status ApplyPolicy(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return Internal("cannot set the TLS protocol versions and ciphers: " + OpenSslErrors());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 |
                               SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
  SSL_CTX_set_default_passwd_cb(ctx, RefusePassphrase);
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsFiles& files) {
  ERR_clear_error();
  std::shared_ptr<ssl::context> context;
  try {
    context = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& error) {
    return Internal(fmt::format("cannot create a TLS context: {}", error.what()));
  }
  SSL_CTX* ctx = context->native_handle();
  TARN_RETURN_IF_ERROR(ApplyPolicy(ctx));
  TARN_RETURN_IF_ERROR(LoadChain(ctx, files.certificate_chain));
  TARN_RETURN_IF_ERROR(LoadKey(ctx, files));
  return context;
}

ServerTlsContext::ServerTlsContext(TlsFiles files, std::shared_ptr<ssl::context> context)
    : files_(std::move(files)), current_(std::move(context)) {}

Result<std::unique_ptr<ServerTlsContext>> ServerTlsContext::Load(TlsFiles files) {
  TARN_ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> context, MakeServerTlsContext(files));
  return std::unique_ptr<ServerTlsContext>(
      new ServerTlsContext(std::move(files), std::move(context)));
}

std::shared_ptr<ssl::context> ServerTlsContext::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

Status ServerTlsContext::Reload() {
  Result<std::shared_ptr<ssl::context>> context = MakeServerTlsContext(files_);
  if (!context.ok()) {
    return context.status().WithContext("TLS reload failed, the previous certificate stays");
  }
  std::lock_guard lock(mu_);
  current_ = std::move(*context);
  return Status::Ok();
}

// ---- Self-signed certificates ----------------------------------------------------------------

namespace {

// "IP:addr" for an IP address, "DNS:name" for a host name; kInvalidArgument otherwise.
Result<std::string> SubjectAltName(const std::string& name) {
  boost::system::error_code error;
  const boost::asio::ip::address address = boost::asio::ip::make_address(name, error);
  if (!error) return "IP:" + address.to_string();
  const bool valid_dns =
      !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
      name.back() != '.' && name.find("..") == std::string::npos &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*") ==
          std::string::npos;
  if (!valid_dns) {
    return InvalidArgument(fmt::format(
        "--name '{}': expected a host name (letters, digits, '-', '.') or an IP address", name));
  }
  return "DNS:" + name;
}

Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
  if (extension == nullptr) {
    return Internal(fmt::format("cannot make certificate extension {} = '{}': {}", OBJ_nid2sn(nid),
                                value, OpenSslErrors()));
  }
  const int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) return Internal("cannot add a certificate extension: " + OpenSslErrors());
  return Status::Ok();
}

// Writes `pem` to `path` with `mode`, failing when the file exists.
Status WriteNewFile(const std::string& path, const std::string& pem, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status(StatusCode::kAlreadyExists,
                    fmt::format("{} already exists; remove it or choose another folder", path));
    }
    return ErrnoStatus(errno, fmt::format("cannot create {}", path));
  }
  // The umask may have taken bits away from `mode`; the key must be exactly 0600, and the
  // certificate readable by the clients that use it as their CA bundle.
  Status status;
  if (::fchmod(fd, mode) != 0) status = ErrnoStatus(errno, fmt::format("cannot chmod {}", path));
  size_t written = 0;
  while (status.ok() && written < pem.size()) {
    const ssize_t n = ::write(fd, pem.data() + written, pem.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = ErrnoStatus(errno, fmt::format("cannot write {}", path));
    if (n > 0) written += static_cast<size_t>(n);
  }
  if (status.ok() && ::fsync(fd) != 0)
    status = ErrnoStatus(errno, fmt::format("cannot sync {}", path));
  if (::close(fd) != 0 && status.ok())
    status = ErrnoStatus(errno, fmt::format("cannot close {}", path));
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

// The PEM text a writer function puts into a memory BIO.
template <typename Write>
Result<std::string> ToPem(Write write, std::string_view what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get()) != 1) {
    return Internal(fmt::format("cannot encode the {} as PEM: {}", what, OpenSslErrors()));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

Result<SelfSignedResult> MakeSelfSigned(const SelfSignedOptions& options) {
  if (options.days < 1 || options.days > 36'500) {
    return InvalidArgument(fmt::format("--days {}: expected 1 to 36500", options.days));
  }
  SelfSignedResult result;
  result.names = {"DNS:localhost", "IP:127.0.0.1", "IP:::1"};
  for (const std::string& name : options.extra_names) {
    TARN_ASSIGN_OR_RETURN(std::string alt, SubjectAltName(name));
    if (std::find(result.names.begin(), result.names.end(), alt) == result.names.end()) {
      result.names.push_back(std::move(alt));
    }
  }
  ERR_clear_error();
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) return Internal("cannot generate an EC P-256 key: " + OpenSslErrors());

  X509Ptr cert(X509_new());
  if (cert == nullptr) return Internal("cannot allocate a certificate: " + OpenSslErrors());
  X509* x = cert.get();
  // A random positive serial (RFC 5280: at most 20 octets), so that a renewed certificate is
  // told apart from the one it replaces.
  BIGNUM* serial = BN_new();
  bool ok = serial != nullptr && BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != nullptr;
  if (ok) {
    char* hex = BN_bn2hex(serial);
    ok = hex != nullptr;
    if (ok) result.serial_hex = hex;
    OPENSSL_free(hex);
  }
  BN_free(serial);
  X509_NAME* name = X509_get_subject_name(x);
  ok = ok && X509_set_version(x, 2) == 1 &&  // 2 means v3.
       X509_gmtime_adj(X509_getm_notBefore(x), -5 * 60) != nullptr &&
       X509_time_adj_ex(X509_getm_notAfter(x), options.days, 0, nullptr) != nullptr &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>("tarn"), -1, -1, 0) == 1 &&
       X509_set_issuer_name(x, name) == 1 && X509_set_pubkey(x, key.get()) == 1;
  if (!ok) return Internal("cannot fill in the certificate: " + OpenSslErrors());
  std::string alt_names;
  for (const std::string& alt : result.names) {
    if (!alt_names.empty()) alt_names += ',';
    alt_names += alt;
  }
  TARN_RETURN_IF_ERROR(AddExtension(x, NID_basic_constraints, "critical,CA:TRUE"));
  TARN_RETURN_IF_ERROR(AddExtension(x, NID_key_usage, "critical,digitalSignature,keyCertSign"));
  TARN_RETURN_IF_ERROR(AddExtension(x, NID_ext_key_usage, "serverAuth"));
  TARN_RETURN_IF_ERROR(AddExtension(x, NID_subject_key_identifier, "hash"));
  TARN_RETURN_IF_ERROR(AddExtension(x, NID_authority_key_identifier, "keyid:always"));
  TARN_RETURN_IF_ERROR(AddExtension(x, NID_subject_alt_name, alt_names));
  if (X509_sign(x, key.get(), EVP_sha256()) == 0) {
    return Internal("cannot sign the certificate: " + OpenSslErrors());
  }

  TARN_ASSIGN_OR_RETURN(std::string cert_pem,
                        ToPem([&](BIO* bio) { return PEM_write_bio_X509(bio, x); }, "certificate"));
  TARN_ASSIGN_OR_RETURN(std::string key_pem, ToPem(
                                                 [&](BIO* bio) {
                                                   return PEM_write_bio_PrivateKey(
                                                       bio, key.get(), nullptr, nullptr, 0, nullptr,
                                                       nullptr);
                                                 },
                                                 "private key"));
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    return ErrnoStatus(error.value(), fmt::format("cannot create folder {}", options.out_dir));
  }
  result.certificate_path = (std::filesystem::path(options.out_dir) / "cert.pem").string();
  result.private_key_path = (std::filesystem::path(options.out_dir) / "key.pem").string();
  // On failure neither file is left behind.
  TARN_RETURN_IF_ERROR(WriteNewFile(result.private_key_path, key_pem, 0600));
  const Status written = WriteNewFile(result.certificate_path, cert_pem, 0644);
  if (!written.ok()) {
    ::unlink(result.private_key_path.c_str());
    return written;
  }
  return result;
}

}  // namespace tarn::ingest
