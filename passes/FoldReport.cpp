// The fold report (see FoldReport.h), computed from the final graph alone.
#include "passes/FoldReport.h"

#include <map>

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::passes {

using ir::OpKind;

namespace {
bool hasFloatType(const ir::Value *v) { return v && ir::isFloatType(v->type().elem); }

/// Product of `shape`'s dims from `begin` on; symbolic/unknown dims count 1.
int64_t product(const ir::Shape &shape, size_t begin, bool &symbolic) {
  if (!shape.isRanked()) {
    symbolic = true;
    return 1;
  }
  int64_t p = 1;
  for (size_t i = begin; i < shape.rank(); ++i) {
    if (shape[i].isStatic())
      p *= shape[i].value();
    else
      symbolic = true;
  }
  return p;
}

/// A static dim of `v` (negative index counts from the back), 1 otherwise.
int64_t dimOf(const ir::Value *v, int64_t index, bool &symbolic) {
  const ir::Shape &shape = v->type().shape;
  int64_t rank = int64_t(shape.rank());
  if (!shape.isRanked() || rank == 0) {
    symbolic = true;
    return 1;
  }
  int64_t i = index < 0 ? rank + index : index;
  if (i < 0 || i >= rank || !shape[size_t(i)].isStatic()) {
    symbolic = true;
    return 1;
  }
  return shape[size_t(i)].value();
}
} // namespace

NodeDomain classifyNode(const ir::Node &node) {
  switch (node.kind()) {
  case OpKind::QuantizeLinear:
  case OpKind::DequantizeLinear:
  case OpKind::DynamicQuantizeLinear:
    return NodeDomain::Convert;
  case OpKind::QLinearConv:
  case OpKind::QLinearMatMul:
  case OpKind::ConvInteger:
  case OpKind::MatMulInteger:
    return NodeDomain::Integer;
  default:
    break;
  }
  // qc's own ops are integer ops by definition (docs/quantized-ir.md), even
  // when they write a float result at a graph boundary.
  if (node.info().name.starts_with("qc."))
    return NodeDomain::Integer;
  // Any other op computes in integer when it touches no float tensor (data
  // movement on quantized tensors); constant operands such as Resize scales
  // do not count.
  for (const ir::Value *v : node.results())
    if (hasFloatType(v))
      return NodeDomain::Float;
  for (const ir::Value *v : node.operands())
    if (v && !v->isConstant() && hasFloatType(v))
      return NodeDomain::Float;
  return NodeDomain::Integer;
}

int64_t countMacs(const ir::Node &node, bool *usedSymbolicDim) {
  bool symbolic = false;
  int64_t macs = 0;
  const ir::Value *a = node.operand(0), *b = node.operand(1), *y = node.result(0);
  switch (node.kind()) {
  case OpKind::Conv:
  case OpKind::QConv:
  case OpKind::ConvInteger:
    // Each output element sums over C/group input channels times the kernel
    // window: w is [M, C/group, k...].
    macs = product(y->type().shape, 0, symbolic) * product(b->type().shape, 1, symbolic);
    break;
  case OpKind::QLinearConv: // (x, sx, zx, w, sw, zw, sy, zy, bias)
    macs = product(y->type().shape, 0, symbolic) *
           product(node.operand(3)->type().shape, 1, symbolic);
    break;
  case OpKind::ConvTranspose:
  case OpKind::QConvTranspose:
    // Each input element scatters into M/group channels times the kernel
    // window: w is [C, M/group, k...].
    macs = product(a->type().shape, 0, symbolic) * product(b->type().shape, 1, symbolic);
    break;
  case OpKind::MatMul:
  case OpKind::QMatMul:
  case OpKind::MatMulInteger:
    // Each output element is a dot product over K, a's last dim.
    macs = product(y->type().shape, 0, symbolic) * dimOf(a, -1, symbolic);
    break;
  case OpKind::QLinearMatMul: // (a, sa, za, b, sb, zb, sy, zy)
    macs = product(y->type().shape, 0, symbolic) * dimOf(a, -1, symbolic);
    break;
  case OpKind::Gemm: {
    int64_t transA = node.findInt(ir::AttrName::transA).value_or(0);
    macs = product(y->type().shape, 0, symbolic) * dimOf(a, transA ? 0 : 1, symbolic);
    break;
  }
  default:
    return 0;
  }
  if (usedSymbolicDim && symbolic)
    *usedSymbolicDim = true;
  return macs;
}

double FoldReport::integerMacShare() const {
  return totalMacs() ? double(integerMacs) / double(totalMacs()) : 1.0;
}

int64_t FoldReport::count(NodeDomain domain) const {
  int64_t n = 0;
  for (const OpFoldCounts &op : ops)
    n += domain == NodeDomain::Integer   ? op.integer
         : domain == NodeDomain::Convert ? op.convert
                                         : op.floating;
  return n;
}

FoldReport computeFoldReport(const ir::Graph &graph) {
  FoldReport report;
  report.graphName = graph.name();
  std::map<std::string, OpFoldCounts> byOp; // sorted: the report is deterministic
  for (const ir::Node *node : graph.nodes()) {
    std::string op = node->info().name.str();
    OpFoldCounts &counts = byOp[op];
    counts.op = op;
    NodeDomain domain = classifyNode(*node);
    int64_t macs = countMacs(*node, &report.macsHaveSymbolicDims);
    switch (domain) {
    case NodeDomain::Integer:
      ++counts.integer;
      report.integerMacs += macs;
      break;
    case NodeDomain::Convert:
      ++counts.convert;
      break;
    case NodeDomain::Float:
      ++counts.floating;
      report.floatMacs += macs;
      report.floatNodes.push_back(
          {node->describe(), node->remark().empty() ? "no fold rule matched" : node->remark()});
      break;
    }
  }
  for (auto &entry : byOp)
    report.ops.push_back(std::move(entry.second));
  return report;
}

void printFoldReport(const FoldReport &report, llvm::raw_ostream &os) {
  os << "fold report";
  if (!report.graphName.empty())
    os << " for '" << report.graphName << "'";
  os << "\n\n";
  os << llvm::formatv("{0,-24} {1,8} {2,8} {3,8}\n", "op", "integer", "convert", "float");
  for (const OpFoldCounts &op : report.ops)
    os << llvm::formatv("{0,-24} {1,8} {2,8} {3,8}\n", op.op, op.integer, op.convert,
                        op.floating);
  os << llvm::formatv("{0,-24} {1,8} {2,8} {3,8}\n", "total",
                      report.count(NodeDomain::Integer), report.count(NodeDomain::Convert),
                      report.count(NodeDomain::Float));
  os << "\nMACs: " << report.integerMacs << " integer, " << report.floatMacs << " float, "
     << llvm::format("%.2f%%", 100.0 * report.integerMacShare()) << " in integer";
  if (report.macsHaveSymbolicDims)
    os << " (per batch item: symbolic dims counted as 1)";
  os << "\n";
  if (report.floatNodes.empty()) {
    os << "\nno node left float\n";
    return;
  }
  os << "\nleft float (" << report.floatNodes.size() << "):\n";
  for (const FloatNodeInfo &node : report.floatNodes)
    os << "  " << node.node << ": " << node.reason << "\n";
}

llvm::json::Value foldReportToJson(const FoldReport &report) {
  llvm::json::Array ops;
  for (const OpFoldCounts &op : report.ops)
    ops.push_back(llvm::json::Object{{"op", op.op},
                                     {"integer", op.integer},
                                     {"convert", op.convert},
                                     {"float", op.floating}});
  llvm::json::Array floatNodes;
  for (const FloatNodeInfo &node : report.floatNodes)
    floatNodes.push_back(llvm::json::Object{{"node", node.node}, {"reason", node.reason}});
  return llvm::json::Object{
      {"graph", report.graphName},
      {"ops", std::move(ops)},
      {"nodes",
       llvm::json::Object{{"integer", report.count(NodeDomain::Integer)},
                          {"convert", report.count(NodeDomain::Convert)},
                          {"float", report.count(NodeDomain::Float)}}},
      {"macs", llvm::json::Object{{"integer", report.integerMacs},
                                  {"float", report.floatMacs},
                                  {"integer_share", report.integerMacShare()},
                                  {"symbolic_dims_counted_as_1", report.macsHaveSymbolicDims}}},
      {"float_nodes", std::move(floatNodes)},
  };
}

} // namespace qc::passes
