// The IR verifier: a valid graph passes; each kind of breakage is reported
// with a message naming the node or value at fault.
#include <gtest/gtest.h>

#include "ir/Parser.h"
#include "ir/Verifier.h"

using namespace qc::ir;

namespace {

std::unique_ptr<Graph> parse(llvm::StringRef text) {
  auto g = parseGraph(text);
  if (!g) {
    ADD_FAILURE() << llvm::toString(g.takeError());
    return std::make_unique<Graph>();
  }
  return std::move(*g);
}

std::string verifyMessage(const Graph &g) {
  if (llvm::Error e = verifyGraph(g))
    return llvm::toString(std::move(e));
  return "<valid>";
}

Type f32(std::initializer_list<int64_t> dims) { return Type(ElemType::F32, Shape(dims)); }

// Tests below corrupt internals on purpose (what a buggy pass could leave
// behind); the public API keeps these lists consistent.
std::vector<Use> &mutableUses(Value *v) { return const_cast<std::vector<Use> &>(v->uses()); }
std::vector<std::pair<AttrName, AttrValue>> &mutableAttrs(Node *n) {
  return const_cast<std::vector<std::pair<AttrName, AttrValue>> &>(n->attrs());
}

const char *kValid = R"(graph @main(%x: tensor<Nx3x8x8xf32>) {
  opset "" 21
  %scale = const dense<0.5> : tensor<f32>
  %zp = const dense<0> : tensor<i8>
  %w = const dense<1> : tensor<4x3x3x3xi8, quant<scale=0.5, zp=0>>
  %wscale = const dense<[0.25, 0.5, 1.0, 2.0]> : tensor<4xf32>
  %q = QuantizeLinear(%x, %scale, %zp) : tensor<Nx3x8x8xi8>
  %dq = DequantizeLinear(%q, %scale, %zp) : tensor<Nx3x8x8xf32>
  %wf = DequantizeLinear(%w, %wscale) {axis = 0} : tensor<4x3x3x3xf32>
  %y = Conv(%dq, %wf, _) {pads = [1, 1, 1, 1]} name "conv" : tensor<Nx4x8x8xf32>
  %r = Relu(%y) : tensor<Nx4x8x8xf32>
  %s = Add(%r, %y) : tensor<Nx4x8x8xf32>
  return %s, %q
}
)";

} // namespace

TEST(Verifier, ValidGraphPasses) {
  auto g = parse(kValid);
  EXPECT_EQ(verifyMessage(*g), "<valid>");
}

TEST(Verifier, RecordedTypesMayBeMorePreciseThanInference) {
  // Inference keeps the symbol N; a pass that knows N = 1 may record it.
  auto g = parse(R"(graph @g(%x: tensor<Nx4xf32>) {
  %r = Relu(%x) : tensor<1x4xf32>
  return %r
})");
  EXPECT_EQ(verifyMessage(*g), "<valid>");
}

TEST(Verifier, OperandUsedBeforeDefinition) {
  Graph g;
  Value *x = g.addInput("x", f32({2}));
  Node *relu = g.createNode(OpKind::Relu, {x}, {{"r", f32({2})}});
  g.createNode(OpKind::Neg, {relu->result()}, {{"n", f32({2})}}, /*before=*/relu);
  EXPECT_EQ(verifyMessage(g),
            "Neg producing 'n': operand 0 'r' is used before it is defined");
}

TEST(Verifier, OperandFromAnotherGraph) {
  Graph other;
  Value *foreign = other.addInput("y", f32({2}));
  Graph g;
  Value *x = g.addInput("x", f32({2}));
  g.createNode(OpKind::Add, {x, foreign}, {{"s", f32({2})}});
  EXPECT_EQ(verifyMessage(g), "Add producing 's': operand 1 does not belong to the graph");
}

TEST(Verifier, UseMissingFromUseList) {
  Graph g;
  Value *x = g.addInput("x", f32({2}));
  Node *relu = g.createNode(OpKind::Relu, {x}, {{"r", f32({2})}});
  g.addOutput(relu->result());
  mutableUses(x).clear();
  EXPECT_EQ(verifyMessage(g), "Relu producing 'r': operand 0 is missing from the use list of 'x'");
}

TEST(Verifier, StaleUseInUseList) {
  Graph g;
  Value *x = g.addInput("x", f32({2}));
  Value *y = g.addInput("y", f32({2}));
  Node *relu = g.createNode(OpKind::Relu, {x}, {{"r", f32({2})}});
  g.addOutput(relu->result());
  mutableUses(y).push_back(Use{relu, 0}); // relu's operand 0 is x, not y
  EXPECT_EQ(verifyMessage(g), "value 'y' has a stale use (operand 0)");
}

TEST(Verifier, TooManyOperands) {
  Graph g;
  Value *x = g.addInput("x", f32({2}));
  g.addOutput(g.createNode(OpKind::Relu, {x, x}, {{"r", f32({2})}})->result());
  EXPECT_EQ(verifyMessage(g), "Relu producing 'r': has 2 operands, expected 1");
}

TEST(Verifier, TooFewOperandsOfVariadicOp) {
  Graph g;
  g.addOutput(g.createNode(OpKind::Concat, {}, {{"c", f32({2})}})->result());
  EXPECT_EQ(verifyMessage(g), "Concat producing 'c': has 0 operands, expected at least 1");
}

TEST(Verifier, WrongNumberOfResults) {
  Graph g;
  Value *x = g.addInput("x", f32({2}));
  Node *n = g.createNode(OpKind::Relu, {x}, {{"a", f32({2})}, {"b", f32({2})}});
  g.addOutput(n->result(0));
  EXPECT_EQ(verifyMessage(g), "Relu producing 'a': has 2 results, expected 1");
  Graph h;
  Value *y = h.addInput("y", f32({2}));
  h.createNode(OpKind::Relu, {y}, {})->setName("lonely");
  EXPECT_EQ(verifyMessage(h), "Relu 'lonely': has 0 results, expected 1");
}

TEST(Verifier, RequiredInputMissing) {
  // Parsed from text: the parser leaves arity to the verifier.
  auto g = parse(R"(graph @g(%x: tensor<1x1x4x4xf32>) {
  %y = Conv(%x, _) name "conv1" : tensor<1x1x4x4xf32>
  return %y
})");
  EXPECT_EQ(verifyMessage(*g), "Conv 'conv1': required operand 1 is missing");
}

TEST(Verifier, AttributeOfWrongKind) {
  Graph g;
  Value *x = g.addInput("x", f32({2, 3}));
  Node *n = g.createNode(OpKind::Softmax, {x}, {{"s", f32({2, 3})}});
  g.addOutput(n->result());
  mutableAttrs(n).emplace_back(AttrName::axis, AttrValue(1.5f));
  EXPECT_EQ(verifyMessage(g), "Softmax producing 's': attribute 'axis' is float, expected int");
}

TEST(Verifier, AttributeNotInSchema) {
  Graph g;
  Value *x = g.addInput("x", f32({2}));
  Node *n = g.createNode(OpKind::Relu, {x}, {{"r", f32({2})}});
  g.addOutput(n->result());
  mutableAttrs(n).emplace_back(AttrName::axis, AttrValue(int64_t(0)));
  EXPECT_EQ(verifyMessage(g), "Relu producing 'r': op Relu has no attribute 'axis'");
}

TEST(Verifier, DuplicateAttribute) {
  Graph g;
  Value *x = g.addInput("x", f32({2, 3}));
  Node *n = g.createNode(OpKind::Softmax, {x}, {{"s", f32({2, 3})}});
  g.addOutput(n->result());
  n->setAttr(AttrName::axis, int64_t(1));
  mutableAttrs(n).emplace_back(AttrName::axis, AttrValue(int64_t(0)));
  EXPECT_EQ(verifyMessage(g),
            "Softmax producing 's': attribute 'axis' is duplicated or out of order");
}

TEST(Verifier, DuplicateValueName) {
#ifndef NDEBUG
  GTEST_SKIP() << "Graph asserts on duplicate names in debug builds";
#endif
  Graph g;
  g.addInput("x", f32({2}));
  Value *y = g.addInput("y", f32({2}));
  g.renameValue(y, "x");
  EXPECT_EQ(verifyMessage(g), "value name 'x' is used twice");
}

TEST(Verifier, EmptyValueName) {
  Graph g;
  g.addOutput(g.addInput("", f32({2})));
  EXPECT_EQ(verifyMessage(g), "a value has an empty name");
}

TEST(Verifier, GraphOutputNotInGraph) {
  Graph other;
  Value *foreign = other.addInput("z", f32({2}));
  Graph g;
  g.addOutput(g.addInput("x", f32({2})));
  g.addOutput(foreign);
  EXPECT_EQ(verifyMessage(g), "graph output 1 is not a value of the graph");
  Graph h;
  h.addOutput(nullptr);
  EXPECT_EQ(verifyMessage(h), "graph output 0 is not a value of the graph");
}

TEST(Verifier, ConstantTypeDiffersFromData) {
  Graph g;
  Value *c = g.addConstant("w", Tensor::fromInts(ElemType::I8, {2}, {1, 2}));
  g.addOutput(c);
  c->setType(Type(ElemType::I8, Shape({3})));
  EXPECT_EQ(verifyMessage(g), "constant 'w' has type tensor<3xi8> but its data is tensor<2xi8>");
  c->setType(Type(ElemType::U8, Shape({2})));
  EXPECT_EQ(verifyMessage(g), "constant 'w' has type tensor<2xu8> but its data is tensor<2xi8>");
}

TEST(Verifier, Int4ConstantStorageOutOfRange) {
  Tensor t(ElemType::I4, {2});
  t.data<int8_t>()[1] = 8; // one past the int4 maximum
  Graph g;
  g.addOutput(g.addConstant("w4", std::move(t)));
  EXPECT_EQ(verifyMessage(g), "constant 'w4': element 1 holds 8, out of range for i4");
}

TEST(Verifier, MalformedQuantizedTypes) {
  struct Case {
    const char *type;
    const char *message;
  } cases[] = {
      {"tensor<4xf32, quant<scale=0.5, zp=0>>",
       "value 'x': quantized type tensor<4xf32, quant<scale=0.5, zp=0>> needs an integer "
       "element type"},
      {"tensor<4xi8, quant<axis=0, scale=[0.5, 0.5, 0.5, 0.5], zp=[0, 0]>>",
       "value 'x': quantized type has 4 scales and 2 zero points"},
      {"tensor<4xi8, quant<scale=[0.5, 0.5], zp=[0, 0]>>",
       "value 'x': per-tensor quantization has 2 scales, expected 1"},
      {"tensor<4xi8, quant<scale=-0.5, zp=0>>",
       "value 'x': quantization scale -0.5 is not positive and finite"},
      {"tensor<4xi8, quant<scale=nan, zp=0>>",
       "value 'x': quantization scale nan is not positive and finite"},
      {"tensor<4xu8, quant<scale=0.5, zp=256>>", "value 'x': zero point 256 is out of range for u8"},
      {"tensor<4xi8, quant<axis=1, scale=0.5, zp=0>>",
       "value 'x': quantization axis 1 is out of range for rank 1"},
      {"tensor<4xi8, quant<axis=0, scale=[0.5, 0.5], zp=[0, 0]>>",
       "value 'x': 2 scales for axis 0 of extent 4"},
      {"tensor<4xi8, quant<block=2, scale=0.5, zp=0>>",
       "value 'x': blocked quantization needs an axis"},
  };
  for (const Case &c : cases) {
    auto g = parse(std::string("graph @g(%x: ") + c.type + ") {\n  return %x\n}");
    EXPECT_EQ(verifyMessage(*g), c.message) << c.type;
  }
}

TEST(Verifier, ResultTypeContradictsInference) {
  auto g = parse(R"(graph @g(%x: tensor<2x3xf32>) {
  %r = Relu(%x) name "relu1" : tensor<2x4xf32>
  return %r
})");
  EXPECT_EQ(verifyMessage(*g), "Relu 'relu1': result 'r' has type tensor<2x4xf32> but inference "
                               "gives tensor<2x3xf32>");
  auto h = parse(R"(graph @g(%x: tensor<2x3xf32>) {
  %r = Relu(%x) : tensor<2x3xf16>
  return %r
})");
  EXPECT_EQ(verifyMessage(*h), "Relu producing 'r': result 'r' has type tensor<2x3xf16> but "
                               "inference gives tensor<2x3xf32>");
  auto k = parse(R"(graph @g(%x: tensor<2x3xf32>) {
  %r = Relu(%x) : tensor<6xf32>
  return %r
})");
  EXPECT_EQ(verifyMessage(*k), "Relu producing 'r': result 'r' has type tensor<6xf32> but "
                               "inference gives tensor<2x3xf32>");
}

TEST(Verifier, InferenceErrorsAreReported) {
  auto g = parse(R"(graph @g(%x: tensor<2x3xf32>, %y: tensor<4xf32>) {
  %s = Add(%x, %y) name "add" : tensor<2x3xf32>
  return %s
})");
  std::string message = verifyMessage(*g);
  EXPECT_EQ(message.rfind("shape inference failed: Add 'add': ", 0), 0u) << message;
}
