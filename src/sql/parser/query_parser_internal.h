// The query parser's class and helpers, shared by query_parser.cc (statements, queries,
// relations) and expression_parser.cc (expressions, types). Internal to src/sql/parser: use
// query_parser.h. A parser reads one statement's tokens once; one object per statement, one thread.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "sql/parser/ast.h"
#include "sql/parser/lexer.h"
#include "sql/parser/query_parser.h"
#include "sql/parser/token_cursor.h"

namespace tarn::sql::internal {

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

template <size_t N>
inline bool IsAnyKeyword(const Token& token, const std::string_view (&words)[N]) {
  for (std::string_view word : words) {
    if (token.IsKeyword(word)) return true;
  }
  return false;
}

inline bool IsReserved(const Token& token) {
  return token.kind == TokenKind::kWord && IsReservedWord(token.text);
}

// A word or quoted identifier usable as a name: reserved words must be quoted.
inline bool IsNameToken(const Token& token) {
  return token.kind == TokenKind::kQuotedIdentifier ||
         (token.kind == TokenKind::kWord && !IsReserved(token));
}

inline bool StartsQuery(const Token& token) {
  return token.IsKeyword("SELECT") || token.IsKeyword("WITH") || token.IsKeyword("VALUES") ||
         token.IsKeyword("TABLE");
}

inline AstPosition At(const Token& token) { return {token.line, token.column}; }

inline int Height(const AstExprPtr& expr) { return expr ? expr->height : 0; }
inline int Height(const AstQueryPtr& query) { return query ? query->height : 0; }
inline int Height(const AstQueryBodyPtr& body) { return body ? body->height : 0; }
inline int Height(const AstRelationPtr& relation) { return relation ? relation->height : 0; }
template <typename T>
inline int Height(const std::vector<T>& items) {
  int height = 0;
  for (const T& item : items) height = std::max(height, Height(item));
  return height;
}

// The most stack the parser's recursion may take: deep nesting is refused before this, in any
// build, so that a thread with the usual 8 MiB stack never overflows.
inline constexpr long kMaxParserStack = 4 << 20;

// "statement nested too deeply" at `pos`, for more than kMaxAstHeight levels or for more than
// kMaxParserStack bytes of stack.
Status TooDeep(AstPosition pos);
Status StackExhausted(AstPosition pos);

// Wraps `node` in a tree node of type T (AstExpr, AstRelation, AstQueryBody) one level above
// its highest child, refusing trees higher than kMaxAstHeight.
template <typename T, typename Node>
inline Result<std::unique_ptr<T>> MakeNode(AstPosition pos, Node node, int child_height) {
  if (child_height + 1 > kMaxAstHeight) return TooDeep(pos);
  auto made = std::make_unique<T>();
  made->pos = pos;
  made->height = child_height + 1;
  made->node = std::move(node);
  return made;
}

template <typename Node>
inline Result<AstExprPtr> MakeExpr(AstPosition pos, Node node, int child_height) {
  return MakeNode<AstExpr>(pos, std::move(node), child_height);
}

// A recursive-descent parser over the tokens of one statement. Every function that recurses
// holds a Nesting, so that nesting deeper than kMaxAstHeight is an error, not a stack overflow.
class QueryParser : private TokenCursor {
 public:
  explicit QueryParser(std::vector<Token> tokens)
      : TokenCursor(std::move(tokens)),
        stack_base_(static_cast<const char*>(__builtin_frame_address(0))) {}

  // statement := [EXPLAIN [ANALYZE]] query [';'], then the end of the tokens.
  Result<QueryStatement> Statement();

  // One expression, then the end of the tokens.
  Result<AstExprPtr> StandaloneExpression();

 private:
  // Counts one level of recursion for as long as it lives.
  class Nesting {
   public:
    explicit Nesting(QueryParser& parser) : parser_(parser) { ++parser_.depth_; }
    ~Nesting() { --parser_.depth_; }
    // An error at `pos` past kMaxAstHeight levels, or when the parser's frames have taken
    // kMaxParserStack bytes (frames are larger in sanitizer builds).
    Status Check(AstPosition pos) const {
      if (parser_.depth_ > kMaxAstHeight) return TooDeep(pos);
      const auto* here = static_cast<const char*>(__builtin_frame_address(0));
      if (parser_.stack_base_ - here > kMaxParserStack) return StackExhausted(pos);
      return Status::Ok();
    }

   private:
    QueryParser& parser_;
  };

  // ---- Token helpers.

  Status ExpectKeyword(std::string_view keyword) {
    return AcceptKeyword(keyword) ? Status::Ok() : Expected(keyword);
  }
  Status ExpectPunctuation(std::string_view symbol) {
    return AcceptPunctuation(symbol) ? Status::Ok() : Expected(fmt::format("'{}'", symbol));
  }
  [[gnu::noinline, gnu::cold]] Status Expected(std::string_view what) const {
    const Token& found = Peek();
    return InvalidArgument(fmt::format("syntax error at line {}, column {}: expected {}, found {}",
                                       found.line, found.column, what, DescribeToken(found)));
  }
  [[gnu::noinline, gnu::cold]] static Status ErrorAt(const Token& token, std::string_view message) {
    return InvalidArgument(
        fmt::format("syntax error at line {}, column {}: {}", token.line, token.column, message));
  }
  Status End() {
    AcceptPunctuation(";");
    return Peek().kind == TokenKind::kEnd ? Status::Ok() : Expected("end of statement");
  }
  // OK when the next token ends a clause (one of `keywords`, ')', ';' or the end), else an error
  // saying `what` may come here.
  Status ExpectClauseEnd(std::initializer_list<std::string_view> keywords,
                         std::string_view what) const {
    const Token& next = Peek();
    if (next.kind == TokenKind::kEnd || next.IsPunctuation(")") || next.IsPunctuation(";")) {
      return Status::Ok();
    }
    for (std::string_view keyword : keywords) {
      if (next.IsKeyword(keyword)) return Status::Ok();
    }
    return Expected(what);
  }

  // ---- Names.

  Result<AstName> Name(std::string_view what);
  // (name, ...)
  Result<std::vector<AstName>> NameList(std::string_view what);
  // A name that may follow an expression or relation without AS.
  bool AtImplicitAlias() const;
  // [AS] alias; an empty name when there is none.
  Result<AstName> OptionalAlias();
  Result<int64_t> RowCount(std::string_view what);

  // ---- Queries.

  Result<AstQueryPtr> Query();

  // [OFFSET n [ROW|ROWS]] [LIMIT n|ALL | FETCH FIRST|NEXT [n] ROW|ROWS ONLY], in either order.
  Status OffsetAndLimit(AstQuery& query);

  // term ((UNION | EXCEPT) [ALL | DISTINCT] term)*
  Result<AstQueryBodyPtr> SetUnion();

  Result<AstQueryBodyPtr> SetIntersect();

  // The rest of `left` UNION|INTERSECT|EXCEPT after the keyword.
  Result<AstQueryBodyPtr> SetOperation(AstSetOpKind kind, AstQueryBodyPtr left,
                                       Result<AstQueryBodyPtr> (QueryParser::*operand)());

  Result<AstQueryBodyPtr> QueryPrimary();

  Result<AstQueryBodyPtr> Select(AstPosition pos);

  // True when the tokens from the next one are `name(.name)*.*`.
  bool AtQualifiedStar() const;

  Result<AstSelectItem> SelectItem(int index);

  Result<AstQueryBodyPtr> Values(AstPosition pos);

  // ---- Relations.

  Result<AstRelationPtr> Relation();

  // relation_primary [[AS] alias [(columns)]]
  Result<AstRelationPtr> AliasedRelation();

  Result<AstRelationPtr> TableName();

  // ---- Expressions.

  Result<std::vector<AstExprPtr>> ExpressionList();

  Result<AstExprPtr> Expression();

  Result<AstExprPtr> Binary(AstBinaryOp op, AstExprPtr left, AstExprPtr right);

  Result<AstExprPtr> Or();

  Result<AstExprPtr> And();

  Result<AstExprPtr> Not();

  // A value followed by at most one predicate (comparison, IS, BETWEEN, IN, LIKE).
  Result<AstExprPtr> Predicated();

  // The binary operator at `token` and its precedence (0: none): || < + - < * / %.
  static int Precedence(const Token& token, AstBinaryOp* op);

  // Arithmetic and concatenation by precedence climbing: operators of at least `min_precedence`,
  // left-associative.
  Result<AstExprPtr> Value(int min_precedence);

  Result<AstExprPtr> Unary();

  // Postfix [index] and .field, then AT TIME ZONE 'zone' (as at_timezone(value, zone)).
  Result<AstExprPtr> AtTimeZone(AstExprPtr value);

  static AstLiteral TextLiteral(AstLiteralKind kind, std::string text);
  static Result<AstExprPtr> Literal(AstPosition pos, AstLiteral literal);

  Result<AstExprPtr> NumberLiteral(const Token& token, AstPosition pos, bool negative);

  // INTERVAL [+|-] 'text' field [TO field]
  Result<AstExprPtr> Interval();

  Result<AstIntervalField> IntervalField();

  Result<AstExprPtr> Primary();

  // '(' then a subquery, a parenthesized expression, or a row (a, b, ...) as row(a, b, ...).
  Result<AstExprPtr> Parenthesized();

  // a, t.a, db.t.a, or a function call name(...).
  Result<AstExprPtr> NameOrCall();

  // The arguments and FILTER of name(...), from the '('.
  Result<AstExprPtr> Call(AstPosition pos, std::string name);

  // POSITION(needle IN haystack), after the '(': strpos(haystack, needle).
  Result<AstExprPtr> Position(AstPosition pos);

  // TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) or TRIM(s [, chars]).
  Result<AstExprPtr> Trim(AstPosition pos);

  Result<AstExprPtr> Case(AstPosition pos);

  Result<AstExprPtr> Cast(AstPosition pos, bool is_try);

  Result<AstExprPtr> Extract(AstPosition pos);

  // ---- Types.

  Result<int> TypeParameter();

  // A Trino type: see AstType for the names and how they map.
  Result<AstType> Type();

  // The parameters of array(T), map(K, V) and row([name] T, ...); array<T> and map<K,V> too.
  Status NestedType(const std::string& word, AstType& type);

 private:
  int depth_ = 0;
  const char* stack_base_;  // The frame of the parser's creator; the stack grows down from it.
};

}  // namespace tarn::sql::internal
