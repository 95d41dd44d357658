#include "formats/column.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tarn::formats {
namespace {

std::string Json(const Column& c, size_t row) {
  std::string out;
  AppendJsonValue(c, row, &out);
  return out;
}

TEST(ColumnTest, AppendKeepsMembersConsistent) {
  Column c = Column::Make(*ParseType("string"));
  c.AppendBytes("ab");
  c.AppendNull();
  c.AppendBytes("c");
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.offsets, (std::vector<uint64_t>{0, 2, 2, 3}));
  EXPECT_EQ(c.string_at(2), "c");
  EXPECT_TRUE(c.is_null(1));
}

TEST(ColumnTest, JsonOfScalars) {
  Column ts = Column::Make(*ParseType("timestamp"));
  ts.AppendInt64(1687098472500000);
  EXPECT_EQ(Json(ts, 0), "\"2023-06-18 14:27:52.500000\"");
  Column d = Column::Make(*ParseType("date"));
  d.AppendInt32(19526);
  EXPECT_EQ(Json(d, 0), "\"2023-06-18\"");
  Column m = Column::Make(*ParseType("decimal(9,2)"));
  m.AppendInt64(-5);
  m.AppendInt64(12345);
  EXPECT_EQ(Json(m, 0), "\"-0.05\"");
  EXPECT_EQ(Json(m, 1), "\"123.45\"");
  Column f = Column::Make(*ParseType("double"));
  f.AppendDouble(NAN);
  f.AppendDouble(0.1);
  EXPECT_EQ(Json(f, 0), "\"NaN\"");
  EXPECT_EQ(Json(f, 1), "0.1");
  Column b = Column::Make(*ParseType("binary"));
  b.AppendBytes(
      std::string("\x00\xff"
                  "a",
                  3));
  EXPECT_EQ(Json(b, 0), "\"AP9h\"");
}

TEST(ColumnTest, JsonOfNestedValues) {
  Column c = Column::Make(*ParseType("struct<a:array<int>,m:map<string,boolean>>"));
  c.AppendStructRow();
  c.children[0].children[0].AppendInt32(1);
  c.children[0].children[0].AppendNull();
  c.children[0].AppendListEnd();
  c.children[1].children[0].AppendBytes("k");
  c.children[1].children[1].AppendBool(true);
  c.children[1].AppendListEnd();
  c.AppendNull();
  EXPECT_EQ(Json(c, 0), R"({"a": [1, null], "m": {"k": true}})");
  EXPECT_EQ(Json(c, 1), "null");
}

TEST(ColumnTest, ClearKeepsTheType) {
  Column c = Column::Make(*ParseType("array<string>"));
  c.children[0].AppendBytes("x");
  c.AppendListEnd();
  c.Clear();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.offsets, (std::vector<uint64_t>{0}));
  EXPECT_EQ(c.children[0].size(), 0u);
}

}  // namespace
}  // namespace tarn::formats
