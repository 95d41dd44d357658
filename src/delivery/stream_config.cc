#include "delivery/stream_config.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <set>

#include "common/base64.h"
#include "common/json_text.h"
#include "common/time_zone.h"
#include "delivery/prefix.h"

namespace tarn::delivery {
namespace {

constexpr std::string_view kExtended = "ExtendedS3DestinationConfiguration";
constexpr std::string_view kPlain = "S3DestinationConfiguration";
constexpr std::string_view kExtendedUpdate = "ExtendedS3DestinationUpdate";
constexpr std::string_view kPlainUpdate = "S3DestinationUpdate";

constexpr int kMinConversionBufferMiB = 64;
constexpr int kConversionDefaultBufferMiB = 128;

// The first failure while reading a request; later ones are dropped, since the first names
// the member to fix.
struct ErrorSink {
  Status status;
  void Fail(std::string message) {
    if (status.ok()) status = InvalidArgument(std::move(message));
  }
};

std::string Join(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// One JSON object of a request, read member by member. Every member asked for is known;
// Finish() reports the members nobody asked for, since Firehose refuses unknown members too.
// A JSON null counts as an absent member.
class Members {
 public:
  Members(simdjson::dom::object object, std::string path, ErrorSink* sink)
      : object_(object), path_(std::move(path)), sink_(sink) {}

  const std::string& path() const { return path_; }
  simdjson::dom::object object() const { return object_; }
  std::string PathOf(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }
  void Fail(std::string_view key, std::string_view message) {
    sink_->Fail(fmt::format("{}: {}", PathOf(key), message));
  }
  ErrorSink* sink() const { return sink_; }

  std::optional<simdjson::dom::element> Get(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
    simdjson::dom::element value;
    if (object_.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) {
      return std::nullopt;
    }
    return value;
  }

  bool Has(std::string_view key) { return Get(key).has_value(); }

  void Required(std::string_view key, std::string_view why = "") {
    if (!Has(key)) Fail(key, why.empty() ? "required" : fmt::format("required {}", why));
  }

  // Strings of `min_length..max_length` characters; true when present and valid.
  bool String(std::string_view key, std::string* out, size_t min_length, size_t max_length) {
    const auto value = Get(key);
    if (!value) return false;
    std::string_view text;
    if (value->get_string().get(text) != simdjson::SUCCESS) {
      Fail(key, "expected a string");
      return false;
    }
    if (text.size() < min_length || text.size() > max_length) {
      Fail(key, min_length == 1 && text.empty() ? "must not be empty"
                                                : fmt::format("{} characters, expected {}..{}",
                                                              text.size(), min_length, max_length));
      return false;
    }
    *out = std::string(text);
    return true;
  }

  bool Int(std::string_view key, int64_t* out, int64_t min, int64_t max) {
    const auto value = Get(key);
    if (!value) return false;
    int64_t number = 0;
    if (value->get_int64().get(number) != simdjson::SUCCESS) {
      Fail(key, fmt::format("expected an integer, found {}", simdjson::minify(*value)));
      return false;
    }
    if (number < min || number > max) {
      Fail(key, fmt::format("{} is out of range {}..{}", number, min, max));
      return false;
    }
    *out = number;
    return true;
  }

  bool Int(std::string_view key, int* out, int64_t min, int64_t max) {
    int64_t number = 0;
    if (!Int(key, &number, min, max)) return false;
    *out = static_cast<int>(number);
    return true;
  }

  bool Bool(std::string_view key, bool* out) {
    const auto value = Get(key);
    if (!value) return false;
    if (value->get_bool().get(*out) != simdjson::SUCCESS) {
      Fail(key, fmt::format("expected true or false, found {}", simdjson::minify(*value)));
      return false;
    }
    return true;
  }

  // One of `names`; returns its index, or -1 when absent or not one of them.
  int Enum(std::string_view key, std::initializer_list<std::string_view> names) {
    std::string text;
    if (!String(key, &text, 0, 1024)) return -1;
    int index = 0;
    for (std::string_view name : names) {
      if (text == name) return index;
      ++index;
    }
    Fail(key, fmt::format("'{}' is not one of {}", text, Join(names)));
    return -1;
  }

  std::optional<Members> Object(std::string_view key) {
    const auto value = Get(key);
    if (!value) return std::nullopt;
    simdjson::dom::object object;
    if (value->get_object().get(object) != simdjson::SUCCESS) {
      Fail(key, "expected an object");
      return std::nullopt;
    }
    return Members(object, PathOf(key), sink_);
  }

  std::optional<simdjson::dom::array> Array(std::string_view key, size_t min, size_t max) {
    const auto value = Get(key);
    if (!value) return std::nullopt;
    simdjson::dom::array array;
    if (value->get_array().get(array) != simdjson::SUCCESS) {
      Fail(key, "expected an array");
      return std::nullopt;
    }
    if (array.size() < min || array.size() > max) {
      Fail(key, fmt::format("{} entries, expected {}..{}", array.size(), min, max));
      return std::nullopt;
    }
    return array;
  }

  // A member Firehose has and tarn does not run.
  void Unsupported(std::string_view key, std::string_view why) {
    if (Has(key)) Fail(key, fmt::format("not supported by tarn ({})", why));
  }

  void Finish() {
    std::set<std::string_view> seen;
    for (const auto field : object_) {
      if (!seen.insert(field.key).second) {
        Fail(field.key, "appears twice");
      } else if (std::find(known_.begin(), known_.end(), field.key) == known_.end()) {
        std::vector<std::string_view> sorted = known_;
        std::sort(sorted.begin(), sorted.end());
        Fail(field.key, fmt::format("unknown member; {} has {}",
                                    path_.empty() ? "the request" : path_, Join(sorted)));
      }
    }
  }

 private:
  simdjson::dom::object object_;
  std::string path_;
  ErrorSink* sink_;
  std::vector<std::string_view> known_;
};

// An object at `path` in an array.
std::optional<Members> ArrayObject(simdjson::dom::element element, std::string path,
                                   ErrorSink* sink) {
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    sink->Fail(path + ": expected an object");
    return std::nullopt;
  }
  return Members(object, std::move(path), sink);
}

bool IsStreamName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// arn:PARTITION:iam::ACCOUNT(12 digits):role/NAME, the model's pattern for RoleARN.
bool IsRoleArn(std::string_view arn) {
  if (!arn.starts_with("arn:")) return false;
  const size_t iam = arn.find(":iam::", 4);
  if (iam == std::string_view::npos || iam == 4) return false;
  const std::string_view rest = arn.substr(iam + 6);
  if (rest.size() < 12 + 7 || rest.substr(12, 6) != ":role/") return false;
  if (!std::all_of(rest.begin(), rest.begin() + 12, [](char c) { return std::isdigit(c); })) {
    return false;
  }
  const std::string_view name = rest.substr(18);
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_+=,.@-/").find(c) != std::string_view::npos;
  });
}

// The bucket of `arn:...:s3:::NAME`, NAME of 1..255 [A-Za-z0-9_.-]; empty when it is not one.
std::string BucketFromArn(std::string_view arn) {
  if (!arn.starts_with("arn:")) return "";
  const size_t s3 = arn.rfind(":s3:::");
  if (s3 == std::string_view::npos || s3 < 4) return "";
  const std::string_view name = arn.substr(s3 + 6);
  if (name.empty() || name.size() > 255) return "";
  const bool ok = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
  return ok ? std::string(name) : "";
}

bool IsFileExtension(std::string_view text) {
  if (text.empty()) return true;
  if (text.size() < 2 || text.front() != '.') return false;
  return std::all_of(text.begin() + 1, text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           std::string_view("!-_.*'()").find(c) != std::string_view::npos;
  });
}

bool IsTimeZoneName(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '/' || c == '_';
  });
}

void ParseBufferingHints(Members& m, BufferingHints* out, bool* size_given) {
  const bool size = m.Int("SizeInMBs", &out->size_in_mbs, 1, 128);
  const bool interval = m.Int("IntervalInSeconds", &out->interval_in_seconds, 0, 900);
  if (size != interval && m.sink()->status.ok()) {
    m.Fail(size ? "IntervalInSeconds" : "SizeInMBs",
           "required when BufferingHints has the other (Firehose takes both or neither)");
  }
  *size_given = size;
  m.Finish();
}

void ParseEncryption(Members& m, std::string* kms_key_arn) {
  const bool none = m.Enum("NoEncryptionConfig", {"NoEncryption"}) == 0;
  if (auto kms = m.Object("KMSEncryptionConfig")) {
    kms->Required("AWSKMSKeyARN");
    if (kms->String("AWSKMSKeyARN", kms_key_arn, 1, 512) && !kms_key_arn->starts_with("arn:")) {
      kms->Fail("AWSKMSKeyARN", "expected a KMS key ARN (arn:...)");
    }
    kms->Finish();
    if (none)
      m.Fail("KMSEncryptionConfig", "give NoEncryptionConfig or KMSEncryptionConfig, not both");
  }
  m.Finish();
}

void ParseCloudWatch(Members& m, CloudWatchLoggingOptions* out) {
  m.Bool("Enabled", &out->enabled);
  m.String("LogGroupName", &out->log_group_name, 0, 512);
  m.String("LogStreamName", &out->log_stream_name, 0, 512);
  m.Finish();
}

void ParseProcessor(Members& m, ProcessingConfig* out) {
  const int type =
      m.Enum("Type", {"RecordDeAggregation", "MetadataExtraction", "AppendDelimiterToRecord",
                      "Lambda", "Decompression", "CloudWatchLogProcessing"});
  m.Required("Type");
  if (type >= 3) {
    m.Fail("Type", fmt::format("{} processors are not supported by tarn",
                               type == 3   ? "Lambda"
                               : type == 4 ? "Decompression"
                                           : "CloudWatchLogProcessing"));
  }
  std::map<std::string, std::string> parameters;
  if (auto array = m.Array("Parameters", 0, 1000)) {
    size_t index = 0;
    for (simdjson::dom::element element : *array) {
      const std::string path = fmt::format("{}[{}]", m.PathOf("Parameters"), index++);
      auto parameter = ArrayObject(element, path, m.sink());
      if (!parameter) continue;
      const int name = parameter->Enum(
          "ParameterName",
          {"LambdaArn", "NumberOfRetries", "MetadataExtractionQuery", "JsonParsingEngine",
           "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds", "SubRecordType", "Delimiter",
           "CompressionFormat", "DataMessageExtraction"});
      parameter->Required("ParameterName");
      parameter->Required("ParameterValue");
      std::string value;
      if (parameter->String("ParameterValue", &value, 1, 5120) &&
          value.find_first_not_of(" \t\r\n") == std::string::npos) {
        parameter->Fail("ParameterValue", "must not be blank");
      }
      parameter->Finish();
      std::string name_text;
      parameter->String("ParameterName", &name_text, 0, 1024);
      if (name >= 0 && !parameters.emplace(name_text, value).second) {
        parameter->Fail("ParameterName", fmt::format("{} is given twice", name_text));
      }
    }
  }
  m.Finish();
  if (type < 0 || type >= 3 || !m.sink()->status.ok()) return;

  const auto processor_type = static_cast<ProcessorType>(type);
  if (out->Has(processor_type)) {
    m.Fail("Type", fmt::format("a second {} processor; each type may appear once",
                               ProcessorTypeName(processor_type)));
    return;
  }
  out->order.push_back(processor_type);
  auto allow = [&](std::initializer_list<std::string_view> names) {
    for (const auto& [name, value] : parameters) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        m.Fail("Parameters",
               fmt::format("{} does not apply to a {} processor{}", name,
                           ProcessorTypeName(processor_type),
                           names.size() == 0 ? ", which takes no parameters"
                                             : fmt::format("; it takes {}", Join(names))));
        return;
      }
    }
  };
  auto required = [&](std::string_view name) {
    if (parameters.count(std::string(name)) == 0) {
      m.Fail("Parameters", fmt::format("a {} processor needs the parameter {}",
                                       ProcessorTypeName(processor_type), name));
    }
  };
  switch (processor_type) {
    case ProcessorType::kRecordDeAggregation: {
      allow({"SubRecordType", "Delimiter"});
      required("SubRecordType");
      const std::string sub_type = parameters["SubRecordType"];
      if (sub_type == "DELIMITED") {
        out->sub_record_type = SubRecordType::kDelimited;
        required("Delimiter");
        if (auto it = parameters.find("Delimiter"); it != parameters.end()) {
          Result<std::string> decoded = DecodeBase64(it->second);
          if (!decoded.ok()) {
            m.Fail("Parameters", "Delimiter: must be base64 (e.g. IyMjIw== for ####): " +
                                     decoded.status().message());
          } else {
            out->delimiter = *decoded;
          }
        }
      } else if (sub_type == "JSON") {
        out->sub_record_type = SubRecordType::kJson;
        if (parameters.count("Delimiter") != 0) {
          m.Fail("Parameters", "Delimiter applies only to SubRecordType DELIMITED");
        }
      } else if (!sub_type.empty()) {
        m.Fail("Parameters", fmt::format("SubRecordType '{}' is not JSON or DELIMITED", sub_type));
      }
      break;
    }
    case ProcessorType::kMetadataExtraction: {
      allow({"JsonParsingEngine", "MetadataExtractionQuery"});
      required("JsonParsingEngine");
      required("MetadataExtractionQuery");
      if (auto it = parameters.find("JsonParsingEngine");
          it != parameters.end() && it->second != "JQ-1.6") {
        m.Fail("Parameters",
               fmt::format("JsonParsingEngine '{}': the only engine is JQ-1.6", it->second));
      }
      out->metadata_query = parameters["MetadataExtractionQuery"];
      break;
    }
    case ProcessorType::kAppendDelimiterToRecord:
      allow({});
      break;
  }
}

void ParseProcessing(Members& m, ProcessingConfig* out) {
  m.Bool("Enabled", &out->enabled);
  if (auto processors = m.Array("Processors", 0, 100)) {
    size_t index = 0;
    for (simdjson::dom::element element : *processors) {
      auto processor =
          ArrayObject(element, fmt::format("{}[{}]", m.PathOf("Processors"), index++), m.sink());
      if (processor) ParseProcessor(*processor, out);
    }
  }
  m.Finish();
}

void ParseDynamicPartitioning(Members& m, DynamicPartitioningConfig* out) {
  m.Bool("Enabled", &out->enabled);
  if (auto retry = m.Object("RetryOptions")) {
    retry->Int("DurationInSeconds", &out->retry_duration_seconds, 0, 7200);
    retry->Finish();
  }
  m.Finish();
}

void ParseSchema(Members& m, bool enabled, SchemaConfig* out) {
  if (enabled) {
    for (std::string_view key : {"DatabaseName", "TableName", "RoleARN"}) {
      m.Required(key, "when format conversion is enabled");
    }
  }
  m.String("DatabaseName", &out->database_name, 1, 1024);
  m.String("TableName", &out->table_name, 1, 1024);
  m.String("RoleARN", &out->role_arn, 1, 512);
  m.String("CatalogId", &out->catalog_id, 1, 1024);
  m.String("Region", &out->region, 1, 1024);
  m.String("VersionId", &out->version_id, 1, 1024);
  m.Finish();
}

void ParseDeserializer(Members& m, DataFormatConversionConfig* out) {
  auto openx = m.Object("OpenXJsonSerDe");
  auto hive = m.Object("HiveJsonSerDe");
  if (openx.has_value() == hive.has_value()) {
    m.Fail("OpenXJsonSerDe", "give exactly one of OpenXJsonSerDe and HiveJsonSerDe");
  }
  if (openx) {
    OpenXJsonSerDe serde;
    openx->Bool("CaseInsensitive", &serde.case_insensitive);
    openx->Bool("ConvertDotsInJsonKeysToUnderscores",
                &serde.convert_dots_in_json_keys_to_underscores);
    if (auto mappings = openx->Object("ColumnToJsonKeyMappings")) {
      for (const auto field : mappings->object()) {
        std::string value;
        if (mappings->String(field.key, &value, 1, 1024)) {
          serde.column_to_json_key_mappings[std::string(field.key)] = value;
        }
      }
      mappings->Finish();
    }
    openx->Finish();
    out->deserializer = std::move(serde);
  } else if (hive) {
    HiveJsonSerDe serde;
    if (auto formats = hive->Array("TimestampFormats", 0, 1000)) {
      size_t index = 0;
      for (simdjson::dom::element element : *formats) {
        std::string_view text;
        if (element.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
          m.sink()->Fail(fmt::format("{}[{}]: expected a non-empty string",
                                     hive->PathOf("TimestampFormats"), index));
        }
        serde.timestamp_formats.emplace_back(text);
        ++index;
      }
    }
    hive->Finish();
    out->deserializer = std::move(serde);
  }
  m.Finish();
}

void ParseSerializer(Members& m, ParquetSerDe* out) {
  m.Unsupported("OrcSerDe", "tarn writes Parquet; use ParquetSerDe");
  auto parquet = m.Object("ParquetSerDe");
  if (!parquet) {
    m.Required("ParquetSerDe");
  } else {
    parquet->Int("BlockSizeBytes", &out->block_size_bytes, 64 << 20, INT32_MAX);
    parquet->Int("PageSizeBytes", &out->page_size_bytes, 64 << 10, INT32_MAX);
    const int compression = parquet->Enum("Compression", {"UNCOMPRESSED", "GZIP", "SNAPPY"});
    if (compression >= 0) out->compression = static_cast<ParquetCompression>(compression);
    bool dictionary = false;
    if (parquet->Bool("EnableDictionaryCompression", &dictionary)) {
      out->enable_dictionary_compression = dictionary;
    }
    parquet->Int("MaxPaddingBytes", &out->max_padding_bytes, 0, INT32_MAX);
    const int version = parquet->Enum("WriterVersion", {"V1", "V2"});
    if (version >= 0) out->writer_version = static_cast<ParquetWriterVersion>(version);
    parquet->Finish();
  }
  m.Finish();
}

void ParseDataFormatConversion(Members& m, DataFormatConversionConfig* out) {
  m.Bool("Enabled", &out->enabled);
  if (out->enabled) {
    for (std::string_view key :
         {"SchemaConfiguration", "InputFormatConfiguration", "OutputFormatConfiguration"}) {
      m.Required(key, "when format conversion is enabled");
    }
  }
  if (auto schema = m.Object("SchemaConfiguration"))
    ParseSchema(*schema, out->enabled, &out->schema);
  if (auto input = m.Object("InputFormatConfiguration")) {
    if (auto deserializer = input->Object("Deserializer")) {
      ParseDeserializer(*deserializer, out);
    } else {
      input->Required("Deserializer");
    }
    input->Finish();
  }
  if (auto output = m.Object("OutputFormatConfiguration")) {
    if (auto serializer = output->Object("Serializer")) {
      ParseSerializer(*serializer, &out->serializer);
    } else {
      output->Required("Serializer");
    }
    output->Finish();
  }
  m.Finish();
}

// Reads the destination's members; `size_given` says whether BufferingHints.SizeInMBs was
// given, for the default that format conversion changes.
void ParseDestination(Members& d, bool extended, StreamConfig* c, bool* size_given) {
  d.Required("RoleARN");
  if (d.String("RoleARN", &c->role_arn, 1, 512) && !IsRoleArn(c->role_arn)) {
    d.Fail("RoleARN",
           fmt::format("'{}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)",
                       c->role_arn));
  }
  d.Required("BucketARN");
  if (d.String("BucketARN", &c->bucket_arn, 1, 2048)) {
    c->bucket = BucketFromArn(c->bucket_arn);
    if (c->bucket.empty()) {
      d.Fail("BucketARN", fmt::format("'{}' is not an S3 bucket ARN (arn:aws:s3:::NAME, NAME of "
                                      "1 to 255 letters, digits, '.', '_' and '-')",
                                      c->bucket_arn));
    } else if (c->bucket == "." || c->bucket == ".." || c->bucket == "_tarn") {
      d.Fail("BucketARN",
             fmt::format("the bucket name '{}' is reserved in a tarn lake", c->bucket));
    }
  }
  d.String("Prefix", &c->prefix, 0, 1024);
  d.String("ErrorOutputPrefix", &c->error_output_prefix, 0, 1024);
  if (auto hints = d.Object("BufferingHints"))
    ParseBufferingHints(*hints, &c->buffering_hints, size_given);
  std::string compression;
  if (d.String("CompressionFormat", &compression, 0, 64)) {
    static constexpr std::array<std::pair<std::string_view, CompressionFormat>, 5> kFormats = {{
        {"UNCOMPRESSED", CompressionFormat::kUncompressed},
        {"GZIP", CompressionFormat::kGzip},
        {"Snappy", CompressionFormat::kSnappy},
        {"HADOOP_SNAPPY", CompressionFormat::kHadoopSnappy},
        {"ZSTD", CompressionFormat::kZstd},
    }};
    const auto it = std::find_if(kFormats.begin(), kFormats.end(),
                                 [&](const auto& f) { return f.first == compression; });
    if (compression == "ZIP") {
      d.Fail("CompressionFormat", "ZIP is not supported by tarn; use GZIP, ZSTD or Snappy");
    } else if (it == kFormats.end()) {
      d.Fail("CompressionFormat",
             fmt::format("'{}' is not one of UNCOMPRESSED, GZIP, Snappy, HADOOP_SNAPPY or ZSTD",
                         compression));
    } else {
      c->compression_format = it->second;
    }
  }
  if (auto encryption = d.Object("EncryptionConfiguration"))
    ParseEncryption(*encryption, &c->kms_key_arn);
  if (auto logging = d.Object("CloudWatchLoggingOptions"))
    ParseCloudWatch(*logging, &c->cloud_watch_logging);
  if (extended) {
    if (auto processing = d.Object("ProcessingConfiguration")) {
      ParseProcessing(*processing, &c->processing);
    }
    if (d.Enum("S3BackupMode", {"Disabled", "Enabled"}) == 1) {
      d.Fail("S3BackupMode", "Enabled is not supported by tarn (no source record backup)");
    }
    d.Unsupported("S3BackupConfiguration", "no source record backup");
    if (auto conversion = d.Object("DataFormatConversionConfiguration")) {
      c->data_format_conversion.emplace();
      ParseDataFormatConversion(*conversion, &*c->data_format_conversion);
    }
    if (auto partitioning = d.Object("DynamicPartitioningConfiguration")) {
      ParseDynamicPartitioning(*partitioning, &c->dynamic_partitioning);
    }
    if (d.String("FileExtension", &c->file_extension, 0, 128) &&
        !IsFileExtension(c->file_extension)) {
      d.Fail("FileExtension", fmt::format("'{}' must be empty or '.' followed by 0-9, a-z, "
                                          "!, -, _, ., *, ', ( and )",
                                          c->file_extension));
    }
    if (d.String("CustomTimeZone", &c->custom_time_zone, 0, 50) &&
        !IsTimeZoneName(c->custom_time_zone)) {
      d.Fail("CustomTimeZone",
             fmt::format("'{}' must be an IANA name of letters, '/' and '_'", c->custom_time_zone));
    }
  }
  d.Finish();
}

void ParseStreamEncryption(Members& m, StreamEncryption* out) {
  m.Required("KeyType");
  const int key_type = m.Enum("KeyType", {"AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK"});
  out->enabled = true;
  out->customer_managed = key_type == 1;
  const bool has_arn = m.String("KeyARN", &out->key_arn, 1, 512);
  if (key_type == 1 && !has_arn) m.Required("KeyARN", "with KeyType CUSTOMER_MANAGED_CMK");
  if (key_type == 0 && has_arn) m.Fail("KeyARN", "only with KeyType CUSTOMER_MANAGED_CMK");
  m.Finish();
}

void ParseTags(Members& top, std::vector<std::pair<std::string, std::string>>* out) {
  auto tags = top.Array("Tags", 1, 50);
  if (!tags) return;
  size_t index = 0;
  for (simdjson::dom::element element : *tags) {
    auto tag = ArrayObject(element, fmt::format("Tags[{}]", index++), top.sink());
    if (!tag) continue;
    std::string key, value;
    tag->Required("Key");
    tag->String("Key", &key, 1, 128);
    tag->String("Value", &value, 0, 256);
    tag->Finish();
    for (const auto& [existing, unused] : *out) {
      if (existing == key) tag->Fail("Key", fmt::format("'{}' is given twice", key));
    }
    out->emplace_back(std::move(key), std::move(value));
  }
}

// The rules that tie members together, checked once every member has been read.
Status CheckRules(StreamConfig& c, std::string_view d, bool size_given) {
  auto fail = [&](std::string_view member, std::string message) {
    return InvalidArgument(fmt::format("{}.{}: {}", d, member, message));
  };
  Result<PrefixTemplate> prefix = PrefixTemplate::Compile(c.prefix, PrefixKind::kPrefix);
  if (!prefix.ok()) return InvalidArgument(fmt::format("{}.{}", d, prefix.status().message()));
  std::optional<PrefixTemplate> error_prefix;
  if (!c.error_output_prefix.empty()) {
    Result<PrefixTemplate> compiled =
        PrefixTemplate::Compile(c.error_output_prefix, PrefixKind::kErrorOutputPrefix);
    if (!compiled.ok()) {
      return InvalidArgument(fmt::format("{}.{}", d, compiled.status().message()));
    }
    error_prefix = std::move(*compiled);
  }
  const bool partitioning = c.dynamic_partitioning.enabled;
  if (!partitioning && !prefix->partition_keys().empty()) {
    return fail("Prefix", fmt::format("!{{partitionKeyFromQuery:{}}} needs dynamic partitioning; "
                                      "set DynamicPartitioningConfiguration.Enabled to true",
                                      prefix->partition_keys().front()));
  }
  if (partitioning && !c.processing.Runs(ProcessorType::kMetadataExtraction)) {
    return fail("DynamicPartitioningConfiguration",
                "dynamic partitioning needs ProcessingConfiguration enabled with a "
                "MetadataExtraction processor (tarn runs no Lambda)");
  }
  if (!partitioning && c.processing.Runs(ProcessorType::kMetadataExtraction)) {
    return fail("ProcessingConfiguration",
                "a MetadataExtraction processor works only with dynamic partitioning; set "
                "DynamicPartitioningConfiguration.Enabled to true");
  }
  if (partitioning && c.buffering_hints.interval_in_seconds == 0) {
    return fail("BufferingHints.IntervalInSeconds",
                "0 (zero buffering) is not available with dynamic partitioning");
  }
  const Status pair = ValidatePrefixPair(*prefix, c.error_output_prefix,
                                         error_prefix ? &*error_prefix : nullptr, partitioning);
  if (!pair.ok()) return InvalidArgument(fmt::format("{}.{}", d, pair.message()));
  if (c.format_conversion_enabled()) {
    if (c.compression_format != CompressionFormat::kUncompressed) {
      return fail("CompressionFormat",
                  fmt::format("must be UNCOMPRESSED with format conversion, found {} (set the "
                              "ParquetSerDe's Compression instead)",
                              CompressionFormatName(c.compression_format)));
    }
    if (!size_given) {
      c.buffering_hints.size_in_mbs = kConversionDefaultBufferMiB;
    } else if (c.buffering_hints.size_in_mbs < kMinConversionBufferMiB) {
      return fail("BufferingHints.SizeInMBs",
                  fmt::format("{} is out of range {}..128 with format conversion",
                              c.buffering_hints.size_in_mbs, kMinConversionBufferMiB));
    }
  }
  if (!c.custom_time_zone.empty()) {
    const Status zone = TimeZone::Load(c.custom_time_zone).status();
    if (!zone.ok()) return fail("CustomTimeZone", zone.message());
  }
  return Status::Ok();
}

// Parses `json` into an object held by `parser`.
Result<simdjson::dom::object> ParseObject(simdjson::dom::parser& parser,
                                          const simdjson::padded_string& padded,
                                          std::string_view what) {
  simdjson::dom::element root;
  const auto error = parser.parse(padded).get(root);
  if (error != simdjson::SUCCESS) {
    return InvalidArgument(
        fmt::format("{} is not valid JSON: {}", what, simdjson::error_message(error)));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidArgument(fmt::format("{} must be a JSON object", what));
  }
  return object;
}

// JSON text with the separators handled: Key() then one value, objects and arrays nest.
class JsonWriter {
 public:
  JsonWriter& Key(std::string_view key) {
    Separate();
    AppendJsonString(&out_, key);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  void String(std::string_view value) {
    Separate();
    AppendJsonString(&out_, value);
  }
  void Int(int64_t value) {
    Separate();
    out_ += std::to_string(value);
  }
  void Bool(bool value) {
    Separate();
    out_ += value ? "true" : "false";
  }
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  std::string Take() { return std::move(out_); }

 private:
  void Separate() {
    if (after_key_) {
      after_key_ = false;
    } else if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void Open(char c) {
    Separate();
    out_ += c;
    first_.push_back(true);
  }
  void Close(char c) {
    out_ += c;
    first_.pop_back();
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

void WriteProcessing(JsonWriter& w, const ProcessingConfig& p) {
  w.Key("ProcessingConfiguration").BeginObject();
  w.Key("Enabled").Bool(p.enabled);
  w.Key("Processors").BeginArray();
  for (ProcessorType type : p.order) {
    w.BeginObject();
    w.Key("Type").String(ProcessorTypeName(type));
    w.Key("Parameters").BeginArray();
    auto parameter = [&w](std::string_view name, std::string_view value) {
      w.BeginObject();
      w.Key("ParameterName").String(name);
      w.Key("ParameterValue").String(value);
      w.EndObject();
    };
    if (type == ProcessorType::kRecordDeAggregation) {
      const bool delimited = p.sub_record_type == SubRecordType::kDelimited;
      parameter("SubRecordType", delimited ? "DELIMITED" : "JSON");
      if (delimited) {
        std::string encoded;
        AppendBase64(p.delimiter, &encoded);
        parameter("Delimiter", encoded);
      }
    } else if (type == ProcessorType::kMetadataExtraction) {
      parameter("JsonParsingEngine", "JQ-1.6");
      parameter("MetadataExtractionQuery", p.metadata_query);
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteConversion(JsonWriter& w, const DataFormatConversionConfig& f) {
  w.Key("DataFormatConversionConfiguration").BeginObject();
  w.Key("SchemaConfiguration").BeginObject();
  w.Key("RoleARN").String(f.schema.role_arn);
  w.Key("CatalogId").String(f.schema.catalog_id.empty() ? kAwsAccountId : f.schema.catalog_id);
  w.Key("DatabaseName").String(f.schema.database_name);
  w.Key("TableName").String(f.schema.table_name);
  w.Key("Region").String(f.schema.region.empty() ? kAwsRegion : f.schema.region);
  w.Key("VersionId").String(f.schema.version_id.empty() ? "LATEST" : f.schema.version_id);
  w.EndObject();
  w.Key("InputFormatConfiguration").BeginObject();
  w.Key("Deserializer").BeginObject();
  if (const auto* openx = std::get_if<OpenXJsonSerDe>(&f.deserializer)) {
    w.Key("OpenXJsonSerDe").BeginObject();
    w.Key("ConvertDotsInJsonKeysToUnderscores")
        .Bool(openx->convert_dots_in_json_keys_to_underscores);
    w.Key("CaseInsensitive").Bool(openx->case_insensitive);
    if (!openx->column_to_json_key_mappings.empty()) {
      w.Key("ColumnToJsonKeyMappings").BeginObject();
      for (const auto& [column, key] : openx->column_to_json_key_mappings)
        w.Key(column).String(key);
      w.EndObject();
    }
    w.EndObject();
  } else {
    const auto& hive = std::get<HiveJsonSerDe>(f.deserializer);
    w.Key("HiveJsonSerDe").BeginObject();
    if (!hive.timestamp_formats.empty()) {
      w.Key("TimestampFormats").BeginArray();
      for (const std::string& format : hive.timestamp_formats) w.String(format);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  static constexpr std::string_view kCompressions[] = {"UNCOMPRESSED", "GZIP", "SNAPPY"};
  const ParquetSerDe& p = f.serializer;
  w.Key("OutputFormatConfiguration").BeginObject();
  w.Key("Serializer").BeginObject();
  w.Key("ParquetSerDe").BeginObject();
  w.Key("BlockSizeBytes").Int(p.block_size_bytes);
  w.Key("PageSizeBytes").Int(p.page_size_bytes);
  w.Key("Compression").String(kCompressions[static_cast<int>(p.compression)]);
  if (p.enable_dictionary_compression) {
    w.Key("EnableDictionaryCompression").Bool(*p.enable_dictionary_compression);
  }
  w.Key("MaxPaddingBytes").Int(p.max_padding_bytes);
  w.Key("WriterVersion").String(p.writer_version == ParquetWriterVersion::kV1 ? "V1" : "V2");
  w.EndObject();
  w.EndObject();
  w.EndObject();
  w.Key("Enabled").Bool(f.enabled);
  w.EndObject();
}

// The members S3DestinationDescription and ExtendedS3DestinationDescription share.
void WriteS3Members(JsonWriter& w, const StreamConfig& c) {
  w.Key("RoleARN").String(c.role_arn);
  w.Key("BucketARN").String(c.bucket_arn);
  if (!c.prefix.empty()) w.Key("Prefix").String(c.prefix);
  if (!c.error_output_prefix.empty()) w.Key("ErrorOutputPrefix").String(c.error_output_prefix);
  w.Key("BufferingHints").BeginObject();
  w.Key("SizeInMBs").Int(c.buffering_hints.size_in_mbs);
  w.Key("IntervalInSeconds").Int(c.buffering_hints.interval_in_seconds);
  w.EndObject();
  w.Key("CompressionFormat").String(CompressionFormatName(c.compression_format));
  w.Key("EncryptionConfiguration").BeginObject();
  if (c.kms_key_arn.empty()) {
    w.Key("NoEncryptionConfig").String("NoEncryption");
  } else {
    w.Key("KMSEncryptionConfig").BeginObject();
    w.Key("AWSKMSKeyARN").String(c.kms_key_arn);
    w.EndObject();
  }
  w.EndObject();
  w.Key("CloudWatchLoggingOptions").BeginObject();
  w.Key("Enabled").Bool(c.cloud_watch_logging.enabled);
  if (!c.cloud_watch_logging.log_group_name.empty()) {
    w.Key("LogGroupName").String(c.cloud_watch_logging.log_group_name);
  }
  if (!c.cloud_watch_logging.log_stream_name.empty()) {
    w.Key("LogStreamName").String(c.cloud_watch_logging.log_stream_name);
  }
  w.EndObject();
}

}  // namespace

std::string_view CompressionFormatName(CompressionFormat format) {
  switch (format) {
    case CompressionFormat::kUncompressed:
      return "UNCOMPRESSED";
    case CompressionFormat::kGzip:
      return "GZIP";
    case CompressionFormat::kSnappy:
      return "Snappy";
    case CompressionFormat::kHadoopSnappy:
      return "HADOOP_SNAPPY";
    case CompressionFormat::kZstd:
      return "ZSTD";
  }
  return "UNCOMPRESSED";
}

std::string_view ProcessorTypeName(ProcessorType type) {
  switch (type) {
    case ProcessorType::kRecordDeAggregation:
      return "RecordDeAggregation";
    case ProcessorType::kMetadataExtraction:
      return "MetadataExtraction";
    case ProcessorType::kAppendDelimiterToRecord:
      return "AppendDelimiterToRecord";
  }
  return "";
}

bool ProcessingConfig::Has(ProcessorType type) const {
  return std::find(order.begin(), order.end(), type) != order.end();
}

std::string StreamConfig::arn() const {
  return fmt::format("arn:aws:firehose:{}:{}:deliverystream/{}", kAwsRegion, kAwsAccountId, name);
}

Result<StreamConfig> ParseCreateDeliveryStream(std::string_view json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  TARN_ASSIGN_OR_RETURN(simdjson::dom::object object,
                        ParseObject(parser, padded, "the CreateDeliveryStream body"));
  ErrorSink sink;
  Members top(object, "", &sink);
  StreamConfig c;
  c.request_json = std::string(json);
  top.Required("DeliveryStreamName");
  if (top.String("DeliveryStreamName", &c.name, 1, 64) && !IsStreamName(c.name)) {
    top.Fail("DeliveryStreamName",
             fmt::format("'{}' must be 1 to 64 characters of a-z, A-Z, 0-9, _, . and - (and not "
                         "'.' or '..')",
                         c.name));
  }
  const int type = top.Enum("DeliveryStreamType", {"DirectPut", "KinesisStreamAsSource",
                                                   "MSKAsSource", "DatabaseAsSource"});
  if (type > 0) {
    top.Fail("DeliveryStreamType",
             fmt::format(
                 "{} is not supported by tarn; streams take records by PutRecord and "
                 "PutRecordBatch (DirectPut)",
                 std::array{"", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"}[type]));
  }
  if (auto source = top.Object("DirectPutSourceConfiguration")) {
    source->Int("ThroughputHintInMBs", &c.throughput_hint_in_mbs, 1, 100);
    source->Finish();
  }
  if (auto encryption = top.Object("DeliveryStreamEncryptionConfigurationInput")) {
    ParseStreamEncryption(*encryption, &c.stream_encryption);
  }
  ParseTags(top, &c.tags);
  if (auto options = top.Object("TarnOptions")) {
    options->Int("ActivePartitionLimit", &c.active_partition_limit, 1, kMaxActivePartitionLimit);
    options->Finish();
  }
  for (std::string_view source : {"KinesisStreamSourceConfiguration", "MSKSourceConfiguration",
                                  "DatabaseSourceConfiguration"}) {
    top.Unsupported(source, "streams take records by PutRecord and PutRecordBatch");
  }
  for (std::string_view destination :
       {"RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
        "AmazonopensearchserviceDestinationConfiguration", "SplunkDestinationConfiguration",
        "HttpEndpointDestinationConfiguration",
        "AmazonOpenSearchServerlessDestinationConfiguration", "SnowflakeDestinationConfiguration",
        "IcebergDestinationConfiguration"}) {
    top.Unsupported(destination, "tarn delivers to S3 only");
  }
  auto extended = top.Object(kExtended);
  auto plain = top.Object(kPlain);
  bool size_given = false;
  if (extended && plain) {
    top.Fail(kPlain,
             "give one destination: ExtendedS3DestinationConfiguration or the "
             "deprecated S3DestinationConfiguration, not both");
  } else if (!extended && !plain && sink.status.ok()) {
    top.Fail(kExtended, "required (or the deprecated S3DestinationConfiguration)");
  } else if (extended || plain) {
    c.plain_s3_destination = plain.has_value();
    ParseDestination(extended ? *extended : *plain, extended.has_value(), &c, &size_given);
  }
  top.Finish();
  TARN_RETURN_IF_ERROR(sink.status);
  TARN_RETURN_IF_ERROR(CheckRules(c, extended ? kExtended : kPlain, size_given));
  return c;
}

std::string DescribeDeliveryStreamJson(const StreamConfig& c, const std::string& version_id,
                                       int64_t create_seconds, int64_t update_seconds) {
  JsonWriter w;
  w.BeginObject();
  w.Key("DeliveryStreamDescription").BeginObject();
  w.Key("DeliveryStreamName").String(c.name);
  w.Key("DeliveryStreamARN").String(c.arn());
  w.Key("DeliveryStreamStatus").String("ACTIVE");
  w.Key("DeliveryStreamEncryptionConfiguration").BeginObject();
  if (c.stream_encryption.enabled) {
    w.Key("KeyType").String(c.stream_encryption.customer_managed ? "CUSTOMER_MANAGED_CMK"
                                                                 : "AWS_OWNED_CMK");
    if (!c.stream_encryption.key_arn.empty()) w.Key("KeyARN").String(c.stream_encryption.key_arn);
  }
  w.Key("Status").String(c.stream_encryption.enabled ? "ENABLED" : "DISABLED");
  w.EndObject();
  w.Key("DeliveryStreamType").String("DirectPut");
  w.Key("VersionId").String(version_id);
  w.Key("CreateTimestamp").Int(create_seconds);
  w.Key("LastUpdateTimestamp").Int(update_seconds);
  if (c.throughput_hint_in_mbs > 0) {
    w.Key("Source").BeginObject();
    w.Key("DirectPutSourceDescription").BeginObject();
    w.Key("ThroughputHintInMBs").Int(c.throughput_hint_in_mbs);
    w.EndObject();
    w.EndObject();
  }
  w.Key("Destinations").BeginArray();
  w.BeginObject();
  w.Key("DestinationId").String(kDestinationId);
  w.Key("S3DestinationDescription").BeginObject();
  WriteS3Members(w, c);
  w.EndObject();
  w.Key("ExtendedS3DestinationDescription").BeginObject();
  WriteS3Members(w, c);
  WriteProcessing(w, c.processing);
  w.Key("S3BackupMode").String("Disabled");
  if (c.data_format_conversion) WriteConversion(w, *c.data_format_conversion);
  w.Key("DynamicPartitioningConfiguration").BeginObject();
  w.Key("RetryOptions").BeginObject();
  w.Key("DurationInSeconds").Int(c.dynamic_partitioning.retry_duration_seconds);
  w.EndObject();
  w.Key("Enabled").Bool(c.dynamic_partitioning.enabled);
  w.EndObject();
  if (!c.file_extension.empty()) w.Key("FileExtension").String(c.file_extension);
  w.Key("CustomTimeZone").String(c.custom_time_zone.empty() ? "UTC" : c.custom_time_zone);
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.Key("HasMoreDestinations").Bool(false);
  // tarn's own settings; AWS clients ignore members their model does not name.
  w.Key("TarnOptions").BeginObject();
  w.Key("ActivePartitionLimit").Int(c.active_partition_limit);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return w.Take();
}

namespace {

struct ParsedUpdate {
  UpdateDestinationRequest request;
  std::optional<simdjson::dom::object> destination;  // The *DestinationUpdate given.
  bool plain = false;                                // S3DestinationUpdate.
};

Result<ParsedUpdate> ReadUpdate(simdjson::dom::parser& parser,
                                const simdjson::padded_string& padded) {
  TARN_ASSIGN_OR_RETURN(simdjson::dom::object object,
                        ParseObject(parser, padded, "the UpdateDestination body"));
  ErrorSink sink;
  Members m(object, "", &sink);
  ParsedUpdate out;
  for (std::string_view key :
       {"DeliveryStreamName", "CurrentDeliveryStreamVersionId", "DestinationId"}) {
    m.Required(key);
  }
  m.String("DeliveryStreamName", &out.request.stream_name, 1, 64);
  if (m.String("CurrentDeliveryStreamVersionId", &out.request.current_version_id, 1, 50) &&
      !std::all_of(out.request.current_version_id.begin(), out.request.current_version_id.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    m.Fail("CurrentDeliveryStreamVersionId", "expected the digits of a VersionId");
  }
  m.String("DestinationId", &out.request.destination_id, 1, 100);
  for (std::string_view destination :
       {"RedshiftDestinationUpdate", "ElasticsearchDestinationUpdate",
        "AmazonopensearchserviceDestinationUpdate", "SplunkDestinationUpdate",
        "HttpEndpointDestinationUpdate", "AmazonOpenSearchServerlessDestinationUpdate",
        "SnowflakeDestinationUpdate", "IcebergDestinationUpdate"}) {
    m.Unsupported(destination, "tarn delivers to S3 only");
  }
  auto extended = m.Object(kExtendedUpdate);
  auto plain = m.Object(kPlainUpdate);
  if (extended && plain) {
    m.Fail(kPlainUpdate, "give ExtendedS3DestinationUpdate or S3DestinationUpdate, not both");
  } else if (!extended && !plain) {
    m.Required(kExtendedUpdate);
  } else {
    out.destination = extended ? extended->object() : plain->object();
    out.plain = plain.has_value();
  }
  m.Finish();
  TARN_RETURN_IF_ERROR(sink.status);
  return out;
}

// An update member's name in a CreateDeliveryStream destination.
std::string_view ConfigurationName(std::string_view update_key) {
  return update_key == "S3BackupUpdate" ? "S3BackupConfiguration" : update_key;
}

}  // namespace

Result<UpdateDestinationRequest> ParseUpdateDestination(std::string_view update_json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(update_json);
  TARN_ASSIGN_OR_RETURN(ParsedUpdate update, ReadUpdate(parser, padded));
  return update.request;
}

Result<std::pair<StreamConfig, std::string>> ApplyUpdateDestination(
    std::string_view current_create_json, std::string_view update_json) {
  simdjson::dom::parser update_parser;
  const simdjson::padded_string update_padded(update_json);
  TARN_ASSIGN_OR_RETURN(ParsedUpdate update, ReadUpdate(update_parser, update_padded));
  Result<StreamConfig> current = ParseCreateDeliveryStream(current_create_json);
  if (!current.ok()) {
    return Corruption("the stored CreateDeliveryStream body no longer parses: " +
                      current.status().message());
  }
  if (update.request.stream_name != current->name) {
    return InvalidArgument(fmt::format("DeliveryStreamName: '{}' is not the stream '{}'",
                                       update.request.stream_name, current->name));
  }
  if (update.request.destination_id != kDestinationId) {
    return InvalidArgument(
        fmt::format("DestinationId: '{}' is not a destination of '{}'; its "
                    "only destination is {}",
                    update.request.destination_id, current->name, kDestinationId));
  }
  simdjson::dom::parser current_parser;
  const simdjson::padded_string current_padded(current_create_json);
  TARN_ASSIGN_OR_RETURN(simdjson::dom::object stored,
                        ParseObject(current_parser, current_padded, "the stored body"));
  const std::string_view destination_key =
      current->plain_s3_destination && update.plain ? kPlain : kExtended;

  // Rebuild the body member by member, so that the stored text keeps its order and members.
  std::string merged = "{";
  bool first = true;
  auto member = [&](std::string* out, bool* first_member, std::string_view key,
                    const std::string& value) {
    if (!*first_member) *out += ',';
    *first_member = false;
    AppendJsonString(out, key);
    *out += ':';
    *out += value;
  };
  for (const auto field : stored) {
    if (field.key != kExtended && field.key != kPlain) {
      member(&merged, &first, field.key, simdjson::minify(field.value));
      continue;
    }
    simdjson::dom::object old_destination;
    if (field.value.get_object().get(old_destination) != simdjson::SUCCESS) {
      return Corruption("the stored destination is not an object");
    }
    std::string destination = "{";
    bool first_in_destination = true;
    std::set<std::string_view> replaced;
    for (const auto old_member : old_destination) {
      std::optional<simdjson::dom::element> replacement;
      for (const auto new_member : *update.destination) {
        if (ConfigurationName(new_member.key) == old_member.key) replacement = new_member.value;
      }
      if (replacement) replaced.insert(old_member.key);
      member(&destination, &first_in_destination, old_member.key,
             simdjson::minify(replacement ? *replacement : old_member.value));
    }
    for (const auto new_member : *update.destination) {
      if (replaced.count(ConfigurationName(new_member.key)) == 0) {
        member(&destination, &first_in_destination, ConfigurationName(new_member.key),
               simdjson::minify(new_member.value));
      }
    }
    destination += '}';
    member(&merged, &first, destination_key, destination);
  }
  merged += '}';

  Result<StreamConfig> config = ParseCreateDeliveryStream(merged);
  if (!config.ok()) return InvalidArgument("after the update: " + config.status().message());
  if (config->dynamic_partitioning.enabled && !current->dynamic_partitioning.enabled) {
    return InvalidArgument(fmt::format(
        "{}.DynamicPartitioningConfiguration.Enabled: dynamic partitioning can only be enabled "
        "when a stream is created",
        update.plain ? kPlainUpdate : kExtendedUpdate));
  }
  return std::make_pair(std::move(*config), std::move(merged));
}

}  // namespace tarn::delivery
