// The abstract syntax tree of a query: what the query parser (query_parser.h) produces and the
// binder resolves. It follows the SQL as written in Athena engine v3 (Trino) dialect, with no
// name resolution and no types beyond CAST targets: `a.b` is a column reference whether `a` turns
// out to be a table or a row column, and `GROUP BY 1` is an integer literal the binder reads as
// an ordinal.
//
// Every node keeps the line and column (both from 1) of its first token, for errors like
// Athena's "line 1:8: Column 'x' cannot be resolved". Names are lower-cased (Trino does so for
// Hive tables, quoted or not); AstName also keeps the spelling result headers show.
//
// Trees own their children through unique_ptr and are move-only. A parsed tree is at most
// kMaxAstHeight nodes high (`height`, counted across expressions, relations and subqueries), so
// a recursive visitor needs at most that many levels of recursion. Plain values; a tree may be
// read from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "formats/types.h"

namespace tarn::sql {

// The parser refuses statements nested deeper than this, or whose tree would be higher.
inline constexpr int kMaxAstHeight = 1000;

struct AstPosition {
  int line = 1;
  int column = 1;
  friend bool operator==(const AstPosition&, const AstPosition&) = default;
};

struct AstExpr;
struct AstQuery;
struct AstQueryBody;
struct AstRelation;
using AstExprPtr = std::unique_ptr<AstExpr>;
using AstQueryPtr = std::unique_ptr<AstQuery>;
using AstQueryBodyPtr = std::unique_ptr<AstQueryBody>;
using AstRelationPtr = std::unique_ptr<AstRelation>;

// An identifier that names something new (an alias, a CTE, a column alias, a field).
struct AstName {
  std::string name;     // Lower-cased; what resolution compares.
  std::string display;  // Unquoted: lower-cased; quoted: as written. For result headers.
  AstPosition pos;
  bool empty() const { return name.empty(); }
};

// A type as CAST, TRY_CAST and typed literals name it. `type` is the engine's type (Trino names
// mapped: integer/int -> kInt, real -> kFloat, double [precision] -> kDouble, varchar -> kString,
// varchar(n) -> kVarchar, varbinary -> kBinary, row(...) -> kStruct, json -> kString); `text`
// is the Trino spelling, lower-case, normalised ("integer", "varchar(10)", "timestamp(3)",
// "json", "array(map(varchar,bigint))", "row(a bigint,b double)"), which keeps what `type`
// cannot (json, the timestamp precision).
struct AstType {
  formats::DataType type;
  std::string text;
  AstPosition pos;
};

// ---- Expressions.

enum class AstLiteralKind {
  kNull,
  kBoolean,
  kInteger,    // An integer literal that fits in 32 bits: Trino's `integer`.
  kBigint,     // One that needs 64 bits.
  kDecimal,    // 1.5, .5, 1. : Trino's decimal literal; `text` holds the digits as written.
  kDouble,     // 1e3, 1.5E-2.
  kString,     // 'text' (`text` is the value).
  kBinary,     // X'0A1b' (`text` holds the hex digits as written).
  kDate,       // DATE 'yyyy-mm-dd' (`text` unchecked; the binder validates it).
  kTimestamp,  // TIMESTAMP '...' (`text` unchecked).
  kInterval,   // INTERVAL [+|-] 'text' field [TO field].
};

enum class AstIntervalField { kYear, kMonth, kDay, kHour, kMinute, kSecond };

struct AstLiteral {
  AstLiteralKind kind = AstLiteralKind::kNull;
  bool boolean = false;  // kBoolean
  int64_t integer = 0;   // kInteger, kBigint (a leading '-' is folded in)
  double real = 0;       // kDouble
  // kDecimal ("-1.50" with a folded sign), kDouble (as written), kString, kBinary, kDate,
  // kTimestamp, kInterval (the quoted text).
  std::string text;
  bool interval_negative = false;                           // kInterval: INTERVAL -'3' DAY
  AstIntervalField interval_from = AstIntervalField::kDay;  // kInterval
  AstIntervalField interval_to = AstIntervalField::kDay;    // Equal to _from without TO.
};

// a, t.a, db.t.a or a.field: the dotted words as written, lower-cased. Whether a prefix names a
// table or a row column is the binder's decision.
struct AstColumnRef {
  std::vector<std::string> parts;
};

enum class AstUnaryOp { kNot, kMinus, kPlus };

struct AstUnary {
  AstUnaryOp op = AstUnaryOp::kNot;
  AstExprPtr operand;
};

enum class AstBinaryOp {
  kOr,
  kAnd,
  kEqual,
  kNotEqual,  // <> and !=
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kIsDistinctFrom,
  kIsNotDistinctFrom,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kConcat,  // ||
};

struct AstBinary {
  AstBinaryOp op = AstBinaryOp::kAnd;
  AstExprPtr left;
  AstExprPtr right;
};

// operand IS [NOT] NULL
struct AstIsNull {
  AstExprPtr operand;
  bool negated = false;
};

// operand [NOT] BETWEEN low AND high
struct AstBetween {
  AstExprPtr operand;
  AstExprPtr low;
  AstExprPtr high;
  bool negated = false;
};

// operand [NOT] IN (e1, e2, ...)
struct AstInList {
  AstExprPtr operand;
  std::vector<AstExprPtr> list;
  bool negated = false;
};

// operand [NOT] IN (query)
struct AstInSubquery {
  AstExprPtr operand;
  AstQueryPtr query;
  bool negated = false;
};

// operand [NOT] LIKE pattern [ESCAPE escape]
struct AstLike {
  AstExprPtr operand;
  AstExprPtr pattern;
  AstExprPtr escape;  // Null without ESCAPE.
  bool negated = false;
};

// name(args), name(DISTINCT args), count(*), name(args) FILTER (WHERE filter). Special forms
// come here too: CURRENT_DATE, CURRENT_TIMESTAMP, CURRENT_TIME, LOCALTIMESTAMP and LOCALTIME are
// calls without arguments (`bare`); TRY(x), IF, COALESCE and NULLIF are plain calls;
// `x AT TIME ZONE z` is at_timezone(x, z); POSITION(a IN b) is strpos(b, a); SUBSTRING(s FROM a
// FOR b) is substring(s, a, b); TRIM([BOTH|LEADING|TRAILING] [c] FROM s) is trim|ltrim|rtrim(s
// [, c]).
struct AstFunctionCall {
  std::string name;  // Lower-cased; dotted for a qualified name.
  std::vector<AstExprPtr> args;
  bool distinct = false;
  bool star = false;  // count(*): `args` is empty.
  bool bare = false;  // Written without parentheses (CURRENT_DATE).
  AstExprPtr filter;  // Null without FILTER.
};

// CAST(operand AS type), TRY_CAST(operand AS type); also typed literals other than DATE and
// TIMESTAMP (BIGINT '5', DOUBLE '1.5', DECIMAL '1.50', JSON '{}').
struct AstCast {
  AstExprPtr operand;
  AstType type;
  bool is_try = false;
};

struct AstWhen {
  AstExprPtr condition;  // Compared with AstCase::operand when that is set.
  AstExprPtr result;
};

// CASE [operand] WHEN ... THEN ... [ELSE else_result] END
struct AstCase {
  AstExprPtr operand;  // Null for a searched CASE.
  std::vector<AstWhen> whens;
  AstExprPtr else_result;  // Null without ELSE.
};

// EXTRACT(field FROM operand); the field as written, lower-cased (year, month, day_of_week, ...).
struct AstExtract {
  std::string field;
  AstExprPtr operand;
};

// base[index]
struct AstSubscript {
  AstExprPtr base;
  AstExprPtr index;
};

// base.field where base is not a plain column reference (f(x).a, (x).a, x[1].a).
struct AstDereference {
  AstExprPtr base;
  AstName field;
};

// ARRAY[e1, e2, ...]
struct AstArray {
  std::vector<AstExprPtr> elements;
};

// (query) used as a value.
struct AstSubquery {
  AstQueryPtr query;
};

// EXISTS (query)
struct AstExists {
  AstQueryPtr query;
};

struct AstExpr {
  AstPosition pos;
  int height = 1;  // Nodes on the longest path down from here, this one included.
  std::variant<AstLiteral, AstColumnRef, AstUnary, AstBinary, AstIsNull, AstBetween, AstInList,
               AstInSubquery, AstLike, AstFunctionCall, AstCast, AstCase, AstExtract, AstSubscript,
               AstDereference, AstArray, AstSubquery, AstExists>
      node;

  // The node as a T, or null when it is another kind.
  template <typename T>
  const T* As() const {
    return std::get_if<T>(&node);
  }
  template <typename T>
  bool Is() const {
    return std::holds_alternative<T>(node);
  }
};

// ---- Relations (FROM).

// [[catalog.]database.]name
struct AstTableRef {
  std::string catalog;   // Empty when not written.
  std::string database;  // Empty when not written.
  std::string name;
};

// (query) in FROM; it needs an alias in Trino only by convention, so the alias may be empty.
struct AstSubqueryRelation {
  AstQueryPtr query;
};

enum class AstJoinType { kInner, kLeft, kRight, kFull, kCross };

// left [type] JOIN right [ON on | USING (using_columns)]; a CROSS JOIN has neither.
struct AstJoin {
  AstJoinType type = AstJoinType::kInner;
  AstRelationPtr left;
  AstRelationPtr right;
  AstExprPtr on;  // Null with USING and for CROSS JOIN.
  std::vector<AstName> using_columns;
};

// UNNEST(e1, ...) [WITH ORDINALITY]
struct AstUnnest {
  std::vector<AstExprPtr> args;
  bool with_ordinality = false;
};

struct AstRelation {
  AstPosition pos;
  int height = 1;
  std::variant<AstTableRef, AstSubqueryRelation, AstJoin, AstUnnest> node;
  AstName alias;                        // Empty without an alias.
  std::vector<AstName> column_aliases;  // alias(c1, c2, ...)

  template <typename T>
  const T* As() const {
    return std::get_if<T>(&node);
  }
};

// ---- Queries.

// One entry of the select list: *, qualifier.*, or expr [[AS] alias].
struct AstSelectItem {
  AstPosition pos;
  int index = 0;  // Position in the select list from 0; unnamed columns are _col<index>.
  bool star = false;
  std::vector<std::string> qualifier;  // t.* -> {"t"}; empty for * and for expressions.
  AstExprPtr expr;                     // Null for stars.
  AstName alias;                       // Empty when none is written.
};

enum class AstNullsOrder { kDefault, kFirst, kLast };  // kDefault: NULLS LAST, as in Trino.

struct AstOrderItem {
  AstExprPtr expr;  // An integer literal is an ordinal.
  bool descending = false;
  AstNullsOrder nulls = AstNullsOrder::kDefault;
};

// SELECT [DISTINCT] items [FROM from, ...] [WHERE] [GROUP BY] [HAVING]
struct AstSelect {
  bool distinct = false;
  std::vector<AstSelectItem> items;
  std::vector<AstRelationPtr> from;  // Comma-separated relations (an implicit cross join).
  AstExprPtr where;
  std::vector<AstExprPtr> group_by;  // Integer literals are ordinals.
  AstExprPtr having;
};

// VALUES row, ...: each row is its list of values; `VALUES 1, 2` is two rows of one value and
// `VALUES (1, 'a')` one row of two.
struct AstValues {
  std::vector<std::vector<AstExprPtr>> rows;
};

enum class AstSetOpKind { kUnion, kIntersect, kExcept };

// left UNION|INTERSECT|EXCEPT [ALL|DISTINCT] right. INTERSECT binds tighter than the others.
struct AstSetOperation {
  AstSetOpKind kind = AstSetOpKind::kUnion;
  bool all = false;  // DISTINCT is the default.
  AstQueryBodyPtr left;
  AstQueryBodyPtr right;
};

// A parenthesized query used as a query term: it can have its own WITH, ORDER BY and LIMIT.
struct AstNestedQuery {
  AstQueryPtr query;
};

struct AstQueryBody {
  AstPosition pos;
  int height = 1;
  std::variant<AstSelect, AstValues, AstSetOperation, AstNestedQuery> node;

  template <typename T>
  const T* As() const {
    return std::get_if<T>(&node);
  }
};

// name [(columns)] AS (query)
struct AstWithQuery {
  AstPosition pos;
  AstName name;
  std::vector<AstName> columns;  // Empty when not written.
  AstQueryPtr query;
};

// [WITH ...] body [ORDER BY ...] [OFFSET n] [LIMIT n | FETCH FIRST n ROWS ONLY]
struct AstQuery {
  AstPosition pos;
  int height = 1;
  std::vector<AstWithQuery> with;
  AstQueryBodyPtr body;
  std::vector<AstOrderItem> order_by;
  std::optional<int64_t> offset;
  std::optional<int64_t> limit;  // Unset without LIMIT and for LIMIT ALL.
};

// SQL text for a tree, fully parenthesized so that precedence is visible and parsing the text
// again gives the same tree: "(a OR (b AND c))", "CAST(x AS varchar(3))". Identifiers that are
// not plain lower-case words, or are reserved words, are double-quoted. For tests, EXPLAIN and
// messages.
std::string ToString(const AstExpr& expr);
std::string ToString(const AstRelation& relation);
std::string ToString(const AstQuery& query);

// True for Trino's reserved words (SELECT, FROM, CAST, ...; any case), which are names only
// when double-quoted.
bool IsReservedWord(std::string_view word);

// `name` as SQL text: plain lower-case words as they are; reserved words and anything else
// double-quoted, with '"' doubled ("$path" -> "\"$path\"").
std::string QuoteIdentifier(std::string_view name);

// The name Trino gives the interval field: "YEAR", ..., "SECOND".
const char* IntervalFieldName(AstIntervalField field);

}  // namespace tarn::sql
