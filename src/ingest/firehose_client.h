// FirehoseClient: a small client of the Firehose JSON 1.1 API (POST / with
// `X-Amz-Target: Firehose_20150804.<Operation>`; ../shared/reference/firehose-s3.md, section 1)
// over libcurl, for `tarn send` and tests. It talks to one endpoint (tarn serve, or anything that
// speaks the protocol without SigV4 signing) and keeps its connection alive between calls.
//
// Thread-safety: not thread-safe; give each thread its own client. Clients on different threads
// are independent (libcurl is initialised once per process, on first use).
//
// Errors: failures to reach the endpoint or to read its answer are kUnavailable (worth retrying)
// and name the endpoint, e.g. "cannot connect to http://127.0.0.1:4573: Connection refused".
//
// https:// endpoints: the server's certificate chain and host name are always verified (against
// `ca_file`, or the system's trust store); there is no way to turn that off. A certificate that
// does not verify, or an endpoint that does not speak TLS, is kUnauthenticated, not worth
// retrying, and the message names the endpoint and libcurl's reason.
// Call() returns any HTTP answer as a FirehoseResponse; PutRecordBatch() turns error answers into
// a Status by the error's `__type` (see StatusFromErrorResponse).
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ingest/firehose_messages.h"

namespace tarn::ingest {

struct FirehoseClientOptions {
  // Time allowed to open the TCP connection, and for a whole call (connect, send, answer).
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds call_timeout{60'000};
  // PEM file of the CA certificate(s) to trust for an https:// endpoint instead of the system's
  // (a private CA, or a `tarn tls self-signed` certificate). Empty: the system's trust store.
  std::string ca_file;
};

// One HTTP answer of the API.
struct FirehoseResponse {
  long http_status = 0;
  std::string body;
  // For answers other than 2xx with a JSON error body: the error's type from `__type` (anything
  // up to a '#' and from a ':' removed, as AWS SDKs read it), and its `message` (or `Message`).
  // Empty when the body does not say.
  std::string error_type;
  std::string error_message;
};

// The outcome of one PutRecordBatch call that the service answered with 200.
struct PutBatchResult {
  // One per record sent, in request order: a record_id, or an error_code and error_message.
  std::vector<RecordOutcome> outcomes;
  size_t failed_count = 0;  // Outcomes with an error_code.
  bool encrypted = false;
};

class FirehoseClient {
 public:
  // `endpoint` is an http:// or https:// URL such as "http://127.0.0.1:4573"; requests go to
  // its path (normally "/"). kInvalidArgument for anything else, for a `ca_file` that cannot be
  // read, or for a `ca_file` with an http:// endpoint. Does not connect yet.
  static Result<std::unique_ptr<FirehoseClient>> Make(std::string endpoint,
                                                      FirehoseClientOptions options = {});
  ~FirehoseClient();
  FirehoseClient(const FirehoseClient&) = delete;
  FirehoseClient& operator=(const FirehoseClient&) = delete;

  // POSTs `json_body` as operation `operation` ("DescribeDeliveryStream"). Returns the answer,
  // whatever its HTTP status; fails only when no answer came (kUnavailable, naming the endpoint).
  Result<FirehoseResponse> Call(std::string_view operation, std::string_view json_body);

  // Sends `records` (raw bytes, at most kMaxRecordsPerBatch of at most kMaxRecordBytes each;
  // they are base64-encoded here) to `stream`. A 200 answer is the per-record outcomes, which
  // may hold failures to resend; an error answer is a Status (StatusFromErrorResponse); a
  // malformed 200 answer is kInternal. The records are not retained.
  Result<PutBatchResult> PutRecordBatch(std::string_view stream,
                                        std::span<const std::string_view> records);

  const std::string& endpoint() const { return endpoint_; }

 private:
  struct State;
  FirehoseClient(std::string endpoint, std::unique_ptr<State> state);

  std::string endpoint_;
  std::unique_ptr<State> state_;
};

// The Status for an error answer to `operation` at `endpoint`: ServiceUnavailableException,
// ThrottlingException, InternalFailure, 429 and 5xx are kUnavailable (retry later);
// ResourceNotFoundException kNotFound; InvalidArgumentException and other 400s
// kInvalidArgument; 401 kUnauthenticated; 403 kPermissionDenied; anything else kInternal. The
// message is "<endpoint>: <operation>: <type>: <message> (HTTP <status>)".
Status StatusFromErrorResponse(const FirehoseResponse& response, std::string_view operation,
                               std::string_view endpoint);

}  // namespace tarn::ingest
