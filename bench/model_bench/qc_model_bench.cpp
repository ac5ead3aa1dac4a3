// qc_model_bench: times a compiled model library (qcompile -o model.so) through its C ABI
// the way an application uses it (include/qc/model.hpp): dlopen, create a session, run.
//
//   qc_model_bench model.so --input input=x.npy [--threads N] [--runs N] [--warmup N]
//                  [--out DIR]
//
// Prints one JSON line to stdout with the run latency statistics (median, p10, p90, min, mean,
// like bench/ort/run_ort.js), the dlopen and session-creation times and the first run's time.
// --out writes every output as DIR/<name>.npy so that a driver can compare with ONNX Runtime.
#include "qc/model.hpp"
#include "tools/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

[[noreturn]] void fail(const llvm::Twine &message) {
  llvm::errs() << "qc_model_bench: error: " << message << "\n";
  std::exit(1);
}

std::optional<qc::ir::ElemType> irElemType(int32_t abiType) {
  using qc::ir::ElemType;
  switch (abiType) {
  case QC_ELEM_F32: return ElemType::F32;
  case QC_ELEM_U8: return ElemType::U8;
  case QC_ELEM_I8: return ElemType::I8;
  case QC_ELEM_I32: return ElemType::I32;
  case QC_ELEM_I64: return ElemType::I64;
  case QC_ELEM_F64: return ElemType::F64;
  case QC_ELEM_U16: return ElemType::U16;
  case QC_ELEM_I16: return ElemType::I16;
  case QC_ELEM_BOOL: return ElemType::Bool;
  case QC_ELEM_F16: return ElemType::F16;
  case QC_ELEM_BF16: return ElemType::BF16;
  default: return std::nullopt;
  }
}

struct Options {
  std::string model;
  std::vector<std::pair<std::string, std::string>> inputs; // name ("" = the only one), file
  std::string outDir;
  int threads = 1;
  int runs = 50;
  int warmup = 10;
};

int parseCount(const std::string &flag, const char *text, int min) {
  char *end = nullptr;
  long v = text ? std::strtol(text, &end, 10) : 0;
  if (!text || *text == '\0' || *end != '\0' || v < min || v > 1000000)
    fail(llvm::formatv("{0} needs an integer >= {1}, got '{2}'", flag, min, text ? text : ""));
  return static_cast<int>(v);
}

Options parseArgs(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc)
        fail(a + " needs a value");
      return argv[++i];
    };
    if (a == "--input") {
      std::string v = value();
      size_t eq = v.find('=');
      o.inputs.emplace_back(eq == std::string::npos ? "" : v.substr(0, eq),
                            eq == std::string::npos ? v : v.substr(eq + 1));
    } else if (a == "--threads") {
      o.threads = parseCount(a, value(), 1);
    } else if (a == "--runs") {
      o.runs = parseCount(a, value(), 1);
    } else if (a == "--warmup") {
      o.warmup = parseCount(a, value(), 0);
    } else if (a == "--out") {
      o.outDir = value();
    } else if (a == "-h" || a == "--help") {
      llvm::outs() << "usage: qc_model_bench MODEL.so --input NAME=FILE.npy [--threads N] "
                      "[--runs N] [--warmup N] [--out DIR]\n";
      std::exit(0);
    } else if (!a.empty() && a[0] == '-') {
      fail("unknown option '" + a + "'");
    } else if (o.model.empty()) {
      o.model = a;
    } else {
      fail("unexpected argument '" + a + "'");
    }
  }
  if (o.model.empty())
    fail("no model library given");
  return o;
}

/// numpy.percentile's default: linear interpolation between closest ranks.
double percentile(const std::vector<double> &sorted, double p) {
  double pos = (sorted.size() - 1) * p / 100.0;
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

std::string jsonString(llvm::StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20)
      out += c;
  }
  return out + "\"";
}

} // namespace

int main(int argc, char **argv) {
  Options opts = parseArgs(argc, argv);
  std::string modelPath = opts.model;
  if (modelPath.find('/') == std::string::npos)
    modelPath = "./" + modelPath; // dlopen searches the library path for bare names

  auto t0 = Clock::now();
  auto model = qc::Model::load(modelPath);
  double loadMs = msSince(t0);
  if (!model)
    fail(model.status().message);

  // Inputs, in model order; the symbolic (batch) dimension comes from their shapes.
  const std::vector<qc::TensorInfo> &inInfos = model->inputs(), &outInfos = model->outputs();
  size_t numInputs = inInfos.size(), numOutputs = outInfos.size();
  std::vector<qc::ir::Tensor> inputs(numInputs);
  std::vector<bool> given(numInputs, false);
  int64_t batch = 1;
  for (auto &[name, file] : opts.inputs) {
    size_t index = numInputs;
    for (size_t i = 0; i < numInputs; ++i)
      if (name.empty() ? numInputs == 1 : name == inInfos[i].name)
        index = i;
    if (index == numInputs)
      fail(llvm::formatv("model has no input '{0}'{1}", name,
                         name.empty() ? " (give NAME=FILE: several inputs)" : ""));
    const qc::TensorInfo &info = inInfos[index];
    auto tensor = qc::tools::readNpy(file);
    if (!tensor)
      fail(llvm::toString(tensor.takeError()));
    auto want = irElemType(info.elemType);
    if (!want || *want != tensor->elemType())
      fail(llvm::formatv("input '{0}': {1} holds {2}, the model wants {3}", info.name, file,
                         qc::ir::elemTypeName(tensor->elemType()),
                         qc::elemTypeName(info.elemType)));
    if (tensor->rank() != info.dims.size())
      fail(llvm::formatv("input '{0}': rank {1}, the model wants {2}", info.name,
                         tensor->rank(), info.dims.size()));
    for (size_t axis = 0; axis < info.dims.size(); ++axis)
      if (info.dims[axis] < 0)
        batch = tensor->dims()[axis];
    inputs[index] = std::move(*tensor);
    given[index] = true;
  }
  for (size_t i = 0; i < numInputs; ++i)
    if (!given[i])
      fail(llvm::formatv("missing --input for '{0}'", inInfos[i].name));

  // Views over caller-owned buffers, made once: timed runs allocate nothing on this side.
  std::vector<qc::InputView> inViews(numInputs);
  for (size_t i = 0; i < numInputs; ++i)
    inViews[i] = {inputs[i].raw(), inputs[i].dims().data(),
                  static_cast<int32_t>(inputs[i].rank())};
  std::vector<qc::ir::Tensor> outputs(numOutputs);
  std::vector<std::vector<int64_t>> outShapes(numOutputs);
  std::vector<qc::OutputView> outViews(numOutputs);
  for (size_t i = 0; i < numOutputs; ++i) {
    auto type = irElemType(outInfos[i].elemType);
    if (!type)
      fail(llvm::formatv("output '{0}' has unknown ABI type {1}", outInfos[i].name,
                         static_cast<int>(outInfos[i].elemType)));
    std::vector<int64_t> dims = outInfos[i].dims;
    for (int64_t &d : dims)
      d = d < 0 ? batch : d;
    outputs[i] = qc::ir::Tensor(*type, dims);
    outShapes[i] = dims;
    outViews[i] = {outputs[i].raw(), outputs[i].byteSize(), outShapes[i].data(),
                   static_cast<int32_t>(dims.size())};
  }

  t0 = Clock::now();
  auto session = model->createSession(opts.threads);
  double createMs = msSince(t0);
  if (!session)
    fail("session creation failed: " + session.status().message);

  auto runOnce = [&] {
    if (qc::Status s = session->run(inViews.data(), numInputs, outViews.data(), numOutputs); !s)
      fail(llvm::formatv("qc_run failed ({0}): {1}", static_cast<int>(s.code), s.message));
  };
  t0 = Clock::now();
  runOnce();
  double firstRunMs = msSince(t0);

  if (!opts.outDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(opts.outDir))
      fail("cannot create '" + opts.outDir + "': " + ec.message());
    for (size_t i = 0; i < numOutputs; ++i) {
      std::string name = outInfos[i].name;
      for (char &c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
          c = '_';
      llvm::SmallString<256> file(opts.outDir);
      llvm::sys::path::append(file, name + ".npy");
      if (llvm::Error e = qc::tools::writeNpy(outputs[i], file))
        fail(llvm::toString(std::move(e)));
    }
  }

  for (int i = 0; i < opts.warmup; ++i)
    runOnce();
  std::vector<double> ms;
  for (int i = 0; i < opts.runs; ++i) {
    t0 = Clock::now();
    runOnce();
    ms.push_back(msSince(t0));
  }

  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double mean = 0;
  for (double v : ms)
    mean += v / ms.size();
  llvm::outs() << llvm::formatv(
      "{{\"model\": {0}, \"runtime\": \"qc\", \"model_name\": {1}, \"target_cpu\": {2}, "
      "\"threads\": {3}, \"batch\": {4}, \"warmup\": {5}, \"runs\": {6}, \"median_ms\": {7:f3}, "
      "\"p10_ms\": {8:f3}, \"p90_ms\": {9:f3}, \"min_ms\": {10:f3}, \"mean_ms\": {11:f3}, "
      "\"load_ms\": {12:f3}, \"create_ms\": {13:f3}, \"first_run_ms\": {14:f3}}\n",
      jsonString(opts.model), jsonString(model->name()), jsonString(model->targetCpu()),
      opts.threads, batch, opts.warmup, opts.runs, percentile(sorted, 50),
      percentile(sorted, 10), percentile(sorted, 90), sorted.front(), mean, loadMs, createMs,
      firstRunMs);
  return 0;
}
