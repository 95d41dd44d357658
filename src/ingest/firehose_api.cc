#include "ingest/firehose_api.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "catalog/sqlite_catalog.h"
#include "common/byte_source.h"
#include "common/civil_time.h"
#include "common/json_text.h"
#include "common/md5.h"
#include "delivery/stream_config.h"
#include "delivery/stream_settings.h"
#include "ingest/firehose_messages.h"
#include "ingest/sigv4.h"
#include "storage/object_store.h"

namespace tarn::ingest {
namespace {

constexpr size_t kMaxStreams = 5000;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse Error(std::string_view type, std::string_view message) {
  const int status = type == "ServiceUnavailableException" ? 503 : 400;
  HttpResponse response = Json(status, ErrorBody(type, message));
  response.headers.emplace_back("x-amzn-ErrorType", std::string(type));
  return response;
}

HttpResponse Error(const AuthError& error) {
  HttpResponse response = Error(AuthErrorTypeName(error.type), error.message);
  response.status = AuthErrorHttpStatus(error.type);
  return response;
}

// Who sent a request, once authenticated.
struct Identity {
  std::string credential = "anonymous";  // The access key id.
  std::string name;                      // The credential's name.
  std::string region = "us-east-1";      // From the credential scope.
  bool open_access = false;              // Unsigned request while authentication is not required.
  Permissions permissions;

  bool MayPut(std::string_view stream) const { return open_access || permissions.MayPut(stream); }
  bool MayManage() const { return open_access || permissions.manage; }
};

bool NeedsManage(std::string_view operation) {
  return operation == "CreateDeliveryStream" || operation == "DeleteDeliveryStream" ||
         operation == "UpdateDestination";
}

AuthError AccessDenied(const Identity& identity, std::string_view operation,
                       std::string_view stream) {
  return {AuthErrorType::kAccessDenied,
          fmt::format("User: arn:aws:iam::{}:user/{} ({}) is not authorized to perform: "
                      "firehose:{} on resource: arn:aws:firehose:{}:{}:deliverystream/{}",
                      delivery::kAwsAccountId, identity.name, identity.credential, operation,
                      identity.region, delivery::kAwsAccountId, stream)};
}

// DeliveryStreamName of a control-plane body, for the audit log; nullopt when there is none.
std::optional<std::string> StreamNameOf(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view name;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root["DeliveryStreamName"].get(name) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return std::string(name);
}

std::string NotFoundMessage(std::string_view name) {
  return fmt::format("Firehose {} under account {} not found.", name, delivery::kAwsAccountId);
}

// Reads the string member `name` of a JSON object body; empty when absent.
Result<std::string> StringMember(simdjson::dom::element body, std::string_view name,
                                 bool required) {
  simdjson::dom::element value;
  if (body[name].get(value) != simdjson::SUCCESS) {
    if (required) return InvalidArgument(fmt::format("{}: required member is missing", name));
    return std::string();
  }
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) {
    return InvalidArgument(fmt::format("{}: must be a string", name));
  }
  return std::string(text);
}

Result<simdjson::dom::element> ParseBody(simdjson::dom::parser& parser, std::string_view body) {
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return InvalidArgument("the request body is not a JSON object");
  }
  return root;
}

void AppendMetric(std::string* out, std::string_view name, std::string_view help,
                  std::string_view type,
                  const std::vector<std::pair<std::string, double>>& values) {
  std::string metric = fmt::format("tarn_firehose_{}", name);
  for (char& c : metric) {
    if (c == '.') c = '_';
  }
  out->append(fmt::format("# HELP {} {} (Firehose metric {})\n# TYPE {} {}\n", metric, help, name,
                          metric, type));
  for (const auto& [stream, value] : values) {
    out->append(fmt::format("{}{{delivery_stream=\"{}\"}} {}\n", metric, stream, value));
  }
}

}  // namespace

class FirehoseService::Impl {
 public:
  explicit Impl(ServiceOptions options) : options_(std::move(options)) {}

  Status Open(std::vector<std::string>* warnings);
  Result<std::vector<std::string>> LoadStreamFiles(const std::string& folder);
  void Handle(HttpRequest request, Responder respond);
  Status FlushAll();
  void Close();

 private:
  struct Entry {
    delivery::StreamConfig config;
    int64_t version = 1;
    int64_t created_micros = 0;
    int64_t updated_micros = 0;
    uint64_t id_salt = 0;  // Makes RecordIds differ between streams and versions.
    std::shared_ptr<delivery::DeliveryStream> stream;
  };

  // The keyring when `config` asks for encryption, else null.
  Result<storage::Keyring*> KeyringFor(const delivery::StreamConfig& config) const {
    if (!delivery::EncryptsObjects(config)) return nullptr;
    if (!options_.keyring) {
      return InvalidArgument(fmt::format(
          "delivery stream '{}' asks for encryption, which this server cannot provide",
          config.name));
    }
    return options_.keyring();
  }

  std::string LogFolder(const std::string& stream) const {
    return options_.lake_root + "/_tarn/wal/" + stream;
  }
  Result<std::shared_ptr<Entry>> StartStream(delivery::StreamConfig config, int64_t version,
                                             int64_t created_micros,
                                             std::vector<std::string>* warnings);
  std::shared_ptr<Entry> Find(const std::string& name) const {
    std::shared_lock lock(streams_mu_);
    auto it = streams_.find(name);
    return it == streams_.end() ? nullptr : it->second;
  }

  int64_t Now() const { return options_.now_micros ? options_.now_micros() : NowMicros(); }
  // Who signed `request`, or why it is refused.
  std::optional<AuthError> Authenticate(const HttpRequest& request, Identity* identity);
  // Wraps `respond` so that the response is recorded in the audit log first.
  Responder Audited(std::shared_ptr<AuditEntry> entry, Responder respond);

  void Put(const std::string& operation, const std::string& body, const Identity& identity,
           const std::shared_ptr<AuditEntry>& entry, Responder respond);
  HttpResponse Create(const std::string& body);
  HttpResponse Describe(const std::string& body);
  HttpResponse List(const std::string& body);
  HttpResponse Delete(const std::string& body);
  HttpResponse Update(const std::string& body);
  HttpResponse Metrics();

  ServiceOptions options_;
  std::mutex catalog_mu_;  // Never held while waiting for a stream.
  std::unique_ptr<catalog::SqliteCatalog> catalog_;
  std::unique_ptr<storage::LocalObjectStore> local_store_;
  std::unique_ptr<storage::FaultInjectingStore> faulty_store_;
  storage::ObjectStore* store_ = nullptr;
  std::mutex control_mu_;  // One control-plane change at a time.
  mutable std::shared_mutex streams_mu_;
  std::map<std::string, std::shared_ptr<Entry>> streams_;
  std::atomic<uint64_t> put_requests_{0};
};

Status FirehoseService::Impl::Open(std::vector<std::string>* warnings) {
  TARN_ASSIGN_OR_RETURN(catalog_, catalog::SqliteCatalog::OpenLake(options_.lake_root));
  TARN_ASSIGN_OR_RETURN(local_store_, storage::LocalObjectStore::Open(options_.lake_root));
  store_ = local_store_.get();
  if (options_.fail_every_nth_put > 0) {
    faulty_store_ = std::make_unique<storage::FaultInjectingStore>(local_store_.get(),
                                                                   options_.fail_every_nth_put);
    store_ = faulty_store_.get();
  }
  TARN_ASSIGN_OR_RETURN(std::vector<catalog::SqliteCatalog::Stream> stored,
                        catalog_->ListStreams());
  for (const catalog::SqliteCatalog::Stream& record : stored) {
    Result<delivery::StreamConfig> config = delivery::ParseCreateDeliveryStream(record.definition);
    if (!config.ok()) {
      return config.status().WithContext(
          fmt::format("stream {} stored in the catalog", record.name));
    }
    TARN_ASSIGN_OR_RETURN(
        std::shared_ptr<Entry> entry,
        StartStream(std::move(*config), record.version, record.created_micros, warnings));
    streams_[record.name] = std::move(entry);
  }
  return Status::Ok();
}

Result<std::shared_ptr<FirehoseService::Impl::Entry>> FirehoseService::Impl::StartStream(
    delivery::StreamConfig config, int64_t version, int64_t created_micros,
    std::vector<std::string>* warnings) {
  auto entry = std::make_shared<Entry>();
  entry->version = version;
  entry->created_micros = created_micros;
  entry->updated_micros = NowMicros();
  Md5 md5;
  const Md5Digest digest = md5.Digest(fmt::format("{}\n{}", config.name, version));
  for (int i = 0; i < 8; ++i) entry->id_salt = entry->id_salt << 8 | digest[i];
  delivery::DeliverySettings settings;
  {
    std::lock_guard lock(catalog_mu_);
    TARN_ASSIGN_OR_RETURN(storage::Keyring * keyring, KeyringFor(config));
    TARN_ASSIGN_OR_RETURN(settings, delivery::MakeDeliverySettings(
                                        config, std::to_string(version), *catalog_, keyring));
  }
  delivery::CommitHook hook = [this](const std::string& uri) {
    std::lock_guard lock(catalog_mu_);
    Result<std::vector<std::string>> added = catalog_->RegisterObject(uri);
    if (!added.ok()) {
      fmt::print(stderr, "tarn: registering {} in the catalog failed: {}\n", uri,
                 added.status().message());
    }
  };
  TARN_ASSIGN_OR_RETURN(
      std::unique_ptr<delivery::DeliveryStream> stream,
      delivery::DeliveryStream::Open(std::move(settings), store_, LogFolder(config.name),
                                     options_.limits, std::move(hook), warnings));
  entry->stream = std::move(stream);
  entry->config = std::move(config);
  return entry;
}

Result<std::vector<std::string>> FirehoseService::Impl::LoadStreamFiles(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  if (error) return InvalidArgument(fmt::format("--streams {}: {}", folder, error.message()));
  std::sort(files.begin(), files.end());
  std::vector<std::string> done;
  for (const std::string& file : files) {
    TARN_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, FileSource::Open(file));
    TARN_ASSIGN_OR_RETURN(std::string body, ReadAll(*source));
    Result<delivery::StreamConfig> config = delivery::ParseCreateDeliveryStream(body);
    if (!config.ok()) return config.status().WithContext(file);
    std::shared_ptr<Entry> existing = Find(config->name);
    if (existing != nullptr) {
      if (existing->config.request_json == config->request_json) {
        done.push_back(fmt::format("{}: stream {} exists (version {})", file, config->name,
                                   existing->version));
        continue;
      }
      return InvalidArgument(fmt::format(
          "{}: stream {} exists with another definition; change it with UpdateDestination or "
          "delete it first",
          file, config->name));
    }
    HttpResponse response = Create(body);
    if (response.status != 200) {
      return InvalidArgument(fmt::format("{}: {}", file, response.body));
    }
    done.push_back(fmt::format("{}: created stream {}", file, config->name));
  }
  return done;
}

void FirehoseService::Impl::Handle(HttpRequest request, Responder respond) {
  if (request.method == "GET" && request.target == "/health") {
    size_t count = 0;
    {
      std::shared_lock lock(streams_mu_);
      count = streams_.size();
    }
    HttpResponse response =
        Json(200, fmt::format("{{\"status\":\"ok\",\"delivery_streams\":{}}}", count));
    response.content_type = "application/json";
    return respond(std::move(response));
  }
  if (request.method == "GET" && request.target == "/metrics") return respond(Metrics());
  auto entry = std::make_shared<AuditEntry>();
  entry->time_micros = Now();
  entry->source = request.remote;
  entry->operation = "(none)";
  respond = Audited(entry, std::move(respond));
  if (request.target != "/" || request.method != "POST") {
    HttpResponse response = Error(
        "UnknownOperationException",
        fmt::format("{} {}: tarn serves POST / (the Firehose API), GET /health and GET /metrics",
                    request.method, request.target));
    response.status = 404;
    return respond(std::move(response));
  }
  Result<std::string> operation = OperationFromTarget(request.Header("x-amz-target"));
  if (operation.ok()) entry->operation = *operation;
  Identity identity;
  std::optional<AuthError> refused = Authenticate(request, &identity);
  entry->credential = identity.credential;
  if (refused.has_value()) return respond(Error(*refused));
  if (!operation.ok()) {
    return respond(Error("UnknownOperationException", operation.status().message()));
  }
  if (*operation == "PutRecord" || *operation == "PutRecordBatch") {
    return Put(*operation, request.body, identity, entry, std::move(respond));
  }
  entry->stream = StreamNameOf(request.body);
  if (NeedsManage(*operation) && !identity.MayManage()) {
    return respond(Error(AccessDenied(identity, *operation, entry->stream.value_or("*"))));
  }
  HttpResponse response;
  if (*operation == "CreateDeliveryStream") {
    response = Create(request.body);
  } else if (*operation == "DescribeDeliveryStream") {
    response = Describe(request.body);
  } else if (*operation == "ListDeliveryStreams") {
    response = List(request.body);
  } else if (*operation == "DeleteDeliveryStream") {
    response = Delete(request.body);
  } else if (*operation == "UpdateDestination") {
    response = Update(request.body);
  } else {
    response = Error("UnknownOperationException",
                     fmt::format("operation {} is not supported by tarn", *operation));
  }
  respond(std::move(response));
}

std::optional<AuthError> FirehoseService::Impl::Authenticate(const HttpRequest& request,
                                                             Identity* identity) {
  const std::string_view header = request.Header("authorization");
  const bool required = options_.auth == AuthMode::kRequired ||
                        (options_.credentials != nullptr && options_.credentials->HasAny());
  if (header.empty()) {
    if (required) {
      return AuthError{AuthErrorType::kMissingAuthenticationToken, "Missing Authentication Token"};
    }
    identity->open_access = true;
    return std::nullopt;
  }
  SigV4Authorization auth;
  if (std::optional<AuthError> malformed = ParseAuthorization(header, &auth)) return malformed;
  // From here on the audit log names the key the request claims, even when it is refused.
  identity->credential = auth.access_key_id;
  const AuthError unknown{AuthErrorType::kUnrecognizedClient,
                          "The security token included in the request is invalid."};
  if (options_.credentials == nullptr) {
    if (required) return unknown;
    identity->credential = "anonymous";
    identity->open_access = true;
    return std::nullopt;
  }
  Result<ResolvedCredential> credential = options_.credentials->Lookup(auth.access_key_id);
  if (!credential.ok() && credential.status().code() == StatusCode::kNotFound && !required) {
    // AWS SDKs sign every request with whatever keys they find, so an open server serves keys
    // it does not know as anonymous; keys it knows are still verified.
    identity->credential = "anonymous";
    identity->open_access = true;
    return std::nullopt;
  }
  if (!credential.ok()) {
    // A damaged store refuses everyone; the cause goes to the operator, not the client.
    if (credential.status().code() != StatusCode::kNotFound) {
      fmt::print(stderr, "tarn: authenticating {}: {}\n", auth.access_key_id,
                 credential.status().message());
    }
    return unknown;
  }
  if (std::optional<AuthError> refused =
          VerifySigV4(request, auth, credential->secret, Now() / kMicrosPerSecond)) {
    return refused;
  }
  identity->name = credential->name;
  identity->region = auth.region;
  identity->permissions = std::move(credential->permissions);
  return std::nullopt;
}

Responder FirehoseService::Impl::Audited(std::shared_ptr<AuditEntry> entry, Responder respond) {
  if (options_.audit == nullptr) return respond;
  return [audit = options_.audit, entry = std::move(entry),
          respond = std::move(respond)](HttpResponse response) {
    entry->http_status = response.status;
    entry->outcome = "ok";
    if (response.status != 200) {
      entry->outcome = "InternalFailure";
      for (const auto& [name, value] : response.headers) {
        if (name == "x-amzn-ErrorType") entry->outcome = value;
      }
    }
    Status appended = audit->Append(*entry);
    if (!appended.ok()) fmt::print(stderr, "tarn: {}\n", appended.message());
    respond(std::move(response));
  };
}

void FirehoseService::Impl::Put(const std::string& operation, const std::string& body,
                                const Identity& identity,
                                const std::shared_ptr<AuditEntry>& audit_entry, Responder respond) {
  const bool batch = operation == "PutRecordBatch";
  Result<PutRequest> request = batch ? ParsePutRecordBatch(body) : ParsePutRecord(body);
  if (!request.ok()) {
    audit_entry->stream = StreamNameOf(body);
    return respond(Error("InvalidArgumentException", request.status().message()));
  }
  audit_entry->stream = request->stream;
  audit_entry->records = request->records.size();
  for (const std::string& record : request->records) audit_entry->bytes += record.size();
  if (!identity.MayPut(request->stream)) {
    return respond(Error(AccessDenied(identity, operation, request->stream)));
  }
  std::shared_ptr<Entry> entry = Find(request->stream);
  if (entry == nullptr) {
    return respond(Error("ResourceNotFoundException", NotFoundMessage(request->stream)));
  }
  const size_t count = request->records.size();
  // Firehose's `Encrypted`: whether the stream keeps the records encrypted at rest.
  const bool encrypted = entry->stream->settings().encrypt_log;
  entry->stream->Put(
      std::move(request->records),
      [entry, count, batch, encrypted, respond = std::move(respond)](delivery::PutOutcome outcome) {
        if (!batch) {
          if (!outcome.status.ok()) {
            return respond(Error("ServiceUnavailableException", outcome.status.message()));
          }
          return respond(Json(200, PutRecordResponse(fmt::format("{:016x}{:016x}", entry->id_salt,
                                                                 outcome.first_sequence),
                                                     encrypted)));
        }
        std::vector<RecordOutcome> outcomes(count);
        for (size_t i = 0; i < count; ++i) {
          if (outcome.status.ok()) {
            outcomes[i].record_id =
                fmt::format("{:016x}{:016x}", entry->id_salt, outcome.first_sequence + i);
          } else {
            outcomes[i].error_code = "ServiceUnavailableException";
            outcomes[i].error_message = outcome.status.message();
          }
        }
        respond(Json(200, PutRecordBatchResponse(outcomes, encrypted)));
      });
}

HttpResponse FirehoseService::Impl::Create(const std::string& body) {
  Result<delivery::StreamConfig> config = delivery::ParseCreateDeliveryStream(body);
  if (!config.ok()) return Error("InvalidArgumentException", config.status().message());
  std::lock_guard control(control_mu_);
  if (Find(config->name) != nullptr) {
    return Error("ResourceInUseException",
                 fmt::format("Firehose {} under accountId {} already exists", config->name,
                             delivery::kAwsAccountId));
  }
  {
    std::shared_lock lock(streams_mu_);
    if (streams_.size() >= kMaxStreams) {
      return Error("LimitExceededException",
                   fmt::format("a lake holds at most {} delivery streams", kMaxStreams));
    }
  }
  // A log left by a stream of the same name that was deleted is not this stream's.
  std::error_code ignored;
  std::filesystem::remove_all(LogFolder(config->name), ignored);
  std::vector<std::string> warnings;
  const std::string arn = config->arn();
  const std::string name = config->name;
  const std::string definition = config->request_json;
  Result<std::shared_ptr<Entry>> entry = StartStream(std::move(*config), 1, NowMicros(), &warnings);
  if (!entry.ok()) return Error("InvalidArgumentException", entry.status().message());
  {
    std::lock_guard lock(catalog_mu_);
    Status created = catalog_->CreateStream(name, definition);
    if (!created.ok()) {
      (*entry)->stream->Close();
      return Error(created.code() == StatusCode::kAlreadyExists ? "ResourceInUseException"
                                                                : "InvalidArgumentException",
                   created.message());
    }
    Result<catalog::SqliteCatalog::Stream> stored = catalog_->GetStream(name);
    if (stored.ok()) (*entry)->created_micros = stored->created_micros;
  }
  {
    std::unique_lock lock(streams_mu_);
    streams_[name] = *entry;
  }
  return Json(200, fmt::format("{{\"DeliveryStreamARN\":\"{}\"}}", arn));
}

HttpResponse FirehoseService::Impl::Describe(const std::string& body) {
  simdjson::dom::parser parser;
  Result<simdjson::dom::element> root = ParseBody(parser, body);
  if (!root.ok()) return Error("InvalidArgumentException", root.status().message());
  Result<std::string> name = StringMember(*root, "DeliveryStreamName", true);
  if (!name.ok()) return Error("InvalidArgumentException", name.status().message());
  std::shared_ptr<Entry> entry = Find(*name);
  if (entry == nullptr) return Error("ResourceNotFoundException", NotFoundMessage(*name));
  return Json(200, delivery::DescribeDeliveryStreamJson(
                       entry->config, std::to_string(entry->version),
                       entry->created_micros / 1000000, entry->updated_micros / 1000000));
}

HttpResponse FirehoseService::Impl::List(const std::string& body) {
  simdjson::dom::parser parser;
  Result<simdjson::dom::element> root = ParseBody(parser, body.empty() ? "{}" : body);
  if (!root.ok()) return Error("InvalidArgumentException", root.status().message());
  int64_t limit = 10;
  simdjson::dom::element value;
  if ((*root)["Limit"].get(value) == simdjson::SUCCESS) {
    if (value.get(limit) != simdjson::SUCCESS || limit < 1 || limit > 10000) {
      return Error("InvalidArgumentException", "Limit: must be an integer from 1 to 10000");
    }
  }
  Result<std::string> start = StringMember(*root, "ExclusiveStartDeliveryStreamName", false);
  Result<std::string> type = StringMember(*root, "DeliveryStreamType", false);
  if (!start.ok()) return Error("InvalidArgumentException", start.status().message());
  if (!type.ok()) return Error("InvalidArgumentException", type.status().message());
  std::vector<std::string> names;
  bool more = false;
  {
    std::shared_lock lock(streams_mu_);
    for (auto it = streams_.upper_bound(*start); it != streams_.end(); ++it) {
      if (!type->empty() && *type != "DirectPut") break;
      if (static_cast<int64_t>(names.size()) == limit) {
        more = true;
        break;
      }
      names.push_back(it->first);
    }
  }
  std::string out = "{\"DeliveryStreamNames\":[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(&out, names[i]);
  }
  out.append(fmt::format("],\"HasMoreDeliveryStreams\":{}}}", more ? "true" : "false"));
  return Json(200, out);
}

HttpResponse FirehoseService::Impl::Delete(const std::string& body) {
  simdjson::dom::parser parser;
  Result<simdjson::dom::element> root = ParseBody(parser, body);
  if (!root.ok()) return Error("InvalidArgumentException", root.status().message());
  Result<std::string> name = StringMember(*root, "DeliveryStreamName", true);
  if (!name.ok()) return Error("InvalidArgumentException", name.status().message());
  std::lock_guard control(control_mu_);
  std::shared_ptr<Entry> entry;
  {
    std::unique_lock lock(streams_mu_);
    auto it = streams_.find(*name);
    if (it == streams_.end()) return Error("ResourceNotFoundException", NotFoundMessage(*name));
    entry = it->second;
    streams_.erase(it);
  }
  // What was accepted is delivered before the stream goes.
  Status flushed = entry->stream->Flush();
  entry->stream->Close();
  if (!flushed.ok()) {
    std::unique_lock lock(streams_mu_);
    fmt::print(stderr, "tarn: deleting stream {}: {}\n", *name, flushed.message());
  }
  {
    std::lock_guard lock(catalog_mu_);
    Status deleted = catalog_->DeleteStream(*name);
    if (!deleted.ok()) return Error("InvalidArgumentException", deleted.message());
  }
  if (flushed.ok()) {
    std::error_code ignored;
    std::filesystem::remove_all(LogFolder(*name), ignored);
  }
  return Json(200, "{}");
}

HttpResponse FirehoseService::Impl::Update(const std::string& body) {
  Result<delivery::UpdateDestinationRequest> request = delivery::ParseUpdateDestination(body);
  if (!request.ok()) return Error("InvalidArgumentException", request.status().message());
  std::lock_guard control(control_mu_);
  std::shared_ptr<Entry> entry = Find(request->stream_name);
  if (entry == nullptr) {
    return Error("ResourceNotFoundException", NotFoundMessage(request->stream_name));
  }
  if (request->current_version_id != std::to_string(entry->version)) {
    return Error("ConcurrentModificationException",
                 fmt::format("CurrentDeliveryStreamVersionId {} is not the stream's version {}",
                             request->current_version_id, entry->version));
  }
  Result<std::pair<delivery::StreamConfig, std::string>> merged =
      delivery::ApplyUpdateDestination(entry->config.request_json, body);
  if (!merged.ok()) return Error("InvalidArgumentException", merged.status().message());
  {
    // Check the new definition can run before anything changes.
    std::lock_guard lock(catalog_mu_);
    Result<storage::Keyring*> keyring = KeyringFor(merged->first);
    if (!keyring.ok()) return Error("InvalidArgumentException", keyring.status().message());
    Result<delivery::DeliverySettings> settings = delivery::MakeDeliverySettings(
        merged->first, std::to_string(entry->version + 1), *catalog_, *keyring);
    if (!settings.ok()) return Error("InvalidArgumentException", settings.status().message());
    Status updated = catalog_->UpdateStream(request->stream_name, merged->second, entry->version);
    if (!updated.ok()) {
      return Error(updated.code() == StatusCode::kAlreadyExists ? "ConcurrentModificationException"
                                                                : "InvalidArgumentException",
                   updated.message());
    }
  }
  // Deliver what the old version buffered, then start the new one on the same log.
  {
    std::unique_lock lock(streams_mu_);
    streams_.erase(request->stream_name);
  }
  Status flushed = entry->stream->Flush();
  entry->stream->Close();
  if (!flushed.ok()) {
    fmt::print(stderr, "tarn: updating stream {}: {}\n", request->stream_name, flushed.message());
  }
  std::vector<std::string> warnings;
  Result<std::shared_ptr<Entry>> next =
      StartStream(std::move(merged->first), entry->version + 1, entry->created_micros, &warnings);
  if (!next.ok()) {
    return Error("InvalidArgumentException",
                 fmt::format("the update was stored but the stream cannot start: {}",
                             next.status().message()));
  }
  std::unique_lock lock(streams_mu_);
  streams_[request->stream_name] = *next;
  return Json(200, "{}");
}

HttpResponse FirehoseService::Impl::Metrics() {
  std::vector<std::pair<std::string, delivery::DeliveryMetrics>> all;
  {
    std::shared_lock lock(streams_mu_);
    for (const auto& [name, entry] : streams_) all.emplace_back(name, entry->stream->metrics());
  }
  std::string out;
  const auto emit = [&](std::string_view name, std::string_view help, std::string_view type,
                        auto field) {
    std::vector<std::pair<std::string, double>> values;
    for (const auto& [stream, m] : all) values.emplace_back(stream, field(m));
    AppendMetric(&out, name, help, type, values);
  };
  using M = delivery::DeliveryMetrics;
  emit("IncomingRecords", "records accepted", "counter",
       [](const M& m) { return double(m.incoming_records); });
  emit("IncomingBytes", "bytes accepted", "counter",
       [](const M& m) { return double(m.incoming_bytes); });
  emit("IncomingPutRequests", "PutRecord and PutRecordBatch requests", "counter",
       [](const M& m) { return double(m.incoming_put_requests); });
  emit("ThrottledRecords", "records refused by back-pressure", "counter",
       [](const M& m) { return double(m.throttled_records); });
  emit("DeliveryToS3.Records", "records delivered to the lake", "counter",
       [](const M& m) { return double(m.delivered_records); });
  emit("DeliveryToS3.Bytes", "bytes of objects delivered", "counter",
       [](const M& m) { return double(m.delivered_bytes); });
  emit("DeliveryToS3.ObjectCount", "objects delivered", "counter",
       [](const M& m) { return double(m.delivered_objects); });
  emit("DeliveryToS3.Success", "successful object writes / all object writes", "gauge",
       [](const M& m) {
         return m.put_attempts == 0 ? 1.0 : double(m.put_successes) / double(m.put_attempts);
       });
  emit("DeliveryToS3.DataFreshness", "age in seconds of the oldest undelivered record", "gauge",
       [](const M& m) { return m.data_freshness_seconds; });
  emit("PartitionCount", "active partitions", "gauge",
       [](const M& m) { return double(m.partition_count); });
  emit("PartitionCountExceeded", "1 while the active partition limit is exceeded", "gauge",
       [](const M& m) { return double(m.partition_count_exceeded); });
  emit("JQProcessing.Duration", "seconds spent in jq metadata extraction", "counter",
       [](const M& m) { return m.jq_seconds; });
  emit("SucceedConversion.Records", "records converted to Parquet", "counter",
       [](const M& m) { return double(m.succeeded_conversion_records); });
  emit("FailedConversion.Records", "records that failed conversion", "counter",
       [](const M& m) { return double(m.failed_conversion_records); });
  HttpResponse response = Json(200, std::move(out));
  response.content_type = "text/plain; version=0.0.4";
  return response;
}

Status FirehoseService::Impl::FlushAll() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::shared_lock lock(streams_mu_);
    for (const auto& [name, entry] : streams_) entries.push_back(entry);
  }
  Status first;
  for (const auto& entry : entries) {
    Status flushed = entry->stream->Flush();
    if (first.ok() && !flushed.ok()) first = flushed;
  }
  return first;
}

void FirehoseService::Impl::Close() {
  std::map<std::string, std::shared_ptr<Entry>> streams;
  {
    std::unique_lock lock(streams_mu_);
    streams.swap(streams_);
  }
  for (auto& [name, entry] : streams) entry->stream->Close();
}

FirehoseService::FirehoseService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FirehoseService::~FirehoseService() { impl_->Close(); }

Result<std::unique_ptr<FirehoseService>> FirehoseService::Open(const ServiceOptions& options,
                                                               std::vector<std::string>* warnings) {
  auto impl = std::make_unique<Impl>(options);
  TARN_RETURN_IF_ERROR(impl->Open(warnings));
  return std::unique_ptr<FirehoseService>(new FirehoseService(std::move(impl)));
}

Result<std::vector<std::string>> FirehoseService::LoadStreamFiles(const std::string& folder) {
  return impl_->LoadStreamFiles(folder);
}
void FirehoseService::Handle(HttpRequest request, Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}
Status FirehoseService::FlushAll() { return impl_->FlushAll(); }
void FirehoseService::Close() { impl_->Close(); }

}  // namespace tarn::ingest
