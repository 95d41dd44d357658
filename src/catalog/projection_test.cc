#include "catalog/projection.h"

#include <gtest/gtest.h>

#include "common/civil_time.h"

namespace tarn::catalog {
namespace {

using Constraints = std::map<std::string, ProjectionConstraint>;

TableDefinition Table(const std::vector<std::string>& keys, Properties props) {
  TableDefinition t;
  t.database = "db";
  t.name = "t";
  t.location = "s3://b/t";
  for (const std::string& k : keys) t.partition_keys.push_back({k, {}, ""});
  props["projection.enabled"] = "true";
  t.table_properties = std::move(props);
  return t;
}

// 2024-05-06 13:45:12 UTC.
int64_t Now() { return *ParseTimestamp("2024-05-06 13:45:12"); }

PartitionProjection Project(const TableDefinition& table) {
  auto p = PartitionProjection::FromTable(table, Now());
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->has_value());
  return **p;
}

// Each partition's values joined by '|'.
std::vector<std::string> Values(const PartitionProjection& p, const Constraints& c = {}) {
  auto parts = p.Enumerate(c);
  EXPECT_TRUE(parts.ok()) << parts.status().ToString();
  std::vector<std::string> out;
  for (const Partition& part : *parts) {
    std::string s;
    for (const std::string& v : part.values) s += (s.empty() ? "" : "|") + v;
    out.push_back(s);
  }
  return out;
}

// The message of FromTable's failure, or "" when it succeeds.
std::string Error(const TableDefinition& table) {
  auto p = PartitionProjection::FromTable(table, Now());
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : p.status().message();
}

ProjectionConstraint Eq(std::vector<std::string> values) {
  ProjectionConstraint c;
  c.equals = std::move(values);
  return c;
}

ProjectionConstraint Between(std::string min, std::string max, bool max_inclusive = true) {
  ProjectionConstraint c;
  c.min = std::move(min);
  c.max = std::move(max);
  c.max_inclusive = max_inclusive;
  return c;
}

TEST(PartitionProjectionTest, DisabledUnlessEnabledIsTrue) {
  TableDefinition t = Table({"a"}, {{"projection.a.type", "enum"}});
  t.table_properties["projection.enabled"] = "false";
  EXPECT_FALSE(PartitionProjection::FromTable(t, Now())->has_value());
  t.table_properties["projection.enabled"] = " TRUE ";
  EXPECT_EQ(Error(t),
            "table db.t: table property 'projection.a.values' is required for an enum "
            "projection");
}

TEST(PartitionProjectionTest, EnumKeepsWhitespaceAndOrder) {
  auto p = Project(Table({"r"}, {{"projection.r.type", "Enum "}, {"projection.r.values", "b, a"}}));
  EXPECT_EQ(Values(p), (std::vector<std::string>{"b", " a"}));
}

TEST(PartitionProjectionTest, IntegerNegativeRangeWithInterval) {
  auto p = Project(Table({"n"}, {{"projection.n.type", "integer"},
                                 {"projection.n.range", "-3, 004"},
                                 {"projection.n.interval", "3"}}));
  EXPECT_EQ(Values(p), (std::vector<std::string>{"-3", "0", "3"}));
}

TEST(PartitionProjectionTest, IntegerDigitsPadLikeJava) {
  auto p = Project(Table({"n"}, {{"projection.n.type", "integer"},
                                 {"projection.n.range", "-2,1"},
                                 {"projection.n.digits", "3"}}));
  EXPECT_EQ(Values(p), (std::vector<std::string>{"-02", "-01", "000", "001"}));
}

TEST(PartitionProjectionTest, DateDailyDefaultsToDays) {
  auto p = Project(Table({"dt"}, {{"projection.dt.type", "date"},
                                  {"projection.dt.format", "yyyy-MM-dd"},
                                  {"projection.dt.range", "2024-02-27,2024-03-01"}}));
  EXPECT_EQ(Values(p),
            (std::vector<std::string>{"2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"}));
}

TEST(PartitionProjectionTest, DateMonthIntervalAndQuotedLiteral) {
  auto p = Project(Table({"m"}, {{"projection.m.type", "date"},
                                 {"projection.m.format", "'y='yyyy'/m='MM"},
                                 {"projection.m.range", "y=2023/m=11,y=2024/m=05"},
                                 {"projection.m.interval", "3"}}));
  EXPECT_EQ(Values(p), (std::vector<std::string>{"y=2023/m=11", "y=2024/m=02", "y=2024/m=05"}));
}

TEST(PartitionProjectionTest, DateNowRelativeRangeTruncatesToFormat) {
  auto p = Project(Table({"h"}, {{"projection.h.type", "date"},
                                 {"projection.h.format", "yyyy/MM/dd/HH"},
                                 {"projection.h.range", " NOW - 2 HOURS ,NOW"}}));
  EXPECT_EQ(Values(p),
            (std::vector<std::string>{"2024/05/06/11", "2024/05/06/12", "2024/05/06/13"}));
}

TEST(PartitionProjectionTest, DateNowRelativeYearWithMonthInterval) {
  auto p = Project(Table({"d"}, {{"projection.d.type", "date"},
                                 {"projection.d.format", "yyyyMMdd"},
                                 {"projection.d.range", "NOW-1YEAR,NOW+1DAY"},
                                 {"projection.d.interval", "6"},
                                 {"projection.d.interval.unit", "MONTHS"}}));
  EXPECT_EQ(Values(p), (std::vector<std::string>{"20230506", "20231106", "20240506"}));
}

TEST(PartitionProjectionTest, FirehoseExampleWithTemplate) {
  auto p = Project(
      Table({"datehour"}, {{"projection.datehour.type", "date"},
                           {"projection.datehour.format", "yyyy/MM/dd/HH"},
                           {"projection.datehour.range", "2021/01/01/00,NOW"},
                           {"projection.datehour.interval", "1"},
                           {"projection.datehour.interval.unit", "HOURS"},
                           {"storage.location.template", "s3://bucket/prefix/${datehour}/"}}));
  auto parts = p.Enumerate({{"datehour", Between("2020/12/15/00", "2021/01/01/02", false)}});
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].values, std::vector<std::string>{"2021/01/01/01"});
  EXPECT_EQ((*parts)[1].location, "s3://bucket/prefix/2021/01/01/01/");
}

TEST(PartitionProjectionTest, DefaultLocationIsHiveStyleWithEscapes) {
  auto p = Project(Table({"a", "b"}, {{"projection.a.type", "enum"},
                                      {"projection.a.values", "x/y"},
                                      {"projection.b.type", "integer"},
                                      {"projection.b.range", "1,1"}}));
  auto parts = p.Enumerate({});
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ((*parts)[0].location, "s3://b/t/a=x%2Fy/b=1/");
}

TEST(PartitionProjectionTest, TemplatePlaceholdersRepeatAndReorder) {
  auto p =
      Project(Table({"a", "b"}, {{"projection.a.type", "injected"},
                                 {"projection.b.type", "enum"},
                                 {"projection.b.values", "1"},
                                 {"storage.location.template", "s3://x/${b}/${a}/${b}-${z}/"}}));
  auto parts = p.Enumerate({{"a", Eq({"q"})}});
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ((*parts)[0].location, "s3://x/1/q/1-${z}/");
}

TEST(PartitionProjectionTest, ColumnsMultiplyFirstKeySlowest) {
  auto p = Project(Table({"a", "b"}, {{"projection.a.type", "enum"},
                                      {"projection.a.values", "x,y"},
                                      {"projection.b.type", "integer"},
                                      {"projection.b.range", "1,2"}}));
  EXPECT_EQ(Values(p), (std::vector<std::string>{"x|1", "x|2", "y|1", "y|2"}));
}

TEST(PartitionProjectionTest, EqualityPrunesEachType) {
  auto p = Project(Table({"e", "n", "d"}, {{"projection.e.type", "enum"},
                                           {"projection.e.values", "x,y,z"},
                                           {"projection.n.type", "integer"},
                                           {"projection.n.range", "0,100"},
                                           {"projection.n.interval", "10"},
                                           {"projection.n.digits", "3"},
                                           {"projection.d.type", "date"},
                                           {"projection.d.format", "yyyy-MM-dd"},
                                           {"projection.d.range", "2024-01-01,NOW"}}));
  EXPECT_EQ(Values(p, {{"e", Eq({"z", "x", "w"})},
                       {"n", Eq({"20", "5", "200", "abc"})},
                       {"d", Eq({"2024-03-01", "2023-12-31", "2024-3-1"})}}),
            (std::vector<std::string>{"x|020|2024-03-01", "z|020|2024-03-01"}));
}

TEST(PartitionProjectionTest, IntegerRangeComparesNumerically) {
  auto p =
      Project(Table({"n"}, {{"projection.n.type", "integer"}, {"projection.n.range", "1,12"}}));
  ProjectionConstraint c = Between("9", "11");
  c.min_inclusive = false;
  EXPECT_EQ(Values(p, {{"n", c}}), (std::vector<std::string>{"10", "11"}));
}

TEST(PartitionProjectionTest, DateRangePrunesWithoutWalkingTheWholeRange) {
  auto p = Project(Table({"h"}, {{"projection.h.type", "date"},
                                 {"projection.h.format", "yyyy/MM/dd/HH"},
                                 {"projection.h.range", "2005/01/01/00,NOW"},
                                 {"projection.h.interval.unit", "HOURS"}}));
  // A limit of 30 fails if the ~170,000 hours are generated before the WHERE range applies.
  auto parts = p.Enumerate({{"h", Between("2024/05/01/00", "2024/05/02/00", false)}}, 30);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->size(), 24u);
  EXPECT_EQ(parts->back().values[0], "2024/05/01/23");
}

TEST(PartitionProjectionTest, UnparsableBoundComparesAsString) {
  auto p = Project(Table({"d"}, {{"projection.d.type", "date"},
                                 {"projection.d.format", "yyyy-MM-dd"},
                                 {"projection.d.range", "2024-01-30,2024-02-02"}}));
  ProjectionConstraint c;
  c.min = "2024-02";
  EXPECT_EQ(Values(p, {{"d", c}}), (std::vector<std::string>{"2024-02-01", "2024-02-02"}));
}

TEST(PartitionProjectionTest, OutOfRangePredicateYieldsNothing) {
  auto p = Project(Table({"n"}, {{"projection.n.type", "integer"}, {"projection.n.range", "1,5"}}));
  EXPECT_TRUE(Values(p, {{"n", Between("6", "9")}}).empty());
  EXPECT_TRUE(Values(p, {{"n", Eq({})}}).empty());
}

TEST(PartitionProjectionTest, InjectedTakesEqualityValues) {
  auto p = Project(Table({"id"}, {{"projection.id.type", "injected"}}));
  EXPECT_EQ(Values(p, {{"id", Eq({"b", "a", "b"})}}), (std::vector<std::string>{"b", "a"}));
}

TEST(PartitionProjectionTest, InjectedWithoutEqualityFails) {
  auto p = Project(Table({"id"}, {{"projection.id.type", "injected"}}));
  auto parts = p.Enumerate({{"id", Between("a", "b")}});
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().message(),
            "CONSTRAINT_VIOLATION: Injected projected partition column id must have only (and at "
            "least one) equality conditions in the WHERE clause!");
}

TEST(PartitionProjectionTest, LimitFailsWithResourceExhausted) {
  auto p = Project(Table({"a", "b"}, {{"projection.a.type", "integer"},
                                      {"projection.a.range", "1,10"},
                                      {"projection.b.type", "integer"},
                                      {"projection.b.range", "1,10"}}));
  EXPECT_TRUE(p.Enumerate({}, 100).ok());
  auto parts = p.Enumerate({}, 99);
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().code(), StatusCode::kResourceExhausted);
}

TEST(PartitionProjectionTest, MissingTypeNamesColumnsAndProperty) {
  EXPECT_EQ(Error(Table({"a", "b", "c"}, {{"projection.b.type", "injected"}})),
            "Table db.t is configured for partition projection, but the following partition "
            "columns are missing projection configuration: [a, c] (set table property "
            "'projection.a.type')");
}

TEST(PartitionProjectionTest, TemplateMissingColumnFails) {
  const std::string message =
      Error(Table({"a", "b"}, {{"projection.a.type", "injected"},
                               {"projection.b.type", "injected"},
                               {"storage.location.template", "s3://x/${a}/"}}));
  EXPECT_NE(message.find("The 'storage.location.template' table property must contain templates "
                         "for all partition columns!"),
            std::string::npos);
  EXPECT_NE(message.find("${b}"), std::string::npos);
}

// Each malformed property is named in the error.
TEST(PartitionProjectionTest, MalformedPropertiesAreNamed) {
  const Properties date = {{"projection.d.type", "date"},
                           {"projection.d.format", "yyyy-MM-dd"},
                           {"projection.d.range", "2024-01-01,NOW"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"projection.d.type", "decimal"},
      {"projection.d.format", "yyyy-MM-dd EEE"},
      {"projection.d.format", "'open"},
      {"projection.d.range", "2024-01-01"},
      {"projection.d.range", "NOW-1 FORTNIGHT,NOW"},
      {"projection.d.range", "2024-13-01,NOW"},
      {"projection.d.interval", "0"},
      {"projection.d.interval.unit", "DECADES"},
  };
  for (const auto& [key, value] : cases) {
    Properties props = date;
    props[key] = value;
    EXPECT_NE(Error(Table({"d"}, props)).find("'" + key + "'"), std::string::npos) << key;
  }
  EXPECT_NE(Error(Table({"n"}, {{"projection.n.type", "integer"}, {"projection.n.range", "5,1"}}))
                .find("'projection.n.range'"),
            std::string::npos);
  EXPECT_NE(Error(Table({"n"}, {{"projection.n.type", "integer"},
                                {"projection.n.range", "1,5"},
                                {"projection.n.digits", "x"}}))
                .find("'projection.n.digits'"),
            std::string::npos);
  EXPECT_NE(Error(Table({"d"}, {{"projection.d.type", "date"}})).find("'projection.d.format'"),
            std::string::npos);
}

}  // namespace
}  // namespace tarn::catalog
