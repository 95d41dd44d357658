// Splitting a SQL script into statements at the semicolons that end them (not those inside
// strings, quoted identifiers or comments). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tarn::sql {

struct ScriptStatement {
  std::string text;  // Without the terminating ';'.
  int line = 1;      // Where the statement's first token is.
};

// The script's statements in order, empty ones (only whitespace and comments) left out.
// Fails as Tokenize() does on unterminated strings and comments.
Result<std::vector<ScriptStatement>> SplitStatements(std::string_view script);

}  // namespace tarn::sql
