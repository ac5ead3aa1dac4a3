// qcrun: runs a model on .npy / .pb inputs and writes or checks its outputs.
// Three engines behind one interface: a compiled .so (through qc/model.hpp),
// an .onnx compiled in-process (--jit: fold + codegen::JitModel + the
// runtime's sessions), or the .onnx run literally (--reference).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

#include "codegen/Codegen.h"
#include "frontend/OnnxImporter.h"
#include "interp/Interpreter.h"
#include "ir/Verifier.h"
#include "passes/Pipeline.h"
#include "qc/model.hpp"
#include "runtime/Session.h"
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
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.so | model.onnx>"), cl::Required,
                               cl::cat(kCategory));
cl::opt<bool> useReference("reference",
                           cl::desc("Run the ONNX model literally with the reference interpreter "
                                    "(the default for .onnx)"),
                           cl::cat(kCategory));
cl::opt<bool> useJit("jit", cl::desc("Fold and compile the .onnx in-process (LLJIT), then run it"),
                     cl::cat(kCategory));
cl::opt<std::string> targetCpu("target-cpu",
                               cl::desc("--jit: native (default), x86-64-v3, x86-64-v4, a CPU name"),
                               cl::init("native"), cl::cat(kCategory));
cl::opt<std::string> targetFeatures("target-features",
                                    cl::desc("--jit: extra LLVM features, e.g. -avx512vnni"),
                                    cl::cat(kCategory));
// --threads: registered in main() (libLLVM has an option of that name).
int numThreads = 0;
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
cl::opt<std::string> compareWith(
    "compare", cl::ValueOptional, cl::value_desc("model.onnx"),
    cl::desc("Also run the reference interpreter and print the max difference per output "
             "(for a .so, name the .onnx it was compiled from: --compare=model.onnx)"),
    cl::cat(kCategory));

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

// An input or output as an engine declares it; -1 dims are symbolic.
struct IoInfo {
  std::string name;
  ir::ElemType type = ir::ElemType::F32;
  std::vector<int64_t> dims;
};

std::optional<ir::ElemType> irElemType(int32_t t) {
  switch (t) {
  case QC_ELEM_F32: return ir::ElemType::F32;
  case QC_ELEM_U8: return ir::ElemType::U8;
  case QC_ELEM_I8: return ir::ElemType::I8;
  case QC_ELEM_I32: return ir::ElemType::I32;
  case QC_ELEM_I64: return ir::ElemType::I64;
  case QC_ELEM_F64: return ir::ElemType::F64;
  case QC_ELEM_U16: return ir::ElemType::U16;
  case QC_ELEM_I16: return ir::ElemType::I16;
  case QC_ELEM_BOOL: return ir::ElemType::Bool;
  case QC_ELEM_F16: return ir::ElemType::F16;
  case QC_ELEM_BF16: return ir::ElemType::BF16;
  default: return std::nullopt;
  }
}

class Engine {
public:
  virtual ~Engine() = default;
  virtual std::string describe() const = 0;
  virtual const std::vector<IoInfo> &inputs() const = 0;
  virtual const std::vector<IoInfo> &outputs() const = 0;
  virtual llvm::Expected<std::vector<ir::Tensor>> run(const std::vector<ir::Tensor> &in) = 0;
};

std::vector<IoInfo> graphIo(const std::vector<ir::Value *> &values) {
  std::vector<IoInfo> infos;
  for (const ir::Value *v : values) {
    IoInfo info{v->name(), v->type().elem, {}};
    if (v->type().shape.isRanked())
      for (const ir::Dim &d : v->type().shape.dims())
        info.dims.push_back(d.isStatic() ? d.value() : -1);
    infos.push_back(std::move(info));
  }
  return infos;
}

class ReferenceEngine : public Engine {
public:
  explicit ReferenceEngine(std::unique_ptr<ir::Graph> graph)
      : graph_(std::move(graph)), inputs_(graphIo(graph_->inputs())),
        outputs_(graphIo(graph_->outputs())) {}
  std::string describe() const override { return "reference interpreter"; }
  const std::vector<IoInfo> &inputs() const override { return inputs_; }
  const std::vector<IoInfo> &outputs() const override { return outputs_; }
  llvm::Expected<std::vector<ir::Tensor>> run(const std::vector<ir::Tensor> &in) override {
    return interp::run(*graph_, in);
  }

private:
  std::unique_ptr<ir::Graph> graph_;
  std::vector<IoInfo> inputs_, outputs_;
};

// A run through the C ABI's calling convention (qc_run or qc_rt_run): output
// tensors are allocated from the declared shapes with the batch of the inputs.
class AbiEngine : public Engine {
public:
  const std::vector<IoInfo> &inputs() const override { return inputs_; }
  const std::vector<IoInfo> &outputs() const override { return outputs_; }

  llvm::Expected<std::vector<ir::Tensor>> run(const std::vector<ir::Tensor> &in) override {
    int64_t batch = 1;
    for (size_t i = 0; i < in.size() && i < inputs_.size(); ++i)
      for (size_t a = 0; a < inputs_[i].dims.size() && a < in[i].dims().size(); ++a)
        if (inputs_[i].dims[a] < 0)
          batch = in[i].dims()[a];
    std::vector<ir::Tensor> out;
    std::vector<std::vector<int64_t>> inShapes, outShapes;
    std::vector<qc_tensor> inT, outT;
    for (const ir::Tensor &t : in)
      inShapes.push_back(t.dims());
    for (size_t i = 0; i < in.size(); ++i)
      inT.push_back({const_cast<std::byte *>(in[i].raw()), inShapes[i].data(),
                     int32_t(inShapes[i].size()), 0, in[i].byteSize()});
    for (const IoInfo &info : outputs_) {
      std::vector<int64_t> dims = info.dims;
      for (int64_t &d : dims)
        d = d < 0 ? std::max<int64_t>(batch, 0) : d;
      out.emplace_back(info.type, dims);
      outShapes.push_back(dims);
    }
    for (size_t i = 0; i < out.size(); ++i)
      outT.push_back({out[i].raw(), outShapes[i].data(), int32_t(outShapes[i].size()), 0,
                      out[i].byteSize()});
    if (llvm::Error e = call(inT, outT))
      return e;
    return out;
  }

protected:
  virtual llvm::Error call(std::vector<qc_tensor> &in, std::vector<qc_tensor> &out) = 0;
  std::vector<IoInfo> inputs_, outputs_;
};

class LibraryEngine : public AbiEngine {
public:
  static llvm::Expected<std::unique_ptr<LibraryEngine>> load(const std::string &path) {
    // A file argument: "model.so" is the one in this directory, not a
    // library-path lookup.
    auto model = qc::Model::load(path.find('/') == std::string::npos ? "./" + path : path);
    if (!model)
      return fail(model.status().message);
    auto session = model->createSession(numThreads);
    if (!session)
      return fail(session.status().message);
    auto engine = std::unique_ptr<LibraryEngine>(
        new LibraryEngine(std::move(*model), std::move(*session)));
    for (bool isInput : {true, false})
      for (const qc::TensorInfo &t : isInput ? engine->model_.inputs() : engine->model_.outputs()) {
        std::optional<ir::ElemType> type = irElemType(t.elemType);
        if (!type)
          return fail(llvm::formatv("'{0}': {1} '{2}' has element type {3}, unknown to qcrun",
                                    path, isInput ? "input" : "output", t.name, int(t.elemType)));
        (isInput ? engine->inputs_ : engine->outputs_).push_back({t.name, *type, t.dims});
      }
    return engine;
  }
  std::string describe() const override {
    return llvm::formatv("{0}, compiled for {1}", llvm::sys::path::filename(modelPath),
                         model_.targetCpu());
  }

private:
  LibraryEngine(qc::Model model, qc::Session session)
      : model_(std::move(model)), session_(std::move(session)) {}
  llvm::Error call(std::vector<qc_tensor> &in, std::vector<qc_tensor> &out) override {
    std::vector<qc::InputView> iv;
    std::vector<qc::OutputView> ov;
    for (const qc_tensor &t : in)
      iv.push_back({t.data, t.shape, t.rank});
    for (const qc_tensor &t : out)
      ov.push_back({t.data, t.size_bytes, t.shape, t.rank});
    qc::Status st = session_.run(iv.data(), iv.size(), ov.data(), ov.size());
    return st.ok() ? llvm::Error::success() : fail(st.message);
  }
  qc::Model model_;
  qc::Session session_;
};

class JitEngine : public AbiEngine {
public:
  static llvm::Expected<std::unique_ptr<JitEngine>> create(const ir::Graph &graph) {
    codegen::CodegenOptions opts;
    opts.targetCpu = targetCpu;
    opts.targetFeatures = targetFeatures;
    opts.modelName = llvm::sys::path::stem(modelPath).str();
    auto jit = codegen::JitModel::create(graph, opts);
    if (!jit)
      return jit.takeError();
    qc_session *session = nullptr;
    if (qc_rt_session_create((*jit)->desc(), numThreads, &session) != QC_OK)
      return fail(qc_rt_last_error());
    auto engine = std::unique_ptr<JitEngine>(new JitEngine(std::move(*jit), session));
    const qc_model_desc *desc = engine->jit_->desc();
    for (bool isInput : {true, false}) {
      int32_t n = isInput ? desc->num_inputs : desc->num_outputs;
      for (int32_t i = 0; i < n; ++i) {
        const qc_tensor_desc &t = (isInput ? desc->inputs : desc->outputs)[i];
        std::optional<ir::ElemType> type = irElemType(t.elem_type);
        if (!type)
          return fail(llvm::formatv("jit: tensor '{0}' has unknown element type {1}", t.name,
                                    t.elem_type));
        (isInput ? engine->inputs_ : engine->outputs_)
            .push_back({t.name, *type, std::vector<int64_t>(t.dims, t.dims + t.rank)});
      }
    }
    return engine;
  }
  ~JitEngine() override { qc_rt_session_destroy(session_); }
  std::string describe() const override {
    return "jit for " + jit_->target().cpu + " (" + codegen::isaName(jit_->target().isa).str() + ")";
  }

private:
  JitEngine(std::unique_ptr<codegen::JitModel> jit, qc_session *session)
      : jit_(std::move(jit)), session_(session) {}
  llvm::Error call(std::vector<qc_tensor> &in, std::vector<qc_tensor> &out) override {
    if (qc_rt_run(session_, in.data(), int32_t(in.size()), out.data(), int32_t(out.size())) !=
        QC_OK)
      return fail(qc_rt_last_error());
    return llvm::Error::success();
  }
  std::unique_ptr<codegen::JitModel> jit_;
  qc_session *session_;
};

llvm::Expected<std::unique_ptr<ir::Graph>> importModel(llvm::StringRef path, bool fold) {
  auto shapes = tools::parseInputShapes(inputShapeSpecs);
  if (!shapes)
    return shapes.takeError();
  frontend::ImportOptions options;
  options.inputShapes = *shapes;
  auto graph = frontend::importOnnxFile(path, options);
  if (!graph)
    return graph.takeError();
  if (!fold)
    return graph;
  if (llvm::Error e = ir::verifyGraph(**graph))
    return e;
  passes::PassManager pm;
  if (llvm::Error e = passes::addDefaultPipeline(pm))
    return e;
  if (llvm::Error e = pm.run(**graph))
    return e;
  return graph;
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

// A file's tensor in the element type the model declares: float <-> float
// and integer <-> integer conversions are done, others refused.
llvm::Expected<ir::Tensor> toElemType(ir::Tensor t, const IoInfo &info) {
  if (t.elemType() == info.type)
    return t;
  bool fromFloat = ir::isFloatType(t.elemType()), toFloat = ir::isFloatType(info.type);
  if (fromFloat && !toFloat)
    return fail(llvm::formatv("input '{0}': the file holds {1}, the model takes {2}", info.name,
                              ir::elemTypeName(t.elemType()), ir::elemTypeName(info.type)));
  ir::Tensor converted(info.type, t.dims());
  for (int64_t i = 0; i < t.numElements(); ++i)
    if (toFloat)
      converted.setDouble(i, t.getDouble(i));
    else
      converted.setInt(i, t.getInt(i));
  return converted;
}

llvm::Expected<std::vector<ir::Tensor>> gatherInputs(const std::vector<IoInfo> &infos) {
  std::map<std::string, std::string> files;
  for (const std::string &spec : inputSpecs) {
    auto [name, file] = llvm::StringRef(spec).split('=');
    if (name.empty() || file.empty())
      return fail("--input '" + spec + "': expected name=file.npy");
    if (std::none_of(infos.begin(), infos.end(), [&](const IoInfo &i) { return i.name == name; }))
      return fail("--input '" + name + "': the model has no input of that name");
    files[name.str()] = file.str();
  }
  auto shapes = tools::parseInputShapes(inputShapeSpecs);
  if (!shapes)
    return shapes.takeError();
  std::mt19937_64 rng(seed);
  std::vector<ir::Tensor> inputs;
  for (const IoInfo &info : infos) {
    auto it = files.find(info.name);
    if (it != files.end()) {
      auto t = readTensor(it->second);
      if (!t)
        return t.takeError();
      auto converted = toElemType(std::move(*t), info);
      if (!converted)
        return converted.takeError();
      inputs.push_back(std::move(*converted));
      continue;
    }
    if (!randomInputs)
      return fail("no value for input '" + info.name + "': pass --input " + info.name +
                  "=file.npy or --random-inputs");
    std::vector<int64_t> dims = info.dims;
    auto shape = shapes->find(info.name);
    if (shape != shapes->end() && shape->second.isRanked() &&
        shape->second.rank() == dims.size())
      for (size_t a = 0; a < dims.size(); ++a)
        if (shape->second.dims()[a].isStatic())
          dims[a] = shape->second.dims()[a].value();
    for (int64_t &d : dims)
      d = d < 0 ? 1 : d; // unbound symbols: 1
    inputs.push_back(randomTensor(info.type, dims, rng));
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

// printf's %g (formatv has no such style).
std::string shortest(double v) { return llvm::formatv("{0}", llvm::format("%g", v)).str(); }

void printSummary(const std::string &name, const ir::Tensor &t) {
  llvm::outs() << name << ": " << t.type().str() << " [";
  int64_t n = std::min<int64_t>(t.numElements(), 8);
  for (int64_t i = 0; i < n; ++i) {
    if (i)
      llvm::outs() << ", ";
    if (ir::isFloatType(t.elemType()))
      llvm::outs() << shortest(t.getDouble(i));
    else
      llvm::outs() << t.getInt(i);
  }
  llvm::outs() << (t.numElements() > n ? ", ...]\n" : "]\n");
}

// The largest |a - b| and where; NaN counts as the worst.
std::pair<double, int64_t> maxDifference(const ir::Tensor &a, const ir::Tensor &b) {
  double worst = 0;
  int64_t worstAt = 0;
  for (int64_t i = 0; i < a.numElements(); ++i) {
    double diff = std::fabs(a.getDouble(i) - b.getDouble(i));
    if (!(diff <= worst)) {
      worst = diff;
      worstAt = i;
    }
  }
  return {worst, worstAt};
}

llvm::Error checkExpected(const std::vector<IoInfo> &infos,
                          const std::vector<ir::Tensor> &outputs) {
  for (const std::string &spec : expectSpecs) {
    auto [name, file] = llvm::StringRef(spec).split('=');
    size_t index = infos.size();
    for (size_t i = 0; i < infos.size(); ++i)
      if (infos[i].name == name)
        index = i;
    if (index == infos.size())
      return fail("--expect '" + name + "': the model has no output of that name");
    auto expected = readTensor(file);
    if (!expected)
      return expected.takeError();
    const ir::Tensor &actual = outputs[index];
    if (actual.dims() != expected->dims())
      return fail(llvm::formatv("output '{0}': shape {1} differs from expected {2}", name,
                                actual.type().shape.str(), expected->type().shape.str()));
    auto [worst, worstAt] = maxDifference(actual, *expected);
    llvm::outs() << llvm::formatv("{0}: max abs difference {1} (at element {2})\n", name,
                                  shortest(worst), worstAt);
    if (!(worst <= tolerance))
      return fail(llvm::formatv("output '{0}' differs from '{1}' by {2} > tolerance {3}", name,
                                file, shortest(worst), shortest(tolerance)));
  }
  return llvm::Error::success();
}

llvm::Error compareWithReference(const std::vector<IoInfo> &infos,
                                 const std::vector<ir::Tensor> &inputs,
                                 const std::vector<ir::Tensor> &outputs) {
  std::string path = compareWith.empty() ? modelPath.getValue() : compareWith.getValue();
  if (!llvm::StringRef(path).ends_with(".onnx"))
    return fail("--compare: name the .onnx model to compare with (--compare=model.onnx)");
  auto graph = importModel(path, /*fold=*/false);
  if (!graph)
    return graph.takeError();
  auto reference = interp::run(**graph, inputs);
  if (!reference)
    return reference.takeError();
  if (reference->size() != outputs.size())
    return fail(llvm::formatv("--compare: '{0}' has {1} outputs, the model run has {2}", path,
                              reference->size(), outputs.size()));
  for (size_t i = 0; i < outputs.size(); ++i) {
    if ((*reference)[i].dims() != outputs[i].dims()) {
      llvm::outs() << llvm::formatv("{0}: shape {1}, the reference's is {2}\n", infos[i].name,
                                    outputs[i].type().shape.str(),
                                    (*reference)[i].type().shape.str());
      continue;
    }
    auto [worst, worstAt] = maxDifference(outputs[i], (*reference)[i]);
    double scaleNote = 0;
    for (int64_t e = 0; e < outputs[i].numElements(); ++e)
      scaleNote = std::max(scaleNote, std::fabs((*reference)[i].getDouble(e)));
    llvm::outs() << llvm::formatv(
        "{0}: max abs difference vs reference {1} (at element {2}; reference max |x| {3})\n",
        infos[i].name, shortest(worst), worstAt, shortest(scaleNote));
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

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

llvm::Error bench(Engine &engine, const std::vector<ir::Tensor> &inputs) {
  std::vector<double> ms;
  for (unsigned r = 0; r < benchRuns; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    auto again = engine.run(inputs);
    if (!again)
      return again.takeError();
    ms.push_back(millisecondsSince(t0));
  }
  std::sort(ms.begin(), ms.end());
  double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size());
  llvm::outs() << llvm::formatv("latency ({0}, {1} runs): min {2:f3} ms, median {3:f3}, mean "
                                "{4:f3}, p90 {5:f3}\n",
                                engine.describe(), ms.size(), ms.front(), ms[ms.size() / 2], mean,
                                ms[std::min(ms.size() - 1, ms.size() * 9 / 10)]);
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<Engine>> makeEngine() {
  bool isLibrary = llvm::StringRef(modelPath).ends_with(".so");
  if (isLibrary && (useJit || useReference))
    return fail("--jit and --reference run .onnx models; '" + modelPath +
                "' is a compiled library");
  if (useJit && useReference)
    return fail("--jit and --reference exclude each other");
  if (numThreads < 0)
    return fail(llvm::formatv("--threads {0}: expected >= 0", numThreads));
  if (isLibrary) {
    auto engine = LibraryEngine::load(modelPath);
    if (!engine)
      return engine.takeError();
    return std::unique_ptr<Engine>(std::move(*engine));
  }
  auto graph = importModel(modelPath, /*fold=*/useJit);
  if (!graph)
    return graph.takeError();
  if (!useJit)
    return std::make_unique<ReferenceEngine>(std::move(*graph));
  auto engine = JitEngine::create(**graph);
  if (!engine)
    return engine.takeError();
  return std::unique_ptr<Engine>(std::move(*engine));
}

llvm::Error run() {
  auto engine = makeEngine();
  if (!engine)
    return engine.takeError();
  auto inputs = gatherInputs((*engine)->inputs());
  if (!inputs)
    return inputs.takeError();

  auto start = std::chrono::steady_clock::now();
  auto outputs = (*engine)->run(*inputs);
  if (!outputs)
    return outputs.takeError();
  double firstMs = millisecondsSince(start);

  const std::vector<IoInfo> &infos = (*engine)->outputs();
  for (size_t i = 0; i < outputs->size(); ++i)
    printSummary(infos[i].name, (*outputs)[i]);
  if (!outDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outDir))
      return fail("cannot create '" + outDir + "': " + ec.message());
    for (size_t i = 0; i < outputs->size(); ++i) {
      llvm::SmallString<256> path(outDir);
      llvm::sys::path::append(path, fileNameFor(infos[i].name));
      if (llvm::Error e = tools::writeNpy((*outputs)[i], path))
        return e;
    }
  }
  if (llvm::Error e = checkExpected(infos, *outputs))
    return e;
  if (!labelsPath.empty() && !outputs->empty())
    if (llvm::Error e = printTop1(outputs->front()))
      return e;
  if (compareWith.getNumOccurrences())
    if (llvm::Error e = compareWithReference(infos, *inputs, *outputs))
      return e;
  if (benchRuns)
    return bench(**engine, *inputs);
  llvm::outs() << llvm::formatv("ran in {0:f3} ms ({1})\n", firstMs, (*engine)->describe());
  return llvm::Error::success();
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // libLLVM registers a --threads of its own (unused here): qcrun's replaces it.
  if (cl::Option *llvmThreads = cl::getRegisteredOptions().lookup("threads"))
    llvmThreads->removeArgument();
  static cl::opt<int, true> threadsFlag("threads",
                                        cl::desc("Threads of a .so / --jit session (0: one per "
                                                 "core)"),
                                        cl::location(numThreads), cl::cat(kCategory));
  cl::HideUnrelatedOptions(kCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcrun: run a compiled model (.so), or an ONNX model with --jit or --reference\n");
  if (llvm::Error e = run())
    return tools::reportError("qcrun", std::move(e));
  return 0;
}
