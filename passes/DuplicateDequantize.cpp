// duplicate-dq: gives every consumer of a DequantizeLinear its own copy, so
// each consumer's QDQ pattern can be folded on its own (DESIGN.md, ORT's lesson).
#include <algorithm>

#include "passes/Pass.h"
#include "passes/QdqMatch.h"

namespace qc::passes {

namespace {
class DuplicateDequantize : public Pass {
public:
  llvm::StringRef name() const override { return "duplicate-dq"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    bool changed = false;
    for (ir::Node *dq : graph.nodes()) {
      if (dq->kind() != ir::OpKind::DequantizeLinear)
        continue;
      ir::Value *result = dq->result();
      // Consumers in first-use order; a node using the DQ twice is one consumer.
      std::vector<ir::Node *> consumers;
      for (const ir::Use &use : result->uses())
        if (std::find(consumers.begin(), consumers.end(), use.user) == consumers.end())
          consumers.push_back(use.user);
      // The original keeps the graph output, else the first consumer.
      size_t kept = isGraphOutput(graph, result) ? 0 : 1;
      // One consumer (or only the graph output): nothing is shared.
      if (consumers.size() <= kept)
        continue;
      // DQ(x) -> {a, b, c}  =>  DQ(x) -> a, DQ'(x) -> b, DQ''(x) -> c
      for (size_t i = kept; i < consumers.size(); ++i) {
        ir::Node *user = consumers[i];
        ir::Node *copy = graph.createNode(ir::OpKind::DequantizeLinear, dq->operands(),
                                          {{graph.uniqueName(result->name()), result->type()}},
                                          user);
        if (!dq->name().empty())
          copy->setName(dq->name() + "." + std::to_string(i));
        // The axis and block_size go along: per-channel parameters need them.
        for (const auto &[attr, value] : dq->attrs())
          copy->setAttr(attr, value);
        for (size_t o = 0; o < user->numOperands(); ++o)
          if (user->operand(o) == result)
            user->setOperand(o, copy->result());
        changed = true;
      }
    }
    return changed;
  }
};
} // namespace

std::unique_ptr<Pass> createDuplicateDequantize() {
  return std::make_unique<DuplicateDequantize>();
}

} // namespace qc::passes
