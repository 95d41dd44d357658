// Arithmetic operators ($add ... $negate) and mathematical functions, with Trino's result types:
// integers keep the wider type and fail on overflow, decimals follow Trino's precision and scale
// rules, real and double follow IEEE (x / 0.0 is Infinity or NaN).
#include <atomic>
#include <cmath>
#include <random>

#include "common/random.h"
#include "sql/functions/functions_internal.h"

namespace tarn::sql::functions_internal {

namespace {

enum class ArithOp { kAdd, kSubtract, kMultiply, kDivide, kModulus };

const char* OpWord(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd:
      return "addition";
    case ArithOp::kSubtract:
      return "subtraction";
    case ArithOp::kMultiply:
      return "multiplication";
    case ArithOp::kDivide:
      return "division";
    case ArithOp::kModulus:
      return "modulus";
  }
  return "";
}

const char* OpSymbol(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd:
      return "+";
    case ArithOp::kSubtract:
      return "-";
    case ArithOp::kMultiply:
      return "*";
    case ArithOp::kDivide:
      return "/";
    case ArithOp::kModulus:
      return "%";
  }
  return "";
}

Status DivisionByZero() { return InvalidArgument("Division by zero"); }
Status DecimalOverflow() { return InvalidArgument("Decimal overflow"); }

template <typename Fn>
Status WithInts(const Column& c, Fn&& fn) {
  if (Is32(c)) return fn(c.i32.data());
  return fn(c.i64.data());
}

// Integer arithmetic in `type` (tinyint..bigint), failing as Trino does on overflow.
BoundPtr BindIntegerArithmetic(ArithOp op, const DataType& type) {
  const int64_t lo = MinOf(type.kind);
  const int64_t hi = MaxOf(type.kind);
  const std::string name = SqlTypeName(type);
  return MakeScalar(type, [=](Args args, size_t rows, Column* out) -> Status {
    out->Reserve(rows);
    const Column& a = *args[0];
    const Column& b = *args[1];
    return WithInts(a, [&](const auto* x) {
      return WithInts(b, [&](const auto* y) -> Status {
        for (size_t r = 0; r < rows; ++r) {
          if (a.is_null(r) || b.is_null(r)) {
            out->AppendNull();
            continue;
          }
          const int64_t l = x[r];
          const int64_t v = y[r];
          int64_t result = 0;
          bool overflow = false;
          switch (op) {
            case ArithOp::kAdd:
              overflow = __builtin_add_overflow(l, v, &result);
              break;
            case ArithOp::kSubtract:
              overflow = __builtin_sub_overflow(l, v, &result);
              break;
            case ArithOp::kMultiply:
              overflow = __builtin_mul_overflow(l, v, &result);
              break;
            case ArithOp::kDivide:
              if (v == 0) return DivisionByZero();
              overflow = l == lo && v == -1;
              result = overflow ? 0 : l / v;
              break;
            case ArithOp::kModulus:
              if (v == 0) return DivisionByZero();
              result = v == -1 ? 0 : l % v;
              break;
          }
          if (overflow || result < lo || result > hi) {
            return InvalidArgument(name + " " + OpWord(op) + " overflow: " + std::to_string(l) +
                                   " " + OpSymbol(op) + " " + std::to_string(v));
          }
          AppendInt(out, result);
        }
        return Status::Ok();
      });
    });
  });
}

template <typename T>
T FloatOp(ArithOp op, T l, T r) {
  switch (op) {
    case ArithOp::kAdd:
      return l + r;
    case ArithOp::kSubtract:
      return l - r;
    case ArithOp::kMultiply:
      return l * r;
    case ArithOp::kDivide:
      return l / r;
    case ArithOp::kModulus:
      return std::fmod(l, r);
  }
  return 0;
}

BoundPtr BindDoubleArithmetic(ArithOp op) {
  return MakeScalar(DoubleType(), [op](Args args, size_t rows, Column* out) {
    const Column& a = *args[0];
    const Column& b = *args[1];
    if (a.type.kind == TypeKind::kDouble && b.type.kind == TypeKind::kDouble) {
      return MapRows(args, rows, out,
                     [&](size_t r) { out->AppendDouble(FloatOp(op, a.f64[r], b.f64[r])); });
    }
    return MapRows(args, rows, out, [&](size_t r) {
      out->AppendDouble(FloatOp(op, DoubleAt(a, r), DoubleAt(b, r)));
    });
  });
}

BoundPtr BindRealArithmetic(ArithOp op) {
  return MakeScalar(RealType(), [op](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) {
      out->AppendFloat(FloatOp(op, static_cast<float>(DoubleAt(*args[0], r)),
                               static_cast<float>(DoubleAt(*args[1], r))));
    });
  });
}

// Trino's decimal arithmetic: for decimal(p1,s1) op decimal(p2,s2)
//   + -  decimal(min(38, 1 + max(s1,s2) + max(p1-s1, p2-s2)), max(s1,s2))
//   *    decimal(min(38, p1 + p2), s1 + s2)
//   /    decimal(min(38, p1 + s2 + max(0, s2 - s1)), max(s1, s2)), rounded half away from zero
//   %    decimal(min(38, min(p1-s1, p2-s2) + max(s1,s2)), max(s1,s2))
BoundPtr BindDecimalArithmetic(ArithOp op, const DataType& x, const DataType& y) {
  const int p1 = x.precision, s1 = x.scale, p2 = y.precision, s2 = y.scale;
  int p = 0, s = 0;
  switch (op) {
    case ArithOp::kAdd:
    case ArithOp::kSubtract:
      s = std::max(s1, s2);
      p = std::min(38, 1 + s + std::max(p1 - s1, p2 - s2));
      break;
    case ArithOp::kMultiply:
      s = std::min(38, s1 + s2);
      p = std::min(38, p1 + p2);
      break;
    case ArithOp::kDivide:
      s = std::max(s1, s2);
      p = std::min(38, p1 + s2 + std::max(0, s2 - s1));
      break;
    case ArithOp::kModulus:
      s = std::max(s1, s2);
      p = std::min(38, std::min(p1 - s1, p2 - s2) + s);
      break;
  }
  p = std::max(p, std::max(s, 1));
  const DataType type = DecimalType(p, s);
  const __int128 fa = Pow10(s - s1);
  const __int128 fb = Pow10(s - s2);
  // For division: a * 10^(s - s1 + s2) / b has scale s.
  const int div_shift = s - s1 + s2;
  return MakeScalar(type, [=](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      const __int128 a = UnscaledAt(*args[0], r);
      const __int128 b = UnscaledAt(*args[1], r);
      __int128 result = 0;
      __int128 la = 0, lb = 0;
      switch (op) {
        case ArithOp::kAdd:
        case ArithOp::kSubtract:
        case ArithOp::kModulus:
          if (__builtin_mul_overflow(a, fa, &la) || __builtin_mul_overflow(b, fb, &lb)) {
            return DecimalOverflow();
          }
          if (op == ArithOp::kModulus) {
            if (lb == 0) return DivisionByZero();
            result = la % lb;
          } else if (op == ArithOp::kAdd ? __builtin_add_overflow(la, lb, &result)
                                         : __builtin_sub_overflow(la, lb, &result)) {
            return DecimalOverflow();
          }
          break;
        case ArithOp::kMultiply:
          if (__builtin_mul_overflow(a, b, &result)) return DecimalOverflow();
          break;
        case ArithOp::kDivide:
          if (b == 0) return DivisionByZero();
          if (div_shift > 38 || __builtin_mul_overflow(a, Pow10(div_shift), &la)) {
            return DecimalOverflow();
          }
          result = RoundDiv(la, b);
          break;
      }
      if (!FitsPrecision(result, p)) return DecimalOverflow();
      AppendUnscaled(out, result);
      return Status::Ok();
    });
  });
}

Result<BoundPtr> BindArithmetic(ArithOp op, const ScalarBinding& b) {
  if (b.arg_types.size() != 2 || !IsNumeric(b.arg_types[0]) || !IsNumeric(b.arg_types[1])) {
    return BoundPtr();
  }
  const DataType common = *CommonSuperType(b.arg_types[0], b.arg_types[1]);
  switch (common.kind) {
    case TypeKind::kDouble:
      return BindDoubleArithmetic(op);
    case TypeKind::kFloat:
      return BindRealArithmetic(op);
    case TypeKind::kDecimal:
      return BindDecimalArithmetic(op, AsDecimal(b.arg_types[0]), AsDecimal(b.arg_types[1]));
    default:
      return BindIntegerArithmetic(op, common);
  }
}

Result<BoundPtr> BindNegate(const ScalarBinding& b) {
  if (b.arg_types.size() != 1 || !IsNumeric(b.arg_types[0])) return BoundPtr();
  const DataType type = b.arg_types[0];
  switch (type.kind) {
    case TypeKind::kDouble:
      return MakeScalar(type, [](Args args, size_t rows, Column* out) {
        return MapRows(args, rows, out, [&](size_t r) { out->AppendDouble(-args[0]->f64[r]); });
      });
    case TypeKind::kFloat:
      return MakeScalar(type, [](Args args, size_t rows, Column* out) {
        return MapRows(args, rows, out, [&](size_t r) { out->AppendFloat(-args[0]->f32[r]); });
      });
    case TypeKind::kDecimal:
      return MakeScalar(type, [](Args args, size_t rows, Column* out) {
        return MapRows(args, rows, out,
                       [&](size_t r) { AppendUnscaled(out, -UnscaledAt(*args[0], r)); });
      });
    default: {
      const int64_t lo = MinOf(type.kind);
      const std::string name = SqlTypeName(type);
      return MakeScalar(type, [lo, name](Args args, size_t rows, Column* out) {
        return MapRows(args, rows, out, [&](size_t r) -> Status {
          const int64_t v = IntAt(*args[0], r);
          if (v == lo) return InvalidArgument(name + " negation overflow: " + std::to_string(v));
          AppendInt(out, -v);
          return Status::Ok();
        });
      });
    }
  }
}

// --- Unary functions on double -------------------------------------------------------------

template <typename F>
FunctionDef DoubleFunction(std::string name, F f) {
  FunctionDef def;
  def.names = {name};
  def.signatures = {name + "(double)"};
  def.bind = [f](const ScalarBinding& b) -> Result<BoundPtr> {
    if (b.arg_types.size() != 1 || !AcceptsDouble(b.arg_types[0])) return BoundPtr();
    return MakeScalar(DoubleType(), [f](Args args, size_t rows, Column* out) {
      return MapRows(args, rows, out,
                     [&](size_t r) { out->AppendDouble(f(DoubleAt(*args[0], r))); });
    });
  };
  return def;
}

// --- Rounding ------------------------------------------------------------------------------

enum class RoundMode { kRound, kFloor, kCeil, kTruncate };

double RoundDouble(RoundMode mode, double v) {
  switch (mode) {
    case RoundMode::kRound:
      return std::round(v);  // Half away from zero, as Trino.
    case RoundMode::kFloor:
      return std::floor(v);
    case RoundMode::kCeil:
      return std::ceil(v);
    case RoundMode::kTruncate:
      return std::trunc(v);
  }
  return v;
}

// `v` (scale `digits` more than wanted) divided by 10^digits and rounded by `mode`.
__int128 RoundUnscaled(RoundMode mode, __int128 v, int digits) {
  if (digits <= 0) return v;
  const __int128 f = Pow10(digits);
  switch (mode) {
    case RoundMode::kRound:
      return RoundDiv(v, f);
    case RoundMode::kTruncate:
      return v / f;
    case RoundMode::kFloor:
      return v / f - ((v % f != 0 && v < 0) ? 1 : 0);
    case RoundMode::kCeil:
      return v / f + ((v % f != 0 && v > 0) ? 1 : 0);
  }
  return v;
}

// round(x), floor(x), ceil(x), truncate(x): integers unchanged, real and double keep their type,
// decimal(p,s) becomes decimal(p-s+min(s,1), 0) (truncate: decimal(max(1,p-s), 0)).
Result<BoundPtr> BindRounding(RoundMode mode, const ScalarBinding& b) {
  if (b.arg_types.empty() || b.arg_types.size() > 2 || !IsNumeric(b.arg_types[0])) {
    return BoundPtr();
  }
  const DataType type = b.arg_types[0];
  if (b.arg_types.size() == 2) {
    if (!IsInteger(b.arg_types[1])) return BoundPtr();
    if (mode == RoundMode::kRound || mode == RoundMode::kTruncate) {
      // round(x, d) / truncate(x, d): the same type as x.
      return MakeScalar(type, [mode, type](Args args, size_t rows, Column* out) {
        return MapRows(args, rows, out, [&](size_t r) {
          const int64_t d = IntAt(*args[1], r);
          if (type.kind == TypeKind::kDouble || type.kind == TypeKind::kFloat) {
            const double v = DoubleAt(*args[0], r);
            double result = v;
            if (std::isfinite(v)) {
              const double factor = std::pow(10.0, static_cast<double>(d));
              const double scaled = RoundDouble(mode, std::fabs(v) * factor) / factor;
              result = v < 0 ? -scaled : scaled;
              if (!std::isfinite(result)) result = v;
            }
            if (type.kind == TypeKind::kDouble) {
              out->AppendDouble(result);
            } else {
              out->AppendFloat(static_cast<float>(result));
            }
            return;
          }
          const int scale = type.kind == TypeKind::kDecimal ? type.scale : 0;
          const int digits = static_cast<int>(std::clamp<int64_t>(scale - d, 0, 38));
          const __int128 v = UnscaledAt(*args[0], r);
          if (digits > 37) {
            AppendUnscaled(out, 0);
            return;
          }
          const __int128 rounded = RoundUnscaled(mode, v, digits) * Pow10(digits);
          if (type.kind == TypeKind::kDecimal) {
            AppendUnscaled(out, rounded);
          } else {
            AppendInt(out, static_cast<int64_t>(rounded));
          }
        });
      });
    }
    return BoundPtr();
  }
  if (IsInteger(type)) {
    return MakeScalar(type, [](Args args, size_t rows, Column* out) {
      return MapRows(args, rows, out, [&](size_t r) { AppendInt(out, IntAt(*args[0], r)); });
    });
  }
  if (type.kind == TypeKind::kDouble) {
    return MakeScalar(type, [mode](Args args, size_t rows, Column* out) {
      return MapRows(args, rows, out,
                     [&](size_t r) { out->AppendDouble(RoundDouble(mode, args[0]->f64[r])); });
    });
  }
  if (type.kind == TypeKind::kFloat) {
    return MakeScalar(type, [mode](Args args, size_t rows, Column* out) {
      return MapRows(args, rows, out, [&](size_t r) {
        out->AppendFloat(static_cast<float>(RoundDouble(mode, args[0]->f32[r])));
      });
    });
  }
  const int p = type.precision, s = type.scale;
  const int result_precision =
      mode == RoundMode::kTruncate ? std::max(1, p - s) : std::max(1, p - s + std::min(s, 1));
  return MakeScalar(DecimalType(result_precision, 0),
                    [mode, s](Args args, size_t rows, Column* out) {
                      return MapRows(args, rows, out, [&](size_t r) {
                        AppendUnscaled(out, RoundUnscaled(mode, UnscaledAt(*args[0], r), s));
                      });
                    });
}

Result<BoundPtr> BindAbsOrSign(bool sign, const ScalarBinding& b) {
  if (b.arg_types.size() != 1 || !IsNumeric(b.arg_types[0])) return BoundPtr();
  const DataType type = b.arg_types[0];
  switch (type.kind) {
    case TypeKind::kDouble:
    case TypeKind::kFloat:
      return MakeScalar(type, [sign](Args args, size_t rows, Column* out) {
        return MapRows(args, rows, out, [&](size_t r) {
          const double v = DoubleAt(*args[0], r);
          double result = std::fabs(v);
          if (sign) result = std::isnan(v) ? v : (v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0));
          if (out->type.kind == TypeKind::kDouble) {
            out->AppendDouble(result);
          } else {
            out->AppendFloat(static_cast<float>(result));
          }
        });
      });
    case TypeKind::kDecimal:
      return MakeScalar(
          sign ? DecimalType(1, 0) : type, [sign](Args args, size_t rows, Column* out) {
            return MapRows(args, rows, out, [&](size_t r) {
              const __int128 v = UnscaledAt(*args[0], r);
              AppendUnscaled(out, sign ? (v > 0 ? 1 : (v < 0 ? -1 : 0)) : (v < 0 ? -v : v));
            });
          });
    default: {
      const int64_t lo = MinOf(type.kind);
      const std::string name = SqlTypeName(type);
      return MakeScalar(type, [sign, lo, name](Args args, size_t rows, Column* out) {
        return MapRows(args, rows, out, [&](size_t r) -> Status {
          const int64_t v = IntAt(*args[0], r);
          if (sign) {
            AppendInt(out, v > 0 ? 1 : (v < 0 ? -1 : 0));
            return Status::Ok();
          }
          if (v == lo) {
            return InvalidArgument("Value " + std::to_string(v) + " is out of range for abs(" +
                                   name + ")");
          }
          AppendInt(out, v < 0 ? -v : v);
          return Status::Ok();
        });
      });
    }
  }
}

// A per-thread generator, seeded once per thread from the OS.
tarn::Random& ThreadRandom() {
  thread_local tarn::Random random(std::random_device{}() ^
                                   (static_cast<uint64_t>(std::random_device{}()) << 32));
  return random;
}

Result<BoundPtr> BindRandom(const ScalarBinding& b) {
  if (b.arg_types.empty()) {
    return MakeScalar(
        DoubleType(),
        [](Args, size_t rows, Column* out) {
          out->Reserve(rows);
          for (size_t r = 0; r < rows; ++r) out->AppendDouble(ThreadRandom().Uniform01());
          return Status::Ok();
        },
        /*deterministic=*/false);
  }
  if (b.arg_types.size() != 1 || !IsInteger(b.arg_types[0])) return BoundPtr();
  return MakeScalar(
      b.arg_types[0],
      [](Args args, size_t rows, Column* out) {
        return MapRows(args, rows, out, [&](size_t r) -> Status {
          const int64_t bound = IntAt(*args[0], r);
          if (bound <= 0) return InvalidArgument("bound must be positive");
          AppendInt(out,
                    static_cast<int64_t>(ThreadRandom().UniformInt(static_cast<uint64_t>(bound))));
          return Status::Ok();
        });
      },
      /*deterministic=*/false);
}

FunctionDef Def(std::vector<std::string> names, std::vector<std::string> signatures, BindFn bind) {
  return FunctionDef{std::move(names), std::move(signatures), std::move(bind)};
}

FunctionDef ArithmeticDef(const char* name, ArithOp op) {
  return Def({name}, {}, [op](const ScalarBinding& b) { return BindArithmetic(op, b); });
}

}  // namespace

void AddMathFunctions(std::vector<FunctionDef>* defs) {
  defs->push_back(ArithmeticDef("$add", ArithOp::kAdd));
  defs->push_back(ArithmeticDef("$subtract", ArithOp::kSubtract));
  defs->push_back(ArithmeticDef("$multiply", ArithOp::kMultiply));
  defs->push_back(ArithmeticDef("$divide", ArithOp::kDivide));
  defs->push_back(ArithmeticDef("$modulus", ArithOp::kModulus));
  defs->push_back(Def({"$negate"}, {}, BindNegate));
  defs->push_back(Def({"mod"},
                      {"mod(tinyint, tinyint)", "mod(smallint, smallint)", "mod(integer, integer)",
                       "mod(bigint, bigint)",
                       "mod(decimal(a_precision,a_scale), "
                       "decimal(b_precision,b_scale))",
                       "mod(real, real)", "mod(double, double)"},
                      [](const ScalarBinding& b) { return BindArithmetic(ArithOp::kModulus, b); }));
  const std::vector<std::string> numeric = {"tinyint",      "smallint", "integer", "bigint",
                                            "decimal(p,s)", "real",     "double"};
  auto signatures = [&](const std::string& name, const std::string& extra) {
    std::vector<std::string> out;
    for (const std::string& t : numeric) out.push_back(name + "(" + t + extra + ")");
    return out;
  };
  std::vector<std::string> round_signatures = signatures("round", "");
  for (const std::string& s : signatures("round", ", integer")) round_signatures.push_back(s);
  defs->push_back(Def({"round"}, round_signatures,
                      [](const ScalarBinding& b) { return BindRounding(RoundMode::kRound, b); }));
  defs->push_back(Def({"floor"}, signatures("floor", ""), [](const ScalarBinding& b) {
    return b.arg_types.size() == 1 ? BindRounding(RoundMode::kFloor, b) : BoundPtr();
  }));
  defs->push_back(Def({"ceil", "ceiling"}, signatures("ceil", ""), [](const ScalarBinding& b) {
    return b.arg_types.size() == 1 ? BindRounding(RoundMode::kCeil, b) : BoundPtr();
  }));
  defs->push_back(
      Def({"truncate"}, {"truncate(double)", "truncate(decimal(p,s))", "truncate(double, integer)"},
          [](const ScalarBinding& b) { return BindRounding(RoundMode::kTruncate, b); }));
  defs->push_back(Def({"abs"}, signatures("abs", ""),
                      [](const ScalarBinding& b) { return BindAbsOrSign(false, b); }));
  defs->push_back(Def({"sign"}, signatures("sign", ""),
                      [](const ScalarBinding& b) { return BindAbsOrSign(true, b); }));
  defs->push_back(DoubleFunction("sqrt", [](double v) { return std::sqrt(v); }));
  defs->push_back(DoubleFunction("cbrt", [](double v) { return std::cbrt(v); }));
  defs->push_back(DoubleFunction("ln", [](double v) { return std::log(v); }));
  defs->push_back(DoubleFunction("log2", [](double v) { return std::log2(v); }));
  defs->push_back(DoubleFunction("log10", [](double v) { return std::log10(v); }));
  defs->push_back(DoubleFunction("exp", [](double v) { return std::exp(v); }));
  defs->push_back(
      Def({"is_nan"}, {"is_nan(double)"}, [](const ScalarBinding& b) -> Result<BoundPtr> {
        if (b.arg_types.size() != 1 || !AcceptsDouble(b.arg_types[0])) return BoundPtr();
        return MakeScalar(BooleanType(), [](Args args, size_t rows, Column* out) {
          return MapRows(args, rows, out,
                         [&](size_t r) { out->AppendBool(std::isnan(DoubleAt(*args[0], r))); });
        });
      }));
  defs->push_back(Def(
      {"power", "pow"}, {"power(double, double)"}, [](const ScalarBinding& b) -> Result<BoundPtr> {
        if (b.arg_types.size() != 2 || !AcceptsDouble(b.arg_types[0]) ||
            !AcceptsDouble(b.arg_types[1])) {
          return BoundPtr();
        }
        return MakeScalar(DoubleType(), [](Args args, size_t rows, Column* out) {
          return MapRows(args, rows, out, [&](size_t r) {
            out->AppendDouble(std::pow(DoubleAt(*args[0], r), DoubleAt(*args[1], r)));
          });
        });
      }));
  defs->push_back(Def({"random", "rand"}, {"random()", "random(bigint)"}, BindRandom));
  for (const auto& [name, value] : std::vector<std::pair<std::string, double>>{
           {"pi", M_PI}, {"e", M_E}, {"infinity", INFINITY}, {"nan", NAN}}) {
    const double v = value;
    defs->push_back(Def({name}, {name + "()"}, [v](const ScalarBinding& b) -> Result<BoundPtr> {
      if (!b.arg_types.empty()) return BoundPtr();
      return MakeScalar(DoubleType(), [v](Args, size_t rows, Column* out) {
        out->Reserve(rows);
        for (size_t r = 0; r < rows; ++r) out->AppendDouble(v);
        return Status::Ok();
      });
    }));
  }
}

}  // namespace tarn::sql::functions_internal
