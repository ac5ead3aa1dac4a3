// Helpers shared by passes.
#include "passes/RewriteUtils.h"

#include <algorithm>
#include <cassert>

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

void eraseIfDead(ir::Graph &graph, ir::Node *node) {
  if (!node)
    return;
  for (ir::Value *r : node->results())
    if (!r->uses().empty() || isGraphOutput(graph, r))
      return;
  graph.eraseNode(node);
}

void replaceFolded(ir::Graph &graph, ir::Value *replaced, ir::Node *folded,
                   llvm::ArrayRef<ir::Node *> chain) {
  std::string name = replaced->name();
  ir::Value *result = folded->result(0);
  bool ok = replaceValue(graph, replaced, result);
  assert(ok && "a new node's result can always take over");
  (void)ok;
  for (ir::Node *node : chain)
    eraseIfDead(graph, node);
  // A graph output's name moved in replaceValue; otherwise it is free once
  // the old producer is gone.
  if (result->name() != name && !graph.findValue(name))
    graph.renameValue(result, name);
}

} // namespace qc::passes
