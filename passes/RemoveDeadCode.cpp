// dce: removes nodes and constants that no graph output depends on.
#include "passes/Pass.h"

namespace qc::passes {

namespace {
class RemoveDeadCode : public Pass {
public:
  llvm::StringRef name() const override { return "dce"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    size_t before = graph.values().size();
    graph.removeDeadCode();
    return graph.values().size() != before;
  }
};
} // namespace

std::unique_ptr<Pass> createRemoveDeadCode() { return std::make_unique<RemoveDeadCode>(); }

} // namespace qc::passes
