#include "delivery/serde_rewrite.h"

#include <gtest/gtest.h>

namespace tarn::delivery {
namespace {

TEST(SerDeRewrite, ConvertsDotsInKeysAtEveryLevel) {
  Result<SerDeRewrite> rewrite = SerDeRewrite::Make(true, {}, {}, true);
  ASSERT_TRUE(rewrite.ok()) << rewrite.status().ToString();
  EXPECT_TRUE(rewrite->active());
  EXPECT_EQ(rewrite->Apply(R"({"a.b": 1, "c": {"d.e": [1, {"f.g": "x.y"}]}})"),
            R"({"a_b":1,"c":{"d_e":[1,{"f_g":"x.y"}]}})");
}

TEST(SerDeRewrite, RewritesTimestampColumnsByPattern) {
  Result<SerDeRewrite> rewrite =
      SerDeRewrite::Make(false, {"dd/MM/yyyy HH:mm", "millis"}, {"TS", "other"}, true);
  ASSERT_TRUE(rewrite.ok()) << rewrite.status().ToString();
  EXPECT_EQ(rewrite->Apply(R"({"ts": "18/06/2023 14:27", "x": "18/06/2023 14:27"})"),
            R"({"ts":"2023-06-18 14:27:00.000000","x":"18/06/2023 14:27"})");
  EXPECT_EQ(rewrite->Apply(R"({"Ts": 1687098472123})"), R"({"Ts":"2023-06-18 14:27:52.123000"})");
  EXPECT_EQ(rewrite->Apply(R"({"ts": "1000"})"), R"({"ts":"1970-01-01 00:00:01.000000"})");
  // A value no pattern matches stays for the reader to judge.
  EXPECT_EQ(rewrite->Apply(R"({"ts": "yesterday"})"), R"({"ts":"yesterday"})");
  EXPECT_EQ(rewrite->Apply(R"({"ts": 1e300})"), R"({"ts":1e+300})");  // simdjson minifies.
}

TEST(SerDeRewrite, KeepsSeveralObjectsAndLeavesBadRecordsAlone) {
  Result<SerDeRewrite> rewrite = SerDeRewrite::Make(true, {}, {}, true);
  ASSERT_TRUE(rewrite.ok());
  EXPECT_EQ(rewrite->Apply("{\"a.b\":1}\n{\"a.b\":2}"), R"({"a_b":1} {"a_b":2})");
  EXPECT_EQ(rewrite->Apply("not json"), "not json");
  EXPECT_EQ(rewrite->Apply("{\"a.b\": 1"), "{\"a.b\": 1");
  EXPECT_EQ(rewrite->Apply("[1, 2]"), "[1, 2]");
}

TEST(SerDeRewrite, RefusesPatternsItCannotRead) {
  Result<SerDeRewrite> rewrite = SerDeRewrite::Make(false, {"EEE, d MMM yyyy"}, {}, true);
  ASSERT_FALSE(rewrite.ok());
  EXPECT_NE(rewrite.status().message().find("EEE, d MMM yyyy"), std::string::npos);
  EXPECT_FALSE(SerDeRewrite::Make(false, {}, {"ts"}, true)->active());
}

TEST(SplitJsonValues, SplitsConcatenatedValues) {
  EXPECT_EQ(SplitJsonValues(R"({"a":"}{"} {"b":[1,{}]})"),
            (std::vector<std::string_view>{R"({"a":"}{"})", R"({"b":[1,{}]})"}));
  EXPECT_EQ(SplitJsonValues(R"({"a":"\"}"}{})"),
            (std::vector<std::string_view>{R"({"a":"\"}"})", "{}"}));
  EXPECT_EQ(SplitJsonValues("{\"a\":1"), (std::vector<std::string_view>{"{\"a\":1"}));
  EXPECT_EQ(SplitJsonValues("x{}"), (std::vector<std::string_view>{"x{}"}));
  EXPECT_TRUE(SplitJsonValues("  \n").empty());
}

}  // namespace
}  // namespace tarn::delivery
