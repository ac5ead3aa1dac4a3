// Element types, shapes, tensors, the op/attribute tables and graph mutation.
#include <gtest/gtest.h>

#include "ir/Graph.h"

using namespace qc::ir;

TEST(ElemType, RangesAndNames) {
  EXPECT_EQ(elemTypeMin(ElemType::I8), -128);
  EXPECT_EQ(elemTypeMax(ElemType::U8), 255);
  EXPECT_EQ(elemTypeMin(ElemType::I4), -8);
  EXPECT_EQ(elemTypeMax(ElemType::U4), 15);
  EXPECT_EQ(elemTypeStorageBytes(ElemType::I4), 1u);
  EXPECT_EQ(elemTypeBits(ElemType::I4), 4u);
  for (int i = 0; i <= int(ElemType::Bool); ++i) {
    auto t = static_cast<ElemType>(i);
    EXPECT_EQ(parseElemType(elemTypeName(t)), t);
  }
}

TEST(Shape, TextAndSymbols) {
  Shape s({Dim(1), Dim::symbol("N"), Dim::unknown(), Dim(4)});
  EXPECT_EQ(s.str(), "1xNx?x4");
  EXPECT_FALSE(s.isStatic());
  EXPECT_EQ(Shape({2, 3}).numElements(), 6);
  EXPECT_EQ(Type(ElemType::F32, Shape()).str(), "tensor<f32>");
  Type q(ElemType::I8, Shape({4, 2}));
  q.quant = QuantParams{{0.5, 0.25}, {0, 1}, 0, 0};
  EXPECT_EQ(q.str(), "tensor<4x2xi8, quant<axis=0, scale=[0.5, 0.25], zp=[0, 1]>>");
}

TEST(Tensor, HalfConversionsRoundTrip) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = halfToFloat(uint16_t(h));
    if (f != f)
      continue; // NaN payloads need not round-trip
    EXPECT_EQ(floatToHalf(f), h) << h;
  }
  EXPECT_EQ(floatToHalf(65520.0f), 0x7C00); // rounds to infinity
  EXPECT_EQ(floatToHalf(1.0f + 1.0f / 2048), 0x3C00); // tie to even
  EXPECT_EQ(bf16ToFloat(floatToBf16(1.5f)), 1.5f);
}

TEST(Tensor, GenericAccessWrapsLikeC) {
  Tensor t(ElemType::I4, {3});
  t.setInt(0, 7);
  t.setInt(1, -8);
  t.setInt(2, 9); // wraps to -7
  EXPECT_EQ(t.getInt(0), 7);
  EXPECT_EQ(t.getInt(1), -8);
  EXPECT_EQ(t.getInt(2), -7);
  Tensor f = Tensor::fromDoubles(ElemType::F16, {2}, {0.5, 3.0});
  EXPECT_EQ(f.getDouble(1), 3.0);
}

TEST(Ops, TablesAndDefaults) {
  EXPECT_EQ(lookupOp("Conv"), OpKind::Conv);
  EXPECT_FALSE(lookupOp("NoSuchOp"));
  const AttrSchema *group = findAttrSchema(OpKind::Conv, AttrName::group);
  ASSERT_TRUE(group);
  EXPECT_EQ(std::get<int64_t>(*group->defaultValue), 1);
  EXPECT_FALSE(findAttrSchema(OpKind::Relu, AttrName::axis));
}

TEST(Graph, UsesReplaceAndDeadCode) {
  Graph g;
  Value *x = g.addInput("x", Type(ElemType::F32, Shape({2})));
  Node *relu = g.createNode(OpKind::Relu, {x}, {{"r", Type(ElemType::F32, Shape({2}))}});
  Node *neg = g.createNode(OpKind::Neg, {relu->result()}, {{"n", Type(ElemType::F32, Shape({2}))}});
  g.addOutput(neg->result());
  EXPECT_EQ(x->uses().size(), 1u);
  g.replaceAllUsesWith(relu->result(), x);
  EXPECT_EQ(x->uses().size(), 2u);
  g.removeDeadCode();
  EXPECT_EQ(g.numNodes(), 1u);
  EXPECT_EQ(x->uses().size(), 1u);
  relu = nullptr;
  auto copy = g.clone();
  EXPECT_EQ(copy->numNodes(), 1u);
  EXPECT_EQ(copy->outputs()[0]->name(), "n");
}
