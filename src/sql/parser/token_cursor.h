// TokenCursor: the position in a statement's tokens that the DDL and query parsers share —
// look ahead, take the next token, and take a keyword or punctuation when it is there. Each
// parser adds its own errors. The token list ends with TokenKind::kEnd, which Next() never
// moves past.
#pragma once

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "sql/parser/lexer.h"

namespace tarn::sql {

class TokenCursor {
 protected:
  explicit TokenCursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& token = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return token;
  }
  bool AcceptKeyword(std::string_view keyword) {
    if (!Peek().IsKeyword(keyword)) return false;
    Next();
    return true;
  }
  bool AcceptPunctuation(std::string_view symbol) {
    if (!Peek().IsPunctuation(symbol)) return false;
    Next();
    return true;
  }

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace tarn::sql
