#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sql/functions/aggregate.h"
#include "sql/functions/hyperloglog.h"
#include "sql/functions/tdigest.h"

namespace tarn::sql {
namespace {

using formats::TypeKind;

template <typename T>
using Opt = std::optional<T>;

Column Int64s(const std::vector<Opt<int64_t>>& values, DataType type = BigintType()) {
  Column c = Column::Make(type);
  for (const auto& v : values) v ? c.AppendInt64(*v) : c.AppendNull();
  return c;
}
Column Int32s(const std::vector<Opt<int32_t>>& values, DataType type = IntegerType()) {
  Column c = Column::Make(type);
  for (const auto& v : values) v ? c.AppendInt32(*v) : c.AppendNull();
  return c;
}
Column Doubles(const std::vector<Opt<double>>& values) {
  Column c = Column::Make(DoubleType());
  for (const auto& v : values) v ? c.AppendDouble(*v) : c.AppendNull();
  return c;
}
Column Reals(const std::vector<Opt<float>>& values) {
  Column c = Column::Make(RealType());
  for (const auto& v : values) v ? c.AppendFloat(*v) : c.AppendNull();
  return c;
}
Column Strings(const std::vector<Opt<std::string>>& values) {
  Column c = Column::Make(VarcharType());
  for (const auto& v : values) v ? c.AppendBytes(*v) : c.AppendNull();
  return c;
}
Column Bools(const std::vector<Opt<bool>>& values) {
  Column c = Column::Make(BooleanType());
  for (const auto& v : values) v ? c.AppendBool(*v) : c.AppendNull();
  return c;
}
Column Decimals128(const std::vector<Opt<__int128>>& values, DataType type) {
  Column c = Column::Make(type);
  for (const auto& v : values) v ? c.AppendInt128(*v) : c.AppendNull();
  return c;
}

std::unique_ptr<AggregateFactory> Bind(std::string_view name, std::vector<DataType> types,
                                       bool distinct = false,
                                       std::vector<const Column*> constants = {}) {
  AggregateBinding binding;
  binding.arg_types = std::move(types);
  binding.constants = std::move(constants);
  binding.distinct = distinct;
  auto bound = BindAggregateFunction(name, binding);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  return bound.ok() ? std::move(bound).value() : nullptr;
}

void AppendRow(const Column& from, size_t r, Column* to) {
  if (from.is_null(r)) {
    to->AppendNull();
    return;
  }
  switch (formats::StorageOf(from.type)) {
    case formats::Storage::kBool:
      return to->AppendBool(from.b8[r] != 0);
    case formats::Storage::kInt32:
      return to->AppendInt32(from.i32[r]);
    case formats::Storage::kInt64:
      return to->AppendInt64(from.i64[r]);
    case formats::Storage::kInt128:
      return to->AppendInt128(from.i128[r]);
    case formats::Storage::kFloat:
      return to->AppendFloat(from.f32[r]);
    case formats::Storage::kDouble:
      return to->AppendDouble(from.f64[r]);
    default:
      return to->AppendBytes(from.string_at(r));
  }
}

// Runs `factory` over `args` (all the same length) with rows in groups `groups` (group count
// `group_count`); rows go to `partials` partial aggregates round-robin, merged into the first
// with group ids reversed, as threads would be.
Column Aggregate(const AggregateFactory& factory, const std::vector<const Column*>& args,
                 const std::vector<uint32_t>& groups, size_t group_count, int partials = 1) {
  std::vector<std::unique_ptr<GroupedAggregate>> aggs;
  for (int p = 0; p < partials; ++p) {
    aggs.push_back(factory.Make());
    aggs.back()->Resize(group_count);
  }
  // Each partial sees every partials-th row, numbered by its own group ids (reversed, but for
  // the first partial) so that Merge's group_map matters.
  for (int p = 0; p < partials; ++p) {
    std::vector<Column> slices;
    for (const Column* a : args) slices.push_back(Column::Make(a->type));
    std::vector<uint32_t> ids;
    for (size_t r = static_cast<size_t>(p); r < groups.size(); r += static_cast<size_t>(partials)) {
      for (size_t i = 0; i < args.size(); ++i) AppendRow(*args[i], r, &slices[i]);
      ids.push_back(p == 0 ? groups[r] : static_cast<uint32_t>(group_count - 1 - groups[r]));
    }
    std::vector<const Column*> pointers;
    for (const Column& s : slices) pointers.push_back(&s);
    EXPECT_TRUE(aggs[p]->Update(pointers, ids.data(), ids.size()).ok());
  }
  std::vector<uint32_t> reverse(group_count);
  for (size_t g = 0; g < group_count; ++g) reverse[g] = static_cast<uint32_t>(group_count - 1 - g);
  for (int p = 1; p < partials; ++p) EXPECT_TRUE(aggs[0]->Merge(*aggs[p], reverse.data()).ok());
  Column out;
  EXPECT_TRUE(aggs[0]->Finalize(&out).ok());
  return out;
}

// One group over all rows.
Column RunOne(std::string_view name, const std::vector<const Column*>& args, bool distinct = false,
              int partials = 1) {
  std::vector<DataType> types;
  for (const Column* a : args) types.push_back(a->type);
  auto factory = Bind(name, types, distinct);
  const size_t rows = args.empty() ? 0 : args[0]->size();
  return Aggregate(*factory, args, std::vector<uint32_t>(rows, 0), 1, partials);
}

std::string Text(const Column& c) {
  std::string out;
  for (size_t r = 0; r < c.size(); ++r) {
    if (r > 0) out += ",";
    formats::AppendJsonValue(c, r, &out);
  }
  return out;
}

// --- count, count_if

TEST(AggregatesTest, CountStarCountsRowsOfEachGroupAndZeroForEmptyGroups) {
  auto factory = Bind("count", {});
  EXPECT_EQ(factory->type().kind, TypeKind::kBigInt);
  EXPECT_EQ(Text(Aggregate(*factory, {}, {0, 2, 0, 0}, 4)), "3,0,1,0");
}

TEST(AggregatesTest, CountSkipsNulls) {
  Column x = Strings({"a", std::nullopt, "b", std::nullopt});
  EXPECT_EQ(Text(RunOne("count", {&x})), "2");
}

TEST(AggregatesTest, CountOfNoRowsIsZero) {
  Column x = Int64s({});
  EXPECT_EQ(Text(RunOne("count", {&x})), "0");
}

TEST(AggregatesTest, CountIfCountsOnlyTrue) {
  Column b = Bools({true, false, std::nullopt, true});
  EXPECT_EQ(Text(RunOne("count_if", {&b})), "2");
}

// --- sum

TEST(AggregatesTest, SumOfIntegersIsBigintAndNullWithoutValues) {
  auto factory = Bind("sum", {IntegerType()});
  EXPECT_EQ(factory->type().kind, TypeKind::kBigInt);
  Column x = Int32s({1, std::nullopt, 2, std::nullopt, 2147483647});
  EXPECT_EQ(Text(Aggregate(*factory, {&x}, {0, 1, 0, 2, 0}, 3)), "2147483650,null,null");
}

TEST(AggregatesTest, SumOfBigintOverflowFails) {
  auto factory = Bind("sum", {BigintType()});
  auto agg = factory->Make();
  agg->Resize(1);
  Column x = Int64s({INT64_MAX, 1});
  const Column* args[] = {&x};
  const uint32_t groups[] = {0, 0};
  Status s = agg->Update(args, groups, 2);
  EXPECT_EQ(s.message(), "bigint addition overflow: 9223372036854775807 + 1");
}

TEST(AggregatesTest, SumOfDoubleAndReal) {
  Column d = Doubles({1.5, std::nullopt, 2.25});
  EXPECT_EQ(Text(RunOne("sum", {&d})), "3.75");
  Column r = Reals({1.5f, 2.5f});
  Column out = RunOne("sum", {&r});
  EXPECT_EQ(out.type.kind, TypeKind::kFloat);
  EXPECT_EQ(out.f32[0], 4.0f);
}

TEST(AggregatesTest, SumOfDecimalIsDecimal38WithTheSameScale) {
  auto factory = Bind("sum", {DecimalType(10, 2)});
  EXPECT_EQ(factory->type().precision, 38);
  EXPECT_EQ(factory->type().scale, 2);
  Column x = Int64s({125, -25, std::nullopt}, DecimalType(10, 2));
  EXPECT_EQ(Text(Aggregate(*factory, {&x}, {0, 0, 0}, 1)), "\"1.00\"");
}

TEST(AggregatesTest, SumOfDecimalPast38DigitsFails) {
  // 6e37 twice: past decimal(38,0) but within 128 bits, so it is found at Finalize.
  const __int128 big =
      static_cast<__int128>(6'000'000'000'000'000'000ULL) * 10'000'000'000'000'000'000ULL;
  Column x = Decimals128({big, big}, DecimalType(38, 0));
  auto factory = Bind("sum", {x.type});
  auto agg = factory->Make();
  agg->Resize(1);
  const Column* args[] = {&x};
  const uint32_t groups[] = {0, 0};
  ASSERT_TRUE(agg->Update(args, groups, 2).ok());
  Column out;
  EXPECT_EQ(agg->Finalize(&out).message(), "Decimal overflow");
}

// --- avg

TEST(AggregatesTest, AvgOfIntegersIsDouble) {
  Column x = Int64s({1, 2, std::nullopt});
  Column out = RunOne("avg", {&x});
  EXPECT_EQ(out.type.kind, TypeKind::kDouble);
  EXPECT_EQ(out.f64[0], 1.5);
}

TEST(AggregatesTest, AvgOfDecimalKeepsTypeAndRoundsHalfUp) {
  Column x = Int64s({100, 201}, DecimalType(5, 2));  // 1.00 and 2.01: 1.505
  EXPECT_EQ(Text(RunOne("avg", {&x})), "\"1.51\"");
  Column neg = Int64s({-100, -201}, DecimalType(5, 2));
  EXPECT_EQ(Text(RunOne("avg", {&neg})), "\"-1.51\"");
}

TEST(AggregatesTest, AvgOfRealIsRealAndEmptyIsNull) {
  Column x = Reals({1, 2});
  Column out = RunOne("avg", {&x});
  EXPECT_EQ(out.type.kind, TypeKind::kFloat);
  EXPECT_EQ(out.f32[0], 1.5f);
  Column empty = Doubles({std::nullopt});
  EXPECT_EQ(Text(RunOne("avg", {&empty})), "null");
}

// --- min, max, arbitrary

TEST(AggregatesTest, MinMaxOfBigintPerGroup) {
  auto min = Bind("min", {BigintType()});
  auto max = Bind("max", {BigintType()});
  Column x = Int64s({5, -3, std::nullopt, 9, 7});
  const std::vector<uint32_t> groups = {0, 0, 1, 2, 2};
  EXPECT_EQ(Text(Aggregate(*min, {&x}, groups, 3)), "-3,null,7");
  EXPECT_EQ(Text(Aggregate(*max, {&x}, groups, 3)), "5,null,9");
}

TEST(AggregatesTest, MinMaxOfVarcharUseByteOrder) {
  Column x = Strings({"b", "Z", "\xc3\xa9", "a", std::nullopt});
  EXPECT_EQ(Text(RunOne("min", {&x})), "\"Z\"");
  EXPECT_EQ(RunOne("max", {&x}).string_at(0), "\xc3\xa9");
}

TEST(AggregatesTest, MinMaxOfDateTimestampBooleanDecimal) {
  Column d = Int32s({19000, 18000, 19500}, DateType());
  EXPECT_EQ(Text(RunOne("min", {&d})), "\"2019-04-14\"");
  Column t = Int64s({1'700'000'000'000'000, 1'600'000'000'000'000}, TimestampType());
  EXPECT_EQ(RunOne("max", {&t}).i64[0], 1'700'000'000'000'000);
  Column b = Bools({true, false});
  EXPECT_EQ(Text(RunOne("min", {&b})), "false");
  Column dec = Decimals128({__int128{5}, __int128{-7}}, DecimalType(30, 1));
  EXPECT_EQ(Text(RunOne("min", {&dec})), "\"-0.7\"");
}

TEST(AggregatesTest, MaxOfDoubleOrdersNanAboveNumbers) {
  Column x = Doubles({1, NAN, 3});
  EXPECT_TRUE(std::isnan(RunOne("max", {&x}).f64[0]));
  EXPECT_EQ(RunOne("min", {&x}).f64[0], 1);
}

TEST(AggregatesTest, ArbitraryReturnsANonNullValue) {
  Column x = Strings({std::nullopt, "q", std::nullopt});
  EXPECT_EQ(Text(RunOne("arbitrary", {&x})), "\"q\"");
  Column none = Strings({std::nullopt});
  EXPECT_EQ(Text(RunOne("arbitrary", {&none})), "null");
}

// --- max_by, min_by

TEST(AggregatesTest, MaxByAndMinByPickXAtExtremeYIgnoringNullY) {
  Column x = Strings({"low", "high", "nully", "mid"});
  Column y = Int64s({1, 10, std::nullopt, 5});
  EXPECT_EQ(Text(RunOne("max_by", {&x, &y})), "\"high\"");
  EXPECT_EQ(Text(RunOne("min_by", {&x, &y})), "\"low\"");
}

TEST(AggregatesTest, MaxByReturnsNullXAtMaxYAndNullForNoRows) {
  Column x = Int64s({1, std::nullopt});
  Column y = Strings({"a", "b"});
  auto factory = Bind("max_by", {BigintType(), VarcharType()});
  EXPECT_EQ(factory->type().kind, TypeKind::kBigInt);
  EXPECT_EQ(Text(Aggregate(*factory, {&x, &y}, {0, 0}, 2)), "null,null");
  EXPECT_EQ(Text(Aggregate(*factory, {&x, &y}, {0, 1}, 2)), "1,null");
}

// --- Merge of partials equals one pass

TEST(AggregatesTest, MergedPartialsEqualOnePass) {
  std::mt19937_64 rng(7);
  std::vector<Opt<int64_t>> values, keys;
  std::vector<uint32_t> groups;
  for (int i = 0; i < 5000; ++i) {
    values.push_back(i % 13 == 0 ? std::nullopt : Opt<int64_t>(rng() % 1000 - 500));
    // Distinct keys, so that max_by and min_by have no ties.
    keys.push_back(i % 11 == 0 ? std::nullopt : Opt<int64_t>(i * 7919 % 10007));
    groups.push_back(static_cast<uint32_t>(rng() % 7));
  }
  Column x = Int64s(values);
  Column y = Int64s(keys);
  for (std::string name : {"count", "sum", "avg", "min", "max", "approx_distinct",
                           "approx_percentile", "max_by", "min_by"}) {
    std::vector<const Column*> args = {&x};
    std::vector<DataType> types = {BigintType()};
    Column p = Doubles({0.3});
    std::vector<const Column*> constants;
    if (name == "approx_percentile") {
      types.push_back(DoubleType());
      constants = {nullptr, &p};
    }
    if (name == "max_by" || name == "min_by") {
      args.push_back(&y);
      types.push_back(BigintType());
    }
    for (bool distinct : {false, true}) {
      auto factory = Bind(name, types, distinct, constants);
      EXPECT_EQ(Text(Aggregate(*factory, args, groups, 8, 1)),
                Text(Aggregate(*factory, args, groups, 8, 3)))
          << name << (distinct ? " DISTINCT" : "");
    }
  }
}

// --- DISTINCT

TEST(AggregatesTest, CountDistinctIsExactPerGroup) {
  Column x = Strings({"a", "b", "a", std::nullopt, "a", "c", "c"});
  auto factory = Bind("count", {VarcharType()}, true);
  EXPECT_EQ(Text(Aggregate(*factory, {&x}, {0, 0, 0, 0, 1, 1, 1}, 3)), "2,2,0");
}

TEST(AggregatesTest, CountDistinctAcrossMergedPartialsCountsSharedValuesOnce) {
  std::vector<Opt<int64_t>> values;
  for (int i = 0; i < 30000; ++i) values.push_back(i % 9973);
  Column x = Int64s(values);
  EXPECT_EQ(Text(RunOne("count", {&x}, true, 4)), "9973");
}

TEST(AggregatesTest, SumAndAvgDistinct) {
  Column x = Int64s({1, 1, 2, 2, 3, std::nullopt});
  EXPECT_EQ(Text(RunOne("sum", {&x}, true)), "6");
  EXPECT_EQ(Text(RunOne("avg", {&x}, true)), "2.0");
}

TEST(AggregatesTest, DistinctTreatsNegativeZeroAsZero) {
  Column x = Doubles({0.0, -0.0, 1.0});
  EXPECT_EQ(Text(RunOne("count", {&x}, true)), "2");
}

// --- approx_distinct

TEST(AggregatesTest, ApproxDistinctIsExactForSmallSets) {
  for (int n : {0, 1, 10, 1000}) {
    std::vector<Opt<int64_t>> values;
    for (int i = 0; i < 3 * n; ++i) values.push_back(i % n * 7919);
    values.push_back(std::nullopt);
    Column x = Int64s(values);
    EXPECT_EQ(RunOne("approx_distinct", {&x}).i64[0], n);
  }
}

TEST(AggregatesTest, ApproxDistinctOfLargeSetsIsWithinThreeStandardErrors) {
  const double sigma = 1.04 / std::sqrt(2048.0);
  for (int64_t n : {100'000, 1'000'000}) {
    std::vector<Opt<int64_t>> values;
    for (int64_t i = 0; i < n; ++i) values.push_back(i * 3 + 17);
    Column x = Int64s(values);
    const double estimate = static_cast<double>(RunOne("approx_distinct", {&x}, false, 2).i64[0]);
    EXPECT_NEAR(estimate / static_cast<double>(n), 1.0, 3 * sigma) << n;
  }
}

TEST(AggregatesTest, ApproxDistinctOfStringsIsWithinThreeStandardErrors) {
  std::vector<Opt<std::string>> values;
  for (int i = 0; i < 100'000; ++i) values.push_back("user-" + std::to_string(i));
  Column x = Strings(values);
  const double estimate = static_cast<double>(RunOne("approx_distinct", {&x}).i64[0]);
  EXPECT_NEAR(estimate / 100'000, 1.0, 3 * 1.04 / std::sqrt(2048.0));
}

TEST(AggregatesTest, HyperLogLogEstimateDoesNotDependOnMergeOrder) {
  HyperLogLog a, b, c;
  for (uint64_t i = 0; i < 20000; ++i) (i % 3 == 0 ? a : i % 3 == 1 ? b : c).Add(Mix64(i));
  HyperLogLog left = a, right = c;
  left.Merge(b);
  left.Merge(c);
  right.Merge(b);
  right.Merge(a);
  EXPECT_EQ(left.Estimate(), right.Estimate());
}

TEST(AggregatesTest, HyperLogLogGivesTheSameEstimateWhetherValuesCameSparseOrDense) {
  HyperLogLog small, large, all;
  for (uint64_t i = 0; i < 300; ++i) small.Add(Mix64(i));
  for (uint64_t i = 200; i < 6000; ++i) large.Add(Mix64(i));
  for (uint64_t i = 0; i < 6000; ++i) all.Add(Mix64(i));
  HyperLogLog small_then_large = small, large_then_small = large;
  small_then_large.Merge(large);
  large_then_small.Merge(small);
  EXPECT_EQ(small_then_large.Estimate(), all.Estimate());
  EXPECT_EQ(large_then_small.Estimate(), all.Estimate());
}

TEST(AggregatesTest, HyperLogLogTurnsDenseAfterHalfItsBucketCount) {
  HyperLogLog h(11);
  for (uint64_t i = 0; i < 3000; ++i) h.Add(Mix64(i % 1024));
  EXPECT_EQ(h.Estimate(), 1024);
  EXPECT_TRUE(h.is_sparse());
  for (uint64_t i = 0; i < 1000; ++i) h.Add(Mix64(i + 5000));
  EXPECT_NEAR(static_cast<double>(h.Estimate()), 2024, 2024 * 0.05);
  EXPECT_FALSE(h.is_sparse());
}

TEST(AggregatesTest, ApproxDistinctMaxErrorPicksBucketsAndIsChecked) {
  EXPECT_EQ(HyperLogLog::IndexBitsForError(0.023), 11);
  EXPECT_EQ(HyperLogLog::IndexBitsForError(0.0040625), 16);
  Column e = Doubles({0.5});
  AggregateBinding binding{{BigintType(), DoubleType()}, {nullptr, &e}, false};
  auto bound = BindAggregateFunction("approx_distinct", binding);
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.status().message(),
            "Max standard error must be in [0.0040625, 0.26000]: 0.50000");
}

// Reference values from libxxhash's XXH64.
TEST(AggregatesTest, Hash64MatchesXxh64) {
  EXPECT_EQ(Hash64(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(Hash64("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(Hash64("abc", 7), 0x9E755206156676D7ULL);
  EXPECT_EQ(Hash64("hello world!!"), 0x66A0655CF0D0FC26ULL);
  EXPECT_EQ(Hash64("0123456789abcdefghijklmnopqrstuvwxyzABCDEF", 7), 0x2B8342FE4896BD84ULL);
}

// --- approx_percentile

Column Percentile(const Column& x, double p, int partials = 1) {
  Column pc = Doubles({p});
  auto factory = Bind("approx_percentile", {x.type, DoubleType()}, false, {nullptr, &pc});
  return Aggregate(*factory, {&x}, std::vector<uint32_t>(x.size(), 0), 1, partials);
}

TEST(AggregatesTest, ApproxPercentileIsExactForSmallInputs) {
  Column x = Int64s({5, 1, 4, std::nullopt, 2, 3});
  EXPECT_EQ(Text(Percentile(x, 0.5)), "3");
  EXPECT_EQ(Text(Percentile(x, 0)), "1");
  EXPECT_EQ(Text(Percentile(x, 1)), "5");
  EXPECT_EQ(Text(Percentile(x, 0.8)), "4");
  EXPECT_EQ(Percentile(x, 0.5).type.kind, TypeKind::kBigInt);
}

TEST(AggregatesTest, ApproxPercentileOfNoRowsIsNull) {
  Column x = Doubles({std::nullopt});
  EXPECT_EQ(Text(Percentile(x, 0.5)), "null");
}

TEST(AggregatesTest, ApproxPercentileRankErrorIsSmallForAMillionValues) {
  std::vector<Opt<double>> values;
  for (int i = 0; i < 1'000'000; ++i) values.push_back(i);
  std::shuffle(values.begin(), values.end(), std::mt19937_64(3));
  Column x = Doubles(values);
  for (double p : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999}) {
    const double v = Percentile(x, p, 2).f64[0];
    EXPECT_NEAR(v / 1e6, p, 0.001) << p;  // 0.1% rank error.
  }
}

TEST(AggregatesTest, ApproxPercentileOfManyIntegersIsAnApproximateBigint) {
  std::vector<Opt<int64_t>> values;
  for (int64_t i = 0; i < 100'000; ++i) values.push_back(i * 1'000'003 % 100'000);
  Column out = Percentile(Int64s(values), 0.5, 3);
  EXPECT_EQ(out.type.kind, TypeKind::kBigInt);
  EXPECT_NEAR(static_cast<double>(out.i64[0]), 50'000, 100);
}

TEST(AggregatesTest, ApproxPercentileArrayForm) {
  Column x = Doubles({1, 2, 3, 4});
  Column p = Column::Make(DataType::Array(DoubleType()));
  p.children[0].AppendDouble(0.25);
  p.children[0].AppendDouble(1);
  p.AppendListEnd();
  auto factory = Bind("approx_percentile", {DoubleType(), p.type}, false, {nullptr, &p});
  EXPECT_EQ(Text(Aggregate(*factory, {&x}, {0, 0, 0, 0}, 2)), "[1.0, 4.0],null");
}

TEST(AggregatesTest, ApproxPercentileRejectsPercentageOutOfRange) {
  Column p = Doubles({1.5});
  AggregateBinding binding{{DoubleType(), DoubleType()}, {nullptr, &p}, false};
  auto bound = BindAggregateFunction("approx_percentile", binding);
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.status().message(), "Percentile must be between 0 and 1");
}

TEST(AggregatesTest, TDigestKeepsFewCentroids) {
  TDigest digest;
  for (int i = 0; i < 100'000; ++i) digest.Add(i);
  EXPECT_LT(digest.centroid_count(), 200u);
  EXPECT_EQ(digest.total_weight(), 100'000);
}

TEST(AggregatesTest, TDigestEndsAreTheExactMinimumAndMaximumAfterMerge) {
  TDigest low, high;
  for (int i = 0; i < 50'000; ++i) {
    low.Add(i * 0.5);
    high.Add(100'000 - i * 0.25);
  }
  low.Merge(high);
  EXPECT_EQ(low.Quantile(0), 0);
  EXPECT_EQ(low.Quantile(1), 100'000);
}

// --- binding

TEST(AggregatesTest, BadArgumentTypesUseTrinoWording) {
  AggregateBinding binding{{VarcharType()}, {nullptr}, false};
  auto bound = BindAggregateFunction("sum", binding);
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bound.status().message(),
            "Unexpected parameters (varchar) for function sum. Expected: sum(double), sum(real), "
            "sum(bigint), sum(interval day to second), sum(interval year to month), "
            "sum(decimal(p,s))");
}

TEST(AggregatesTest, CountIfWantsBoolean) {
  AggregateBinding binding{{BigintType()}, {nullptr}, false};
  EXPECT_EQ(BindAggregateFunction("count_if", binding).status().message(),
            "Unexpected parameters (bigint) for function count_if. Expected: count_if(boolean)");
}

TEST(AggregatesTest, UnknownNamesAreNotAggregates) {
  EXPECT_TRUE(IsAggregateFunction("approx_percentile"));
  EXPECT_FALSE(IsAggregateFunction("lower"));
  AggregateBinding binding;
  EXPECT_EQ(BindAggregateFunction("median", binding).status().code(), StatusCode::kNotFound);
}

TEST(AggregatesTest, MemoryGrowsWithGroupsAndDistinctValues) {
  auto factory = Bind("count", {VarcharType()}, true);
  auto agg = factory->Make();
  agg->Resize(1);
  const size_t empty = agg->MemoryBytes();
  std::vector<Opt<std::string>> values;
  for (int i = 0; i < 10000; ++i) values.push_back(std::string(40, 'a') + std::to_string(i));
  Column x = Strings(values);
  std::vector<uint32_t> groups(x.size(), 0);
  const Column* args[] = {&x};
  ASSERT_TRUE(agg->Update(args, groups.data(), groups.size()).ok());
  EXPECT_GT(agg->MemoryBytes(), empty + 10000 * 40);
  // Per value: its bytes in the set's arena, a slot and an entry, and the batch's scratch
  // (encoded key, end, hash and row, kept for the next batch).
  EXPECT_LT(agg->MemoryBytes(), empty + 10000 * 256);
}

}  // namespace
}  // namespace tarn::sql
