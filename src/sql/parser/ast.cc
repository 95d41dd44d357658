#include "sql/parser/ast.h"

#include <fmt/format.h>

#include <string_view>

namespace tarn::sql {
namespace {

std::string QuoteString(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

std::string Dotted(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += '.';
    text += QuoteIdentifier(part);
  }
  return text;
}

// A dotted function name with each part quoted as needed.
std::string DottedName(std::string_view name) {
  std::string text;
  for (size_t start = 0;;) {
    const size_t dot = name.find('.', start);
    text += QuoteIdentifier(name.substr(start, dot - start));
    if (dot == std::string_view::npos) return text;
    text += '.';
    start = dot + 1;
  }
}

std::string NameList(const std::vector<AstName>& names) {
  std::string text = "(";
  for (size_t i = 0; i < names.size(); ++i)
    text += (i ? ", " : "") + QuoteIdentifier(names[i].display);
  return text + ")";
}

const char* BinaryOpText(AstBinaryOp op) {
  switch (op) {
    case AstBinaryOp::kOr:
      return "OR";
    case AstBinaryOp::kAnd:
      return "AND";
    case AstBinaryOp::kEqual:
      return "=";
    case AstBinaryOp::kNotEqual:
      return "<>";
    case AstBinaryOp::kLess:
      return "<";
    case AstBinaryOp::kLessEqual:
      return "<=";
    case AstBinaryOp::kGreater:
      return ">";
    case AstBinaryOp::kGreaterEqual:
      return ">=";
    case AstBinaryOp::kIsDistinctFrom:
      return "IS DISTINCT FROM";
    case AstBinaryOp::kIsNotDistinctFrom:
      return "IS NOT DISTINCT FROM";
    case AstBinaryOp::kAdd:
      return "+";
    case AstBinaryOp::kSubtract:
      return "-";
    case AstBinaryOp::kMultiply:
      return "*";
    case AstBinaryOp::kDivide:
      return "/";
    case AstBinaryOp::kModulo:
      return "%";
    case AstBinaryOp::kConcat:
      return "||";
  }
  return "?";
}

// Prints trees as SQL; one method per node family.
class Printer {
 public:
  std::string Expr(const AstExpr& expr) {
    return std::visit([this](const auto& node) { return Node(node); }, expr.node);
  }

  std::string Query(const AstQuery& query) {
    std::string text;
    for (const AstWithQuery& with : query.with) {
      text += text.empty() ? "WITH " : ", ";
      text += QuoteIdentifier(with.name.display);
      if (!with.columns.empty()) text += NameList(with.columns);
      text += fmt::format(" AS ({})", Query(*with.query));
    }
    if (!text.empty()) text += " ";
    text += Body(*query.body);
    for (size_t i = 0; i < query.order_by.size(); ++i) {
      const AstOrderItem& item = query.order_by[i];
      text += (i ? ", " : " ORDER BY ") + Expr(*item.expr);
      if (item.descending) text += " DESC";
      if (item.nulls == AstNullsOrder::kFirst) text += " NULLS FIRST";
      if (item.nulls == AstNullsOrder::kLast) text += " NULLS LAST";
    }
    if (query.offset) text += fmt::format(" OFFSET {}", *query.offset);
    if (query.limit) text += fmt::format(" LIMIT {}", *query.limit);
    return text;
  }

  std::string Relation(const AstRelation& relation, bool nested = false) {
    std::string text;
    if (const auto* table = relation.As<AstTableRef>()) {
      if (!table->catalog.empty()) text += QuoteIdentifier(table->catalog) + ".";
      if (!table->database.empty()) text += QuoteIdentifier(table->database) + ".";
      text += QuoteIdentifier(table->name);
    } else if (const auto* subquery = relation.As<AstSubqueryRelation>()) {
      text = fmt::format("({})", Query(*subquery->query));
    } else if (const auto* unnest = relation.As<AstUnnest>()) {
      text = fmt::format("UNNEST({})", List(unnest->args));
      if (unnest->with_ordinality) text += " WITH ORDINALITY";
    } else if (const auto* join = relation.As<AstJoin>()) {
      static constexpr const char* kJoins[] = {" INNER JOIN ", " LEFT JOIN ", " RIGHT JOIN ",
                                               " FULL JOIN ", " CROSS JOIN "};
      text = Relation(*join->left) + kJoins[static_cast<int>(join->type)] +
             Relation(*join->right, true);
      if (join->on) text += fmt::format(" ON {}", Expr(*join->on));
      if (!join->using_columns.empty()) {
        text += fmt::format(" USING {}", NameList(join->using_columns));
      }
      if (nested || !relation.alias.empty()) text = fmt::format("({})", text);
    }
    if (!relation.alias.empty()) {
      text += fmt::format(" AS {}", QuoteIdentifier(relation.alias.display));
    }
    if (!relation.column_aliases.empty()) text += NameList(relation.column_aliases);
    return text;
  }

 private:
  std::string List(const std::vector<AstExprPtr>& exprs) {
    std::string text;
    for (size_t i = 0; i < exprs.size(); ++i) text += (i ? ", " : "") + Expr(*exprs[i]);
    return text;
  }

  std::string Body(const AstQueryBody& body) {
    if (const auto* select = body.As<AstSelect>()) return Select(*select);
    if (const auto* nested = body.As<AstNestedQuery>()) {
      return fmt::format("({})", Query(*nested->query));
    }
    if (const auto* values = body.As<AstValues>()) {
      std::string text = "VALUES ";
      for (size_t i = 0; i < values->rows.size(); ++i) {
        const auto& row = values->rows[i];
        text += i ? ", " : "";
        text += row.size() == 1 ? List(row) : fmt::format("({})", List(row));
      }
      return text;
    }
    const auto& operation = std::get<AstSetOperation>(body.node);
    static constexpr const char* kOperations[] = {" UNION ", " INTERSECT ", " EXCEPT "};
    return Body(*operation.left) + kOperations[static_cast<int>(operation.kind)] +
           (operation.all ? "ALL " : "") + Body(*operation.right);
  }

  std::string Select(const AstSelect& select) {
    std::string text = select.distinct ? "SELECT DISTINCT " : "SELECT ";
    for (size_t i = 0; i < select.items.size(); ++i) {
      const AstSelectItem& item = select.items[i];
      text += i ? ", " : "";
      if (item.star) {
        text += item.qualifier.empty() ? "*" : Dotted(item.qualifier) + ".*";
        continue;
      }
      text += Expr(*item.expr);
      if (!item.alias.empty()) text += fmt::format(" AS {}", QuoteIdentifier(item.alias.display));
    }
    for (size_t i = 0; i < select.from.size(); ++i) {
      text += (i ? ", " : " FROM ") + Relation(*select.from[i]);
    }
    if (select.where) text += fmt::format(" WHERE {}", Expr(*select.where));
    if (!select.group_by.empty()) text += fmt::format(" GROUP BY {}", List(select.group_by));
    if (select.having) text += fmt::format(" HAVING {}", Expr(*select.having));
    return text;
  }

  std::string Node(const AstLiteral& literal) {
    switch (literal.kind) {
      case AstLiteralKind::kNull:
        return "NULL";
      case AstLiteralKind::kBoolean:
        return literal.boolean ? "TRUE" : "FALSE";
      case AstLiteralKind::kInteger:
      case AstLiteralKind::kBigint:
        return std::to_string(literal.integer);
      case AstLiteralKind::kDecimal:
      case AstLiteralKind::kDouble:
        return literal.text;
      case AstLiteralKind::kString:
        return QuoteString(literal.text);
      case AstLiteralKind::kBinary:
        return fmt::format("X{}", QuoteString(literal.text));
      case AstLiteralKind::kDate:
        return fmt::format("DATE {}", QuoteString(literal.text));
      case AstLiteralKind::kTimestamp:
        return fmt::format("TIMESTAMP {}", QuoteString(literal.text));
      case AstLiteralKind::kInterval: {
        std::string text = literal.interval_negative ? "INTERVAL - " : "INTERVAL ";
        text += fmt::format("{} {}", QuoteString(literal.text),
                            IntervalFieldName(literal.interval_from));
        if (literal.interval_to != literal.interval_from) {
          text += std::string(" TO ") + IntervalFieldName(literal.interval_to);
        }
        return text;
      }
    }
    return "?";
  }
  std::string Node(const AstColumnRef& ref) { return Dotted(ref.parts); }
  std::string Node(const AstUnary& unary) {
    static constexpr const char* kOps[] = {"NOT ", "- ", "+ "};
    return fmt::format("({}{})", kOps[static_cast<int>(unary.op)], Expr(*unary.operand));
  }
  std::string Node(const AstBinary& binary) {
    return fmt::format("({} {} {})", Expr(*binary.left), BinaryOpText(binary.op),
                       Expr(*binary.right));
  }
  std::string Node(const AstIsNull& is_null) {
    return fmt::format("({} IS {}NULL)", Expr(*is_null.operand), is_null.negated ? "NOT " : "");
  }
  std::string Node(const AstBetween& between) {
    return fmt::format("({}{} BETWEEN {} AND {})", Expr(*between.operand),
                       between.negated ? " NOT" : "", Expr(*between.low), Expr(*between.high));
  }
  std::string Node(const AstInList& in) {
    return fmt::format("({}{} IN ({}))", Expr(*in.operand), in.negated ? " NOT" : "",
                       List(in.list));
  }
  std::string Node(const AstInSubquery& in) {
    return fmt::format("({}{} IN ({}))", Expr(*in.operand), in.negated ? " NOT" : "",
                       Query(*in.query));
  }
  std::string Node(const AstLike& like) {
    return fmt::format("({}{} LIKE {}{}{})", Expr(*like.operand), like.negated ? " NOT" : "",
                       Expr(*like.pattern), like.escape ? " ESCAPE " : "",
                       like.escape ? Expr(*like.escape) : "");
  }
  std::string Node(const AstFunctionCall& call) {
    if (call.bare && call.args.empty()) return call.name;
    // Bare names (current_timestamp(3)) and trim(s) are reserved words that read back as the
    // same call through their own syntax.
    std::string text = call.bare || call.name == "trim" ? call.name : DottedName(call.name);
    text += "(";
    if (call.star) text += "*";
    if (call.distinct) text += "DISTINCT ";
    text += List(call.args) + ")";
    if (call.filter) text += fmt::format(" FILTER (WHERE {})", Expr(*call.filter));
    return text;
  }
  std::string Node(const AstCast& cast) {
    return std::string(cast.is_try ? "TRY_CAST(" : "CAST(") + Expr(*cast.operand) + " AS " +
           cast.type.text + ")";
  }
  std::string Node(const AstCase& node) {
    std::string text = "CASE";
    if (node.operand) text += fmt::format(" {}", Expr(*node.operand));
    for (const AstWhen& when : node.whens) {
      text += fmt::format(" WHEN {} THEN {}", Expr(*when.condition), Expr(*when.result));
    }
    if (node.else_result) text += fmt::format(" ELSE {}", Expr(*node.else_result));
    return text + " END";
  }
  std::string Node(const AstExtract& extract) {
    return fmt::format("EXTRACT({} FROM {})", extract.field, Expr(*extract.operand));
  }
  std::string Node(const AstSubscript& subscript) {
    return fmt::format("{}[{}]", Expr(*subscript.base), Expr(*subscript.index));
  }
  std::string Node(const AstDereference& dereference) {
    // Parenthesized, so that the text does not read back as a column reference.
    return fmt::format("({}).{}", Expr(*dereference.base),
                       QuoteIdentifier(dereference.field.display));
  }
  std::string Node(const AstArray& array) { return fmt::format("ARRAY[{}]", List(array.elements)); }
  std::string Node(const AstSubquery& subquery) {
    return fmt::format("({})", Query(*subquery.query));
  }
  std::string Node(const AstExists& exists) {
    return fmt::format("EXISTS ({})", Query(*exists.query));
  }
};

}  // namespace

bool IsReservedWord(std::string_view word) {
  // Trino's reserved words (docs: language/reserved).
  static constexpr std::string_view kReservedWords[] = {"ALTER",        "AND",
                                                        "AS",           "BETWEEN",
                                                        "BY",           "CASE",
                                                        "CAST",         "CONSTRAINT",
                                                        "CREATE",       "CROSS",
                                                        "CUBE",         "CURRENT_CATALOG",
                                                        "CURRENT_DATE", "CURRENT_PATH",
                                                        "CURRENT_ROLE", "CURRENT_SCHEMA",
                                                        "CURRENT_TIME", "CURRENT_TIMESTAMP",
                                                        "CURRENT_USER", "DEALLOCATE",
                                                        "DELETE",       "DESCRIBE",
                                                        "DISTINCT",     "DROP",
                                                        "ELSE",         "END",
                                                        "ESCAPE",       "EXCEPT",
                                                        "EXECUTE",      "EXISTS",
                                                        "EXTRACT",      "FALSE",
                                                        "FOR",          "FROM",
                                                        "FULL",         "GROUP",
                                                        "GROUPING",     "HAVING",
                                                        "IN",           "INNER",
                                                        "INSERT",       "INTERSECT",
                                                        "INTO",         "IS",
                                                        "JOIN",         "JSON_ARRAY",
                                                        "JSON_EXISTS",  "JSON_OBJECT",
                                                        "JSON_QUERY",   "JSON_TABLE",
                                                        "JSON_VALUE",   "LEFT",
                                                        "LIKE",         "LISTAGG",
                                                        "LOCALTIME",    "LOCALTIMESTAMP",
                                                        "NATURAL",      "NORMALIZE",
                                                        "NOT",          "NULL",
                                                        "ON",           "OR",
                                                        "ORDER",        "OUTER",
                                                        "PREPARE",      "RECURSIVE",
                                                        "RIGHT",        "ROLLUP",
                                                        "SELECT",       "SKIP",
                                                        "TABLE",        "THEN",
                                                        "TRIM",         "TRUE",
                                                        "UESCAPE",      "UNION",
                                                        "UNNEST",       "USING",
                                                        "VALUES",       "WHEN",
                                                        "WHERE",        "WITH"};
  for (std::string_view reserved : kReservedWords) {
    if (reserved.size() != word.size()) continue;
    bool same = true;
    for (size_t i = 0; i < word.size() && same; ++i) {
      const char c = word[i];
      same = (c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) == reserved[i];
    }
    if (same) return true;
  }
  return false;
}

std::string QuoteIdentifier(std::string_view name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  // `interval`, `array` and `all` could read back as the start of a literal, a constructor or
  // a quantifier (SELECT ALL, count(ALL x)).
  if (plain && (IsReservedWord(name) || name == "interval" || name == "array" || name == "all")) {
    plain = false;
  }
  if (plain) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

const char* IntervalFieldName(AstIntervalField field) {
  static constexpr const char* kNames[] = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
  return kNames[static_cast<int>(field)];
}

std::string ToString(const AstExpr& expr) { return Printer().Expr(expr); }
std::string ToString(const AstRelation& relation) { return Printer().Relation(relation); }
std::string ToString(const AstQuery& query) { return Printer().Query(query); }

}  // namespace tarn::sql
