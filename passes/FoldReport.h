// The fold report: how much of a graph runs in integer after the QDQ folding
// pipeline — node counts per op type, MACs in integer vs float, and every
// node left float with the reason a pass recorded (Node::remark()).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::passes {

/// How a node executes.
enum class NodeDomain {
  Integer, // qc.* ops, ONNX integer ops, data movement on integer tensors
  Convert, // QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear
  Float,   // everything else: computes on float tensors
};

struct OpFoldCounts {
  std::string op; // the op name ("qc.QConv", "Conv")
  int64_t integer = 0, convert = 0, floating = 0;
};

struct FloatNodeInfo {
  std::string node;   // Node::describe()
  std::string reason; // the node's remark, or "no fold rule matched"
};

struct FoldReport {
  std::string graphName;
  std::vector<OpFoldCounts> ops; // sorted by op name
  /// Multiply-accumulates of the linear ops (Conv, ConvTranspose, MatMul,
  /// Gemm and their integer forms) per batch item: symbolic and unknown
  /// dims count as 1.
  int64_t integerMacs = 0, floatMacs = 0;
  /// Some linear op had a symbolic or unknown dim counted as 1.
  bool macsHaveSymbolicDims = false;
  std::vector<FloatNodeInfo> floatNodes; // in graph order

  int64_t totalMacs() const { return integerMacs + floatMacs; }
  /// integerMacs / totalMacs, 1 when the graph has no MACs.
  double integerMacShare() const;
  int64_t count(NodeDomain domain) const;
};

NodeDomain classifyNode(const ir::Node &node);
/// MACs of one node (0 for ops that are not linear ops).
int64_t countMacs(const ir::Node &node, bool *usedSymbolicDim = nullptr);

FoldReport computeFoldReport(const ir::Graph &graph);
void printFoldReport(const FoldReport &report, llvm::raw_ostream &os);
llvm::json::Value foldReportToJson(const FoldReport &report);

} // namespace qc::passes
