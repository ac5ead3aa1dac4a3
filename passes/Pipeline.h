// The default QDQ folding pipeline: which registered passes qcompile runs, in
// which order, when the user does not give --passes.
#pragma once

#include <string>
#include <vector>

#include "passes/Pass.h"
#include "llvm/Support/Error.h"

namespace qc::passes {

/// The default pipeline's pass names, in order, restricted to the passes
/// registered in Passes.def (fold passes still being written are skipped).
std::vector<std::string> defaultPipeline();

/// defaultPipeline() joined with commas, the form --passes takes.
std::string defaultPipelineString();

/// Adds the default pipeline's passes to `pm`.
llvm::Error addDefaultPipeline(PassManager &pm);

} // namespace qc::passes
