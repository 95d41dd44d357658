#include "delivery/stream_config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

// simdjson's classes change layout with SIMDJSON_THREADS_ENABLED, which simdjson::simdjson
// gives the libraries that link it but not this test; without the same value here, the
// parser's inline functions differ between this file and stream_config.cc (an ODR violation
// that crashes). Redundant once the test links simdjson::simdjson itself.
#ifndef SIMDJSON_THREADS_ENABLED
#define SIMDJSON_THREADS_ENABLED 1
#endif
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tarn::delivery {
namespace {

constexpr char kRole[] = "arn:aws:iam::000000000000:role/r";

// A CreateDeliveryStream body: stream "s", bucket "b", plus `destination` members (each
// starting with ',') and `top` members (each ending with ',').
std::string Body(std::string_view destination, std::string_view top = "") {
  return fmt::format(
      R"({{"DeliveryStreamName":"s",{}"ExtendedS3DestinationConfiguration":{{"RoleARN":"{}",)"
      R"("BucketARN":"arn:aws:s3:::b"{}}}}})",
      top, kRole, destination);
}

constexpr char kPartitioned[] =
    R"(,"Prefix":"p/k=!{partitionKeyFromQuery:k}/","ErrorOutputPrefix":"e/!{firehose:error-output-type}/",)"
    R"("DynamicPartitioningConfiguration":{"Enabled":true},"ProcessingConfiguration":{"Enabled":true,)"
    R"("Processors":[{"Type":"MetadataExtraction","Parameters":[{"ParameterName":"JsonParsingEngine",)"
    R"("ParameterValue":"JQ-1.6"},{"ParameterName":"MetadataExtractionQuery","ParameterValue":"{k:.k}"}]}]})";

constexpr char kConversion[] =
    R"(,"DataFormatConversionConfiguration":{"SchemaConfiguration":{"DatabaseName":"db",)"
    R"("TableName":"t","RoleARN":"arn:aws:iam::000000000000:role/r"},"InputFormatConfiguration":)"
    R"({"Deserializer":{"OpenXJsonSerDe":{}}},"OutputFormatConfiguration":{"Serializer":)"
    R"({"ParquetSerDe":{}}}})";

// `text` with the first `from` replaced by `to`.
std::string Swap(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

std::string Error(const std::string& json) {
  Result<StreamConfig> config = ParseCreateDeliveryStream(json);
  EXPECT_FALSE(config.ok()) << json;
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  return config.status().message();
}

StreamConfig Parse(const std::string& json) {
  Result<StreamConfig> config = ParseCreateDeliveryStream(json);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : StreamConfig();
}

std::string ReadExample(const std::string& name) {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
                    "examples" / "seed" / name;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(StreamConfigTest, TheSeedsJsonStream) {
  const StreamConfig c = Parse(ReadExample("events_json.json"));
  EXPECT_EQ(c.name, "events_json");
  EXPECT_EQ(c.bucket, "tarn-demo");
  EXPECT_EQ(c.buffering_hints.size_in_mbs, 64);
  EXPECT_EQ(c.buffering_hints.interval_in_seconds, 60);
  EXPECT_EQ(c.compression_format, CompressionFormat::kGzip);
  EXPECT_TRUE(c.dynamic_partitioning.enabled);
  EXPECT_TRUE(c.processing.Runs(ProcessorType::kMetadataExtraction));
  EXPECT_TRUE(c.processing.Runs(ProcessorType::kAppendDelimiterToRecord));
  EXPECT_EQ(c.processing.metadata_query.substr(0, 29), "{event_name:.name, event_date");
  EXPECT_TRUE(c.stream_encryption.enabled);
  EXPECT_FALSE(c.stream_encryption.customer_managed);
  EXPECT_FALSE(c.format_conversion_enabled());
}

TEST(StreamConfigTest, TheSeedsParquetStream) {
  const StreamConfig c = Parse(ReadExample("events_parquet.json"));
  EXPECT_EQ(c.name, "events_parquet");
  ASSERT_TRUE(c.format_conversion_enabled());
  EXPECT_EQ(c.compression_format, CompressionFormat::kUncompressed);
  EXPECT_EQ(c.data_format_conversion->schema.database_name, "kozlovski");
  EXPECT_EQ(c.data_format_conversion->schema.table_name, "events_parquet");
  EXPECT_TRUE(std::holds_alternative<HiveJsonSerDe>(c.data_format_conversion->deserializer));
  EXPECT_EQ(c.data_format_conversion->serializer.compression, ParquetCompression::kGzip);
  EXPECT_EQ(c.data_format_conversion->serializer.block_size_bytes, 256 << 20);
  EXPECT_EQ(c.prefix.substr(0, 19), "events_raw/parquet/");
}

TEST(StreamConfigTest, Defaults) {
  const StreamConfig c = Parse(Body(""));
  EXPECT_EQ(c.buffering_hints.size_in_mbs, 5);
  EXPECT_EQ(c.buffering_hints.interval_in_seconds, 300);
  EXPECT_EQ(c.compression_format, CompressionFormat::kUncompressed);
  EXPECT_FALSE(c.processing.enabled);
  EXPECT_FALSE(c.dynamic_partitioning.enabled);
  EXPECT_EQ(c.dynamic_partitioning.retry_duration_seconds, 300);
  EXPECT_EQ(c.active_partition_limit, 500);
  EXPECT_FALSE(c.stream_encryption.enabled);
  EXPECT_EQ(c.arn(), "arn:aws:firehose:us-east-1:000000000000:deliverystream/s");
  EXPECT_EQ(c.request_json, Body(""));
}

TEST(StreamConfigTest, FormatConversionBuffersAtLeast64MiB) {
  EXPECT_EQ(Parse(Body(kConversion)).buffering_hints.size_in_mbs, 128);
  EXPECT_EQ(Error(Body(std::string(kConversion) +
                       R"(,"BufferingHints":{"SizeInMBs":32,"IntervalInSeconds":60})")),
            "ExtendedS3DestinationConfiguration.BufferingHints.SizeInMBs: 32 is out of range "
            "64..128 with format conversion");
  EXPECT_EQ(Error(Body(std::string(kConversion) + R"(,"CompressionFormat":"GZIP")")),
            "ExtendedS3DestinationConfiguration.CompressionFormat: must be UNCOMPRESSED with "
            "format conversion, found GZIP (set the ParquetSerDe's Compression instead)");
}

TEST(StreamConfigTest, RangesNameTheMember) {
  EXPECT_EQ(Error(Body(R"(,"BufferingHints":{"SizeInMBs":200,"IntervalInSeconds":60})")),
            "ExtendedS3DestinationConfiguration.BufferingHints.SizeInMBs: 200 is out of range "
            "1..128");
  EXPECT_EQ(Error(Body(R"(,"BufferingHints":{"SizeInMBs":"64","IntervalInSeconds":60})")),
            "ExtendedS3DestinationConfiguration.BufferingHints.SizeInMBs: expected an integer, "
            "found \"64\"");
  EXPECT_EQ(Error(Body("", R"("TarnOptions":{"ActivePartitionLimit":6000},)")),
            "TarnOptions.ActivePartitionLimit: 6000 is out of range 1..5000");
  const std::string retry = Swap(kPartitioned, R"({"Enabled":true})",
                                 R"({"Enabled":true,"RetryOptions":{"DurationInSeconds":7201}})");
  EXPECT_EQ(Error(Body(retry)),
            "ExtendedS3DestinationConfiguration.DynamicPartitioningConfiguration.RetryOptions."
            "DurationInSeconds: 7201 is out of range 0..7200");
}

TEST(StreamConfigTest, BufferingHintsTakeBothOrNeither) {
  EXPECT_EQ(Error(Body(R"(,"BufferingHints":{"SizeInMBs":64})")),
            "ExtendedS3DestinationConfiguration.BufferingHints.IntervalInSeconds: required when "
            "BufferingHints has the other (Firehose takes both or neither)");
  EXPECT_EQ(Parse(Body(R"(,"BufferingHints":{})")).buffering_hints.size_in_mbs, 5);
}

TEST(StreamConfigTest, UnknownMembersAreRefusedWithTheirPath) {
  EXPECT_NE(Error(Body("", R"("DeliveryStreamNme":"x",)"))
                .find("DeliveryStreamNme: unknown member; the request has "),
            std::string::npos);
  EXPECT_NE(Error(Body(R"(,"Prefx":"a/")"))
                .find("ExtendedS3DestinationConfiguration.Prefx: unknown member; "
                      "ExtendedS3DestinationConfiguration has "),
            std::string::npos);
  EXPECT_NE(Error(Body(R"(,"BufferingHints":{"SizeInMBs":5,"IntervalInSeconds":60,"X":1})"))
                .find("ExtendedS3DestinationConfiguration.BufferingHints.X: unknown member"),
            std::string::npos);
}

TEST(StreamConfigTest, FeaturesTarnDoesNotRun) {
  EXPECT_EQ(Error(Body("", R"("DeliveryStreamType":"KinesisStreamAsSource",)")),
            "DeliveryStreamType: KinesisStreamAsSource is not supported by tarn; streams take "
            "records by PutRecord and PutRecordBatch (DirectPut)");
  EXPECT_EQ(Error(Body(R"(,"CompressionFormat":"ZIP")")),
            "ExtendedS3DestinationConfiguration.CompressionFormat: ZIP is not supported by tarn; "
            "use GZIP, ZSTD or Snappy");
  EXPECT_EQ(Error(Body(
                R"(,"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"Lambda"}]})")),
            "ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors[0].Type: Lambda "
            "processors are not supported by tarn");
  EXPECT_NE(Error(Body("", R"("RedshiftDestinationConfiguration":{},)"))
                .find("RedshiftDestinationConfiguration: not supported by tarn"),
            std::string::npos);
  EXPECT_NE(Error(Body(Swap(kConversion, "ParquetSerDe", "OrcSerDe")))
                .find("Serializer.OrcSerDe: not supported by tarn"),
            std::string::npos);
}

TEST(StreamConfigTest, ProcessorParameters) {
  auto processors = [](std::string_view list) {
    return Body(
        fmt::format(R"(,"ProcessingConfiguration":{{"Enabled":true,"Processors":[{}]}})", list));
  };
  const StreamConfig c = Parse(processors(
      R"({"Type":"RecordDeAggregation","Parameters":[{"ParameterName":"SubRecordType",)"
      R"("ParameterValue":"DELIMITED"},{"ParameterName":"Delimiter","ParameterValue":"IyMjIw=="}]})"));
  EXPECT_EQ(c.processing.sub_record_type, SubRecordType::kDelimited);
  EXPECT_EQ(c.processing.delimiter, "####");
  EXPECT_NE(Error(processors(R"({"Type":"RecordDeAggregation","Parameters":[{"ParameterName":)"
                             R"("SubRecordType","ParameterValue":"DELIMITED"}]})"))
                .find("Processors[0].Parameters: a RecordDeAggregation processor needs the "
                      "parameter Delimiter"),
            std::string::npos);
  EXPECT_NE(
      Error(processors(R"({"Type":"AppendDelimiterToRecord"},{"Type":"AppendDelimiterToRecord"})"))
          .find("Processors[1].Type: a second AppendDelimiterToRecord processor"),
      std::string::npos);
  const std::string engine = Swap(kPartitioned, "JQ-1.6", "JQ-1.5");
  EXPECT_NE(Error(Body(engine))
                .find("Processors[0].Parameters: JsonParsingEngine 'JQ-1.5': the "
                      "only engine is JQ-1.6"),
            std::string::npos);
}

TEST(StreamConfigTest, DynamicPartitioningRules) {
  EXPECT_TRUE(Parse(Body(kPartitioned)).dynamic_partitioning.enabled);
  EXPECT_EQ(Error(Body(R"(,"Prefix":"p/!{partitionKeyFromQuery:k}/","ErrorOutputPrefix":"e/")")),
            "ExtendedS3DestinationConfiguration.Prefix: !{partitionKeyFromQuery:k} needs dynamic "
            "partitioning; set DynamicPartitioningConfiguration.Enabled to true");
  EXPECT_NE(Error(Body(R"(,"Prefix":"p/!{partitionKeyFromQuery:k}/","ErrorOutputPrefix":"e/",)"
                       R"("DynamicPartitioningConfiguration":{"Enabled":true})"))
                .find("DynamicPartitioningConfiguration: dynamic partitioning needs "
                      "ProcessingConfiguration enabled with a MetadataExtraction processor"),
            std::string::npos);
  std::string no_error_prefix = kPartitioned;
  const size_t start = no_error_prefix.find(R"("ErrorOutputPrefix")");
  no_error_prefix.erase(start, no_error_prefix.find(R"("Dynamic)") - start);
  EXPECT_EQ(Error(Body(no_error_prefix)),
            "ExtendedS3DestinationConfiguration.ErrorOutputPrefix is required when Prefix uses "
            "expressions or dynamic partitioning");
}

TEST(StreamConfigTest, ArnsNamesExtensionsAndZones) {
  EXPECT_EQ(Error(Swap(Body(""), "arn:aws:s3:::b", "b")),
            "ExtendedS3DestinationConfiguration.BucketARN: 'b' is not an S3 bucket ARN "
            "(arn:aws:s3:::NAME, NAME of 1 to 255 letters, digits, '.', '_' and '-')");
  EXPECT_NE(Error(Swap(Body(""), ":::b", ":::_tarn")).find("reserved"), std::string::npos);
  EXPECT_NE(Error(Swap(Body(""), kRole, "role")).find("RoleARN: 'role' is not an IAM role ARN"),
            std::string::npos);
  EXPECT_NE(Error(Swap(Body(""), R"("s")", R"("..")")).find("DeliveryStreamName: '..' must be"),
            std::string::npos);
  EXPECT_EQ(Parse(Body(R"(,"FileExtension":".json.gz")")).file_extension, ".json.gz");
  EXPECT_NE(Error(Body(R"(,"FileExtension":".GZ")")).find("FileExtension: '.GZ' must be"),
            std::string::npos);
  EXPECT_EQ(Parse(Body(R"(,"CustomTimeZone":"Europe/Warsaw")")).custom_time_zone, "Europe/Warsaw");
  EXPECT_EQ(Error(Body(R"(,"CustomTimeZone":"Europe/Nowhere")")),
            "ExtendedS3DestinationConfiguration.CustomTimeZone: time zone 'Europe/Nowhere' is "
            "unknown: no file /usr/share/zoneinfo/Europe/Nowhere");
}

TEST(StreamConfigTest, StreamEncryptionAndTags) {
  EXPECT_EQ(
      Error(Body(
          "",
          R"("DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"},)")),
      "DeliveryStreamEncryptionConfigurationInput.KeyARN: required with KeyType "
      "CUSTOMER_MANAGED_CMK");
  const StreamConfig c = Parse(Body("", R"("Tags":[{"Key":"team","Value":"data"}],)"));
  ASSERT_EQ(c.tags.size(), 1u);
  EXPECT_EQ(c.tags[0].second, "data");
  EXPECT_EQ(Error(Body("", R"("Tags":[{"Key":"a"},{"Key":"a"}],)")),
            "Tags[1].Key: 'a' is given twice");
}

TEST(StreamConfigTest, DestinationsAndMalformedBodies) {
  const StreamConfig plain = Parse(
      fmt::format(R"({{"DeliveryStreamName":"s","S3DestinationConfiguration":{{"RoleARN":"{}",)"
                  R"("BucketARN":"arn:aws:s3:::b","CompressionFormat":"GZIP"}}}})",
                  kRole));
  EXPECT_TRUE(plain.plain_s3_destination);
  EXPECT_EQ(plain.compression_format, CompressionFormat::kGzip);
  EXPECT_EQ(Error(R"({"DeliveryStreamName":"s"})"),
            "ExtendedS3DestinationConfiguration: required (or the deprecated "
            "S3DestinationConfiguration)");
  EXPECT_NE(Error("{nope").find("the CreateDeliveryStream body is not valid JSON"),
            std::string::npos);
}

TEST(StreamConfigTest, DescribeMaterialisesDefaults) {
  const StreamConfig c = Parse(ReadExample("events_parquet.json"));
  const std::string json = DescribeDeliveryStreamJson(c, "3", 1700000000, 1700000100);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  auto d = root["DeliveryStreamDescription"];
  EXPECT_EQ(std::string_view(d["DeliveryStreamARN"]),
            "arn:aws:firehose:us-east-1:000000000000:deliverystream/events_parquet");
  EXPECT_EQ(std::string_view(d["DeliveryStreamStatus"]), "ACTIVE");
  EXPECT_EQ(std::string_view(d["VersionId"]), "3");
  EXPECT_EQ(int64_t(d["LastUpdateTimestamp"]), 1700000100);
  EXPECT_EQ(std::string_view(d["DeliveryStreamEncryptionConfiguration"]["Status"]), "ENABLED");
  EXPECT_FALSE(bool(d["HasMoreDestinations"]));
  auto dest = d["Destinations"].at(0);
  EXPECT_EQ(std::string_view(dest["DestinationId"]), "destinationId-000000000001");
  auto s3 = dest["ExtendedS3DestinationDescription"];
  EXPECT_EQ(int64_t(s3["BufferingHints"]["SizeInMBs"]), 64);
  EXPECT_EQ(std::string_view(s3["EncryptionConfiguration"]["NoEncryptionConfig"]), "NoEncryption");
  auto parquet = s3["DataFormatConversionConfiguration"]["OutputFormatConfiguration"]["Serializer"]
                   ["ParquetSerDe"];
  EXPECT_EQ(int64_t(parquet["BlockSizeBytes"]), 256 << 20);
  EXPECT_EQ(std::string_view(parquet["Compression"]), "GZIP");
  EXPECT_EQ(std::string_view(s3["ProcessingConfiguration"]["Processors"].at(0)["Parameters"].at(
                1)["ParameterValue"]),
            c.processing.metadata_query);
}

TEST(StreamConfigTest, DescribeWithoutStreamEncryption) {
  const std::string json = DescribeDeliveryStreamJson(Parse(Body("")), "1", 1, 1);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  auto d = root["DeliveryStreamDescription"];
  EXPECT_EQ(std::string_view(d["DeliveryStreamEncryptionConfiguration"]["Status"]), "DISABLED");
  auto s3 = d["Destinations"].at(0)["ExtendedS3DestinationDescription"];
  EXPECT_EQ(int64_t(s3["BufferingHints"]["IntervalInSeconds"]), 300);
  EXPECT_EQ(std::string_view(s3["CompressionFormat"]), "UNCOMPRESSED");
  EXPECT_EQ(std::string_view(s3["CustomTimeZone"]), "UTC");
}

std::string Update(std::string_view members, std::string_view id = "destinationId-000000000001") {
  return fmt::format(R"({{"DeliveryStreamName":"events_json","CurrentDeliveryStreamVersionId":"1",)"
                     R"("DestinationId":"{}","ExtendedS3DestinationUpdate":{{{}}}}})",
                     id, members);
}

TEST(StreamConfigTest, UpdateReplacesOnlyTheGivenMembers) {
  const std::string current = ReadExample("events_json.json");
  auto result = ApplyUpdateDestination(
      current, Update(R"("BufferingHints":{"SizeInMBs":128,"IntervalInSeconds":300},)"
                      R"("CompressionFormat":"ZSTD","FileExtension":".json.zst")"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& [config, text] = *result;
  EXPECT_EQ(config.buffering_hints.size_in_mbs, 128);
  EXPECT_EQ(config.compression_format, CompressionFormat::kZstd);
  EXPECT_EQ(config.file_extension, ".json.zst");
  EXPECT_EQ(config.prefix, Parse(current).prefix);
  EXPECT_TRUE(config.processing.Runs(ProcessorType::kAppendDelimiterToRecord));
  EXPECT_TRUE(config.stream_encryption.enabled);
  EXPECT_EQ(Parse(text).buffering_hints.size_in_mbs, 128);
  EXPECT_EQ(config.request_json, text);
}

TEST(StreamConfigTest, UpdateErrors) {
  const std::string current = ReadExample("events_json.json");
  auto error = [&](const std::string& update) {
    return ApplyUpdateDestination(current, update).status().message();
  };
  EXPECT_NE(error(Update(R"("Prefx":"a/")"))
                .find("after the update: "
                      "ExtendedS3DestinationConfiguration.Prefx: "
                      "unknown member"),
            std::string::npos);
  EXPECT_NE(error(Update("", "destinationId-000000000002")).find("DestinationId: "),
            std::string::npos);
  EXPECT_EQ(error(R"({"DeliveryStreamName":"events_json","DestinationId":"d",)"
                  R"("ExtendedS3DestinationUpdate":{}})"),
            "CurrentDeliveryStreamVersionId: required");
  const std::string plain = Body("");
  EXPECT_NE(ApplyUpdateDestination(
                plain, Swap(Update(std::string(kPartitioned).substr(1)), "events_json", "s"))
                .status()
                .message()
                .find("dynamic partitioning can only be enabled when a stream is created"),
            std::string::npos);
}

TEST(StreamConfigTest, ParseUpdateDestinationReadsTheTarget) {
  auto request = ParseUpdateDestination(Update(""));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->stream_name, "events_json");
  EXPECT_EQ(request->current_version_id, "1");
  EXPECT_EQ(request->destination_id, "destinationId-000000000001");
}

}  // namespace
}  // namespace tarn::delivery
