#include "ingest/sigv4.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>

#include "common/aead.h"
#include "common/civil_time.h"

namespace tarn::ingest {
namespace {

constexpr std::string_view kTerminator = "aws4_request";

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void AppendEncoded(std::string_view text, std::string* out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (char c : text) {
    if (IsUnreserved(c)) {
      out->push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out->push_back('%');
      out->push_back(kDigits[byte >> 4]);
      out->push_back(kDigits[byte & 15]);
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding that keeps a '%' not followed by two hex digits as it is.
std::string Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high << 4 | low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A header value as canonical headers hold it: trimmed, inner runs of spaces collapsed to one.
void AppendCanonicalValue(std::string_view value, std::string* out) {
  value = Trim(value);
  bool in_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      in_space = true;
      continue;
    }
    if (in_space) out->push_back(' ');
    in_space = false;
    out->push_back(c);
  }
}

AuthError Incomplete(std::string message) {
  return {AuthErrorType::kIncompleteSignature, std::move(message)};
}
AuthError Invalid(std::string message) {
  return {AuthErrorType::kInvalidSignature, std::move(message)};
}

bool IsDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string_view AuthErrorTypeName(AuthErrorType type) {
  switch (type) {
    case AuthErrorType::kMissingAuthenticationToken:
      return "MissingAuthenticationTokenException";
    case AuthErrorType::kIncompleteSignature:
      return "IncompleteSignatureException";
    case AuthErrorType::kInvalidSignature:
      return "InvalidSignatureException";
    case AuthErrorType::kUnrecognizedClient:
      return "UnrecognizedClientException";
    case AuthErrorType::kAccessDenied:
      return "AccessDeniedException";
  }
  return "InvalidSignatureException";
}

int AuthErrorHttpStatus(AuthErrorType) { return 400; }

std::string SigV4Authorization::Scope() const {
  return fmt::format("{}/{}/{}/{}", date, region, service, kTerminator);
}

std::optional<AuthError> ParseAuthorization(std::string_view header, SigV4Authorization* out) {
  header = Trim(header);
  const size_t space = header.find(' ');
  const std::string_view algorithm = header.substr(0, space);
  if (algorithm != kSigV4Algorithm) {
    return Incomplete(fmt::format(
        "Unsupported AWS 'algorithm': '{}' (the Authorization header must start with {})",
        algorithm, kSigV4Algorithm));
  }
  std::string_view rest = space == std::string_view::npos ? "" : header.substr(space + 1);
  std::optional<std::string_view> credential, signed_headers, signature;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view part = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    if (part.empty()) continue;
    const size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      return Incomplete(
          fmt::format("Authorization header parameter '{}' is not of the form Name=Value", part));
    }
    const std::string_view name = part.substr(0, equals);
    const std::string_view value = part.substr(equals + 1);
    std::optional<std::string_view>* slot = name == "Credential"      ? &credential
                                            : name == "SignedHeaders" ? &signed_headers
                                            : name == "Signature"     ? &signature
                                                                      : nullptr;
    if (slot == nullptr) {
      return Incomplete(fmt::format("Authorization header has an unknown parameter '{}'", name));
    }
    if (slot->has_value()) {
      return Incomplete(fmt::format("Authorization header repeats the '{}' parameter", name));
    }
    *slot = value;
  }
  for (const auto& [value, name] :
       {std::pair{credential, "Credential"}, std::pair{signed_headers, "SignedHeaders"},
        std::pair{signature, "Signature"}}) {
    if (!value.has_value() || value->empty()) {
      return Incomplete(fmt::format("Authorization header requires '{}' parameter.", name));
    }
  }

  // Credential=AKID/yyyymmdd/region/service/aws4_request
  std::vector<std::string_view> scope;
  std::string_view text = *credential;
  for (size_t slash; (slash = text.find('/')) != std::string_view::npos;) {
    scope.push_back(text.substr(0, slash));
    text.remove_prefix(slash + 1);
  }
  scope.push_back(text);
  if (scope.size() != 5) {
    return Incomplete(fmt::format(
        "Credential '{}' must have the form ACCESS_KEY_ID/yyyymmdd/region/service/aws4_request",
        *credential));
  }
  if (scope[0].empty()) return Incomplete("Credential has an empty access key id");
  if (scope[1].size() != 8 || !IsDigits(scope[1])) {
    return Incomplete(
        fmt::format("Credential's date '{}' must be the request's date as yyyymmdd", scope[1]));
  }
  if (scope[2].empty()) return Incomplete("Credential should be scoped to a valid region.");
  if (scope[3].empty()) return Incomplete("Credential should be scoped to a valid service.");
  if (scope[4] != kTerminator) {
    return Incomplete(fmt::format(
        "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
        scope[4]));
  }

  std::vector<std::string> headers;
  text = *signed_headers;
  while (true) {
    const size_t semicolon = text.find(';');
    const std::string_view name = text.substr(0, semicolon);
    if (name.empty() || std::any_of(name.begin(), name.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || c <= ' ' || c == ':' || c == 0x7f;
        })) {
      return Incomplete(fmt::format(
          "SignedHeaders '{}' must be lower-case header names separated by ';'", *signed_headers));
    }
    headers.emplace_back(name);
    if (semicolon == std::string_view::npos) break;
    text.remove_prefix(semicolon + 1);
  }
  std::sort(headers.begin(), headers.end());
  headers.erase(std::unique(headers.begin(), headers.end()), headers.end());

  if (signature->size() != 64 ||
      !std::all_of(signature->begin(), signature->end(), [](char c) { return HexValue(c) >= 0; })) {
    return Incomplete("Signature must be 64 hexadecimal digits");
  }
  out->access_key_id = std::string(scope[0]);
  out->date = std::string(scope[1]);
  out->region = std::string(scope[2]);
  out->service = std::string(scope[3]);
  out->signed_headers = std::move(headers);
  out->signature = std::string(*signature);
  std::transform(out->signature.begin(), out->signature.end(), out->signature.begin(),
                 [](char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c + 32) : c; });
  return std::nullopt;
}

std::optional<int64_t> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !IsDigits(text.substr(0, 8)) ||
      !IsDigits(text.substr(9, 6))) {
    return std::nullopt;
  }
  const auto number = [&](size_t at, size_t size) {
    int value = 0;
    for (size_t i = at; i < at + size; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const int year = number(0, 4), month = number(4, 2), day = number(6, 2);
  const int hour = number(9, 2), minute = number(11, 2), second = number(13, 2);
  if (!IsValidDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  return DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
}

std::string FormatAmzDate(int64_t unix_seconds) {
  const CivilDateTime t = CivilFromMicros(unix_seconds * kMicrosPerSecond);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.date.year, t.date.month, t.date.day,
                     t.hour, t.minute, t.second);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof(digest));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string CanonicalUri(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string_view> segments;
  const bool trailing_slash = path.size() > 1 && path.back() == '/';
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    path = slash == std::string_view::npos ? "" : path.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string out;
  for (std::string_view segment : segments) {
    out.push_back('/');
    AppendEncoded(segment, &out);
  }
  if (out.empty() || trailing_slash) out.push_back('/');
  return out;
}

std::string CanonicalQueryString(std::string_view target) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return "";
  std::string_view query = target.substr(question + 1);
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (param.empty()) continue;
    const size_t equals = param.find('=');
    std::pair<std::string, std::string> encoded;
    AppendEncoded(Decode(param.substr(0, equals)), &encoded.first);
    if (equals != std::string_view::npos) {
      AppendEncoded(Decode(param.substr(equals + 1)), &encoded.second);
    }
    params.push_back(std::move(encoded));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string CanonicalRequest(const HttpRequest& request,
                             const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash_hex) {
  std::string out = request.method;
  out.push_back('\n');
  out.append(CanonicalUri(request.target)).push_back('\n');
  out.append(CanonicalQueryString(request.target)).push_back('\n');
  for (const std::string& name : signed_headers) {
    out.append(name).push_back(':');
    // Repeated headers are joined with ',' in the order they came.
    bool first = true;
    for (const auto& [header, value] : request.headers) {
      if (header != name) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendCanonicalValue(value, &out);
    }
    out.push_back('\n');
  }
  out.push_back('\n');
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i > 0) out.push_back(';');
    out.append(signed_headers[i]);
  }
  out.push_back('\n');
  out.append(payload_hash_hex);
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return fmt::format("{}\n{}\n{}\n{}", kSigV4Algorithm, amz_date, scope,
                     Sha256Hex(canonical_request));
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, kTerminator);
}

std::optional<AuthError> VerifySigV4(const HttpRequest& request, const SigV4Authorization& auth,
                                     std::string_view secret, int64_t now_unix_seconds,
                                     const SigV4Limits& limits) {
  const auto is_signed = [&](std::string_view name) {
    return std::binary_search(auth.signed_headers.begin(), auth.signed_headers.end(), name);
  };
  if (!is_signed("host")) {
    return Incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (!is_signed("x-amz-date")) {
    return Incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const std::string_view amz_date = request.Header("x-amz-date");
  if (amz_date.empty()) {
    return Incomplete("Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  const std::optional<int64_t> signed_at = ParseAmzDate(amz_date);
  if (!signed_at.has_value()) {
    return Incomplete(fmt::format(
        "Date must be in ISO-8601 'basic format'. Got '{}'. Expected yyyymmddTHHMMSSZ.", amz_date));
  }
  if (*signed_at < now_unix_seconds - limits.max_skew_seconds) {
    return Invalid(fmt::format("Signature expired: {} is now earlier than {} ({} - {} min.)",
                               amz_date, FormatAmzDate(now_unix_seconds - limits.max_skew_seconds),
                               FormatAmzDate(now_unix_seconds), limits.max_skew_seconds / 60));
  }
  if (*signed_at > now_unix_seconds + limits.max_skew_seconds) {
    return Invalid(
        fmt::format("Signature not yet current: {} is still later than {} ({} + {} min.)", amz_date,
                    FormatAmzDate(now_unix_seconds + limits.max_skew_seconds),
                    FormatAmzDate(now_unix_seconds), limits.max_skew_seconds / 60));
  }
  if (amz_date.substr(0, 8) != auth.date) {
    return Invalid(fmt::format(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '{}' != '{}', from '{}'.",
        auth.date, amz_date.substr(0, 8), amz_date));
  }
  if (auth.service != limits.service) {
    return Invalid(
        fmt::format("Credential should be scoped to correct service: '{}'. ", limits.service));
  }
  const std::string payload_hash = Sha256Hex(request.body);
  const std::string_view claimed_hash = request.Header("x-amz-content-sha256");
  if (!claimed_hash.empty() && claimed_hash != payload_hash) {
    return Invalid(fmt::format(
        "The provided 'x-amz-content-sha256' header '{}' does not match the SHA-256 of the "
        "request body ({}).",
        claimed_hash, payload_hash));
  }
  const std::string canonical = CanonicalRequest(request, auth.signed_headers, payload_hash);
  const std::string to_sign = StringToSign(amz_date, auth.Scope(), canonical);
  const std::string key = SigningKey(secret, auth.date, auth.region, auth.service);
  const std::string mac = HmacSha256(key, to_sign);
  const std::string expected = Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
  if (!ConstantTimeEquals(expected, auth.signature)) {
    return Invalid(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.");
  }
  return std::nullopt;
}

void SignSigV4(const SigV4Credentials& credentials, int64_t unix_seconds, HttpRequest* request) {
  const std::string amz_date = FormatAmzDate(unix_seconds);
  std::erase_if(request->headers, [](const auto& header) {
    return header.first == "x-amz-date" || header.first == "authorization";
  });
  request->headers.emplace_back("x-amz-date", amz_date);
  SigV4Authorization auth;
  auth.access_key_id = credentials.access_key_id;
  auth.date = amz_date.substr(0, 8);
  auth.region = credentials.region;
  auth.service = credentials.service;
  for (const auto& [name, value] : request->headers) auth.signed_headers.push_back(name);
  std::sort(auth.signed_headers.begin(), auth.signed_headers.end());
  auth.signed_headers.erase(std::unique(auth.signed_headers.begin(), auth.signed_headers.end()),
                            auth.signed_headers.end());
  const std::string canonical =
      CanonicalRequest(*request, auth.signed_headers, Sha256Hex(request->body));
  const std::string mac =
      HmacSha256(SigningKey(credentials.secret, auth.date, auth.region, auth.service),
                 StringToSign(amz_date, auth.Scope(), canonical));
  std::string signed_list;
  for (const std::string& name : auth.signed_headers) {
    if (!signed_list.empty()) signed_list.push_back(';');
    signed_list.append(name);
  }
  request->headers.emplace_back(
      "authorization",
      fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", kSigV4Algorithm,
                  auth.access_key_id, auth.Scope(), signed_list,
                  Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size())));
}

}  // namespace tarn::ingest
