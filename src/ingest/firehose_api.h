// FirehoseService: the HTTP endpoints of `tarn serve` (docs/serve.md). `POST /` speaks
// Firehose's JSON 1.1 API (X-Amz-Target: Firehose_20150804.<Operation>): PutRecord,
// PutRecordBatch, CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams,
// DeleteDeliveryStream and UpdateDestination; `GET /health` says whether the server is up;
// `GET /metrics` gives each stream's figures in Prometheus text under Firehose's metric names.
// Stream definitions live in the lake's catalog and are opened again at start-up.
//
// Authentication (docs/security.md): API requests are verified with AWS Signature Version 4
// against ServiceOptions::credentials and authorised per operation: PutRecord and
// PutRecordBatch need `put` on the stream, CreateDeliveryStream, DeleteDeliveryStream and
// UpdateDestination need `manage`, DescribeDeliveryStream and ListDeliveryStreams any valid
// credential. Every API request (not /health or /metrics) gets one line in
// ServiceOptions::audit with its outcome, rejected ones included.
//
// Thread-safety: Handle may be called from any thread; puts to one stream share its group
// commit.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/keyring.h"
#include "delivery/delivery_stream.h"
#include "ingest/audit_log.h"
#include "ingest/credentials.h"
#include "ingest/http_server.h"

namespace tarn::ingest {

enum class AuthMode {
  // Authentication is required once any credential exists; until then (a first run on a
  // loopback listener) requests are served as "anonymous" with every permission: unsigned ones,
  // and signed ones whose access key is unknown (AWS SDKs sign with whatever keys they find).
  // A malformed Authorization header is refused, and a known key's signature is verified.
  kAuto,
  // Every API request must be signed by a known credential (non-loopback listeners).
  kRequired,
};

struct ServiceOptions {
  std::string lake_root = "lake";
  delivery::DeliveryLimits limits;
  // Test hook: fail every Nth object write (0: never), for fault-injection tests.
  uint64_t fail_every_nth_put = 0;

  // The lake's credentials; null means none (kAuto then leaves the API open, kRequired
  // rejects every request).
  std::shared_ptr<CredentialStore> credentials;
  AuthMode auth = AuthMode::kAuto;
  // Where each API request is recorded; null: not recorded.
  std::shared_ptr<AuditLog> audit;
  // Microseconds since the epoch, for x-amz-date's 15-minute window and the audit log's
  // times; null: the system clock.
  std::function<int64_t()> now_micros;
  // The lake's keyring, for streams that ask for encryption (docs/encryption.md); called when
  // such a stream starts, so that a lake without encrypted streams needs no keys. Null: such
  // streams are refused with InvalidArgumentException.
  std::function<Result<storage::Keyring*>()> keyring;
};

class FirehoseService {
 public:
  // Opens the lake's catalog and object store and starts every stream the catalog holds.
  // `warnings` gets what log replay repaired.
  static Result<std::unique_ptr<FirehoseService>> Open(const ServiceOptions& options,
                                                       std::vector<std::string>* warnings);
  ~FirehoseService();

  // Creates the streams defined by the *.json files in `folder` (CreateDeliveryStream bodies)
  // that do not exist yet; a stream that exists with another definition is updated. Returns
  // one line per stream saying what was done.
  Result<std::vector<std::string>> LoadStreamFiles(const std::string& folder);

  void Handle(HttpRequest request, Responder respond);

  // Delivers everything buffered (shutdown, tests).
  Status FlushAll();
  // Flushes and stops every stream.
  void Close();

  class Impl;

 private:
  explicit FirehoseService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
