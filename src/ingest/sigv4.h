// AWS Signature Version 4 (docs/security.md, "Authentication"): parsing the Authorization
// header of a request, verifying its signature the way AWS does, and signing requests (for
// tests and clients).
//
// Verification rebuilds the canonical request (method, canonical URI, canonical query string,
// canonical headers of the signed headers, the signed header list, the hex SHA-256 of the body),
// the string to sign (algorithm, x-amz-date, credential scope, hash of the canonical request) and
// the signing key (HMAC-SHA256 chain over date, region, service and "aws4_request"), and
// compares signatures in constant time. It also requires `host` and `x-amz-date` among the signed
// headers, x-amz-date within 15 minutes of the caller's clock, the credential scope's date equal
// to x-amz-date's, the service "firehose" (SigV4Limits::service), and an x-amz-content-sha256
// header, when sent, equal to the body's hash.
//
// Failures are AuthErrors carrying the AWS error type and message that AWS's JSON 1.1 services
// answer with, so they can be sent to clients as they are. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/http_server.h"

namespace tarn::ingest {

enum class AuthErrorType {
  kMissingAuthenticationToken,  // No Authorization header where one is required.
  kIncompleteSignature,         // Malformed Authorization header or x-amz-date.
  kInvalidSignature,            // Wrong signature, stale date, wrong scope or payload hash.
  kUnrecognizedClient,          // Unknown access key id.
  kAccessDenied,                // Authenticated, but the credential may not do this.
};

struct AuthError {
  AuthErrorType type;
  std::string message;
};

// The AWS error type's name as sent in `__type` and x-amzn-ErrorType, e.g.
// "InvalidSignatureException".
std::string_view AuthErrorTypeName(AuthErrorType type);
// The HTTP status AWS's JSON 1.1 services answer with: 400 for every type (AWS's common errors
// for these services list AccessDeniedException as 400 too).
int AuthErrorHttpStatus(AuthErrorType type);

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
inline constexpr int64_t kSigV4MaxSkewSeconds = 15 * 60;

// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/
// aws4_request, SignedHeaders=a;b;c, Signature=hex`.
struct SigV4Authorization {
  std::string access_key_id;
  std::string date;  // yyyymmdd of the credential scope.
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // Lower-case, sorted, no duplicates.
  std::string signature;                    // 64 lower-case hex digits.

  // "yyyymmdd/region/service/aws4_request".
  std::string Scope() const;
};

// Parses an Authorization header value. kIncompleteSignature naming what is missing or
// malformed ("Authorization header requires 'Signature' parameter.").
[[nodiscard]] std::optional<AuthError> ParseAuthorization(std::string_view header,
                                                          SigV4Authorization* out);

// Parses x-amz-date ("20260102T030405Z") into seconds since the epoch; nullopt when malformed.
std::optional<int64_t> ParseAmzDate(std::string_view text);
// Formats seconds since the epoch as x-amz-date does.
std::string FormatAmzDate(int64_t unix_seconds);

struct SigV4Limits {
  std::string service = "firehose";  // The service the credential scope must name.
  int64_t max_skew_seconds = kSigV4MaxSkewSeconds;
};

// Verifies `request` against its already parsed Authorization header `auth`, signed with
// `secret` (the secret access key of auth.access_key_id), at `now_unix_seconds`. nullopt when
// the request is authentic; otherwise kIncompleteSignature (x-amz-date missing or malformed,
// host or x-amz-date not signed) or kInvalidSignature (date out of the window or not the
// scope's, wrong service, payload hash mismatch, signature mismatch).
[[nodiscard]] std::optional<AuthError> VerifySigV4(const HttpRequest& request,
                                                   const SigV4Authorization& auth,
                                                   std::string_view secret,
                                                   int64_t now_unix_seconds,
                                                   const SigV4Limits& limits = {});

// The building blocks, exposed for tests and diagnostics.
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes.
// "/a%20b/c" from the request target's path as sent on the wire: dot segments removed, each
// segment percent-encoded (unreserved characters kept) as AWS does for services other than S3.
std::string CanonicalUri(std::string_view target);
// Query parameters decoded, re-encoded strictly, sorted by name then value, joined with '&'.
std::string CanonicalQueryString(std::string_view target);
std::string CanonicalRequest(const HttpRequest& request,
                             const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash_hex);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret;
  std::string region = "us-east-1";
  std::string service = "firehose";
};

// Signs `request` in place as an AWS SDK would: sets x-amz-date (from `unix_seconds`) and
// Authorization, signing every header the request has (names must be lower-case, `host`
// among them).
void SignSigV4(const SigV4Credentials& credentials, int64_t unix_seconds, HttpRequest* request);

}  // namespace tarn::ingest
