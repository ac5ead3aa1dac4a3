// The fold report on a small hand-written graph: classification of nodes,
// MAC counts (symbolic batch counted as 1), remarks, text and JSON forms.
#include "ir/Parser.h"
#include "passes/FoldReport.h"
#include "gtest/gtest.h"

using namespace qc;

namespace {

const char *const kGraph = R"(
graph @report(%x: tensor<Nx4xf32>, %a: tensor<2x4xu8>) {
  %b = const dense<3> : tensor<4x3xi8>
  %i = MatMulInteger(%a, %b) : tensor<2x3xi32>
  %shape = const dense<[3, 2]> : tensor<2xi64>
  %r = Reshape(%i, %shape) : tensor<3x2xi32>
  %w = const dense<0.5> : tensor<4x5xf32>
  %y = MatMul(%x, %w) : tensor<Nx5xf32>
  %s = const dense<0.5> : tensor<f32>
  %zp = const dense<0> : tensor<u8>
  %q = QuantizeLinear(%y, %s, %zp) : tensor<Nx5xu8>
  %k = const dense<0.25> : tensor<6x5x3x3xf32>
  %img = const dense<1.0> : tensor<1x5x4x4xf32>
  %c = Conv(%img, %k) {pads = [1, 1, 1, 1]} : tensor<1x6x4x4xf32>
  return %q, %r, %c
}
)";

TEST(FoldReportTest, CountsNodesAndMacs) {
  auto graph = ir::parseGraph(kGraph, "report");
  ASSERT_TRUE(bool(graph)) << llvm::toString(graph.takeError());
  for (ir::Node *n : (*graph)->nodes())
    if (n->kind() == ir::OpKind::MatMul)
      n->setRemark("weight is not quantized");

  passes::FoldReport report = passes::computeFoldReport(**graph);
  // MatMulInteger [2,4]x[4,3]: 24 MACs. MatMul [N,4]x[4,5], N counted as 1:
  // 20. Conv: 96 outputs x 5 channels x 9 taps = 4320.
  EXPECT_EQ(report.integerMacs, 24);
  EXPECT_EQ(report.floatMacs, 20 + 4320);
  EXPECT_TRUE(report.macsHaveSymbolicDims);
  EXPECT_NEAR(report.integerMacShare(), 24.0 / 4364.0, 1e-12);
  EXPECT_EQ(report.count(passes::NodeDomain::Integer), 2); // MatMulInteger, Reshape
  EXPECT_EQ(report.count(passes::NodeDomain::Convert), 1);
  EXPECT_EQ(report.count(passes::NodeDomain::Float), 2);
  ASSERT_EQ(report.floatNodes.size(), 2u);
  EXPECT_EQ(report.floatNodes[0].node, "MatMul producing 'y'");
  EXPECT_EQ(report.floatNodes[0].reason, "weight is not quantized");
  EXPECT_EQ(report.floatNodes[1].reason, "no fold rule matched");

  std::string text;
  llvm::raw_string_ostream os(text);
  passes::printFoldReport(report, os);
  EXPECT_NE(text.find("0.55% in integer"), std::string::npos) << text;
  EXPECT_NE(text.find("MatMul producing 'y': weight is not quantized"), std::string::npos);

  llvm::json::Value json = passes::foldReportToJson(report);
  const llvm::json::Object *macs = json.getAsObject()->getObject("macs");
  ASSERT_TRUE(macs);
  EXPECT_EQ(macs->getInteger("integer"), 24);
  EXPECT_EQ(json.getAsObject()->getArray("float_nodes")->size(), 2u);
}

TEST(FoldReportTest, GraphWithoutMacsIsAllInteger) {
  auto graph = ir::parseGraph(R"(
graph @nomacs(%x: tensor<4xf32>) {
  %y = Relu(%x) : tensor<4xf32>
  return %y
}
)",
                              "nomacs");
  ASSERT_TRUE(bool(graph)) << llvm::toString(graph.takeError());
  passes::FoldReport report = passes::computeFoldReport(**graph);
  EXPECT_EQ(report.totalMacs(), 0);
  EXPECT_EQ(report.integerMacShare(), 1.0);
  EXPECT_EQ(report.count(passes::NodeDomain::Float), 1);
}

} // namespace
