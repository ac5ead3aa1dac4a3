// End-to-end folding tests: each QDQ model of tests/models and the digits
// example is imported, run through the default pipeline with the verifier
// after every pass, and checked for (1) the share of MACs in integer and
// (2) agreement of the folded graph with the original in the interpreter.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "frontend/OnnxImporter.h"
#include "interp/Interpreter.h"
#include "ir/Printer.h"
#include "passes/FoldReport.h"
#include "passes/Pipeline.h"
#include "tests/ModelInputs.h"
#include "tools/Npy.h"
#include "gtest/gtest.h"

using namespace qc;

namespace {

std::string sourcePath(const std::string &relative) {
  return std::string(QC_SOURCE_DIR) + "/" + relative;
}

std::unique_ptr<ir::Graph> importModel(const std::string &path) {
  auto graph = frontend::importOnnxFile(path);
  if (!graph) {
    ADD_FAILURE() << path << ": " << llvm::toString(graph.takeError());
    return nullptr;
  }
  return std::move(*graph);
}

/// Runs the default pipeline with the verifier after every pass.
llvm::Error foldGraph(ir::Graph &graph) {
  passes::PipelineOptions options;
  options.verifyEach = true;
  passes::PassManager pm(options);
  if (llvm::Error e = passes::addDefaultPipeline(pm))
    return e;
  return pm.run(graph);
}

std::string describeFloatNodes(const passes::FoldReport &report) {
  std::string s;
  llvm::raw_string_ostream os(s);
  passes::printFoldReport(report, os);
  return s;
}

struct ModelCase {
  const char *file;
  /// The share of MACs the default pipeline must fold to integer. Below 1
  /// only where a fold rule is missing today: `missingRule` names it.
  double expectedIntegerMacShare;
  const char *missingRule;
};

void PrintTo(const ModelCase &c, std::ostream *os) { *os << c.file; }

class FoldModelTest : public ::testing::TestWithParam<ModelCase> {
protected:
  void SetUp() override {
    original_ = importModel(sourcePath(std::string("tests/models/") + GetParam().file));
    ASSERT_TRUE(original_);
    folded_ = original_->clone();
    llvm::Error e = foldGraph(*folded_);
    ASSERT_FALSE(bool(e)) << llvm::toString(std::move(e));
  }

  std::unique_ptr<ir::Graph> original_, folded_;
};

/// Without the linear fold pass no MAC can become integer: the expectation
/// is then exactly 0, and the real one applies once the pass is registered.
double expectedShare(double withLinearFold) {
  return passes::findPass("fold-qdq-linear") ? withLinearFold : 0.0;
}

TEST_P(FoldModelTest, IntegerMacShare) {
  passes::FoldReport report = passes::computeFoldReport(*folded_);
  EXPECT_GT(report.totalMacs(), 0);
  // Folding must not change the amount of work, only where it is done.
  EXPECT_EQ(report.totalMacs(), passes::computeFoldReport(*original_).totalMacs());
  std::printf("[   info   ] %s: %lld of %lld MACs in integer (%.2f%%)\n", GetParam().file,
              (long long)report.integerMacs, (long long)report.totalMacs(),
              100.0 * report.integerMacShare());
  EXPECT_NEAR(report.integerMacShare(), expectedShare(GetParam().expectedIntegerMacShare), 1e-3)
      << "missing rule: " << GetParam().missingRule << "\n"
      << describeFloatNodes(report);
}

TEST_P(FoldModelTest, FoldedMatchesOriginal) {
  // Whole-model contract: float outputs within a few output quantization
  // steps (each folded op may differ by one step in its own output, and such
  // a step propagates through the following layers).
  constexpr double kMaxSteps = 4.0;
  for (unsigned seed = 1; seed <= 3; ++seed) {
    std::vector<ir::Tensor> inputs = qc::testing::randomInputs(*original_, seed, 8);
    auto expected = interp::run(*original_, inputs);
    ASSERT_TRUE(bool(expected)) << llvm::toString(expected.takeError());
    auto actual = interp::run(*folded_, inputs);
    ASSERT_TRUE(bool(actual)) << llvm::toString(actual.takeError()) << "\n"
                              << ir::printGraph(*folded_);
    ASSERT_EQ(expected->size(), actual->size());
    for (size_t o = 0; o < expected->size(); ++o) {
      const ir::Tensor &e = (*expected)[o], &a = (*actual)[o];
      ASSERT_EQ(e.dims(), a.dims());
      ASSERT_EQ(e.elemType(), a.elemType());
      double step = qc::testing::outputStep(*original_, o);
      ASSERT_GT(step, 0.0) << "output " << o << " is not produced by a DequantizeLinear";
      double maxDiff = 0.0;
      int64_t differing = 0;
      for (int64_t i = 0; i < e.numElements(); ++i) {
        double diff = std::fabs(e.getDouble(i) - a.getDouble(i));
        maxDiff = std::max(maxDiff, diff);
        differing += diff > 0.5 * step;
      }
      std::printf("[   info   ] %s output %zu seed %u: max diff %.2f steps, %lld of %lld "
                  "outputs differ\n",
                  GetParam().file, o, seed, maxDiff / step, (long long)differing,
                  (long long)e.numElements());
      EXPECT_LE(maxDiff, kMaxSteps * step)
          << "output " << o << " seed " << seed << ": max diff " << maxDiff / step << " steps";
      // Off-by-one roundings are rare: at most 5% of the outputs may move.
      EXPECT_LE(differing, e.numElements() / 20 + 1)
          << "output " << o << " seed " << seed << ": " << differing << " of "
          << e.numElements() << " outputs differ";
    }
  }
}

const ModelCase kModels[] = {
    {"resnet_block_torch.onnx", 1.0, ""},
    {"resnet_block_ort.onnx", 1.0, ""},
    {"mobilenetv2_block_torch.onnx", 1.0, ""},
    {"mobilenetv2_block_ort.onnx", 1.0, ""},
    {"mlp_torch.onnx", 1.0, ""},
    {"mlp_ort.onnx", 1.0, ""},
    // PyTorch's Linear: MatMul(x, Transpose(DQ(w))) + float bias Add.
    {"encoder_block_torch.onnx", 1.0, ""},
    {"encoder_block_ort.onnx", 1.0, ""},
};

INSTANTIATE_TEST_SUITE_P(Models, FoldModelTest, ::testing::ValuesIn(kModels),
                         [](const ::testing::TestParamInfo<ModelCase> &info) {
                           std::string name = info.param.file;
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

/// argmax over the last dim of a [N, C] tensor.
std::vector<int64_t> argmaxRows(const ir::Tensor &logits) {
  int64_t rows = logits.dims()[0], cols = logits.dims()[1];
  std::vector<int64_t> best(size_t(rows), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 1; c < cols; ++c)
      if (logits.getDouble(r * cols + c) > logits.getDouble(r * cols + best[size_t(r)]))
        best[size_t(r)] = c;
  return best;
}

TEST(FoldDigitsTest, AllMacsIntegerAndAccuracyKept) {
  auto original = importModel(sourcePath("examples/digits/model.onnx"));
  ASSERT_TRUE(original);
  std::unique_ptr<ir::Graph> folded = original->clone();
  llvm::Error e = foldGraph(*folded);
  ASSERT_FALSE(bool(e)) << llvm::toString(std::move(e));

  passes::FoldReport report = passes::computeFoldReport(*folded);
  EXPECT_EQ(report.integerMacShare(), expectedShare(1.0)) << describeFloatNodes(report);

  auto images = tools::readNpy(sourcePath("examples/digits/test_images.npy"));
  ASSERT_TRUE(bool(images)) << llvm::toString(images.takeError());
  auto labels = tools::readNpy(sourcePath("examples/digits/test_labels.npy"));
  ASSERT_TRUE(bool(labels)) << llvm::toString(labels.takeError());
  auto logits = interp::run(*folded, {*images});
  ASSERT_TRUE(bool(logits)) << llvm::toString(logits.takeError());
  ASSERT_EQ(logits->size(), 1u);
  std::vector<int64_t> predicted = argmaxRows((*logits)[0]);
  int64_t correct = 0;
  for (size_t i = 0; i < predicted.size(); ++i)
    correct += predicted[i] == labels->getInt(int64_t(i));
  EXPECT_EQ(predicted.size(), 360u);
  EXPECT_EQ(correct, 358) << "the PyTorch fake-quant model gets 358/360";
}

TEST(DefaultPipelineTest, OrderAndRegistration) {
  std::vector<std::string> names = passes::defaultPipeline();
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names.front(), "remove-identities");
  EXPECT_EQ(names.back(), "dce");
  for (const std::string &name : names)
    EXPECT_NE(passes::findPass(name), nullptr) << name;
}

} // namespace
