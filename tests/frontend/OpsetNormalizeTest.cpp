// Older-opset forms rewritten into newest-opset IR: the resulting op kinds,
// constant operands and attributes, and (through the interpreter) values
// taken from the ONNX spec's examples or computed by hand.
#include "OnnxTestUtil.h"

#include "interp/Interpreter.h"

namespace qc::frontend::test {
namespace {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;

constexpr int kFloat = onnx::TensorProto::FLOAT;
constexpr int kDouble = onnx::TensorProto::DOUBLE;

std::unique_ptr<ir::Graph> importOk(const ModelBuilder &b, const ImportOptions &o = {}) {
  auto g = importModel(b, o);
  if (!g) {
    ADD_FAILURE() << llvm::toString(g.takeError());
    return nullptr;
  }
  return std::move(*g);
}

std::vector<int64_t> ints(const ir::Value *v) {
  std::vector<int64_t> out;
  if (!v || !v->isConstant()) {
    ADD_FAILURE() << "operand is not a constant";
    return out;
  }
  for (int64_t i = 0; i < v->constant()->numElements(); ++i)
    out.push_back(v->constant()->getInt(i));
  return out;
}

std::vector<double> values(const ir::Tensor &t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.numElements(); ++i)
    out.push_back(t.getDouble(i));
  return out;
}

std::vector<ir::Tensor> runOk(const ir::Graph &g, std::vector<ir::Tensor> inputs) {
  auto out = interp::run(g, inputs);
  if (!out) {
    ADD_FAILURE() << llvm::toString(out.takeError());
    return {};
  }
  return std::move(*out);
}

std::vector<OpKind> kinds(const ir::Graph &g) {
  std::vector<OpKind> out;
  for (ir::Node *n : g.nodes())
    out.push_back(n->kind());
  return out;
}

TEST(OpsetNormalize, Clip6AttrsBecomeInputsOfTheInputType) {
  ModelBuilder b(6);
  b.input("x", kDouble, {3});
  auto &clip = b.node("Clip", {"x"}, {"y"}, "clip");
  attrFloat(clip, "min", -1.0f);
  attrFloat(clip, "max", 1.0f);
  b.output("y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  ir::Node *n = g->nodes()[0];
  ASSERT_EQ(n->numOperands(), 3u);
  ASSERT_TRUE(n->operand(1)->isConstant());
  EXPECT_EQ(n->operand(1)->constant()->elemType(), ElemType::F64);
  EXPECT_EQ(n->operand(1)->constant()->rank(), 0u);
  EXPECT_EQ(n->operand(1)->constant()->getDouble(0), -1.0);
  EXPECT_EQ(n->operand(2)->constant()->getDouble(0), 1.0);
  EXPECT_TRUE(n->attrs().empty());
  auto out = runOk(*g, {ir::Tensor::fromDoubles(ElemType::F64, {3}, {-2, 0.5, 3})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]), (std::vector<double>{-1, 0.5, 1}));
}

TEST(OpsetNormalize, Clip6OnlyMaxLeavesMinAbsent) {
  ModelBuilder b(10);
  b.input("x", kFloat, {2});
  b.node("Relu", {"x"}, {"r"});
  attrFloat(b.node("Clip", {"r"}, {"y"}, "relu6"), "max", 6.0f);
  b.output("y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  ir::Node *n = g->nodes()[1];
  EXPECT_EQ(n->operand(1), nullptr);
  // The input is a node result: its f32 type comes from shape inference.
  EXPECT_EQ(n->operand(2)->constant()->elemType(), ElemType::F32);
  EXPECT_EQ(n->operand(2)->constant()->getDouble(0), 6.0);
}

TEST(OpsetNormalize, Clip6NeedsAKnownInputType) {
  ModelBuilder b(6);
  b.input("x", kFloat, {2});
  b.node("Relu", {"x"}, {"r"});
  attrFloat(b.node("Clip", {"r"}, {"y"}, "c"), "max", 6.0f);
  b.output("y");
  std::string e = errorOf(importModel(b, noInference()));
  EXPECT_NE(e.find("Clip 'c': the element type of input 'r' is unknown"), std::string::npos) << e;
}

TEST(OpsetNormalize, Pad2AttrsBecomeInputs) {
  ModelBuilder b(2 + 5); // opset 7 still has Pad-2
  b.input("x", kFloat, {1, 2});
  auto &pad = b.node("Pad", {"x"}, {"y"}, "pad");
  attrInts(pad, "pads", {0, 1, 0, 2});
  attrFloat(pad, "value", 9.0f);
  attrString(pad, "mode", "constant");
  b.output("y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  ir::Node *n = g->nodes()[0];
  EXPECT_EQ(n->kind(), OpKind::Pad);
  ASSERT_EQ(n->numOperands(), 3u);
  EXPECT_EQ(n->operand(1)->constant()->elemType(), ElemType::I64);
  EXPECT_EQ(ints(n->operand(1)), (std::vector<int64_t>{0, 1, 0, 2}));
  EXPECT_EQ(n->operand(2)->constant()->elemType(), ElemType::F32);
  EXPECT_EQ(n->operand(2)->constant()->getDouble(0), 9.0);
  EXPECT_EQ(n->getString(AttrName::mode), "constant");
  auto out = runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {1, 2}, {1, 2})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dims(), (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(values(out[0]), (std::vector<double>{9, 1, 2, 9, 9}));

  ModelBuilder missing(7);
  missing.input("x", kFloat, {2});
  missing.node("Pad", {"x"}, {"y"}, "p");
  missing.output("y");
  EXPECT_EQ(errorOf(importModel(missing)), "Pad 'p': required attribute 'pads' is missing");
}

TEST(OpsetNormalize, Slice9AttrsBecomeInputs) {
  ModelBuilder b(9);
  b.input("x", kFloat, {2, 4});
  auto &slice = b.node("Slice", {"x"}, {"y"}, "s");
  attrInts(slice, "starts", {0, 1});
  attrInts(slice, "ends", {1, 3});
  attrInts(slice, "axes", {0, 1});
  b.output("y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  ir::Node *n = g->nodes()[0];
  ASSERT_EQ(n->numOperands(), 4u);
  EXPECT_EQ(ints(n->operand(1)), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ints(n->operand(2)), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(ints(n->operand(3)), (std::vector<int64_t>{0, 1}));
  auto out = runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {2, 4}, {0, 1, 2, 3, 4, 5, 6, 7})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]), (std::vector<double>{1, 2}));
}

TEST(OpsetNormalize, Split11) {
  ModelBuilder b(11);
  b.input("x", kFloat, {4});
  attrInts(b.node("Split", {"x"}, {"a", "b"}, "split"), "split", {1, 3});
  b.node("Split", {"x"}, {"c", "d"}, "even");
  b.output("a");
  b.output("b");
  b.output("c");
  b.output("d");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  ir::Node *uneven = g->nodes()[0];
  ASSERT_EQ(uneven->numOperands(), 2u);
  EXPECT_EQ(ints(uneven->operand(1)), (std::vector<int64_t>{1, 3}));
  EXPECT_FALSE(uneven->hasAttr(AttrName::num_outputs));
  ir::Node *even = g->nodes()[1];
  EXPECT_EQ(even->numOperands(), 1u);
  EXPECT_EQ(even->getInt(AttrName::num_outputs), 2);
  auto out = runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {4}, {1, 2, 3, 4})});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(values(out[0]), (std::vector<double>{1}));
  EXPECT_EQ(values(out[1]), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(values(out[2]), (std::vector<double>{1, 2}));
  EXPECT_EQ(values(out[3]), (std::vector<double>{3, 4}));
}

TEST(OpsetNormalize, Split13WithoutSplitGetsNumOutputs) {
  ModelBuilder b(13);
  b.input("x", kFloat, {6});
  b.node("Split", {"x"}, {"a", "b", "c"}, "s");
  for (const char *o : {"a", "b", "c"})
    b.output(o);
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  EXPECT_EQ(g->nodes()[0]->getInt(AttrName::num_outputs), 3);
  // Opset 18 models say it themselves; nothing is added.
  ModelBuilder b18(18);
  b18.input("x", kFloat, {6});
  attrInt(b18.node("Split", {"x"}, {"a", "b"}, "s"), "num_outputs", 2);
  b18.output("a");
  b18.output("b");
  auto g18 = importOk(b18, noInference());
  ASSERT_TRUE(g18);
  EXPECT_EQ(g18->nodes()[0]->attrs().size(), 1u);
}

TEST(OpsetNormalize, SqueezeUnsqueeze11AxesBecomeInputs) {
  ModelBuilder b(11);
  b.input("x", kFloat, {1, 3, 1});
  attrInts(b.node("Squeeze", {"x"}, {"s"}, "sq"), "axes", {0, -1});
  attrInts(b.node("Unsqueeze", {"s"}, {"u"}, "unsq"), "axes", {1});
  b.node("Squeeze", {"u"}, {"all"}, "sqall");
  b.output("u");
  b.output("all");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  auto nodes = g->nodes();
  EXPECT_EQ(ints(nodes[0]->operand(1)), (std::vector<int64_t>{0, -1}));
  EXPECT_EQ(ints(nodes[1]->operand(1)), (std::vector<int64_t>{1}));
  EXPECT_EQ(nodes[2]->numOperands(), 1u);
  EXPECT_EQ(g->outputs()[0]->type().shape, ir::Shape({3, 1}));
  EXPECT_EQ(g->outputs()[1]->type().shape, ir::Shape({3}));

  ModelBuilder missing(11);
  missing.input("x", kFloat, {2});
  missing.node("Unsqueeze", {"x"}, {"y"}, "u");
  missing.output("y");
  EXPECT_EQ(errorOf(importModel(missing)), "Unsqueeze 'u': required attribute 'axes' is missing");
}

TEST(OpsetNormalize, ReduceAxesBecomeInputs) {
  // ReduceSum moved axes to an input in opset 13, the others in 18.
  ModelBuilder b(13);
  b.input("x", kFloat, {2, 3});
  auto &sum = b.node("ReduceSum", {"x", "ax"}, {"s"}, "sum");
  b.int64s("ax", {1}, {1});
  attrInt(sum, "keepdims", 0);
  auto &mean = b.node("ReduceMean", {"x"}, {"m"}, "mean");
  attrInts(mean, "axes", {1});
  attrInt(mean, "keepdims", 0);
  b.node("ReduceMax", {"x"}, {"mx"}, "max"); // no axes: all of them
  b.output("s");
  b.output("m");
  b.output("mx");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  auto nodes = g->nodes();
  EXPECT_EQ(nodes[0]->operand(1), g->findValue("ax"));
  ASSERT_EQ(nodes[1]->numOperands(), 2u);
  EXPECT_EQ(ints(nodes[1]->operand(1)), (std::vector<int64_t>{1}));
  EXPECT_EQ(nodes[2]->numOperands(), 1u);
  auto out = runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {2, 3}, {1, 2, 3, 4, 5, 9})});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(values(out[0]), (std::vector<double>{6, 18}));
  EXPECT_EQ(values(out[1]), (std::vector<double>{2, 6}));
  EXPECT_EQ(values(out[2]), (std::vector<double>{9}));

  ModelBuilder b11(11);
  b11.input("x", kFloat, {2, 3});
  attrInts(b11.node("ReduceSum", {"x"}, {"s"}, "sum"), "axes", {0});
  b11.output("s");
  auto g11 = importOk(b11, noInference());
  ASSERT_TRUE(g11);
  EXPECT_EQ(ints(g11->nodes()[0]->operand(1)), (std::vector<int64_t>{0}));
}

TEST(OpsetNormalize, LegacySoftmaxOnTheLastAxisStaysOneOp) {
  ModelBuilder b(11);
  b.input("x", kFloat, {2, 3});
  b.node("Softmax", {"x"}, {"y"}, "sm"); // default axis 1 == last
  b.output("y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  EXPECT_EQ(kinds(*g), (std::vector<OpKind>{OpKind::Softmax}));
  EXPECT_EQ(g->nodes()[0]->getInt(AttrName::axis), -1);
}

TEST(OpsetNormalize, LegacySoftmaxCoercesTo2D) {
  ModelBuilder b(12);
  b.input("x", kFloat, {2, 2, 2});
  b.node("Softmax", {"x"}, {"y"}, "sm"); // axis 1 of rank 3: rows of 4
  b.output("y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  EXPECT_EQ(kinds(*g), (std::vector<OpKind>{OpKind::Shape, OpKind::Flatten, OpKind::Softmax,
                                            OpKind::Reshape}));
  auto nodes = g->nodes();
  EXPECT_EQ(nodes[1]->getInt(AttrName::axis), 1);
  EXPECT_EQ(nodes[2]->getInt(AttrName::axis), -1);
  EXPECT_EQ(nodes[2]->name(), "sm");
  // The graph output keeps its name and shape.
  EXPECT_EQ(g->outputs()[0]->name(), "y");
  EXPECT_EQ(g->outputs()[0]->type().shape, ir::Shape({2, 2, 2}));
  auto out =
      runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {2, 2, 2}, {0, 1, 2, 3, 0, 0, 0, 0})});
  ASSERT_EQ(out.size(), 1u);
  // softmax([0 1 2 3]) (numpy), softmax([0 0 0 0]) = 1/4 each.
  std::vector<double> expected = {0.0320586, 0.08714432, 0.2368828, 0.6439143,
                                  0.25,      0.25,       0.25,      0.25};
  ASSERT_EQ(out[0].numElements(), 8);
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(out[0].getDouble(i), expected[size_t(i)], 1e-6) << i;
}

TEST(OpsetNormalize, LegacySoftmaxUnknownRankIsDecomposed) {
  ModelBuilder b(11);
  b.input("x", kFloat, {std::string("a"), std::string("b")});
  b.graph().mutable_input(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  auto &sm = b.node("Softmax", {"x"}, {"y"}, "sm");
  attrInt(sm, "axis", 0);
  b.output("y");
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  EXPECT_EQ(g->numNodes(), 4u);
}

TEST(OpsetNormalize, Resize10NearestUpsample) {
  // Resize-10 spec example "upsample_nearest".
  ModelBuilder b(10);
  b.input("X", kFloat, {1, 1, 2, 2});
  b.floats("scales", {4}, {1, 1, 2, 3});
  attrString(b.node("Resize", {"X", "scales"}, {"Y"}, "rs"), "mode", "nearest");
  b.output("Y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  ir::Node *n = g->nodes()[0];
  ASSERT_EQ(n->numOperands(), 3u);
  EXPECT_EQ(n->operand(1), nullptr);
  EXPECT_EQ(n->operand(2), g->findValue("scales"));
  EXPECT_EQ(n->getString(AttrName::coordinate_transformation_mode), "asymmetric");
  EXPECT_EQ(n->getString(AttrName::nearest_mode), "floor");
  auto out = runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {1, 1, 2, 2}, {1, 2, 3, 4})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dims(), (std::vector<int64_t>{1, 1, 4, 6}));
  EXPECT_EQ(values(out[0]), (std::vector<double>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                                 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
}

TEST(OpsetNormalize, Resize10NearestDownsample) {
  // Resize-10 spec example "downsample_nearest": [[1, 3]].
  ModelBuilder b(10);
  b.input("X", kFloat, {1, 1, 2, 4});
  b.floats("scales", {4}, {1, 1, 0.6f, 0.6f});
  b.node("Resize", {"X", "scales"}, {"Y"}, "rs");
  b.output("Y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->nodes()[0]->getString(AttrName::nearest_mode), "ceil");
  auto out =
      runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dims(), (std::vector<int64_t>{1, 1, 1, 2}));
  EXPECT_EQ(values(out[0]), (std::vector<double>{1, 3}));
}

TEST(OpsetNormalize, Resize10LinearUpsample) {
  // Resize-10 spec example "upsample_linear".
  ModelBuilder b(10);
  b.input("X", kFloat, {1, 1, 2, 2});
  b.floats("scales", {4}, {1, 1, 2, 2});
  attrString(b.node("Resize", {"X", "scales"}, {"Y"}, "rs"), "mode", "linear");
  b.output("Y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->nodes()[0]->hasAttr(AttrName::nearest_mode));
  auto out = runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {1, 1, 2, 2}, {1, 2, 3, 4})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]),
            (std::vector<double>{1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4}));
}

TEST(OpsetNormalize, Resize10Errors) {
  ModelBuilder b(10);
  b.input("X", kFloat, {1, 1, 2, 4});
  b.input("scales", kFloat, {4});
  b.node("Resize", {"X", "scales"}, {"Y"}, "rs");
  b.output("Y");
  std::string e = errorOf(importModel(b));
  EXPECT_NE(e.find("Resize 'rs': opset 10 nearest Resize needs constant scales"), std::string::npos)
      << e;
  ModelBuilder mixed(10);
  mixed.input("X", kFloat, {1, 1, 2, 4});
  mixed.floats("scales", {4}, {1, 1, 2, 0.5f});
  mixed.node("Resize", {"X", "scales"}, {"Y"}, "rs");
  mixed.output("Y");
  e = errorOf(importModel(mixed));
  EXPECT_NE(e.find("upsamples some axes and downsamples others"), std::string::npos) << e;
}

TEST(OpsetNormalize, Resize11EmptyRoiAndScalesBecomeAbsent) {
  ModelBuilder b(11);
  b.input("X", kFloat, {1, 1, 2, 2});
  b.floats("roi", {0}, {});
  b.floats("scales", {0}, {});
  b.int64s("sizes", {4}, {1, 1, 4, 4});
  b.node("Resize", {"X", "roi", "scales", "sizes"}, {"Y"}, "rs");
  b.output("Y");
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  ir::Node *n = g->nodes()[0];
  EXPECT_EQ(n->operand(1), nullptr);
  EXPECT_EQ(n->operand(2), nullptr);
  EXPECT_EQ(n->operand(3), g->findValue("sizes"));
}

TEST(OpsetNormalize, Resize11TfHalfPixelForNearest) {
  ModelBuilder b(11);
  b.input("X", kFloat, {1, 1, 4, 4});
  b.floats("roi", {0}, {});
  b.floats("scales", {4}, {1, 1, 0.75f, 0.75f});
  auto &n = b.node("Resize", {"X", "roi", "scales"}, {"Y"}, "rs");
  attrString(n, "coordinate_transformation_mode", "tf_half_pixel_for_nn");
  b.output("Y");
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  ir::Node *r = g->nodes()[0];
  EXPECT_EQ(r->getString(AttrName::coordinate_transformation_mode), "half_pixel");
  EXPECT_EQ(r->getString(AttrName::nearest_mode), "ceil");

  ModelBuilder linear(11);
  linear.input("X", kFloat, {1, 1, 4, 4});
  linear.floats("roi", {0}, {});
  linear.floats("scales", {4}, {1, 1, 2, 2});
  auto &l = linear.node("Resize", {"X", "roi", "scales"}, {"Y"}, "rl");
  attrString(l, "coordinate_transformation_mode", "tf_half_pixel_for_nn");
  attrString(l, "mode", "linear");
  linear.output("Y");
  EXPECT_EQ(errorOf(importModel(linear)),
            "Resize 'rl': coordinate_transformation_mode tf_half_pixel_for_nn with mode "
            "'linear' is unsupported");
}

TEST(OpsetNormalize, DropoutRatioIsDroppedForInference) {
  ModelBuilder b(10);
  b.input("x", kFloat, {2});
  attrFloat(b.node("Dropout", {"x"}, {"y"}, "d"), "ratio", 0.3f);
  b.output("y");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->nodes()[0]->attrs().empty());
  auto out = runOk(*g, {ir::Tensor::fromDoubles(ElemType::F32, {2}, {1.5, -2})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]), (std::vector<double>{1.5, -2}));
}

TEST(OpsetNormalize, VeryOldOpsets) {
  // Opset 1-6 memory hints are dropped; Concat 1-3 defaults to axis 1.
  ModelBuilder b(3);
  b.input("x", kFloat, {1, 2});
  attrInts(b.node("Relu", {"x"}, {"r"}, "relu"), "consumed_inputs", {0});
  b.node("Concat", {"x", "r"}, {"c"}, "cat");
  b.output("c");
  auto g = importOk(b);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->nodes()[0]->attrs().empty());
  EXPECT_EQ(g->nodes()[1]->getInt(AttrName::axis), 1);
  EXPECT_EQ(g->outputs()[0]->type().shape, ir::Shape({1, 4}));

  ModelBuilder bn(7);
  bn.input("x", kFloat, {1, 2});
  bn.node("BatchNormalization", {"x", "x", "x", "x", "x"}, {"y"}, "bn");
  bn.output("y");
  EXPECT_EQ(errorOf(importModel(bn)),
            "BatchNormalization 'bn': BatchNormalization of opset 7 is unsupported (opset 9 "
            "or newer needed)");
  ModelBuilder prelu(6);
  prelu.input("x", kFloat, {1, 2});
  prelu.node("PRelu", {"x", "x"}, {"y"}, "p");
  prelu.output("y");
  EXPECT_EQ(errorOf(importModel(prelu)),
            "PRelu 'p': PRelu of opset 6 is unsupported (opset 7 or newer needed)");
  // A legacy attribute with no newest-opset meaning is an error, not dropped.
  ModelBuilder add(6);
  add.input("x", kFloat, {1, 2});
  add.input("y", kFloat, {2});
  attrInt(add.node("Add", {"x", "y"}, {"z"}, "add"), "broadcast", 1);
  add.output("z");
  EXPECT_EQ(errorOf(importModel(add)), "Add 'add': unknown attribute 'broadcast'");
}

} // namespace
} // namespace qc::frontend::test
