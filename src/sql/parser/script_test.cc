#include "sql/parser/script.h"

#include <gtest/gtest.h>

namespace tarn::sql {
namespace {

TEST(ScriptTest, SplitsAtSemicolonsOutsideStringsAndComments) {
  auto statements = SplitStatements(
      "-- a comment; not a split\n"
      "CREATE DATABASE a;\n"
      "ALTER TABLE t ADD PARTITION (k='x;y');  /* ; */\n"
      "SHOW TABLES");
  ASSERT_TRUE(statements.ok()) << statements.status().ToString();
  ASSERT_EQ(statements->size(), 3u);
  EXPECT_EQ((*statements)[0].text, "CREATE DATABASE a");
  EXPECT_EQ((*statements)[0].line, 2);
  EXPECT_EQ((*statements)[1].text, "ALTER TABLE t ADD PARTITION (k='x;y')");
  EXPECT_EQ((*statements)[2].text, "SHOW TABLES");
  EXPECT_EQ((*statements)[2].line, 4);
}

TEST(ScriptTest, EmptyStatementsAreLeftOut) {
  EXPECT_TRUE(SplitStatements(" ;; -- nothing\n;")->empty());
}

TEST(ScriptTest, UnterminatedStringIsAnError) {
  EXPECT_FALSE(SplitStatements("SHOW TABLES 'oops").ok());
}

}  // namespace
}  // namespace tarn::sql
