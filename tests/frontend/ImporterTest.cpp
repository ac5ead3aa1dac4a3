// Model import: graph inputs/outputs, initializers, Constant nodes, operand
// and result naming, attributes, node order, and one test per error class
// (each checking that the message names the node or tensor).
#include "OnnxTestUtil.h"

#include "interp/Interpreter.h"

namespace qc::frontend::test {
namespace {

using ir::ElemType;
using ir::OpKind;

constexpr int kFloat = onnx::TensorProto::FLOAT;
constexpr int kInt64 = onnx::TensorProto::INT64;

std::unique_ptr<ir::Graph> importOk(const ModelBuilder &b, const ImportOptions &o = {}) {
  auto g = importModel(b, o);
  if (!g) {
    ADD_FAILURE() << llvm::toString(g.takeError());
    return nullptr;
  }
  return std::move(*g);
}

std::vector<int64_t> ints(const ir::Tensor &t) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < t.numElements(); ++i)
    out.push_back(t.getInt(i));
  return out;
}

TEST(Importer, InputsInitializersNodesOutputs) {
  ModelBuilder b(13);
  b.input("x", kFloat, {std::string("N"), 3, std::string("")});
  b.floats("bias", {3, 1}, {1, 2, 3});
  b.node("Add", {"x", "bias"}, {"y"}, "add0");
  b.output("y", kFloat, {std::string("N"), 3, std::string("")});
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  ASSERT_EQ(g->inputs().size(), 1u);
  const ir::Type &xt = g->inputs()[0]->type();
  EXPECT_EQ(xt.elem, ElemType::F32);
  ASSERT_EQ(xt.shape.rank(), 3u);
  EXPECT_TRUE(xt.shape[0].isSymbolic());
  EXPECT_EQ(xt.shape[0].symbolName(), "N");
  EXPECT_EQ(xt.shape[1].value(), 3);
  EXPECT_TRUE(xt.shape[2].isUnknown());
  ir::Value *bias = g->findValue("bias");
  ASSERT_TRUE(bias && bias->isConstant());
  EXPECT_EQ(bias->constant()->dims(), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(bias->constant()->getDouble(2), 3.0);
  ASSERT_EQ(g->numNodes(), 1u);
  ir::Node *add = g->nodes()[0];
  EXPECT_EQ(add->kind(), OpKind::Add);
  EXPECT_EQ(add->name(), "add0");
  EXPECT_EQ(add->operand(0), g->inputs()[0]);
  EXPECT_EQ(add->operand(1), bias);
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0], add->result());
  // The declared output type seeds the result.
  EXPECT_EQ(add->result()->type().shape.rank(), 3u);
  EXPECT_EQ(g->opsets().at(""), 13);
}

TEST(Importer, InputWithInitializerIsConstant) {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  b.input("w", kFloat, {2});
  b.floats("w", {2}, {5, 6});
  b.node("Mul", {"x", "w"}, {"y"});
  b.output("y");
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "x");
  EXPECT_TRUE(g->findValue("w")->isConstant());
}

TEST(Importer, InputShapeOverride) {
  ModelBuilder b(13);
  b.input("x", kFloat, {std::string("N"), 3});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  ImportOptions o = noInference();
  o.inputShapes["x"] = ir::Shape({8, 3});
  auto g = importOk(b, o);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->inputs()[0]->type().shape, ir::Shape({8, 3}));

  o.inputShapes["x"] = ir::Shape({1, 8, 3});
  std::string e = errorOf(importModel(b, o));
  EXPECT_NE(e.find("graph input 'x': shape override 1x8x3 has rank 3, the model declares "
                   "rank 2"),
            std::string::npos)
      << e;
  o.inputShapes.clear();
  o.inputShapes["nope"] = ir::Shape({1});
  e = errorOf(importModel(b, o));
  EXPECT_NE(e.find("'nope', which is not a graph input"), std::string::npos) << e;
}

TEST(Importer, InputShapeOverrideFeedsInference) {
  ModelBuilder b(13);
  b.input("x", kFloat, {std::string("N"), 3});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  ImportOptions o;
  o.inputShapes["x"] = ir::Shape({8, 3});
  auto g = importOk(b, o);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->outputs()[0]->type().shape, ir::Shape({8, 3}));
}

TEST(Importer, ConstantNodeVariants) {
  ModelBuilder b(13);
  auto &c1 = b.node("Constant", {}, {"c_tensor"});
  auto &a = addAttr(c1, "value");
  a.set_type(onnx::AttributeProto::TENSOR);
  a.mutable_t()->set_data_type(onnx::TensorProto::INT8);
  a.mutable_t()->add_dims(2);
  a.mutable_t()->add_int32_data(-3);
  a.mutable_t()->add_int32_data(4);
  attrFloat(b.node("Constant", {}, {"c_float"}), "value_float", 2.5f);
  attrFloats(b.node("Constant", {}, {"c_floats"}), "value_floats", {1, 2, 3});
  attrInt(b.node("Constant", {}, {"c_int"}), "value_int", -9);
  attrInts(b.node("Constant", {}, {"c_ints"}), "value_ints", {4, 5});
  for (const char *name : {"c_tensor", "c_float", "c_floats", "c_int", "c_ints"})
    b.output(name);
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  EXPECT_EQ(g->numNodes(), 0u);
  const ir::Tensor *t = g->findValue("c_tensor")->constant();
  EXPECT_EQ(t->elemType(), ElemType::I8);
  EXPECT_EQ(ints(*t), (std::vector<int64_t>{-3, 4}));
  t = g->findValue("c_float")->constant();
  EXPECT_EQ(t->elemType(), ElemType::F32);
  EXPECT_EQ(t->rank(), 0u);
  EXPECT_EQ(t->getDouble(0), 2.5);
  t = g->findValue("c_floats")->constant();
  EXPECT_EQ(t->dims(), (std::vector<int64_t>{3}));
  EXPECT_EQ(t->getDouble(2), 3.0);
  t = g->findValue("c_int")->constant();
  EXPECT_EQ(t->elemType(), ElemType::I64);
  EXPECT_EQ(t->rank(), 0u);
  EXPECT_EQ(t->getInt(0), -9);
  t = g->findValue("c_ints")->constant();
  EXPECT_EQ(ints(*t), (std::vector<int64_t>{4, 5}));
  // Constants may be graph outputs directly.
  EXPECT_EQ(g->outputs()[0], g->findValue("c_tensor"));
}

TEST(Importer, ConstantNodeErrors) {
  ModelBuilder b(13);
  attrString(b.node("Constant", {}, {"c"}, "cs"), "value_string", "hi");
  b.output("c");
  EXPECT_EQ(errorOf(importModel(b)),
            "Constant 'cs': attribute 'value_string': string constants are unsupported");
  ModelBuilder b2(13);
  attrInt(b2.node("Constant", {}, {"c"}, "cf"), "value_float", 1);
  b2.output("c");
  EXPECT_EQ(errorOf(importModel(b2)),
            "Constant 'cf': attribute 'value_float' has type INT, expected FLOAT");
}

TEST(Importer, OptionalOperandsAndResults) {
  ModelBuilder b(13);
  b.input("x", kFloat, {1, 4});
  b.floats("mx", {}, {6});
  // Clip(x, <absent min>, max); Dropout with a trailing unused mask output.
  b.node("Clip", {"x", "", "mx"}, {"c"}, "clip");
  b.node("Dropout", {"c"}, {"d", ""}, "drop");
  // LayerNormalization: a "" output in the middle gets a generated name.
  b.floats("scale", {4}, {1, 1, 1, 1});
  b.node("LayerNormalization", {"d", "scale", ""}, {"ln", "", "inv"}, "ln");
  b.output("ln");
  b.output("inv");
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  auto nodes = g->nodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0]->numOperands(), 3u);
  EXPECT_EQ(nodes[0]->operand(1), nullptr);
  EXPECT_EQ(nodes[0]->operand(2), g->findValue("mx"));
  EXPECT_EQ(nodes[1]->numResults(), 1u);
  EXPECT_EQ(nodes[2]->numOperands(), 2u); // trailing absent bias dropped
  ASSERT_EQ(nodes[2]->numResults(), 3u);
  EXPECT_EQ(nodes[2]->result(0)->name(), "ln");
  EXPECT_FALSE(nodes[2]->result(1)->name().empty());
  EXPECT_NE(nodes[2]->result(1)->name(), "ln");
  EXPECT_EQ(nodes[2]->result(2)->name(), "inv");
}

TEST(Importer, UnsortedNodesAreOrdered) {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  b.node("Neg", {"a"}, {"b"}, "second");
  b.node("Abs", {"x"}, {"a"}, "first");
  b.output("b");
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  auto nodes = g->nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0]->name(), "first");
  EXPECT_EQ(nodes[1]->name(), "second");
}

TEST(Importer, AttributesFollowTheSchema) {
  ModelBuilder b(21);
  b.input("x", kFloat, {1, 1, 4, 4});
  b.floats("w", {1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  auto &conv = b.node("Conv", {"x", "w"}, {"c"}, "conv");
  attrInts(conv, "pads", {1, 1, 1, 1});
  attrString(conv, "auto_pad", "NOTSET");
  attrInt(conv, "group", 1);
  auto &cast = b.node("Cast", {"c"}, {"h"}, "cast");
  attrInt(cast, "to", onnx::TensorProto::FLOAT16);
  auto &lr = b.node("LeakyRelu", {"h"}, {"l"}, "lrelu");
  attrFloat(lr, "alpha", 0.25f);
  b.floats("s", {}, {0.5});
  auto &q = b.node("QuantizeLinear", {"c", "s"}, {"q"}, "q");
  attrInt(q, "output_dtype", 22); // INT4
  auto &cos = b.node("ConstantOfShape", {"shape"}, {"z"}, "cos");
  b.int64s("shape", {1}, {2});
  auto &v = addAttr(cos, "value");
  v.set_type(onnx::AttributeProto::TENSOR);
  v.mutable_t()->set_data_type(onnx::TensorProto::INT32);
  v.mutable_t()->add_dims(1);
  v.mutable_t()->add_int32_data(7);
  b.output("l");
  b.output("q");
  b.output("z");
  auto g = importOk(b, noInference());
  ASSERT_TRUE(g);
  auto nodes = g->nodes();
  ASSERT_EQ(nodes.size(), 5u);
  EXPECT_EQ(nodes[0]->getInts(ir::AttrName::pads), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(nodes[0]->getString(ir::AttrName::auto_pad), "NOTSET");
  EXPECT_TRUE(nodes[0]->hasAttr(ir::AttrName::group));
  EXPECT_EQ(nodes[1]->getElem(ir::AttrName::to), ElemType::F16);
  EXPECT_EQ(nodes[2]->getFloat(ir::AttrName::alpha), 0.25f);
  EXPECT_EQ(nodes[3]->getElem(ir::AttrName::output_dtype), ElemType::I4);
  const ir::Tensor *value = nodes[4]->findTensor(ir::AttrName::value);
  ASSERT_TRUE(value);
  EXPECT_EQ(value->elemType(), ElemType::I32);
  EXPECT_EQ(value->getInt(0), 7);
}

TEST(Importer, RunsEndToEndThroughTheInterpreter) {
  // y = Relu(x * w + b) with w and b as initializers; hand-computed values.
  ModelBuilder b(17);
  b.input("x", kFloat, {2, 2});
  b.floats("w", {2, 2}, {1, 2, 3, 4});
  b.floats("b", {2}, {-10, 1});
  b.node("MatMul", {"x", "w"}, {"m"});
  b.node("Add", {"m", "b"}, {"a"});
  b.node("Relu", {"a"}, {"y"});
  b.output("y", kFloat, {2, 2});
  auto g = importOk(b);
  ASSERT_TRUE(g);
  auto out = interp::run(*g, {ir::Tensor::fromDoubles(ElemType::F32, {2, 2}, {1, 1, 2, 3})});
  ASSERT_TRUE(bool(out)) << llvm::toString(out.takeError());
  // [1 1] * w = [4 6] -> [-6 7] -> [0 7]; [2 3] * w = [11 16] -> [1 17].
  EXPECT_EQ((*out)[0].getDouble(0), 0.0);
  EXPECT_EQ((*out)[0].getDouble(1), 7.0);
  EXPECT_EQ((*out)[0].getDouble(2), 1.0);
  EXPECT_EQ((*out)[0].getDouble(3), 17.0);
}

// ---- error classes ---------------------------------------------------------

TEST(ImporterErrors, MalformedProtobuf) {
  std::string e = errorOf(importOnnxBytes(std::string("\xff\xff\xff\xff garbage", 12), ""));
  EXPECT_NE(e.find("malformed ONNX model"), std::string::npos) << e;
  // A valid model, truncated in the middle.
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  b.floats("w", {2}, {1, 2});
  b.node("Add", {"x", "w"}, {"y"});
  b.output("y");
  std::string bytes = b.bytes();
  e = errorOf(importOnnxBytes(bytes.substr(0, bytes.size() - 5), ""));
  EXPECT_NE(e.find("malformed ONNX model"), std::string::npos) << e;
  EXPECT_EQ(errorOf(importOnnxBytes("", "")), "model is empty (0 bytes)");
  onnx::ModelProto noGraph = b.model;
  noGraph.clear_graph();
  EXPECT_EQ(errorOf(importOnnxBytes(noGraph.SerializeAsString(), "")), "model has no graph");
}

TEST(ImporterErrors, FileProblems) {
  TempDir dir;
  std::string e = errorOf(importOnnxFile(dir.file("missing.onnx")));
  EXPECT_NE(e.find("cannot open model '"), std::string::npos) << e;
  EXPECT_NE(e.find("missing.onnx"), std::string::npos) << e;
  e = errorOf(importOnnxFile(dir.path()));
  EXPECT_NE(e.find("is not a regular file"), std::string::npos) << e;
  dir.write("empty.onnx", "");
  e = errorOf(importOnnxFile(dir.file("empty.onnx")));
  EXPECT_NE(e.find("empty.onnx': model is empty"), std::string::npos) << e;
  dir.write("text.onnx", "this is not a protobuf\n");
  e = errorOf(importOnnxFile(dir.file("text.onnx")));
  EXPECT_NE(e.find("malformed ONNX model"), std::string::npos) << e;
}

TEST(ImporterErrors, UnknownOpsAreAllListed) {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  b.node("Foo", {"x"}, {"a"}, "a");
  b.node("Relu", {"a"}, {"r"}, "ok");
  b.node("Bar", {"r"}, {"b"});
  b.output("b");
  EXPECT_EQ(errorOf(importModel(b)), "unsupported ops: Foo (node 'a'), Bar (node producing 'b')");
}

TEST(ImporterErrors, UnknownDomain) {
  ModelBuilder b(13);
  auto *ms = b.model.add_opset_import();
  ms->set_domain("com.microsoft");
  ms->set_version(1);
  b.input("x", kFloat, {2});
  b.node("Gelu", {"x"}, {"y"}, "g").set_domain("com.microsoft");
  b.output("y");
  EXPECT_EQ(errorOf(importModel(b)), "unsupported ops: Gelu (node 'g', domain 'com.microsoft')");
}

TEST(ImporterErrors, UnsupportedOpsetAndIrVersion) {
  ModelBuilder b(22);
  b.input("x", kFloat, {2});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  EXPECT_EQ(errorOf(importModel(b)),
            "default-domain opset version 22 is unsupported (supported: 1 to 21)");
  b.model.mutable_opset_import(0)->set_domain("ai.onnx.ml");
  EXPECT_EQ(errorOf(importModel(b)),
            "model does not import the default ONNX opset (domain ai.onnx)");
  ModelBuilder old(13, /*irVersion=*/2);
  EXPECT_EQ(errorOf(importModel(old)), "model ir_version 2 is unsupported (supported: 3 to 11)");
}

TEST(ImporterErrors, UndefinedInput) {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  b.node("Add", {"x", "nowhere"}, {"y"}, "add1");
  b.output("y");
  EXPECT_EQ(errorOf(importModel(b)), "Add 'add1': input 'nowhere' is undefined");
  ModelBuilder b2(13);
  b2.input("x", kFloat, {2});
  b2.node("Relu", {"x"}, {"y"});
  b2.output("z");
  EXPECT_EQ(errorOf(importModel(b2)), "graph output 'z' is undefined");
}

TEST(ImporterErrors, DuplicateNames) {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  b.node("Relu", {"x"}, {"y"}, "r1");
  b.node("Neg", {"x"}, {"y"}, "r2");
  b.output("y");
  EXPECT_EQ(errorOf(importModel(b)), "Neg 'r2': output 'y' is already produced by Relu 'r1'");
  ModelBuilder b2(13);
  b2.input("x", kFloat, {2});
  b2.floats("w", {1}, {1});
  b2.floats("w", {1}, {2});
  EXPECT_EQ(errorOf(importModel(b2)), "duplicate initializer 'w'");
  ModelBuilder b3(13);
  b3.input("x", kFloat, {2});
  b3.node("Relu", {"x"}, {"x"}, "self");
  EXPECT_EQ(errorOf(importModel(b3)),
            "Relu 'self': output 'x' has the name of a graph input or initializer");
}

TEST(ImporterErrors, Cycle) {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  b.node("Add", {"x", "b"}, {"a"}, "n1");
  b.node("Relu", {"a"}, {"b"}, "n2");
  b.output("b");
  EXPECT_EQ(errorOf(importModel(b)), "Add 'n1': is on a cycle (its inputs depend on its outputs)");
}

TEST(ImporterErrors, DataSizeMismatchNamesInitializer) {
  ModelBuilder b(13);
  b.input("x", kFloat, {3});
  b.floats("weights", {3}, {1, 2});
  b.node("Add", {"x", "weights"}, {"y"});
  b.output("y");
  EXPECT_EQ(errorOf(importModel(b)),
            "initializer 'weights': data size mismatch: 2 values in float_data, shape 3 "
            "needs 3");
  ModelBuilder b2(13);
  b2.input("x", kFloat, {3});
  auto &t = b2.initializer("raw", kFloat, {3});
  t.set_raw_data(std::string(11, '\0'));
  EXPECT_EQ(errorOf(importModel(b2)),
            "initializer 'raw': data size mismatch: 11 bytes of data, its f32 shape 3 needs 12");
}

TEST(ImporterErrors, WrongAttributeType) {
  ModelBuilder b(13);
  b.input("x", kFloat, {1, 4});
  attrFloat(b.node("Flatten", {"x"}, {"y"}, "flat"), "axis", 1.0f);
  b.output("y");
  EXPECT_EQ(errorOf(importModel(b)),
            "Flatten 'flat': attribute 'axis' has type FLOAT, expected INT");
}

TEST(ImporterErrors, UnknownAttribute) {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  attrInt(b.node("Relu", {"x"}, {"y"}, "r"), "inplace", 1);
  b.output("y");
  EXPECT_EQ(errorOf(importModel(b)), "Relu 'r': unknown attribute 'inplace'");
  // An attribute of another op is still unknown here.
  ModelBuilder b2(13);
  b2.input("x", kFloat, {2});
  attrInts(b2.node("Relu", {"x"}, {"y"}, "r"), "perm", {0});
  b2.output("y");
  EXPECT_EQ(errorOf(importModel(b2)), "Relu 'r': unknown attribute 'perm'");
}

TEST(ImporterErrors, BadAttributeValues) {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  attrInt(b.node("Cast", {"x"}, {"y"}, "c"), "to", onnx::TensorProto::STRING);
  b.output("y");
  EXPECT_EQ(errorOf(importModel(b)),
            "Cast 'c': attribute 'to': element type STRING is unsupported");
  ModelBuilder b3(13);
  b3.input("x", kFloat, {2});
  auto &cos = b3.node("ConstantOfShape", {"x"}, {"z"}, "cos");
  auto &ga = addAttr(cos, "value");
  ga.set_type(onnx::AttributeProto::GRAPH);
  b3.output("z");
  EXPECT_EQ(errorOf(importModel(b3)),
            "ConstantOfShape 'cos': attribute 'value': graph attributes are unsupported");
}

TEST(ImporterErrors, UnsupportedValueTypes) {
  ModelBuilder b(13);
  auto *in = b.graph().add_input();
  in->set_name("seq");
  in->mutable_type()->mutable_sequence_type();
  EXPECT_EQ(errorOf(importModel(b)),
            "graph input 'seq' has a non-tensor type (sequence, map, optional or sparse), "
            "which is unsupported");
  ModelBuilder b2(13);
  b2.input("s", onnx::TensorProto::STRING, {1});
  EXPECT_EQ(errorOf(importModel(b2)), "graph input 's': element type STRING is unsupported");
  ModelBuilder b3(13);
  auto *sparse = b3.graph().add_sparse_initializer();
  sparse->mutable_values()->set_name("sp");
  EXPECT_EQ(errorOf(importModel(b3)), "sparse initializer 'sp' is unsupported");
  ModelBuilder b4(13);
  b4.input("x", kFloat, {2, -3});
  EXPECT_EQ(errorOf(importModel(b4)), "graph input 'x': dimension 1 is -3 (negative)");
}

TEST(ImporterErrors, InferenceErrorsNameTheNode) {
  // A declared output shape that contradicts inference.
  ModelBuilder b(13);
  b.input("x", kFloat, {2, 3});
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y", kFloat, {3, 2});
  std::string e = errorOf(importModel(b));
  EXPECT_NE(e.find("Relu 'relu'"), std::string::npos) << e;
}

} // namespace
} // namespace qc::frontend::test
