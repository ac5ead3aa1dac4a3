// The text form of the IR: readable, and exactly round-trippable through
// ir/Parser.h (print(parse(print(g))) == print(g)). Output never depends on
// pointer values or hash order.
#pragma once

#include <string>

#include "ir/Graph.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::ir {

void printGraph(const Graph &graph, llvm::raw_ostream &os);
std::string printGraph(const Graph &graph);

/// Shortest decimal text that parses back to the same double.
std::string formatDoubleExact(double v);

} // namespace qc::ir
