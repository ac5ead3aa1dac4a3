// Helpers shared by passes.
#include "passes/RewriteUtils.h"

#include <algorithm>

namespace qc::passes {

namespace {
bool isGraphOutput(const ir::Graph &graph, const ir::Value *v) {
  return std::find(graph.outputs().begin(), graph.outputs().end(), v) != graph.outputs().end();
}
} // namespace

bool replaceValue(ir::Graph &graph, ir::Value *from, ir::Value *to) {
  bool fromIsOutput = isGraphOutput(graph, from);
  if (fromIsOutput && (!to->producer() || isGraphOutput(graph, to)))
    return false;
  graph.replaceAllUsesWith(from, to);
  if (fromIsOutput) {
    std::string name = from->name();
    graph.renameValue(from, graph.uniqueName(name + ".replaced"));
    graph.renameValue(to, name);
  }
  return true;
}

} // namespace qc::passes
