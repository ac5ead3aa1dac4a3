// JitModel: a lowered, optimized model compiled in-process with ORC LLJIT;
// the runtime symbols generated code calls come from this process.
#include <chrono>

#include "codegen/Codegen.h"
#include "codegen/ModuleBuilder.h"
#include "codegen/Target.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"

namespace qc::codegen {

JitModel::~JitModel() = default;

namespace {

class LlJitModel final : public JitModel {
public:
  LlJitModel(std::unique_ptr<llvm::orc::LLJIT> jit, const qc_model_desc *desc, TargetInfo target)
      : jit_(std::move(jit)), desc_(desc), target_(std::move(target)) {}
  const qc_model_desc *desc() const override { return desc_; }
  const TargetInfo &target() const override { return target_; }

private:
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  const qc_model_desc *desc_;
  TargetInfo target_;
};

} // namespace

llvm::Expected<std::unique_ptr<JitModel>> JitModel::create(const ir::Graph &graph,
                                                           const CodegenOptions &opts) {
  llvm::Expected<TargetInfo> target = resolveTarget(opts);
  if (!target)
    return target.takeError();
  auto tm = createTargetMachine(*target, opts.optLevel);
  if (!tm)
    return tm.takeError();
  auto ctx = std::make_unique<llvm::LLVMContext>();
  auto module = compileGraphToModule(graph, opts, *target, **tm, *ctx);
  if (!module)
    return module.takeError();

  llvm::orc::JITTargetMachineBuilder jtmb((*tm)->getTargetTriple());
  jtmb.setCPU(target->cpu);
  llvm::SubtargetFeatures features(target->features);
  jtmb.addFeatures(features.getFeatures());
  jtmb.setCodeGenOptLevel((*tm)->getOptLevel());
  jtmb.setRelocationModel(llvm::Reloc::PIC_);
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(jtmb)).create();
  if (!jit)
    return jit.takeError();
  llvm::orc::JITDylib &jd = (*jit)->getMainJITDylib();
  auto generator = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!generator)
    return generator.takeError();
  jd.addGenerator(std::move(*generator));
  // The runtime entries generated code calls, from the host's qc_runtime.
  llvm::orc::SymbolMap runtime;
  runtime[(*jit)->mangleAndIntern("qc_rt_parallel_for")] = {
      llvm::orc::ExecutorAddr::fromPtr(&qc_rt_parallel_for),
      llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  if (llvm::Error e = jd.define(llvm::orc::absoluteSymbols(std::move(runtime))))
    return e;
  if (llvm::Error e = (*jit)->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(*module), std::move(ctx))))
    return e;
  auto desc = (*jit)->lookup("qc_model_desc_v1");
  if (!desc)
    return desc.takeError();
  return std::make_unique<LlJitModel>(std::move(*jit), desc->toPtr<const qc_model_desc *>(),
                                      std::move(*target));
}

} // namespace qc::codegen
