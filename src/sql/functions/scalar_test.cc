#include "sql/functions/scalar.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tarn::sql {
namespace {

Column Make(const DataType& type) { return Column::Make(type); }

Column Int(int64_t v) {
  Column c = Make(IntegerType());
  c.AppendInt32(static_cast<int32_t>(v));
  return c;
}
Column Big(int64_t v) {
  Column c = Make(BigintType());
  c.AppendInt64(v);
  return c;
}
Column Dbl(double v) {
  Column c = Make(DoubleType());
  c.AppendDouble(v);
  return c;
}
Column Str(std::string_view v) {
  Column c = Make(VarcharType());
  c.AppendBytes(v);
  return c;
}
Column Bool(bool v) {
  Column c = Make(BooleanType());
  c.AppendBool(v);
  return c;
}
Column Null(const DataType& type) { return Nulls(type, 1); }

Column CastTo(const Column& c, const DataType& to) {
  auto cast = BindCast(c.type, to);
  EXPECT_TRUE(cast.ok()) << cast.status().ToString();
  Column out = Make(to);
  const Column* args[] = {&c};
  EXPECT_TRUE((*cast)->Evaluate(args, c.size(), &out).ok());
  return out;
}
Column Dec(std::string_view text, int p, int s) { return CastTo(Str(text), DecimalType(p, s)); }
Column Day(std::string_view text) { return CastTo(Str(text), DateType()); }
Column Ts(std::string_view text) { return CastTo(Str(text), TimestampType()); }

// Row `row` of `c` as Trino prints it (CAST to varchar), "NULL" for NULL.
std::string Text(const Column& c, size_t row) {
  if (c.is_null(row)) return "NULL";
  if (c.type.kind == TypeKind::kArray) {
    std::string out = "[";
    for (uint64_t i = c.offsets[row]; i < c.offsets[row + 1]; ++i) {
      if (i > c.offsets[row]) out += ", ";
      out += Text(c.children[0], i);
    }
    return out + "]";
  }
  Column one = Broadcast(c, row, 1);
  return std::string(CastTo(one, VarcharType()).string_at(0));
}

// Evaluates name(args) over their rows (1-row args are constants when `constants`); returns
// each row's text, or "ERROR: message".
std::vector<std::string> CallRows(std::string_view name, const std::vector<Column>& args,
                                  bool constants = true) {
  size_t rows = 1;
  for (const Column& a : args) rows = std::max(rows, a.size());
  ScalarBinding binding;
  std::vector<Column> full;
  for (const Column& a : args) {
    binding.arg_types.push_back(a.type);
    binding.constants.push_back(constants && a.size() == 1 ? &a : nullptr);
    full.push_back(a.size() == rows ? a : Broadcast(a, 0, rows));
  }
  binding.query_start_micros = 1'687'098'472'123'000;  // 2023-06-18 14:27:52.123
  auto bound = BindScalarFunction(name, binding);
  if (!bound.ok()) return {"ERROR: " + bound.status().message()};
  std::vector<const Column*> ptrs;
  for (const Column& a : full) ptrs.push_back(&a);
  Column out = Make((*bound)->type());
  Status st = (*bound)->Evaluate(ptrs, rows, &out);
  if (!st.ok()) return {"ERROR: " + st.message()};
  EXPECT_EQ(out.size(), rows);
  std::vector<std::string> texts;
  for (size_t r = 0; r < rows; ++r) texts.push_back(Text(out, r));
  return texts;
}

std::string Call(std::string_view name, const std::vector<Column>& args, bool constants = true) {
  return CallRows(name, args, constants)[0];
}

std::string TypeOf(std::string_view name, const std::vector<Column>& args) {
  ScalarBinding binding;
  for (const Column& a : args) binding.arg_types.push_back(a.type);
  auto bound = BindScalarFunction(name, binding);
  return bound.ok() ? SqlTypeName((*bound)->type()) : "ERROR: " + bound.status().message();
}

// --- Registry -------------------------------------------------------------------------------

TEST(ScalarRegistry, UnknownFunctionIsNotFound) {
  auto bound = BindScalarFunction("no_such_fn", ScalarBinding{});
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bound.status().message(), "Function 'no_such_fn' not registered");
  EXPECT_TRUE(IsScalarFunction("date_trunc"));
  EXPECT_FALSE(IsScalarFunction("count"));
}

TEST(ScalarRegistry, WrongArgumentsNameTheSignatures) {
  EXPECT_EQ(Call("date_trunc", {Str("day"), Int(1)}),
            "ERROR: Unexpected parameters (varchar, integer) for function date_trunc. Expected: "
            "date_trunc(varchar(x), date), date_trunc(varchar(x), timestamp(p))");
  EXPECT_EQ(Call("$add", {Str("a"), Int(1)}), "ERROR: Cannot apply operator: varchar + integer");
}

// --- Arithmetic -----------------------------------------------------------------------------

TEST(ScalarArithmetic, IntegerResultTypes) {
  EXPECT_EQ(TypeOf("$add", {Int(1), Int(2)}), "integer");
  EXPECT_EQ(TypeOf("$add", {Int(1), Big(2)}), "bigint");
  EXPECT_EQ(TypeOf("$multiply", {Int(1), Dbl(2)}), "double");
  EXPECT_EQ(Call("$add", {Int(1), Big(2)}), "3");
  EXPECT_EQ(Call("$divide", {Int(7), Int(-2)}), "-3");
  EXPECT_EQ(Call("$modulus", {Int(-7), Int(2)}), "-1");
}

TEST(ScalarArithmetic, IntegerOverflowIsAnError) {
  EXPECT_EQ(Call("$add", {Int(2147483647), Int(1)}),
            "ERROR: integer addition overflow: 2147483647 + 1");
  EXPECT_EQ(Call("$multiply", {Big(INT64_MAX), Big(2)}),
            "ERROR: bigint multiplication overflow: 9223372036854775807 * 2");
  EXPECT_EQ(Call("$negate", {Int(INT32_MIN)}), "ERROR: integer negation overflow: -2147483648");
}

TEST(ScalarArithmetic, DivisionByZero) {
  EXPECT_EQ(Call("$divide", {Int(1), Int(0)}), "ERROR: Division by zero");
  EXPECT_EQ(Call("$modulus", {Big(1), Big(0)}), "ERROR: Division by zero");
  EXPECT_EQ(Call("$divide", {Dbl(1), Dbl(0)}), "Infinity");
  EXPECT_EQ(Call("$divide", {Dbl(0), Dbl(0)}), "NaN");
  EXPECT_EQ(Call("$divide", {Dec("1.0", 2, 1), Dec("0", 1, 0)}), "ERROR: Division by zero");
}

TEST(ScalarArithmetic, NullPropagates) {
  EXPECT_EQ(Call("$add", {Int(1), Null(IntegerType())}), "NULL");
  EXPECT_EQ(Call("$negate", {Null(DoubleType())}), "NULL");
}

TEST(ScalarArithmetic, DecimalScaleRules) {
  EXPECT_EQ(TypeOf("$add", {Dec("1.5", 3, 1), Dec("2.25", 4, 2)}), "decimal(5,2)");
  EXPECT_EQ(Call("$add", {Dec("1.5", 3, 1), Dec("2.25", 4, 2)}), "3.75");
  EXPECT_EQ(TypeOf("$multiply", {Dec("1.5", 3, 1), Dec("2.25", 4, 2)}), "decimal(7,3)");
  EXPECT_EQ(Call("$multiply", {Dec("1.5", 3, 1), Dec("-2.25", 4, 2)}), "-3.375");
  EXPECT_EQ(TypeOf("$add", {Dec("1.5", 3, 1), Int(2)}), "decimal(12,1)");
  EXPECT_EQ(Call("$subtract", {Dec("1.5", 3, 1), Int(2)}), "-0.5");
}

TEST(ScalarArithmetic, DecimalDivisionRoundsHalfUp) {
  EXPECT_EQ(TypeOf("$divide", {Dec("1.0", 2, 1), Dec("3", 1, 0)}), "decimal(2,1)");
  EXPECT_EQ(Call("$divide", {Dec("1.0", 2, 1), Dec("3", 1, 0)}), "0.3");
  EXPECT_EQ(Call("$divide", {Dec("2.0", 2, 1), Dec("3", 1, 0)}), "0.7");
  EXPECT_EQ(Call("$divide", {Dec("-2.0", 2, 1), Dec("3", 1, 0)}), "-0.7");
  EXPECT_EQ(Call("$modulus", {Dec("7.5", 2, 1), Dec("2", 1, 0)}), "1.5");
}

// --- Comparisons ----------------------------------------------------------------------------

TEST(ScalarComparison, MixedNumericTypes) {
  EXPECT_EQ(Call("$eq", {Int(2), Big(2)}), "true");
  EXPECT_EQ(Call("$lt", {Int(2), Dbl(2.5)}), "true");
  EXPECT_EQ(Call("$gt", {Dec("2.50", 3, 2), Int(2)}), "true");
  EXPECT_EQ(Call("$eq", {Dec("2.50", 3, 2), Dec("2.5", 2, 1)}), "true");
  EXPECT_EQ(Call("$eq", {Dbl(NAN), Dbl(NAN)}), "false");
}

TEST(ScalarComparison, TextDateAndBoolean) {
  EXPECT_EQ(Call("$lt", {Str("B"), Str("a")}), "true");         // Bytes order.
  EXPECT_EQ(Call("$lt", {Str("z"), Str("\xc3\xa9")}), "true");  // Code point order.
  EXPECT_EQ(Call("$eq", {Day("2023-06-18"), Ts("2023-06-18 00:00:00")}), "true");
  EXPECT_EQ(Call("$lt", {Day("2023-06-18"), Ts("2023-06-18 00:00:01")}), "true");
  EXPECT_EQ(Call("$ne", {Bool(true), Bool(false)}), "true");
  EXPECT_EQ(Call("$eq", {Str("a"), Int(1)}), "ERROR: Cannot apply operator: varchar = integer");
}

TEST(ScalarComparison, NullsAndDistinctFrom) {
  EXPECT_EQ(Call("$eq", {Int(1), Null(IntegerType())}), "NULL");
  EXPECT_EQ(Call("$is_distinct_from", {Int(1), Null(IntegerType())}), "true");
  EXPECT_EQ(Call("$is_distinct_from", {Null(IntegerType()), Null(BigintType())}), "false");
  EXPECT_EQ(Call("$is_distinct_from", {Int(1), Big(1)}), "false");
  EXPECT_EQ(Call("$is_distinct_from", {Dbl(NAN), Dbl(NAN)}), "false");
}

// --- Conditional ----------------------------------------------------------------------------

TEST(ScalarConditional, CoalesceNullifIf) {
  EXPECT_EQ(Call("coalesce", {Null(IntegerType()), Big(5), Big(6)}), "5");
  EXPECT_EQ(TypeOf("coalesce", {Int(1), Big(5)}), "bigint");
  EXPECT_EQ(Call("coalesce", {Null(VarcharType()), Null(VarcharType())}), "NULL");
  EXPECT_EQ(Call("nullif", {Int(3), Int(3)}), "NULL");
  EXPECT_EQ(Call("nullif", {Int(3), Big(4)}), "3");
  EXPECT_EQ(Call("if", {Bool(true), Str("a"), Str("b")}), "a");
  EXPECT_EQ(Call("if", {Null(BooleanType()), Str("a"), Str("b")}), "b");
  EXPECT_EQ(Call("if", {Bool(false), Str("a")}), "NULL");
}

TEST(ScalarConditional, GreatestLeast) {
  EXPECT_EQ(Call("greatest", {Int(1), Big(7), Int(3)}), "7");
  EXPECT_EQ(Call("least", {Dbl(1.5), Int(1)}), "1.0");
  EXPECT_EQ(Call("greatest", {Str("a"), Str("b")}), "b");
  EXPECT_EQ(Call("greatest", {Int(1), Null(IntegerType())}), "NULL");
  EXPECT_EQ(Call("greatest", {Dbl(1), Dbl(NAN)}), "ERROR: Invalid argument to greatest(): NaN");
}

// --- Math -----------------------------------------------------------------------------------

TEST(ScalarMath, RoundHalfAwayFromZeroKeepsType) {
  EXPECT_EQ(Call("round", {Dbl(2.5)}), "3.0");
  EXPECT_EQ(Call("round", {Dbl(-2.5)}), "-3.0");
  EXPECT_EQ(Call("round", {Dbl(1.2345), Int(2)}), "1.23");
  EXPECT_EQ(Call("round", {Int(1250), Int(-2)}), "1300");
  EXPECT_EQ(TypeOf("round", {Dec("1.25", 3, 2)}), "decimal(2,0)");
  EXPECT_EQ(Call("round", {Dec("-1.50", 3, 2)}), "-2");
  EXPECT_EQ(Call("round", {Dec("1.25", 3, 2), Int(1)}), "1.30");
  EXPECT_EQ(TypeOf("round", {Int(1)}), "integer");
}

TEST(ScalarMath, FloorCeilAbsSignTruncate) {
  EXPECT_EQ(Call("floor", {Dbl(-1.5)}), "-2.0");
  EXPECT_EQ(Call("ceiling", {Dbl(1.2)}), "2.0");
  EXPECT_EQ(Call("ceil", {Dec("-1.2", 2, 1)}), "-1");
  EXPECT_EQ(Call("floor", {Dec("-1.2", 2, 1)}), "-2");
  EXPECT_EQ(Call("abs", {Int(-4)}), "4");
  EXPECT_EQ(Call("abs", {Big(INT64_MIN)}),
            "ERROR: Value -9223372036854775808 is out of range for abs(bigint)");
  EXPECT_EQ(Call("sign", {Dbl(-3)}), "-1.0");
  EXPECT_EQ(Call("truncate", {Dbl(-2.7)}), "-2.0");
}

TEST(ScalarMath, ModSignOfDividendAndPowers) {
  EXPECT_EQ(Call("mod", {Int(-7), Int(3)}), "-1");
  EXPECT_EQ(Call("mod", {Dbl(7.5), Dbl(-2)}), "1.5");
  EXPECT_EQ(Call("power", {Int(2), Int(10)}), "1024.0");
  EXPECT_EQ(Call("sqrt", {Int(16)}), "4.0");
  EXPECT_EQ(Call("log10", {Dbl(1000)}), "3.0");
  EXPECT_EQ(Call("ln", {Dbl(0)}), "-Infinity");
  EXPECT_EQ(Call("sqrt", {Null(DoubleType())}), "NULL");
}

TEST(ScalarMath, RandomIsNondeterministicAndInRange) {
  ScalarBinding binding;
  auto bound = BindScalarFunction("random", binding);
  ASSERT_TRUE(bound.ok());
  EXPECT_FALSE((*bound)->deterministic());
  Column out = Make(DoubleType());
  ASSERT_TRUE((*bound)->Evaluate({}, 100, &out).ok());
  for (double v : out.f64) EXPECT_TRUE(v >= 0 && v < 1);
}

// --- Casts ----------------------------------------------------------------------------------

TEST(ScalarCast, DoublesPrintAsJava) {
  EXPECT_EQ(Text(Dbl(1.5), 0), "1.5");
  EXPECT_EQ(Text(Dbl(1e10), 0), "1.0E10");
  EXPECT_EQ(Text(Dbl(1234567.0), 0), "1234567.0");
  EXPECT_EQ(Text(Dbl(12345678.0), 0), "1.2345678E7");
  EXPECT_EQ(Text(Dbl(0.001), 0), "0.001");
  EXPECT_EQ(Text(Dbl(0.0001), 0), "1.0E-4");
  EXPECT_EQ(Text(Dbl(0.1), 0), "0.1");
  EXPECT_EQ(Text(Dbl(-0.0), 0), "-0.0");
  EXPECT_EQ(Text(CastTo(Dbl(0.1), RealType()), 0), "0.1");
}

TEST(ScalarCast, TextToNumbers) {
  EXPECT_EQ(Text(CastTo(Str("42"), IntegerType()), 0), "42");
  EXPECT_EQ(Text(CastTo(Str("-7"), BigintType()), 0), "-7");
  EXPECT_EQ(Text(CastTo(Str(" 2.5e1 "), DoubleType()), 0), "25.0");
  EXPECT_EQ(Text(Dec("12.345", 10, 2), 0), "12.35");
  EXPECT_EQ(Text(CastTo(Str("TRUE"), BooleanType()), 0), "true");
}

Status CastError(const Column& c, const DataType& to) {
  auto cast = BindCast(c.type, to);
  if (!cast.ok()) return cast.status();
  Column out = Make(to);
  const Column* args[] = {&c};
  return (*cast)->Evaluate(args, 1, &out);
}

TEST(ScalarCast, ErrorsNameTheValue) {
  EXPECT_EQ(CastError(Str("abc"), IntegerType()).message(), "Cannot cast 'abc' to INT");
  EXPECT_EQ(CastError(Str("3000000000"), IntegerType()).message(),
            "Cannot cast '3000000000' to INT");
  EXPECT_EQ(CastError(Big(3000000000), IntegerType()).message(),
            "Out of range for integer: 3000000000");
  EXPECT_EQ(CastError(Str("x"), DoubleType()).message(), "Cannot cast 'x' to DOUBLE");
  EXPECT_EQ(CastError(Str("2023-02-30"), DateType()).message(),
            "Value cannot be cast to date: 2023-02-30");
  EXPECT_EQ(CastError(Str("12345.6"), DecimalType(4, 1)).message(),
            "Cannot cast VARCHAR '12345.6' to DECIMAL(4, 1). Value too large.");
  EXPECT_EQ(BindCast(DateType(), IntegerType()).status().message(), "Cannot cast date to integer");
}

TEST(ScalarCast, NumbersNarrowAndRound) {
  EXPECT_EQ(Text(CastTo(Dbl(2.5), IntegerType()), 0), "3");
  EXPECT_EQ(Text(CastTo(Dbl(-2.5), BigintType()), 0), "-3");
  EXPECT_EQ(Text(CastTo(Dec("-1.5", 2, 1), BigintType()), 0), "-2");
  EXPECT_EQ(Text(CastTo(Int(7), DecimalType(5, 2)), 0), "7.00");
  EXPECT_EQ(Text(CastTo(Dbl(0.125), DecimalType(5, 2)), 0), "0.13");
  EXPECT_EQ(Text(CastTo(Dec("1.5", 2, 1), DoubleType()), 0), "1.5");
}

TEST(ScalarCast, TimestampsAndDates) {
  EXPECT_EQ(Text(Ts("2023-06-18 14:27:52.000000"), 0), "2023-06-18 14:27:52.000");
  EXPECT_EQ(Text(Ts("2023-06-18 14:27:52.123456"), 0), "2023-06-18 14:27:52.123456");
  EXPECT_EQ(Text(Ts("2023-06-18"), 0), "2023-06-18 00:00:00.000");
  EXPECT_EQ(Text(CastTo(Ts("2023-06-18 23:59:59"), DateType()), 0), "2023-06-18");
  EXPECT_EQ(Text(CastTo(Ts("1969-12-31 23:00:00"), DateType()), 0), "1969-12-31");
  EXPECT_EQ(Text(CastTo(Day("2023-06-18"), TimestampType()), 0), "2023-06-18 00:00:00.000");
  EXPECT_EQ(CastError(Str("2023-06-18T14:27:52"), TimestampType()).message(),
            "Value cannot be cast to timestamp: 2023-06-18T14:27:52");
}

TEST(ScalarCast, VarcharLengthTruncatesCodePoints) {
  DataType v3 = DataType::Of(TypeKind::kVarchar);
  v3.length = 3;
  EXPECT_EQ(CastTo(Str("h\xc3\xa9llo"), v3).string_at(0), "h\xc3\xa9l");
}

// --- Strings --------------------------------------------------------------------------------

TEST(ScalarString, CaseAndLength) {
  EXPECT_EQ(Call("lower", {Str("AbC\xc3\x89")}), "abc\xc3\xa9");
  EXPECT_EQ(Call("upper", {Str("abc\xc3\xa9")}), "ABC\xc3\x89");
  EXPECT_EQ(Call("length", {Str("h\xc3\xa9llo")}), "5");
  EXPECT_EQ(Call("length", {Null(VarcharType())}), "NULL");
  EXPECT_EQ(Call("reverse", {Str("h\xc3\xa9y")}), "y\xc3\xa9h");
}

TEST(ScalarString, SubstrCountsCodePointsAndNegativeStart) {
  EXPECT_EQ(Call("substr", {Str("hello"), Big(2)}), "ello");
  EXPECT_EQ(Call("substr", {Str("hello"), Big(2), Big(3)}), "ell");
  EXPECT_EQ(Call("substr", {Str("hello"), Big(-3)}), "llo");
  EXPECT_EQ(Call("substr", {Str("hello"), Big(-3), Big(2)}), "ll");
  EXPECT_EQ(Call("substr", {Str("hello"), Big(0)}), "");
  EXPECT_EQ(Call("substr", {Str("hello"), Big(9)}), "");
  EXPECT_EQ(Call("substring", {Str("h\xc3\xa9llo"), Int(2), Int(2)}), "\xc3\xa9l");
}

TEST(ScalarString, StrposAndSplitPart) {
  EXPECT_EQ(Call("strpos", {Str("h\xc3\xa9llo"), Str("l")}), "3");
  EXPECT_EQ(Call("strpos", {Str("hello"), Str("l"), Big(2)}), "4");
  EXPECT_EQ(Call("strpos", {Str("hello"), Str("z")}), "0");
  EXPECT_EQ(Call("strpos", {Str("hello"), Str("l"), Big(0)}),
            "ERROR: 'instance' must be a positive number.");
  EXPECT_EQ(Call("split_part", {Str("a,b,,c"), Str(","), Big(2)}), "b");
  EXPECT_EQ(Call("split_part", {Str("a,b,,c"), Str(","), Big(3)}), "");
  EXPECT_EQ(Call("split_part", {Str("a,b"), Str(","), Big(5)}), "NULL");
  EXPECT_EQ(Call("split_part", {Str("a,b"), Str(","), Big(0)}),
            "ERROR: Index must be greater than zero");
}

TEST(ScalarString, ConcatTrimReplacePad) {
  EXPECT_EQ(Call("concat", {Str("a"), Str("b"), Str("c")}), "abc");
  EXPECT_EQ(Call("concat", {Str("a"), Null(VarcharType())}), "NULL");
  EXPECT_EQ(Call("trim", {Str(" \t x y \n")}), "x y");
  EXPECT_EQ(Call("ltrim", {Str("  x ")}), "x ");
  EXPECT_EQ(Call("rtrim", {Str("  x ")}), "  x");
  EXPECT_EQ(Call("replace", {Str("banana"), Str("an"), Str("AN")}), "bANANa");
  EXPECT_EQ(Call("replace", {Str("banana"), Str("a")}), "bnn");
  EXPECT_EQ(Call("replace", {Str("ab"), Str(""), Str("-")}), "-a-b-");
  EXPECT_EQ(Call("lpad", {Str("7"), Big(3), Str("0")}), "007");
  EXPECT_EQ(Call("rpad", {Str("ab"), Big(5), Str("xy")}), "abxyx");
  EXPECT_EQ(Call("lpad", {Str("hello"), Big(2), Str("0")}), "he");
  EXPECT_EQ(Call("starts_with", {Str("hello"), Str("he")}), "true");
}

TEST(ScalarString, LikeWithWildcardsAndEscape) {
  EXPECT_EQ(Call("$like", {Str("hello"), Str("h%o")}), "true");
  EXPECT_EQ(Call("$like", {Str("hello"), Str("h_llo")}), "true");
  EXPECT_EQ(Call("$like", {Str("hello"), Str("he%")}), "true");
  EXPECT_EQ(Call("$like", {Str("hello"), Str("%lo")}), "true");
  EXPECT_EQ(Call("$like", {Str("hello"), Str("%ell%")}), "true");
  EXPECT_EQ(Call("$like", {Str("hello"), Str("h%x")}), "false");
  EXPECT_EQ(Call("$like", {Str("a\nb"), Str("a_b")}), "true");
  EXPECT_EQ(Call("$like", {Str("50%"), Str("50!%"), Str("!")}), "true");
  EXPECT_EQ(Call("$like", {Str("500"), Str("50!%"), Str("!")}), "false");
  EXPECT_EQ(Call("$like", {Str("a.c"), Str("a.c")}), "true");
  EXPECT_EQ(Call("$like", {Str("abc"), Str("a.c")}), "false");
  EXPECT_EQ(Call("$like", {Str("x"), Str("a!b"), Str("!")}),
            "ERROR: Escape character must be followed by '%', '_' or the escape character itself");
}

TEST(ScalarString, LikeWithPatternPerRow) {
  Column patterns = Make(VarcharType());
  patterns.AppendBytes("a%");
  patterns.AppendBytes("%z");
  patterns.AppendNull();
  EXPECT_EQ(CallRows("$like", {Str("abc"), patterns}, false),
            (std::vector<std::string>{"true", "false", "NULL"}));
}

TEST(ScalarString, RegexpFunctions) {
  EXPECT_EQ(Call("regexp_like", {Str("abc123"), Str("\\d+")}), "true");
  EXPECT_EQ(Call("regexp_extract", {Str("abc123def45"), Str("\\d+")}), "123");
  EXPECT_EQ(Call("regexp_extract", {Str("key=val"), Str("(\\w+)=(\\w+)"), Big(2)}), "val");
  EXPECT_EQ(Call("regexp_extract", {Str("abc"), Str("\\d+")}), "NULL");
  EXPECT_EQ(Call("regexp_extract", {Str("abc"), Str("(a)"), Big(2)}),
            "ERROR: Pattern has 1 groups. Cannot access group 2");
  EXPECT_EQ(Call("regexp_replace", {Str("a1b22"), Str("\\d")}), "ab");
  EXPECT_EQ(Call("regexp_replace", {Str("john smith"), Str("(\\w+) (\\w+)"), Str("$2, $1")}),
            "smith, john");
  EXPECT_EQ(Call("regexp_extract_all", {Str("a1b22c"), Str("\\d+")}), "[1, 22]");
  EXPECT_EQ(Call("regexp_like", {Str("a"), Str("(")}).substr(0, 37),
            "ERROR: Invalid regular expression '('");
}

// --- Date and time --------------------------------------------------------------------------

TEST(ScalarDatetime, DateTruncUnits) {
  const Column ts = Ts("2023-06-18 14:27:52.123");  // A Sunday.
  EXPECT_EQ(Call("date_trunc", {Str("second"), ts}), "2023-06-18 14:27:52.000");
  EXPECT_EQ(Call("date_trunc", {Str("MINUTE"), ts}), "2023-06-18 14:27:00.000");
  EXPECT_EQ(Call("date_trunc", {Str("hour"), ts}), "2023-06-18 14:00:00.000");
  EXPECT_EQ(Call("date_trunc", {Str("day"), ts}), "2023-06-18 00:00:00.000");
  EXPECT_EQ(Call("date_trunc", {Str("week"), ts}), "2023-06-12 00:00:00.000");
  EXPECT_EQ(Call("date_trunc", {Str("month"), ts}), "2023-06-01 00:00:00.000");
  EXPECT_EQ(Call("date_trunc", {Str("quarter"), ts}), "2023-04-01 00:00:00.000");
  EXPECT_EQ(Call("date_trunc", {Str("year"), ts}), "2023-01-01 00:00:00.000");
  EXPECT_EQ(Call("date_trunc", {Str("week"), Day("2023-06-19")}), "2023-06-19");
}

TEST(ScalarDatetime, DateTruncErrorsAndNulls) {
  EXPECT_EQ(Call("date_trunc", {Str("fortnight"), Ts("2023-06-18")}),
            "ERROR: 'fortnight' is not a valid Timestamp field");
  EXPECT_EQ(Call("date_trunc", {Str("hour"), Day("2023-06-18")}),
            "ERROR: 'hour' is not a valid DATE field");
  EXPECT_EQ(Call("date_trunc", {Str("day"), Null(TimestampType())}), "NULL");
  EXPECT_EQ(Call("date_trunc", {Str("fortnight"), Ts("2023-06-18")}, false),
            "ERROR: 'fortnight' is not a valid Timestamp field");
}

TEST(ScalarDatetime, DateAddAndDiff) {
  EXPECT_EQ(Call("date_add", {Str("day"), Big(1), Day("2023-12-31")}), "2024-01-01");
  EXPECT_EQ(Call("date_add", {Str("month"), Big(1), Day("2023-01-31")}), "2023-02-28");
  EXPECT_EQ(Call("date_add", {Str("hour"), Int(-3), Ts("2023-06-18 01:00:00")}),
            "2023-06-17 22:00:00.000");
  EXPECT_EQ(Call("date_diff", {Str("day"), Day("2023-06-01"), Day("2023-06-18")}), "17");
  // Joda's month difference: the end of a shorter month counts as a whole month.
  EXPECT_EQ(Call("date_diff", {Str("month"), Day("2023-01-31"), Day("2023-02-28")}), "1");
  EXPECT_EQ(Call("date_diff", {Str("month"), Day("2023-01-30"), Day("2023-02-27")}), "0");
  EXPECT_EQ(Call("date_diff", {Str("month"), Day("2023-01-15"), Day("2023-03-15")}), "2");
  EXPECT_EQ(Call("date_diff", {Str("hour"), Ts("2023-06-18 10:30:00"), Ts("2023-06-18 08:00:00")}),
            "-2");
  EXPECT_EQ(Call("date_diff", {Str("year"), Day("2020-02-29"), Day("2021-02-28")}), "1");
  EXPECT_EQ(Call("date_diff", {Str("year"), Day("2020-03-01"), Day("2021-02-28")}), "0");
}

TEST(ScalarDatetime, DateFormatSpecifiers) {
  const Column ts = Ts("2023-06-08 14:07:05.123456");  // A Thursday.
  EXPECT_EQ(Call("date_format", {ts, Str("%Y-%m-%d %H:%i:%s.%f")}), "2023-06-08 14:07:05.123456");
  EXPECT_EQ(Call("date_format", {ts, Str("%c/%e/%y %k %l %h %p")}), "6/8/23 14 2 02 PM");
  EXPECT_EQ(Call("date_format", {ts, Str("%a %b %M %W %j")}), "Thu Jun June Thursday 159");
  EXPECT_EQ(Call("date_format", {ts, Str("%T|%r|%%|%v|%x")}), "14:07:05|02:07:05 PM|%|23|2023");
  EXPECT_EQ(Call("date_format", {ts, Str("%D")}), "ERROR: %D not supported in date format string");
}

TEST(ScalarDatetime, DateParse) {
  EXPECT_EQ(Call("date_parse", {Str("2023/06/18 14:27"), Str("%Y/%m/%d %H:%i")}),
            "2023-06-18 14:27:00.000");
  EXPECT_EQ(Call("date_parse", {Str("18-Jun-2023 02:05:09 PM"), Str("%d-%b-%Y %r")}),
            "2023-06-18 14:05:09.000");
  EXPECT_EQ(Call("date_parse", {Str("2023-06-18 12:00:00.5"), Str("%Y-%m-%d %T.%f")}),
            "2023-06-18 12:00:00.500");
  EXPECT_EQ(Call("date_parse", {Str("2023-06-1x"), Str("%Y-%m-%d")}),
            "ERROR: Invalid format: \"2023-06-1x\" is malformed at \"x\"");
  EXPECT_EQ(Call("date_parse", {Str("2023-13-01"), Str("%Y-%m-%d")}),
            "ERROR: Cannot parse \"2023-13-01\": Value 13 for monthOfYear must be in the range "
            "[1,12]");
}

TEST(ScalarDatetime, FieldsIsoWeekAndDayOfWeek) {
  const Column sunday = Ts("2023-01-01 05:06:07.089");
  EXPECT_EQ(Call("year", {sunday}), "2023");
  EXPECT_EQ(Call("day_of_week", {sunday}), "7");
  EXPECT_EQ(Call("dow", {Day("2023-01-02")}), "1");
  EXPECT_EQ(Call("week", {sunday}), "52");
  EXPECT_EQ(Call("year_of_week", {sunday}), "2022");
  EXPECT_EQ(Call("day_of_year", {Day("2023-12-31")}), "365");
  EXPECT_EQ(Call("quarter", {Day("2023-08-01")}), "3");
  EXPECT_EQ(Call("hour", {sunday}), "5");
  EXPECT_EQ(Call("minute", {sunday}), "6");
  EXPECT_EQ(Call("second", {sunday}), "7");
  EXPECT_EQ(Call("hour", {Ts("1969-12-31 23:00:00")}), "23");
  EXPECT_EQ(TypeOf("hour", {Day("2023-01-01")}).substr(0, 35),
            "ERROR: Unexpected parameters (date)");
}

TEST(ScalarDatetime, ConversionsAndNow) {
  EXPECT_EQ(Call("date", {Str("2023-06-18")}), "2023-06-18");
  EXPECT_EQ(Call("date", {Ts("2023-06-18 23:00:00")}), "2023-06-18");
  EXPECT_EQ(Call("from_iso8601_timestamp", {Str("2023-06-18T14:27:52.5+02:00")}),
            "2023-06-18 12:27:52.500");
  EXPECT_EQ(Call("from_iso8601_timestamp", {Str("2023-06-18")}), "2023-06-18 00:00:00.000");
  EXPECT_EQ(Call("from_unixtime", {Big(1687098472)}), "2023-06-18 14:27:52.000");
  EXPECT_EQ(Call("to_unixtime", {Ts("2023-06-18 14:27:52.250")}), "1.68709847225E9");
  EXPECT_EQ(Call("now", {}), "2023-06-18 14:27:52.123");
  EXPECT_EQ(Call("current_date", {}), "2023-06-18");
}

// --- JSON -----------------------------------------------------------------------------------

TEST(ScalarJson, ExtractScalar) {
  const Column doc = Str(R"({"a":{"b":[10, 2.50, "x\"y"]},"k.1":true,"n":null,"o":{}})");
  EXPECT_EQ(Call("json_extract_scalar", {doc, Str("$.a.b[0]")}), "10");
  EXPECT_EQ(Call("json_extract_scalar", {doc, Str("$.a.b[1]")}), "2.50");
  EXPECT_EQ(Call("json_extract_scalar", {doc, Str("$.a.b[2]")}), "x\"y");
  EXPECT_EQ(Call("json_extract_scalar", {doc, Str("$[\"k.1\"]")}), "true");
  EXPECT_EQ(Call("json_extract_scalar", {doc, Str("$['k.1']")}), "true");
  EXPECT_EQ(Call("json_extract_scalar", {doc, Str("$.n")}), "NULL");
  EXPECT_EQ(Call("json_extract_scalar", {doc, Str("$.o")}), "NULL");
  EXPECT_EQ(Call("json_extract_scalar", {doc, Str("$.a.b[7]")}), "NULL");
  EXPECT_EQ(Call("json_extract_scalar", {Str("{not json"), Str("$.a")}), "NULL");
}

TEST(ScalarJson, ExtractAndArrayLength) {
  const Column doc = Str(R"({"a": {"b": [1, {"c" : 2}]}})");
  EXPECT_EQ(Call("json_extract", {doc, Str("$.a.b")}), R"([1,{"c":2}])");
  EXPECT_EQ(Call("json_extract", {doc, Str("$.a.b[0]")}), "1");
  EXPECT_EQ(Call("json_extract", {doc, Str("$.zz")}), "NULL");
  EXPECT_EQ(Call("json_extract", {Str(R"("s")"), Str("$")}), R"("s")");
  EXPECT_EQ(Call("json_array_length", {Str("[1,[2,3],4]")}), "3");
  EXPECT_EQ(Call("json_array_length", {Str(R"({"a":1})")}), "NULL");
}

TEST(ScalarJson, BadPathAndParse) {
  EXPECT_EQ(Call("json_extract_scalar", {Str("{}"), Str("a.b")}),
            "ERROR: Invalid JSON path: 'a.b'");
  EXPECT_EQ(Call("json_extract_scalar", {Str("{}"), Str("$.a[")}),
            "ERROR: Invalid JSON path: '$.a['");
  EXPECT_EQ(Call("json_parse", {Str(R"({"a": [1, 2]})")}), R"({"a":[1,2]})");
  EXPECT_EQ(Call("json_parse", {Str("{oops")}), "ERROR: Cannot convert value to JSON: '{oops'");
}

TEST(ScalarJson, PathPerRow) {
  Column paths = Make(VarcharType());
  paths.AppendBytes("$.a");
  paths.AppendBytes("$.b");
  EXPECT_EQ(CallRows("json_extract_scalar", {Str(R"({"a":1,"b":"two"})"), paths}, false),
            (std::vector<std::string>{"1", "two"}));
}

TEST(ScalarVectors, RowsWithNullsAndPerRowArguments) {
  Column a = Make(IntegerType());
  Column b = Make(BigintType());
  for (int i = 0; i < 3; ++i) a.AppendInt32(i);
  b.AppendInt64(10);
  b.AppendNull();
  b.AppendInt64(30);
  EXPECT_EQ(CallRows("$add", {a, b}), (std::vector<std::string>{"10", "NULL", "32"}));
  Column units = Make(VarcharType());
  units.AppendBytes("day");
  units.AppendBytes("month");
  units.AppendNull();
  EXPECT_EQ(CallRows("date_trunc", {units, Day("2023-06-18")}, false),
            (std::vector<std::string>{"2023-06-18", "2023-06-01", "NULL"}));
}

TEST(ScalarTypes, CommonSuperType) {
  EXPECT_EQ(SqlTypeName(*CommonSuperType(IntegerType(), BigintType())), "bigint");
  EXPECT_EQ(SqlTypeName(*CommonSuperType(BigintType(), DecimalType(10, 2))), "decimal(21,2)");
  EXPECT_EQ(SqlTypeName(*CommonSuperType(DecimalType(10, 2), DoubleType())), "double");
  EXPECT_EQ(SqlTypeName(*CommonSuperType(DateType(), TimestampType())), "timestamp(3)");
  EXPECT_FALSE(CommonSuperType(VarcharType(), IntegerType()).has_value());
}

}  // namespace
}  // namespace tarn::sql
