#include "ingest/firehose_client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "common/base64.h"
#include "common/json_text.h"

namespace tarn::ingest {
namespace {

constexpr std::string_view kTargetHeader = "X-Amz-Target: Firehose_20150804.";

// libcurl's global state must be set up once, before any handle, and not concurrently.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

bool IsHttpUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme) && url.size() > scheme.size() && url[scheme.size()] != '/') {
      return true;
    }
  }
  return false;
}

// "com.amazon.coral#ResourceNotFoundException:http://..." -> "ResourceNotFoundException".
std::string_view ErrorCodeFromType(std::string_view type) {
  if (const size_t hash = type.rfind('#'); hash != std::string_view::npos) {
    type.remove_prefix(hash + 1);
  }
  if (const size_t colon = type.find(':'); colon != std::string_view::npos) {
    type = type.substr(0, colon);
  }
  return type;
}

void ReadErrorBody(simdjson::dom::parser& parser, FirehoseResponse* response) {
  simdjson::dom::object object;
  if (parser.parse(response->body).get_object().get(object) != simdjson::SUCCESS) return;
  std::string_view text;
  if (object["__type"].get_string().get(text) == simdjson::SUCCESS) {
    response->error_type = std::string(ErrorCodeFromType(text));
  }
  if (object["message"].get_string().get(text) == simdjson::SUCCESS ||
      object["Message"].get_string().get(text) == simdjson::SUCCESS) {
    response->error_message = std::string(text);
  }
}

}  // namespace

struct FirehoseClient::State {
  FirehoseClientOptions options;
  CURL* curl = nullptr;
  curl_slist* put_batch_headers = nullptr;  // For PutRecordBatch, built once.
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string request_body;  // Reused between calls, so its memory is allocated once.
  simdjson::dom::parser parser;

  ~State() {
    curl_slist_free_all(put_batch_headers);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

namespace {

curl_slist* MakeHeaders(std::string_view operation) {
  curl_slist* headers = nullptr;
  const std::string target = std::string(kTargetHeader) + std::string(operation);
  for (const char* header : {target.c_str(), "Content-Type: application/x-amz-json-1.1",
                             // Send the body at once instead of waiting for "100 Continue".
                             "Expect:"}) {
    curl_slist* next = curl_slist_append(headers, header);
    if (next == nullptr) {
      curl_slist_free_all(headers);
      return nullptr;
    }
    headers = next;
  }
  return headers;
}

}  // namespace

FirehoseClient::FirehoseClient(std::string endpoint, std::unique_ptr<State> state)
    : endpoint_(std::move(endpoint)), state_(std::move(state)) {}

FirehoseClient::~FirehoseClient() = default;

Result<std::unique_ptr<FirehoseClient>> FirehoseClient::Make(std::string endpoint,
                                                             FirehoseClientOptions options) {
  if (!IsHttpUrl(endpoint)) {
    return InvalidArgument(fmt::format(
        "endpoint '{}': expected an http:// or https:// URL such as http://127.0.0.1:4573",
        endpoint));
  }
  if (!options.ca_file.empty()) {
    if (!endpoint.starts_with("https://")) {
      return InvalidArgument(
          fmt::format("a CA file ({}) is for https:// endpoints; '{}' is plain HTTP",
                      options.ca_file, endpoint));
    }
    // libcurl would only say "error setting certificate file" at the first call.
    std::FILE* file = std::fopen(options.ca_file.c_str(), "rb");
    if (file == nullptr) {
      return InvalidArgument(
          fmt::format("CA file {}: cannot read it: {}", options.ca_file, std::strerror(errno)));
    }
    std::fclose(file);
  }
  InitCurlOnce();
  auto state = std::make_unique<State>();
  state->options = options;
  state->curl = curl_easy_init();
  state->put_batch_headers = MakeHeaders("PutRecordBatch");
  if (state->curl == nullptr || state->put_batch_headers == nullptr) {
    return Internal("cannot set up an HTTP client for " + endpoint + ": libcurl is out of memory");
  }
  CURL* curl = state->curl;
  curl_easy_setopt(curl, CURLOPT_URL, endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  // Timeouts without signals, so that clients on several threads do not disturb each other.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.call_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, state->error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendToString);
  // libcurl's defaults, stated so that they cannot drift: the chain and the host name are
  // verified, and nothing older than TLS 1.2 is spoken.
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  return std::unique_ptr<FirehoseClient>(new FirehoseClient(std::move(endpoint), std::move(state)));
}

namespace {

// Why a transfer got no answer, naming the endpoint and, once connected, the operation.
Status TransferError(CURL* curl, CURLcode code, const char* error_buffer, std::string_view endpoint,
                     std::string_view operation, const FirehoseClientOptions& options) {
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  curl_off_t connected_us = 0;
  curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_us);
  long os_errno = 0;
  curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
  std::string message;
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      message = fmt::format("cannot connect to {}: {}", endpoint,
                            os_errno != 0 ? std::strerror(static_cast<int>(os_errno)) : detail);
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      message = fmt::format("cannot connect to {}: {}", endpoint, detail);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      // Not transient: the same certificate fails the same way on every retry.
      return Status(StatusCode::kUnauthenticated,
                    fmt::format("cannot verify the TLS certificate of {}: {}", endpoint, detail));
    case CURLE_SSL_CONNECT_ERROR:
      if (std::strstr(detail.c_str(), "wrong version number") != nullptr) {
        return Status(StatusCode::kUnauthenticated,
                      fmt::format("cannot start TLS with {}: {} (is it a plain http:// endpoint?)",
                                  endpoint, detail));
      }
      message = fmt::format("{}: {}: {}", endpoint, operation, detail);
      break;
    case CURLE_OPERATION_TIMEDOUT:
      message = connected_us == 0 ? fmt::format("cannot connect to {}: no connection within {} ms",
                                                endpoint, options.connect_timeout.count())
                                  : fmt::format("{}: {}: no answer within {} ms", endpoint,
                                                operation, options.call_timeout.count());
      break;
    default:
      message = fmt::format("{}: {}: {}", endpoint, operation, detail);
      break;
  }
  return Status(StatusCode::kUnavailable, std::move(message));
}

}  // namespace

Result<FirehoseResponse> FirehoseClient::Call(std::string_view operation,
                                              std::string_view json_body) {
  curl_slist* headers = operation == "PutRecordBatch" ? nullptr : MakeHeaders(operation);
  if (operation != "PutRecordBatch" && headers == nullptr) {
    return Internal("cannot build the request for " + endpoint_ + ": libcurl is out of memory");
  }
  CURL* curl = state_->curl;
  FirehoseResponse response;
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER,
                   headers != nullptr ? headers : state_->put_batch_headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  state_->error_buffer[0] = '\0';
  const CURLcode code = curl_easy_perform(curl);
  // The handle must not keep pointers to the headers or body that go away now.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    return TransferError(curl, code, state_->error_buffer, endpoint_, operation, state_->options);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.http_status);
  if (response.http_status < 200 || response.http_status >= 300) {
    ReadErrorBody(state_->parser, &response);
  }
  return response;
}

Result<PutBatchResult> FirehoseClient::PutRecordBatch(std::string_view stream,
                                                      std::span<const std::string_view> records) {
  // Build the body in one buffer sized up front: the base64 goes straight into it.
  std::string& body = state_->request_body;
  body.clear();
  size_t encoded = 0;
  for (std::string_view record : records) encoded += (record.size() + 2) / 3 * 4 + 12;
  body.reserve(encoded + stream.size() + 64);
  body += R"({"DeliveryStreamName":)";
  AppendJsonString(&body, stream);
  body += R"(,"Records":[)";
  for (size_t i = 0; i < records.size(); ++i) {
    body += i == 0 ? R"({"Data":")" : R"(,{"Data":")";
    AppendBase64(records[i], &body);
    body += "\"}";
  }
  body += "]}";

  constexpr std::string_view kOperation = "PutRecordBatch";
  TARN_ASSIGN_OR_RETURN(FirehoseResponse response, Call(kOperation, body));
  if (response.http_status != 200) {
    return StatusFromErrorResponse(response, kOperation, endpoint_);
  }
  auto malformed = [&](std::string_view what) {
    return Internal(fmt::format("{}: {}: malformed answer: {}", endpoint_, kOperation, what));
  };
  simdjson::dom::object object;
  if (const auto error = state_->parser.parse(response.body).get_object().get(object);
      error != simdjson::SUCCESS) {
    return malformed(std::string("not a JSON object: ") + simdjson::error_message(error));
  }
  simdjson::dom::array responses;
  if (object["RequestResponses"].get_array().get(responses) != simdjson::SUCCESS) {
    return malformed("RequestResponses: required, an array");
  }
  PutBatchResult result;
  result.outcomes.reserve(records.size());
  for (simdjson::dom::element element : responses) {
    const size_t index = result.outcomes.size();
    simdjson::dom::object entry;
    if (element.get_object().get(entry) != simdjson::SUCCESS) {
      return malformed(fmt::format("RequestResponses[{}]: must be an object", index));
    }
    RecordOutcome& outcome = result.outcomes.emplace_back();
    std::string_view text;
    if (entry["ErrorCode"].get_string().get(text) == simdjson::SUCCESS) {
      outcome.error_code = text;
      if (entry["ErrorMessage"].get_string().get(text) == simdjson::SUCCESS) {
        outcome.error_message = text;
      }
      ++result.failed_count;
    } else if (entry["RecordId"].get_string().get(text) == simdjson::SUCCESS) {
      outcome.record_id = text;
    } else {
      return malformed(
          fmt::format("RequestResponses[{}]: has neither a RecordId nor an ErrorCode", index));
    }
  }
  if (result.outcomes.size() != records.size()) {
    return malformed(fmt::format("RequestResponses has {} entries for {} records",
                                 result.outcomes.size(), records.size()));
  }
  int64_t failed_put_count = 0;
  if (object["FailedPutCount"].get_int64().get(failed_put_count) != simdjson::SUCCESS) {
    return malformed("FailedPutCount: required, an integer");
  }
  if (static_cast<size_t>(failed_put_count) != result.failed_count) {
    return malformed(fmt::format("FailedPutCount is {} but {} records have an ErrorCode",
                                 failed_put_count, result.failed_count));
  }
  bool encrypted = false;
  if (object["Encrypted"].get_bool().get(encrypted) == simdjson::SUCCESS) {
    result.encrypted = encrypted;
  }
  return result;
}

Status StatusFromErrorResponse(const FirehoseResponse& response, std::string_view operation,
                               std::string_view endpoint) {
  const std::string_view type = response.error_type;
  const long http = response.http_status;
  StatusCode code = StatusCode::kInternal;
  if (type == "ServiceUnavailableException" || type == "ThrottlingException" ||
      type == "InternalFailure" || http == 429 || http >= 500) {
    code = StatusCode::kUnavailable;
  } else if (type == "ResourceNotFoundException") {
    code = StatusCode::kNotFound;
  } else if (http == 401) {
    code = StatusCode::kUnauthenticated;
  } else if (http == 403) {
    code = StatusCode::kPermissionDenied;
  } else if (type == "InvalidArgumentException" || http == 400) {
    code = StatusCode::kInvalidArgument;
  }
  std::string what;
  if (!type.empty()) what = fmt::format("{}: ", type);
  if (!response.error_message.empty()) {
    what += response.error_message;
  } else if (!response.body.empty() && type.empty()) {
    // Not an API error body (a proxy's page?): show its start.
    what += response.body.substr(0, 200);
  } else {
    what += "no message";
  }
  return Status(code, fmt::format("{}: {}: {} (HTTP {})", endpoint, operation, what, http));
}

}  // namespace tarn::ingest
