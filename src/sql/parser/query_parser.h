// The query part of tarn's SQL parser: Athena engine v3 (Trino) SELECT statements into the
// syntax tree of ast.h, by recursive descent over the lexer's tokens.
//
// Grammar (keywords case-insensitive):
//   statement  := [EXPLAIN [ANALYZE]] query [';']
//   query      := [WITH name [(col, ...)] AS (query), ...] body [ORDER BY item, ...]
//                 [OFFSET n [ROW|ROWS]] [LIMIT n|ALL | FETCH FIRST|NEXT [n] ROW|ROWS ONLY]
//                 (LIMIT before OFFSET is accepted too)
//   body       := term ((UNION|EXCEPT) [ALL|DISTINCT] term)*, term := primary (INTERSECT ...)*
//   primary    := SELECT [DISTINCT|ALL] item, ... [FROM relation, ...] [WHERE e]
//                 [GROUP BY e, ...] [HAVING e] | VALUES e, ... | TABLE name | '(' query ')'
//   relation   := primary_rel ([INNER|LEFT [OUTER]|RIGHT [OUTER]|FULL [OUTER]] JOIN primary_rel
//                 (ON e | USING (c, ...)) | CROSS JOIN primary_rel)*
//   primary_rel:= (table_name | '(' query ')' | '(' relation ')' | UNNEST(e, ...)
//                 [WITH ORDINALITY]) [[AS] alias [(col, ...)]]
// Expressions by rising precedence: OR, AND, NOT, predicates (comparison, IS [NOT] NULL, IS
// [NOT] DISTINCT FROM, [NOT] BETWEEN, [NOT] IN, [NOT] LIKE ... [ESCAPE]; one per operand, as in
// Trino, so `a = b = c` is an error), ||, + -, * / %, unary + -, AT TIME ZONE, then postfix
// [i] and .field on primaries. Trino's reserved words (SELECT, FROM, ...) are identifiers only
// when double-quoted.
//
// Errors are kInvalidArgument "syntax error at line L, column C: expected X, found Y", naming
// what the grammar allows at that point, or "... : <what is wrong>" for a literal out of range,
// an unknown type, an unsupported construct (window functions, NATURAL JOIN), or nesting deeper
// than kMaxAstHeight levels. Nesting is also refused once the parser's recursion has taken 4 MiB
// of stack (about 1,000 levels in a release build, fewer under sanitizers), so parse on a thread
// with the usual 8 MiB stack. Pure functions; safe from any thread.
#pragma once

#include <string_view>
#include <variant>

#include "catalog/ddl.h"
#include "common/result.h"
#include "sql/parser/ast.h"

namespace tarn::sql {

enum class ExplainMode { kNone, kExplain, kExplainAnalyze };

struct QueryStatement {
  AstQuery query;
  ExplainMode explain = ExplainMode::kNone;
};

// Either a query or a DDL statement.
using Statement = std::variant<catalog::DdlStatement, QueryStatement>;

// Parses one query, optionally followed by ';'.
Result<AstQuery> ParseQuery(std::string_view sql);

// Parses one expression (nothing may follow it): for tests and for expressions kept as text.
Result<AstExprPtr> ParseExpression(std::string_view sql);

// Parses any one statement. Text whose first word is SELECT, WITH, VALUES, TABLE or EXPLAIN, or
// that starts with '(', is a query; anything else goes to ParseDdl (ddl_parser.h) and fails as
// it does.
Result<Statement> ParseStatement(std::string_view sql);

// True when ParseStatement would parse `sql` as a query (see there). Fails as Tokenize does.
Result<bool> IsQuery(std::string_view sql);

}  // namespace tarn::sql
