// Program -> LLVM IR: links the kernel bitcode of the target's ISA, makes
// every kernel call a task function over constant params/consts (so the
// inlined kernel is specialized for its node), emits run() and the model
// descriptor, and runs the optimization pipeline.
#include "codegen/ModuleBuilder.h"

#include <cctype>
#include <chrono>

#include "codegen/Target.h"
#include "qc/model.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

// The kernel bitcode per ISA (codegen/kernels/CMakeLists.txt, KernelBitcode.S).
extern "C" const char qc_kernels_bc_generic[], qc_kernels_bc_generic_end[];
extern "C" const char qc_kernels_bc_avx2[], qc_kernels_bc_avx2_end[];
extern "C" const char qc_kernels_bc_avxvnni[], qc_kernels_bc_avxvnni_end[];
extern "C" const char qc_kernels_bc_avx512vnni[], qc_kernels_bc_avx512vnni_end[];

namespace qc::codegen {

namespace {

llvm::StringRef kernelBitcode(Isa isa) {
  auto span = [](const char *b, const char *e) { return llvm::StringRef(b, e - b); };
  switch (isa) {
  case Isa::Generic: return span(qc_kernels_bc_generic, qc_kernels_bc_generic_end);
  case Isa::Avx2: return span(qc_kernels_bc_avx2, qc_kernels_bc_avx2_end);
  case Isa::AvxVnni: return span(qc_kernels_bc_avxvnni, qc_kernels_bc_avxvnni_end);
  case Isa::Avx512Vnni: return span(qc_kernels_bc_avx512vnni, qc_kernels_bc_avx512vnni_end);
  }
  return {};
}

std::optional<int32_t> abiElemType(ir::ElemType t) {
  switch (t) {
  case ir::ElemType::F32: return QC_ELEM_F32;
  case ir::ElemType::U8: return QC_ELEM_U8;
  case ir::ElemType::I8: return QC_ELEM_I8;
  case ir::ElemType::I32: return QC_ELEM_I32;
  case ir::ElemType::I64: return QC_ELEM_I64;
  case ir::ElemType::F64: return QC_ELEM_F64;
  case ir::ElemType::U16: return QC_ELEM_U16;
  case ir::ElemType::I16: return QC_ELEM_I16;
  case ir::ElemType::Bool: return QC_ELEM_BOOL;
  case ir::ElemType::F16: return QC_ELEM_F16;
  case ir::ElemType::BF16: return QC_ELEM_BF16;
  default: return std::nullopt;
  }
}

// A symbol-friendly form of a node name.
std::string sanitize(llvm::StringRef s) {
  std::string out;
  for (char c : s.take_front(48))
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

class Builder {
public:
  Builder(const Program &p, const TargetInfo &t, llvm::TargetMachine &tm, llvm::LLVMContext &ctx,
          llvm::StringRef name)
      : prog_(p), target_(t), tm_(tm), ctx_(ctx), modelName_(name.str()),
        m_(std::make_unique<llvm::Module>(name.empty() ? "qc_model" : name, ctx)) {}

  llvm::Expected<std::unique_ptr<llvm::Module>> build();

private:
  llvm::Type *ptrTy() { return llvm::PointerType::getUnqual(ctx_); }
  llvm::Type *i64Ty() { return llvm::Type::getInt64Ty(ctx_); }
  llvm::Type *i32Ty() { return llvm::Type::getInt32Ty(ctx_); }
  llvm::FunctionType *entryType() {
    return llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_),
                                   {ptrTy(), ptrTy(), ptrTy(), ptrTy(), i64Ty(), i64Ty()}, false);
  }
  llvm::FunctionType *taskType() {
    return llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptrTy(), i64Ty(), i64Ty()},
                                   false);
  }
  llvm::GlobalVariable *constBytes(llvm::ArrayRef<uint8_t> bytes, uint32_t align,
                                   const llvm::Twine &name);
  llvm::Constant *cString(llvm::StringRef s, const llvm::Twine &name);
  llvm::Value *bufferPointer(llvm::IRBuilder<> &b, unsigned buffer, llvm::Value *exec,
                             llvm::Value *sample);
  llvm::Function *buildStep(unsigned i);
  llvm::Function *buildRun(llvm::ArrayRef<llvm::Function *> steps);
  llvm::Error buildDescriptor(llvm::Function *run);
  llvm::Error linkKernels();
  void finalizeFunctions();

  const Program &prog_;
  const TargetInfo &target_;
  llvm::TargetMachine &tm_;
  llvm::LLVMContext &ctx_;
  std::string modelName_;
  std::unique_ptr<llvm::Module> m_;
  std::vector<llvm::GlobalVariable *> constGlobals_; // Program::constants
  std::vector<std::string> entryNames_;
};

llvm::GlobalVariable *Builder::constBytes(llvm::ArrayRef<uint8_t> bytes, uint32_t align,
                                          const llvm::Twine &name) {
  llvm::Constant *init = llvm::ConstantDataArray::get(ctx_, bytes);
  auto *g = new llvm::GlobalVariable(*m_, init->getType(), true,
                                     llvm::GlobalValue::PrivateLinkage, init, name);
  g->setAlignment(llvm::Align(std::max<uint32_t>(align, 1)));
  return g;
}

llvm::Constant *Builder::cString(llvm::StringRef s, const llvm::Twine &name) {
  llvm::Constant *init = llvm::ConstantDataArray::getString(ctx_, s, true);
  auto *g = new llvm::GlobalVariable(*m_, init->getType(), true,
                                     llvm::GlobalValue::PrivateLinkage, init, name);
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  g->setAlignment(llvm::Align(1));
  return g;
}

// The address of `buffer` for batch sample `sample` (qc_exec layout:
// arena, inputs, outputs, batch, pool, step_status; 8 bytes each).
llvm::Value *Builder::bufferPointer(llvm::IRBuilder<> &b, unsigned buffer, llvm::Value *exec,
                                    llvm::Value *sample) {
  const Buffer &buf = prog_.buffers[buffer];
  llvm::Type *i8 = b.getInt8Ty();
  auto field = [&](unsigned index, llvm::Type *ty, const char *name) {
    return b.CreateLoad(ty, b.CreateConstInBoundsGEP1_64(i8, exec, index * 8), name);
  };
  llvm::Value *base = nullptr;
  llvm::Value *offset = b.getInt64(0);
  switch (buf.kind) {
  case BufferKind::Constant:
    return constGlobals_[buf.index];
  case BufferKind::Input:
  case BufferKind::Output: {
    llvm::Value *table = field(buf.kind == BufferKind::Input ? 1 : 2, ptrTy(), "io");
    base = b.CreateLoad(ptrTy(), b.CreateConstInBoundsGEP1_64(ptrTy(), table, buf.index),
                        buf.name);
    break;
  }
  case BufferKind::Arena:
    base = field(0, ptrTy(), "arena");
    if (buf.batched) {
      llvm::Value *batch = field(3, i64Ty(), "batch");
      offset = b.CreateAdd(b.getInt64(prog_.arenaStaticBytes),
                           b.CreateMul(b.getInt64(buf.offset), batch));
    } else {
      offset = b.getInt64(buf.offset);
    }
    break;
  }
  if (buf.batched)
    offset = b.CreateAdd(offset, b.CreateMul(sample, b.getInt64(buf.bytes)));
  return b.CreateInBoundsGEP(i8, base, offset, buf.name);
}

// void qc_step_<i>(const qc_exec *exec, int64 t0, int64 t1): the global task
// range split into per-sample ranges of the kernel's task space.
llvm::Function *Builder::buildStep(unsigned i) {
  const Step &st = prog_.steps[i];
  std::string name = llvm::formatv("qc_step_{0}_{1}", i, sanitize(st.label)).str();
  llvm::Function *fn = llvm::Function::Create(taskType(), llvm::GlobalValue::InternalLinkage,
                                              name, *m_);
  llvm::Argument *exec = fn->getArg(0), *t0 = fn->getArg(1), *t1 = fn->getArg(2);
  exec->setName("exec");
  t0->setName("task_begin");
  t1->setName("task_end");

  std::string entryName = "qc_" + st.call.entry + "__" + isaName(target_.isa).str();
  entryNames_.push_back(entryName);
  llvm::FunctionCallee entry = m_->getOrInsertFunction(entryName, entryType());

  llvm::GlobalVariable *params =
      constBytes(st.call.params, 16, llvm::formatv("qc_params_{0}", i));
  std::vector<llvm::Constant *> constPtrs;
  for (size_t k = 0; k < st.call.consts.size(); ++k)
    constPtrs.push_back(constBytes(st.call.consts[k].bytes, st.call.consts[k].align,
                                   llvm::formatv("qc_const_{0}_{1}", i, k)));
  llvm::Constant *consts = llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx_));
  if (!constPtrs.empty()) {
    auto *arrTy = llvm::ArrayType::get(ptrTy(), constPtrs.size());
    auto *g = new llvm::GlobalVariable(*m_, arrTy, true, llvm::GlobalValue::PrivateLinkage,
                                       llvm::ConstantArray::get(arrTy, constPtrs),
                                       llvm::formatv("qc_consts_{0}", i));
    g->setAlignment(llvm::Align(8));
    consts = g;
  }

  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", fn));
  auto *inArr = b.CreateAlloca(llvm::ArrayType::get(ptrTy(), std::max<size_t>(1, st.inBuffers.size())),
                               nullptr, "in");
  const size_t numOuts = st.outBuffers.size() + (st.call.reportsStatus ? 1 : 0);
  auto *outArr = b.CreateAlloca(llvm::ArrayType::get(ptrTy(), std::max<size_t>(1, numOuts)),
                                nullptr, "out");
  // The step's word of exec->step_status (qc_exec field 5), after the
  // buffers, for kernels that report bad input.
  llvm::Value *status = nullptr;
  if (st.call.reportsStatus) {
    llvm::Value *words = b.CreateLoad(
        ptrTy(), b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), exec, 5 * 8), "step_status");
    status = b.CreateConstInBoundsGEP1_64(i32Ty(), words, i, "status");
  }
  auto callFor = [&](llvm::Value *sample, llvm::Value *begin, llvm::Value *end) {
    for (size_t k = 0; k < st.inBuffers.size(); ++k)
      b.CreateStore(bufferPointer(b, st.inBuffers[k], exec, sample),
                    b.CreateConstInBoundsGEP1_64(ptrTy(), inArr, k));
    for (size_t k = 0; k < st.outBuffers.size(); ++k)
      b.CreateStore(bufferPointer(b, st.outBuffers[k], exec, sample),
                    b.CreateConstInBoundsGEP1_64(ptrTy(), outArr, k));
    if (status)
      b.CreateStore(status, b.CreateConstInBoundsGEP1_64(ptrTy(), outArr, st.outBuffers.size()));
    b.CreateCall(entry, {params, consts, inArr, outArr, begin, end});
  };

  if (!st.batched) {
    callFor(b.getInt64(0), t0, t1);
    b.CreateRetVoid();
    return fn;
  }
  // for (s = t0 / T; s * T < t1; ++s)
  //   entry(..., max(t0 - s*T, 0), min(t1 - s*T, T))
  int64_t tasks = std::max<int64_t>(1, st.call.tasks);
  llvm::Value *T = b.getInt64(tasks);
  llvm::BasicBlock *pre = b.GetInsertBlock();
  llvm::BasicBlock *loop = llvm::BasicBlock::Create(ctx_, "sample", fn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx_, "done", fn);
  llvm::Value *first = b.CreateSDiv(t0, T, "first_sample");
  b.CreateCondBr(b.CreateICmpSLT(t0, t1), loop, done);
  b.SetInsertPoint(loop);
  llvm::PHINode *s = b.CreatePHI(i64Ty(), 2, "s");
  s->addIncoming(first, pre);
  llvm::Value *base = b.CreateMul(s, T, "sample_base");
  llvm::Value *lo = b.CreateSub(t0, base);
  lo = b.CreateSelect(b.CreateICmpSGT(lo, b.getInt64(0)), lo, b.getInt64(0), "local_begin");
  llvm::Value *hi = b.CreateSub(t1, base);
  hi = b.CreateSelect(b.CreateICmpSLT(hi, T), hi, T, "local_end");
  callFor(s, lo, hi);
  llvm::Value *next = b.CreateAdd(s, b.getInt64(1), "next");
  s->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpSLT(b.CreateMul(next, T), t1), loop, done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  return fn;
}

// void run(const qc_exec *exec): every step in order over the thread pool.
llvm::Function *Builder::buildRun(llvm::ArrayRef<llvm::Function *> steps) {
  llvm::Function *fn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptrTy()}, false),
      llvm::GlobalValue::InternalLinkage, "qc_run_model", *m_);
  llvm::FunctionCallee parallelFor = m_->getOrInsertFunction(
      "qc_rt_parallel_for",
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptrTy(), i64Ty(), ptrTy()}, false));
  llvm::Argument *exec = fn->getArg(0);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", fn));
  llvm::Value *batch = nullptr;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step &st = prog_.steps[i];
    llvm::Value *tasks = b.getInt64(std::max<int64_t>(1, st.call.tasks));
    if (st.batched) {
      if (!batch)
        batch = b.CreateLoad(i64Ty(), b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), exec, 24),
                             "batch");
      tasks = b.CreateMul(tasks, batch);
    }
    b.CreateCall(parallelFor, {exec, tasks, steps[i]});
  }
  b.CreateRetVoid();
  return fn;
}

llvm::Error Builder::buildDescriptor(llvm::Function *run) {
  // qc_tensor_desc { name, elem_type, rank, dims, dim_names }
  auto *tensorTy = llvm::StructType::create(ctx_, {ptrTy(), i32Ty(), i32Ty(), ptrTy(), ptrTy()},
                                            "qc_tensor_desc");
  llvm::Constant *null = llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx_));
  llvm::Constant *batchName =
      prog_.batchDimName.empty() ? null : cString(prog_.batchDimName, "qc_batch_name");
  auto tensors = [&](llvm::ArrayRef<IoTensor> list,
                     llvm::StringRef kind) -> llvm::Expected<llvm::Constant *> {
    std::vector<llvm::Constant *> elems;
    for (size_t i = 0; i < list.size(); ++i) {
      const IoTensor &t = list[i];
      std::optional<int32_t> elem = abiElemType(t.elem);
      if (!elem)
        return llvm::createStringError(
            llvm::formatv("graph {0} '{1}' has element type {2}, which the C ABI cannot pass",
                          kind, t.name, ir::elemTypeName(t.elem))
                .str());
      std::string prefix = llvm::formatv("qc_{0}{1}", kind, i).str();
      llvm::Constant *dims = null, *names = null;
      if (!t.dims.empty()) {
        auto *dimsTy = llvm::ArrayType::get(i64Ty(), t.dims.size());
        std::vector<llvm::Constant *> dimConsts, nameConsts;
        bool anySymbolic = false;
        for (int64_t d : t.dims) {
          dimConsts.push_back(llvm::ConstantInt::get(i64Ty(), d));
          nameConsts.push_back(d < 0 ? batchName : null);
          anySymbolic |= d < 0;
        }
        auto *g = new llvm::GlobalVariable(*m_, dimsTy, true, llvm::GlobalValue::PrivateLinkage,
                                           llvm::ConstantArray::get(dimsTy, dimConsts),
                                           prefix + "_dims");
        dims = g;
        if (anySymbolic) {
          auto *namesTy = llvm::ArrayType::get(ptrTy(), t.dims.size());
          names = new llvm::GlobalVariable(*m_, namesTy, true, llvm::GlobalValue::PrivateLinkage,
                                           llvm::ConstantArray::get(namesTy, nameConsts),
                                           prefix + "_dim_names");
        }
      }
      elems.push_back(llvm::ConstantStruct::get(
          tensorTy, {cString(t.name, prefix + "_name"), llvm::ConstantInt::get(i32Ty(), *elem),
                     llvm::ConstantInt::get(i32Ty(), t.dims.size()), dims, names}));
    }
    if (elems.empty())
      return null;
    auto *arrTy = llvm::ArrayType::get(tensorTy, elems.size());
    return new llvm::GlobalVariable(*m_, arrTy, true, llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(arrTy, elems),
                                    "qc_" + kind.str() + "s");
  };
  llvm::Expected<llvm::Constant *> inputs = tensors(prog_.inputs, "input");
  if (!inputs)
    return inputs.takeError();
  llvm::Expected<llvm::Constant *> outputs = tensors(prog_.outputs, "output");
  if (!outputs)
    return outputs.takeError();

  // Step names for QC_PROFILE: "node (kernel entry, tasks)".
  std::vector<llvm::Constant *> stepNames;
  for (size_t i = 0; i < prog_.steps.size(); ++i) {
    const Step &st = prog_.steps[i];
    stepNames.push_back(cString(llvm::formatv("{0} ({1}, {2} tasks{3})", st.label, st.call.entry,
                                              std::max<int64_t>(1, st.call.tasks),
                                              st.batched ? " x batch" : "")
                                    .str(),
                                llvm::formatv("qc_step_name_{0}", i).str()));
  }
  llvm::Constant *stepNameArray = null;
  if (!stepNames.empty()) {
    auto *arrTy = llvm::ArrayType::get(ptrTy(), stepNames.size());
    stepNameArray = new llvm::GlobalVariable(*m_, arrTy, true, llvm::GlobalValue::PrivateLinkage,
                                             llvm::ConstantArray::get(arrTy, stepNames),
                                             "qc_step_names");
  }

  auto *descTy = llvm::StructType::create(
      ctx_,
      {i32Ty(), i32Ty(), ptrTy(), ptrTy(), ptrTy(), i32Ty(), i32Ty(), ptrTy(), ptrTy(), ptrTy(),
       i64Ty(), i64Ty(), ptrTy(), i32Ty(), ptrTy()},
      "qc_model_desc");
  llvm::Constant *init = llvm::ConstantStruct::get(
      descTy, {llvm::ConstantInt::get(i32Ty(), QC_DESC_VERSION),
               llvm::ConstantInt::get(i32Ty(), QC_ABI_VERSION),
               cString(modelName_, "qc_model_name_str"), cString(target_.cpu, "qc_target_cpu"),
               cString(target_.requiredFeatures, "qc_required_features"),
               llvm::ConstantInt::get(i32Ty(), prog_.inputs.size()),
               llvm::ConstantInt::get(i32Ty(), prog_.outputs.size()), *inputs, *outputs,
               batchName, llvm::ConstantInt::get(i64Ty(), prog_.arenaStaticBytes),
               llvm::ConstantInt::get(i64Ty(), prog_.arenaBatchBytes), run,
               llvm::ConstantInt::get(i32Ty(), prog_.steps.size()), stepNameArray});
  auto *desc = new llvm::GlobalVariable(*m_, descTy, true, llvm::GlobalValue::ExternalLinkage,
                                        init, "qc_model_desc_v1");
  desc->setVisibility(llvm::GlobalValue::HiddenVisibility);
  desc->setAlignment(llvm::Align(8));
  return llvm::Error::success();
}

llvm::Error Builder::linkKernels() {
  llvm::StringRef bc = kernelBitcode(target_.isa);
  auto kernels = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(bc, ("kernels_" + isaName(target_.isa)).str()), ctx_);
  if (!kernels)
    return llvm::createStringError("cannot read the embedded kernel bitcode: " +
                                   llvm::toString(kernels.takeError()));
  (*kernels)->setTargetTriple(m_->getTargetTriple());
  (*kernels)->setDataLayout(m_->getDataLayout());
  for (const std::string &name : entryNames_) {
    llvm::Function *f = (*kernels)->getFunction(name);
    if (!f || f->isDeclaration())
      return llvm::createStringError("kernel entry '" + name +
                                     "' is not in the kernel bitcode of " +
                                     isaName(target_.isa).str());
  }
  if (llvm::Linker::linkModules(*m_, std::move(*kernels), llvm::Linker::LinkOnlyNeeded))
    return llvm::createStringError("linking the kernel bitcode failed");
  return llvm::Error::success();
}

constexpr unsigned kSmallKernelHelper = 400;

// Every function gets the target's CPU and features; kernel entries become
// internal and always inlined into their (constant-argument) task function.
void Builder::finalizeFunctions() {
  std::string suffix = "__" + isaName(target_.isa).str();
  for (llvm::Function &f : *m_) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", target_.cpu);
    f.addFnAttr("target-features", target_.features);
    f.addFnAttr("tune-cpu", target_.cpu);
    if (f.getName().starts_with("qc_") && f.getName().ends_with(suffix)) {
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
      f.removeFnAttr(llvm::Attribute::NoInline);
      f.addFnAttr(llvm::Attribute::AlwaysInline);
    } else if (f.hasLocalLinkage() && !f.hasFnAttribute(llvm::Attribute::NoInline) &&
               f.getInstructionCount() <= kSmallKernelHelper) {
      // Small helpers (dispatchers on params fields) are inlined too, so
      // that constant params fold their switches and only the variants a
      // node uses survive; large bodies (unrolled tiles) stay shared.
      f.addFnAttr(llvm::Attribute::AlwaysInline);
    }
  }
}

llvm::Expected<std::unique_ptr<llvm::Module>> Builder::build() {
  m_->setTargetTriple(tm_.getTargetTriple().str());
  m_->setDataLayout(tm_.createDataLayout());
  m_->setPICLevel(llvm::PICLevel::BigPIC);
  for (const ConstBlob &c : prog_.constants)
    constGlobals_.push_back(
        constBytes(c.bytes, c.align, llvm::formatv("qc_data_{0}", constGlobals_.size())));
  std::vector<llvm::Function *> steps;
  for (unsigned i = 0; i < prog_.steps.size(); ++i)
    steps.push_back(buildStep(i));
  llvm::Function *run = buildRun(steps);
  if (llvm::Error e = buildDescriptor(run))
    return e;
  if (llvm::Error e = linkKernels())
    return e;
  finalizeFunctions();
  std::string err;
  llvm::raw_string_ostream os(err);
  if (llvm::verifyModule(*m_, &os))
    return llvm::createStringError("generated LLVM IR does not verify: " + os.str());
  return std::move(m_);
}

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

llvm::Expected<std::unique_ptr<llvm::Module>>
buildModule(const Program &program, const TargetInfo &target, llvm::TargetMachine &tm,
            llvm::StringRef modelName, llvm::LLVMContext &ctx) {
  return Builder(program, target, tm, ctx, modelName).build();
}

llvm::Error optimizeModule(llvm::Module &module, llvm::TargetMachine &tm, unsigned optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = optLevel >= 2;
  pto.SLPVectorization = optLevel >= 2;
  llvm::PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = optLevel == 0 ? pb.buildO0DefaultPipeline(level)
                                              : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
  std::string err;
  llvm::raw_string_ostream os(err);
  if (llvm::verifyModule(module, &os))
    return llvm::createStringError("optimized LLVM IR does not verify: " + os.str());
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<llvm::Module>>
compileGraphToModule(const ir::Graph &graph, const CodegenOptions &opts,
                     const TargetInfo &target, llvm::TargetMachine &tm, llvm::LLVMContext &ctx,
                     CompileTimes *times) {
  auto start = std::chrono::steady_clock::now();
  llvm::Expected<Program> program = lowerGraph(graph, target.isa);
  if (!program)
    return program.takeError();
  if (times)
    times->lowering = secondsSince(start);
  start = std::chrono::steady_clock::now();
  std::string name = opts.modelName.empty() ? graph.name() : opts.modelName;
  llvm::Expected<std::unique_ptr<llvm::Module>> module =
      buildModule(*program, target, tm, name, ctx);
  if (!module)
    return module.takeError();
  if (times)
    times->buildModule = secondsSince(start);
  start = std::chrono::steady_clock::now();
  if (llvm::Error e = optimizeModule(**module, tm, opts.optLevel))
    return e;
  if (times)
    times->optimize = secondsSince(start);
  return module;
}

} // namespace qc::codegen
