// The expression and type grammar of the query parser (query_parser_internal.h).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sql/parser/query_parser_internal.h"

namespace tarn::sql::internal {
namespace {

// Words after EXTRACT( that Trino accepts.
constexpr std::string_view kExtractFields[] = {
    "YEAR",         "QUARTER",      "MONTH",        "WEEK",
    "DAY",          "DAY_OF_MONTH", "DAY_OF_WEEK",  "DOW",
    "DAY_OF_YEAR",  "DOY",          "YEAR_OF_WEEK", "YOW",
    "HOUR",         "MINUTE",       "SECOND",       "TIMEZONE_MINUTE",
    "TIMEZONE_HOUR"};

constexpr std::string_view kIntervalFields[] = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};

// Type words that may precede a string as a typed literal (BIGINT '5'); DATE and TIMESTAMP have
// literal kinds of their own.
constexpr std::string_view kLiteralTypes[] = {
    "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "INT",       "BIGINT", "REAL",
    "DOUBLE",  "DECIMAL", "VARCHAR",  "CHAR",    "VARBINARY", "JSON"};

}  // namespace

Result<std::vector<AstExprPtr>> QueryParser::ExpressionList() {
  std::vector<AstExprPtr> list;
  do {
    TARN_ASSIGN_OR_RETURN(AstExprPtr expr, Expression());
    list.push_back(std::move(expr));
  } while (AcceptPunctuation(","));
  return list;
}

Result<AstExprPtr> QueryParser::Expression() {
  Nesting nesting(*this);
  TARN_RETURN_IF_ERROR(nesting.Check(At(Peek())));
  return Or();
}

Result<AstExprPtr> QueryParser::Binary(AstBinaryOp op, AstExprPtr left, AstExprPtr right) {
  const AstPosition pos = left->pos;
  const int height = std::max(Height(left), Height(right));
  return MakeExpr(pos, AstBinary{op, std::move(left), std::move(right)}, height);
}

Result<AstExprPtr> QueryParser::Or() {
  TARN_ASSIGN_OR_RETURN(AstExprPtr left, And());
  while (AcceptKeyword("OR")) {
    TARN_ASSIGN_OR_RETURN(AstExprPtr right, And());
    TARN_ASSIGN_OR_RETURN(left, Binary(AstBinaryOp::kOr, std::move(left), std::move(right)));
  }
  return left;
}

Result<AstExprPtr> QueryParser::And() {
  TARN_ASSIGN_OR_RETURN(AstExprPtr left, Not());
  while (AcceptKeyword("AND")) {
    TARN_ASSIGN_OR_RETURN(AstExprPtr right, Not());
    TARN_ASSIGN_OR_RETURN(left, Binary(AstBinaryOp::kAnd, std::move(left), std::move(right)));
  }
  return left;
}

Result<AstExprPtr> QueryParser::Not() {
  const Token& first = Peek();
  if (!AcceptKeyword("NOT")) return Predicated();
  Nesting nesting(*this);
  TARN_RETURN_IF_ERROR(nesting.Check(At(first)));
  TARN_ASSIGN_OR_RETURN(AstExprPtr operand, Not());
  const int height = Height(operand);
  return MakeExpr(At(first), AstUnary{AstUnaryOp::kNot, std::move(operand)}, height);
}

Result<AstExprPtr> QueryParser::Predicated() {
  TARN_ASSIGN_OR_RETURN(AstExprPtr value, Value(1));
  const AstPosition pos = value->pos;
  static constexpr std::pair<std::string_view, AstBinaryOp> kComparisons[] = {
      {"=", AstBinaryOp::kEqual},        {"<>", AstBinaryOp::kNotEqual},
      {"!=", AstBinaryOp::kNotEqual},    {"<", AstBinaryOp::kLess},
      {"<=", AstBinaryOp::kLessEqual},   {">", AstBinaryOp::kGreater},
      {">=", AstBinaryOp::kGreaterEqual}};
  for (const auto& [symbol, op] : kComparisons) {
    if (!AcceptPunctuation(symbol)) continue;
    if ((Peek().IsKeyword("ANY") || Peek().IsKeyword("SOME") || Peek().IsKeyword("ALL")) &&
        Peek(1).IsPunctuation("(")) {
      return ErrorAt(Peek(), "quantified comparisons (ANY, SOME, ALL) are not supported");
    }
    TARN_ASSIGN_OR_RETURN(AstExprPtr right, Value(1));
    return Binary(op, std::move(value), std::move(right));
  }
  if (AcceptKeyword("IS")) {
    const bool negated = AcceptKeyword("NOT");
    if (AcceptKeyword("NULL")) {
      const int height = Height(value);
      return MakeExpr(pos, AstIsNull{std::move(value), negated}, height);
    }
    if (!AcceptKeyword("DISTINCT"))
      return Expected(negated ? "NULL or DISTINCT" : "NOT, NULL or DISTINCT");
    TARN_RETURN_IF_ERROR(ExpectKeyword("FROM"));
    TARN_ASSIGN_OR_RETURN(AstExprPtr right, Value(1));
    return Binary(negated ? AstBinaryOp::kIsNotDistinctFrom : AstBinaryOp::kIsDistinctFrom,
                  std::move(value), std::move(right));
  }
  const bool negated =
      Peek().IsKeyword("NOT") &&
      (Peek(1).IsKeyword("BETWEEN") || Peek(1).IsKeyword("IN") || Peek(1).IsKeyword("LIKE"));
  if (negated) Next();
  if (AcceptKeyword("BETWEEN")) {
    AstBetween between{std::move(value), nullptr, nullptr, negated};
    TARN_ASSIGN_OR_RETURN(between.low, Value(1));
    TARN_RETURN_IF_ERROR(ExpectKeyword("AND"));
    TARN_ASSIGN_OR_RETURN(between.high, Value(1));
    const int height =
        std::max({Height(between.operand), Height(between.low), Height(between.high)});
    return MakeExpr(pos, std::move(between), height);
  }
  if (AcceptKeyword("IN")) {
    TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
    if (StartsQuery(Peek())) {
      AstInSubquery in{std::move(value), nullptr, negated};
      TARN_ASSIGN_OR_RETURN(in.query, Query());
      TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
      const int height = std::max(Height(in.operand), Height(in.query));
      return MakeExpr(pos, std::move(in), height);
    }
    AstInList in{std::move(value), {}, negated};
    TARN_ASSIGN_OR_RETURN(in.list, ExpressionList());
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    const int height = std::max(Height(in.operand), Height(in.list));
    return MakeExpr(pos, std::move(in), height);
  }
  if (AcceptKeyword("LIKE")) {
    AstLike like{std::move(value), nullptr, nullptr, negated};
    TARN_ASSIGN_OR_RETURN(like.pattern, Value(1));
    if (AcceptKeyword("ESCAPE")) {
      TARN_ASSIGN_OR_RETURN(like.escape, Value(1));
    }
    const int height = std::max({Height(like.operand), Height(like.pattern), Height(like.escape)});
    return MakeExpr(pos, std::move(like), height);
  }
  return value;
}

int QueryParser::Precedence(const Token& token, AstBinaryOp* op) {
  static constexpr std::tuple<std::string_view, AstBinaryOp, int> kOperators[] = {
      {"||", AstBinaryOp::kConcat, 1},  {"+", AstBinaryOp::kAdd, 2},
      {"-", AstBinaryOp::kSubtract, 2}, {"*", AstBinaryOp::kMultiply, 3},
      {"/", AstBinaryOp::kDivide, 3},   {"%", AstBinaryOp::kModulo, 3}};
  for (const auto& [symbol, candidate, precedence] : kOperators) {
    if (token.IsPunctuation(symbol)) {
      *op = candidate;
      return precedence;
    }
  }
  return 0;
}

Result<AstExprPtr> QueryParser::Value(int min_precedence) {
  TARN_ASSIGN_OR_RETURN(AstExprPtr left, Unary());
  for (;;) {
    AstBinaryOp op;
    const int precedence = Precedence(Peek(), &op);
    if (precedence == 0 || precedence < min_precedence) return left;
    Next();
    TARN_ASSIGN_OR_RETURN(AstExprPtr right, Value(precedence + 1));
    TARN_ASSIGN_OR_RETURN(left, Binary(op, std::move(left), std::move(right)));
  }
}

Result<AstExprPtr> QueryParser::Unary() {
  const Token& first = Peek();
  if (first.IsPunctuation("-") || first.IsPunctuation("+")) {
    Nesting nesting(*this);
    TARN_RETURN_IF_ERROR(nesting.Check(At(first)));
    Next();
    const bool minus = first.IsPunctuation("-");
    if (minus && Peek().kind == TokenKind::kNumber) {
      // -5 is one literal, so that -9223372036854775808 fits in a bigint.
      TARN_ASSIGN_OR_RETURN(AstExprPtr literal, NumberLiteral(Next(), At(first), true));
      return AtTimeZone(std::move(literal));
    }
    TARN_ASSIGN_OR_RETURN(AstExprPtr operand, Unary());
    const int height = Height(operand);
    return MakeExpr(At(first),
                    AstUnary{minus ? AstUnaryOp::kMinus : AstUnaryOp::kPlus, std::move(operand)},
                    height);
  }
  TARN_ASSIGN_OR_RETURN(AstExprPtr primary, Primary());
  return AtTimeZone(std::move(primary));
}

Result<AstExprPtr> QueryParser::AtTimeZone(AstExprPtr value) {
  for (;;) {
    const AstPosition pos = value->pos;
    if (AcceptPunctuation("[")) {
      TARN_ASSIGN_OR_RETURN(AstExprPtr index, Expression());
      TARN_RETURN_IF_ERROR(ExpectPunctuation("]"));
      const int height = std::max(Height(value), Height(index));
      TARN_ASSIGN_OR_RETURN(
          value, MakeExpr(pos, AstSubscript{std::move(value), std::move(index)}, height));
    } else if (Peek().IsPunctuation(".") && IsNameToken(Peek(1))) {
      Next();
      TARN_ASSIGN_OR_RETURN(AstName field, Name("a field name"));
      const int height = Height(value);
      TARN_ASSIGN_OR_RETURN(
          value, MakeExpr(pos, AstDereference{std::move(value), std::move(field)}, height));
    } else if (Peek().IsKeyword("AT") && Peek(1).IsKeyword("TIME") && Peek(2).IsKeyword("ZONE")) {
      const Token& at = Peek();
      Next();
      Next();
      Next();
      AstExprPtr zone;
      if (Peek().kind == TokenKind::kString) {
        TARN_ASSIGN_OR_RETURN(zone, Primary());
      } else if (Peek().IsKeyword("INTERVAL")) {
        TARN_ASSIGN_OR_RETURN(zone, Interval());
      } else {
        return Expected("a time zone string or INTERVAL");
      }
      AstFunctionCall call;
      call.name = "at_timezone";
      call.args.push_back(std::move(value));
      call.args.push_back(std::move(zone));
      const int height = Height(call.args);
      TARN_ASSIGN_OR_RETURN(value, MakeExpr(At(at), std::move(call), height));
      value->pos = pos;
    } else {
      return value;
    }
  }
}

AstLiteral QueryParser::TextLiteral(AstLiteralKind kind, std::string text) {
  AstLiteral literal;
  literal.kind = kind;
  literal.text = std::move(text);
  return literal;
}

Result<AstExprPtr> QueryParser::Literal(AstPosition pos, AstLiteral literal) {
  return MakeExpr(pos, std::move(literal), 0);
}

Result<AstExprPtr> QueryParser::NumberLiteral(const Token& token, AstPosition pos, bool negative) {
  const std::string& text = token.text;
  AstLiteral literal;
  const std::string sign = negative ? "-" : "";
  if (text.find_first_of("eE") != std::string::npos) {
    literal.kind = AstLiteralKind::kDouble;
    literal.text = sign + text;
    literal.real = std::strtod(literal.text.c_str(), nullptr);
  } else if (text.find('.') != std::string::npos) {
    literal.kind = AstLiteralKind::kDecimal;
    literal.text = sign + text;
  } else {
    uint64_t magnitude = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, magnitude);
    const uint64_t max =
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
    if (ec != std::errc() || ptr != end || magnitude > max) {
      return ErrorAt(
          token, fmt::format("invalid numeric literal {}{}: out of range for bigint", sign, text));
    }
    literal.integer =
        negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
    const bool fits_integer = literal.integer >= std::numeric_limits<int32_t>::min() &&
                              literal.integer <= std::numeric_limits<int32_t>::max();
    literal.kind = fits_integer ? AstLiteralKind::kInteger : AstLiteralKind::kBigint;
  }
  return Literal(pos, std::move(literal));
}

Result<AstExprPtr> QueryParser::Interval() {
  const Token& first = Next();
  AstLiteral literal;
  literal.kind = AstLiteralKind::kInterval;
  if (AcceptPunctuation("-")) {
    literal.interval_negative = true;
  } else {
    AcceptPunctuation("+");
  }
  if (Peek().kind != TokenKind::kString) return Expected("an interval string");
  literal.text = Next().text;
  TARN_ASSIGN_OR_RETURN(literal.interval_from, IntervalField());
  literal.interval_to = literal.interval_from;
  if (AcceptKeyword("TO")) {
    TARN_ASSIGN_OR_RETURN(literal.interval_to, IntervalField());
  }
  return Literal(At(first), std::move(literal));
}

Result<AstIntervalField> QueryParser::IntervalField() {
  for (size_t i = 0; i < std::size(kIntervalFields); ++i) {
    if (AcceptKeyword(kIntervalFields[i])) return static_cast<AstIntervalField>(i);
  }
  return Expected("YEAR, MONTH, DAY, HOUR, MINUTE or SECOND");
}

Result<AstExprPtr> QueryParser::Primary() {
  const Token& first = Peek();
  const AstPosition pos = At(first);
  switch (first.kind) {
    case TokenKind::kNumber:
      return NumberLiteral(Next(), pos, false);
    case TokenKind::kString:
      return Literal(pos, TextLiteral(AstLiteralKind::kString, Next().text));
    case TokenKind::kQuotedIdentifier:
      return NameOrCall();
    case TokenKind::kPunctuation:
      if (first.IsPunctuation("(")) return Parenthesized();
      return Expected("an expression");
    case TokenKind::kEnd:
      return Expected("an expression");
    case TokenKind::kWord:
      break;
  }
  const Token& second = Peek(1);
  const bool string_follows = second.kind == TokenKind::kString;
  if (AcceptKeyword("NULL")) return Literal(pos, AstLiteral{});
  if (first.IsKeyword("TRUE") || first.IsKeyword("FALSE")) {
    Next();
    AstLiteral literal;
    literal.kind = AstLiteralKind::kBoolean;
    literal.boolean = first.IsKeyword("TRUE");
    return Literal(pos, std::move(literal));
  }
  if (string_follows && (first.IsKeyword("DATE") || first.IsKeyword("TIMESTAMP"))) {
    Next();
    return Literal(pos, TextLiteral(first.IsKeyword("DATE") ? AstLiteralKind::kDate
                                                            : AstLiteralKind::kTimestamp,
                                    Next().text));
  }
  if (string_follows && first.IsKeyword("X") && second.line == first.line &&
      second.column == first.column + 1) {
    Next();
    return Literal(pos, TextLiteral(AstLiteralKind::kBinary, Next().text));
  }
  if (string_follows && IsAnyKeyword(first, kLiteralTypes)) {
    TARN_ASSIGN_OR_RETURN(AstType type, Type());
    AstExprPtr text;
    TARN_ASSIGN_OR_RETURN(text, Primary());
    return MakeExpr(pos, AstCast{std::move(text), std::move(type), false}, 1);
  }
  if (first.IsKeyword("INTERVAL") &&
      (string_follows || ((second.IsPunctuation("-") || second.IsPunctuation("+")) &&
                          Peek(2).kind == TokenKind::kString))) {
    return Interval();
  }
  if (AcceptKeyword("CASE")) return Case(pos);
  if (first.IsKeyword("CAST") || (first.IsKeyword("TRY_CAST") && second.IsPunctuation("("))) {
    Next();
    return Cast(pos, first.IsKeyword("TRY_CAST"));
  }
  if (AcceptKeyword("EXTRACT")) return Extract(pos);
  if (AcceptKeyword("EXISTS")) {
    TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
    AstExists exists;
    TARN_ASSIGN_OR_RETURN(exists.query, Query());
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    const int height = Height(exists.query);
    return MakeExpr(pos, std::move(exists), height);
  }
  for (std::string_view word :
       {"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP"}) {
    if (!AcceptKeyword(word)) continue;
    AstFunctionCall call;
    call.name = Lower(word);
    call.bare = true;
    if (word != "CURRENT_DATE" && AcceptPunctuation("(")) {
      const Token& precision = Peek();
      if (precision.kind != TokenKind::kNumber) return Expected("a precision (an integer)");
      TARN_ASSIGN_OR_RETURN(AstExprPtr argument, NumberLiteral(Next(), At(precision), false));
      call.args.push_back(std::move(argument));
      TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    }
    const int height = Height(call.args);
    return MakeExpr(pos, std::move(call), height);
  }
  if (first.IsKeyword("TRIM")) return Trim(pos);
  if (first.IsKeyword("ARRAY") && second.IsPunctuation("[")) {
    Next();
    Next();
    AstArray array;
    if (!AcceptPunctuation("]")) {
      TARN_ASSIGN_OR_RETURN(array.elements, ExpressionList());
      TARN_RETURN_IF_ERROR(ExpectPunctuation("]"));
    }
    const int height = Height(array.elements);
    return MakeExpr(pos, std::move(array), height);
  }
  if (IsReserved(first)) return Expected("an expression");
  return NameOrCall();
}

Result<AstExprPtr> QueryParser::Parenthesized() {
  const Token& open = Next();
  if (StartsQuery(Peek())) {
    AstSubquery subquery;
    TARN_ASSIGN_OR_RETURN(subquery.query, Query());
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    const int height = Height(subquery.query);
    return MakeExpr(At(open), std::move(subquery), height);
  }
  TARN_ASSIGN_OR_RETURN(AstExprPtr expr, Expression());
  if (AcceptPunctuation(")")) return expr;
  if (!Peek().IsPunctuation(",")) return Expected("an operator, ',' or ')'");
  AstFunctionCall row;
  row.name = "row";
  row.args.push_back(std::move(expr));
  while (AcceptPunctuation(",")) {
    TARN_ASSIGN_OR_RETURN(AstExprPtr field, Expression());
    row.args.push_back(std::move(field));
  }
  TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  const int height = Height(row.args);
  return MakeExpr(At(open), std::move(row), height);
}

Result<AstExprPtr> QueryParser::NameOrCall() {
  const AstPosition pos = At(Peek());
  std::vector<std::string> parts;
  for (;;) {
    TARN_ASSIGN_OR_RETURN(AstName part, Name("a name"));
    parts.push_back(std::move(part.name));
    if (!Peek().IsPunctuation(".") || !IsNameToken(Peek(1))) break;
    Next();
  }
  if (!Peek().IsPunctuation("(")) return MakeExpr(pos, AstColumnRef{std::move(parts)}, 0);
  std::string name = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) name += "." + parts[i];
  return Call(pos, std::move(name));
}

Result<AstExprPtr> QueryParser::Call(AstPosition pos, std::string name) {
  Next();
  AstFunctionCall call;
  call.name = std::move(name);
  if (AcceptPunctuation("*")) {
    call.star = true;
  } else if (!Peek().IsPunctuation(")")) {
    if (call.name == "position") return Position(pos);
    call.distinct = AcceptKeyword("DISTINCT");
    if (!call.distinct) AcceptKeyword("ALL");
    TARN_ASSIGN_OR_RETURN(AstExprPtr first, Expression());
    call.args.push_back(std::move(first));
    if (call.name == "substring" && AcceptKeyword("FROM")) {
      // SUBSTRING(s FROM start [FOR length])
      TARN_ASSIGN_OR_RETURN(AstExprPtr start, Expression());
      call.args.push_back(std::move(start));
      if (AcceptKeyword("FOR")) {
        TARN_ASSIGN_OR_RETURN(AstExprPtr length, Expression());
        call.args.push_back(std::move(length));
      }
    }
    while (AcceptPunctuation(",")) {
      TARN_ASSIGN_OR_RETURN(AstExprPtr arg, Expression());
      call.args.push_back(std::move(arg));
    }
    if (Peek().IsKeyword("ORDER")) {
      return ErrorAt(Peek(), "ORDER BY in function arguments is not supported");
    }
  }
  TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  if (AcceptKeyword("FILTER")) {
    TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
    TARN_RETURN_IF_ERROR(ExpectKeyword("WHERE"));
    TARN_ASSIGN_OR_RETURN(call.filter, Expression());
    TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  }
  if (Peek().IsKeyword("OVER")) {
    return ErrorAt(Peek(), "window functions (OVER) are not supported");
  }
  const int height = std::max(Height(call.args), Height(call.filter));
  return MakeExpr(pos, std::move(call), height);
}

Result<AstExprPtr> QueryParser::Position(AstPosition pos) {
  AstFunctionCall call;
  call.name = "strpos";
  TARN_ASSIGN_OR_RETURN(AstExprPtr needle, Value(1));
  TARN_RETURN_IF_ERROR(ExpectKeyword("IN"));
  TARN_ASSIGN_OR_RETURN(AstExprPtr haystack, Value(1));
  TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  call.args.push_back(std::move(haystack));
  call.args.push_back(std::move(needle));
  const int height = Height(call.args);
  return MakeExpr(pos, std::move(call), height);
}

Result<AstExprPtr> QueryParser::Trim(AstPosition pos) {
  Next();
  TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
  AstFunctionCall call;
  call.name = "trim";
  const bool has_spec =
      (Peek().IsKeyword("BOTH") || Peek().IsKeyword("LEADING") || Peek().IsKeyword("TRAILING")) &&
      !Peek(1).IsPunctuation(")") && !Peek(1).IsPunctuation(",");
  if (has_spec) {
    if (Peek().IsKeyword("LEADING")) call.name = "ltrim";
    if (Peek().IsKeyword("TRAILING")) call.name = "rtrim";
    Next();
  }
  AstExprPtr source, chars;
  if (!(has_spec && AcceptKeyword("FROM"))) {
    TARN_ASSIGN_OR_RETURN(AstExprPtr first, Value(1));
    if (AcceptKeyword("FROM")) {
      chars = std::move(first);
    } else if (has_spec) {
      return Expected("FROM");
    } else {
      source = std::move(first);
      if (AcceptPunctuation(",")) {
        TARN_ASSIGN_OR_RETURN(chars, Value(1));
      }
    }
  }
  if (source == nullptr) {
    TARN_ASSIGN_OR_RETURN(source, Value(1));
  }
  TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  call.args.push_back(std::move(source));
  if (chars != nullptr) call.args.push_back(std::move(chars));
  const int height = Height(call.args);
  return MakeExpr(pos, std::move(call), height);
}

Result<AstExprPtr> QueryParser::Case(AstPosition pos) {
  AstCase node;
  if (!Peek().IsKeyword("WHEN")) {
    TARN_ASSIGN_OR_RETURN(node.operand, Expression());
  }
  int height = Height(node.operand);
  while (AcceptKeyword("WHEN")) {
    AstWhen when;
    TARN_ASSIGN_OR_RETURN(when.condition, Expression());
    TARN_RETURN_IF_ERROR(ExpectKeyword("THEN"));
    TARN_ASSIGN_OR_RETURN(when.result, Expression());
    height = std::max({height, Height(when.condition), Height(when.result)});
    node.whens.push_back(std::move(when));
  }
  if (node.whens.empty()) return Expected("WHEN");
  if (AcceptKeyword("ELSE")) {
    TARN_ASSIGN_OR_RETURN(node.else_result, Expression());
    height = std::max(height, Height(node.else_result));
  }
  if (!AcceptKeyword("END")) return Expected(node.else_result ? "END" : "WHEN, ELSE or END");
  return MakeExpr(pos, std::move(node), height);
}

Result<AstExprPtr> QueryParser::Cast(AstPosition pos, bool is_try) {
  TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
  AstCast cast;
  cast.is_try = is_try;
  TARN_ASSIGN_OR_RETURN(cast.operand, Expression());
  TARN_RETURN_IF_ERROR(ExpectKeyword("AS"));
  TARN_ASSIGN_OR_RETURN(cast.type, Type());
  TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  const int height = Height(cast.operand);
  return MakeExpr(pos, std::move(cast), height);
}

Result<AstExprPtr> QueryParser::Extract(AstPosition pos) {
  TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
  const Token& field = Peek();
  if (field.kind != TokenKind::kWord) return Expected("a field name (YEAR, MONTH, DAY, ...)");
  if (!IsAnyKeyword(field, kExtractFields)) {
    return ErrorAt(field, fmt::format("invalid EXTRACT field '{}'", field.text));
  }
  Next();
  AstExtract extract;
  extract.field = Lower(field.text);
  TARN_RETURN_IF_ERROR(ExpectKeyword("FROM"));
  TARN_ASSIGN_OR_RETURN(extract.operand, Value(1));
  TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
  const int height = Height(extract.operand);
  return MakeExpr(pos, std::move(extract), height);
}

Result<int> QueryParser::TypeParameter() {
  const Token& token = Peek();
  int value = 0;
  const char* end = token.text.data() + token.text.size();
  if (token.kind != TokenKind::kNumber ||
      std::from_chars(token.text.data(), end, value).ptr != end) {
    return Expected("a type parameter (an integer)");
  }
  Next();
  return value;
}

Result<AstType> QueryParser::Type() {
  const Token& first = Peek();
  Nesting nesting(*this);
  TARN_RETURN_IF_ERROR(nesting.Check(At(first)));
  if (first.kind != TokenKind::kWord) return Expected("a type");
  Next();
  AstType type;
  type.pos = At(first);
  const std::string word = Lower(first.text);
  using formats::DataType;
  using formats::TypeKind;
  auto simple = [&](TypeKind kind, std::string text) {
    type.type = DataType::Of(kind);
    type.text = std::move(text);
  };
  if (word == "boolean") {
    simple(TypeKind::kBoolean, word);
  } else if (word == "tinyint") {
    simple(TypeKind::kTinyInt, word);
  } else if (word == "smallint") {
    simple(TypeKind::kSmallInt, word);
  } else if (word == "integer" || word == "int") {
    simple(TypeKind::kInt, "integer");
  } else if (word == "bigint") {
    simple(TypeKind::kBigInt, word);
  } else if (word == "real") {
    simple(TypeKind::kFloat, word);
  } else if (word == "double") {
    AcceptKeyword("PRECISION");
    simple(TypeKind::kDouble, word);
  } else if (word == "date") {
    simple(TypeKind::kDate, word);
  } else if (word == "json") {
    simple(TypeKind::kString, word);
  } else if (word == "varbinary") {
    simple(TypeKind::kBinary, word);
  } else if (word == "decimal") {
    int precision = 38, scale = 0;
    if (AcceptPunctuation("(")) {
      TARN_ASSIGN_OR_RETURN(precision, TypeParameter());
      if (AcceptPunctuation(",")) {
        TARN_ASSIGN_OR_RETURN(scale, TypeParameter());
      }
      TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
    }
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
      return ErrorAt(first, fmt::format("invalid type decimal({},{}): precision must be 1 to "
                                        "38 and scale 0 to the precision",
                                        precision, scale));
    }
    type.type = DataType::Decimal(precision, scale);
    type.text = fmt::format("decimal({},{})", precision, scale);
  } else if (word == "varchar" || word == "char") {
    const bool is_char = word == "char";
    simple(is_char ? TypeKind::kChar : TypeKind::kString, word);
    int length = is_char ? 1 : 0;
    if (AcceptPunctuation("(")) {
      TARN_ASSIGN_OR_RETURN(length, TypeParameter());
      TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
      if (length < 1) return ErrorAt(first, fmt::format("invalid type {}({})", word, length));
      if (!is_char) type.type.kind = TypeKind::kVarchar;
      type.text = fmt::format("{}({})", word, length);
    }
    type.type.length = length;
  } else if (word == "timestamp") {
    simple(TypeKind::kTimestamp, word);
    if (AcceptPunctuation("(")) {
      TARN_ASSIGN_OR_RETURN(int precision, TypeParameter());
      TARN_RETURN_IF_ERROR(ExpectPunctuation(")"));
      if (precision > 12) {
        return ErrorAt(first, fmt::format("invalid type timestamp({}): precision must be 0 to "
                                          "12",
                                          precision));
      }
      type.text = fmt::format("timestamp({})", precision);
    }
    if (AcceptKeyword("WITH")) {
      return ErrorAt(first, "timestamp with time zone is not supported");
    }
    if (AcceptKeyword("WITHOUT")) {
      TARN_RETURN_IF_ERROR(ExpectKeyword("TIME"));
      TARN_RETURN_IF_ERROR(ExpectKeyword("ZONE"));
    }
  } else if (word == "array" || word == "map" || word == "row") {
    TARN_RETURN_IF_ERROR(NestedType(word, type));
  } else {
    return ErrorAt(first, fmt::format("Unknown type: {}", first.text));
  }
  return type;
}

Status QueryParser::NestedType(const std::string& word, AstType& type) {
  const bool angle = word != "row" && Peek().IsPunctuation("<");
  if (!angle) TARN_RETURN_IF_ERROR(ExpectPunctuation("("));
  if (angle) Next();
  std::vector<formats::Field> fields;
  std::vector<std::string> texts;
  do {
    formats::Field field;
    std::string text;
    if (word == "row" && IsNameToken(Peek()) && !Peek(1).IsPunctuation(",") &&
        !Peek(1).IsPunctuation(")") && !Peek(1).IsPunctuation("(")) {
      TARN_ASSIGN_OR_RETURN(AstName name, Name("a field name"));
      field.name = name.name;
      text = QuoteIdentifier(name.name) + " ";
    }
    TARN_ASSIGN_OR_RETURN(AstType element, Type());
    field.type = std::move(element.type);
    texts.push_back(text + element.text);
    fields.push_back(std::move(field));
  } while (AcceptPunctuation(","));
  TARN_RETURN_IF_ERROR(ExpectPunctuation(angle ? ">" : ")"));
  const size_t wanted = word == "array" ? 1 : word == "map" ? 2 : fields.size();
  if (fields.size() != wanted) {
    return ErrorAt(Peek(), fmt::format("{} takes {} type parameter{}, found {}", word, wanted,
                                       wanted == 1 ? "" : "s", fields.size()));
  }
  using formats::DataType;
  if (word == "array") {
    type.type = DataType::Array(std::move(fields[0].type));
  } else if (word == "map") {
    type.type = DataType::Map(std::move(fields[0].type), std::move(fields[1].type));
  } else {
    type.type = DataType::Struct(std::move(fields));
  }
  type.text = word + "(";
  for (size_t i = 0; i < texts.size(); ++i) type.text += (i ? "," : "") + texts[i];
  type.text += ")";
  return Status::Ok();
}

}  // namespace tarn::sql::internal
