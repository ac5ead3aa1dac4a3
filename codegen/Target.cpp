// Resolves --target-cpu / --target-features into the LLVM CPU and feature
// string, the kernel ISA and the CPU features a compiled model requires.
#include "codegen/Target.h"

#include <map>
#include <mutex>

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

namespace qc::codegen {

void initializeLlvmTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeX86AsmParser();
  });
}

llvm::StringRef targetTriple() { return "x86_64-unknown-linux-gnu"; }

namespace {

// The feature names runtime/ModelDesc.h lists for required_features, in
// its order (LLVM spells them the same way).
constexpr const char *kRuntimeFeatures[] = {
    "sse4.1",  "sse4.2",   "avx",      "avx2",     "fma",      "f16c",
    "bmi",     "bmi2",     "avx512f",  "avx512bw", "avx512vl", "avx512dq",
    "avx512cd", "avx512vnni", "avx512bf16", "avx512vbmi", "avxvnni"};

const llvm::Target *findX86Target(std::string &error) {
  return llvm::TargetRegistry::lookupTarget(targetTriple().str(), error);
}

// Applies a "+a,-b" list on top of `features` (later entries win).
llvm::Error applyFeatureString(llvm::StringRef list, llvm::StringMap<bool> &features,
                               const llvm::MCSubtargetInfo &sti) {
  llvm::SmallVector<llvm::StringRef> items;
  list.split(items, ',', -1, false);
  for (llvm::StringRef item : items) {
    item = item.trim();
    if (item.empty())
      continue;
    bool enable = true;
    if (item.front() == '+' || item.front() == '-') {
      enable = item.front() == '+';
      item = item.drop_front();
    }
    bool known = false;
    for (const llvm::SubtargetFeatureKV &kv : sti.getAllProcessorFeatures())
      if (item == kv.Key)
        known = true;
    if (!known)
      return llvm::createStringError("unknown target feature '%s' in '%s'", item.str().c_str(),
                                     list.str().c_str());
    features[item] = enable;
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<TargetInfo> resolveTarget(const CodegenOptions &opts) {
  initializeLlvmTargets();
  std::string error;
  const llvm::Target *target = findX86Target(error);
  if (!target)
    return llvm::createStringError("no x86-64 LLVM target: " + error);

  TargetInfo info;
  llvm::StringMap<bool> features;
  llvm::StringRef cpu = opts.targetCpu.empty() ? "native" : llvm::StringRef(opts.targetCpu);
  if (cpu == "native") {
    info.cpu = llvm::sys::getHostCPUName().str();
    features = llvm::sys::getHostCPUFeatures();
  } else {
    info.cpu = cpu.str();
  }
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(targetTriple().str(), "", ""));
  if (!sti->isCPUStringValid(info.cpu))
    return llvm::createStringError(
        "unknown target CPU '%s' (expected native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4 "
        "or an LLVM CPU name such as znver5, skylake-avx512)",
        info.cpu.c_str());
  if (llvm::Error e = applyFeatureString(opts.targetFeatures, features, *sti))
    return e;

  // The explicit feature list, sorted by name so output is deterministic.
  std::map<std::string, bool> sorted;
  for (const auto &kv : features)
    sorted[kv.getKey().str()] = kv.getValue();
  for (const auto &[name, enabled] : sorted) {
    if (!info.features.empty())
      info.features += ',';
    info.features += (enabled ? "+" : "-") + name;
  }

  // What the CPU + features really enable, implied features included.
  std::unique_ptr<llvm::MCSubtargetInfo> resolved(
      target->createMCSubtargetInfo(targetTriple().str(), info.cpu, info.features));
  auto has = [&](llvm::StringRef f) { return resolved->checkFeatures("+" + f.str()); };
  if (has("avx512vnni") && has("avx512bw") && has("avx512vl"))
    info.isa = Isa::Avx512Vnni;
  else if (has("avxvnni") && has("avx2"))
    info.isa = Isa::AvxVnni;
  else if (has("avx2") && has("fma"))
    info.isa = Isa::Avx2;
  else
    info.isa = Isa::Generic;
  for (const char *f : kRuntimeFeatures) {
    if (!has(f))
      continue;
    if (!info.requiredFeatures.empty())
      info.requiredFeatures += ',';
    info.requiredFeatures += f;
  }
  return info;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetInfo &info, unsigned optLevel) {
  initializeLlvmTargets();
  std::string error;
  const llvm::Target *target = findX86Target(error);
  if (!target)
    return llvm::createStringError("no x86-64 LLVM target: " + error);
  llvm::TargetOptions options;
  llvm::CodeGenOptLevel level = optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      targetTriple().str(), info.cpu, info.features, options, llvm::Reloc::PIC_, std::nullopt,
      level));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for cpu '%s'",
                                   info.cpu.c_str());
  return tm;
}

} // namespace qc::codegen
