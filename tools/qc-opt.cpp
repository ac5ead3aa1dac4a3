// qc-opt: runs passes on text IR, the driver of pass tests (like mlir-opt):
//   qc-opt in.qcir --passes=fold-constants,dce [--split-input-file]
//          [--check-equivalence] | FileCheck in.qcir
#include <random>

#include "interp/Interpreter.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/Pass.h"
#include "tools/PipelineFlags.h"
#include "tools/ToolSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace qc;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory kCategory("qc-opt options");
cl::opt<std::string> inputPath(cl::Positional, cl::desc("<input.qcir>"), cl::init("-"),
                               cl::cat(kCategory));
cl::opt<std::string> outputPath("o", cl::desc("Output file"), cl::init("-"), cl::cat(kCategory));
cl::opt<bool> splitInputFile("split-input-file",
                             cl::desc("Treat '// -----' lines as separators of independent cases"),
                             cl::cat(kCategory));
cl::opt<bool> checkEquivalence(
    "check-equivalence",
    cl::desc("Run the graph before and after the passes in the reference interpreter on random "
             "inputs; integer outputs must agree within --max-int-diff, floats within "
             "--float-tolerance"),
    cl::cat(kCategory));
cl::opt<int64_t> maxIntDiff("max-int-diff", cl::desc("Allowed integer output difference"),
                            cl::init(0), cl::cat(kCategory));
cl::opt<double> floatTolerance("float-tolerance", cl::desc("Allowed float output difference"),
                               cl::init(0.0), cl::cat(kCategory));
cl::opt<bool> printRemarks("print-remarks",
                           cl::desc("Print each node's remark (why a pass left it alone) as a "
                                    "trailing '// remark: ...' comment"),
                           cl::cat(kCategory));
cl::opt<unsigned> trials("trials", cl::desc("Random input sets for --check-equivalence"),
                         cl::init(3), cl::cat(kCategory));

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::vector<ir::Tensor> randomInputs(const ir::Graph &graph, std::mt19937_64 &rng) {
  std::vector<ir::Tensor> inputs;
  for (ir::Value *in : graph.inputs()) {
    std::vector<int64_t> dims;
    for (const ir::Dim &d : in->type().shape.dims())
      dims.push_back(d.isStatic() ? d.value() : 2);
    ir::Tensor t(in->type().elem, dims);
    for (int64_t i = 0; i < t.numElements(); ++i) {
      if (ir::isFloatType(t.elemType()))
        t.setDouble(i, std::uniform_real_distribution<double>(-4.0, 4.0)(rng));
      else
        t.setInt(i, std::uniform_int_distribution<int64_t>(
                        std::max<int64_t>(ir::elemTypeMin(t.elemType()), -1000),
                        std::min<int64_t>(ir::elemTypeMax(t.elemType()), 1000))(rng));
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

llvm::Error compareRuns(const ir::Graph &before, const ir::Graph &after) {
  std::mt19937_64 rng(1);
  for (unsigned trial = 0; trial < trials; ++trial) {
    std::vector<ir::Tensor> inputs = randomInputs(before, rng);
    auto expected = interp::run(before, inputs);
    if (!expected)
      return fail("before the passes: " + llvm::toString(expected.takeError()));
    auto actual = interp::run(after, inputs);
    if (!actual)
      return fail("after the passes: " + llvm::toString(actual.takeError()));
    for (size_t o = 0; o < expected->size(); ++o) {
      const ir::Tensor &e = (*expected)[o], &a = (*actual)[o];
      if (e.dims() != a.dims() || e.elemType() != a.elemType())
        return fail(llvm::formatv("output {0}: {1} before, {2} after", o, e.type().str(),
                                  a.type().str()));
      for (int64_t i = 0; i < e.numElements(); ++i) {
        bool isFloat = ir::isFloatType(e.elemType());
        double diff = isFloat ? std::fabs(e.getDouble(i) - a.getDouble(i))
                              : double(std::llabs(e.getInt(i) - a.getInt(i)));
        double allowed = isFloat ? floatTolerance.getValue() : double(maxIntDiff.getValue());
        if (!(diff <= allowed))
          return fail(llvm::formatv("output '{0}' element {1}: {2:g} before, {3:g} after",
                                    after.outputs()[o]->name(), i, e.getDouble(i),
                                    a.getDouble(i)));
      }
    }
  }
  return llvm::Error::success();
}

llvm::Error processCase(llvm::StringRef text, llvm::StringRef bufferName,
                        llvm::raw_ostream &os) {
  auto graph = ir::parseGraph(text, bufferName);
  if (!graph)
    return graph.takeError();
  if (llvm::Error e = ir::verifyGraph(**graph))
    return e;
  std::unique_ptr<ir::Graph> before = checkEquivalence ? (*graph)->clone() : nullptr;

  passes::PassManager pm(tools::pipelineOptionsFromFlags(&os));
  if (llvm::Error e = pm.addPipeline(tools::explicitPassList().value_or("")))
    return e;
  if (llvm::Error e = pm.run(**graph))
    return e;
  if (before)
    if (llvm::Error e = compareRuns(*before, **graph))
      return fail("equivalence check failed: " + llvm::toString(std::move(e)));
  ir::printGraph(**graph, os, ir::PrintOptions{printRemarks});
  return llvm::Error::success();
}

llvm::Error run() {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(inputPath);
  if (!buffer)
    return fail("cannot read '" + inputPath + "': " + buffer.getError().message());
  llvm::StringRef text = (*buffer)->getBuffer();
  std::vector<std::string> cases;
  auto addCase = [&](size_t begin, size_t end) {
    // Pad with the newlines before the case so errors cite file lines.
    std::string padded(size_t(text.take_front(begin).count('\n')), '\n');
    cases.push_back(padded + text.slice(begin, end).str());
  };
  if (splitInputFile) {
    // Cases are separated by lines that are exactly "// -----". Each case
    // keeps its line numbers by padding with the lines that precede it.
    size_t start = 0;
    while (true) {
      size_t sep = text.find("\n// -----", start);
      if (sep == llvm::StringRef::npos) {
        addCase(start, text.size());
        break;
      }
      addCase(start, sep + 1);
      size_t next = text.find('\n', sep + 1);
      start = next == llvm::StringRef::npos ? text.size() : next + 1;
    }
  } else {
    addCase(0, text.size());
  }
  std::string out;
  llvm::raw_string_ostream os(out);
  bool failed = false;
  for (size_t i = 0; i < cases.size(); ++i) {
    if (i)
      os << "// -----\n";
    if (llvm::Error e = processCase(cases[i], inputPath, os)) {
      // With split input, every case runs; errors go to stderr (tests check
      // them with `not qc-opt ... 2>&1 | FileCheck`).
      llvm::errs() << inputPath << ": case " << i + 1 << ": " << llvm::toString(std::move(e))
                   << '\n';
      failed = true;
    }
  }
  os.flush();
  if (outputPath == "-")
    llvm::outs() << out;
  else if (llvm::Error e = tools::writeFileAtomically(outputPath, out))
    return e;
  return failed ? fail("some cases failed") : llvm::Error::success();
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Pass tests always verify; --verify-each=false turns it off for bisecting.
  tools::setVerifyEachDefault(true);
  cl::HideUnrelatedOptions({&kCategory, &tools::pipelineFlagsCategory()});
  cl::ParseCommandLineOptions(argc, argv,
                              "qc-opt: run qc passes on text IR\n" + tools::passListHelp());
  if (llvm::Error e = run())
    return tools::reportError("qc-opt", std::move(e));
  return 0;
}
