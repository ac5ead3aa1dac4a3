// Pass-pipeline flags shared by qc-opt and qcompile (--passes,
// --print-ir-after-all, --print-ir-after, --verify-each, --stop-after-pass),
// defined once so both tools spell and document them the same way. The names
// avoid LLVM's own --print-after-all/--print-after/--stop-after.
#pragma once

#include <optional>
#include <string>

#include "passes/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::tools {

/// The category the pipeline flags belong to (for cl::HideUnrelatedOptions).
llvm::cl::OptionCategory &pipelineFlagsCategory();

/// Sets --verify-each's default; call before cl::ParseCommandLineOptions.
void setVerifyEachDefault(bool value);

/// The --passes value when the flag was given (possibly empty), else nullopt.
std::optional<std::string> explicitPassList();

/// PipelineOptions from the instrumentation flags; IR dumps go to
/// `printStream` (null: stderr).
passes::PipelineOptions pipelineOptionsFromFlags(llvm::raw_ostream *printStream = nullptr);

/// " Passes (from passes/Passes.def): ..." for --help.
std::string passListHelp();

} // namespace qc::tools
