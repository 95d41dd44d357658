#include "sql/planner/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "catalog/ddl_executor.h"
#include "catalog/projection.h"
#include "catalog/sqlite_catalog.h"
#include "sql/exec/scan.h"
#include "sql/functions/scalar.h"

namespace tarn::sql {
namespace {

PlanPtr Wrap(PlanPtr node, std::vector<ExprPtr> conjuncts) {
  if (conjuncts.empty()) return node;
  ExprPtr predicate = conjuncts.size() == 1
                          ? conjuncts[0]
                          : MakeLogical(BoundExpr::Kind::kAnd, std::move(conjuncts), "AND");
  return MakeFilterNode(std::move(node), std::move(predicate));
}

bool AllBelow(const BoundExpr& expr, size_t limit) {
  std::vector<bool> columns;
  CollectColumns(expr, &columns);
  for (size_t i = limit; i < columns.size(); ++i) {
    if (columns[i]) return false;
  }
  return true;
}

PlanPtr PushDown(PlanPtr node, std::vector<ExprPtr> conjuncts) {
  switch (node->kind) {
    case PlanNode::Kind::kFilter: {
      SplitConjuncts(node->predicate, &conjuncts);
      return PushDown(std::move(node->children[0]), std::move(conjuncts));
    }
    case PlanNode::Kind::kProject: {
      std::vector<ExprPtr> down, keep;
      for (ExprPtr& conjunct : conjuncts) {
        std::vector<bool> used;
        CollectColumns(*conjunct, &used);
        bool movable = IsDeterministic(*conjunct);
        for (size_t i = 0; i < used.size() && movable; ++i) {
          if (used[i] && !IsDeterministic(*node->expressions[i])) movable = false;
        }
        if (movable) {
          down.push_back(Substitute(conjunct, node->expressions));
        } else {
          keep.push_back(std::move(conjunct));
        }
      }
      node->children[0] = PushDown(std::move(node->children[0]), std::move(down));
      return Wrap(std::move(node), std::move(keep));
    }
    case PlanNode::Kind::kScan:
      for (ExprPtr& conjunct : conjuncts) node->conjuncts.push_back(std::move(conjunct));
      return node;
    case PlanNode::Kind::kSort:
      if (node->limit) break;  // A filter does not commute with top-N.
      node->children[0] = PushDown(std::move(node->children[0]), std::move(conjuncts));
      return node;
    case PlanNode::Kind::kUnionAll:
      for (PlanPtr& child : node->children) child = PushDown(std::move(child), conjuncts);
      return node;
    case PlanNode::Kind::kAggregate: {
      std::vector<ExprPtr> down, keep;
      std::vector<ExprPtr> key_columns;
      for (int key : node->keys) {
        key_columns.push_back(MakeColumnRef(key, node->children[0]->types[static_cast<size_t>(key)],
                                            fmt::format("#{}", key)));
      }
      for (ExprPtr& conjunct : conjuncts) {
        if (IsDeterministic(*conjunct) && AllBelow(*conjunct, node->keys.size())) {
          down.push_back(Substitute(conjunct, key_columns));
        } else {
          keep.push_back(std::move(conjunct));
        }
      }
      node->children[0] = PushDown(std::move(node->children[0]), std::move(down));
      return Wrap(std::move(node), std::move(keep));
    }
    default:
      break;
  }
  for (PlanPtr& child : node->children) child = PushDown(std::move(child), {});
  return Wrap(std::move(node), std::move(conjuncts));
}

void Require(PlanNode& node, std::vector<bool> required) {
  required.resize(node.types.size(), false);
  node.required = required;
  std::vector<bool> below;
  if (!node.children.empty()) below.assign(node.children[0]->types.size(), false);
  switch (node.kind) {
    case PlanNode::Kind::kScan:
      for (const ExprPtr& conjunct : node.conjuncts) CollectColumns(*conjunct, &node.required);
      node.required.resize(node.types.size(), false);
      return;
    case PlanNode::Kind::kFilter:
      below = required;
      CollectColumns(*node.predicate, &below);
      break;
    case PlanNode::Kind::kProject:
      for (size_t i = 0; i < node.expressions.size(); ++i) {
        if (required[i]) CollectColumns(*node.expressions[i], &below);
      }
      break;
    case PlanNode::Kind::kAggregate:
      for (int key : node.keys) below[static_cast<size_t>(key)] = true;
      for (const AggregateCall& call : node.aggregates) {
        for (int arg : call.arguments) below[static_cast<size_t>(arg)] = true;
      }
      break;
    case PlanNode::Kind::kSort:
      below = required;
      for (const SortKey& key : node.sort_keys) below[static_cast<size_t>(key.column)] = true;
      break;
    case PlanNode::Kind::kLimit:
    case PlanNode::Kind::kUnionAll:
      below = required;
      break;
    case PlanNode::Kind::kValues:
      return;
  }
  for (PlanPtr& child : node.children) Require(*child, below);
}

// Top-N: a limit right above a sort lets the sort keep only offset + limit rows.
void MergeTopN(PlanNode& node) {
  for (PlanPtr& child : node.children) MergeTopN(*child);
  if (node.kind == PlanNode::Kind::kLimit && node.limit &&
      node.children[0]->kind == PlanNode::Kind::kSort && !node.children[0]->limit) {
    node.children[0]->limit = node.offset + *node.limit;
  }
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool IsParquetTable(const catalog::TableDefinition& table) {
  return Lower(table.serde).find("parquet") != std::string::npos ||
         Lower(table.input_format).find("parquet") != std::string::npos;
}

bool IsJsonTable(const catalog::TableDefinition& table) {
  return Lower(table.serde).find("json") != std::string::npos;
}

// A partition's value as the key's type; a value that does not convert is NULL (as Hive
// reads it).
Column PartitionValue(const std::string& text, const DataType& type) {
  Column value = Column::Make(VarcharType());
  if (text == "__HIVE_DEFAULT_PARTITION__") {
    value.AppendNull();
  } else {
    value.AppendBytes(text);
  }
  if (IsText(type)) {
    value.type = type;
    return value;
  }
  Result<std::unique_ptr<BoundScalar>> cast = BindCast(VarcharType(), type);
  Column out = Column::Make(type);
  const Column* arg = &value;
  if (!cast.ok() || !(*cast)->Evaluate({&arg, 1}, 1, &out).ok()) return Nulls(type, 1);
  return out;
}

// What a partition conjunct says about one partition column as projection constraints:
// `col = c`, `col IN (...)` (an OR of equalities), and `col <op> c` ranges, with text or
// integer constants. Other conjuncts say nothing here; every conjunct is still evaluated on
// the partitions enumerated, so the constraints only need to keep every partition that can
// match.
void AddConstraint(const BoundExpr& conjunct, const PlanNode& node, size_t data,
                   std::map<std::string, catalog::ProjectionConstraint>* constraints) {
  const auto literal = [](const BoundExpr& e) -> std::optional<std::string> {
    if (!e.is_constant() || e.constant.is_null(0)) return std::nullopt;
    if (IsText(e.type)) return std::string(e.constant.string_at(0));
    if (IsInteger(e.type)) {
      return std::to_string(e.type.kind == TypeKind::kBigInt ? e.constant.i64[0]
                                                             : e.constant.i32[0]);
    }
    return std::nullopt;
  };
  const auto column_of = [&](const BoundExpr& e) -> std::optional<std::string> {
    if (e.kind != BoundExpr::Kind::kColumn) return std::nullopt;
    const size_t index = static_cast<size_t>(e.column);
    const size_t parts = node.table->partition_columns;
    if (index < data || index >= data + parts) return std::nullopt;
    return node.table->definition.partition_keys[index - data].name;
  };
  // An OR of equalities on one column: its values.
  if (conjunct.kind == BoundExpr::Kind::kOr) {
    std::optional<std::string> column;
    std::vector<std::string> values;
    for (const ExprPtr& child : conjunct.children) {
      if (child->kind != BoundExpr::Kind::kCall || child->function_name != "$eq") return;
      std::optional<std::string> c = column_of(*child->children[0]);
      std::optional<std::string> v = literal(*child->children[1]);
      if (!c || !v || (column && *column != *c)) return;
      column = c;
      values.push_back(*v);
    }
    if (column) (*constraints)[*column].equals = values;
    return;
  }
  if (conjunct.kind != BoundExpr::Kind::kCall || conjunct.children.size() != 2) return;
  std::string op = conjunct.function_name;
  std::optional<std::string> column = column_of(*conjunct.children[0]);
  std::optional<std::string> value = literal(*conjunct.children[1]);
  if (!column) {
    column = column_of(*conjunct.children[1]);
    value = literal(*conjunct.children[0]);
    if (op == "$lt")
      op = "$gt";
    else if (op == "$le")
      op = "$ge";
    else if (op == "$gt")
      op = "$lt";
    else if (op == "$ge")
      op = "$le";
  }
  if (!column || !value) return;
  catalog::ProjectionConstraint& constraint = (*constraints)[*column];
  if (op == "$eq") {
    if (!constraint.equals) constraint.equals = std::vector<std::string>{*value};
  } else if (op == "$gt" || op == "$ge") {
    if (!constraint.min) {
      constraint.min = *value;
      constraint.min_inclusive = op == "$ge";
    }
  } else if (op == "$lt" || op == "$le") {
    if (!constraint.max) {
      constraint.max = *value;
      constraint.max_inclusive = op == "$le";
    }
  }
}

struct Listed {
  std::vector<std::string> values;
  std::string location;
};

Result<OperatorPtr> BuildScan(PlanNode& node, const ExprPtr* fused_project_or_null,
                              const std::vector<ExprPtr>* project, const PhysicalOptions& options,
                              QueryContext* context) {
  const ScanTable& table = *node.table;
  const catalog::TableDefinition& def = table.definition;
  const std::string name = fmt::format("{}.{}", def.database, def.name);
  ScanSpec spec;
  spec.table = name;
  if (IsParquetTable(def)) {
    spec.format = ScanSpec::Format::kParquet;
  } else if (IsJsonTable(def)) {
    spec.format = ScanSpec::Format::kJson;
  } else {
    return InvalidArgument(fmt::format(
        "NOT_SUPPORTED: table {} uses SerDe '{}', which tarn cannot read (JSON and Parquet only)",
        name, def.serde));
  }
  const auto property = [&](const std::string& key) -> std::string {
    auto it = def.serde_properties.find(key);
    return it == def.serde_properties.end() ? std::string() : Lower(it->second);
  };
  spec.json_options.case_insensitive = property("case.insensitive") != "false";
  spec.json_options.skip_malformed = property("ignore.malformed.json") == "true";

  // Which conjuncts name only partition columns (they choose partitions), only partition
  // columns and "$path" (they choose objects), or data too (they run in the workers).
  const size_t data = table.data_columns;
  const size_t parts = table.partition_columns;
  std::vector<ExprPtr> partition_conjuncts, path_conjuncts, row_conjuncts;
  for (const ExprPtr& conjunct : node.conjuncts) {
    std::vector<bool> used;
    CollectColumns(*conjunct, &used);
    bool uses_data = false, uses_path = false;
    for (size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) continue;
      if (i < data) uses_data = true;
      if (i == data + parts) uses_path = true;
    }
    if (uses_data || !IsDeterministic(*conjunct)) {
      row_conjuncts.push_back(conjunct);
    } else if (uses_path) {
      path_conjuncts.push_back(conjunct);
    } else {
      partition_conjuncts.push_back(conjunct);
    }
  }

  // The partitions, from the catalog or enumerated by projection.
  std::vector<Listed> partitions;
  if (parts == 0) {
    partitions.push_back({{}, def.location});
  } else {
    TARN_ASSIGN_OR_RETURN(std::optional<catalog::PartitionProjection> projection,
                          catalog::PartitionProjection::FromTable(def, options.now_micros));
    std::vector<catalog::Partition> listed;
    if (projection.has_value()) {
      // Projection enumerates the partitions the predicates allow, not every one.
      std::map<std::string, catalog::ProjectionConstraint> constraints;
      for (const ExprPtr& conjunct : partition_conjuncts) {
        AddConstraint(*conjunct, node, data, &constraints);
      }
      TARN_ASSIGN_OR_RETURN(listed, projection->Enumerate(constraints));
    } else {
      TARN_ASSIGN_OR_RETURN(std::unique_ptr<catalog::SqliteCatalog> catalog,
                            catalog::SqliteCatalog::OpenLake(options.lake_root));
      TARN_ASSIGN_OR_RETURN(listed, catalog->ListPartitions(def.database, def.name));
    }
    for (catalog::Partition& p : listed) partitions.push_back({std::move(p.values), p.location});
  }
  const auto scan_batch = [&](const std::vector<const Listed*>& rows,
                              const std::vector<std::string>* paths) {
    Batch batch;
    batch.rows = rows.size();
    for (size_t c = 0; c < data; ++c) batch.columns.push_back(Nulls(node.types[c], rows.size()));
    for (size_t k = 0; k < parts; ++k) {
      Column column = Column::Make(node.types[data + k]);
      for (const Listed* p : rows) {
        AppendRow(PartitionValue(p->values[k], node.types[data + k]), 0, &column);
      }
      batch.columns.push_back(std::move(column));
    }
    Column path = Column::Make(VarcharType());
    for (size_t r = 0; r < rows.size(); ++r) {
      if (paths != nullptr) {
        path.AppendBytes((*paths)[r]);
      } else {
        path.AppendNull();
      }
    }
    batch.columns.push_back(std::move(path));
    return batch;
  };
  std::vector<const Listed*> kept;
  for (const Listed& p : partitions) kept.push_back(&p);
  for (const ExprPtr& conjunct : partition_conjuncts) {
    Batch batch = scan_batch(kept, nullptr);
    std::vector<uint32_t> rows;
    TARN_RETURN_IF_ERROR(EvaluateFilter(*conjunct, batch, &rows));
    std::vector<const Listed*> next;
    for (uint32_t r : rows) next.push_back(kept[r]);
    kept.swap(next);
  }
  // The objects of the partitions left.
  for (const Listed* p : kept) {
    TARN_ASSIGN_OR_RETURN(std::string folder, catalog::LocalPath(options.lake_root, p->location));
    TARN_ASSIGN_OR_RETURN(std::vector<std::string> objects, ListObjects(folder));
    std::string base = p->location;
    if (!base.empty() && base.back() != '/') base.push_back('/');
    std::vector<ScanFile> files;
    for (const std::string& object : objects) {
      ScanFile file;
      file.path = object;
      file.uri = base + std::filesystem::path(object).lexically_relative(folder).string();
      for (size_t k = 0; k < parts; ++k) {
        file.partition_values.push_back(PartitionValue(p->values[k], node.types[data + k]));
      }
      files.push_back(std::move(file));
    }
    if (!path_conjuncts.empty() && !files.empty()) {
      std::vector<const Listed*> rows(files.size(), p);
      std::vector<std::string> uris;
      for (const ScanFile& f : files) uris.push_back(f.uri);
      Batch batch = scan_batch(rows, &uris);
      std::vector<ScanFile> chosen;
      std::vector<uint32_t> selected;
      ExprPtr all = path_conjuncts.size() == 1
                        ? path_conjuncts[0]
                        : MakeLogical(BoundExpr::Kind::kAnd, path_conjuncts, "AND");
      TARN_RETURN_IF_ERROR(EvaluateFilter(*all, batch, &selected));
      for (uint32_t r : selected) chosen.push_back(std::move(files[r]));
      files.swap(chosen);
    }
    for (ScanFile& f : files) spec.files.push_back(std::move(f));
  }

  // The outputs: data columns someone needs are read, the others are NULL.
  for (size_t c = 0; c < node.types.size(); ++c) {
    ScanOutput output;
    output.type = node.types[c];
    if (!node.required[c]) {
      output.source = ScanOutput::Source::kNull;
    } else if (c < data) {
      output.source = ScanOutput::Source::kData;
      output.index = static_cast<int>(spec.data_columns.size());
      formats::JsonColumnSpec column{def.columns[c].name, def.columns[c].type, {}};
      auto mapping = def.serde_properties.find("mapping." + def.columns[c].name);
      if (mapping != def.serde_properties.end()) column.path = {mapping->second};
      spec.data_columns.push_back(std::move(column));
    } else if (c < data + parts) {
      output.source = ScanOutput::Source::kPartition;
      output.index = static_cast<int>(c - data);
    } else {
      output.source = ScanOutput::Source::kPath;
    }
    spec.outputs.push_back(output);
  }
  // Parquet row groups whose statistics rule out `column <op> constant` are skipped.
  for (const ExprPtr& conjunct : row_conjuncts) {
    if (conjunct->kind != BoundExpr::Kind::kCall || conjunct->children.size() != 2) continue;
    const std::string& op = conjunct->function_name;
    const BoundExpr* column = conjunct->children[0].get();
    const BoundExpr* constant = conjunct->children[1].get();
    bool flipped = false;
    if (column->kind != BoundExpr::Kind::kColumn) {
      std::swap(column, constant);
      flipped = true;
    }
    if (column->kind != BoundExpr::Kind::kColumn || !constant->is_constant() ||
        static_cast<size_t>(column->column) >= data || constant->constant.is_null(0) ||
        !SameType(column->type, constant->type)) {
      continue;
    }
    const ScanOutput& output = spec.outputs[static_cast<size_t>(column->column)];
    if (output.source != ScanOutput::Source::kData) continue;
    ColumnRange range;
    range.data_column = output.index;
    std::string effective = op;
    if (flipped) {
      if (op == "$lt")
        effective = "$gt";
      else if (op == "$le")
        effective = "$ge";
      else if (op == "$gt")
        effective = "$lt";
      else if (op == "$ge")
        effective = "$le";
    }
    if (effective == "$eq") {
      range.lower = constant->constant;
      range.upper = constant->constant;
    } else if (effective == "$lt" || effective == "$le") {
      range.upper = constant->constant;
    } else if (effective == "$gt" || effective == "$ge") {
      range.lower = constant->constant;
    } else {
      continue;
    }
    spec.ranges.push_back(std::move(range));
  }
  if (!row_conjuncts.empty()) {
    spec.filter = row_conjuncts.size() == 1
                      ? row_conjuncts[0]
                      : MakeLogical(BoundExpr::Kind::kAnd, row_conjuncts, "AND");
  }
  (void)fused_project_or_null;
  if (project != nullptr) spec.project = *project;
  return MakeScan(std::move(spec), context);
}

// The expressions of a projection, those nobody reads replaced by NULLs.
std::vector<ExprPtr> NeededExpressions(const PlanNode& node) {
  std::vector<ExprPtr> out;
  for (size_t i = 0; i < node.expressions.size(); ++i) {
    if (i < node.required.size() && !node.required[i]) {
      out.push_back(MakeConstant(Nulls(node.expressions[i]->type, 1), "NULL"));
    } else {
      out.push_back(node.expressions[i]);
    }
  }
  return out;
}

void Explain(const PlanNode& node, int depth, std::string* out) {
  std::string line(static_cast<size_t>(depth) * 2, ' ');
  const auto texts = [](const std::vector<ExprPtr>& exprs) {
    std::string s;
    for (size_t i = 0; i < exprs.size(); ++i) s += (i ? ", " : "") + exprs[i]->text;
    return s;
  };
  switch (node.kind) {
    case PlanNode::Kind::kScan: {
      line +=
          fmt::format("Scan {}.{}", node.table->definition.database, node.table->definition.name);
      std::vector<std::string> read;
      for (size_t c = 0; c < node.types.size(); ++c) {
        if (c < node.required.size() && node.required[c]) {
          read.push_back(
              c < node.table->data_columns ? node.table->definition.columns[c].name
              : c < node.table->data_columns + node.table->partition_columns
                  ? node.table->definition.partition_keys[c - node.table->data_columns].name
                  : "$path");
        }
      }
      line += fmt::format(" [{}]", fmt::join(read, ", "));
      if (!node.conjuncts.empty()) line += " filter: " + texts(node.conjuncts);
      break;
    }
    case PlanNode::Kind::kFilter:
      line += "Filter " + node.predicate->text;
      break;
    case PlanNode::Kind::kProject:
      line += "Project " + texts(node.expressions);
      break;
    case PlanNode::Kind::kAggregate:
      line += fmt::format("Aggregate keys {} aggregates {}", fmt::join(node.keys, ", "),
                          node.aggregates.size());
      break;
    case PlanNode::Kind::kSort:
      line += node.limit ? fmt::format("TopN {}", *node.limit) : std::string("Sort");
      break;
    case PlanNode::Kind::kLimit:
      line += fmt::format("Limit offset {} limit {}", node.offset,
                          node.limit ? std::to_string(*node.limit) : "all");
      break;
    case PlanNode::Kind::kUnionAll:
      line += "UnionAll";
      break;
    case PlanNode::Kind::kValues:
      line += "Values";
      break;
  }
  out->append(line).push_back('\n');
  for (const PlanPtr& child : node.children) Explain(*child, depth + 1, out);
}

}  // namespace

PlanPtr MakeFilterNode(PlanPtr child, ExprPtr predicate) {
  auto node = std::make_unique<PlanNode>();
  node->kind = PlanNode::Kind::kFilter;
  node->types = child->types;
  node->predicate = std::move(predicate);
  node->children.push_back(std::move(child));
  return node;
}

PlanPtr MakeProjectNode(PlanPtr child, std::vector<ExprPtr> expressions) {
  auto node = std::make_unique<PlanNode>();
  node->kind = PlanNode::Kind::kProject;
  for (const ExprPtr& e : expressions) node->types.push_back(e->type);
  node->expressions = std::move(expressions);
  node->children.push_back(std::move(child));
  return node;
}

ExprPtr Substitute(const ExprPtr& expr, const std::vector<ExprPtr>& columns) {
  if (expr->kind == BoundExpr::Kind::kColumn) return columns[static_cast<size_t>(expr->column)];
  if (expr->children.empty()) return expr;
  auto copy = std::make_shared<BoundExpr>(*expr);
  for (ExprPtr& child : copy->children) child = Substitute(child, columns);
  return copy;
}

void CollectColumns(const BoundExpr& expr, std::vector<bool>* columns) {
  if (expr.kind == BoundExpr::Kind::kColumn) {
    const size_t index = static_cast<size_t>(expr.column);
    if (columns->size() <= index) columns->resize(index + 1, false);
    (*columns)[index] = true;
  }
  for (const ExprPtr& child : expr.children) CollectColumns(*child, columns);
}

void SplitConjuncts(const ExprPtr& expr, std::vector<ExprPtr>* out) {
  if (expr->kind == BoundExpr::Kind::kAnd) {
    for (const ExprPtr& child : expr->children) SplitConjuncts(child, out);
  } else {
    out->push_back(expr);
  }
}

bool IsDeterministic(const BoundExpr& expr) {
  if (expr.kind == BoundExpr::Kind::kCall && !expr.function->deterministic()) return false;
  for (const ExprPtr& child : expr.children) {
    if (!IsDeterministic(*child)) return false;
  }
  return true;
}

PlanPtr Optimize(PlanPtr plan) {
  plan = PushDown(std::move(plan), {});
  MergeTopN(*plan);
  Require(*plan, std::vector<bool>(plan->types.size(), true));
  return plan;
}

Result<OperatorPtr> BuildOperators(PlanNode& plan, const PhysicalOptions& options,
                                   QueryContext* context) {
  std::vector<OperatorPtr> children;
  if (plan.kind == PlanNode::Kind::kProject && plan.children[0]->kind == PlanNode::Kind::kScan) {
    // The projection runs in the scan's workers.
    std::vector<ExprPtr> project = NeededExpressions(plan);
    return BuildScan(*plan.children[0], nullptr, &project, options, context);
  }
  if (plan.kind == PlanNode::Kind::kScan)
    return BuildScan(plan, nullptr, nullptr, options, context);
  for (PlanPtr& child : plan.children) {
    TARN_ASSIGN_OR_RETURN(OperatorPtr op, BuildOperators(*child, options, context));
    children.push_back(std::move(op));
  }
  switch (plan.kind) {
    case PlanNode::Kind::kFilter:
      return MakeFilter(std::move(children[0]), plan.predicate);
    case PlanNode::Kind::kProject:
      return MakeProject(std::move(children[0]), NeededExpressions(plan));
    case PlanNode::Kind::kAggregate:
      return MakeHashAggregate(std::move(children[0]), plan.keys, plan.aggregates, context);
    case PlanNode::Kind::kSort:
      return MakeSort(std::move(children[0]), plan.sort_keys, plan.limit, context);
    case PlanNode::Kind::kLimit:
      return MakeLimit(std::move(children[0]), plan.offset, plan.limit);
    case PlanNode::Kind::kUnionAll:
      return MakeUnionAll(std::move(children));
    case PlanNode::Kind::kValues:
      return MakeValues(plan.types, std::move(plan.rows));
    case PlanNode::Kind::kScan:
      break;
  }
  return Internal("unknown plan node");
}

std::string ExplainPlan(const PlanNode& plan) {
  std::string out;
  Explain(plan, 0, &out);
  return out;
}

}  // namespace tarn::sql
