// qcrun: runs a model on .npy / .pb inputs and writes or checks its outputs.
// Today it runs .onnx models with the reference interpreter (--reference);
// compiled .so models and --jit come with the code generator.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "frontend/OnnxImporter.h"
#include "interp/Interpreter.h"
#include "tools/Npy.h"
#include "tools/ToolSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace qc;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory kCategory("qcrun options");
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"), cl::Required,
                               cl::cat(kCategory));
cl::opt<bool> useReference("reference",
                           cl::desc("Run the ONNX model literally with the reference interpreter"),
                           cl::cat(kCategory));
cl::opt<bool> useJit("jit", cl::desc("Compile in-process and run (not available yet)"),
                     cl::cat(kCategory));
cl::list<std::string> inputSpecs("input",
                                 cl::desc("name=file.npy or name=file.pb (TensorProto); repeatable"),
                                 cl::cat(kCategory));
cl::list<std::string> inputShapeSpecs(
    "input-shape", cl::desc("name=1x3x224x224: bind an input's shape (symbolic dims)"),
    cl::cat(kCategory));
cl::opt<bool> randomInputs("random-inputs",
                           cl::desc("Generate inputs not given with --input (uniform, seeded)"),
                           cl::cat(kCategory));
cl::opt<unsigned> seed("seed", cl::desc("Seed for --random-inputs"), cl::init(0),
                       cl::cat(kCategory));
cl::opt<std::string> outDir("out", cl::desc("Write each output as DIR/<name>.npy"),
                            cl::value_desc("DIR"), cl::cat(kCategory));
cl::list<std::string> expectSpecs(
    "expect", cl::desc("name=file.npy: compare that output with the file (see --tolerance)"),
    cl::cat(kCategory));
cl::opt<double> tolerance("tolerance", cl::desc("Max abs difference allowed by --expect"),
                          cl::init(1e-4), cl::cat(kCategory));
cl::opt<std::string> labelsPath(
    "top1", cl::desc("labels.npy: print the top-1 accuracy of the first output (N x classes)"),
    cl::value_desc("labels.npy"), cl::cat(kCategory));
cl::opt<unsigned> benchRuns("bench", cl::desc("Run N more times and print latency stats"),
                            cl::init(0), cl::cat(kCategory));

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<ir::Tensor> readTensor(llvm::StringRef path) {
  if (path.ends_with(".pb"))
    return frontend::readTensorProtoFile(path);
  return tools::readNpy(path);
}

// Uniform random data: floats in [-1, 1), integers over the type's range
// (64-bit types over a small range, so index-like inputs stay sane).
ir::Tensor randomTensor(ir::ElemType type, std::vector<int64_t> dims, std::mt19937_64 &rng) {
  ir::Tensor t(type, std::move(dims));
  if (ir::isFloatType(type)) {
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    for (int64_t i = 0; i < t.numElements(); ++i)
      t.setDouble(i, dist(rng));
    return t;
  }
  int64_t lo = std::max<int64_t>(ir::elemTypeMin(type), -128);
  int64_t hi = std::min<int64_t>(ir::elemTypeMax(type), 255);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int64_t i = 0; i < t.numElements(); ++i)
    t.setInt(i, dist(rng));
  return t;
}

llvm::Expected<std::vector<ir::Tensor>>
gatherInputs(const ir::Graph &graph, const std::map<std::string, ir::Shape> &shapes) {
  std::map<std::string, std::string> files;
  for (const std::string &spec : inputSpecs) {
    auto [name, file] = llvm::StringRef(spec).split('=');
    if (name.empty() || file.empty())
      return fail("--input '" + spec + "': expected name=file.npy");
    if (!graph.findValue(name) ||
        std::find(graph.inputs().begin(), graph.inputs().end(), graph.findValue(name)) ==
            graph.inputs().end())
      return fail("--input '" + name + "': the model has no input of that name");
    files[name.str()] = file.str();
  }
  std::mt19937_64 rng(seed);
  std::vector<ir::Tensor> inputs;
  for (ir::Value *in : graph.inputs()) {
    auto it = files.find(in->name());
    if (it != files.end()) {
      auto t = readTensor(it->second);
      if (!t)
        return t.takeError();
      inputs.push_back(std::move(*t));
      continue;
    }
    if (!randomInputs)
      return fail("no value for input '" + in->name() + "' (" + in->type().str() +
                  "): pass --input " + in->name() + "=file.npy or --random-inputs");
    const ir::Shape &shape = in->type().shape;
    if (!shape.isRanked())
      return fail("input '" + in->name() + "' has no known rank: give --input-shape");
    std::vector<int64_t> dims;
    for (const ir::Dim &d : shape.dims())
      dims.push_back(d.isStatic() ? d.value() : 1); // unbound symbols: 1
    inputs.push_back(randomTensor(in->type().elem, dims, rng));
  }
  return inputs;
}

// Output names may contain '/' or ':'; file names must stay inside --out.
std::string fileNameFor(llvm::StringRef outputName) {
  std::string s;
  for (char c : outputName)
    s += (std::isalnum(uint8_t(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
  if (s.empty() || s[0] == '.')
    s = "_" + s;
  return s + ".npy";
}

void printSummary(const ir::Value &v, const ir::Tensor &t) {
  llvm::outs() << v.name() << ": " << t.type().str() << " [";
  int64_t n = std::min<int64_t>(t.numElements(), 8);
  for (int64_t i = 0; i < n; ++i) {
    if (i)
      llvm::outs() << ", ";
    if (ir::isFloatType(t.elemType()))
      llvm::outs() << llvm::formatv("{0:g}", t.getDouble(i));
    else
      llvm::outs() << t.getInt(i);
  }
  llvm::outs() << (t.numElements() > n ? ", ...]\n" : "]\n");
}

llvm::Error checkExpected(const ir::Graph &graph, const std::vector<ir::Tensor> &outputs) {
  for (const std::string &spec : expectSpecs) {
    auto [name, file] = llvm::StringRef(spec).split('=');
    size_t index = graph.outputs().size();
    for (size_t i = 0; i < graph.outputs().size(); ++i)
      if (graph.outputs()[i]->name() == name)
        index = i;
    if (index == graph.outputs().size())
      return fail("--expect '" + name + "': the model has no output of that name");
    auto expected = readTensor(file);
    if (!expected)
      return expected.takeError();
    const ir::Tensor &actual = outputs[index];
    if (actual.dims() != expected->dims())
      return fail(llvm::formatv("output '{0}': shape {1} differs from expected {2}", name,
                                actual.type().shape.str(), expected->type().shape.str()));
    double worst = 0;
    int64_t worstAt = 0;
    for (int64_t i = 0; i < actual.numElements(); ++i) {
      double diff = std::fabs(actual.getDouble(i) - expected->getDouble(i));
      if (!(diff <= worst)) { // NaN counts as worst
        worst = diff;
        worstAt = i;
      }
    }
    llvm::outs() << llvm::formatv("{0}: max abs difference {1:g} (at element {2})\n", name,
                                  worst, worstAt);
    if (!(worst <= tolerance))
      return fail(llvm::formatv("output '{0}' differs from '{1}' by {2:g} > tolerance {3:g}",
                                name, file, worst, tolerance.getValue()));
  }
  return llvm::Error::success();
}

llvm::Error printTop1(const ir::Tensor &logits) {
  auto labels = tools::readNpy(labelsPath);
  if (!labels)
    return labels.takeError();
  if (logits.rank() != 2 || labels->rank() != 1 || labels->dims()[0] != logits.dims()[0])
    return fail(llvm::formatv("--top1: expected N x classes logits and N labels, got {0} and {1}",
                              logits.type().shape.str(), labels->type().shape.str()));
  int64_t n = logits.dims()[0], classes = logits.dims()[1], correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (logits.getDouble(i * classes + c) > logits.getDouble(i * classes + best))
        best = c;
    correct += best == labels->getInt(i);
  }
  llvm::outs() << llvm::formatv("top-1 accuracy: {0}/{1} = {2:f2}%\n", correct, n,
                                100.0 * double(correct) / double(n));
  return llvm::Error::success();
}

llvm::Error run() {
  if (useJit)
    return fail("--jit is not available yet: the LLVM code generator is not built; use "
                "--reference");
  if (llvm::StringRef(modelPath).ends_with(".so"))
    return fail("running compiled .so models is not available yet; run the .onnx with "
                "--reference");
  auto shapes = tools::parseInputShapes(inputShapeSpecs);
  if (!shapes)
    return shapes.takeError();
  frontend::ImportOptions options;
  options.inputShapes = *shapes;
  auto graph = frontend::importOnnxFile(modelPath, options);
  if (!graph)
    return graph.takeError();
  auto inputs = gatherInputs(**graph, *shapes);
  if (!inputs)
    return inputs.takeError();

  auto start = std::chrono::steady_clock::now();
  auto outputs = interp::run(**graph, *inputs);
  if (!outputs)
    return outputs.takeError();
  double firstMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  for (size_t i = 0; i < outputs->size(); ++i)
    printSummary(*(*graph)->outputs()[i], (*outputs)[i]);
  if (!outDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outDir))
      return fail("cannot create '" + outDir + "': " + ec.message());
    for (size_t i = 0; i < outputs->size(); ++i) {
      llvm::SmallString<256> path(outDir);
      llvm::sys::path::append(path, fileNameFor((*graph)->outputs()[i]->name()));
      if (llvm::Error e = tools::writeNpy((*outputs)[i], path))
        return e;
    }
  }
  if (llvm::Error e = checkExpected(**graph, *outputs))
    return e;
  if (!labelsPath.empty() && !outputs->empty())
    if (llvm::Error e = printTop1(outputs->front()))
      return e;

  if (benchRuns) {
    std::vector<double> ms;
    for (unsigned r = 0; r < benchRuns; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      auto again = interp::run(**graph, *inputs);
      if (!again)
        return again.takeError();
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
              .count());
    }
    std::sort(ms.begin(), ms.end());
    llvm::outs() << llvm::formatv(
        "latency (reference interpreter, {0} runs): median {1:f3} ms, p10 {2:f3}, p90 {3:f3}\n",
        ms.size(), ms[ms.size() / 2], ms[ms.size() / 10], ms[ms.size() * 9 / 10]);
  } else {
    llvm::outs() << llvm::formatv("ran in {0:f1} ms (reference interpreter)\n", firstMs);
  }
  return llvm::Error::success();
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(kCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "qcrun: run an ONNX model (reference interpreter) on .npy inputs\n");
  if (!useReference && !useJit)
    useReference = true; // the only engine for .onnx today
  if (llvm::Error e = run())
    return tools::reportError("qcrun", std::move(e));
  return 0;
}
