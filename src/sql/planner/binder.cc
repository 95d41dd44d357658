#include "sql/planner/binder.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "common/civil_time.h"
#include "sql/functions/aggregate.h"
#include "sql/functions/scalar.h"

namespace tarn::sql {
namespace {

Status Error(std::string_view code, const AstPosition& pos, std::string_view message) {
  return InvalidArgument(fmt::format("{}: line {}:{}: {}", code, pos.line, pos.column, message));
}

struct ScopeColumn {
  std::string qualifier;  // Table alias or name; empty for derived columns without one.
  std::string name;
  DataType type;
  bool hidden = false;  // "$path": only by name, not in *.
};

struct Scope {
  std::vector<ScopeColumn> columns;
};

// A bound relation or query: its plan, its columns' names and the scope it opens.
struct Bound {
  PlanPtr plan;
  std::vector<std::string> names;
};

bool IsNullConstant(const BoundExpr& expr) {
  return expr.kind == BoundExpr::Kind::kConstant && expr.constant.size() == 1 &&
         expr.constant.is_null(0);
}

// Whether output `column` of `plan` is always NULL because the query wrote a bare NULL there
// (such a column coerces to any type, as a NULL literal does).
bool IsNullOutput(const PlanNode& plan, size_t column) {
  switch (plan.kind) {
    case PlanNode::Kind::kProject:
      return column < plan.expressions.size() && IsNullConstant(*plan.expressions[column]);
    case PlanNode::Kind::kValues:
      for (const Batch& batch : plan.rows) {
        if (column >= batch.columns.size()) return false;
        for (size_t r = 0; r < batch.rows; ++r) {
          if (!batch.columns[column].is_null(r)) return false;
        }
      }
      return true;
    case PlanNode::Kind::kFilter:
    case PlanNode::Kind::kSort:
    case PlanNode::Kind::kLimit:
      return IsNullOutput(*plan.children[0], column);
    case PlanNode::Kind::kUnionAll:
      for (const PlanPtr& child : plan.children) {
        if (!IsNullOutput(*child, column)) return false;
      }
      return true;
    default:
      return false;
  }
}

// What aggregate binding knows of the grouped query.
struct AggregateScope {
  std::map<std::string, int> keys;        // ToString of a GROUP BY expression -> key index.
  std::map<std::string, int> aggregates;  // ToString of an aggregate call -> its index.
  std::vector<DataType> key_types;
  std::vector<DataType> aggregate_types;
};

class Binder {
 public:
  explicit Binder(const BinderOptions& options) : options_(options) {}

  Result<Bound> Query(const AstQuery& query);

 private:
  using CteMap = std::map<std::string, const AstWithQuery*>;

  Result<Bound> Body(const AstQueryBody& body, const std::vector<AstOrderItem>* order_by,
                     bool* ordered);
  Result<Bound> Select(const AstSelect& select, const std::vector<AstOrderItem>* order_by);
  Result<Bound> Values(const AstValues& values, const AstPosition& pos);
  Result<Bound> Relation(const AstRelation& relation, Scope* scope);
  Result<Bound> Table(const AstRelation& relation, const AstTableRef& ref, Scope* scope);

  // Expressions over `scope`; with `grouped`, over a grouped query's keys and aggregates.
  Result<ExprPtr> Expr(const AstExpr& expr, const Scope& scope, const AggregateScope* grouped);
  Result<ExprPtr> Literal(const AstLiteral& literal, const AstPosition& pos);
  Result<ExprPtr> ColumnReference(const AstColumnRef& ref, const AstPosition& pos,
                                  const Scope& scope);
  Result<ExprPtr> Binary(const AstExpr& node, const AstBinary& binary, const Scope& scope,
                         const AggregateScope* grouped);
  Result<ExprPtr> Call(const AstExpr& node, const AstFunctionCall& call, const Scope& scope,
                       const AggregateScope* grouped);
  Result<ExprPtr> Function(std::string_view name, std::vector<ExprPtr> args, const AstPosition& pos,
                           std::string text);
  Result<ExprPtr> Compare(std::string_view op, ExprPtr left, ExprPtr right, const AstPosition& pos,
                          std::string text);
  Result<ExprPtr> Coerce(ExprPtr expr, const DataType& type, const AstPosition& pos);
  Result<DataType> Common(const std::vector<ExprPtr>& exprs, const AstPosition& pos,
                          std::string_view what);

  // Collects the aggregate calls of `expr` (not nested in one another).
  void FindAggregates(const AstExpr& expr, std::vector<const AstExpr*>* out);

  const BinderOptions& options_;
  std::vector<CteMap> ctes_;
  int depth_ = 0;
};

// ---- Queries.

Result<Bound> Binder::Query(const AstQuery& query) {
  if (++depth_ > kMaxAstHeight) return InvalidArgument("query nested too deeply");
  CteMap ctes;
  for (const AstWithQuery& with : query.with) {
    if (ctes.contains(with.name.name)) {
      return Error("SYNTAX_ERROR", with.pos,
                   fmt::format("WITH query name '{}' specified more than once", with.name.name));
    }
    ctes[with.name.name] = &with;
  }
  ctes_.push_back(std::move(ctes));
  bool ordered = false;
  Result<Bound> body =
      Body(*query.body, query.order_by.empty() ? nullptr : &query.order_by, &ordered);
  ctes_.pop_back();
  --depth_;
  if (!body.ok()) return body.status();
  if (!query.order_by.empty() && !ordered) {
    // ORDER BY over a set operation or VALUES: by output name or ordinal.
    std::vector<SortKey> keys;
    for (const AstOrderItem& item : query.order_by) {
      int column = -1;
      if (const AstLiteral* literal = item.expr->As<AstLiteral>();
          literal != nullptr &&
          (literal->kind == AstLiteralKind::kInteger || literal->kind == AstLiteralKind::kBigint)) {
        column = static_cast<int>(literal->integer) - 1;
      } else if (const AstColumnRef* ref = item.expr->As<AstColumnRef>();
                 ref != nullptr && ref->parts.size() == 1) {
        for (size_t i = 0; i < body->names.size(); ++i) {
          if (body->names[i] == ref->parts[0]) column = static_cast<int>(i);
        }
      }
      if (column < 0 || column >= static_cast<int>(body->names.size())) {
        return Error("NOT_SUPPORTED", item.expr->pos,
                     "ORDER BY of a set operation must name an output column or its ordinal");
      }
      keys.push_back({column, item.descending, item.nulls == AstNullsOrder::kFirst});
    }
    auto sort = std::make_unique<PlanNode>();
    sort->kind = PlanNode::Kind::kSort;
    sort->types = body->plan->types;
    sort->sort_keys = std::move(keys);
    sort->children.push_back(std::move(body->plan));
    body->plan = std::move(sort);
  }
  if (query.limit || query.offset) {
    auto limit = std::make_unique<PlanNode>();
    limit->kind = PlanNode::Kind::kLimit;
    limit->types = body->plan->types;
    limit->offset = static_cast<uint64_t>(query.offset.value_or(0));
    if (query.limit) limit->limit = static_cast<uint64_t>(*query.limit);
    limit->children.push_back(std::move(body->plan));
    body->plan = std::move(limit);
  }
  return body;
}

Result<Bound> Binder::Body(const AstQueryBody& body, const std::vector<AstOrderItem>* order_by,
                           bool* ordered) {
  if (const AstSelect* select = body.As<AstSelect>()) {
    *ordered = order_by != nullptr;
    return Select(*select, order_by);
  }
  if (const AstValues* values = body.As<AstValues>()) return Values(*values, body.pos);
  if (const AstNestedQuery* nested = body.As<AstNestedQuery>()) return Query(*nested->query);
  const AstSetOperation& set = *body.As<AstSetOperation>();
  if (set.kind != AstSetOpKind::kUnion) {
    return Error("NOT_SUPPORTED", body.pos, "INTERSECT and EXCEPT are not supported yet");
  }
  bool unused = false;
  TARN_ASSIGN_OR_RETURN(Bound left, Body(*set.left, nullptr, &unused));
  TARN_ASSIGN_OR_RETURN(Bound right, Body(*set.right, nullptr, &unused));
  if (left.plan->types.size() != right.plan->types.size()) {
    return Error("TYPE_MISMATCH", body.pos,
                 fmt::format("UNION query has different number of fields: {}, {}",
                             left.plan->types.size(), right.plan->types.size()));
  }
  // Both sides become the common types, column by column.
  std::vector<ExprPtr> left_cols, right_cols;
  bool cast = false;
  for (size_t i = 0; i < left.plan->types.size(); ++i) {
    const DataType& a = left.plan->types[i];
    const DataType& b = right.plan->types[i];
    ExprPtr l = MakeColumnRef(static_cast<int>(i), a, left.names[i]);
    ExprPtr r = MakeColumnRef(static_cast<int>(i), b, right.names[i]);
    const ExprPtr null_left = MakeConstant(Nulls(a, 1), "NULL");
    const ExprPtr null_right = MakeConstant(Nulls(b, 1), "NULL");
    TARN_ASSIGN_OR_RETURN(DataType common, Common({IsNullOutput(*left.plan, i) ? null_left : l,
                                                   IsNullOutput(*right.plan, i) ? null_right : r},
                                                  body.pos, "UNION column"));
    TARN_ASSIGN_OR_RETURN(l, Coerce(l, common, body.pos));
    TARN_ASSIGN_OR_RETURN(r, Coerce(r, common, body.pos));
    cast = cast || !SameType(a, common) || !SameType(b, common);
    left_cols.push_back(l);
    right_cols.push_back(r);
  }
  if (cast) {
    left.plan = MakeProjectNode(std::move(left.plan), left_cols);
    right.plan = MakeProjectNode(std::move(right.plan), right_cols);
  }
  auto node = std::make_unique<PlanNode>();
  node->kind = PlanNode::Kind::kUnionAll;
  node->types = left.plan->types;
  node->children.push_back(std::move(left.plan));
  node->children.push_back(std::move(right.plan));
  Bound out{std::move(node), left.names};
  if (!set.all) {
    // UNION DISTINCT: group by every column.
    auto distinct = std::make_unique<PlanNode>();
    distinct->kind = PlanNode::Kind::kAggregate;
    distinct->types = out.plan->types;
    for (size_t i = 0; i < distinct->types.size(); ++i)
      distinct->keys.push_back(static_cast<int>(i));
    distinct->children.push_back(std::move(out.plan));
    out.plan = std::move(distinct);
  }
  return out;
}

Result<Bound> Binder::Values(const AstValues& values, const AstPosition& pos) {
  Scope empty;
  std::vector<std::vector<ExprPtr>> rows;
  for (const auto& row : values.rows) {
    std::vector<ExprPtr> bound;
    for (const AstExprPtr& e : row) {
      TARN_ASSIGN_OR_RETURN(ExprPtr b, Expr(*e, empty, nullptr));
      b = FoldConstants(b);
      if (!b->is_constant()) {
        return Error("NOT_SUPPORTED", e->pos, "VALUES takes constant expressions only");
      }
      bound.push_back(std::move(b));
    }
    if (!rows.empty() && bound.size() != rows[0].size()) {
      return Error("SYNTAX_ERROR", pos, "VALUES rows have different numbers of columns");
    }
    rows.push_back(std::move(bound));
  }
  std::vector<DataType> types;
  for (size_t c = 0; c < rows[0].size(); ++c) {
    std::vector<ExprPtr> column;
    for (const auto& row : rows) column.push_back(row[c]);
    TARN_ASSIGN_OR_RETURN(DataType common, Common(column, pos, "VALUES column"));
    types.push_back(common);
  }
  Batch batch;
  batch.rows = rows.size();
  for (size_t c = 0; c < types.size(); ++c) {
    Column column = Column::Make(types[c]);
    for (const auto& row : rows) {
      TARN_ASSIGN_OR_RETURN(ExprPtr value, Coerce(row[c], types[c], pos));
      value = FoldConstants(value);
      if (!value->is_constant()) {
        Batch one;
        one.rows = 1;
        Column v = Column::Make(types[c]);
        TARN_RETURN_IF_ERROR(Evaluate(*value, one, &v));
        AppendRow(v, 0, &column);
      } else {
        AppendRow(value->constant, 0, &column);
      }
    }
    batch.columns.push_back(std::move(column));
  }
  auto node = std::make_unique<PlanNode>();
  node->kind = PlanNode::Kind::kValues;
  node->types = types;
  node->rows.push_back(std::move(batch));
  Bound out{std::move(node), {}};
  for (size_t c = 0; c < types.size(); ++c) out.names.push_back(fmt::format("_col{}", c));
  return out;
}

Result<Bound> Binder::Table(const AstRelation& relation, const AstTableRef& ref, Scope* scope) {
  const std::string qualifier = relation.alias.empty() ? ref.name : relation.alias.name;
  // A CTE, innermost first, when the name has no database.
  if (ref.database.empty()) {
    for (size_t level = ctes_.size(); level-- > 0;) {
      auto it = ctes_[level].find(ref.name);
      if (it == ctes_[level].end()) continue;
      const AstWithQuery& with = *it->second;
      // The CTE sees the CTEs before it (in its WITH and the enclosing ones).
      std::vector<CteMap> saved(ctes_.begin() + static_cast<ptrdiff_t>(level) + 1, ctes_.end());
      ctes_.resize(level + 1);
      CteMap visible;
      for (const auto& [name, w] : ctes_[level]) {
        if (w->pos.line < with.pos.line ||
            (w->pos.line == with.pos.line && w->pos.column < with.pos.column)) {
          visible[name] = w;
        }
      }
      std::swap(ctes_[level], visible);
      Result<Bound> bound = Query(*with.query);
      std::swap(ctes_[level], visible);
      for (CteMap& m : saved) ctes_.push_back(std::move(m));
      if (!bound.ok()) return bound.status();
      if (!with.columns.empty()) {
        if (with.columns.size() != bound->names.size()) {
          return Error("SYNTAX_ERROR", with.pos,
                       fmt::format("WITH column alias list has {} entries but WITH query has {} "
                                   "columns",
                                   with.columns.size(), bound->names.size()));
        }
        for (size_t i = 0; i < with.columns.size(); ++i) bound->names[i] = with.columns[i].name;
      }
      for (size_t i = 0; i < bound->names.size(); ++i) {
        scope->columns.push_back({qualifier, bound->names[i], bound->plan->types[i], false});
      }
      return bound;
    }
  }
  const std::string database = ref.database.empty() ? options_.default_database : ref.database;
  Result<catalog::TableDefinition> table = options_.catalog->GetTable(database, ref.name);
  if (!table.ok()) {
    if (table.status().code() == StatusCode::kNotFound) {
      return Error("TABLE_NOT_FOUND", relation.pos,
                   fmt::format("Table 'awsdatacatalog.{}.{}' does not exist", database, ref.name));
    }
    return table.status();
  }
  auto info = std::make_shared<ScanTable>();
  info->definition = std::move(*table);
  info->data_columns = info->definition.columns.size();
  info->partition_columns = info->definition.partition_keys.size();
  auto node = std::make_unique<PlanNode>();
  node->kind = PlanNode::Kind::kScan;
  Bound out;
  for (const catalog::Column& column : info->definition.columns) {
    node->types.push_back(column.type);
    scope->columns.push_back({qualifier, column.name, column.type, false});
    out.names.push_back(column.name);
  }
  for (const catalog::Column& column : info->definition.partition_keys) {
    node->types.push_back(column.type);
    scope->columns.push_back({qualifier, column.name, column.type, false});
    out.names.push_back(column.name);
  }
  node->types.push_back(VarcharType());
  scope->columns.push_back({qualifier, "$path", VarcharType(), true});
  out.names.push_back("$path");
  node->table = std::move(info);
  out.plan = std::move(node);
  return out;
}

Result<Bound> Binder::Relation(const AstRelation& relation, Scope* scope) {
  if (const AstTableRef* ref = relation.As<AstTableRef>()) return Table(relation, *ref, scope);
  if (const AstSubqueryRelation* sub = relation.As<AstSubqueryRelation>()) {
    TARN_ASSIGN_OR_RETURN(Bound bound, Query(*sub->query));
    if (!relation.column_aliases.empty()) {
      if (relation.column_aliases.size() != bound.names.size()) {
        return Error("SYNTAX_ERROR", relation.pos, "column alias list does not match the columns");
      }
      for (size_t i = 0; i < bound.names.size(); ++i) {
        bound.names[i] = relation.column_aliases[i].name;
      }
    }
    for (size_t i = 0; i < bound.names.size(); ++i) {
      scope->columns.push_back({relation.alias.name, bound.names[i], bound.plan->types[i], false});
    }
    return bound;
  }
  return Error("NOT_SUPPORTED", relation.pos, "joins and UNNEST are not supported yet");
}

void Binder::FindAggregates(const AstExpr& expr, std::vector<const AstExpr*>* out) {
  if (const AstFunctionCall* call = expr.As<AstFunctionCall>();
      call != nullptr && IsAggregateFunction(call->name)) {
    out->push_back(&expr);
    return;
  }
  const auto visit = [&](const AstExprPtr& child) {
    if (child) FindAggregates(*child, out);
  };
  std::visit(
      [&](const auto& node) {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, AstUnary>) {
          visit(node.operand);
        } else if constexpr (std::is_same_v<T, AstBinary>) {
          visit(node.left);
          visit(node.right);
        } else if constexpr (std::is_same_v<T, AstIsNull>) {
          visit(node.operand);
        } else if constexpr (std::is_same_v<T, AstBetween>) {
          visit(node.operand);
          visit(node.low);
          visit(node.high);
        } else if constexpr (std::is_same_v<T, AstInList>) {
          visit(node.operand);
          for (const AstExprPtr& e : node.list) visit(e);
        } else if constexpr (std::is_same_v<T, AstLike>) {
          visit(node.operand);
          visit(node.pattern);
          visit(node.escape);
        } else if constexpr (std::is_same_v<T, AstFunctionCall>) {
          for (const AstExprPtr& e : node.args) visit(e);
        } else if constexpr (std::is_same_v<T, AstCast>) {
          visit(node.operand);
        } else if constexpr (std::is_same_v<T, AstCase>) {
          visit(node.operand);
          for (const AstWhen& w : node.whens) {
            visit(w.condition);
            visit(w.result);
          }
          visit(node.else_result);
        } else if constexpr (std::is_same_v<T, AstExtract>) {
          visit(node.operand);
        }
      },
      expr.node);
}

Result<Bound> Binder::Select(const AstSelect& select, const std::vector<AstOrderItem>* order_by) {
  // FROM.
  Scope scope;
  Bound from;
  if (select.from.empty()) {
    auto values = std::make_unique<PlanNode>();
    values->kind = PlanNode::Kind::kValues;
    Batch one;
    one.rows = 1;
    values->rows.push_back(std::move(one));
    from.plan = std::move(values);
  } else {
    if (select.from.size() > 1) {
      return Error("NOT_SUPPORTED", select.from[1]->pos, "joins are not supported yet");
    }
    TARN_ASSIGN_OR_RETURN(from, Relation(*select.from[0], &scope));
  }
  PlanPtr plan = std::move(from.plan);
  // WHERE.
  if (select.where) {
    std::vector<const AstExpr*> aggregates;
    FindAggregates(*select.where, &aggregates);
    if (!aggregates.empty()) {
      return Error("SYNTAX_ERROR", aggregates[0]->pos,
                   "WHERE clause cannot contain aggregations or window functions");
    }
    TARN_ASSIGN_OR_RETURN(ExprPtr where, Expr(*select.where, scope, nullptr));
    if (!IsNullConstant(*where) && where->type.kind != TypeKind::kBoolean) {
      return Error("TYPE_MISMATCH", select.where->pos,
                   fmt::format("WHERE clause must evaluate to a boolean: actual type {}",
                               SqlTypeName(where->type)));
    }
    plan = MakeFilterNode(std::move(plan), FoldConstants(where));
  }

  // Is this a grouped query?
  std::vector<const AstExpr*> aggregate_calls;
  for (const AstSelectItem& item : select.items) {
    if (item.expr) FindAggregates(*item.expr, &aggregate_calls);
  }
  if (select.having) FindAggregates(*select.having, &aggregate_calls);
  if (order_by != nullptr) {
    for (const AstOrderItem& item : *order_by) FindAggregates(*item.expr, &aggregate_calls);
  }
  const bool grouped = !select.group_by.empty() || !aggregate_calls.empty() || select.having;
  AggregateScope aggregate_scope;
  Scope output_scope;  // For a grouped query, expressions are bound against the groups.
  if (grouped) {
    std::vector<ExprPtr> pre;  // Keys, then aggregate arguments.
    for (const AstExprPtr& key : select.group_by) {
      const AstExpr* expr = key.get();
      if (const AstLiteral* literal = key->As<AstLiteral>();
          literal != nullptr &&
          (literal->kind == AstLiteralKind::kInteger || literal->kind == AstLiteralKind::kBigint)) {
        const int64_t ordinal = literal->integer;
        if (ordinal < 1 || ordinal > static_cast<int64_t>(select.items.size()) ||
            select.items[static_cast<size_t>(ordinal - 1)].star) {
          return Error("SYNTAX_ERROR", key->pos,
                       fmt::format("GROUP BY position {} is not in select list", ordinal));
        }
        expr = select.items[static_cast<size_t>(ordinal - 1)].expr.get();
      }
      const std::string text = ToString(*expr);
      if (aggregate_scope.keys.contains(text)) continue;
      std::vector<const AstExpr*> inner;
      FindAggregates(*expr, &inner);
      if (!inner.empty()) {
        return Error("SYNTAX_ERROR", key->pos, "GROUP BY clause cannot contain aggregations");
      }
      TARN_ASSIGN_OR_RETURN(ExprPtr bound, Expr(*expr, scope, nullptr));
      aggregate_scope.keys[text] = static_cast<int>(pre.size());
      aggregate_scope.key_types.push_back(bound->type);
      pre.push_back(FoldConstants(bound));
    }
    const size_t key_count = pre.size();
    std::vector<AggregateCall> calls;
    for (const AstExpr* node : aggregate_calls) {
      const std::string text = ToString(*node);
      if (aggregate_scope.aggregates.contains(text)) continue;
      const AstFunctionCall& call = *node->As<AstFunctionCall>();
      std::vector<ExprPtr> args;
      for (const AstExprPtr& arg : call.args) {
        std::vector<const AstExpr*> nested;
        FindAggregates(*arg, &nested);
        if (!nested.empty()) {
          return Error("SYNTAX_ERROR", arg->pos,
                       "Cannot nest aggregations inside aggregation '" + call.name + "'");
        }
        TARN_ASSIGN_OR_RETURN(ExprPtr bound, Expr(*arg, scope, nullptr));
        args.push_back(FoldConstants(bound));
      }
      std::string name = call.name;
      if (call.filter) {
        // agg(x) FILTER (WHERE c) is agg(CASE WHEN c THEN x END); count(*) counts a constant.
        TARN_ASSIGN_OR_RETURN(ExprPtr condition, Expr(*call.filter, scope, nullptr));
        if (call.star) {
          Column one = Column::Make(IntegerType());
          one.AppendInt32(1);
          args.push_back(MakeConstant(std::move(one), "1"));
          name = "count";
        }
        for (ExprPtr& arg : args) {
          auto when = std::make_shared<BoundExpr>();
          when->kind = BoundExpr::Kind::kCase;
          when->type = arg->type;
          when->children = {condition, arg};
          when->text = "FILTER";
          arg = when;
        }
      }
      AggregateBinding binding;
      binding.distinct = call.distinct;
      std::vector<Column> constants;
      for (const ExprPtr& arg : args) {
        binding.arg_types.push_back(arg->type);
        binding.constants.push_back(arg->is_constant() ? &arg->constant : nullptr);
      }
      Result<std::unique_ptr<AggregateFactory>> factory = BindAggregateFunction(name, binding);
      if (!factory.ok()) {
        return Error(factory.status().code() == StatusCode::kNotFound ? "FUNCTION_NOT_FOUND"
                                                                      : "TYPE_MISMATCH",
                     node->pos, factory.status().message());
      }
      AggregateCall bound_call;
      bound_call.distinct = call.distinct;
      for (ExprPtr& arg : args) {
        bound_call.arguments.push_back(static_cast<int>(pre.size()));
        pre.push_back(std::move(arg));
      }
      aggregate_scope.aggregate_types.push_back((*factory)->type());
      bound_call.factory = std::move(*factory);
      aggregate_scope.aggregates[text] = static_cast<int>(calls.size());
      calls.push_back(std::move(bound_call));
    }
    plan = MakeProjectNode(std::move(plan), std::move(pre));
    auto aggregate = std::make_unique<PlanNode>();
    aggregate->kind = PlanNode::Kind::kAggregate;
    for (size_t k = 0; k < key_count; ++k) {
      aggregate->keys.push_back(static_cast<int>(k));
      aggregate->types.push_back(aggregate_scope.key_types[k]);
    }
    for (const DataType& type : aggregate_scope.aggregate_types) aggregate->types.push_back(type);
    aggregate->aggregates = std::move(calls);
    aggregate->children.push_back(std::move(plan));
    plan = std::move(aggregate);
    if (select.having) {
      TARN_ASSIGN_OR_RETURN(ExprPtr having, Expr(*select.having, scope, &aggregate_scope));
      if (!IsNullConstant(*having) && having->type.kind != TypeKind::kBoolean) {
        return Error("TYPE_MISMATCH", select.having->pos,
                     fmt::format("HAVING clause must evaluate to a boolean: actual type {}",
                                 SqlTypeName(having->type)));
      }
      plan = MakeFilterNode(std::move(plan), FoldConstants(having));
    }
  }
  const AggregateScope* grouping = grouped ? &aggregate_scope : nullptr;

  // The select list.
  std::vector<ExprPtr> outputs;
  std::vector<std::string> names;
  std::vector<std::string> texts;  // ToString of each item's expression, for ORDER BY.
  for (const AstSelectItem& item : select.items) {
    if (item.star) {
      if (grouped) {
        return Error("SYNTAX_ERROR", item.pos,
                     "SELECT * is not allowed in a query with GROUP BY or aggregates");
      }
      bool any = false;
      for (size_t c = 0; c < scope.columns.size(); ++c) {
        const ScopeColumn& column = scope.columns[c];
        if (column.hidden) continue;
        if (!item.qualifier.empty() && column.qualifier != item.qualifier.back()) continue;
        outputs.push_back(MakeColumnRef(static_cast<int>(c), column.type, column.name));
        names.push_back(column.name);
        texts.push_back(column.name);
        any = true;
      }
      if (!any && !item.qualifier.empty()) {
        return Error("SYNTAX_ERROR", item.pos,
                     fmt::format("'{}.*' does not match any table", item.qualifier.back()));
      }
      continue;
    }
    TARN_ASSIGN_OR_RETURN(ExprPtr bound, Expr(*item.expr, scope, grouping));
    outputs.push_back(FoldConstants(bound));
    texts.push_back(ToString(*item.expr));
    if (!item.alias.empty()) {
      names.push_back(item.alias.name);  // Athena shows result columns lower-cased.
    } else if (const AstColumnRef* ref = item.expr->As<AstColumnRef>()) {
      names.push_back(ref->parts.back());
    } else {
      names.push_back(fmt::format("_col{}", item.index));
    }
  }
  const size_t visible = outputs.size();

  // ORDER BY: output names and ordinals first, then expressions of the select list, then
  // anything the query's input has (as hidden columns, dropped after sorting).
  std::vector<SortKey> sort_keys;
  if (order_by != nullptr) {
    for (const AstOrderItem& item : *order_by) {
      int column = -1;
      if (const AstLiteral* literal = item.expr->As<AstLiteral>();
          literal != nullptr &&
          (literal->kind == AstLiteralKind::kInteger || literal->kind == AstLiteralKind::kBigint)) {
        if (literal->integer < 1 || literal->integer > static_cast<int64_t>(visible)) {
          return Error("SYNTAX_ERROR", item.expr->pos,
                       fmt::format("ORDER BY position {} is not in select list", literal->integer));
        }
        column = static_cast<int>(literal->integer - 1);
      } else if (const AstColumnRef* ref = item.expr->As<AstColumnRef>();
                 ref != nullptr && ref->parts.size() == 1) {
        for (size_t i = 0; i < visible; ++i) {
          if (names[i] == ref->parts[0]) {
            if (column >= 0 && texts[static_cast<size_t>(column)] != texts[i]) {
              return Error("SYNTAX_ERROR", item.expr->pos,
                           fmt::format("Column '{}' is ambiguous", ref->parts[0]));
            }
            column = static_cast<int>(i);
          }
        }
      }
      if (column < 0) {
        const std::string text = ToString(*item.expr);
        for (size_t i = 0; i < visible && column < 0; ++i) {
          if (texts[i] == text) column = static_cast<int>(i);
        }
      }
      if (column < 0) {
        if (select.distinct) {
          return Error("SYNTAX_ERROR", item.expr->pos,
                       "For SELECT DISTINCT, ORDER BY expressions must appear in select list");
        }
        TARN_ASSIGN_OR_RETURN(ExprPtr bound, Expr(*item.expr, scope, grouping));
        column = static_cast<int>(outputs.size());
        outputs.push_back(FoldConstants(bound));
      }
      sort_keys.push_back({column, item.descending, item.nulls == AstNullsOrder::kFirst});
    }
  }
  plan = MakeProjectNode(std::move(plan), outputs);
  if (select.distinct) {
    auto distinct = std::make_unique<PlanNode>();
    distinct->kind = PlanNode::Kind::kAggregate;
    distinct->types = plan->types;
    for (size_t i = 0; i < distinct->types.size(); ++i)
      distinct->keys.push_back(static_cast<int>(i));
    distinct->children.push_back(std::move(plan));
    plan = std::move(distinct);
  }
  if (!sort_keys.empty()) {
    auto sort = std::make_unique<PlanNode>();
    sort->kind = PlanNode::Kind::kSort;
    sort->types = plan->types;
    sort->sort_keys = std::move(sort_keys);
    sort->children.push_back(std::move(plan));
    plan = std::move(sort);
  }
  if (outputs.size() > visible) {
    std::vector<ExprPtr> kept;
    for (size_t i = 0; i < visible; ++i) {
      kept.push_back(MakeColumnRef(static_cast<int>(i), outputs[i]->type, names[i]));
    }
    plan = MakeProjectNode(std::move(plan), std::move(kept));
  }
  return Bound{std::move(plan), std::move(names)};
}

// ---- Expressions.

Result<ExprPtr> Binder::Coerce(ExprPtr expr, const DataType& type, const AstPosition& pos) {
  if (SameType(expr->type, type)) return expr;
  if (IsNullConstant(*expr)) return MakeConstant(Nulls(type, 1), expr->text);
  Result<std::unique_ptr<BoundScalar>> cast = BindCast(expr->type, type);
  if (!cast.ok()) {
    return Error("TYPE_MISMATCH", pos,
                 fmt::format("Cannot cast {} to {}", SqlTypeName(expr->type), SqlTypeName(type)));
  }
  std::string text = expr->text;
  return FoldConstants(MakeCall("$cast", std::move(*cast), {std::move(expr)}, std::move(text)));
}

Result<DataType> Binder::Common(const std::vector<ExprPtr>& exprs, const AstPosition& pos,
                                std::string_view what) {
  std::optional<DataType> common;
  for (const ExprPtr& e : exprs) {
    if (IsNullConstant(*e)) continue;
    if (!common) {
      common = e->type;
      continue;
    }
    std::optional<DataType> next = CommonSuperType(*common, e->type);
    if (!next) {
      return Error("TYPE_MISMATCH", pos,
                   fmt::format("All {} values must be the same type or coercible to a common "
                               "type. Cannot find common type between {} and {}",
                               what, SqlTypeName(*common), SqlTypeName(e->type)));
    }
    common = *next;
  }
  return common.value_or(VarcharType());
}

Result<ExprPtr> Binder::Function(std::string_view name, std::vector<ExprPtr> args,
                                 const AstPosition& pos, std::string text) {
  ScalarBinding binding;
  binding.query_start_micros = options_.query_start_micros;
  for (const ExprPtr& arg : args) {
    binding.arg_types.push_back(arg->type);
    binding.constants.push_back(arg->is_constant() ? &arg->constant : nullptr);
  }
  Result<std::unique_ptr<BoundScalar>> bound = BindScalarFunction(name, binding);
  if (!bound.ok()) {
    return Error(
        bound.status().code() == StatusCode::kNotFound ? "FUNCTION_NOT_FOUND" : "TYPE_MISMATCH",
        pos, bound.status().message());
  }
  return MakeCall(std::string(name), std::move(*bound), std::move(args), std::move(text));
}

Result<ExprPtr> Binder::Compare(std::string_view op, ExprPtr left, ExprPtr right,
                                const AstPosition& pos, std::string text) {
  if (!SameType(left->type, right->type)) {
    std::optional<DataType> common = IsNullConstant(*left) ? right->type
                                     : IsNullConstant(*right)
                                         ? left->type
                                         : CommonSuperType(left->type, right->type);
    if (!common) {
      static const std::map<std::string_view, std::string_view> kSymbols = {
          {"$eq", "="},
          {"$ne", "<>"},
          {"$lt", "<"},
          {"$le", "<="},
          {"$gt", ">"},
          {"$ge", ">="},
          {"$is_distinct_from", "IS DISTINCT FROM"}};
      auto symbol = kSymbols.find(op);
      return Error(
          "TYPE_MISMATCH", pos,
          fmt::format("Cannot apply operator: {} {} {}", SqlTypeName(left->type),
                      symbol == kSymbols.end() ? op : symbol->second, SqlTypeName(right->type)));
    }
    TARN_ASSIGN_OR_RETURN(left, Coerce(left, *common, pos));
    TARN_ASSIGN_OR_RETURN(right, Coerce(right, *common, pos));
  }
  return Function(op, {std::move(left), std::move(right)}, pos, std::move(text));
}

Result<ExprPtr> Binder::Literal(const AstLiteral& literal, const AstPosition& pos) {
  Column value;
  std::string text;
  switch (literal.kind) {
    case AstLiteralKind::kNull:
      value = Nulls(VarcharType(), 1);
      text = "NULL";
      break;
    case AstLiteralKind::kBoolean:
      value = Column::Make(BooleanType());
      value.AppendBool(literal.boolean);
      text = literal.boolean ? "true" : "false";
      break;
    case AstLiteralKind::kInteger:
      value = Column::Make(IntegerType());
      value.AppendInt32(static_cast<int32_t>(literal.integer));
      text = std::to_string(literal.integer);
      break;
    case AstLiteralKind::kBigint:
      value = Column::Make(BigintType());
      value.AppendInt64(literal.integer);
      text = std::to_string(literal.integer);
      break;
    case AstLiteralKind::kDouble:
      value = Column::Make(DoubleType());
      value.AppendDouble(literal.real);
      text = literal.text;
      break;
    case AstLiteralKind::kDecimal: {
      // Precision: the digits written; scale: those after the point.
      std::string digits;
      int scale = 0;
      bool negative = false, point = false;
      for (char c : literal.text) {
        if (c == '-') {
          negative = true;
        } else if (c == '.') {
          point = true;
        } else if (c >= '0' && c <= '9') {
          digits.push_back(c);
          if (point) ++scale;
        }
      }
      while (digits.size() > 1 && digits[0] == '0' && static_cast<int>(digits.size()) > scale) {
        digits.erase(digits.begin());
      }
      const int precision = std::max<int>(static_cast<int>(digits.size()), std::max(scale, 1));
      if (precision > 38) {
        return Error("INVALID_LITERAL", pos, fmt::format("Decimal overflow: {}", literal.text));
      }
      __int128 unscaled = 0;
      for (char c : digits) unscaled = unscaled * 10 + (c - '0');
      if (negative) unscaled = -unscaled;
      value = Column::Make(DecimalType(precision, scale));
      if (precision > formats::kMaxDecimal64Digits) {
        value.AppendInt128(unscaled);
      } else {
        value.AppendInt64(static_cast<int64_t>(unscaled));
      }
      text = literal.text;
      break;
    }
    case AstLiteralKind::kString:
      value = Column::Make(VarcharType());
      value.AppendBytes(literal.text);
      text = "'" + literal.text + "'";
      break;
    case AstLiteralKind::kDate: {
      Result<int64_t> micros = ParseTimestamp(literal.text);
      if (!micros.ok() || literal.text.size() != 10) {
        return Error("INVALID_LITERAL", pos,
                     fmt::format("'{}' is not a valid DATE literal", literal.text));
      }
      value = Column::Make(DateType());
      value.AppendInt32(static_cast<int32_t>(*micros / 86'400'000'000LL));
      text = "DATE '" + literal.text + "'";
      break;
    }
    case AstLiteralKind::kTimestamp: {
      Result<int64_t> micros = ParseTimestamp(literal.text);
      if (!micros.ok()) {
        return Error("INVALID_LITERAL", pos,
                     fmt::format("'{}' is not a valid TIMESTAMP literal", literal.text));
      }
      value = Column::Make(TimestampType());
      value.AppendInt64(*micros);
      text = "TIMESTAMP '" + literal.text + "'";
      break;
    }
    case AstLiteralKind::kBinary:
    case AstLiteralKind::kInterval:
      return Error("NOT_SUPPORTED", pos,
                   literal.kind == AstLiteralKind::kInterval
                       ? "INTERVAL values are supported only in date and timestamp arithmetic "
                         "(x + INTERVAL '1' DAY)"
                       : "binary literals are not supported");
  }
  return MakeConstant(std::move(value), std::move(text));
}

Result<ExprPtr> Binder::ColumnReference(const AstColumnRef& ref, const AstPosition& pos,
                                        const Scope& scope) {
  const std::string name = ref.parts.back();
  const std::string qualifier = ref.parts.size() >= 2 ? ref.parts[ref.parts.size() - 2] : "";
  int found = -1;
  for (size_t c = 0; c < scope.columns.size(); ++c) {
    const ScopeColumn& column = scope.columns[c];
    if (column.name != name || (!qualifier.empty() && column.qualifier != qualifier)) continue;
    if (found >= 0) {
      return Error("AMBIGUOUS_NAME", pos, fmt::format("Column '{}' is ambiguous", name));
    }
    found = static_cast<int>(c);
  }
  if (found < 0) {
    std::string written;
    for (size_t i = 0; i < ref.parts.size(); ++i) written += (i ? "." : "") + ref.parts[i];
    return Error("COLUMN_NOT_FOUND", pos, fmt::format("Column '{}' cannot be resolved", written));
  }
  return MakeColumnRef(found, scope.columns[static_cast<size_t>(found)].type, name);
}

std::string_view IntervalUnit(AstIntervalField field) {
  switch (field) {
    case AstIntervalField::kYear:
      return "year";
    case AstIntervalField::kMonth:
      return "month";
    case AstIntervalField::kDay:
      return "day";
    case AstIntervalField::kHour:
      return "hour";
    case AstIntervalField::kMinute:
      return "minute";
    case AstIntervalField::kSecond:
      return "second";
  }
  return "day";
}

Result<ExprPtr> Binder::Binary(const AstExpr& node, const AstBinary& binary, const Scope& scope,
                               const AggregateScope* grouped) {
  const std::string text = ToString(node);
  // x + INTERVAL 'n' unit, x - INTERVAL 'n' unit, INTERVAL 'n' unit + x: date_add.
  if (binary.op == AstBinaryOp::kAdd || binary.op == AstBinaryOp::kSubtract) {
    const AstLiteral* right = binary.right->As<AstLiteral>();
    const AstLiteral* left = binary.left->As<AstLiteral>();
    const bool right_interval = right != nullptr && right->kind == AstLiteralKind::kInterval;
    const bool left_interval = left != nullptr && left->kind == AstLiteralKind::kInterval &&
                               binary.op == AstBinaryOp::kAdd;
    if (right_interval || left_interval) {
      const AstLiteral& interval = right_interval ? *right : *left;
      const AstExpr& other = right_interval ? *binary.left : *binary.right;
      if (interval.interval_from != interval.interval_to) {
        return Error("NOT_SUPPORTED", node.pos, "INTERVAL ... TO ... is not supported");
      }
      int64_t amount = 0;
      const std::string& digits = interval.text;
      if (std::from_chars(digits.data(), digits.data() + digits.size(), amount).ec != std::errc() ||
          std::to_string(amount) != digits) {
        return Error("INVALID_LITERAL", node.pos,
                     fmt::format("'{}' is not a valid INTERVAL {}", digits,
                                 IntervalFieldName(interval.interval_from)));
      }
      if (interval.interval_negative) amount = -amount;
      if (binary.op == AstBinaryOp::kSubtract) amount = -amount;
      TARN_ASSIGN_OR_RETURN(ExprPtr value, Expr(other, scope, grouped));
      Column unit = Column::Make(VarcharType());
      unit.AppendBytes(IntervalUnit(interval.interval_from));
      Column n = Column::Make(BigintType());
      n.AppendInt64(amount);
      return Function("date_add",
                      {MakeConstant(std::move(unit), "unit"), MakeConstant(std::move(n), "n"),
                       std::move(value)},
                      node.pos, text);
    }
  }
  TARN_ASSIGN_OR_RETURN(ExprPtr left, Expr(*binary.left, scope, grouped));
  TARN_ASSIGN_OR_RETURN(ExprPtr right, Expr(*binary.right, scope, grouped));
  switch (binary.op) {
    case AstBinaryOp::kOr:
    case AstBinaryOp::kAnd: {
      for (ExprPtr* side : {&left, &right}) {
        if (IsNullConstant(**side)) {
          *side = MakeConstant(Nulls(BooleanType(), 1), "NULL");
        } else if ((*side)->type.kind != TypeKind::kBoolean) {
          return Error("TYPE_MISMATCH", node.pos,
                       fmt::format("{} must evaluate to a boolean: actual type {}",
                                   binary.op == AstBinaryOp::kAnd ? "AND" : "OR",
                                   SqlTypeName((*side)->type)));
        }
      }
      return MakeLogical(
          binary.op == AstBinaryOp::kAnd ? BoundExpr::Kind::kAnd : BoundExpr::Kind::kOr,
          {std::move(left), std::move(right)}, text);
    }
    case AstBinaryOp::kEqual:
      return Compare("$eq", left, right, node.pos, text);
    case AstBinaryOp::kNotEqual:
      return Compare("$ne", left, right, node.pos, text);
    case AstBinaryOp::kLess:
      return Compare("$lt", left, right, node.pos, text);
    case AstBinaryOp::kLessEqual:
      return Compare("$le", left, right, node.pos, text);
    case AstBinaryOp::kGreater:
      return Compare("$gt", left, right, node.pos, text);
    case AstBinaryOp::kGreaterEqual:
      return Compare("$ge", left, right, node.pos, text);
    case AstBinaryOp::kIsDistinctFrom:
      return Compare("$is_distinct_from", left, right, node.pos, text);
    case AstBinaryOp::kIsNotDistinctFrom: {
      TARN_ASSIGN_OR_RETURN(ExprPtr distinct,
                            Compare("$is_distinct_from", left, right, node.pos, text));
      return MakeLogical(BoundExpr::Kind::kNot, {distinct}, text);
    }
    case AstBinaryOp::kConcat:
      return Function("concat", {left, right}, node.pos, text);
    default:
      break;
  }
  static const std::map<AstBinaryOp, std::string_view> kArithmetic = {
      {AstBinaryOp::kAdd, "$add"},
      {AstBinaryOp::kSubtract, "$subtract"},
      {AstBinaryOp::kMultiply, "$multiply"},
      {AstBinaryOp::kDivide, "$divide"},
      {AstBinaryOp::kModulo, "$modulus"}};
  const std::string_view op = kArithmetic.at(binary.op);
  // Mixed numeric types meet at their common type, as Trino coerces them.
  if (!SameType(left->type, right->type) && (IsNumeric(left->type) || IsNullConstant(*left)) &&
      (IsNumeric(right->type) || IsNullConstant(*right)) && left->type.kind != TypeKind::kDecimal &&
      right->type.kind != TypeKind::kDecimal) {
    TARN_ASSIGN_OR_RETURN(DataType common, Common({left, right}, node.pos, "operand"));
    TARN_ASSIGN_OR_RETURN(left, Coerce(left, common, node.pos));
    TARN_ASSIGN_OR_RETURN(right, Coerce(right, common, node.pos));
  }
  return Function(op, {left, right}, node.pos, text);
}

Result<ExprPtr> Binder::Call(const AstExpr& node, const AstFunctionCall& call, const Scope& scope,
                             const AggregateScope* grouped) {
  const std::string text = ToString(node);
  if (IsAggregateFunction(call.name)) {
    if (grouped != nullptr) {
      auto it = grouped->aggregates.find(text);
      if (it != grouped->aggregates.end()) {
        const int column = static_cast<int>(grouped->keys.size()) + it->second;
        return MakeColumnRef(column, grouped->aggregate_types[static_cast<size_t>(it->second)],
                             text);
      }
    }
    return Error("SYNTAX_ERROR", node.pos,
                 fmt::format("Aggregate function '{}' is not allowed here", call.name));
  }
  if (call.distinct || call.star || call.filter) {
    return Error("SYNTAX_ERROR", node.pos,
                 fmt::format("DISTINCT, * and FILTER apply to aggregate functions only, not to "
                             "'{}'",
                             call.name));
  }
  std::vector<ExprPtr> args;
  for (const AstExprPtr& arg : call.args) {
    TARN_ASSIGN_OR_RETURN(ExprPtr bound, Expr(*arg, scope, grouped));
    args.push_back(std::move(bound));
  }
  const auto needs = [&](size_t low, size_t high) -> Status {
    if (args.size() < low || args.size() > high) {
      return Error("FUNCTION_NOT_FOUND", node.pos,
                   fmt::format("Unexpected number of arguments ({}) for function {}", args.size(),
                               call.name));
    }
    return Status::Ok();
  };
  if (call.name == "try") {
    TARN_RETURN_IF_ERROR(needs(1, 1));
    auto expr = std::make_shared<BoundExpr>();
    expr->kind = BoundExpr::Kind::kTry;
    expr->type = args[0]->type;
    expr->children = std::move(args);
    expr->text = text;
    return ExprPtr(expr);
  }
  if (call.name == "if") {
    TARN_RETURN_IF_ERROR(needs(2, 3));
    std::vector<ExprPtr> values(args.begin() + 1, args.end());
    TARN_ASSIGN_OR_RETURN(DataType type, Common(values, node.pos, "IF"));
    auto expr = std::make_shared<BoundExpr>();
    expr->kind = BoundExpr::Kind::kCase;
    expr->type = type;
    ExprPtr condition = args[0];
    if (IsNullConstant(*condition)) condition = MakeConstant(Nulls(BooleanType(), 1), "NULL");
    if (condition->type.kind != TypeKind::kBoolean) {
      return Error("TYPE_MISMATCH", node.pos, "IF condition must be boolean");
    }
    TARN_ASSIGN_OR_RETURN(ExprPtr then, Coerce(args[1], type, node.pos));
    expr->children = {condition, then};
    if (args.size() == 3) {
      TARN_ASSIGN_OR_RETURN(ExprPtr otherwise, Coerce(args[2], type, node.pos));
      expr->children.push_back(otherwise);
      expr->has_else = true;
    }
    expr->text = text;
    return ExprPtr(expr);
  }
  if (call.name == "coalesce") {
    TARN_RETURN_IF_ERROR(needs(1, 1000));
    TARN_ASSIGN_OR_RETURN(DataType type, Common(args, node.pos, "COALESCE"));
    auto expr = std::make_shared<BoundExpr>();
    expr->kind = BoundExpr::Kind::kCoalesce;
    expr->type = type;
    for (ExprPtr& arg : args) {
      TARN_ASSIGN_OR_RETURN(ExprPtr coerced, Coerce(arg, type, node.pos));
      expr->children.push_back(coerced);
    }
    expr->text = text;
    return ExprPtr(expr);
  }
  if (call.name == "nullif") {
    TARN_RETURN_IF_ERROR(needs(2, 2));
    TARN_ASSIGN_OR_RETURN(ExprPtr equal, Compare("$eq", args[0], args[1], node.pos, text));
    auto expr = std::make_shared<BoundExpr>();
    expr->kind = BoundExpr::Kind::kCase;
    expr->type = args[0]->type;
    expr->children = {equal, MakeConstant(Nulls(args[0]->type, 1), "NULL"), args[0]};
    expr->has_else = true;
    expr->text = text;
    return ExprPtr(expr);
  }
  return Function(call.name, std::move(args), node.pos, text);
}

Result<ExprPtr> Binder::Expr(const AstExpr& node, const Scope& scope,
                             const AggregateScope* grouped) {
  if (grouped != nullptr) {
    auto key = grouped->keys.find(ToString(node));
    if (key != grouped->keys.end()) {
      return MakeColumnRef(key->second, grouped->key_types[static_cast<size_t>(key->second)],
                           ToString(node));
    }
  }
  const std::string text = ToString(node);
  if (const AstLiteral* literal = node.As<AstLiteral>()) return Literal(*literal, node.pos);
  if (const AstColumnRef* ref = node.As<AstColumnRef>()) {
    if (grouped != nullptr) {
      return Error("SYNTAX_ERROR", node.pos,
                   fmt::format("'{}' must be an aggregate expression or appear in GROUP BY "
                               "clause",
                               text));
    }
    return ColumnReference(*ref, node.pos, scope);
  }
  if (const AstUnary* unary = node.As<AstUnary>()) {
    TARN_ASSIGN_OR_RETURN(ExprPtr operand, Expr(*unary->operand, scope, grouped));
    switch (unary->op) {
      case AstUnaryOp::kNot:
        if (IsNullConstant(*operand)) operand = MakeConstant(Nulls(BooleanType(), 1), "NULL");
        if (operand->type.kind != TypeKind::kBoolean) {
          return Error("TYPE_MISMATCH", node.pos,
                       fmt::format("NOT must evaluate to a boolean: actual type {}",
                                   SqlTypeName(operand->type)));
        }
        return MakeLogical(BoundExpr::Kind::kNot, {operand}, text);
      case AstUnaryOp::kMinus:
        return Function("$negate", {operand}, node.pos, text);
      case AstUnaryOp::kPlus:
        return operand;
    }
  }
  if (const AstBinary* binary = node.As<AstBinary>()) return Binary(node, *binary, scope, grouped);
  if (const AstIsNull* is_null = node.As<AstIsNull>()) {
    TARN_ASSIGN_OR_RETURN(ExprPtr operand, Expr(*is_null->operand, scope, grouped));
    auto expr = std::make_shared<BoundExpr>();
    expr->kind = BoundExpr::Kind::kIsNull;
    expr->type = BooleanType();
    expr->children = {operand};
    expr->text = text;
    if (!is_null->negated) return ExprPtr(expr);
    return MakeLogical(BoundExpr::Kind::kNot, {expr}, text);
  }
  if (const AstBetween* between = node.As<AstBetween>()) {
    TARN_ASSIGN_OR_RETURN(ExprPtr operand, Expr(*between->operand, scope, grouped));
    TARN_ASSIGN_OR_RETURN(ExprPtr low, Expr(*between->low, scope, grouped));
    TARN_ASSIGN_OR_RETURN(ExprPtr high, Expr(*between->high, scope, grouped));
    TARN_ASSIGN_OR_RETURN(DataType type, Common({operand, low, high}, node.pos, "BETWEEN"));
    TARN_ASSIGN_OR_RETURN(operand, Coerce(operand, type, node.pos));
    TARN_ASSIGN_OR_RETURN(low, Coerce(low, type, node.pos));
    TARN_ASSIGN_OR_RETURN(high, Coerce(high, type, node.pos));
    TARN_ASSIGN_OR_RETURN(ExprPtr ge, Compare("$ge", operand, low, node.pos, text));
    TARN_ASSIGN_OR_RETURN(ExprPtr le, Compare("$le", operand, high, node.pos, text));
    ExprPtr both = MakeLogical(BoundExpr::Kind::kAnd, {ge, le}, text);
    if (!between->negated) return both;
    return MakeLogical(BoundExpr::Kind::kNot, {both}, text);
  }
  if (const AstInList* in = node.As<AstInList>()) {
    TARN_ASSIGN_OR_RETURN(ExprPtr operand, Expr(*in->operand, scope, grouped));
    std::vector<ExprPtr> values{operand};
    for (const AstExprPtr& e : in->list) {
      TARN_ASSIGN_OR_RETURN(ExprPtr v, Expr(*e, scope, grouped));
      values.push_back(std::move(v));
    }
    TARN_ASSIGN_OR_RETURN(DataType type, Common(values, node.pos, "IN"));
    TARN_ASSIGN_OR_RETURN(operand, Coerce(operand, type, node.pos));
    std::vector<ExprPtr> equals;
    for (size_t i = 1; i < values.size(); ++i) {
      TARN_ASSIGN_OR_RETURN(ExprPtr v, Coerce(values[i], type, node.pos));
      TARN_ASSIGN_OR_RETURN(ExprPtr eq, Compare("$eq", operand, v, node.pos, text));
      equals.push_back(std::move(eq));
    }
    ExprPtr any = equals.size() == 1 ? equals[0] : MakeLogical(BoundExpr::Kind::kOr, equals, text);
    if (!in->negated) return any;
    return MakeLogical(BoundExpr::Kind::kNot, {any}, text);
  }
  if (const AstLike* like = node.As<AstLike>()) {
    std::vector<ExprPtr> args;
    TARN_ASSIGN_OR_RETURN(ExprPtr operand, Expr(*like->operand, scope, grouped));
    TARN_ASSIGN_OR_RETURN(ExprPtr pattern, Expr(*like->pattern, scope, grouped));
    args = {operand, pattern};
    if (like->escape) {
      TARN_ASSIGN_OR_RETURN(ExprPtr escape, Expr(*like->escape, scope, grouped));
      args.push_back(escape);
    }
    TARN_ASSIGN_OR_RETURN(ExprPtr match, Function("$like", std::move(args), node.pos, text));
    if (!like->negated) return match;
    return MakeLogical(BoundExpr::Kind::kNot, {match}, text);
  }
  if (const AstFunctionCall* call = node.As<AstFunctionCall>()) {
    return Call(node, *call, scope, grouped);
  }
  if (const AstCast* cast = node.As<AstCast>()) {
    TARN_ASSIGN_OR_RETURN(ExprPtr operand, Expr(*cast->operand, scope, grouped));
    ExprPtr converted;
    if (IsNullConstant(*operand)) {
      converted = MakeConstant(Nulls(cast->type.type, 1), text);
    } else if (SameType(operand->type, cast->type.type) && cast->type.text != "json") {
      converted = operand;
    } else {
      Result<std::unique_ptr<BoundScalar>> bound = BindCast(operand->type, cast->type.type);
      if (!bound.ok()) {
        return Error(
            "TYPE_MISMATCH", node.pos,
            fmt::format("Cannot cast {} to {}", SqlTypeName(operand->type), cast->type.text));
      }
      converted = MakeCall("$cast", std::move(*bound), {operand}, text);
    }
    if (!cast->is_try) return converted;
    auto expr = std::make_shared<BoundExpr>();
    expr->kind = BoundExpr::Kind::kTry;
    expr->type = converted->type;
    expr->children = {converted};
    expr->text = text;
    return ExprPtr(expr);
  }
  if (const AstCase* case_node = node.As<AstCase>()) {
    ExprPtr operand;
    if (case_node->operand) {
      TARN_ASSIGN_OR_RETURN(operand, Expr(*case_node->operand, scope, grouped));
    }
    std::vector<ExprPtr> conditions, results;
    for (const AstWhen& when : case_node->whens) {
      TARN_ASSIGN_OR_RETURN(ExprPtr condition, Expr(*when.condition, scope, grouped));
      if (operand) {
        TARN_ASSIGN_OR_RETURN(condition,
                              Compare("$eq", operand, condition, when.condition->pos, text));
      } else if (IsNullConstant(*condition)) {
        condition = MakeConstant(Nulls(BooleanType(), 1), "NULL");
      } else if (condition->type.kind != TypeKind::kBoolean) {
        return Error("TYPE_MISMATCH", when.condition->pos,
                     fmt::format("WHEN clause must evaluate to a boolean: actual type {}",
                                 SqlTypeName(condition->type)));
      }
      TARN_ASSIGN_OR_RETURN(ExprPtr result, Expr(*when.result, scope, grouped));
      conditions.push_back(std::move(condition));
      results.push_back(std::move(result));
    }
    if (case_node->else_result) {
      TARN_ASSIGN_OR_RETURN(ExprPtr otherwise, Expr(*case_node->else_result, scope, grouped));
      results.push_back(std::move(otherwise));
    }
    TARN_ASSIGN_OR_RETURN(DataType type, Common(results, node.pos, "CASE result"));
    auto expr = std::make_shared<BoundExpr>();
    expr->kind = BoundExpr::Kind::kCase;
    expr->type = type;
    for (size_t i = 0; i < conditions.size(); ++i) {
      TARN_ASSIGN_OR_RETURN(ExprPtr result, Coerce(results[i], type, node.pos));
      expr->children.push_back(conditions[i]);
      expr->children.push_back(result);
    }
    if (case_node->else_result) {
      TARN_ASSIGN_OR_RETURN(ExprPtr otherwise, Coerce(results.back(), type, node.pos));
      expr->children.push_back(otherwise);
      expr->has_else = true;
    }
    expr->text = text;
    return ExprPtr(expr);
  }
  if (const AstExtract* extract = node.As<AstExtract>()) {
    TARN_ASSIGN_OR_RETURN(ExprPtr operand, Expr(*extract->operand, scope, grouped));
    std::string field = extract->field;
    if (field == "dow") field = "day_of_week";
    if (field == "doy") field = "day_of_year";
    return Function(field, {operand}, node.pos, text);
  }
  return Error("NOT_SUPPORTED", node.pos,
               fmt::format("'{}' is not supported yet (subqueries, arrays, row fields)", text));
}

}  // namespace

Result<BoundQuery> BindQuery(const AstQuery& query, const BinderOptions& options) {
  Binder binder(options);
  TARN_ASSIGN_OR_RETURN(Bound bound, binder.Query(query));
  return BoundQuery{std::move(bound.plan), std::move(bound.names)};
}

}  // namespace tarn::sql
