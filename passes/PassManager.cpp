// Pass registry and pass manager.
#include "passes/Pass.h"

#include "ir/Printer.h"
#include "ir/Verifier.h"

namespace qc::passes {

namespace {
const PassInfo kPasses[] = {
#define QC_PASS(Class, Name, Description) {Name, Description, &create##Class},
#include "passes/Passes.def"
};
} // namespace

llvm::ArrayRef<PassInfo> allPasses() { return kPasses; }

const PassInfo *findPass(llvm::StringRef name) {
  for (const PassInfo &info : kPasses)
    if (info.name == name)
      return &info;
  return nullptr;
}

llvm::Error PassManager::addPipeline(llvm::StringRef pipeline) {
  llvm::SmallVector<llvm::StringRef> names;
  pipeline.split(names, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef name : names) {
    name = name.trim();
    const PassInfo *info = findPass(name);
    if (!info) {
      std::string known;
      for (const PassInfo &p : kPasses)
        known += (known.empty() ? "" : ", ") + p.name.str();
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "unknown pass '%s' (known passes: %s)", name.str().c_str(),
                                     known.c_str());
    }
    addPass(info->create());
  }
  return llvm::Error::success();
}

llvm::Error PassManager::run(ir::Graph &graph) {
  llvm::raw_ostream &os = options_.printStream ? *options_.printStream : llvm::errs();
  for (auto &pass : passes_) {
    auto changed = pass->run(graph);
    graph.releaseErasedNodes();
    if (!changed)
      return changed.takeError();
    if (options_.verifyEach)
      if (llvm::Error e = ir::verifyGraph(graph))
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "verifier failed after pass '%s': %s",
                                       pass->name().str().c_str(),
                                       llvm::toString(std::move(e)).c_str());
    if (options_.printAfterAll || options_.printAfter.count(pass->name().str())) {
      os << "// *** IR after " << pass->name() << " ***\n";
      ir::printGraph(graph, os);
    }
    if (options_.stopAfter == pass->name())
      break;
  }
  return llvm::Error::success();
}

} // namespace qc::passes
