#include "ingest/firehose_messages.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "common/base64.h"
#include "common/json_text.h"

namespace tarn::ingest {
namespace {

constexpr std::string_view kTargetPrefix = "Firehose_20150804.";

Status Invalid(std::string message) { return InvalidArgument(std::move(message)); }

Result<std::string> StreamName(simdjson::dom::object& object) {
  std::string_view name;
  if (object["DeliveryStreamName"].get_string().get(name) != simdjson::SUCCESS) {
    return Invalid("DeliveryStreamName: required, a string");
  }
  if (!IsValidStreamName(name)) {
    return Invalid("DeliveryStreamName: must be 1 to 64 characters of a-z, A-Z, 0-9, _, . and -");
  }
  return std::string(name);
}

Result<std::string> RecordData(simdjson::dom::element record, const std::string& where) {
  simdjson::dom::object object;
  if (record.get_object().get(object) != simdjson::SUCCESS) {
    return Invalid(where + ": must be an object with a Data member");
  }
  std::string_view data;
  if (object["Data"].get_string().get(data) != simdjson::SUCCESS) {
    return Invalid(where + ".Data: required, a base64 string");
  }
  Result<std::string> decoded = DecodeBase64(data);
  if (!decoded.ok()) return Invalid(where + ".Data: " + decoded.status().message());
  if (decoded->size() > kMaxRecordBytes) {
    return Invalid(fmt::format("{}.Data: {} bytes, more than the {} a record may have", where,
                               decoded->size(), kMaxRecordBytes));
  }
  return decoded;
}

// `padded` is the body copied with simdjson's padding; the object points into `parser`.
Result<simdjson::dom::object> ParseObject(simdjson::dom::parser& parser,
                                          const simdjson::padded_string& padded) {
  if (padded.data() == nullptr && padded.size() == 0) {
    // simdjson leaves the copy empty when it cannot allocate it.
    return Status(StatusCode::kResourceExhausted, "no memory to parse the request body");
  }
  simdjson::dom::element root;
  const auto error = parser.parse(padded).get(root);
  if (error != simdjson::SUCCESS) {
    return Invalid(std::string("the request body is not valid JSON: ") +
                   simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Invalid("the request body must be a JSON object");
  }
  return object;
}

}  // namespace

Result<std::string> OperationFromTarget(std::string_view target) {
  if (target.rfind(kTargetPrefix, 0) != 0 || target.size() == kTargetPrefix.size()) {
    return NotFound(
        fmt::format("unknown operation '{}': expected X-Amz-Target "
                    "Firehose_20150804.<Operation>",
                    target));
  }
  return std::string(target.substr(kTargetPrefix.size()));
}

bool IsValidStreamName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<PutRequest> ParsePutRecordBatch(std::string_view body) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(body);
  TARN_ASSIGN_OR_RETURN(simdjson::dom::object object, ParseObject(parser, padded));
  PutRequest request;
  TARN_ASSIGN_OR_RETURN(request.stream, StreamName(object));
  simdjson::dom::array records;
  if (object["Records"].get_array().get(records) != simdjson::SUCCESS) {
    return Invalid("Records: required, an array of 1 to 500 records");
  }
  const size_t count = records.size();
  if (count == 0 || count > kMaxRecordsPerBatch) {
    return Invalid(
        fmt::format("Records: {} records; a batch holds 1 to {}", count, kMaxRecordsPerBatch));
  }
  size_t total = 0;
  size_t index = 0;
  for (simdjson::dom::element record : records) {
    TARN_ASSIGN_OR_RETURN(std::string data,
                          RecordData(record, fmt::format("Records[{}]", index++)));
    total += data.size();
    if (total > kMaxBatchBytes) {
      return Invalid(
          fmt::format("Records: more than {} bytes of data in one call", kMaxBatchBytes));
    }
    request.records.push_back(std::move(data));
  }
  return request;
}

Result<PutRequest> ParsePutRecord(std::string_view body) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(body);
  TARN_ASSIGN_OR_RETURN(simdjson::dom::object object, ParseObject(parser, padded));
  PutRequest request;
  TARN_ASSIGN_OR_RETURN(request.stream, StreamName(object));
  simdjson::dom::element record;
  if (object["Record"].get(record) != simdjson::SUCCESS) {
    return Invalid("Record: required, an object with a Data member");
  }
  TARN_ASSIGN_OR_RETURN(std::string data, RecordData(record, "Record"));
  request.records.push_back(std::move(data));
  return request;
}

std::string PutRecordBatchResponse(const std::vector<RecordOutcome>& outcomes, bool encrypted) {
  size_t failed = 0;
  for (const RecordOutcome& o : outcomes) failed += o.error_code.empty() ? 0 : 1;
  std::string out = fmt::format(R"({{"FailedPutCount":{},"Encrypted":{},"RequestResponses":[)",
                                failed, encrypted ? "true" : "false");
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (i > 0) out.push_back(',');
    const RecordOutcome& o = outcomes[i];
    if (o.error_code.empty()) {
      out += R"({"RecordId":)";
      AppendJsonString(&out, o.record_id);
    } else {
      out += R"({"ErrorCode":)";
      AppendJsonString(&out, o.error_code);
      out += R"(,"ErrorMessage":)";
      AppendJsonString(&out, o.error_message);
    }
    out.push_back('}');
  }
  out += "]}";
  return out;
}

std::string PutRecordResponse(const std::string& record_id, bool encrypted) {
  std::string out = R"({"RecordId":)";
  AppendJsonString(&out, record_id);
  out += fmt::format(R"(,"Encrypted":{}}})", encrypted ? "true" : "false");
  return out;
}

std::string ErrorBody(std::string_view type, std::string_view message) {
  std::string out = R"({"__type":)";
  AppendJsonString(&out, type);
  out += R"(,"message":)";
  AppendJsonString(&out, message);
  out.push_back('}');
  return out;
}

}  // namespace tarn::ingest
