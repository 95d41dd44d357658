// From a stream's API configuration (stream_config.h) to what its DeliveryStream runs
// (delivery_stream.h): compression, processors, buffering, and for record format conversion
// the schema of the catalog table it names (read once, when the stream starts).
#pragma once

#include <string>

#include "catalog/sqlite_catalog.h"
#include "common/result.h"
#include "delivery/delivery_stream.h"
#include "delivery/stream_config.h"

namespace tarn::delivery {

// kInvalidArgument when the conversion's table is missing or has a column type the Parquet
// writer cannot take, or a SerDe option tarn does not run (naming it).
// Encryption (DeliveryStreamEncryptionConfigurationInput: the log and the objects; the S3
// destination's KMSEncryptionConfig: the objects) needs `keyring`: kInvalidArgument without it.
Result<DeliverySettings> MakeDeliverySettings(const StreamConfig& config,
                                              const std::string& version_id,
                                              catalog::SqliteCatalog& catalog,
                                              storage::Keyring* keyring = nullptr);

}  // namespace tarn::delivery
