#include "sql/parser/lexer.h"

#include <gtest/gtest.h>

namespace tarn::sql {
namespace {

std::vector<std::string> Texts(std::string_view sql) {
  auto tokens = Tokenize(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
  std::vector<std::string> out;
  for (const Token& token : *tokens) out.push_back(token.text);
  return out;
}

TEST(LexerTest, WordsNumbersAndPunctuation) {
  EXPECT_EQ(Texts("select a.b, 12 , 1.5e3 from t;"),
            (std::vector<std::string>{"select", "a", ".", "b", ",", "12", ",", "1.5e3", "from", "t",
                                      ";", ""}));
}

TEST(LexerTest, ClosingAngleBracketsAreSeparateTokens) {
  EXPECT_EQ(Texts("array<array<int>>"),
            (std::vector<std::string>{"array", "<", "array", "<", "int", ">", ">", ""}));
}

TEST(LexerTest, TwoCharacterOperators) {
  EXPECT_EQ(
      Texts("a<=b<>c!=d||e>=f"),
      (std::vector<std::string>{"a", "<=", "b", "<>", "c", "!=", "d", "||", "e", ">=", "f", ""}));
}

TEST(LexerTest, StringLiteralUnescapesDoubledQuote) {
  auto tokens = Tokenize("'it''s'");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kString);
  EXPECT_EQ((*tokens)[0].text, "it's");
}

TEST(LexerTest, QuotedIdentifiers) {
  auto tokens = Tokenize("\"a \"\"b\"\"\" `c``d`");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ((*tokens)[0].text, "a \"b\"");
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ((*tokens)[1].text, "c`d");
}

TEST(LexerTest, SkipsComments) {
  EXPECT_EQ(Texts("a -- note\n/* block\n comment */ b"), (std::vector<std::string>{"a", "b", ""}));
}

TEST(LexerTest, TokensKeepLineAndColumn) {
  auto tokens = Tokenize("show\n  tables");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[1].line, 2);
  EXPECT_EQ((*tokens)[1].column, 3);
}

TEST(LexerTest, KeywordsMatchIgnoringCase) {
  auto tokens = Tokenize("CrEaTe \"create\"");
  ASSERT_TRUE(tokens.ok());
  EXPECT_TRUE((*tokens)[0].IsKeyword("CREATE"));
  EXPECT_FALSE((*tokens)[1].IsKeyword("CREATE"));
}

TEST(LexerTest, UnterminatedStringNamesItsStart) {
  auto tokens = Tokenize("a\n 'abc");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().message(),
            "syntax error at line 2, column 2: unterminated string literal");
}

TEST(LexerTest, UnterminatedCommentIsAnError) { EXPECT_FALSE(Tokenize("a /* b").ok()); }

TEST(LexerTest, UnexpectedCharacterIsNamed) {
  auto tokens = Tokenize("a # b");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().message(),
            "syntax error at line 1, column 3: unexpected character '#'");
}

}  // namespace
}  // namespace tarn::sql
