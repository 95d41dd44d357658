#include "delivery/prefix.h"

#include <gtest/gtest.h>

#include "common/civil_time.h"

namespace tarn::delivery {
namespace {

const int64_t kTime = *ParseTimestamp("2018-08-27 10:30:00");

std::string Eval(std::string_view text, PrefixKind kind,
                 const std::map<std::string, std::string>& keys = {},
                 std::string_view error_type = "") {
  auto t = PrefixTemplate::Compile(text, kind);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  Random random(1);
  PrefixTemplate::Context context{kTime, error_type, &keys, &random};
  auto out = t->Evaluate(context);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "";
}

Status EvalError(std::string_view text, const std::map<std::string, std::string>& keys) {
  auto t = PrefixTemplate::Compile(text, PrefixKind::kPrefix);
  EXPECT_TRUE(t.ok());
  return t->Evaluate({kTime, "", &keys, nullptr}).status();
}

TEST(PrefixTest, TheSeedsPrefixes) {
  EXPECT_EQ(
      Eval("events_raw/json/name=!{partitionKeyFromQuery:event_name}/d=!{timestamp:yyyy-MM-dd}/",
           PrefixKind::kPrefix, {{"event_name", "anonymous_visited"}}),
      "events_raw/json/name=anonymous_visited/d=2018-08-27/");
  EXPECT_EQ(Eval("errors/json/d=!{timestamp:yyyy-MM-dd}/!{firehose:error-output-type}/",
                 PrefixKind::kErrorOutputPrefix, {}, "partitioning-failed"),
            "errors/json/d=2018-08-27/partitioning-failed/");
}

TEST(PrefixTest, WithoutTimestampTheHourFoldersAreAppended) {
  EXPECT_EQ(Eval("", PrefixKind::kPrefix), "2018/08/27/10/");
  EXPECT_EQ(Eval("myprefix/", PrefixKind::kPrefix), "myprefix/2018/08/27/10/");
}

TEST(PrefixTest, QuotedLiteralsAndRandomStrings) {
  EXPECT_EQ(Eval("!{timestamp:yyyy'-'MM}/", PrefixKind::kPrefix), "2018-08/");
  const std::string out = Eval(
      "!{firehose:random-string}/!{firehose:random-string}/x!{timestamp:HH}", PrefixKind::kPrefix);
  ASSERT_EQ(out.size(), 11u + 1 + 11 + 1 + 3);
  EXPECT_NE(out.substr(0, 11), out.substr(12, 11));
}

TEST(PrefixTest, CompileErrorsNameTheRule) {
  auto error = [](std::string_view text, PrefixKind kind) {
    return PrefixTemplate::Compile(text, kind).status().message();
  };
  EXPECT_NE(error("a/!{timestamp:yyyy", PrefixKind::kPrefix).find("starts no expression"),
            std::string::npos);
  EXPECT_NE(error("!{nope:x}", PrefixKind::kPrefix).find("unknown expression"), std::string::npos);
  EXPECT_NE(error("!{firehose:error-output-type}", PrefixKind::kPrefix).find("only allowed in"),
            std::string::npos);
  EXPECT_NE(error("!{partitionKeyFromQuery:k}", PrefixKind::kErrorOutputPrefix).find("not allowed"),
            std::string::npos);
  EXPECT_NE(error("!{timestamp:yyyy-QQ}", PrefixKind::kPrefix).find("!{timestamp:yyyy-QQ}"),
            std::string::npos);
}

TEST(PrefixTest, PairRules) {
  const auto prefix = *PrefixTemplate::Compile("d=!{timestamp:yyyy}/", PrefixKind::kPrefix);
  EXPECT_NE(ValidatePrefixPair(prefix, "", nullptr, false).message().find("is required"),
            std::string::npos);
  const auto bad = *PrefixTemplate::Compile("e/!{timestamp:yyyy}/", PrefixKind::kErrorOutputPrefix);
  EXPECT_NE(ValidatePrefixPair(prefix, "e/", &bad, false).message().find("error-output-type"),
            std::string::npos);
  const auto good =
      *PrefixTemplate::Compile("e/!{firehose:error-output-type}/", PrefixKind::kErrorOutputPrefix);
  EXPECT_TRUE(ValidatePrefixPair(prefix, "e/", &good, false).ok());
  EXPECT_NE(ValidatePrefixPair(prefix, "e/", &good, true).message().find("partitionKeyFromQuery"),
            std::string::npos);
}

TEST(PrefixTest, HostilePartitionValuesAreRefused) {
  const std::string seed = "events/name=!{partitionKeyFromQuery:k}/";
  const std::vector<std::string> hostile = {
      "..", ".", "", "a/b", "../../etc", std::string("x\0y", 3), "tab\t", std::string(600, 'a')};
  for (const std::string& value : hostile) {
    EXPECT_EQ(EvalError(seed, {{"k", value}}).code(), StatusCode::kInvalidArgument) << value;
  }
  EXPECT_NE(EvalError(seed, {}).message().find("'k' is missing"), std::string::npos);
  EXPECT_TRUE(EvalError(seed, {{"k", "measurement_recorded"}}).ok());
}

TEST(PrefixTest, FolderNamesAreAtMost255Bytes) {
  const std::string seed = "events/name=!{partitionKeyFromQuery:k}/";
  EXPECT_TRUE(EvalError(seed, {{"k", std::string(250, 'a')}}).ok());  // "name=" + 250 = 255
  EXPECT_NE(EvalError(seed, {{"k", std::string(251, 'a')}}).message().find("more than 255"),
            std::string::npos);
  EXPECT_FALSE(EvalError("!{partitionKeyFromQuery:k}/", {{"k", std::string(256, 'a')}}).ok());
}

TEST(PrefixTest, EvaluatedPrefixIsAtMost512Characters) {
  const std::string long_literal = std::string(200, 'p') + "/" + std::string(199, 'p');
  EXPECT_TRUE(
      EvalError(long_literal + "/!{partitionKeyFromQuery:k}/", {{"k", std::string(50, 'v')}}).ok());
  EXPECT_NE(EvalError(long_literal + "/!{partitionKeyFromQuery:k}/", {{"k", std::string(120, 'v')}})
                .message()
                .find("more than 512"),
            std::string::npos);
}

}  // namespace
}  // namespace tarn::delivery
