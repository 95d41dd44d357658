// StreamConfig: a delivery stream's configuration as Firehose's control plane takes it
// (docs/streams.md). ParseCreateDeliveryStream reads the JSON body of CreateDeliveryStream
// (ExtendedS3DestinationConfiguration, or the deprecated S3DestinationConfiguration) with
// Firehose's ranges and rules plus tarn's extension `TarnOptions`; DescribeDeliveryStreamJson
// writes what DescribeDeliveryStream answers; ApplyUpdateDestination merges an
// UpdateDestination body into a stored CreateDeliveryStream body.
//
// Parsing is strict: unknown members, wrong types, values out of range and features tarn does
// not run are kInvalidArgument whose message starts with the member's path, e.g.
// "ExtendedS3DestinationConfiguration.BufferingHints.SizeInMBs: 200 is out of range 1..128".
// Pure functions apart from CustomTimeZone, which is checked by loading the zone
// (common/time_zone.h); safe from any thread. A StreamConfig is a plain value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"

namespace tarn::delivery {

// The account and region every ARN tarn writes names.
inline constexpr std::string_view kAwsRegion = "us-east-1";
inline constexpr std::string_view kAwsAccountId = "000000000000";
// A stream has one destination, and this is its id.
inline constexpr std::string_view kDestinationId = "destinationId-000000000001";

inline constexpr int kDefaultActivePartitionLimit = 500;
inline constexpr int kMaxActivePartitionLimit = 5000;

// Firehose's CompressionFormat (ZIP refused), plus tarn's ZSTD.
enum class CompressionFormat { kUncompressed, kGzip, kSnappy, kHadoopSnappy, kZstd };
// The API's spelling: "UNCOMPRESSED", "GZIP", "Snappy", "HADOOP_SNAPPY", "ZSTD".
std::string_view CompressionFormatName(CompressionFormat format);

struct BufferingHints {
  int size_in_mbs = 5;            // 1..128 MiB; 64..128 with format conversion (default 128).
  int interval_in_seconds = 300;  // 0..900.
};

enum class ProcessorType { kRecordDeAggregation, kMetadataExtraction, kAppendDelimiterToRecord };
std::string_view ProcessorTypeName(ProcessorType type);

enum class SubRecordType { kJson, kDelimited };

struct ProcessingConfig {
  bool enabled = false;              // Omitted Enabled is false: processors run only when asked to.
  std::vector<ProcessorType> order;  // The processors as listed, each type at most once.
  SubRecordType sub_record_type = SubRecordType::kJson;  // With kRecordDeAggregation.
  std::string delimiter;       // kDelimited: the decoded bytes of the base64 Delimiter.
  std::string metadata_query;  // kMetadataExtraction: the jq (JQ-1.6) expression.

  bool Has(ProcessorType type) const;
  // True when processing is enabled and lists `type`.
  bool Runs(ProcessorType type) const { return enabled && Has(type); }
};

struct DynamicPartitioningConfig {
  bool enabled = false;
  int retry_duration_seconds = 300;  // RetryOptions.DurationInSeconds, 0..7200.
};

struct SchemaConfig {
  std::string database_name;
  std::string table_name;
  std::string role_arn;
  std::string catalog_id;  // Empty: the account.
  std::string region;      // Empty: kAwsRegion.
  std::string version_id;  // Empty or "LATEST": the newest table version.
};

struct OpenXJsonSerDe {
  bool case_insensitive = true;
  bool convert_dots_in_json_keys_to_underscores = false;
  std::map<std::string, std::string> column_to_json_key_mappings;
};

struct HiveJsonSerDe {
  std::vector<std::string> timestamp_formats;  // Joda-Time patterns or "millis".
};

enum class ParquetCompression { kUncompressed, kGzip, kSnappy };
enum class ParquetWriterVersion { kV1, kV2 };

struct ParquetSerDe {
  int64_t block_size_bytes = 256 << 20;  // >= 64 MiB.
  int64_t page_size_bytes = 1 << 20;     // >= 64 KiB.
  ParquetCompression compression = ParquetCompression::kSnappy;
  std::optional<bool> enable_dictionary_compression;  // Firehose documents no default.
  int64_t max_padding_bytes = 0;
  ParquetWriterVersion writer_version = ParquetWriterVersion::kV1;
};

struct DataFormatConversionConfig {
  bool enabled = true;
  SchemaConfig schema;
  std::variant<OpenXJsonSerDe, HiveJsonSerDe> deserializer;
  ParquetSerDe serializer;
};

struct CloudWatchLoggingOptions {
  bool enabled = false;  // Recorded and described; tarn logs to its own log, not CloudWatch.
  std::string log_group_name;
  std::string log_stream_name;
};

// DeliveryStreamEncryptionConfigurationInput (encryption inside the stream).
struct StreamEncryption {
  bool enabled = false;
  bool customer_managed = false;  // KeyType CUSTOMER_MANAGED_CMK, else AWS_OWNED_CMK.
  std::string key_arn;
};

struct StreamConfig {
  std::string name;
  std::string role_arn;
  std::string bucket_arn;
  std::string bucket;               // From bucket_arn: the lake folder the stream writes into.
  std::string prefix;               // As given; PrefixTemplate::Compile has accepted it.
  std::string error_output_prefix;  // Empty: unset.
  BufferingHints buffering_hints;
  CompressionFormat compression_format = CompressionFormat::kUncompressed;
  std::string file_extension;    // Empty: the default for the compression.
  std::string custom_time_zone;  // Empty: UTC. TimeZone::Load has accepted it.
  std::string kms_key_arn;       // EncryptionConfiguration.KMSEncryptionConfig; empty: none.
  CloudWatchLoggingOptions cloud_watch_logging;
  ProcessingConfig processing;
  DynamicPartitioningConfig dynamic_partitioning;
  std::optional<DataFormatConversionConfig> data_format_conversion;
  StreamEncryption stream_encryption;
  std::vector<std::pair<std::string, std::string>> tags;
  int throughput_hint_in_mbs = 0;  // DirectPutSourceConfiguration; 0: not given.
  int active_partition_limit = kDefaultActivePartitionLimit;  // TarnOptions.
  bool plain_s3_destination = false;  // Given as the deprecated S3DestinationConfiguration.
  std::string request_json;           // The CreateDeliveryStream body this was parsed from.

  bool format_conversion_enabled() const {
    return data_format_conversion.has_value() && data_format_conversion->enabled;
  }
  // arn:aws:firehose:us-east-1:000000000000:deliverystream/NAME
  std::string arn() const;
};

// Whether the stream's objects are sealed at rest: stream encryption (which also seals its
// log) or the destination's KMS setting (docs/encryption.md).
inline bool EncryptsObjects(const StreamConfig& config) {
  return config.stream_encryption.enabled || !config.kms_key_arn.empty();
}

// Parses a CreateDeliveryStream body. kInvalidArgument names the member path and the rule.
Result<StreamConfig> ParseCreateDeliveryStream(std::string_view json);

// The DescribeDeliveryStream response body ({"DeliveryStreamDescription": {...}}) for a stream
// that is ACTIVE, with every default materialised. Timestamps are epoch seconds.
std::string DescribeDeliveryStreamJson(const StreamConfig& config, const std::string& version_id,
                                       int64_t create_seconds, int64_t update_seconds);

// The members of an UpdateDestination body that say what to update.
struct UpdateDestinationRequest {
  std::string stream_name;
  std::string current_version_id;  // The caller compares it with the stored VersionId.
  std::string destination_id;
};
// Reads those members (and checks the body's shape); kInvalidArgument naming the member.
Result<UpdateDestinationRequest> ParseUpdateDestination(std::string_view update_json);

// Merges UpdateDestination's ExtendedS3DestinationUpdate (or S3DestinationUpdate) into the
// stored CreateDeliveryStream body: each member the update gives replaces the stored one
// whole (BufferingHints, ProcessingConfiguration, ... are not merged member by member), the
// rest stay. Returns the merged config and the new CreateDeliveryStream body to store. Fails
// with kInvalidArgument when the body is malformed, names another stream or destination, the
// merged config breaks a rule (message "after the update: <path>: ..."), or the update turns
// dynamic partitioning on (Firehose allows that only at creation). The version check is the
// caller's.
Result<std::pair<StreamConfig, std::string>> ApplyUpdateDestination(
    std::string_view current_create_json, std::string_view update_json);

}  // namespace tarn::delivery
