// The scalar function registry: one table of definitions, filled once by each family's file,
// looked up by lower-case name.
#include "sql/functions/scalar.h"

#include <array>
#include <unordered_map>

#include "sql/functions/functions_internal.h"

namespace tarn::sql {

namespace functions_internal {

__int128 Pow10(int exponent) {
  static const auto* kPowers = [] {
    auto* powers = new std::array<__int128, 39>;
    (*powers)[0] = 1;
    for (size_t i = 1; i < powers->size(); ++i) (*powers)[i] = (*powers)[i - 1] * 10;
    return powers;
  }();
  return (*kPowers)[static_cast<size_t>(exponent)];
}

__int128 RoundDiv(__int128 num, __int128 den) {
  __int128 q = num / den;
  const __int128 rem = num % den;
  const __int128 twice = rem < 0 ? -2 * rem : 2 * rem;
  const __int128 abs_den = den < 0 ? -den : den;
  if (twice >= abs_den) q += ((num < 0) != (den < 0)) ? -1 : 1;
  return q;
}

int64_t MinOf(TypeKind kind) {
  switch (kind) {
    case TypeKind::kTinyInt:
      return INT8_MIN;
    case TypeKind::kSmallInt:
      return INT16_MIN;
    case TypeKind::kInt:
    case TypeKind::kDate:
      return INT32_MIN;
    default:
      return INT64_MIN;
  }
}

int64_t MaxOf(TypeKind kind) {
  switch (kind) {
    case TypeKind::kTinyInt:
      return INT8_MAX;
    case TypeKind::kSmallInt:
      return INT16_MAX;
    case TypeKind::kInt:
    case TypeKind::kDate:
      return INT32_MAX;
    default:
      return INT64_MAX;
  }
}

std::optional<std::string> ConstantText(const ScalarBinding& b, size_t i) {
  if (i >= b.constants.size() || b.constants[i] == nullptr) return std::nullopt;
  const Column& c = *b.constants[i];
  if (!c.type.is_text() || c.size() == 0 || c.is_null(0)) return std::nullopt;
  return std::string(c.string_at(0));
}

bool ConstantIsNull(const ScalarBinding& b, size_t i) {
  return i < b.constants.size() && b.constants[i] != nullptr && b.constants[i]->size() > 0 &&
         b.constants[i]->is_null(0);
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

size_t CodePointOffset(std::string_view s, size_t index) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == index) return i;
      ++seen;
    }
  }
  return s.size();
}

namespace {

// --- Comparisons and conditional functions --------------------------------------------------

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe, kDistinct };

template <typename T>
bool Holds(CmpOp op, const T& x, const T& y) {
  switch (op) {
    case CmpOp::kEq:
      return x == y;
    case CmpOp::kNe:
      return x != y;
    case CmpOp::kLt:
      return x < y;
    case CmpOp::kLe:
      return x <= y;
    case CmpOp::kGt:
      return x > y;
    case CmpOp::kGe:
      return x >= y;
    case CmpOp::kDistinct:
      if constexpr (std::is_floating_point_v<T>) {
        if (x != x && y != y) return false;  // NaN is not distinct from NaN.
      }
      return !(x == y);
  }
  return false;
}

// Calls fn(get) with get(column, row) reading the value of a flat type by its storage.
template <typename Fn>
void VisitValues(const DataType& type, Fn&& fn) {
  switch (formats::StorageOf(type)) {
    case formats::Storage::kBool:
      return fn([](const Column& c, size_t r) { return c.b8[r]; });
    case formats::Storage::kInt32:
      return fn([](const Column& c, size_t r) { return c.i32[r]; });
    case formats::Storage::kInt64:
      return fn([](const Column& c, size_t r) { return c.i64[r]; });
    case formats::Storage::kInt128:
      return fn([](const Column& c, size_t r) { return c.i128[r]; });
    case formats::Storage::kFloat:
      return fn([](const Column& c, size_t r) { return c.f32[r]; });
    case formats::Storage::kDouble:
      return fn([](const Column& c, size_t r) { return c.f64[r]; });
    default:
      return fn([](const Column& c, size_t r) { return c.string_at(r); });
  }
}

bool Comparable(const DataType& t) { return !t.is_nested() && t.kind != TypeKind::kBinary; }

// Both arguments coerced to their common super type, then compared by storage.
Result<BoundPtr> BindComparison(CmpOp op, const ScalarBinding& b) {
  if (b.arg_types.size() != 2) return BoundPtr();
  const std::optional<DataType> common = CommonSuperType(b.arg_types[0], b.arg_types[1]);
  if (!common || !Comparable(*common)) return BoundPtr();
  TARN_ASSIGN_OR_RETURN(Coercions coercions, Coercions::Make(b.arg_types, {*common, *common}));
  const DataType type = *common;
  return MakeScalar(BooleanType(), [op, coercions, type](Args args, size_t rows, Column* out) {
    std::vector<Column> storage;
    std::vector<const Column*> coerced;
    TARN_RETURN_IF_ERROR(coercions.Apply(args, rows, &storage, &coerced));
    const Column& x = *coerced[0];
    const Column& y = *coerced[1];
    out->Reserve(rows);
    VisitValues(type, [&](auto get) {
      for (size_t r = 0; r < rows; ++r) {
        const bool xn = x.is_null(r), yn = y.is_null(r);
        if (xn || yn) {
          if (op == CmpOp::kDistinct) {
            out->AppendBool(xn != yn);
          } else {
            out->AppendNull();
          }
          continue;
        }
        out->AppendBool(Holds(op, get(x, r), get(y, r)));
      }
    });
    return Status::Ok();
  });
}

std::optional<DataType> CommonOfAll(std::span<const DataType> types) {
  if (types.empty()) return std::nullopt;
  std::optional<DataType> common = types[0];
  for (size_t i = 1; i < types.size() && common; ++i) {
    common = CommonSuperType(*common, types[i]);
  }
  return common;
}

Result<BoundPtr> BindCoalesce(const ScalarBinding& b) {
  const std::optional<DataType> common = CommonOfAll(b.arg_types);
  if (!common) return BoundPtr();
  TARN_ASSIGN_OR_RETURN(
      Coercions coercions,
      Coercions::Make(b.arg_types, std::vector<DataType>(b.arg_types.size(), *common)));
  return MakeScalar(*common, [coercions](Args args, size_t rows, Column* out) {
    std::vector<Column> storage;
    std::vector<const Column*> coerced;
    TARN_RETURN_IF_ERROR(coercions.Apply(args, rows, &storage, &coerced));
    out->Reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
      const Column* pick = coerced.back();
      for (const Column* c : coerced) {
        if (!c->is_null(r)) {
          pick = c;
          break;
        }
      }
      AppendRow(*pick, r, out);
    }
    return Status::Ok();
  });
}

// if(condition, a[, b]): a where the condition is true, else b (or NULL).
Result<BoundPtr> BindIf(const ScalarBinding& b) {
  if (b.arg_types.size() < 2 || b.arg_types.size() > 3 ||
      b.arg_types[0].kind != TypeKind::kBoolean) {
    return BoundPtr();
  }
  const std::vector<DataType> values(b.arg_types.begin() + 1, b.arg_types.end());
  const std::optional<DataType> common = CommonOfAll(values);
  if (!common) return BoundPtr();
  std::vector<DataType> targets = {BooleanType(), *common};
  if (values.size() == 2) targets.push_back(*common);
  TARN_ASSIGN_OR_RETURN(Coercions coercions, Coercions::Make(b.arg_types, targets));
  return MakeScalar(*common, [coercions](Args args, size_t rows, Column* out) {
    std::vector<Column> storage;
    std::vector<const Column*> coerced;
    TARN_RETURN_IF_ERROR(coercions.Apply(args, rows, &storage, &coerced));
    out->Reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
      const Column& cond = *coerced[0];
      if (!cond.is_null(r) && cond.b8[r]) {
        AppendRow(*coerced[1], r, out);
      } else if (coerced.size() == 3) {
        AppendRow(*coerced[2], r, out);
      } else {
        out->AppendNull();
      }
    }
    return Status::Ok();
  });
}

// nullif(a, b): NULL where a = b (compared in their common type), else a.
Result<BoundPtr> BindNullif(const ScalarBinding& b) {
  if (b.arg_types.size() != 2) return BoundPtr();
  TARN_ASSIGN_OR_RETURN(BoundPtr eq, BindComparison(CmpOp::kEq, b));
  if (eq == nullptr) return BoundPtr();
  std::shared_ptr<const BoundScalar> equal(std::move(eq));
  return MakeScalar(b.arg_types[0], [equal](Args args, size_t rows, Column* out) {
    Column same = Column::Make(BooleanType());
    TARN_RETURN_IF_ERROR(equal->Evaluate(args, rows, &same));
    out->Reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
      if (!same.is_null(r) && same.b8[r]) {
        out->AppendNull();
      } else {
        AppendRow(*args[0], r, out);
      }
    }
    return Status::Ok();
  });
}

// greatest(...) / least(...): NULL when any argument is NULL; NaN is an error, as Trino.
Result<BoundPtr> BindExtreme(bool greatest, const ScalarBinding& b) {
  const std::optional<DataType> common = CommonOfAll(b.arg_types);
  if (!common || !Comparable(*common) || common->kind == TypeKind::kBoolean) return BoundPtr();
  TARN_ASSIGN_OR_RETURN(
      Coercions coercions,
      Coercions::Make(b.arg_types, std::vector<DataType>(b.arg_types.size(), *common)));
  const DataType type = *common;
  const std::string name = greatest ? "greatest" : "least";
  return MakeScalar(type, [=](Args args, size_t rows, Column* out) -> Status {
    std::vector<Column> storage;
    std::vector<const Column*> coerced;
    TARN_RETURN_IF_ERROR(coercions.Apply(args, rows, &storage, &coerced));
    out->Reserve(rows);
    Status status;
    VisitValues(type, [&](auto get) {
      for (size_t r = 0; r < rows && status.ok(); ++r) {
        if (AnyNull(coerced, r)) {
          out->AppendNull();
          continue;
        }
        size_t best = 0;
        for (size_t i = 0; i < coerced.size(); ++i) {
          const auto v = get(*coerced[i], r);
          if constexpr (std::is_floating_point_v<decltype(v)>) {
            if (v != v) status = InvalidArgument("Invalid argument to " + name + "(): NaN");
          }
          const auto current = get(*coerced[best], r);
          if (greatest ? current < v : v < current) best = i;
        }
        AppendRow(*coerced[best], r, out);
      }
    });
    return status;
  });
}

FunctionDef Def(std::vector<std::string> names, std::vector<std::string> signatures, BindFn bind) {
  return FunctionDef{std::move(names), std::move(signatures), std::move(bind)};
}

void AddComparisonFunctions(std::vector<FunctionDef>* defs) {
  const std::pair<const char*, CmpOp> ops[] = {{"$eq", CmpOp::kEq},
                                               {"$ne", CmpOp::kNe},
                                               {"$lt", CmpOp::kLt},
                                               {"$le", CmpOp::kLe},
                                               {"$gt", CmpOp::kGt},
                                               {"$ge", CmpOp::kGe},
                                               {"$is_distinct_from", CmpOp::kDistinct}};
  for (const auto& [name, op] : ops) {
    const CmpOp o = op;
    defs->push_back(Def({name}, {}, [o](const ScalarBinding& b) { return BindComparison(o, b); }));
  }
  defs->push_back(Def({"coalesce"}, {"coalesce(E, E...)"}, BindCoalesce));
  defs->push_back(Def({"if"}, {"if(boolean, E)", "if(boolean, E, E)"}, BindIf));
  defs->push_back(Def({"nullif"}, {"nullif(T, T)"}, BindNullif));
  defs->push_back(Def({"greatest"}, {"greatest(E...)"},
                      [](const ScalarBinding& b) { return BindExtreme(true, b); }));
  defs->push_back(Def({"least"}, {"least(E...)"},
                      [](const ScalarBinding& b) { return BindExtreme(false, b); }));
}

}  // namespace

}  // namespace functions_internal

namespace {

using functions_internal::FunctionDef;

struct Registry {
  std::vector<FunctionDef> defs;
  std::unordered_map<std::string, const FunctionDef*> by_name;
};

const Registry& GetRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry;
    functions_internal::AddComparisonFunctions(&r->defs);
    functions_internal::AddMathFunctions(&r->defs);
    functions_internal::AddStringFunctions(&r->defs);
    functions_internal::AddDatetimeFunctions(&r->defs);
    functions_internal::AddJsonFunctions(&r->defs);
    for (const FunctionDef& def : r->defs) {
      for (const std::string& name : def.names) r->by_name[name] = &def;
    }
    return r;
  }();
  return *registry;
}

std::string_view OperatorSymbol(std::string_view name) {
  static const std::unordered_map<std::string_view, std::string_view> kSymbols = {
      {"$add", "+"},
      {"$subtract", "-"},
      {"$multiply", "*"},
      {"$divide", "/"},
      {"$modulus", "%"},
      {"$negate", "-"},
      {"$eq", "="},
      {"$ne", "<>"},
      {"$lt", "<"},
      {"$le", "<="},
      {"$gt", ">"},
      {"$ge", ">="},
      {"$is_distinct_from", "IS DISTINCT FROM"},
      {"$like", "LIKE"}};
  auto it = kSymbols.find(name);
  return it == kSymbols.end() ? name : it->second;
}

Status UnexpectedParameters(std::string_view name, const FunctionDef& def,
                            const std::vector<DataType>& types) {
  if (!name.empty() && name[0] == '$') {
    const std::string_view symbol = OperatorSymbol(name);
    if (types.size() == 1) {
      std::string message = "Cannot apply operator: ";
      message.append(symbol);
      message.append(SqlTypeName(types[0]));
      return InvalidArgument(message);
    }
    std::string message = "Cannot apply operator: ";
    for (size_t i = 0; i < types.size(); ++i) {
      if (i > 0) message.append(" ").append(symbol).append(" ");
      message += SqlTypeName(types[i]);
    }
    return InvalidArgument(message);
  }
  std::string message = "Unexpected parameters (";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) message += ", ";
    message += SqlTypeName(types[i]);
  }
  message += ") for function " + std::string(name) + ". Expected: ";
  for (size_t i = 0; i < def.signatures.size(); ++i) {
    if (i > 0) message += ", ";
    message += def.signatures[i];
  }
  return InvalidArgument(message);
}

}  // namespace

Result<std::unique_ptr<BoundScalar>> BindScalarFunction(std::string_view name,
                                                        const ScalarBinding& binding) {
  const Registry& registry = GetRegistry();
  auto it = registry.by_name.find(std::string(name));
  if (it == registry.by_name.end()) {
    return NotFound("Function '" + std::string(name) + "' not registered");
  }
  ScalarBinding padded = binding;
  padded.constants.resize(binding.arg_types.size(), nullptr);
  TARN_ASSIGN_OR_RETURN(std::unique_ptr<BoundScalar> bound, it->second->bind(padded));
  if (bound == nullptr) return UnexpectedParameters(name, *it->second, binding.arg_types);
  return bound;
}

bool IsScalarFunction(std::string_view name) {
  return GetRegistry().by_name.count(std::string(name)) > 0;
}

}  // namespace tarn::sql
