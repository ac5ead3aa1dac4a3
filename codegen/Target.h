// Target selection: --target-cpu / --target-features to an LLVM CPU,
// feature string, kernel ISA and TargetMachine (codegen/Codegen.h's
// resolveTarget, shared by the JIT and AOT paths).
#pragma once

#include <memory>

#include "codegen/Codegen.h"
#include "llvm/Target/TargetMachine.h"

namespace qc::codegen {

/// Registers the X86 target, its asm printer and parser once per process.
void initializeLlvmTargets();

/// The TargetMachine of a resolved target (PIC, so the same object links
/// into a shared library; `optLevel` 0-3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetInfo &target, unsigned optLevel);

/// The x86-64 Linux triple qc compiles for.
llvm::StringRef targetTriple();

} // namespace qc::codegen
