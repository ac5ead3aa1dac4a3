// Malformed input must give an error, never a crash: every truncation and
// many deterministic byte mutations of a valid model are imported.
#include "OnnxTestUtil.h"

#include <random>

namespace qc::frontend::test {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;

ModelBuilder richModel() {
  ModelBuilder b(10); // Clip and Pad with attributes, legacy Softmax
  b.input("x", kFloat, {std::string("N"), 1, 4, 4});
  b.floats("w", {2, 1, 3, 3}, std::vector<float>(18, 0.5f));
  auto &bias = b.initializer("b", kFloat, {2});
  bias.set_raw_data(std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8));
  auto &conv = b.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
  attrInts(conv, "pads", {1, 1, 1, 1});
  attrInts(conv, "kernel_shape", {3, 3});
  auto &clip = b.node("Clip", {"c"}, {"r"}, "relu6");
  attrFloat(clip, "min", 0);
  attrFloat(clip, "max", 6);
  attrInts(b.node("Constant", {}, {"shape"}, "k"), "value_ints", {0, -1});
  b.node("Reshape", {"r", "shape"}, {"flat"}, "reshape");
  attrInt(b.node("Softmax", {"flat"}, {"y"}, "softmax"), "axis", 1);
  auto &pad = b.node("Pad", {"x"}, {"p"}, "pad");
  attrInts(pad, "pads", {0, 0, 1, 1, 0, 0, 1, 1});
  b.output("y", kFloat, {std::string("N"), 32});
  b.output("p");
  return b;
}

TEST(Robustness, ValidModelImports) {
  auto g = importModel(richModel());
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_EQ((*g)->outputs().size(), 2u);
}

TEST(Robustness, EveryTruncationIsHandled) {
  std::string bytes = richModel().bytes();
  size_t errors = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto g = importOnnxBytes(llvm::StringRef(bytes.data(), n), "");
    if (!g) {
      ++errors;
      llvm::consumeError(g.takeError());
    }
  }
  // Most prefixes cut a field in half or lose the graph's outputs.
  EXPECT_GT(errors, bytes.size() / 2);
}

TEST(Robustness, ByteMutationsAreHandled) {
  std::string bytes = richModel().bytes();
  std::mt19937 rng(12345);
  size_t errors = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string mutated = bytes;
    int flips = 1 + int(rng() % 3);
    for (int i = 0; i < flips; ++i)
      mutated[rng() % mutated.size()] = char(rng() & 0xFF);
    auto g = importOnnxBytes(mutated, "");
    if (!g) {
      ++errors;
      llvm::consumeError(g.takeError());
    }
  }
  EXPECT_GT(errors, 0u);
}

} // namespace
} // namespace qc::frontend::test
