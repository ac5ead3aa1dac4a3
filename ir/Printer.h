// The text form of the IR: readable, and exactly round-trippable through
// ir/Parser.h (print(parse(print(g))) == print(g)). Output never depends on
// pointer values or hash order. The grammar is in docs/ir-text-format.md.
#pragma once

#include <string>

#include "ir/Graph.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::ir {

/// What the text form shows beyond the graph itself.
struct PrintOptions {
  /// Each node's remark (why a pass left it alone) as a trailing
  /// `// remark: ...` comment on its line; the parser skips it.
  bool remarks = false;
};

void printGraph(const Graph &graph, llvm::raw_ostream &os, const PrintOptions &options = {});
std::string printGraph(const Graph &graph, const PrintOptions &options = {});

/// Shortest decimal text that parses back to the same double ("0.5", "1",
/// "1e-05", "inf", "nan").
std::string formatDoubleExact(double v);
/// Shortest decimal text that strtof reads back as the same float, without a
/// float marker ("0.02", "1", "1e-05"); used for quantization scales in types.
std::string formatFloatShortest(float v);
/// A float literal: the shortest decimal that strtof reads back as the same
/// float, always marked as a float ("1.0", "1e-05", "-0.0", "inf", "nan").
std::string formatFloatExact(float v);
/// A double-quoted string with \\ \" \n \t and \XX escapes.
std::string quoteString(llvm::StringRef s);
/// A symbolic dimension's name as written in a type: bare when it is an
/// identifier without the letter 'x' (the dim separator), else quoted.
std::string formatSymbolName(llvm::StringRef name);
/// A value reference: %name, or %"..." when the name needs quoting.
std::string formatValueName(llvm::StringRef name);
/// A constant's data without its type: `dense<[1, 2]>`, `dense<0.0>` (splat
/// or scalar), or `dense_hex<"...">` (raw storage bytes) for large tensors
/// and for values no decimal spelling reproduces bit for bit (NaN payloads).
std::string formatTensorData(const Tensor &t);

} // namespace qc::ir
