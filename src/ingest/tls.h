// TLS for `tarn serve`: the server's OpenSSL context (through Asio), reloadable from its files,
// and a self-signed certificate maker for local use. docs/serve.md ("TLS") describes the policy.
//
// Policy of every context made here: TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key exchange
// with AES-GCM or ChaCha20-Poly1305 (no RSA key exchange, no CBC, no SHA-1 MACs); no
// compression, no renegotiation, the server's cipher order wins.
//
// Thread-safety: ServerTlsContext::Current() and Reload() may be called from any thread at once;
// a context returned by Current() stays valid (and unchanged) for as long as the caller holds it,
// so connections in flight keep theirs when a reload swaps in a new one. MakeSelfSigned() and
// MakeServerTlsContext() share nothing.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace tarn::ingest {

struct TlsFiles {
  // PEM: the server's certificate first, then the intermediates that lead to the trusted root.
  std::string certificate_chain;
  // PEM, unencrypted (an encrypted key is refused rather than prompting for a pass phrase).
  std::string private_key;
};

// A new server context from `files` with the policy above. kNotFound / kPermissionDenied when a
// file cannot be read, kInvalidArgument when it holds no certificate or key, or when the key does
// not belong to the first certificate; every message names the file(s) and OpenSSL's reason.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files);

// The context a server hands to new connections, rebuilt from the same files on Reload().
class ServerTlsContext {
 public:
  // Loads `files` (MakeServerTlsContext); fails as it does.
  static Result<std::unique_ptr<ServerTlsContext>> Load(TlsFiles files);

  // The context for a new connection; never null.
  std::shared_ptr<boost::asio::ssl::context> Current() const;

  // Builds a new context from the files (which may have been replaced since) and makes it the
  // current one. On failure the current context stays and the error says why (as Load()).
  Status Reload();

  const TlsFiles& files() const { return files_; }

 private:
  ServerTlsContext(TlsFiles files, std::shared_ptr<boost::asio::ssl::context> context);

  const TlsFiles files_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // Guarded by mu_.
};

struct SelfSignedOptions {
  std::string out_dir;  // Created when missing; cert.pem and key.pem must not exist in it yet.
  // Names besides localhost, 127.0.0.1 and ::1: host names, or IPv4/IPv6 addresses.
  std::vector<std::string> extra_names;
  int days = 365;  // Validity from now (backdated five minutes for clock skew); 1 to 36,500.
};

struct SelfSignedResult {
  std::string certificate_path;    // out_dir/cert.pem, mode 0644.
  std::string private_key_path;    // out_dir/key.pem, mode 0600.
  std::string serial_hex;          // The certificate's serial number, upper-case hex.
  std::vector<std::string> names;  // Every subjectAltName, e.g. "DNS:localhost", "IP:::1".
};

// Makes an EC P-256 key and a self-signed X.509 v3 certificate for it: subject CN=tarn, a random
// 127-bit serial, subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1 and `extra_names`,
// basicConstraints CA:TRUE (so cert.pem also serves as the clients' CA bundle), keyUsage
// digitalSignature and keyCertSign, extendedKeyUsage serverAuth, SHA-256 signature. Writes them as
// PEM. kInvalidArgument for a bad name or day count, kAlreadyExists when a file is already there
// (nothing is overwritten), an errno status naming the path when writing fails (nothing is left
// half-written).
Result<SelfSignedResult> MakeSelfSigned(const SelfSignedOptions& options);

}  // namespace tarn::ingest
