// The pass-pipeline flags shared by qc-opt and qcompile (see PipelineFlags.h).
#include "tools/PipelineFlags.h"

namespace qc::tools {

namespace cl = llvm::cl;

llvm::cl::OptionCategory &pipelineFlagsCategory() {
  static cl::OptionCategory category("pass pipeline options");
  return category;
}

namespace {
cl::opt<std::string> passList("passes",
                              cl::desc("Comma-separated passes to run, in order (names from "
                                       "passes/Passes.def)"),
                              cl::cat(pipelineFlagsCategory()));
cl::opt<bool> verifyEach("verify-each", cl::desc("Run the verifier after every pass"),
                         cl::init(false), cl::cat(pipelineFlagsCategory()));
cl::opt<bool> printAfterAll("print-ir-after-all", cl::desc("Print the IR after every pass"),
                            cl::cat(pipelineFlagsCategory()));
cl::list<std::string> printAfter("print-ir-after",
                                 cl::desc("Print the IR after this pass (repeatable)"),
                                 cl::cat(pipelineFlagsCategory()));
cl::opt<std::string> stopAfter("stop-after-pass", cl::desc("Stop the pipeline after this pass"),
                               cl::cat(pipelineFlagsCategory()));
} // namespace

void setVerifyEachDefault(bool value) {
  verifyEach.setInitialValue(value);
  verifyEach.setValue(value);
}

std::optional<std::string> explicitPassList() {
  if (passList.getNumOccurrences() == 0)
    return std::nullopt;
  return passList.getValue();
}

passes::PipelineOptions pipelineOptionsFromFlags(llvm::raw_ostream *printStream) {
  passes::PipelineOptions options;
  options.verifyEach = verifyEach;
  options.printAfterAll = printAfterAll;
  options.printAfter.insert(printAfter.begin(), printAfter.end());
  options.stopAfter = stopAfter;
  options.printStream = printStream;
  return options;
}

std::string passListHelp() {
  std::string help = "\nPasses (from passes/Passes.def):\n";
  for (const passes::PassInfo &p : passes::allPasses())
    help += "  " + p.name.str() + ": " + p.description.str() + "\n";
  return help;
}

} // namespace qc::tools
