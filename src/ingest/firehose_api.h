// FirehoseService: the HTTP endpoints of `tarn serve` (docs/serve.md). `POST /` speaks
// Firehose's JSON 1.1 API (X-Amz-Target: Firehose_20150804.<Operation>): PutRecord,
// PutRecordBatch, CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams,
// DeleteDeliveryStream and UpdateDestination; `GET /health` says whether the server is up;
// `GET /metrics` gives each stream's figures in Prometheus text under Firehose's metric names.
// Stream definitions live in the lake's catalog and are opened again at start-up.
//
// Thread-safety: Handle may be called from any thread; puts to one stream share its group
// commit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "delivery/delivery_stream.h"
#include "ingest/http_server.h"

namespace tarn::ingest {

struct ServiceOptions {
  std::string lake_root = "lake";
  delivery::DeliveryLimits limits;
  // Test hook: fail every Nth object write (0: never), for fault-injection tests.
  uint64_t fail_every_nth_put = 0;
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
