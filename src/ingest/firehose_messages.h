// The Firehose JSON 1.1 API's data-plane messages (docs in ../shared/reference/firehose-s3.md,
// section 1): decoding PutRecord and PutRecordBatch requests with Firehose's limits, and
// encoding their responses and the API's error body. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tarn::ingest {

inline constexpr size_t kMaxRecordsPerBatch = 500;
inline constexpr size_t kMaxRecordBytes = 1'024'000;       // Before base64.
inline constexpr size_t kMaxBatchBytes = 4 * 1024 * 1024;  // Decoded data of one call.

// What the operation name in `X-Amz-Target: Firehose_20150804.<Operation>` is; kNotFound
// (to be answered as UnknownOperationException) for anything else.
Result<std::string> OperationFromTarget(std::string_view target);

// 1-64 characters of [a-zA-Z0-9_.-].
bool IsValidStreamName(std::string_view name);

struct PutRequest {
  std::string stream;
  std::vector<std::string> records;  // Decoded data, in request order.
};

// Decode a PutRecordBatch / PutRecord body. Malformed JSON, missing members, bad base64 and
// broken limits are kInvalidArgument whose message names the member ("Records[3].Data: ..."),
// answered as InvalidArgumentException.
Result<PutRequest> ParsePutRecordBatch(std::string_view body);
Result<PutRequest> ParsePutRecord(std::string_view body);

// One record's outcome: a RecordId, or an error code and message.
struct RecordOutcome {
  std::string record_id;
  std::string error_code;
  std::string error_message;
};

std::string PutRecordBatchResponse(const std::vector<RecordOutcome>& outcomes, bool encrypted);
std::string PutRecordResponse(const std::string& record_id, bool encrypted);

// `{"__type": "<type>", "message": "<message>"}`.
std::string ErrorBody(std::string_view type, std::string_view message);

}  // namespace tarn::ingest
