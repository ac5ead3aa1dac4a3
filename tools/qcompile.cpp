// qcompile: compiles an ONNX model. Imports and verifies it, runs the QDQ
// folding pipeline (passes/Pipeline.h, or --passes), prints the folded IR
// (--emit=ir) and the fold report (--report, --report=json). Native code
// (llvm, asm, obj, so) comes with the code generator and is refused clearly.
#include "frontend/OnnxImporter.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/FoldReport.h"
#include "passes/Pipeline.h"
#include "tools/PipelineFlags.h"
#include "tools/ToolSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace qc;
namespace cl = llvm::cl;

namespace {
enum class EmitKind { IR, LLVM, Asm, Obj, So };

cl::OptionCategory kCategory("qcompile options");
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"), cl::Required,
                               cl::cat(kCategory));
cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout for text)"),
                                cl::value_desc("file"), cl::cat(kCategory));
cl::opt<EmitKind> emit("emit", cl::desc("What to produce"),
                       cl::values(clEnumValN(EmitKind::IR, "ir", "qc IR text (after folding)"),
                                  clEnumValN(EmitKind::LLVM, "llvm", "LLVM IR (not yet)"),
                                  clEnumValN(EmitKind::Asm, "asm", "assembly (not yet)"),
                                  clEnumValN(EmitKind::Obj, "obj", "object file (not yet)"),
                                  clEnumValN(EmitKind::So, "so", "shared library (not yet)")),
                       cl::init(EmitKind::IR), cl::cat(kCategory));
cl::list<std::string> inputShapeSpecs(
    "input-shape", cl::desc("name=1x3x224x224: fix an input's shape (symbolic dims allowed)"),
    cl::cat(kCategory));
cl::opt<bool> noFold("no-fold", cl::desc("Run no passes: emit the imported IR"),
                     cl::cat(kCategory));
cl::opt<std::string> reportFormat(
    "report", cl::ValueOptional, cl::value_desc("text|json"),
    cl::desc("Print the fold report (integer vs float ops, share of MACs in integer, ops left "
             "float and why): --report or --report=text for a table, --report=json. It goes "
             "to stdout, or to stderr when the IR is printed to stdout too"),
    cl::cat(kCategory));

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::StringRef emitName(EmitKind kind) {
  switch (kind) {
  case EmitKind::IR:
    return "ir";
  case EmitKind::LLVM:
    return "llvm";
  case EmitKind::Asm:
    return "asm";
  case EmitKind::Obj:
    return "obj";
  case EmitKind::So:
    return "so";
  }
  return "?";
}

llvm::Error runPipeline(ir::Graph &graph) {
  std::optional<std::string> explicitList = tools::explicitPassList();
  if (noFold && explicitList && !explicitList->empty())
    return fail("--no-fold and a non-empty --passes contradict each other");
  if (noFold)
    return llvm::Error::success();
  passes::PassManager pm(tools::pipelineOptionsFromFlags(&llvm::errs()));
  if (llvm::Error e = explicitList ? pm.addPipeline(*explicitList)
                                   : passes::addDefaultPipeline(pm))
    return e;
  return pm.run(graph);
}

llvm::Error compile() {
  if (emit != EmitKind::IR)
    return fail("--emit=" + emitName(emit) +
                " is not implemented yet: the LLVM code generator has not landed; only "
                "--emit=ir works today");
  bool wantReport = reportFormat.getNumOccurrences() > 0;
  bool jsonReport = reportFormat == "json";
  if (wantReport && !jsonReport && !reportFormat.empty() && reportFormat != "text")
    return fail("--report='" + reportFormat + "': expected text or json");
  auto shapes = tools::parseInputShapes(inputShapeSpecs);
  if (!shapes)
    return shapes.takeError();
  frontend::ImportOptions options;
  options.inputShapes = *shapes;
  auto graph = frontend::importOnnxFile(modelPath, options);
  if (!graph)
    return graph.takeError();
  if (llvm::Error e = ir::verifyGraph(**graph))
    return e;
  if (llvm::Error e = runPipeline(**graph))
    return e;

  // The IR goes to -o, or to stdout unless only the report was asked for.
  bool irToFile = !outputPath.empty() && outputPath != "-";
  bool irToStdout = !irToFile && (!wantReport || emit.getNumOccurrences() > 0);
  if (irToFile)
    if (llvm::Error e = tools::writeFileAtomically(outputPath, ir::printGraph(**graph)))
      return e;
  if (irToStdout)
    llvm::outs() << ir::printGraph(**graph);
  if (wantReport) {
    llvm::raw_ostream &os = irToStdout ? llvm::errs() : llvm::outs();
    passes::FoldReport report = passes::computeFoldReport(**graph);
    if (jsonReport)
      os << llvm::formatv("{0:2}", passes::foldReportToJson(report)) << "\n";
    else
      passes::printFoldReport(report, os);
  }
  return llvm::Error::success();
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&kCategory, &tools::pipelineFlagsCategory()});
  cl::ParseCommandLineOptions(argc, argv,
                              "qcompile: compile a quantized ONNX model\n\nDefault pipeline: " +
                                  passes::defaultPipelineString() + "\n" +
                                  tools::passListHelp());
  if (llvm::Error e = compile())
    return tools::reportError("qcompile", std::move(e));
  return 0;
}
