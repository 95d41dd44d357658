#include "common/json_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tarn {
namespace {

std::string Str(std::string_view text) {
  std::string out;
  AppendJsonString(&out, text);
  return out;
}

std::string Float(double v) {
  std::string out;
  AppendPythonFloat(&out, v);
  return out;
}

TEST(JsonTextTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Str("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Str("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Str(std::string_view("\x01\x1f", 2)), R"("\u0001\u001f")");
}

TEST(JsonTextTest, EscapesNonAsciiAsPythonEnsureAscii) {
  EXPECT_EQ(Str("żółw"), R"("\u017c\u00f3\u0142w")");
  EXPECT_EQ(Str("\xF0\x9F\x98\x80"), R"("\ud83d\ude00")");  // U+1F600, a surrogate pair.
}

TEST(JsonTextTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(Str("a\xFF"
                "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(Str("\xC3"), R"("\ufffd")");
}

TEST(JsonTextTest, FloatsAsPythonRepr) {
  EXPECT_EQ(Float(123.0), "123.0");
  EXPECT_EQ(Float(0.1), "0.1");
  EXPECT_EQ(Float(48.8506472911001), "48.8506472911001");
  EXPECT_EQ(Float(-0.0), "-0.0");
  EXPECT_EQ(Float(0.0001), "0.0001");
  EXPECT_EQ(Float(0.00001), "1e-05");
  EXPECT_EQ(Float(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(Float(1e16), "1e+16");
  EXPECT_EQ(Float(1.5e300), "1.5e+300");
  EXPECT_EQ(Float(-2.5e-7), "-2.5e-07");
}

TEST(JsonTextTest, NonFiniteFloatsAsJsonDumps) {
  EXPECT_EQ(Float(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(Float(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(Float(-std::numeric_limits<double>::infinity()), "-Infinity");
}

}  // namespace
}  // namespace tarn
