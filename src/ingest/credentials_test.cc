// Tests of the credential store, the audit log and their use by FirehoseService.
#include "ingest/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ingest/audit_log.h"
#include "ingest/firehose_api.h"
#include "ingest/sigv4.h"

namespace tarn::ingest {
namespace {

namespace fs = std::filesystem;

// Seals by prefixing the context, so tests can see that only sealed forms reach the file and
// that the context is checked.
class FakeSecretBox : public storage::SecretBox {
 public:
  Result<std::string> SealSecret(std::string_view secret, std::string_view context) override {
    ++seals;
    return "sealed:" + std::string(context) + ":" + Reverse(secret);
  }
  Result<std::string> OpenSecret(std::string_view sealed, std::string_view context) override {
    ++opens;
    const std::string prefix = "sealed:" + std::string(context) + ":";
    if (sealed.substr(0, prefix.size()) != prefix) return Corruption("authentication failed");
    return Reverse(sealed.substr(prefix.size()));
  }
  int seals = 0;
  int opens = 0;

 private:
  static std::string Reverse(std::string_view text) {
    return std::string(text.rbegin(), text.rend());
  }
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t Mode(const fs::path& path) {
  struct stat info;
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = fs::temp_directory_path() /
            ("tarn_credentials_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(lake_);
    fs::create_directories(lake_);
    box_ = std::make_shared<FakeSecretBox>();
    store_ = Open();
  }
  void TearDown() override { fs::remove_all(lake_); }

  std::unique_ptr<CredentialStore> Open() {
    auto store = CredentialStore::Open(lake_.string(), box_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(*store);
  }
  NewCredential MustCreate(const std::string& name, Permissions permissions = {{"*"}, false}) {
    auto created = store_->Create(name, permissions);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return *created;
  }

  fs::path lake_;
  std::shared_ptr<FakeSecretBox> box_;
  std::unique_ptr<CredentialStore> store_;
};

TEST_F(CredentialsTest, CreatesKeysShapedLikeAwss) {
  NewCredential created = MustCreate("loader");
  ASSERT_EQ(created.access_key_id.size(), kAccessKeyIdLength);
  EXPECT_EQ(created.access_key_id.substr(0, 4), "TKIA");
  EXPECT_EQ(created.access_key_id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            std::string::npos);
  EXPECT_EQ(created.secret.size(), kSecretLength);
  EXPECT_NE(MustCreate("other").access_key_id, created.access_key_id);
}

TEST_F(CredentialsTest, StoresOnlyTheSealedSecretInAPrivateFile) {
  NewCredential created = MustCreate("loader");
  const std::string text = ReadText(store_->path());
  EXPECT_EQ(text.find(created.secret), std::string::npos);
  EXPECT_NE(text.find(created.access_key_id), std::string::npos);
  EXPECT_EQ(box_->seals, 1);
  EXPECT_EQ(Mode(store_->path()), 0600);
}

TEST_F(CredentialsTest, LooksUpTheSecretAndPermissions) {
  NewCredential created = MustCreate("loader", {{"events", "clicks"}, true});
  auto found = Open()->Lookup(created.access_key_id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->secret, created.secret);
  EXPECT_EQ(found->name, "loader");
  EXPECT_TRUE(found->permissions.MayPut("clicks"));
  EXPECT_FALSE(found->permissions.MayPut("orders"));
  EXPECT_TRUE(found->permissions.manage);
}

TEST_F(CredentialsTest, CachesOpenedSecrets) {
  NewCredential created = MustCreate("loader");
  ASSERT_TRUE(store_->Lookup(created.access_key_id).ok());
  ASSERT_TRUE(store_->Lookup(created.access_key_id).ok());
  EXPECT_EQ(box_->opens, 1);
}

TEST_F(CredentialsTest, UnknownKeyIsNotFound) {
  MustCreate("loader");
  EXPECT_EQ(store_->Lookup("TKIAAAAAAAAAAAAAAAAA").status().code(), StatusCode::kNotFound);
}

TEST_F(CredentialsTest, ASecretMovedToAnotherKeyDoesNotOpen) {
  NewCredential a = MustCreate("a");
  NewCredential b = MustCreate("b");
  std::string text = ReadText(store_->path());
  const std::string sealed_a = "sealed:" + a.access_key_id + ":";
  text.replace(text.find(sealed_a), sealed_a.size(), "sealed:" + b.access_key_id + ":");
  text.replace(text.find("sealed:" + b.access_key_id + ":", text.find("\"b\"")), sealed_a.size(),
               sealed_a);
  std::ofstream(store_->path()) << text;
  EXPECT_EQ(Open()->Lookup(b.access_key_id).status().code(), StatusCode::kCorruption);
}

TEST_F(CredentialsTest, ListsWithoutSecrets) {
  MustCreate("zeta", {{"events"}, false});
  MustCreate("alpha", {{}, true});
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "alpha");
  EXPECT_EQ((*list)[0].permissions.ToString(), "put: (none); manage");
  EXPECT_EQ((*list)[1].permissions.ToString(), "put: events");
}

TEST_F(CredentialsTest, RevokesByNameOrKey) {
  NewCredential a = MustCreate("a");
  NewCredential b = MustCreate("b");
  ASSERT_TRUE(store_->Revoke("a").ok());
  ASSERT_TRUE(store_->Revoke(b.access_key_id).ok());
  EXPECT_FALSE(store_->HasAny());
  EXPECT_EQ(store_->Lookup(a.access_key_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Revoke("a").status().code(), StatusCode::kNotFound);
}

TEST_F(CredentialsTest, SeesChangesMadeByAnotherProcess) {
  EXPECT_FALSE(store_->HasAny());
  NewCredential created = *Open()->Create("late", {{"*"}, false});
  EXPECT_TRUE(store_->HasAny());
  EXPECT_TRUE(store_->Lookup(created.access_key_id).ok());
  ASSERT_TRUE(Open()->Revoke("late").ok());
  EXPECT_EQ(store_->Lookup(created.access_key_id).status().code(), StatusCode::kNotFound);
}

TEST_F(CredentialsTest, ADamagedFileFailsClosed) {
  MustCreate("a");
  std::ofstream(store_->path()) << "{\"version\": 1, \"credentials\": [";
  EXPECT_TRUE(store_->HasAny());
  Status status = store_->List().status();
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("credentials.json"), std::string::npos);
}

TEST_F(CredentialsTest, RejectsDuplicateAndBadNames) {
  MustCreate("loader");
  EXPECT_EQ(store_->Create("loader", {}).status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(store_->Create("bad name", {}).status().message().find("character 4"),
            std::string::npos);
  EXPECT_EQ(store_->Create("", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Create(std::string(65, 'a'), {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store_->Create("x", {{"no/slash"}, false}).status().message().find("'no/slash'"),
            std::string::npos);
}

TEST_F(CredentialsTest, WorksWithTheLakesKeyring) {
  auto keyring = storage::Keyring::Open(lake_.string(), {});
  ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
  auto store = CredentialStore::Open(lake_.string(), *keyring);
  ASSERT_TRUE(store.ok());
  auto created = (*store)->Create("real", {{"*"}, false});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(ReadText((*store)->path()).find(created->secret), std::string::npos);
  auto reopened = storage::Keyring::Open(lake_.string(), {});
  ASSERT_TRUE(reopened.ok());
  auto found = (*CredentialStore::Open(lake_.string(), *reopened))->Lookup(created->access_key_id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->secret, created->secret);
}

// --- Audit log -----------------------------------------------------------------------------

TEST(AuditLogTest, FormatsOneJsonLine) {
  AuditEntry entry;
  entry.time_micros = 1767323045678901;  // 2026-01-02 03:04:05.678901 UTC
  entry.credential = "TKIAABCDEFGHIJKLMNOP";
  entry.source = "127.0.0.1:5000";
  entry.operation = "PutRecordBatch";
  entry.stream = "events";
  entry.records = 3;
  entry.bytes = 120;
  EXPECT_EQ(FormatAuditLine(entry),
            "{\"time\":\"2026-01-02T03:04:05.678Z\",\"credential\":\"TKIAABCDEFGHIJKLMNOP\","
            "\"source\":\"127.0.0.1:5000\",\"operation\":\"PutRecordBatch\",\"stream\":"
            "\"events\",\"records\":3,\"bytes\":120,\"outcome\":\"ok\",\"http_status\":200}\n");
}

TEST(AuditLogTest, WritesPrivateDailyFiles) {
  const fs::path lake =
      fs::temp_directory_path() / ("tarn_audit_test_" + std::to_string(::getpid()));
  fs::remove_all(lake);
  auto log = AuditLog::Open(lake.string());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  AuditEntry entry;
  entry.time_micros = 1767323045000000;  // 2026-01-02
  entry.stream = std::nullopt;
  ASSERT_TRUE((*log)->Append(entry).ok());
  ASSERT_TRUE((*log)->Append(entry).ok());
  entry.time_micros += 86'400'000'000;
  ASSERT_TRUE((*log)->Append(entry).ok());
  const fs::path folder = lake / "_tarn/audit";
  EXPECT_EQ(Mode(folder), 0700);
  EXPECT_EQ(Mode(folder / "audit-2026-01-02.jsonl"), 0600);
  const std::string day1 = ReadText(folder / "audit-2026-01-02.jsonl");
  EXPECT_EQ(std::count(day1.begin(), day1.end(), '\n'), 2);
  EXPECT_NE(day1.find("\"stream\":null"), std::string::npos);
  EXPECT_TRUE(fs::exists(folder / "audit-2026-01-03.jsonl"));
  fs::remove_all(lake);
}

// --- FirehoseService: authentication, authorisation and auditing ---------------------------

constexpr int64_t kNow = 1767323045;  // 2026-01-02 03:04:05 UTC

class ServiceAuthTest : public CredentialsTest {
 protected:
  void SetUp() override {
    CredentialsTest::SetUp();
    auto audit = AuditLog::Open(lake_.string());
    ASSERT_TRUE(audit.ok());
    options_.lake_root = lake_.string();
    options_.credentials = Open();
    options_.audit = std::move(*audit);
    options_.now_micros = [] { return kNow * 1'000'000; };
  }
  void StartService() {
    std::vector<std::string> warnings;
    auto service = FirehoseService::Open(options_, &warnings);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(*service);
  }
  HttpRequest Call(std::string operation, std::string body) {
    HttpRequest request;
    request.method = "POST";
    request.target = "/";
    request.remote = "127.0.0.1:4242";
    request.headers = {{"host", "127.0.0.1:4573"},
                       {"x-amz-target", "Firehose_20150804." + operation},
                       {"content-type", "application/x-amz-json-1.1"}};
    request.body = std::move(body);
    return request;
  }
  HttpRequest Signed(HttpRequest request, const NewCredential& key, std::string secret = "") {
    SignSigV4({key.access_key_id, secret.empty() ? key.secret : secret}, kNow, &request);
    return request;
  }
  HttpResponse Send(HttpRequest request) {
    HttpResponse out;
    service_->Handle(std::move(request), [&](HttpResponse response) { out = std::move(response); });
    return out;
  }
  std::string ErrorType(const HttpResponse& response) {
    for (const auto& [name, value] : response.headers) {
      if (name == "x-amzn-ErrorType") return value;
    }
    return "";
  }
  std::string AuditText() {
    std::string all;
    for (const auto& entry : fs::directory_iterator(lake_ / "_tarn/audit")) {
      all += ReadText(entry.path());
    }
    return all;
  }

  ServiceOptions options_;
  std::unique_ptr<FirehoseService> service_;
};

constexpr std::string_view kList = "{}";
constexpr std::string_view kPut = R"({"DeliveryStreamName":"events","Record":{"Data":"aGk="}})";

TEST_F(ServiceAuthTest, OpenWithoutCredentialsOnAutoMode) {
  StartService();
  HttpResponse response = Send(Call("ListDeliveryStreams", std::string(kList)));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_NE(AuditText().find("\"credential\":\"anonymous\""), std::string::npos);
}

TEST_F(ServiceAuthTest, RequiredModeRejectsUnsignedRequests) {
  options_.auth = AuthMode::kRequired;
  StartService();
  HttpResponse response = Send(Call("ListDeliveryStreams", std::string(kList)));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorType(response), "MissingAuthenticationTokenException");
}

TEST_F(ServiceAuthTest, AnyCredentialMakesAuthenticationMandatory) {
  MustCreate("loader");
  StartService();
  HttpResponse response = Send(Call("ListDeliveryStreams", std::string(kList)));
  EXPECT_EQ(ErrorType(response), "MissingAuthenticationTokenException");
  EXPECT_NE(AuditText().find("\"outcome\":\"MissingAuthenticationTokenException\""),
            std::string::npos);
}

TEST_F(ServiceAuthTest, AcceptsASignedRequest) {
  NewCredential key = MustCreate("reader", {{}, false});
  StartService();
  HttpResponse response = Send(Signed(Call("ListDeliveryStreams", std::string(kList)), key));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_NE(AuditText().find("\"credential\":\"" + key.access_key_id + "\""), std::string::npos);
}

TEST_F(ServiceAuthTest, RejectsAWrongSecret) {
  NewCredential key = MustCreate("reader");
  StartService();
  HttpResponse response =
      Send(Signed(Call("ListDeliveryStreams", std::string(kList)), key, "not-the-secret"));
  EXPECT_EQ(ErrorType(response), "InvalidSignatureException");
}

TEST_F(ServiceAuthTest, RejectsAnUnknownKey) {
  MustCreate("reader");
  StartService();
  HttpResponse response = Send(Signed(Call("ListDeliveryStreams", std::string(kList)),
                                      {"x", "TKIAAAAAAAAAAAAAAAAA", "secret"}));
  EXPECT_EQ(ErrorType(response), "UnrecognizedClientException");
  EXPECT_NE(response.body.find("The security token included in the request is invalid."),
            std::string::npos);
  EXPECT_NE(AuditText().find("\"credential\":\"TKIAAAAAAAAAAAAAAAAA\""), std::string::npos);
}

TEST_F(ServiceAuthTest, OpenServerServesUnknownKeysAsAnonymous) {
  StartService();
  HttpResponse response = Send(Signed(Call("ListDeliveryStreams", std::string(kList)),
                                      {"x", "TKIAAAAAAAAAAAAAAAAA", "secret"}));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_NE(AuditText().find("\"credential\":\"anonymous\""), std::string::npos);
}

TEST_F(ServiceAuthTest, RequiredModeRejectsUnknownKeys) {
  options_.auth = AuthMode::kRequired;
  StartService();
  HttpResponse response = Send(Signed(Call("ListDeliveryStreams", std::string(kList)),
                                      {"x", "TKIAAAAAAAAAAAAAAAAA", "secret"}));
  EXPECT_EQ(ErrorType(response), "UnrecognizedClientException");
}

TEST_F(ServiceAuthTest, PutNeedsPermissionOnTheStream) {
  NewCredential key = MustCreate("clicks-only", {{"clicks"}, false});
  StartService();
  HttpResponse response = Send(Signed(Call("PutRecord", std::string(kPut)), key));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorType(response), "AccessDeniedException");
  EXPECT_NE(response.body.find("firehose:PutRecord"), std::string::npos) << response.body;
  const std::string audit = AuditText();
  EXPECT_NE(audit.find("\"stream\":\"events\",\"records\":1,\"bytes\":2,"
                       "\"outcome\":\"AccessDeniedException\",\"http_status\":400"),
            std::string::npos)
      << audit;
}

TEST_F(ServiceAuthTest, ManagingNeedsManage) {
  NewCredential key = MustCreate("putter", {{"*"}, false});
  StartService();
  HttpResponse response =
      Send(Signed(Call("DeleteDeliveryStream", R"({"DeliveryStreamName":"events"})"), key));
  EXPECT_EQ(ErrorType(response), "AccessDeniedException");
}

TEST_F(ServiceAuthTest, PutWithPermissionReachesTheStreamLookup) {
  NewCredential key = MustCreate("putter", {{"events"}, false});
  StartService();
  HttpResponse response = Send(Signed(Call("PutRecord", std::string(kPut)), key));
  EXPECT_EQ(ErrorType(response), "ResourceNotFoundException");
}

TEST_F(ServiceAuthTest, HealthIsNeitherAuthenticatedNorAudited) {
  options_.auth = AuthMode::kRequired;
  StartService();
  HttpRequest request;
  request.method = "GET";
  request.target = "/health";
  EXPECT_EQ(Send(request).status, 200);
  EXPECT_EQ(AuditText(), "");
}

}  // namespace
}  // namespace tarn::ingest
