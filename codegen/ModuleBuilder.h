// The driver's second half: a lowered Program to one llvm::Module — the
// target ISA's kernel bitcode linked in, one task function per kernel call
// with its constants, run(), and the qc_model_desc_v1 descriptor
// (runtime/ModelDesc.h) — then optimized for the target.
#pragma once

#include <memory>

#include "codegen/Codegen.h"
#include "codegen/Lowering.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace qc::codegen {

/// Builds and verifies the module of `program` (unoptimized).
llvm::Expected<std::unique_ptr<llvm::Module>>
buildModule(const Program &program, const TargetInfo &target, llvm::TargetMachine &tm,
            llvm::StringRef modelName, llvm::LLVMContext &ctx);

/// Runs the new pass manager's default per-module pipeline at `optLevel`
/// (0-3) and verifies the result.
llvm::Error optimizeModule(llvm::Module &module, llvm::TargetMachine &tm, unsigned optLevel);

/// Lowering + buildModule + optimizeModule: the module of a graph.
llvm::Expected<std::unique_ptr<llvm::Module>>
compileGraphToModule(const ir::Graph &graph, const CodegenOptions &opts,
                     const TargetInfo &target, llvm::TargetMachine &tm, llvm::LLVMContext &ctx,
                     CompileTimes *times = nullptr);

} // namespace qc::codegen
