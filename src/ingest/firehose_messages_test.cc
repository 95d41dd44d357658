#include "ingest/firehose_messages.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace tarn::ingest {
namespace {

std::string B64(std::string_view s) {
  std::string out;
  AppendBase64(s, &out);
  return out;
}

std::string Batch(const std::vector<std::string>& records, std::string stream = "events_json") {
  std::string body = R"({"DeliveryStreamName":")" + stream + R"(","Records":[)";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) body += ",";
    body += R"({"Data":")" + B64(records[i]) + R"("})";
  }
  return body + "]}";
}

TEST(FirehoseMessagesTest, DecodesABatch) {
  auto request = ParsePutRecordBatch(Batch({"{\"name\": \"a\"}\n", "", "\x01\xff"}));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->stream, "events_json");
  EXPECT_EQ(request->records, (std::vector<std::string>{"{\"name\": \"a\"}\n", "", "\x01\xff"}));
}

TEST(FirehoseMessagesTest, DecodesAPutRecord) {
  auto request = ParsePutRecord(R"({"DeliveryStreamName":"s","Record":{"Data":"aGk="}})");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->records, std::vector<std::string>{"hi"});
}

TEST(FirehoseMessagesTest, ErrorsNameTheMember) {
  auto message = [](std::string_view body) { return ParsePutRecordBatch(body).status().message(); };
  EXPECT_NE(message("{nope").find("not valid JSON"), std::string::npos);
  EXPECT_NE(message(R"({"Records":[]})").find("DeliveryStreamName"), std::string::npos);
  EXPECT_NE(message(R"({"DeliveryStreamName":"bad name","Records":[]})").find("1 to 64"),
            std::string::npos);
  EXPECT_NE(message(R"({"DeliveryStreamName":"s","Records":[]})").find("1 to 500"),
            std::string::npos);
  EXPECT_NE(message(R"({"DeliveryStreamName":"s","Records":[{"Data":"aGk="},{"Data":"!!!!"}]})")
                .find("Records[1].Data: not valid base64"),
            std::string::npos);
  EXPECT_NE(message(R"({"DeliveryStreamName":"s","Records":[{"Dat":"aGk="}]})")
                .find("Records[0].Data: required"),
            std::string::npos);
}

TEST(FirehoseMessagesTest, Limits) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  GTEST_SKIP() << "simdjson refuses buffers over 1 MiB in fuzzing builds";
#endif
  std::vector<std::string> many(501, "x");
  EXPECT_NE(ParsePutRecordBatch(Batch(many)).status().message().find("501 records"),
            std::string::npos);
  EXPECT_NE(ParsePutRecordBatch(Batch({std::string(kMaxRecordBytes + 1, 'x')}))
                .status()
                .message()
                .find("more than the 1024000"),
            std::string::npos);
  std::vector<std::string> big(5, std::string(kMaxRecordBytes, 'y'));  // 5 x 1,000 KiB > 4 MiB.
  EXPECT_NE(ParsePutRecordBatch(Batch(big)).status().message().find("4194304 bytes"),
            std::string::npos);
  auto fits = ParsePutRecordBatch(Batch({std::string(kMaxRecordBytes, 'z')}));
  EXPECT_TRUE(fits.ok()) << fits.status().ToString();
}

TEST(FirehoseMessagesTest, Responses) {
  EXPECT_EQ(PutRecordBatchResponse(
                {{"id1", "", ""}, {"", "ServiceUnavailableException", "slow down"}}, false),
            R"({"FailedPutCount":1,"Encrypted":false,"RequestResponses":[{"RecordId":"id1"},)"
            R"({"ErrorCode":"ServiceUnavailableException","ErrorMessage":"slow down"}]})");
  EXPECT_EQ(PutRecordResponse("r", true), R"({"RecordId":"r","Encrypted":true})");
  EXPECT_EQ(ErrorBody("ResourceNotFoundException", "Stream \"x\" not found"),
            R"({"__type":"ResourceNotFoundException","message":"Stream \"x\" not found"})");
}

TEST(FirehoseMessagesTest, Targets) {
  EXPECT_EQ(*OperationFromTarget("Firehose_20150804.PutRecordBatch"), "PutRecordBatch");
  EXPECT_EQ(OperationFromTarget("Kinesis_20131202.PutRecord").status().code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(OperationFromTarget("Firehose_20150804.").ok());
}

}  // namespace
}  // namespace tarn::ingest
