#include "sql/parser/query_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "sql/parser/ddl_parser.h"
#include "sql/parser/lexer.h"
#include "sql/parser/query_parser_internal.h"

namespace tarn::sql {
namespace internal {
namespace {

// Non-reserved words that end a select item or relation rather than name it without AS.
constexpr std::string_view kClauseWords[] = {"LIMIT", "OFFSET", "FETCH", "WINDOW"};

}  // namespace

// Error makers stay out of line: fmt's inline buffer would otherwise enlarge the frames of the
// recursive parsing functions, and so the stack a deeply nested statement needs.
[[gnu::noinline, gnu::cold]] Status TooDeep(AstPosition pos) {
  return InvalidArgument(fmt::format(
      "syntax error at line {}, column {}: statement nested too deeply (more than {} levels)",
      pos.line, pos.column, kMaxAstHeight));
}

[[gnu::noinline, gnu::cold]] Status StackExhausted(AstPosition pos) {
  return InvalidArgument(
      fmt::format("syntax error at line {}, column {}: statement nested too deeply (more than "
                  "{} MiB of parser stack)",
                  pos.line, pos.column, kMaxParserStack >> 20));
}

Result<QueryStatement> QueryParser::Statement() {
  QueryStatement statement;
  if (AcceptKeyword("EXPLAIN")) {
    statement.explain =
        AcceptKeyword("ANALYZE") ? ExplainMode::kExplainAnalyze : ExplainMode::kExplain;
    if (Peek().IsPunctuation("(")) return ErrorAt(Peek(), "EXPLAIN options are not supported");
  }
  TARN_ASSIGN_OR_RETURN(AstQueryPtr query, Query());
  TARN_RETURN_IF_ERROR(End());
  statement.query = std::move(*query);
  return statement;
}

Result<AstExprPtr> QueryParser::StandaloneExpression() {
  TARN_ASSIGN_OR_RETURN(AstExprPtr expr, Expression());
  if (Peek().kind != TokenKind::kEnd) return Expected("an operator or end of expression");
  return expr;
}

Result<AstName> QueryParser::Name(std::string_view what) {
  const Token& token = Peek();
  if (!IsNameToken(token)) return Expected(what);
  Next();
  AstName name{Lower(token.text), token.text, At(token)};
  if (token.kind == TokenKind::kWord) name.display = name.name;
  return name;
}

Result<std::vector<AstName>> QueryParser::NameList(std::string_view what) {
  TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
  std::vector<AstName> names;
  do {
    TARN_ASSIGN_OR_RETURN(AstName name, Name(what));
    names.push_back(std::move(name));
  } while (AcceptPunctuation(","));
  TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  return names;
}

bool QueryParser::AtImplicitAlias() const {
  return IsNameToken(Peek()) && !IsAnyKeyword(Peek(), kClauseWords);
}

Result<AstName> QueryParser::OptionalAlias() {
  if (AcceptKeyword("AS")) return Name("an alias");
  if (AtImplicitAlias()) return Name("an alias");
  return AstName{};
}

Result<int64_t> QueryParser::RowCount(std::string_view what) {
  const Token& token = Peek();
  int64_t value = 0;
  if (token.kind != TokenKind::kNumber) return Expected(what);
  const char* end = token.text.data() + token.text.size();
  auto [ptr, ec] = std::from_chars(token.text.data(), end, value);
  if (ec != std::errc() || ptr != end) return Expected(what);
  Next();
  return value;
}

Result<AstQueryPtr> QueryParser::Query() {
  Nesting nesting(*this);
  TARN_RETURN_IF_ERROR(nesting.Check(At(Peek())));
  auto query = std::make_unique<AstQuery>();
  query->pos = At(Peek());
  int child_height = 0;
  if (AcceptKeyword("WITH")) {
    if (Peek().IsKeyword("RECURSIVE")) return ErrorAt(Peek(), "WITH RECURSIVE is not supported");
    do {
      AstWithQuery with;
      with.pos = At(Peek());
      TARN_ASSIGN_OR_RETURN(with.name, Name("a query name"));
      if (Peek().IsPunctuation("(")) {
        TARN_ASSIGN_OR_RETURN(with.columns, NameList("a column name"));
      }
      TARN_RETURN_IF_ERROR(ExpectKeyword("AS"));
      TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
      TARN_ASSIGN_OR_RETURN(with.query, Query());
      TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
      child_height = std::max(child_height, Height(with.query));
      query->with.push_back(std::move(with));
    } while (AcceptPunctuation(","));
  }
  TARN_ASSIGN_OR_RETURN(query->body, SetUnion());
  if (AcceptKeyword("ORDER")) {
    TARN_RETURN_IF_ERROR(ExpectKeyword("BY"));
    do {
      AstOrderItem item;
      TARN_ASSIGN_OR_RETURN(item.expr, Expression());
      if (AcceptKeyword("DESC")) {
        item.descending = true;
      } else {
        AcceptKeyword("ASC");
      }
      if (AcceptKeyword("NULLS")) {
        if (AcceptKeyword("FIRST")) {
          item.nulls = AstNullsOrder::kFirst;
        } else if (AcceptKeyword("LAST")) {
          item.nulls = AstNullsOrder::kLast;
        } else {
          return Expected("FIRST or LAST");
        }
      }
      child_height = std::max(child_height, Height(item.expr));
      query->order_by.push_back(std::move(item));
    } while (AcceptPunctuation(","));
  }
  TARN_RETURN_IF_ERROR(OffsetAndLimit(*query));
  query->height = std::max(child_height, Height(query->body)) + 1;
  if (query->height > kMaxAstHeight) return TooDeep(query->pos);
  return query;
}

Status QueryParser::OffsetAndLimit(AstQuery& query) {
  bool seen_offset = false, seen_limit = false;
  for (;;) {
    if (!seen_offset && AcceptKeyword("OFFSET")) {
      seen_offset = true;
      TARN_ASSIGN_OR_RETURN(query.offset, RowCount("a row count (an integer)"));
      if (!AcceptKeyword("ROWS")) AcceptKeyword("ROW");
    } else if (!seen_limit && AcceptKeyword("LIMIT")) {
      seen_limit = true;
      if (!AcceptKeyword("ALL")) {
        TARN_ASSIGN_OR_RETURN(query.limit, RowCount("a row count (an integer) or ALL"));
      }
    } else if (!seen_limit && AcceptKeyword("FETCH")) {
      seen_limit = true;
      if (!AcceptKeyword("FIRST") && !AcceptKeyword("NEXT")) return Expected("FIRST or NEXT");
      query.limit = 1;
      if (Peek().kind == TokenKind::kNumber) {
        TARN_ASSIGN_OR_RETURN(query.limit, RowCount("a row count (an integer)"));
      }
      if (!AcceptKeyword("ROWS") && !AcceptKeyword("ROW")) return Expected("ROW or ROWS");
      if (Peek().IsKeyword("WITH")) return ErrorAt(Peek(), "FETCH ... WITH TIES is not supported");
      TARN_RETURN_IF_ERROR(ExpectKeyword("ONLY"));
    } else {
      return Status::Ok();
    }
  }
}

Result<AstQueryBodyPtr> QueryParser::SetUnion() {
  TARN_ASSIGN_OR_RETURN(AstQueryBodyPtr left, SetIntersect());
  for (;;) {
    AstSetOpKind kind;
    if (AcceptKeyword("UNION")) {
      kind = AstSetOpKind::kUnion;
    } else if (AcceptKeyword("EXCEPT")) {
      kind = AstSetOpKind::kExcept;
    } else {
      return left;
    }
    TARN_ASSIGN_OR_RETURN(left, SetOperation(kind, std::move(left), &QueryParser::SetIntersect));
  }
}

Result<AstQueryBodyPtr> QueryParser::SetIntersect() {
  TARN_ASSIGN_OR_RETURN(AstQueryBodyPtr left, QueryPrimary());
  while (AcceptKeyword("INTERSECT")) {
    TARN_ASSIGN_OR_RETURN(
        left, SetOperation(AstSetOpKind::kIntersect, std::move(left), &QueryParser::QueryPrimary));
  }
  return left;
}

Result<AstQueryBodyPtr> QueryParser::SetOperation(
    AstSetOpKind kind, AstQueryBodyPtr left, Result<AstQueryBodyPtr> (QueryParser::*operand)()) {
  AstSetOperation operation;
  operation.kind = kind;
  operation.all = AcceptKeyword("ALL");
  if (!operation.all) AcceptKeyword("DISTINCT");
  const AstPosition pos = left->pos;
  operation.left = std::move(left);
  TARN_ASSIGN_OR_RETURN(operation.right, (this->*operand)());
  const int height = std::max(Height(operation.left), Height(operation.right));
  return MakeNode<AstQueryBody>(pos, std::move(operation), height);
}

Result<AstQueryBodyPtr> QueryParser::QueryPrimary() {
  const Token& first = Peek();
  if (AcceptKeyword("SELECT")) return Select(At(first));
  if (AcceptKeyword("VALUES")) return Values(At(first));
  if (AcceptKeyword("TABLE")) {
    // TABLE t is SELECT * FROM t.
    TARN_ASSIGN_OR_RETURN(AstRelationPtr table, TableName());
    AstSelect select;
    select.items.emplace_back();
    select.items.back().pos = At(first);
    select.items.back().star = true;
    select.from.push_back(std::move(table));
    return MakeNode<AstQueryBody>(At(first), std::move(select), 1);
  }
  if (AcceptPunctuation("(")) {
    AstNestedQuery nested;
    TARN_ASSIGN_OR_RETURN(nested.query, Query());
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    const int height = Height(nested.query);
    return MakeNode<AstQueryBody>(At(first), std::move(nested), height);
  }
  return Expected("SELECT, VALUES, TABLE or '('");
}

Result<AstQueryBodyPtr> QueryParser::Select(AstPosition pos) {
  AstSelect select;
  if (AcceptKeyword("DISTINCT")) {
    select.distinct = true;
  } else {
    AcceptKeyword("ALL");
  }
  int height = 0;
  do {
    TARN_ASSIGN_OR_RETURN(AstSelectItem item, SelectItem(static_cast<int>(select.items.size())));
    height = std::max(height, Height(item.expr));
    select.items.push_back(std::move(item));
  } while (AcceptPunctuation(","));
  constexpr char kAfterSelect[] =
      "',', FROM, WHERE, GROUP BY, HAVING, ORDER BY, OFFSET, LIMIT, UNION, EXCEPT, INTERSECT or "
      "end of statement";
  TARN_RETURN_IF_ERROR(ExpectClauseEnd({"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "OFFSET",
                                        "LIMIT", "FETCH", "UNION", "EXCEPT", "INTERSECT"},
                                       kAfterSelect));
  std::initializer_list<std::string_view> later_clauses = {"WHERE",  "GROUP",    "HAVING", "ORDER",
                                                           "OFFSET", "LIMIT",    "FETCH",  "UNION",
                                                           "EXCEPT", "INTERSECT"};
  if (AcceptKeyword("FROM")) {
    do {
      TARN_ASSIGN_OR_RETURN(AstRelationPtr relation, Relation());
      select.from.push_back(std::move(relation));
    } while (AcceptPunctuation(","));
    height = std::max(height, Height(select.from));
    TARN_RETURN_IF_ERROR(ExpectClauseEnd(
        later_clauses,
        "',', a JOIN, WHERE, GROUP BY, HAVING, ORDER BY, OFFSET, LIMIT, UNION, EXCEPT, "
        "INTERSECT or end of statement"));
  }
  if (AcceptKeyword("WHERE")) {
    TARN_ASSIGN_OR_RETURN(select.where, Expression());
    TARN_RETURN_IF_ERROR(
        ExpectClauseEnd(later_clauses,
                        "an operator, GROUP BY, HAVING, ORDER BY, OFFSET, LIMIT, UNION, EXCEPT, "
                        "INTERSECT or end of statement"));
  }
  if (AcceptKeyword("GROUP")) {
    TARN_RETURN_IF_ERROR(ExpectKeyword("BY"));
    if (Peek().IsKeyword("ROLLUP") || Peek().IsKeyword("CUBE") || Peek().IsKeyword("GROUPING")) {
      return ErrorAt(Peek(), "ROLLUP, CUBE and GROUPING SETS are not supported");
    }
    do {
      TARN_ASSIGN_OR_RETURN(AstExprPtr expr, Expression());
      select.group_by.push_back(std::move(expr));
    } while (AcceptPunctuation(","));
    TARN_RETURN_IF_ERROR(
        ExpectClauseEnd(later_clauses,
                        "',', an operator, HAVING, ORDER BY, OFFSET, LIMIT, UNION, EXCEPT, "
                        "INTERSECT or end of statement"));
  }
  if (AcceptKeyword("HAVING")) {
    TARN_ASSIGN_OR_RETURN(select.having, Expression());
    TARN_RETURN_IF_ERROR(
        ExpectClauseEnd(later_clauses,
                        "an operator, ORDER BY, OFFSET, LIMIT, UNION, EXCEPT, INTERSECT or end "
                        "of statement"));
  }
  height = std::max({height, Height(select.where), Height(select.group_by), Height(select.having)});
  return MakeNode<AstQueryBody>(pos, std::move(select), height);
}

bool QueryParser::AtQualifiedStar() const {
  size_t ahead = 0;
  while (IsNameToken(Peek(ahead)) && Peek(ahead + 1).IsPunctuation(".")) {
    if (Peek(ahead + 2).IsPunctuation("*")) return true;
    ahead += 2;
  }
  return false;
}

Result<AstSelectItem> QueryParser::SelectItem(int index) {
  AstSelectItem item;
  item.pos = At(Peek());
  item.index = index;
  if (AcceptPunctuation("*")) {
    item.star = true;
    return item;
  }
  if (AtQualifiedStar()) {
    item.star = true;
    while (!AcceptPunctuation("*")) {
      item.qualifier.push_back(Lower(Next().text));
      Next();  // The '.'.
    }
    return item;
  }
  TARN_ASSIGN_OR_RETURN(item.expr, Expression());
  TARN_ASSIGN_OR_RETURN(item.alias, OptionalAlias());
  return item;
}

Result<AstQueryBodyPtr> QueryParser::Values(AstPosition pos) {
  AstValues values;
  int height = 0;
  do {
    TARN_ASSIGN_OR_RETURN(AstExprPtr row, Expression());
    height = std::max(height, Height(row));
    std::vector<AstExprPtr> fields;
    auto* call = std::get_if<AstFunctionCall>(&row->node);
    if (call != nullptr && call->name == "row" && !call->distinct && !call->star &&
        call->filter == nullptr) {
      fields = std::move(call->args);  // (a, b) and ROW(a, b) are rows of two values.
    } else {
      fields.push_back(std::move(row));
    }
    values.rows.push_back(std::move(fields));
  } while (AcceptPunctuation(","));
  return MakeNode<AstQueryBody>(pos, std::move(values), height);
}

Result<AstRelationPtr> QueryParser::Relation() {
  Nesting nesting(*this);
  TARN_RETURN_IF_ERROR(nesting.Check(At(Peek())));
  TARN_ASSIGN_OR_RETURN(AstRelationPtr left, AliasedRelation());
  for (;;) {
    const Token& at = Peek();
    AstJoin join;
    if (AcceptKeyword("CROSS")) {
      TARN_RETURN_IF_ERROR(ExpectKeyword("JOIN"));
      join.type = AstJoinType::kCross;
    } else if (AcceptKeyword("JOIN")) {
      join.type = AstJoinType::kInner;
    } else if (AcceptKeyword("INNER")) {
      TARN_RETURN_IF_ERROR(ExpectKeyword("JOIN"));
    } else if (at.IsKeyword("LEFT") || at.IsKeyword("RIGHT") || at.IsKeyword("FULL")) {
      Next();
      join.type = at.IsKeyword("LEFT")    ? AstJoinType::kLeft
                  : at.IsKeyword("RIGHT") ? AstJoinType::kRight
                                          : AstJoinType::kFull;
      AcceptKeyword("OUTER");
      TARN_RETURN_IF_ERROR(ExpectKeyword("JOIN"));
    } else if (at.IsKeyword("NATURAL")) {
      return ErrorAt(at, "NATURAL JOIN is not supported");
    } else {
      return left;
    }
    TARN_ASSIGN_OR_RETURN(join.right, AliasedRelation());
    if (join.type != AstJoinType::kCross) {
      if (AcceptKeyword("ON")) {
        TARN_ASSIGN_OR_RETURN(join.on, Expression());
      } else if (AcceptKeyword("USING")) {
        TARN_ASSIGN_OR_RETURN(join.using_columns, NameList("a column name"));
      } else {
        return Expected("ON or USING");
      }
    }
    const AstPosition pos = left->pos;
    join.left = std::move(left);
    const int height = std::max({Height(join.left), Height(join.right), Height(join.on)});
    TARN_ASSIGN_OR_RETURN(left, MakeNode<AstRelation>(pos, std::move(join), height));
  }
}

Result<AstRelationPtr> QueryParser::AliasedRelation() {
  const Token& first = Peek();
  AstRelationPtr relation;
  if (first.IsPunctuation("(")) {
    // A subquery when a query starts after the opening parentheses, else a relation.
    size_t ahead = 0;
    while (Peek(ahead).IsPunctuation("(")) ++ahead;
    Next();
    if (StartsQuery(Peek(ahead - 1))) {
      AstSubqueryRelation subquery;
      TARN_ASSIGN_OR_RETURN(subquery.query, Query());
      const int height = Height(subquery.query);
      TARN_ASSIGN_OR_RETURN(relation,
                            MakeNode<AstRelation>(At(first), std::move(subquery), height));
    } else {
      TARN_ASSIGN_OR_RETURN(relation, Relation());
    }
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  } else if (AcceptKeyword("UNNEST")) {
    AstUnnest unnest;
    TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
    TARN_ASSIGN_OR_RETURN(unnest.args, ExpressionList());
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    if (AcceptKeyword("WITH")) {
      TARN_RETURN_IF_ERROR(ExpectKeyword("ORDINALITY"));
      unnest.with_ordinality = true;
    }
    const int height = Height(unnest.args);
    TARN_ASSIGN_OR_RETURN(relation, MakeNode<AstRelation>(At(first), std::move(unnest), height));
  } else if (first.IsKeyword("LATERAL")) {
    return ErrorAt(first, "LATERAL is not supported");
  } else {
    TARN_ASSIGN_OR_RETURN(relation, TableName());
  }
  const Token& alias_at = Peek();
  TARN_ASSIGN_OR_RETURN(AstName alias, OptionalAlias());
  if (!alias.empty()) {
    if (!relation->alias.empty()) {
      return ErrorAt(alias_at, "a relation with an alias cannot take a second alias");
    }
    relation->alias = std::move(alias);
    if (Peek().IsPunctuation("(")) {
      TARN_ASSIGN_OR_RETURN(relation->column_aliases, NameList("a column name"));
    }
  }
  return relation;
}

Result<AstRelationPtr> QueryParser::TableName() {
  const Token& first = Peek();
  std::vector<std::string> parts;
  do {
    TARN_ASSIGN_OR_RETURN(AstName part, Name(parts.empty() ? "a table name" : "a name"));
    parts.push_back(std::move(part.name));
  } while (parts.size() < 3 && AcceptPunctuation("."));
  AstTableRef table;
  table.name = std::move(parts.back());
  if (parts.size() >= 2) table.database = std::move(parts[parts.size() - 2]);
  if (parts.size() == 3) table.catalog = std::move(parts[0]);
  return MakeNode<AstRelation>(At(first), std::move(table), 0);
}

}  // namespace internal

using internal::QueryParser;
using internal::StartsQuery;

Result<AstQuery> ParseQuery(std::string_view sql) {
  TARN_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  if (tokens.front().IsKeyword("EXPLAIN")) {
    return InvalidArgument(
        fmt::format("syntax error at line {}, column {}: expected a query, found EXPLAIN",
                    tokens.front().line, tokens.front().column));
  }
  TARN_ASSIGN_OR_RETURN(QueryStatement statement, QueryParser(std::move(tokens)).Statement());
  return std::move(statement.query);
}

Result<AstExprPtr> ParseExpression(std::string_view sql) {
  TARN_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  return QueryParser(std::move(tokens)).StandaloneExpression();
}

Result<bool> IsQuery(std::string_view sql) {
  TARN_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  const Token& first = tokens.front();
  return StartsQuery(first) || first.IsKeyword("EXPLAIN") || first.IsPunctuation("(");
}

Result<Statement> ParseStatement(std::string_view sql) {
  TARN_ASSIGN_OR_RETURN(bool is_query, IsQuery(sql));
  if (!is_query) {
    TARN_ASSIGN_OR_RETURN(catalog::DdlStatement ddl, ParseDdl(sql));
    return Statement(std::move(ddl));
  }
  TARN_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  TARN_ASSIGN_OR_RETURN(QueryStatement statement, QueryParser(std::move(tokens)).Statement());
  return Statement(std::move(statement));
}

}  // namespace tarn::sql
