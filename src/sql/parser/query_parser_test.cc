#include "sql/parser/query_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace tarn::sql {
namespace {

using formats::TypeKind;

// The fully parenthesized text of the expression `sql` ("" after a test failure).
std::string Expr(std::string_view sql) {
  auto expr = ParseExpression(sql);
  EXPECT_TRUE(expr.ok()) << sql << ": " << expr.status().ToString();
  return expr.ok() ? ToString(**expr) : "";
}

AstExprPtr ParseExpr(std::string_view sql) {
  auto expr = ParseExpression(sql);
  EXPECT_TRUE(expr.ok()) << sql << ": " << expr.status().ToString();
  return expr.ok() ? std::move(*expr) : nullptr;
}

AstQuery Parse(std::string_view sql) {
  auto query = ParseQuery(sql);
  EXPECT_TRUE(query.ok()) << sql << ": " << query.status().ToString();
  return query.ok() ? std::move(*query) : AstQuery{};
}

std::string Text(std::string_view sql) {
  auto query = ParseQuery(sql);
  EXPECT_TRUE(query.ok()) << sql << ": " << query.status().ToString();
  return query.ok() ? ToString(*query) : "";
}

std::string ErrorOf(std::string_view sql) {
  auto query = ParseQuery(sql);
  EXPECT_FALSE(query.ok()) << sql << " parsed as " << (query.ok() ? ToString(*query) : "");
  EXPECT_EQ(query.status().code(), StatusCode::kInvalidArgument);
  return query.status().message();
}

std::string ExprErrorOf(std::string_view sql) {
  auto expr = ParseExpression(sql);
  EXPECT_FALSE(expr.ok()) << sql;
  return expr.status().message();
}

const AstSelect& SelectOf(const AstQuery& query) {
  static const AstSelect kEmpty;
  const AstSelect* select = query.body ? query.body->As<AstSelect>() : nullptr;
  EXPECT_NE(select, nullptr);
  return select != nullptr ? *select : kEmpty;
}

// A copy of the literal `expr` holds (a default one after a test failure).
AstLiteral LiteralOf(const AstExprPtr& expr) {
  const AstLiteral* literal = expr ? expr->As<AstLiteral>() : nullptr;
  EXPECT_NE(literal, nullptr);
  return literal != nullptr ? *literal : AstLiteral{};
}

// ---- Precedence.

TEST(QueryParserTest, AndBindsTighterThanOr) {
  EXPECT_EQ(Expr("a OR b AND c"), "(a OR (b AND c))");
  EXPECT_EQ(Expr("a AND b OR c"), "((a AND b) OR c)");
}

TEST(QueryParserTest, NotBindsLooserThanComparisonTighterThanAnd) {
  EXPECT_EQ(Expr("NOT a = b"), "(NOT (a = b))");
  EXPECT_EQ(Expr("NOT a AND b"), "((NOT a) AND b)");
  EXPECT_EQ(Expr("NOT NOT a"), "(NOT (NOT a))");
}

TEST(QueryParserTest, ArithmeticPrecedenceAndAssociativity) {
  EXPECT_EQ(Expr("a + b * c - d"), "((a + (b * c)) - d)");
  EXPECT_EQ(Expr("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(Expr("a / b % c * d"), "(((a / b) % c) * d)");
  EXPECT_EQ(Expr("(a + b) * c"), "((a + b) * c)");
}

TEST(QueryParserTest, UnaryMinusBindsTighterThanMultiplication) {
  EXPECT_EQ(Expr("-x * y"), "((- x) * y)");
  EXPECT_EQ(Expr("- -x"), "(- (- x))");
  EXPECT_EQ(Expr("-a.b[1]"), "(- a.b[1])");
  EXPECT_EQ(Expr("a - -1"), "(a - -1)");
}

TEST(QueryParserTest, ConcatBindsLooserThanArithmeticTighterThanComparison) {
  EXPECT_EQ(Expr("a || b = c"), "((a || b) = c)");
  EXPECT_EQ(Expr("a || b + c"), "(a || (b + c))");
}

TEST(QueryParserTest, BetweenTakesValuesNotConjunctions) {
  EXPECT_EQ(Expr("a BETWEEN 1 AND 2 AND b"), "((a BETWEEN 1 AND 2) AND b)");
  EXPECT_EQ(Expr("a NOT BETWEEN b + 1 AND c"), "(a NOT BETWEEN (b + 1) AND c)");
}

TEST(QueryParserTest, OnePredicatePerOperandAsInTrino) {
  EXPECT_NE(ExprErrorOf("a = b = c")
                .find("column 7: expected an operator or end of expression, "
                      "found '='"),
            std::string::npos);
  EXPECT_EQ(Expr("(a = b) = c"), "((a = b) = c)");
}

// ---- Predicates.

TEST(QueryParserTest, NullAndDistinctPredicates) {
  EXPECT_EQ(Expr("a IS NULL"), "(a IS NULL)");
  EXPECT_EQ(Expr("a + 1 IS NOT NULL"), "((a + 1) IS NOT NULL)");
  EXPECT_EQ(Expr("a IS DISTINCT FROM b"), "(a IS DISTINCT FROM b)");
  EXPECT_EQ(Expr("a IS NOT DISTINCT FROM b"), "(a IS NOT DISTINCT FROM b)");
}

TEST(QueryParserTest, InListAndInSubquery) {
  EXPECT_EQ(Expr("a IN (1, 2, 3)"), "(a IN (1, 2, 3))");
  EXPECT_EQ(Expr("a NOT IN ('x')"), "(a NOT IN ('x'))");
  AstExprPtr in = ParseExpr("a NOT IN (SELECT b FROM t)");
  ASSERT_NE(in, nullptr);
  const auto* subquery = in->As<AstInSubquery>();
  ASSERT_NE(subquery, nullptr);
  EXPECT_TRUE(subquery->negated);
  EXPECT_EQ(ToString(*subquery->query), "SELECT b FROM t");
}

TEST(QueryParserTest, LikeWithEscape) {
  EXPECT_EQ(Expr("name LIKE 'a%'"), "(name LIKE 'a%')");
  EXPECT_EQ(Expr("name NOT LIKE 'a!%%' ESCAPE '!'"), "(name NOT LIKE 'a!%%' ESCAPE '!')");
}

// ---- Literals.

TEST(QueryParserTest, IntegerLiteralsAreIntegerOrBigintBySize) {
  EXPECT_EQ(LiteralOf(ParseExpr("2147483647")).kind, AstLiteralKind::kInteger);
  EXPECT_EQ(LiteralOf(ParseExpr("2147483648")).kind, AstLiteralKind::kBigint);
  EXPECT_EQ(LiteralOf(ParseExpr("-2147483648")).kind, AstLiteralKind::kInteger);
  const AstLiteral min = LiteralOf(ParseExpr("-9223372036854775808"));
  EXPECT_EQ(min.kind, AstLiteralKind::kBigint);
  EXPECT_EQ(min.integer, std::numeric_limits<int64_t>::min());
}

TEST(QueryParserTest, IntegerLiteralBeyondBigintIsAnError) {
  EXPECT_EQ(ExprErrorOf("1 + 9223372036854775808"),
            "syntax error at line 1, column 5: invalid numeric literal 9223372036854775808: out "
            "of range for bigint");
}

TEST(QueryParserTest, DecimalAndDoubleLiterals) {
  const AstLiteral decimal = LiteralOf(ParseExpr("1.50"));
  EXPECT_EQ(decimal.kind, AstLiteralKind::kDecimal);
  EXPECT_EQ(decimal.text, "1.50");
  EXPECT_EQ(LiteralOf(ParseExpr("-.5")).text, "-.5");
  const AstLiteral real = LiteralOf(ParseExpr("1.5e3"));
  EXPECT_EQ(real.kind, AstLiteralKind::kDouble);
  EXPECT_DOUBLE_EQ(real.real, 1500.0);
}

TEST(QueryParserTest, StringBooleanNullLiterals) {
  const AstLiteral text = LiteralOf(ParseExpr("'it''s'"));
  EXPECT_EQ(text.kind, AstLiteralKind::kString);
  EXPECT_EQ(text.text, "it's");
  EXPECT_TRUE(LiteralOf(ParseExpr("TRUE")).boolean);
  EXPECT_EQ(LiteralOf(ParseExpr("false")).kind, AstLiteralKind::kBoolean);
  EXPECT_EQ(LiteralOf(ParseExpr("NULL")).kind, AstLiteralKind::kNull);
  EXPECT_EQ(Expr("'it''s'"), "'it''s'");
}

TEST(QueryParserTest, DateTimestampAndBinaryLiterals) {
  const AstLiteral date = LiteralOf(ParseExpr("DATE '2023-06-01'"));
  EXPECT_EQ(date.kind, AstLiteralKind::kDate);
  EXPECT_EQ(date.text, "2023-06-01");
  EXPECT_EQ(LiteralOf(ParseExpr("timestamp '2023-06-18 14:27:52.000000'")).kind,
            AstLiteralKind::kTimestamp);
  EXPECT_EQ(LiteralOf(ParseExpr("X'0aFF'")).kind, AstLiteralKind::kBinary);
  EXPECT_EQ(Expr("date('2023-06-01')"), "date('2023-06-01')");  // A call, not a literal.
}

TEST(QueryParserTest, IntervalLiterals) {
  const AstLiteral days = LiteralOf(ParseExpr("INTERVAL '3' DAY"));
  EXPECT_EQ(days.kind, AstLiteralKind::kInterval);
  EXPECT_EQ(days.text, "3");
  EXPECT_EQ(days.interval_from, AstIntervalField::kDay);
  EXPECT_EQ(days.interval_to, AstIntervalField::kDay);
  const AstLiteral span = LiteralOf(ParseExpr("INTERVAL -'1-2' YEAR TO MONTH"));
  EXPECT_TRUE(span.interval_negative);
  EXPECT_EQ(span.interval_to, AstIntervalField::kMonth);
  EXPECT_EQ(Expr("tstamp + INTERVAL '1' HOUR"), "(tstamp + INTERVAL '1' HOUR)");
  EXPECT_NE(ExprErrorOf("INTERVAL '1' WEEK")
                .find("expected YEAR, MONTH, DAY, HOUR, MINUTE or "
                      "SECOND, found 'WEEK'"),
            std::string::npos);
}

TEST(QueryParserTest, TypedLiteralsAreCasts) {
  EXPECT_EQ(Expr("BIGINT '5'"), "CAST('5' AS bigint)");
  EXPECT_EQ(Expr("JSON '{}'"), "CAST('{}' AS json)");
}

// ---- Names.

TEST(QueryParserTest, ColumnReferencesAreLowerCasedParts) {
  AstExprPtr ref = ParseExpr("Db.T.\"Col\"");
  ASSERT_NE(ref, nullptr);
  ASSERT_TRUE(ref->Is<AstColumnRef>());
  EXPECT_EQ(ref->As<AstColumnRef>()->parts, (std::vector<std::string>{"db", "t", "col"}));
}

TEST(QueryParserTest, PathPseudoColumnIsAQuotedName) {
  AstExprPtr ref = ParseExpr("\"$path\"");
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(ref->As<AstColumnRef>()->parts, (std::vector<std::string>{"$path"}));
  EXPECT_EQ(ToString(*ref), "\"$path\"");
}

TEST(QueryParserTest, ReservedWordsAreNamesOnlyWhenQuoted) {
  EXPECT_EQ(ErrorOf("SELECT from FROM t"),
            "syntax error at line 1, column 8: expected an expression, found 'from'");
  EXPECT_EQ(Text("SELECT \"from\" FROM t"), "SELECT \"from\" FROM t");
  EXPECT_EQ(Text("SELECT day, name, \"date\" FROM t"), "SELECT day, name, date FROM t");
}

// ---- Function calls and special forms.

TEST(QueryParserTest, FunctionCalls) {
  EXPECT_EQ(Expr("COUNT(*)"), "count(*)");
  EXPECT_EQ(Expr("count(DISTINCT payload_md5)"), "count(DISTINCT payload_md5)");
  EXPECT_EQ(Expr("sum(x) FILTER (WHERE x > 0)"), "sum(x) FILTER (WHERE (x > 0))");
  EXPECT_EQ(Expr("json_extract_scalar(payload, '$.session_id')"),
            "json_extract_scalar(payload, '$.session_id')");
  EXPECT_EQ(Expr("now()"), "now()");
  EXPECT_EQ(Expr("TRY(a / b)"), "try((a / b))");
  EXPECT_EQ(Expr("IF(a, b, c)"), "if(a, b, c)");
  EXPECT_EQ(Expr("coalesce(a, nullif(b, 0))"), "coalesce(a, nullif(b, 0))");
}

TEST(QueryParserTest, BareDateTimeFunctions) {
  AstExprPtr today = ParseExpr("CURRENT_DATE");
  ASSERT_NE(today, nullptr);
  const auto* call = today->As<AstFunctionCall>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->name, "current_date");
  EXPECT_TRUE(call->bare);
  EXPECT_EQ(Expr("current_timestamp - localtimestamp"), "(current_timestamp - localtimestamp)");
  EXPECT_EQ(Expr("CURRENT_TIMESTAMP(3)"), "current_timestamp(3)");
}

TEST(QueryParserTest, SpecialSyntaxBecomesCalls) {
  EXPECT_EQ(Expr("ts AT TIME ZONE 'UTC'"), "at_timezone(ts, 'UTC')");
  EXPECT_EQ(Expr("position('a' IN s)"), "strpos(s, 'a')");
  EXPECT_EQ(Expr("substring(s FROM 2 FOR 3)"), "substring(s, 2, 3)");
  EXPECT_EQ(Expr("trim(s)"), "trim(s)");
  EXPECT_EQ(Expr("trim(LEADING 'x' FROM s)"), "ltrim(s, 'x')");
  EXPECT_EQ(Expr("trim(TRAILING FROM s)"), "rtrim(s)");
}

TEST(QueryParserTest, CastAndTryCast) {
  EXPECT_EQ(Expr("CAST(a AS VARCHAR)"), "CAST(a AS varchar)");
  AstExprPtr cast = ParseExpr("TRY_CAST(a AS decimal(10, 2))");
  ASSERT_NE(cast, nullptr);
  const auto* node = cast->As<AstCast>();
  ASSERT_NE(node, nullptr);
  EXPECT_TRUE(node->is_try);
  EXPECT_EQ(node->type.type, formats::DataType::Decimal(10, 2));
  EXPECT_EQ(node->type.text, "decimal(10,2)");
}

// The type text and engine type kind CAST(x AS <type>) gives.
std::pair<std::string, TypeKind> CastType(std::string_view type) {
  AstExprPtr cast = ParseExpr("CAST(x AS " + std::string(type) + ")");
  if (cast == nullptr || !cast->Is<AstCast>()) return {"", TypeKind::kString};
  const AstType& parsed = cast->As<AstCast>()->type;
  return {parsed.text, parsed.type.kind};
}

TEST(QueryParserTest, TrinoTypeNames) {
  using P = std::pair<std::string, TypeKind>;
  EXPECT_EQ(CastType("boolean"), (P{"boolean", TypeKind::kBoolean}));
  EXPECT_EQ(CastType("tinyint"), (P{"tinyint", TypeKind::kTinyInt}));
  EXPECT_EQ(CastType("SMALLINT"), (P{"smallint", TypeKind::kSmallInt}));
  EXPECT_EQ(CastType("int"), (P{"integer", TypeKind::kInt}));
  EXPECT_EQ(CastType("bigint"), (P{"bigint", TypeKind::kBigInt}));
  EXPECT_EQ(CastType("real"), (P{"real", TypeKind::kFloat}));
  EXPECT_EQ(CastType("double precision"), (P{"double", TypeKind::kDouble}));
  EXPECT_EQ(CastType("varchar(5)"), (P{"varchar(5)", TypeKind::kVarchar}));
  EXPECT_EQ(CastType("char(3)"), (P{"char(3)", TypeKind::kChar}));
  EXPECT_EQ(CastType("date"), (P{"date", TypeKind::kDate}));
  EXPECT_EQ(CastType("timestamp(3)"), (P{"timestamp(3)", TypeKind::kTimestamp}));
  EXPECT_EQ(CastType("json"), (P{"json", TypeKind::kString}));
  EXPECT_EQ(CastType("decimal"), (P{"decimal(38,0)", TypeKind::kDecimal}));
}

TEST(QueryParserTest, NestedTypes) {
  using P = std::pair<std::string, TypeKind>;
  EXPECT_EQ(CastType("array(bigint)"), (P{"array(bigint)", TypeKind::kArray}));
  EXPECT_EQ(CastType("map(varchar, array(integer))"),
            (P{"map(varchar,array(integer))", TypeKind::kMap}));
  AstExprPtr cast = ParseExpr("CAST(x AS row(a bigint, \"B\" varchar))");
  ASSERT_NE(cast, nullptr);
  const formats::DataType& row = cast->As<AstCast>()->type.type;
  ASSERT_EQ(row.kind, TypeKind::kStruct);
  ASSERT_EQ(row.children.size(), 2u);
  EXPECT_EQ(row.children[1].name, "b");
  EXPECT_EQ(row.children[1].type.kind, TypeKind::kString);
}

TEST(QueryParserTest, BadTypesAreNamed) {
  EXPECT_EQ(ExprErrorOf("CAST(x AS string)"),
            "syntax error at line 1, column 11: Unknown type: string");
  EXPECT_NE(ExprErrorOf("CAST(x AS decimal(40,2))").find("invalid type decimal(40,2)"),
            std::string::npos);
  EXPECT_NE(ExprErrorOf("CAST(x AS map(varchar))").find("map takes 2 type parameters, found 1"),
            std::string::npos);
}

TEST(QueryParserTest, CaseExpressions) {
  EXPECT_EQ(Expr("CASE WHEN a > 1 THEN 'x' WHEN a IS NULL THEN 'n' ELSE 'y' END"),
            "CASE WHEN (a > 1) THEN 'x' WHEN (a IS NULL) THEN 'n' ELSE 'y' END");
  EXPECT_EQ(Expr("CASE a WHEN 1 THEN 'one' END"), "CASE a WHEN 1 THEN 'one' END");
  EXPECT_NE(ExprErrorOf("CASE a END").find("expected WHEN, found 'END'"), std::string::npos);
}

TEST(QueryParserTest, ExtractSubscriptDereferenceArray) {
  EXPECT_EQ(Expr("EXTRACT(day_of_week FROM ts)"), "EXTRACT(day_of_week FROM ts)");
  EXPECT_NE(ExprErrorOf("EXTRACT(fortnight FROM ts)").find("invalid EXTRACT field 'fortnight'"),
            std::string::npos);
  EXPECT_EQ(Expr("split(s, ',')[1]"), "split(s, ',')[1]");
  AstExprPtr field = ParseExpr("f(x).name");
  ASSERT_NE(field, nullptr);
  EXPECT_TRUE(field->Is<AstDereference>());
  EXPECT_EQ(ToString(*field), "(f(x)).name");
  EXPECT_EQ(Expr("ARRAY[1, 2][1]"), "ARRAY[1, 2][1]");
}

TEST(QueryParserTest, ScalarSubqueryAndExists) {
  AstExprPtr scalar = ParseExpr("(SELECT max(a) FROM t) + 1");
  ASSERT_NE(scalar, nullptr);
  const auto* sum = scalar->As<AstBinary>();
  ASSERT_NE(sum, nullptr);
  EXPECT_TRUE(sum->left->Is<AstSubquery>());
  EXPECT_EQ(Expr("NOT EXISTS (SELECT 1 FROM t)"), "(NOT EXISTS (SELECT 1 FROM t))");
}

TEST(QueryParserTest, WindowFunctionsAreRefusedByName) {
  EXPECT_NE(ErrorOf("SELECT row_number() OVER (ORDER BY a) FROM t")
                .find("column 21: window functions (OVER) are not supported"),
            std::string::npos);
}

// ---- Queries.

TEST(QueryParserTest, SelectListAliasesAndPositions) {
  AstQuery query = Parse("SELECT a AS x, b y, COUNT(*), 1 AS \"Foo\", t.* FROM t");
  const AstSelect& select = SelectOf(query);
  ASSERT_EQ(select.items.size(), 5u);
  EXPECT_EQ(select.items[0].alias.name, "x");
  EXPECT_EQ(select.items[1].alias.name, "y");
  EXPECT_TRUE(select.items[2].alias.empty());
  EXPECT_EQ(select.items[2].index, 2);
  EXPECT_EQ(select.items[2].pos, (AstPosition{1, 21}));
  EXPECT_EQ(select.items[3].alias.name, "foo");
  EXPECT_EQ(select.items[3].alias.display, "Foo");
  EXPECT_TRUE(select.items[4].star);
  EXPECT_EQ(select.items[4].qualifier, (std::vector<std::string>{"t"}));
}

TEST(QueryParserTest, SelectClauses) {
  EXPECT_EQ(Text("select distinct a, sum(b) from db.t where a > 1 group by 1 having sum(b) > 2 "
                 "order by 2 desc nulls first, a limit 10"),
            "SELECT DISTINCT a, sum(b) FROM db.t WHERE (a > 1) GROUP BY 1 HAVING (sum(b) > 2) "
            "ORDER BY 2 DESC NULLS FIRST, a LIMIT 10");
  EXPECT_EQ(Text("SELECT ALL 1"), "SELECT 1");
}

TEST(QueryParserTest, OffsetLimitAndFetch) {
  AstQuery query = Parse("SELECT a FROM t OFFSET 5 ROWS LIMIT 10");
  EXPECT_EQ(query.offset, 5);
  EXPECT_EQ(query.limit, 10);
  EXPECT_EQ(Parse("SELECT a FROM t LIMIT 10 OFFSET 5").offset, 5);
  EXPECT_EQ(Parse("SELECT a FROM t FETCH FIRST 3 ROWS ONLY").limit, 3);
  EXPECT_EQ(Parse("SELECT a FROM t FETCH NEXT ROW ONLY").limit, 1);
  EXPECT_FALSE(Parse("SELECT a FROM t LIMIT ALL").limit.has_value());
  EXPECT_NE(ErrorOf("SELECT a FROM t LIMIT x").find("expected a row count (an integer) or ALL"),
            std::string::npos);
}

TEST(QueryParserTest, TableNamesAndRelationAliases) {
  AstQuery query = Parse("SELECT * FROM AwsDataCatalog.Kozlovski.Events_Json AS e (a, b)");
  const AstSelect& select = SelectOf(query);
  ASSERT_EQ(select.from.size(), 1u);
  const AstRelation& relation = *select.from[0];
  const auto* table = relation.As<AstTableRef>();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->catalog, "awsdatacatalog");
  EXPECT_EQ(table->database, "kozlovski");
  EXPECT_EQ(table->name, "events_json");
  EXPECT_EQ(relation.alias.name, "e");
  ASSERT_EQ(relation.column_aliases.size(), 2u);
  EXPECT_EQ(relation.column_aliases[1].name, "b");
}

TEST(QueryParserTest, SubqueryRelations) {
  EXPECT_EQ(Text("SELECT x FROM (SELECT a AS x FROM t) s"),
            "SELECT x FROM (SELECT a AS x FROM t) AS s");
  EXPECT_EQ(Text("SELECT x FROM ((SELECT 1 AS x) UNION ALL (SELECT 2)) AS s"),
            "SELECT x FROM ((SELECT 1 AS x) UNION ALL (SELECT 2)) AS s");
}

TEST(QueryParserTest, Joins) {
  EXPECT_EQ(Text("SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id) "
                 "CROSS JOIN d, e"),
            "SELECT * FROM a INNER JOIN b ON (a.id = b.id) LEFT JOIN c USING (id) CROSS JOIN d, e");
  EXPECT_EQ(Text("SELECT * FROM a RIGHT JOIN (b FULL JOIN c ON x) ON y"),
            "SELECT * FROM a RIGHT JOIN (b FULL JOIN c ON x) ON y");
  AstQuery query = Parse("SELECT * FROM a INNER JOIN b ON true");
  const auto* join = SelectOf(query).from.at(0)->As<AstJoin>();
  ASSERT_NE(join, nullptr);
  EXPECT_EQ(join->type, AstJoinType::kInner);
  EXPECT_NE(ErrorOf("SELECT * FROM a JOIN b WHERE x").find("expected ON or USING, found 'WHERE'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("SELECT * FROM a NATURAL JOIN b").find("NATURAL JOIN is not supported"),
            std::string::npos);
}

TEST(QueryParserTest, CrossJoinUnnest) {
  EXPECT_EQ(Text("SELECT v FROM t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS u (v, n)"),
            "SELECT v FROM t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS u(v, n)");
}

TEST(QueryParserTest, WithQueries) {
  AstQuery query = Parse("WITH a (x) AS (SELECT 1), \"B\" AS (SELECT x FROM a) SELECT * FROM b");
  ASSERT_EQ(query.with.size(), 2u);
  EXPECT_EQ(query.with[0].name.name, "a");
  ASSERT_EQ(query.with[0].columns.size(), 1u);
  EXPECT_EQ(query.with[0].columns[0].name, "x");
  EXPECT_EQ(query.with[1].name.name, "b");
  EXPECT_EQ(query.with[1].pos, (AstPosition{1, 27}));
  EXPECT_NE(ErrorOf("WITH RECURSIVE a AS (SELECT 1) SELECT 1").find("not supported"),
            std::string::npos);
}

TEST(QueryParserTest, SetOperations) {
  AstQuery query = Parse("SELECT 1 UNION ALL SELECT 2 UNION SELECT 3");
  const auto* outer = query.body->As<AstSetOperation>();
  ASSERT_NE(outer, nullptr);
  EXPECT_FALSE(outer->all);
  const auto* inner = outer->left->As<AstSetOperation>();
  ASSERT_NE(inner, nullptr);
  EXPECT_TRUE(inner->all);
  // INTERSECT binds tighter than UNION and EXCEPT.
  AstQuery mixed = Parse("SELECT 1 EXCEPT SELECT 2 INTERSECT SELECT 3");
  const auto* except = mixed.body->As<AstSetOperation>();
  ASSERT_NE(except, nullptr);
  EXPECT_EQ(except->kind, AstSetOpKind::kExcept);
  EXPECT_EQ(except->right->As<AstSetOperation>()->kind, AstSetOpKind::kIntersect);
}

TEST(QueryParserTest, ParenthesizedTermsKeepTheirOwnLimit) {
  AstQuery query = Parse("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT b FROM u LIMIT 5");
  EXPECT_EQ(query.limit, 5);
  const auto* operation = query.body->As<AstSetOperation>();
  ASSERT_NE(operation, nullptr);
  const auto* nested = operation->left->As<AstNestedQuery>();
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->query->limit, 1);
}

TEST(QueryParserTest, ValuesAndTable) {
  AstQuery values = Parse("VALUES (1, 'a'), (2, 'b')");
  const auto* rows = values.body->As<AstValues>();
  ASSERT_NE(rows, nullptr);
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(rows->rows[1].size(), 2u);
  EXPECT_EQ(Text("VALUES 1, 2"), "VALUES 1, 2");
  EXPECT_EQ(Text("TABLE db.t"), "SELECT * FROM db.t");
}

// The seed's June-2023 query (budget-friendly-data-lake-with-aws.md).
constexpr char kJuneQuery[] = R"sql(WITH
    junes_anonymous_visits AS (
        SELECT *
        FROM kozlovski.events_json
        WHERE name = 'anonymous_visited'
            AND DATE_TRUNC('month', tstamp) = date('2023-06-01')
    ),
    extracted AS (
        SELECT DISTINCT
            date_trunc('day', tstamp) AS day,
            json_extract_scalar(payload, '$.session_id') AS session_id
        FROM junes_anonymous_visits
    ),
    groupped AS (
        SELECT
            day,
            COUNT(*)
        FROM extracted
        GROUP BY 1
    )
SELECT * FROM groupped ORDER BY 1;)sql";

TEST(QueryParserTest, SeedJuneQuery) {
  AstQuery query = Parse(kJuneQuery);
  ASSERT_EQ(query.with.size(), 3u);
  EXPECT_EQ(query.with[2].name.name, "groupped");
  EXPECT_EQ(ToString(*query.with[0].query),
            "SELECT * FROM kozlovski.events_json WHERE ((name = 'anonymous_visited') AND "
            "(date_trunc('month', tstamp) = date('2023-06-01')))");
  EXPECT_EQ(ToString(*query.with[1].query),
            "SELECT DISTINCT date_trunc('day', tstamp) AS day, json_extract_scalar(payload, "
            "'$.session_id') AS session_id FROM junes_anonymous_visits");
  const AstSelect& groupped = SelectOf(*query.with[2].query);
  ASSERT_EQ(groupped.items.size(), 2u);
  EXPECT_EQ(groupped.items[1].index, 1);  // The binder names it _col1.
  EXPECT_EQ(groupped.items[1].pos, (AstPosition{17, 13}));
  const std::string text = ToString(query);
  EXPECT_EQ(text.substr(text.rfind(") ") + 2), "SELECT * FROM groupped ORDER BY 1");
}

// ---- Positions and errors.

TEST(QueryParserTest, NodesKeepLineAndColumn) {
  AstQuery query = Parse("SELECT a,\n    b + c\nFROM t\nWHERE d");
  const AstSelect& select = SelectOf(query);
  EXPECT_EQ(select.items[1].expr->pos, (AstPosition{2, 5}));
  EXPECT_EQ(select.items[1].expr->As<AstBinary>()->right->pos, (AstPosition{2, 9}));
  EXPECT_EQ(select.from[0]->pos, (AstPosition{3, 6}));
  EXPECT_EQ(select.where->pos, (AstPosition{4, 7}));
}

TEST(QueryParserTest, ErrorsPointAtTheToken) {
  EXPECT_EQ(ErrorOf("SELECT a FROM t WHERE"),
            "syntax error at line 1, column 22: expected an expression, found end of input");
  EXPECT_EQ(ErrorOf("SELECT a b c FROM t"),
            "syntax error at line 1, column 12: expected ',', FROM, WHERE, GROUP BY, HAVING, "
            "ORDER BY, OFFSET, LIMIT, UNION, EXCEPT, INTERSECT or end of statement, found 'c'");
  EXPECT_EQ(ErrorOf("SELECT a\nFROM t\nWHERE a = 1 b"),
            "syntax error at line 3, column 13: expected an operator, GROUP BY, HAVING, ORDER BY, "
            "OFFSET, LIMIT, UNION, EXCEPT, INTERSECT or end of statement, found 'b'");
  EXPECT_EQ(ErrorOf("SELECT (a + 1 FROM t"),
            "syntax error at line 1, column 15: expected an operator, ',' or ')', found 'FROM'");
  EXPECT_EQ(ErrorOf("SELECT 'abc"),
            "syntax error at line 1, column 8: unterminated string literal");
  EXPECT_EQ(ErrorOf("SELECT a FROM t ORDER a"),
            "syntax error at line 1, column 23: expected BY, found 'a'");
  EXPECT_EQ(ErrorOf(""),
            "syntax error at line 1, column 1: expected SELECT, VALUES, TABLE or "
            "'(', found end of input");
}

// ---- Nesting limits.

std::string Repeat(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST(QueryParserTest, TheLimitIsAThousandLevels) {
  EXPECT_TRUE(ParseExpression(Repeat("NOT ", 999) + "a").ok());  // Plus the expression: 1000.
  EXPECT_EQ(ExprErrorOf(Repeat("NOT ", 1000) + "a"),
            "syntax error at line 1, column 3997: statement nested too deeply (more than 1000 "
            "levels)");
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // Frames are larger: the stack budget comes first.
#elif defined(__has_feature)
constexpr bool kSanitized = __has_feature(address_sanitizer);
#else
constexpr bool kSanitized = false;
#endif

TEST(QueryParserTest, NineHundredParenthesesParseInReleaseBuilds) {
  if (kSanitized) GTEST_SKIP() << "sanitizer frames exceed the stack budget sooner";
  EXPECT_TRUE(ParseExpression(Repeat("(", 900) + "1" + Repeat(")", 900)).ok());
}

TEST(QueryParserTest, NestingUpToTheLimitParses) {
  // Within the stack budget in any build, sanitizers included.
  EXPECT_TRUE(ParseExpression(Repeat("(", 200) + "1" + Repeat(")", 200)).ok());
  EXPECT_TRUE(ParseExpression(Repeat("a + ", 900) + "1").ok());
}

TEST(QueryParserTest, DeepNestingIsRefusedNotOverflowed) {
  const std::vector<std::string> deep = {
      Repeat("(", 100000) + "1" + Repeat(")", 100000),
      Repeat("NOT ", 100000) + "a",
      Repeat("- ", 100000) + "a",
      Repeat("a + ", 100000) + "1",
      Repeat("f(", 100000) + "1" + Repeat(")", 100000),
      Repeat("x[", 100000) + "1" + Repeat("]", 100000),
      Repeat("CASE WHEN ", 100000) + "a",
      Repeat("(SELECT ", 100000) + "1" + Repeat(")", 100000),
      Repeat("a AND ", 5000) + "b",
  };
  for (const std::string& text : deep) {
    auto expr = ParseExpression(text);
    ASSERT_FALSE(expr.ok()) << text.substr(0, 40);
    EXPECT_NE(expr.status().message().find("statement nested too deeply (more than "),
              std::string::npos)
        << expr.status().message();
  }
  for (const std::string& text :
       {"SELECT * FROM " + Repeat("(", 100000) + "t" + Repeat(")", 100000),
        "SELECT 1" + Repeat(" UNION ALL SELECT 1", 5000),
        "SELECT * FROM t" + Repeat(" CROSS JOIN t", 5000),
        "SELECT CAST(x AS " + Repeat("array(", 100000) + "int" + Repeat(")", 100000) + ")"}) {
    EXPECT_NE(ErrorOf(text).find("nested too deeply"), std::string::npos) << text.substr(0, 40);
  }
}

// ---- Printing.

TEST(QueryParserTest, PrintedTextParsesToTheSameTree) {
  for (const char* sql :
       {kJuneQuery, "SELECT a.b.c, (x).y, -(-1), - -1, a[1].b, \"Weird \"\"name\"\"\" AS \"X\"",
        "SELECT * FROM (a CROSS JOIN b) AS j (p, q) WHERE \"interval\" - 1 > 0",
        "SELECT \"array\"[1], x'00', INTERVAL '1' DAY TO SECOND, CAST(x AS row(a int, \"B c\" "
        "double))",
        "SELECT count(*) FILTER (WHERE a), current_date, \"select\" FROM t LIMIT 1 OFFSET 2",
        "SELECT \"$f\"(x), trim(s), \"all\", f(\"all\") FROM t"}) {
    const std::string first = Text(sql);
    EXPECT_EQ(Text(first), first) << sql;
  }
}

// Random token sequences must give a tree or an error, never a crash; a tree must print as text
// that parses to the same tree.
TEST(QueryParserTest, RandomTokenSequences) {
  static const std::vector<std::string> kVocabulary = {
      "SELECT", "FROM",   "WHERE",   "GROUP", "BY",       "HAVING", "ORDER",  "LIMIT",    "OFFSET",
      "WITH",   "AS",     "UNION",   "ALL",   "DISTINCT", "JOIN",   "LEFT",   "ON",       "USING",
      "CROSS",  "VALUES", "AND",     "OR",    "NOT",      "IS",     "NULL",   "IN",       "BETWEEN",
      "LIKE",   "CASE",   "WHEN",    "THEN",  "ELSE",     "END",    "CAST",   "INTERVAL", "DATE",
      "DAY",    "TRUE",   "EXISTS",  "count", "a",        "b",      "t",      "\"q\"",    "'s'",
      "1",      "2.5",    "1e3",     "(",     ")",        "(",      ")",      ",",        ".",
      "*",      "+",      "-",       "/",     "||",       "=",      "<",      ">=",       "[",
      "]",      "ARRAY",  "varchar", "AT",    "TIME",     "ZONE",   "FILTER", "UNNEST"};
  std::mt19937 random(20230601);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string sql = i % 2 ? "SELECT " : "";
    const int length = 1 + static_cast<int>(random() % 24);
    for (int j = 0; j < length; ++j) sql += kVocabulary[random() % kVocabulary.size()] + " ";
    auto statement = ParseQuery(sql);
    if (!statement.ok()) {
      EXPECT_EQ(statement.status().message().rfind("syntax error at line 1, column ", 0), 0u)
          << sql << ": " << statement.status().message();
      continue;
    }
    ++parsed;
    const std::string text = ToString(*statement);
    auto again = ParseQuery(text);
    ASSERT_TRUE(again.ok()) << sql << " printed as " << text << ": " << again.status().message();
    EXPECT_EQ(ToString(*again), text) << sql;
  }
  EXPECT_GT(parsed, 100);  // The vocabulary does produce trees, so printing is exercised.
}

// ---- Statements.

TEST(QueryParserTest, ParseStatementTellsQueriesFromDdl) {
  auto query = ParseStatement("select 1");
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  ASSERT_TRUE(std::holds_alternative<QueryStatement>(*query));
  EXPECT_EQ(std::get<QueryStatement>(*query).explain, ExplainMode::kNone);
  auto ddl = ParseStatement("MSCK REPAIR TABLE events_json");
  ASSERT_TRUE(ddl.ok()) << ddl.status().ToString();
  EXPECT_TRUE(std::holds_alternative<catalog::DdlStatement>(*ddl));
  EXPECT_NE(ParseStatement("SELEC 1").status().message().find("unknown statement 'SELEC'"),
            std::string::npos);
  EXPECT_TRUE(*IsQuery("  (SELECT 1)"));
  EXPECT_FALSE(*IsQuery("SHOW TABLES"));
}

TEST(QueryParserTest, Explain) {
  auto explain = ParseStatement("EXPLAIN SELECT 1");
  ASSERT_TRUE(explain.ok());
  EXPECT_EQ(std::get<QueryStatement>(*explain).explain, ExplainMode::kExplain);
  auto analyze = ParseStatement("explain analyze WITH a AS (SELECT 1) SELECT * FROM a;");
  ASSERT_TRUE(analyze.ok()) << analyze.status().ToString();
  EXPECT_EQ(std::get<QueryStatement>(*analyze).explain, ExplainMode::kExplainAnalyze);
}

}  // namespace
}  // namespace tarn::sql
