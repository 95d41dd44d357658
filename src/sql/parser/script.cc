#include "sql/parser/script.h"

#include "sql/parser/lexer.h"

namespace tarn::sql {

Result<std::vector<ScriptStatement>> SplitStatements(std::string_view script) {
  TARN_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(script));
  // Tokens know their line and column; byte offsets come from where each line starts.
  std::vector<size_t> line_starts = {0};
  for (size_t i = 0; i < script.size(); ++i) {
    if (script[i] == '\n') line_starts.push_back(i + 1);
  }
  auto offset = [&](const Token& t) {
    return line_starts[static_cast<size_t>(t.line - 1)] + static_cast<size_t>(t.column - 1);
  };
  std::vector<ScriptStatement> out;
  const Token* first = nullptr;
  for (const Token& token : tokens) {
    const bool end = token.kind == TokenKind::kEnd;
    if (end || token.IsPunctuation(";")) {
      if (first != nullptr) {
        const size_t begin = offset(*first);
        const size_t stop = end ? script.size() : offset(token);
        out.push_back({std::string(script.substr(begin, stop - begin)), first->line});
      }
      first = nullptr;
      if (end) break;
      continue;
    }
    if (first == nullptr) first = &token;
  }
  return out;
}

}  // namespace tarn::sql
