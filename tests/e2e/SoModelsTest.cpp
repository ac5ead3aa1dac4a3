// End to end through a model .so: each QDQ model of tests/models and the
// digits example is folded, compiled to a shared library (codegen's
// compileToFile, as qcompile -o does), loaded through include/qc/model.hpp
// and run; outputs are checked against the reference interpreter on the
// folded graph (integer ops bit-exact: at most rounding of the final float
// conversion) and on the original graph (the whole-model contract).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "codegen/Codegen.h"
#include "frontend/OnnxImporter.h"
#include "interp/Interpreter.h"
#include "passes/Pipeline.h"
#include "qc/model.hpp"
#include "tests/ModelInputs.h"
#include "tools/Npy.h"
#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"

using namespace qc;

namespace {

std::string sourcePath(const std::string &relative) {
  return std::string(QC_SOURCE_DIR) + "/" + relative;
}

// Imports and folds `onnx`, compiles it to BINARY_DIR/e2e_so/<stem>.so and
// returns the original graph, the folded graph and the library path.
struct Compiled {
  std::unique_ptr<ir::Graph> original, folded;
  std::string soPath;
};

Compiled compileModel(const std::string &onnx, const std::string &stem) {
  Compiled c;
  auto graph = frontend::importOnnxFile(onnx);
  if (!graph) {
    ADD_FAILURE() << onnx << ": " << llvm::toString(graph.takeError());
    return c;
  }
  c.original = std::move(*graph);
  c.folded = c.original->clone();
  passes::PassManager pm;
  if (llvm::Error e = passes::addDefaultPipeline(pm)) {
    ADD_FAILURE() << llvm::toString(std::move(e));
    return c;
  }
  if (llvm::Error e = pm.run(*c.folded)) {
    ADD_FAILURE() << llvm::toString(std::move(e));
    return c;
  }
  std::string dir = std::string(QC_BINARY_DIR) + "/e2e_so";
  llvm::sys::fs::create_directories(dir);
  c.soPath = dir + "/" + stem + ".so";
  codegen::CodegenOptions opts;
  opts.modelName = stem;
  if (llvm::Error e = codegen::compileToFile(*c.folded, opts, codegen::EmitKind::So, c.soPath)) {
    ADD_FAILURE() << stem << ": " << llvm::toString(std::move(e));
    c.soPath.clear();
  }
  return c;
}

std::optional<qc_elem_type> qcElemType(ir::ElemType t) {
  switch (t) {
  case ir::ElemType::F32: return QC_ELEM_F32;
  case ir::ElemType::U8: return QC_ELEM_U8;
  case ir::ElemType::I8: return QC_ELEM_I8;
  case ir::ElemType::I32: return QC_ELEM_I32;
  case ir::ElemType::I64: return QC_ELEM_I64;
  default: return std::nullopt;
  }
}

qc::Tensor toQc(const ir::Tensor &t) {
  qc::Tensor q;
  q.elemType = *qcElemType(t.elemType());
  q.shape = t.dims();
  const auto *bytes = reinterpret_cast<const uint8_t *>(t.raw());
  q.bytes.assign(bytes, bytes + t.byteSize());
  return q;
}

double valueAt(const qc::Tensor &t, int64_t i) {
  switch (t.elemType) {
  case QC_ELEM_F32: return t.data<float>()[i];
  case QC_ELEM_U8: return t.data<uint8_t>()[i];
  case QC_ELEM_I8: return t.data<int8_t>()[i];
  case QC_ELEM_I32: return t.data<int32_t>()[i];
  case QC_ELEM_I64: return double(t.data<int64_t>()[i]);
  default: return NAN;
  }
}

struct Diff {
  double max = 0;
  int64_t differing = 0; // elements more than `threshold` apart
};

Diff compare(const qc::Tensor &actual, const ir::Tensor &expected, double threshold) {
  Diff d;
  EXPECT_EQ(actual.shape, expected.dims());
  if (actual.shape != expected.dims())
    return d;
  for (int64_t i = 0; i < expected.numElements(); ++i) {
    double diff = std::fabs(valueAt(actual, i) - expected.getDouble(i));
    if (!(diff <= d.max))
      d.max = diff;
    d.differing += !(diff <= threshold);
  }
  return d;
}

class SoModelTest : public ::testing::TestWithParam<const char *> {};

TEST_P(SoModelTest, MatchesTheInterpreter) {
  std::string file = GetParam();
  std::string stem = file.substr(0, file.find('.'));
  Compiled c = compileModel(sourcePath("tests/models/" + file), stem);
  ASSERT_FALSE(c.soPath.empty());
  auto model = qc::Model::load(c.soPath);
  ASSERT_TRUE(model.ok()) << model.status().message;
  ASSERT_EQ(model->inputs().size(), c.original->inputs().size());
  ASSERT_EQ(model->outputs().size(), c.original->outputs().size());
  for (size_t i = 0; i < model->inputs().size(); ++i)
    EXPECT_EQ(model->inputs()[i].name, c.original->inputs()[i]->name());

  for (int32_t threads : {1, 2}) {
    auto session = model->createSession(threads);
    ASSERT_TRUE(session.ok()) << session.status().message;
    for (unsigned seed = 1; seed <= 2; ++seed) {
      for (int64_t batch : {1, 3}) {
        std::vector<ir::Tensor> inputs = qc::testing::randomInputs(*c.original, seed, batch);
        std::vector<qc::Tensor> qcInputs, outputs;
        for (const ir::Tensor &t : inputs)
          qcInputs.push_back(toQc(t));
        qc::Status st = session->run(qcInputs, outputs);
        ASSERT_TRUE(st.ok()) << st.message;
        auto folded = interp::run(*c.folded, inputs);
        ASSERT_TRUE(bool(folded)) << llvm::toString(folded.takeError());
        auto original = interp::run(*c.original, inputs);
        ASSERT_TRUE(bool(original)) << llvm::toString(original.takeError());
        for (size_t o = 0; o < outputs.size(); ++o) {
          double step = qc::testing::outputStep(*c.original, o);
          ASSERT_GT(step, 0.0);
          // Folded graph: the same integer results; a float output is a
          // dequantized int8 value, so any difference is a whole step.
          Diff exact = compare(outputs[o], (*folded)[o], 1e-6 * step);
          EXPECT_EQ(exact.differing, 0)
              << stem << " output " << o << " threads " << threads << " seed " << seed
              << " batch " << batch << ": " << exact.differing << " elements differ from the "
              << "interpreter on the folded graph, max by " << exact.max / step << " steps";
          // Original graph: the whole-model contract (FoldModelsTest).
          Diff contract = compare(outputs[o], (*original)[o], 0.5 * step);
          std::printf("[   info   ] %s output %zu threads %d batch %lld: vs folded max %.3g "
                      "steps, vs original max %.3g steps (%lld of %lld differ)\n",
                      stem.c_str(), o, threads, (long long)batch, exact.max / step,
                      contract.max / step, (long long)contract.differing,
                      (long long)(*original)[o].numElements());
          EXPECT_LE(contract.max, 4.0 * step) << stem << " output " << o;
          EXPECT_LE(contract.differing, (*original)[o].numElements() / 20 + 1)
              << stem << " output " << o;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, SoModelTest,
                         ::testing::Values("resnet_block_torch.onnx", "resnet_block_ort.onnx",
                                           "mobilenetv2_block_torch.onnx",
                                           "mobilenetv2_block_ort.onnx", "mlp_torch.onnx",
                                           "mlp_ort.onnx", "encoder_block_torch.onnx",
                                           "encoder_block_ort.onnx"),
                         [](const ::testing::TestParamInfo<const char *> &info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

TEST(SoDigitsTest, AccuracyUnchanged) {
  Compiled c = compileModel(sourcePath("examples/digits/model.onnx"), "digits");
  ASSERT_FALSE(c.soPath.empty());
  auto model = qc::Model::load(c.soPath);
  ASSERT_TRUE(model.ok()) << model.status().message;
  auto images = tools::readNpy(sourcePath("examples/digits/test_images.npy"));
  ASSERT_TRUE(bool(images)) << llvm::toString(images.takeError());
  auto labels = tools::readNpy(sourcePath("examples/digits/test_labels.npy"));
  ASSERT_TRUE(bool(labels)) << llvm::toString(labels.takeError());
  auto folded = interp::run(*c.folded, {*images});
  ASSERT_TRUE(bool(folded)) << llvm::toString(folded.takeError());

  for (int32_t threads : {1, 2}) {
    auto session = model->createSession(threads);
    ASSERT_TRUE(session.ok()) << session.status().message;
    std::vector<qc::Tensor> outputs;
    qc::Status st = session->run({toQc(*images)}, outputs);
    ASSERT_TRUE(st.ok()) << st.message;
    ASSERT_EQ(outputs.size(), 1u);
    const qc::Tensor &logits = outputs[0];
    ASSERT_EQ(logits.shape, (std::vector<int64_t>{360, 10}));
    Diff exact = compare(logits, (*folded)[0], 1e-6);
    EXPECT_EQ(exact.differing, 0) << "max diff " << exact.max;
    int64_t correct = 0;
    for (int64_t r = 0; r < 360; ++r) {
      int64_t best = 0;
      for (int64_t k = 1; k < 10; ++k)
        if (logits.data<float>()[r * 10 + k] > logits.data<float>()[r * 10 + best])
          best = k;
      correct += best == labels->getInt(r);
    }
    EXPECT_EQ(correct, 358) << "the PyTorch fake-quant model gets 358/360";
  }
}

} // namespace
