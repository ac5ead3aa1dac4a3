// qcompile: compiles an ONNX model. Imports and verifies it, runs the QDQ
// folding pipeline (passes/Pipeline.h, or --passes), then prints the folded
// IR (--emit=ir) or hands it to the code generator (codegen/Codegen.h) for
// LLVM IR, assembly, an object or a shared library; --report prints the fold
// report, --time the compile phases.
#include <chrono>

#include "codegen/Codegen.h"
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
cl::opt<EmitKind> emit(
    "emit",
    cl::desc("What to produce (default: so when -o ends in .so, else ir)"),
    cl::values(clEnumValN(EmitKind::IR, "ir", "qc IR text (after folding)"),
               clEnumValN(EmitKind::LLVM, "llvm", "optimized LLVM IR text"),
               clEnumValN(EmitKind::Asm, "asm", "assembly"),
               clEnumValN(EmitKind::Obj, "obj", "object file"),
               clEnumValN(EmitKind::So, "so", "self-contained shared library (C ABI qc/model.h)")),
    cl::init(EmitKind::IR), cl::cat(kCategory));
cl::opt<std::string> targetCpu("target-cpu",
                               cl::desc("CPU to compile for: native (default), x86-64, "
                                        "x86-64-v2/v3/v4, or an LLVM CPU name (znver5, ...)"),
                               cl::init("native"), cl::cat(kCategory));
cl::opt<std::string> targetFeatures(
    "target-features", cl::desc("LLVM features on top of the CPU's, e.g. -avx512vnni,+avxvnni"),
    cl::cat(kCategory));
cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level 0-3 (default 3)"), cl::Prefix,
                           cl::init(3), cl::cat(kCategory));
cl::opt<unsigned> codegenJobs(
    "codegen-partitions",
    cl::desc("Generate a shared library's machine code in N module partitions, one thread "
             "each (default 4; 1: serially)"),
    cl::init(4), cl::cat(kCategory));
cl::opt<std::string> modelName("model-name",
                               cl::desc("Model name in the library (default: the graph's)"),
                               cl::cat(kCategory));
cl::opt<bool> printTimes("time", cl::desc("Print the time of each compile phase to stderr"),
                         cl::cat(kCategory));
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

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// What --emit asks for, defaulting to a shared library for "-o x.so".
EmitKind emitKind() {
  if (emit.getNumOccurrences() == 0 && llvm::StringRef(outputPath).ends_with(".so"))
    return EmitKind::So;
  return emit;
}

llvm::Error emitNative(const ir::Graph &graph, EmitKind kind, double parse, double passes) {
  if (outputPath.empty())
    return fail("--emit=" + emitName(kind) + " needs an output file (-o)");
  codegen::CodegenOptions opts;
  opts.targetCpu = targetCpu;
  opts.targetFeatures = targetFeatures;
  opts.optLevel = std::min(optLevel.getValue(), 3u);
  opts.codegenPartitions = std::max(1u, codegenJobs.getValue());
  opts.modelName = modelName.empty() ? graph.name() : modelName.getValue();
  codegen::EmitKind ck = kind == EmitKind::LLVM  ? codegen::EmitKind::LLVM
                         : kind == EmitKind::Asm ? codegen::EmitKind::Asm
                         : kind == EmitKind::Obj ? codegen::EmitKind::Obj
                                                 : codegen::EmitKind::So;
  std::string path = outputPath == "-" ? "/dev/stdout" : outputPath.getValue();
  codegen::CompileTimes times;
  if (llvm::Error e = codegen::compileToFile(graph, opts, ck, path, &times))
    return e;
  if (printTimes)
    llvm::errs() << llvm::formatv(
        "qcompile: time: parse {0:f3}s, passes {1:f3}s, lowering {2:f3}s, llvm ir {3:f3}s, "
        "llvm opt {4:f3}s, codegen {5:f3}s, link {6:f3}s, total {7:f3}s\n",
        parse, passes, times.lowering, times.buildModule, times.optimize, times.codegen,
        times.link,
        parse + passes + times.lowering + times.buildModule + times.optimize + times.codegen +
            times.link);
  return llvm::Error::success();
}

llvm::Error compile() {
  bool wantReport = reportFormat.getNumOccurrences() > 0;
  bool jsonReport = reportFormat == "json";
  if (wantReport && !jsonReport && !reportFormat.empty() && reportFormat != "text")
    return fail("--report='" + reportFormat + "': expected text or json");
  auto shapes = tools::parseInputShapes(inputShapeSpecs);
  if (!shapes)
    return shapes.takeError();
  frontend::ImportOptions options;
  options.inputShapes = *shapes;
  auto start = std::chrono::steady_clock::now();
  auto graph = frontend::importOnnxFile(modelPath, options);
  if (!graph)
    return graph.takeError();
  if (llvm::Error e = ir::verifyGraph(**graph))
    return e;
  double parseTime = secondsSince(start);
  start = std::chrono::steady_clock::now();
  if (llvm::Error e = runPipeline(**graph))
    return e;
  double passTime = secondsSince(start);

  if (EmitKind kind = emitKind(); kind != EmitKind::IR) {
    if (wantReport) {
      passes::FoldReport report = passes::computeFoldReport(**graph);
      if (jsonReport)
        llvm::outs() << llvm::formatv("{0:2}", passes::foldReportToJson(report)) << "\n";
      else
        passes::printFoldReport(report, llvm::outs());
    }
    return emitNative(**graph, kind, parseTime, passTime);
  }

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
