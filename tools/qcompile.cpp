// qcompile: compiles an ONNX model. Today it imports, verifies and prints the
// IR (--emit=ir); folding passes, --report and native code (llvm, asm, obj,
// so) come with the passes and the code generator and are refused clearly.
#include "frontend/OnnxImporter.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "tools/ToolSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
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
                       cl::values(clEnumValN(EmitKind::IR, "ir", "qc IR text"),
                                  clEnumValN(EmitKind::LLVM, "llvm", "LLVM IR (not yet)"),
                                  clEnumValN(EmitKind::Asm, "asm", "assembly (not yet)"),
                                  clEnumValN(EmitKind::Obj, "obj", "object file (not yet)"),
                                  clEnumValN(EmitKind::So, "so", "shared library (not yet)")),
                       cl::init(EmitKind::IR), cl::cat(kCategory));
cl::list<std::string> inputShapeSpecs(
    "input-shape", cl::desc("name=1x3x224x224: fix an input's shape (symbolic dims allowed)"),
    cl::cat(kCategory));

llvm::Error compile() {
  if (emit != EmitKind::IR)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "--emit=%s is not implemented yet: the LLVM code generator has not landed; "
        "only --emit=ir works today",
        emit == EmitKind::LLVM ? "llvm" : emit == EmitKind::Asm ? "asm"
                                      : emit == EmitKind::Obj   ? "obj"
                                                                : "so");
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
  std::string text = ir::printGraph(**graph);
  if (outputPath.empty() || outputPath == "-") {
    llvm::outs() << text;
    return llvm::Error::success();
  }
  return tools::writeFileAtomically(outputPath, text);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(kCategory);
  cl::ParseCommandLineOptions(argc, argv, "qcompile: compile a quantized ONNX model\n");
  if (llvm::Error e = compile())
    return tools::reportError("qcompile", std::move(e));
  return 0;
}
