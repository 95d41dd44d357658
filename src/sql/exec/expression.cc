#include "sql/exec/expression.h"

#include <fmt/format.h>

#include <algorithm>

namespace tarn::sql {
namespace {

// An argument vector: the batch's own column, or one computed into `storage`.
struct Argument {
  Column storage;
  const Column* column = nullptr;
};

Status EvaluateArgument(const BoundExpr& expr, const Batch& batch, Argument* argument) {
  if (expr.kind == BoundExpr::Kind::kColumn) {
    argument->column = &batch.columns[static_cast<size_t>(expr.column)];
    return Status::Ok();
  }
  argument->storage = Column::Make(expr.type);
  TARN_RETURN_IF_ERROR(Evaluate(expr, batch, &argument->storage));
  argument->column = &argument->storage;
  return Status::Ok();
}

Column BooleanColumn(size_t rows) {
  Column out = Column::Make(BooleanType());
  out.valid.assign(rows, 1);
  out.b8.assign(rows, 0);
  return out;
}

// The batch's rows at `rows`.
Batch SubBatch(const Batch& batch, const std::vector<uint32_t>& rows) {
  Batch sub;
  sub.rows = rows.size();
  sub.columns.reserve(batch.columns.size());
  for (const Column& column : batch.columns) {
    sub.columns.push_back(Gather(column, rows.data(), rows.size()));
  }
  return sub;
}

// Builds a column of `rows` rows where row r comes from pieces[source[r]] at its next row.
Column Assemble(const DataType& type, size_t rows, const std::vector<Column>& pieces,
                const std::vector<int>& source) {
  Column out = Column::Make(type);
  out.Reserve(rows);
  std::vector<size_t> next(pieces.size(), 0);
  for (size_t r = 0; r < rows; ++r) {
    const int piece = source[r];
    if (piece < 0) {
      out.AppendNull();
    } else {
      AppendRow(pieces[static_cast<size_t>(piece)], next[static_cast<size_t>(piece)]++, &out);
    }
  }
  return out;
}

Status EvaluateCase(const BoundExpr& expr, const Batch& batch, Column* out) {
  const size_t branches = expr.children.size() / 2;
  std::vector<int> source(batch.rows, -1);
  std::vector<Column> pieces;
  std::vector<uint32_t> remaining(batch.rows);
  for (size_t r = 0; r < batch.rows; ++r) remaining[r] = static_cast<uint32_t>(r);
  for (size_t b = 0; b < branches && !remaining.empty(); ++b) {
    const bool whole = remaining.size() == batch.rows;
    Batch sub = whole ? Batch() : SubBatch(batch, remaining);
    const Batch& input = whole ? batch : sub;
    Column condition = Column::Make(BooleanType());
    TARN_RETURN_IF_ERROR(Evaluate(*expr.children[2 * b], input, &condition));
    std::vector<uint32_t> taken, rest, taken_local;
    for (size_t i = 0; i < remaining.size(); ++i) {
      if (condition.valid[i] && condition.b8[i]) {
        taken.push_back(remaining[i]);
        taken_local.push_back(static_cast<uint32_t>(i));
      } else {
        rest.push_back(remaining[i]);
      }
    }
    if (!taken.empty()) {
      Batch chosen = taken.size() == input.rows ? Batch() : SubBatch(input, taken_local);
      Column value = Column::Make(expr.type);
      TARN_RETURN_IF_ERROR(
          Evaluate(*expr.children[2 * b + 1], taken.size() == input.rows ? input : chosen, &value));
      for (uint32_t row : taken) source[row] = static_cast<int>(pieces.size());
      pieces.push_back(std::move(value));
    }
    remaining.swap(rest);
  }
  if (expr.has_else && !remaining.empty()) {
    Batch sub = remaining.size() == batch.rows ? Batch() : SubBatch(batch, remaining);
    Column value = Column::Make(expr.type);
    TARN_RETURN_IF_ERROR(
        Evaluate(*expr.children.back(), remaining.size() == batch.rows ? batch : sub, &value));
    for (uint32_t row : remaining) source[row] = static_cast<int>(pieces.size());
    pieces.push_back(std::move(value));
  }
  if (pieces.size() == 1 &&
      std::all_of(source.begin(), source.end(), [](int s) { return s == 0; })) {
    *out = std::move(pieces[0]);
    return Status::Ok();
  }
  *out = Assemble(expr.type, batch.rows, pieces, source);
  return Status::Ok();
}

Status EvaluateCoalesce(const BoundExpr& expr, const Batch& batch, Column* out) {
  std::vector<int> source(batch.rows, -1);
  std::vector<Column> pieces;
  std::vector<uint32_t> remaining(batch.rows);
  for (size_t r = 0; r < batch.rows; ++r) remaining[r] = static_cast<uint32_t>(r);
  for (const ExprPtr& child : expr.children) {
    if (remaining.empty()) break;
    const bool whole = remaining.size() == batch.rows;
    Batch sub = whole ? Batch() : SubBatch(batch, remaining);
    Column value = Column::Make(expr.type);
    TARN_RETURN_IF_ERROR(Evaluate(*child, whole ? batch : sub, &value));
    std::vector<uint32_t> rest;
    std::vector<uint32_t> kept;
    for (size_t i = 0; i < remaining.size(); ++i) {
      if (value.valid[i]) {
        source[remaining[i]] = static_cast<int>(pieces.size());
        kept.push_back(static_cast<uint32_t>(i));
      } else {
        rest.push_back(remaining[i]);
      }
    }
    if (!kept.empty()) {
      pieces.push_back(kept.size() == value.size() ? std::move(value)
                                                   : Gather(value, kept.data(), kept.size()));
    }
    remaining.swap(rest);
  }
  *out = Assemble(expr.type, batch.rows, pieces, source);
  return Status::Ok();
}

Status EvaluateLogical(const BoundExpr& expr, const Batch& batch, Column* out) {
  const bool is_and = expr.kind == BoundExpr::Kind::kAnd;
  // Start from the identity (TRUE for AND, FALSE for OR) and fold each child in.
  Column result = BooleanColumn(batch.rows);
  if (is_and) std::fill(result.b8.begin(), result.b8.end(), 1);
  for (const ExprPtr& child : expr.children) {
    Argument argument;
    TARN_RETURN_IF_ERROR(EvaluateArgument(*child, batch, &argument));
    const Column& value = *argument.column;
    for (size_t r = 0; r < batch.rows; ++r) {
      const bool v_null = value.valid[r] == 0;
      const bool v = !v_null && value.b8[r] != 0;
      const bool r_null = result.valid[r] == 0;
      const bool cur = !r_null && result.b8[r] != 0;
      if (is_and) {
        // FALSE wins; else NULL if either is NULL; else TRUE.
        if ((!r_null && !cur) || (!v_null && !v)) {
          result.valid[r] = 1;
          result.b8[r] = 0;
        } else if (r_null || v_null) {
          result.valid[r] = 0;
          result.b8[r] = 0;
        } else {
          result.valid[r] = 1;
          result.b8[r] = 1;
        }
      } else {
        // TRUE wins; else NULL if either is NULL; else FALSE.
        if ((!r_null && cur) || (!v_null && v)) {
          result.valid[r] = 1;
          result.b8[r] = 1;
        } else if (r_null || v_null) {
          result.valid[r] = 0;
          result.b8[r] = 0;
        } else {
          result.valid[r] = 1;
          result.b8[r] = 0;
        }
      }
    }
  }
  *out = std::move(result);
  return Status::Ok();
}

Status EvaluateTry(const BoundExpr& expr, const Batch& batch, Column* out) {
  Column value = Column::Make(expr.type);
  Status whole = Evaluate(*expr.children[0], batch, &value);
  if (whole.ok()) {
    *out = std::move(value);
    return Status::Ok();
  }
  if (whole.code() != StatusCode::kInvalidArgument) return whole;  // Not a data error.
  // Row by row: the rows that fail become NULL.
  Column result = Column::Make(expr.type);
  result.Reserve(batch.rows);
  for (size_t r = 0; r < batch.rows; ++r) {
    Batch one = SubBatch(batch, {static_cast<uint32_t>(r)});
    Column row = Column::Make(expr.type);
    Status status = Evaluate(*expr.children[0], one, &row);
    if (status.ok()) {
      AppendRow(row, 0, &result);
    } else if (status.code() == StatusCode::kInvalidArgument) {
      result.AppendNull();
    } else {
      return status;
    }
  }
  *out = std::move(result);
  return Status::Ok();
}

}  // namespace

ExprPtr MakeColumnRef(int column, DataType type, std::string text) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kColumn;
  expr->column = column;
  expr->type = std::move(type);
  expr->text = std::move(text);
  return expr;
}

ExprPtr MakeConstant(Column value, std::string text) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kConstant;
  expr->type = value.type;
  expr->constant = std::move(value);
  expr->text = std::move(text);
  return expr;
}

ExprPtr MakeCall(std::string name, std::shared_ptr<const BoundScalar> function,
                 std::vector<ExprPtr> children, std::string text) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = BoundExpr::Kind::kCall;
  expr->function_name = std::move(name);
  expr->type = function->type();
  expr->function = std::move(function);
  expr->children = std::move(children);
  expr->text = std::move(text);
  return expr;
}

ExprPtr MakeLogical(BoundExpr::Kind kind, std::vector<ExprPtr> children, std::string text) {
  auto expr = std::make_shared<BoundExpr>();
  expr->kind = kind;
  expr->type = BooleanType();
  expr->children = std::move(children);
  expr->text = std::move(text);
  return expr;
}

Status Evaluate(const BoundExpr& expr, const Batch& batch, Column* out) {
  switch (expr.kind) {
    case BoundExpr::Kind::kColumn:
      *out = batch.columns[static_cast<size_t>(expr.column)];
      return Status::Ok();
    case BoundExpr::Kind::kConstant:
      *out = Broadcast(expr.constant, 0, batch.rows);
      return Status::Ok();
    case BoundExpr::Kind::kCall: {
      std::vector<Argument> arguments(expr.children.size());
      std::vector<const Column*> pointers(expr.children.size());
      for (size_t i = 0; i < expr.children.size(); ++i) {
        TARN_RETURN_IF_ERROR(EvaluateArgument(*expr.children[i], batch, &arguments[i]));
        pointers[i] = arguments[i].column;
      }
      *out = Column::Make(expr.type);
      return expr.function->Evaluate(pointers, batch.rows, out);
    }
    case BoundExpr::Kind::kAnd:
    case BoundExpr::Kind::kOr:
      return EvaluateLogical(expr, batch, out);
    case BoundExpr::Kind::kNot: {
      Argument argument;
      TARN_RETURN_IF_ERROR(EvaluateArgument(*expr.children[0], batch, &argument));
      Column result = *argument.column;
      for (size_t r = 0; r < batch.rows; ++r) result.b8[r] = result.valid[r] ? !result.b8[r] : 0;
      *out = std::move(result);
      return Status::Ok();
    }
    case BoundExpr::Kind::kIsNull: {
      Argument argument;
      TARN_RETURN_IF_ERROR(EvaluateArgument(*expr.children[0], batch, &argument));
      Column result = BooleanColumn(batch.rows);
      for (size_t r = 0; r < batch.rows; ++r) result.b8[r] = argument.column->valid[r] == 0;
      *out = std::move(result);
      return Status::Ok();
    }
    case BoundExpr::Kind::kCase:
      return EvaluateCase(expr, batch, out);
    case BoundExpr::Kind::kCoalesce:
      return EvaluateCoalesce(expr, batch, out);
    case BoundExpr::Kind::kTry:
      return EvaluateTry(expr, batch, out);
  }
  return Internal("unknown expression kind");
}

Status EvaluateFilter(const BoundExpr& expr, const Batch& batch, std::vector<uint32_t>* rows) {
  rows->clear();
  Argument argument;
  TARN_RETURN_IF_ERROR(EvaluateArgument(expr, batch, &argument));
  const Column& value = *argument.column;
  for (size_t r = 0; r < batch.rows; ++r) {
    if (value.valid[r] && value.b8[r]) rows->push_back(static_cast<uint32_t>(r));
  }
  return Status::Ok();
}

ExprPtr FoldConstants(const ExprPtr& expr) {
  if (expr->kind == BoundExpr::Kind::kColumn || expr->kind == BoundExpr::Kind::kConstant) {
    return expr;
  }
  auto folded = std::make_shared<BoundExpr>(*expr);
  bool all_constant = true;
  for (ExprPtr& child : folded->children) {
    child = FoldConstants(child);
    all_constant = all_constant && child->is_constant();
  }
  if (!all_constant) return folded;
  if (folded->kind == BoundExpr::Kind::kCall && !folded->function->deterministic()) return folded;
  Batch one;
  one.rows = 1;
  Column value = Column::Make(folded->type);
  if (!Evaluate(*folded, one, &value).ok()) return folded;  // The error happens at run time.
  return MakeConstant(std::move(value), folded->text);
}

}  // namespace tarn::sql
