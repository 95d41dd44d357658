#include "ingest/sigv4.h"

#include <gtest/gtest.h>

namespace tarn::ingest {
namespace {

HttpRequest Request(std::string method, std::string target,
                    std::vector<std::pair<std::string, std::string>> headers,
                    std::string body = "") {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

// Parses the request's Authorization header and verifies it at `now`.
std::optional<AuthError> Check(const HttpRequest& request, std::string_view secret, int64_t now) {
  SigV4Authorization auth;
  if (auto error = ParseAuthorization(request.Header("authorization"), &auth)) return error;
  SigV4Limits limits;
  limits.service = auth.service;  // The AWS vectors sign for other services.
  return VerifySigV4(request, auth, secret, now, limits);
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

// --- AWS's documented examples -------------------------------------------------------------

// get-vanilla from AWS's Signature Version 4 test suite.
constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const int64_t kSuiteNow = *ParseAmzDate("20150830T123600Z");

HttpRequest GetVanilla() {
  return Request("GET", "/",
                 {{"host", "example.amazonaws.com"},
                  {"x-amz-date", "20150830T123600Z"},
                  {"authorization",
                   "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                   "aws4_request, SignedHeaders=host;x-amz-date, "
                   "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}});
}

TEST(SigV4Test, AcceptsTheTestSuitesGetVanilla) {
  EXPECT_FALSE(Check(GetVanilla(), kSuiteSecret, kSuiteNow).has_value());
}

TEST(SigV4Test, BuildsGetVanillasCanonicalRequest) {
  EXPECT_EQ(CanonicalRequest(GetVanilla(), {"host", "x-amz-date"}, Sha256Hex("")),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// The S3 "GET Object" example of AWS's S3 API reference (signature calculation, header auth).
TEST(SigV4Test, AcceptsTheS3GetObjectExample) {
  HttpRequest request = Request(
      "GET", "/test.txt",
      {{"host", "examplebucket.s3.amazonaws.com"},
       {"range", "bytes=0-9"},
       {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
       {"x-amz-date", "20130524T000000Z"},
       {"authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}});
  EXPECT_FALSE(
      Check(request, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", *ParseAmzDate("20130524T000000Z"))
          .has_value());
}

// --- A Firehose PutRecord signed by botocore 1.29 (SigV4Auth over an AWSRequest) -----------

constexpr std::string_view kSecret = "tarnSecretKeyForTesting/0123456789+abcdef";
constexpr std::string_view kBody =
    R"({"DeliveryStreamName": "events", "Record": {"Data": "eyJ0ZW1wIjogMzYuNn0K"}})";
const int64_t kSignedAt = *ParseAmzDate("20260102T030405Z");

HttpRequest BotocorePutRecord() {
  return Request("POST", "/",
                 {{"content-type", "application/x-amz-json-1.1"},
                  {"x-amz-target", "Firehose_20150804.PutRecord"},
                  {"user-agent", "aws-cli/2 test"},
                  {"host", "127.0.0.1:4573"},
                  {"x-amz-date", "20260102T030405Z"},
                  {"authorization",
                   "AWS4-HMAC-SHA256 Credential=TKIAABCDEFGHIJKLMNOP/20260102/us-east-1/firehose/"
                   "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                   "Signature=649df7af50df092fd26551e188a42ecb0b481daeea89cda6db94dba6f795bd24"}},
                 std::string(kBody));
}

TEST(SigV4Test, AcceptsBotocoresPutRecord) {
  EXPECT_FALSE(Check(BotocorePutRecord(), kSecret, kSignedAt).has_value());
}

TEST(SigV4Test, UnsignedHeadersMayChange) {
  HttpRequest request = BotocorePutRecord();
  request.headers[2].second = "curl/8";
  EXPECT_FALSE(Check(request, kSecret, kSignedAt).has_value());
}

TEST(SigV4Test, RejectsATamperedBody) {
  HttpRequest request = BotocorePutRecord();
  request.body = Replace(request.body, "events", "evilss");
  auto error = Check(request, kSecret, kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(AuthErrorTypeName(error->type), "InvalidSignatureException");
  EXPECT_EQ(error->message,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.");
}

TEST(SigV4Test, RejectsATamperedSignedHeader) {
  HttpRequest request = BotocorePutRecord();
  request.headers[1].second = "Firehose_20150804.DeleteDeliveryStream";
  auto error = Check(request, kSecret, kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, AuthErrorType::kInvalidSignature);
}

TEST(SigV4Test, RejectsAWrongSecret) {
  auto error = Check(BotocorePutRecord(), "tarnSecretKeyForTesting/0123456789+abcdeF", kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, AuthErrorType::kInvalidSignature);
}

TEST(SigV4Test, RejectsATamperedSignature) {
  HttpRequest request = BotocorePutRecord();
  request.headers[5].second = Replace(request.headers[5].second, "649df7", "649df8");
  EXPECT_EQ(Check(request, kSecret, kSignedAt)->type, AuthErrorType::kInvalidSignature);
}

TEST(SigV4Test, RejectsADateChangedAfterSigning) {
  HttpRequest request = BotocorePutRecord();
  request.headers[4].second = "20260102T030406Z";
  EXPECT_EQ(Check(request, kSecret, kSignedAt)->type, AuthErrorType::kInvalidSignature);
}

TEST(SigV4Test, AcceptsADateWithinFifteenMinutes) {
  EXPECT_FALSE(Check(BotocorePutRecord(), kSecret, kSignedAt + 15 * 60).has_value());
  EXPECT_FALSE(Check(BotocorePutRecord(), kSecret, kSignedAt - 15 * 60).has_value());
}

TEST(SigV4Test, RejectsAStaleDateAsAwsSays) {
  auto error = Check(BotocorePutRecord(), kSecret, kSignedAt + 15 * 60 + 1);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, AuthErrorType::kInvalidSignature);
  EXPECT_EQ(error->message,
            "Signature expired: 20260102T030405Z is now earlier than 20260102T030406Z "
            "(20260102T031906Z - 15 min.)");
}

TEST(SigV4Test, RejectsADateInTheFuture) {
  auto error = Check(BotocorePutRecord(), kSecret, kSignedAt - 16 * 60);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message,
            "Signature not yet current: 20260102T030405Z is still later than 20260102T030305Z "
            "(20260102T024805Z + 15 min.)");
}

TEST(SigV4Test, RejectsAScopeDateOtherThanTheRequests) {
  HttpRequest request = BotocorePutRecord();
  request.headers[5].second = Replace(request.headers[5].second, "/20260102/", "/20260101/");
  auto error = Check(request, kSecret, kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("'20260101' != '20260102'"), std::string::npos) << error->message;
}

TEST(SigV4Test, RejectsAnotherService) {
  HttpRequest request = BotocorePutRecord();
  SigV4Authorization auth;
  ASSERT_FALSE(ParseAuthorization(request.Header("authorization"), &auth));
  auth.service = "kinesis";
  auto error = VerifySigV4(request, auth, kSecret, kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("correct service: 'firehose'"), std::string::npos);
}

TEST(SigV4Test, ChecksTheClaimedPayloadHash) {
  HttpRequest request = BotocorePutRecord();
  request.headers.emplace_back("x-amz-content-sha256", Sha256Hex("something else"));
  auto error = Check(request, kSecret, kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("x-amz-content-sha256"), std::string::npos);
  request.headers.back().second = Sha256Hex(kBody);
  EXPECT_FALSE(Check(request, kSecret, kSignedAt).has_value());
}

TEST(SigV4Test, RequiresHostAndDateSigned) {
  HttpRequest request = BotocorePutRecord();
  request.headers[5].second =
      Replace(request.headers[5].second, "content-type;host;", "content-type;");
  auto error = Check(request, kSecret, kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, AuthErrorType::kIncompleteSignature);
  EXPECT_NE(error->message.find("'Host'"), std::string::npos);
}

TEST(SigV4Test, RequiresAnXAmzDate) {
  HttpRequest request = BotocorePutRecord();
  request.headers.erase(request.headers.begin() + 4);
  auto error = Check(request, kSecret, kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, AuthErrorType::kIncompleteSignature);
  EXPECT_NE(error->message.find("X-Amz-Date"), std::string::npos);
}

// Captured from Debian's AWS CLI 2.9.19: `aws firehose list-delivery-streams --endpoint-url
// http://127.0.0.1:45731 --region us-east-1` with these keys in the environment.
TEST(SigV4Test, AcceptsTheAwsClisListDeliveryStreams) {
  HttpRequest request =
      Request("POST", "/",
              {{"host", "127.0.0.1:45731"},
               {"accept-encoding", "identity"},
               {"x-amz-target", "Firehose_20150804.ListDeliveryStreams"},
               {"content-type", "application/x-amz-json-1.1"},
               {"user-agent",
                "aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v595 source/x86_64.debian.12 "
                "prompt/off command/firehose.list-delivery-streams"},
               {"x-amz-date", "20261126T165514Z"},
               {"authorization",
                "AWS4-HMAC-SHA256 Credential=TKIAHHANUDB7CCA6TWAI/20261126/us-east-1/firehose/"
                "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                "Signature=1ea4789e4d0de78138f10519aa241fbdfc249067f21730ef98608fa6464f4bff"},
               {"content-length", "2"}},
              "{}");
  const int64_t now = *ParseAmzDate("20261126T165600Z");
  EXPECT_FALSE(Check(request, kSecret, now).has_value());
  request.body = "{ }";
  EXPECT_EQ(Check(request, kSecret, now)->type, AuthErrorType::kInvalidSignature);
}

// --- Parsing -------------------------------------------------------------------------------

TEST(SigV4Test, ParsesTheAuthorizationHeader) {
  SigV4Authorization auth;
  ASSERT_FALSE(ParseAuthorization(BotocorePutRecord().Header("authorization"), &auth));
  EXPECT_EQ(auth.access_key_id, "TKIAABCDEFGHIJKLMNOP");
  EXPECT_EQ(auth.Scope(), "20260102/us-east-1/firehose/aws4_request");
  EXPECT_EQ(auth.signed_headers,
            (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-target"}));
}

TEST(SigV4Test, NamesTheMissingParameter) {
  SigV4Authorization auth;
  auto error = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=A/20260102/us-east-1/firehose/aws4_request, "
      "SignedHeaders=host;x-amz-date",
      &auth);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(AuthErrorTypeName(error->type), "IncompleteSignatureException");
  EXPECT_EQ(error->message, "Authorization header requires 'Signature' parameter.");
}

TEST(SigV4Test, RejectsMalformedHeaders) {
  const std::vector<std::string> headers = {
      "",
      "Basic dXNlcjpwYXNz",
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA256 Credential=A/20260102/us-east-1/firehose, SignedHeaders=host, "
      "Signature=" +
          std::string(64, 'a'),
      "AWS4-HMAC-SHA256 Credential=A/2026010/us-east-1/firehose/aws4_request, "
      "SignedHeaders=host, Signature=" +
          std::string(64, 'a'),
      "AWS4-HMAC-SHA256 Credential=A/20260102/us-east-1/firehose/aws4_request, "
      "SignedHeaders=Host, Signature=" +
          std::string(64, 'a'),
      "AWS4-HMAC-SHA256 Credential=A/20260102/us-east-1/firehose/aws4_request, "
      "SignedHeaders=host, Signature=xyz",
  };
  for (const std::string& header : headers) {
    SigV4Authorization auth;
    auto error = ParseAuthorization(header, &auth);
    ASSERT_TRUE(error.has_value()) << header;
    EXPECT_EQ(error->type, AuthErrorType::kIncompleteSignature) << header;
  }
}

TEST(SigV4Test, ParsesAndFormatsAmzDates) {
  EXPECT_EQ(ParseAmzDate("19700101T000001Z"), 1);
  EXPECT_EQ(FormatAmzDate(kSignedAt), "20260102T030405Z");
  EXPECT_FALSE(ParseAmzDate("20260230T000000Z").has_value());
  EXPECT_FALSE(ParseAmzDate("2026-01-02T03:04:05Z").has_value());
  // A leap second would format as the next day, so a signed date could not be read back.
  EXPECT_FALSE(ParseAmzDate("99991231T235960Z").has_value());
}

// --- Canonical forms -----------------------------------------------------------------------

TEST(SigV4Test, CanonicalUriEncodesEachSegmentAndDropsDotSegments) {
  EXPECT_EQ(CanonicalUri("/"), "/");
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("/a b/./c/../d/"), "/a%20b/d/");
  // The wire form is encoded once more, as AWS does for services other than S3.
  EXPECT_EQ(CanonicalUri("/x%2Fy?q=1"), "/x%252Fy");
}

TEST(SigV4Test, CanonicalQuerySortsByNameThenValue) {
  EXPECT_EQ(CanonicalQueryString("/?b=2&a=z&a=y&c"), "a=y&a=z&b=2&c=");
  EXPECT_EQ(CanonicalQueryString("/?k=a%20b&k2=a+b&%7e=~"), "k=a%20b&k2=a%2Bb&~=~");
  EXPECT_EQ(CanonicalQueryString("/"), "");
}

TEST(SigV4Test, CanonicalHeadersTrimAndCollapseSpaces) {
  HttpRequest request = Request("GET", "/", {{"my-header", "  a   b  c "}, {"my-header", "d"}});
  EXPECT_EQ(CanonicalRequest(request, {"my-header"}, "HASH"),
            "GET\n/\n\nmy-header:a b c,d\n\nmy-header\nHASH");
}

TEST(SigV4Test, SignedRequestsVerify) {
  HttpRequest request = Request("POST", "/", {{"host", "localhost:4573"}}, "{}");
  SignSigV4({"TKIAAAAAAAAAAAAAAAAA", "secret", "eu-west-1", "firehose"}, kSignedAt, &request);
  EXPECT_FALSE(Check(request, "secret", kSignedAt + 60).has_value());
  EXPECT_EQ(Check(request, "Secret", kSignedAt + 60)->type, AuthErrorType::kInvalidSignature);
}

}  // namespace
}  // namespace tarn::ingest
