// fold-constants: evaluates nodes whose operands are all constant with the
// reference interpreter, and Shape of statically shaped tensors.
#include <algorithm>

#include "interp/Interpreter.h"
#include "ir/infer/DataMovementParams.h"
#include "passes/Pass.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {
// Folding must not blow up the model: results larger than this stay nodes.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

class FoldConstants : public Pass {
public:
  llvm::StringRef name() const override { return "fold-constants"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    bool changed = false;
    std::vector<std::pair<std::string, std::string>> renames; // folded, original
    for (ir::Node *node : graph.nodes()) {
      // Weight DQs stay: the QDQ folding passes match them (DESIGN.md).
      if (node->kind() == ir::OpKind::DequantizeLinear)
        continue;
      auto results = evaluate(*node);
      if (!results)
        continue;
      for (size_t i = 0; i < node->numResults(); ++i) {
        ir::Value *old = node->result(i);
        std::string name = old->name();
        ir::Value *folded =
            graph.addConstant(graph.uniqueName(name + ".folded"), std::move((*results)[i]));
        // A graph output that is not computed by any node stays a node.
        if (replaceValue(graph, old, folded)) {
          changed = true;
          renames.emplace_back(folded->name(), name);
        }
      }
    }
    graph.removeDeadCode();
    // Each surviving constant takes the name of the value it replaced.
    for (auto &[foldedName, name] : renames)
      if (ir::Value *folded = graph.findValue(foldedName); folded && !graph.findValue(name))
        graph.renameValue(folded, name);
    return changed;
  }

private:
  // Shape(x) {start, end} of a static x: its dims in [start, end), clamped.
  static ir::Tensor shapeOf(const ir::Node &node) {
    std::vector<int64_t> dims = node.operand(0)->type().shape.staticDims();
    auto [first, last] = ir::infer::shapeOpBounds(
        int64_t(dims.size()), node.getInt(ir::AttrName::start), node.findInt(ir::AttrName::end));
    std::vector<int64_t> slice(dims.begin() + first, dims.begin() + last);
    return ir::Tensor::fromInts(ir::ElemType::I64, {int64_t(slice.size())}, slice);
  }

  // The node's results if it can be folded, else nullopt.
  std::optional<std::vector<ir::Tensor>> evaluate(const ir::Node &node) {
    // Shape of a statically shaped value needs only the type.
    if (node.kind() == ir::OpKind::Shape && node.operand(0)->type().shape.isStatic())
      return std::vector<ir::Tensor>{shapeOf(node)};
    std::vector<const ir::Tensor *> operands;
    for (ir::Value *v : node.operands()) {
      if (v && !v->isConstant())
        return std::nullopt;
      operands.push_back(v ? v->constant() : nullptr);
    }
    for (ir::Value *r : node.results())
      if (r->type().shape.numElements() > kMaxFoldedElements)
        return std::nullopt;
    auto out = interp::evaluateNode(node, operands);
    if (!out) {
      // Not foldable here (e.g. unsupported case): leave it to run time,
      // where the same error is reported with the real inputs.
      llvm::consumeError(out.takeError());
      return std::nullopt;
    }
    return std::move(*out);
  }
};
} // namespace

std::unique_ptr<Pass> createFoldConstants() { return std::make_unique<FoldConstants>(); }

} // namespace qc::passes
