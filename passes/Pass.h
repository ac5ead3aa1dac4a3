// The pass interface, the registry generated from Passes.def, and the pass
// manager that runs a pipeline with LLVM-style instrumentation
// (--print-after-all, --print-after=NAME, --verify-each, --stop-after=NAME).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::passes {

class Pass {
public:
  virtual ~Pass() = default;
  /// The pass's flag name (Passes.def).
  virtual llvm::StringRef name() const = 0;
  /// Rewrites the graph; returns whether anything changed. Errors only for
  /// malformed input the pass must reject.
  virtual llvm::Expected<bool> run(ir::Graph &graph) = 0;
};

struct PassInfo {
  llvm::StringRef name;
  llvm::StringRef description;
  std::unique_ptr<Pass> (*create)();
};

/// Every registered pass, in Passes.def order.
llvm::ArrayRef<PassInfo> allPasses();
const PassInfo *findPass(llvm::StringRef name);

#define QC_PASS(Class, Name, Description) std::unique_ptr<Pass> create##Class();
#include "passes/Passes.def"

struct PipelineOptions {
  bool verifyEach = false;
  bool printAfterAll = false;
  std::set<std::string> printAfter;
  std::string stopAfter;
  llvm::raw_ostream *printStream = nullptr; // default: llvm::errs()
};

class PassManager {
public:
  explicit PassManager(PipelineOptions options = {}) : options_(std::move(options)) {}
  void addPass(std::unique_ptr<Pass> pass) { passes_.push_back(std::move(pass)); }
  /// Adds the passes of a comma-separated pipeline ("fold-constants,dce");
  /// unknown names are an error listing the known ones.
  llvm::Error addPipeline(llvm::StringRef pipeline);
  llvm::Error run(ir::Graph &graph);

private:
  PipelineOptions options_;
  std::vector<std::unique_ptr<Pass>> passes_;
};

} // namespace qc::passes
