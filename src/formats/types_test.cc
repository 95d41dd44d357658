#include "formats/types.h"

#include <gtest/gtest.h>

namespace tarn::formats {
namespace {

TEST(TypesTest, ParsesEveryHiveType) {
  const char* kTypes[] = {"boolean",
                          "tinyint",
                          "smallint",
                          "int",
                          "bigint",
                          "float",
                          "double",
                          "decimal(10,2)",
                          "string",
                          "varchar(12)",
                          "char(3)",
                          "binary",
                          "date",
                          "timestamp",
                          "array<int>",
                          "map<string,array<double>>",
                          "struct<a:int,b:struct<c:string>>"};
  for (const char* text : kTypes) {
    auto type = ParseType(text);
    ASSERT_TRUE(type.ok()) << text << ": " << type.status().ToString();
    EXPECT_EQ(TypeName(*type), text);
  }
}

TEST(TypesTest, SpellingVariants) {
  EXPECT_EQ(TypeName(*ParseType("INTEGER")), "int");
  EXPECT_EQ(TypeName(*ParseType("Decimal")), "decimal(10,0)");
  EXPECT_EQ(TypeName(*ParseType(" map < string , int > ")), "map<string,int>");
  EXPECT_EQ(TypeName(*ParseType("real")), "float");
}

TEST(TypesTest, SchemaWithBacktickedNames) {
  auto schema = ParseSchema("`select` int, tstamp timestamp, payload_md5 string");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(SchemaToString(*schema), "select int, tstamp timestamp, payload_md5 string");
}

TEST(TypesTest, ErrorsNameTheProblemAndPlace) {
  EXPECT_NE(ParseType("array<int").status().message().find("'>'"), std::string::npos);
  EXPECT_NE(ParseType("strng").status().message().find("unknown type 'strng'"), std::string::npos);
  EXPECT_NE(ParseType("decimal(40,2)").status().message().find("precision"), std::string::npos);
  EXPECT_NE(ParseType("map<array<int>,int>").status().message().find("map keys"),
            std::string::npos);
  EXPECT_NE(ParseSchema("a int, A string").status().message().find("'A' appears twice"),
            std::string::npos);
  EXPECT_NE(ParseSchema("a int b string").status().message().find("character 7"),
            std::string::npos);
  EXPECT_FALSE(ParseSchema("").ok());
}

}  // namespace
}  // namespace tarn::formats
