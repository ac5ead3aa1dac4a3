// Printer for the IR text form.
#include "ir/Printer.h"

namespace qc::ir {

void printGraph(const Graph &graph, llvm::raw_ostream &os) { os << "<printer not implemented>\n"; }

std::string printGraph(const Graph &graph) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printGraph(graph, os);
  return s;
}

std::string formatDoubleExact(double v) { return std::to_string(v); }

} // namespace qc::ir
