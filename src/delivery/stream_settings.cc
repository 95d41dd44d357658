#include "delivery/stream_settings.h"

#include <fmt/format.h>

#include "delivery/serde_rewrite.h"
#include "storage/object_store.h"

namespace tarn::delivery {
namespace {

ObjectCompression ToObjectCompression(CompressionFormat format) {
  switch (format) {
    case CompressionFormat::kGzip:
      return ObjectCompression::kGzip;
    case CompressionFormat::kSnappy:
      return ObjectCompression::kSnappy;
    case CompressionFormat::kHadoopSnappy:
      return ObjectCompression::kHadoopSnappy;
    case CompressionFormat::kZstd:
      return ObjectCompression::kZstd;
    case CompressionFormat::kUncompressed:
      break;
  }
  return ObjectCompression::kUncompressed;
}

// Keys become folders of the lake, so a prefix's literal text must not make an empty, "." or
// ".." folder name or start with '/' (S3 would take such keys; a file system cannot).
Status CheckPrefixMakesSafeKeys(std::string_view member, const std::string& text) {
  std::string sample;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "!{") == 0) {
      const size_t end = text.find('}', i);
      if (end == std::string::npos) break;
      sample.push_back('x');
      i = end + 1;
    } else {
      sample.push_back(text[i++]);
    }
  }
  sample.push_back('x');
  if (!storage::IsSafeKey(sample)) {
    return InvalidArgument(fmt::format(
        "ExtendedS3DestinationConfiguration.{}: '{}' makes object keys with an empty, '.' or "
        "'..' folder name or a leading '/', which the lake's folders cannot hold",
        member, text));
  }
  return Status::Ok();
}

Status SetConversion(const DataFormatConversionConfig& config, catalog::SqliteCatalog& catalog,
                     ConversionSettings* out) {
  constexpr std::string_view kWhere =
      "ExtendedS3DestinationConfiguration.DataFormatConversionConfiguration";
  const SchemaConfig& schema = config.schema;
  Result<catalog::TableDefinition> table =
      catalog.GetTable(schema.database_name, schema.table_name);
  if (!table.ok()) {
    return InvalidArgument(
        fmt::format("{}.SchemaConfiguration: {}", kWhere, table.status().message()));
  }
  out->database = schema.database_name;
  out->table = schema.table_name;
  const OpenXJsonSerDe* openx = std::get_if<OpenXJsonSerDe>(&config.deserializer);
  const HiveJsonSerDe* hive = std::get_if<HiveJsonSerDe>(&config.deserializer);
  out->reader.case_insensitive = openx == nullptr || openx->case_insensitive;
  std::vector<std::string> timestamps;
  for (const catalog::Column& column : table->columns) {
    out->schema.push_back(formats::Field{column.name, column.type});
    formats::JsonColumnSpec spec{column.name, column.type, {}};
    if (openx != nullptr) {
      auto mapped = openx->column_to_json_key_mappings.find(column.name);
      if (mapped != openx->column_to_json_key_mappings.end()) spec.path = {mapped->second};
    }
    out->columns.push_back(std::move(spec));
    if (column.type.kind == formats::TypeKind::kTimestamp) timestamps.push_back(column.name);
  }
  const bool convert_dots = openx != nullptr && openx->convert_dots_in_json_keys_to_underscores;
  const std::vector<std::string> no_formats;
  Result<SerDeRewrite> rewrite =
      SerDeRewrite::Make(convert_dots, hive != nullptr ? hive->timestamp_formats : no_formats,
                         std::move(timestamps), out->reader.case_insensitive);
  if (!rewrite.ok()) {
    return InvalidArgument(fmt::format("{}.InputFormatConfiguration.Deserializer.HiveJsonSerDe.{}",
                                       kWhere, rewrite.status().message()));
  }
  if (rewrite->active()) out->rewrite = std::make_shared<SerDeRewrite>(std::move(*rewrite));
  const ParquetSerDe& parquet = config.serializer;
  switch (parquet.compression) {
    case ParquetCompression::kUncompressed:
      out->writer.compression = formats::CompressionCodec::kUncompressed;
      break;
    case ParquetCompression::kGzip:
      out->writer.compression = formats::CompressionCodec::kGzip;
      break;
    case ParquetCompression::kSnappy:
      out->writer.compression = formats::CompressionCodec::kSnappy;
      break;
  }
  out->writer.row_group_bytes = parquet.block_size_bytes;
  out->writer.page_bytes = parquet.page_size_bytes;
  out->writer.dictionary = parquet.enable_dictionary_compression.value_or(true);
  out->writer.page_version = parquet.writer_version == ParquetWriterVersion::kV2
                                 ? formats::parquet::DataPageVersion::kV2
                                 : formats::parquet::DataPageVersion::kV1;
  return Status::Ok();
}

}  // namespace

Result<DeliverySettings> MakeDeliverySettings(const StreamConfig& config,
                                              const std::string& version_id,
                                              catalog::SqliteCatalog& catalog,
                                              storage::Keyring* keyring) {
  TARN_RETURN_IF_ERROR(CheckPrefixMakesSafeKeys("Prefix", config.prefix));
  TARN_RETURN_IF_ERROR(CheckPrefixMakesSafeKeys("ErrorOutputPrefix", config.error_output_prefix));
  DeliverySettings settings;
  settings.name = config.name;
  settings.version = version_id;
  settings.bucket = config.bucket;
  settings.prefix = config.prefix;
  settings.error_prefix = config.error_output_prefix;
  // Stream encryption protects what the stream holds: its log, and (since tarn's lake shares
  // the disk with it) the objects it delivers; the destination's KMS setting asks for the
  // objects alone (docs/encryption.md).
  settings.encrypt_log = config.stream_encryption.enabled;
  settings.encrypt_objects = EncryptsObjects(config);
  settings.keyring = keyring;
  if ((settings.encrypt_log || settings.encrypt_objects) && keyring == nullptr) {
    return InvalidArgument(fmt::format(
        "delivery stream '{}' asks for encryption, and the lake's keyring was not opened",
        config.name));
  }
  settings.buffer_bytes = static_cast<uint64_t>(config.buffering_hints.size_in_mbs) << 20;
  settings.interval_seconds = config.buffering_hints.interval_in_seconds;
  settings.compression = ToObjectCompression(config.compression_format);
  settings.file_extension = config.file_extension;
  settings.time_zone = config.custom_time_zone;
  const ProcessingConfig& processing = config.processing;
  if (processing.Runs(ProcessorType::kRecordDeAggregation)) {
    settings.deaggregation = processing.sub_record_type == SubRecordType::kJson
                                 ? DeaggregationType::kJson
                                 : DeaggregationType::kDelimited;
    settings.delimiter = processing.delimiter;
  }
  if (processing.Runs(ProcessorType::kMetadataExtraction)) {
    settings.metadata_query = processing.metadata_query;
  }
  settings.append_delimiter = processing.Runs(ProcessorType::kAppendDelimiterToRecord);
  settings.dynamic_partitioning = config.dynamic_partitioning.enabled;
  settings.active_partition_limit = static_cast<size_t>(config.active_partition_limit);
  if (config.format_conversion_enabled()) {
    settings.conversion_enabled = true;
    TARN_RETURN_IF_ERROR(
        SetConversion(*config.data_format_conversion, catalog, &settings.conversion));
  }
  return settings;
}

}  // namespace tarn::delivery
