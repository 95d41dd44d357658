// libFuzzer target: Firehose request decoding with hostile bodies. The first byte picks the
// operation (PutRecordBatch, PutRecord, CreateDeliveryStream, UpdateDestination), the rest is
// its JSON body, decoded as `tarn serve` decodes it before any work is done. Decoding must
// never crash, and what it accepts must keep Firehose's limits; a violation traps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "delivery/stream_config.h"
#include "ingest/firehose_messages.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tarn;
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
    case 1: {
      Result<ingest::PutRequest> request =
          data[0] % 4 == 0 ? ingest::ParsePutRecordBatch(body) : ingest::ParsePutRecord(body);
      if (!request.ok()) break;
      Check(ingest::IsValidStreamName(request->stream));
      Check(!request->records.empty() && request->records.size() <= ingest::kMaxRecordsPerBatch);
      size_t total = 0;
      for (const std::string& record : request->records) {
        Check(record.size() <= ingest::kMaxRecordBytes);
        total += record.size();
      }
      Check(total <= ingest::kMaxBatchBytes);
      break;
    }
    case 2: {
      Result<delivery::StreamConfig> config = delivery::ParseCreateDeliveryStream(body);
      if (config.ok()) Check(ingest::IsValidStreamName(config->name));
      break;
    }
    case 3: {
      Result<delivery::UpdateDestinationRequest> update = delivery::ParseUpdateDestination(body);
      (void)update;
      break;
    }
  }
  return 0;
}
