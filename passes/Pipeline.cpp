// The default QDQ folding pipeline (see Pipeline.h).
#include "passes/Pipeline.h"

#include "llvm/ADT/StringExtras.h"

namespace qc::passes {

namespace {
// Cleanup first, so the fold passes see one DQ per consumer and QDQ moved
// next to the ops it quantizes; then the fold passes, most specific first
// (given QLinear ops, then linear ops, then the rest); Concat last because it
// needs its inputs already integer. A second propagate/cleanup round catches
// the QDQ pairs the folds exposed, and constant folding + DCE drop the float
// weights and DQs nothing uses any more.
const char *const kDefaultPipeline[] = {
    "remove-identities",     "fold-constants",       "merge-activations",    "duplicate-dq",
    "propagate-qdq",         "remove-redundant-qdq", "fold-qlinear-ops",
    "fold-qdq-linear",       "fold-qdq-act-matmul",  "fold-qdq-elementwise",
    "fold-qdq-pool",         "fold-qdq-lut",         "fold-qdq-norm",
    "fold-qdq-concat",       "propagate-qdq",        "remove-redundant-qdq",
    "fold-constants",        "dce",
};
} // namespace

std::vector<std::string> defaultPipeline() {
  std::vector<std::string> names;
  for (const char *name : kDefaultPipeline)
    // A pass not in Passes.def yet is skipped, not an error: the pipeline
    // grows as the fold passes land.
    if (findPass(name))
      names.push_back(name);
  return names;
}

std::string defaultPipelineString() { return llvm::join(defaultPipeline(), ","); }

llvm::Error addDefaultPipeline(PassManager &pm) {
  return pm.addPipeline(defaultPipelineString());
}

} // namespace qc::passes
