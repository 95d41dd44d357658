#include "sql/parser/lexer.h"

#include <fmt/format.h>

namespace tarn::sql {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c); }
char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    for (;;) {
      TARN_RETURN_IF_ERROR(SkipSpaceAndComments());
      Token token;
      token.line = line_;
      token.column = column_;
      if (pos_ == sql_.size()) {
        tokens.push_back(std::move(token));
        return tokens;
      }
      const char c = sql_[pos_];
      if (IsWordStart(c)) {
        token.kind = TokenKind::kWord;
        token.text = TakeWhile(IsWordChar);
      } else if (IsDigit(c) || (c == '.' && pos_ + 1 < sql_.size() && IsDigit(sql_[pos_ + 1]))) {
        token.kind = TokenKind::kNumber;
        token.text = Number();
      } else if (c == '\'' || c == '"' || c == '`') {
        token.kind = c == '\'' ? TokenKind::kString : TokenKind::kQuotedIdentifier;
        TARN_ASSIGN_OR_RETURN(token.text, Quoted(c));
      } else {
        token.kind = TokenKind::kPunctuation;
        TARN_ASSIGN_OR_RETURN(token.text, Punctuation());
      }
      tokens.push_back(std::move(token));
    }
  }

 private:
  void Advance() {
    if (sql_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  bool LooksAt(std::string_view text) const { return sql_.substr(pos_, text.size()) == text; }

  Status SkipSpaceAndComments() {
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        Advance();
      } else if (LooksAt("--")) {
        while (pos_ < sql_.size() && sql_[pos_] != '\n') Advance();
      } else if (LooksAt("/*")) {
        const int line = line_, column = column_;
        Advance();
        Advance();
        while (pos_ < sql_.size() && !LooksAt("*/")) Advance();
        if (pos_ == sql_.size()) return Error(line, column, "unterminated /* comment");
        Advance();
        Advance();
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  std::string TakeWhile(bool (*predicate)(char)) {
    const size_t start = pos_;
    while (pos_ < sql_.size() && predicate(sql_[pos_])) Advance();
    return std::string(sql_.substr(start, pos_ - start));
  }

  std::string Number() {
    std::string text = TakeWhile(IsDigit);
    if (pos_ < sql_.size() && sql_[pos_] == '.') {
      Advance();
      text += '.' + TakeWhile(IsDigit);
    }
    if (pos_ < sql_.size() && (sql_[pos_] == 'e' || sql_[pos_] == 'E')) {
      size_t digits = pos_ + 1;
      if (digits < sql_.size() && (sql_[digits] == '+' || sql_[digits] == '-')) ++digits;
      if (digits < sql_.size() && IsDigit(sql_[digits])) {
        while (pos_ < digits) {
          text += sql_[pos_];
          Advance();
        }
        text += TakeWhile(IsDigit);
      }
    }
    return text;
  }

  // A quoted string or identifier; a doubled quote character stands for one.
  Result<std::string> Quoted(char quote) {
    const int line = line_, column = column_;
    Advance();
    std::string text;
    for (;;) {
      if (pos_ == sql_.size()) {
        return Error(
            line, column,
            quote == '\'' ? "unterminated string literal" : "unterminated quoted identifier");
      }
      const char c = sql_[pos_];
      Advance();
      if (c == quote) {
        if (pos_ == sql_.size() || sql_[pos_] != quote) break;
        Advance();
      }
      text += c;
    }
    if (quote != '\'' && text.empty()) return Error(line, column, "empty quoted identifier");
    return text;
  }

  Result<std::string> Punctuation() {
    for (std::string_view two : {"<=", ">=", "<>", "!=", "||"}) {
      if (LooksAt(two)) {
        Advance();
        Advance();
        return std::string(two);
      }
    }
    static constexpr std::string_view kSingle = "()[],:;.=<>+-*/%";
    const char c = sql_[pos_];
    if (kSingle.find(c) == std::string_view::npos) {
      const bool printable = c >= 0x20 && c < 0x7f;
      return Error(line_, column_,
                   printable
                       ? fmt::format("unexpected character '{}'", c)
                       : fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c)));
    }
    Advance();
    return std::string(1, c);
  }

  static Status Error(int line, int column, std::string_view what) {
    return InvalidArgument(
        fmt::format("syntax error at line {}, column {}: {}", line, column, what));
  }

  std::string_view sql_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

bool Token::IsKeyword(std::string_view keyword) const {
  if (kind != TokenKind::kWord || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (Upper(text[i]) != keyword[i]) return false;
  }
  return true;
}

bool Token::IsPunctuation(std::string_view symbol) const {
  return kind == TokenKind::kPunctuation && text == symbol;
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kWord:
      return fmt::format("'{}'", token.text);
    case TokenKind::kQuotedIdentifier:
      return fmt::format("identifier \"{}\"", token.text);
    case TokenKind::kString:
      return fmt::format("string '{}'", token.text);
    case TokenKind::kNumber:
      return fmt::format("number {}", token.text);
    case TokenKind::kPunctuation:
      return fmt::format("'{}'", token.text);
    case TokenKind::kEnd:
      return "end of input";
  }
  return "unknown token";
}

Result<std::vector<Token>> Tokenize(std::string_view sql) { return Lexer(sql).Run(); }

}  // namespace tarn::sql
