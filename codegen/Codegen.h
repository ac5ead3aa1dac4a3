// The code generator's public API: a folded graph (after the QDQ pipeline)
// to a JIT-compiled model or an LLVM IR / assembly / object / shared library
// file. What qcompile, qcrun and the tests call.
#pragma once

#include <memory>
#include <string>

#include "codegen/Emit.h"
#include "ir/Graph.h"
#include "runtime/ModelDesc.h"
#include "llvm/Support/Error.h"

namespace qc::codegen {

struct CodegenOptions {
  /// "native" (the host CPU), "x86-64", "x86-64-v2/v3/v4", or an LLVM CPU
  /// name ("znver5", "skylake-avx512", ...).
  std::string targetCpu = "native";
  /// Extra LLVM feature string applied on top of the CPU's, e.g.
  /// "-avx512vnni,-avxvnni" (tests force the AVX2 kernels this way).
  std::string targetFeatures;
  unsigned optLevel = 3;
  /// A shared library's machine code is generated in this many partitions
  /// of the optimized module, one thread each, then linked together; 1: one
  /// serial pass. A fixed number, not the core count, so that the library
  /// does not depend on the machine that compiled it.
  unsigned codegenPartitions = 4;
  /// The model's name in its descriptor (qc_model_name()).
  std::string modelName;
};

/// What the options resolve to on this machine.
struct TargetInfo {
  std::string cpu;               // LLVM CPU name
  std::string features;          // LLVM feature string (+a,-b,...)
  Isa isa;                       // kernel variant family used
  std::string requiredFeatures;  // qc_model_desc::required_features
};
llvm::Expected<TargetInfo> resolveTarget(const CodegenOptions &opts);

enum class EmitKind { LLVM, Asm, Obj, So };

/// Lowers `graph` and writes `path` atomically (no partial file on failure).
/// For So, the runtime is linked in statically; the library exports only
/// the qc_* C ABI of include/qc/model.h.
llvm::Error compileToFile(const ir::Graph &graph, const CodegenOptions &opts,
                          EmitKind kind, llvm::StringRef path);

/// Wall-clock seconds of the compile phases (qcompile --time).
struct CompileTimes {
  double lowering = 0, buildModule = 0, optimize = 0, codegen = 0, link = 0;
};
/// compileToFile, also filling `times` when non-null.
llvm::Error compileToFile(const ir::Graph &graph, const CodegenOptions &opts,
                          EmitKind kind, llvm::StringRef path, CompileTimes *times);

/// A model compiled in-process with ORC LLJIT. Run it through the runtime's
/// session API (runtime/Session.h) with desc().
class JitModel {
public:
  static llvm::Expected<std::unique_ptr<JitModel>> create(const ir::Graph &graph,
                                                          const CodegenOptions &opts);
  virtual ~JitModel();
  virtual const qc_model_desc *desc() const = 0;
  virtual const TargetInfo &target() const = 0;
};

} // namespace qc::codegen
