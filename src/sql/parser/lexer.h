// The SQL lexer: turns statement text into tokens for the DDL parser and the query parser.
//
// Tokens are words (identifiers and keywords alike: a keyword is a word the parser asks for, case
// insensitively), "double-quoted" and `backtick` identifiers (a doubled quote inside stands for
// one), 'string' literals ('' stands for '; backslashes are kept as written), numbers (123, 1.5,
// .5, 1e3), and punctuation. `>` is always a token of its own, so `array<array<int>>` closes
// with two `>`; the two-character operators are <=, >=, <>, != and ||. `-- ...` and `/* ... */`
// are comments. Every token keeps the line and column (both from 1) where it starts.
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tarn::sql {

enum class TokenKind {
  kWord,              // An unquoted identifier or keyword: [A-Za-z_][A-Za-z0-9_]*.
  kQuotedIdentifier,  // "..." or `...`; text is the name without quotes.
  kString,            // '...'; text is the value without quotes, '' unescaped.
  kNumber,            // text as written.
  kPunctuation,       // text is the symbol: ( ) [ ] , : ; . = < > + - * / % <= >= <> != ||
  kEnd,               // The end of the text; always the last token.
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int line = 1;
  int column = 1;

  // True for a word equal to `keyword` ignoring case (`keyword` is given in upper case).
  bool IsKeyword(std::string_view keyword) const;
  // True for the punctuation `symbol`.
  bool IsPunctuation(std::string_view symbol) const;
  // True for a word or a quoted identifier.
  bool IsIdentifier() const {
    return kind == TokenKind::kWord || kind == TokenKind::kQuotedIdentifier;
  }
};

// How error messages name a token: "'select'", "string 'abc'", "number 12", "'('",
// "end of input".
std::string DescribeToken(const Token& token);

// Splits `sql` into tokens ending with one kEnd token. Fails with kInvalidArgument,
// "syntax error at line L, column C: ...", on an unterminated string, quoted identifier or
// comment, and on a character that starts no token.
Result<std::vector<Token>> Tokenize(std::string_view sql);

}  // namespace tarn::sql
