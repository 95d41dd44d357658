// Scalar functions of the query engine (docs/query-engine.md, "Functions"), with Trino's
// argument rules and NULL behaviour. A function is looked up by lower-case name and bound to
// the types of its arguments (and to the values of arguments that are constants, so that a
// regular expression, JSON path or date format is compiled once). The bound function then
// evaluates whole vectors: one virtual call per batch, a plain loop over rows inside.
//
// Thread-safety: a BoundScalar is immutable after binding; Evaluate is const and may run on
// several threads at once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sql/types.h"

namespace tarn::sql {

class BoundScalar {
 public:
  virtual ~BoundScalar() = default;
  // The result type.
  virtual const DataType& type() const = 0;
  // Fills `out` (made empty of type() by the caller) with `rows` rows computed from `args`,
  // each exactly `rows` rows long. Errors are runtime errors of the query, worded as Trino's
  // (e.g. "Invalid format: \"x\" ..."), kInvalidArgument.
  virtual Status Evaluate(std::span<const Column* const> args, size_t rows, Column* out) const = 0;
  // False for functions whose value changes between calls with the same arguments (now()).
  virtual bool deterministic() const { return true; }
};

struct ScalarBinding {
  std::vector<DataType> arg_types;
  // For each argument, its value when it is a constant (a 1-row Column), else nullptr.
  std::vector<const Column*> constants;
  int64_t query_start_micros = 0;  // For now(), current_date: one instant per query.
};

// Binds `name` (lower case) to the arguments. kNotFound "Function 'x' not registered" for an
// unknown name; kInvalidArgument for arguments it does not take, worded as Trino:
// "Unexpected parameters (varchar, integer) for function date_trunc. Expected: date_trunc(varchar(x), date), date_trunc(varchar(x), timestamp(p))".
Result<std::unique_ptr<BoundScalar>> BindScalarFunction(std::string_view name,
                                                        const ScalarBinding& binding);

// Whether `name` is a scalar function (for the binder's error messages).
bool IsScalarFunction(std::string_view name);

// Casts: CAST(x AS type) semantics of Trino (varchar to number/date/timestamp/boolean parsing,
// number to varchar formatting, numeric widening and narrowing with range checks, timestamp to
// date, date to timestamp). kInvalidArgument "Cannot cast varchar to integer" when no cast exists.
// A value that cannot be converted is a runtime error ("Cannot cast 'abc' to INT") from Evaluate;
// TRY_CAST is CAST under TRY (the engine's TRY turns a row's error into NULL).
Result<std::unique_ptr<BoundScalar>> BindCast(const DataType& from, const DataType& to);

}  // namespace tarn::sql
