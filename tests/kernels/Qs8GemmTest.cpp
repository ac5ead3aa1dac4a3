// qs8_gemm (kernels/Qs8Gemm.cpp via emit/QMatMulGemm.cpp) on every ISA
// against the interpreter's qc.QMatMul with a constant right operand,
// bit-exact: GEMV (M = 1), sequence rows, batched a, odd K, N tails, zero
// points, weight types, f32 output, refusals.
#include "tests/kernels/Qs8GemmTester.h"

namespace qc::test {
namespace {

struct GemmCase {
  std::vector<int64_t> aLead{1}; // a = [aLead..., K]
  int64_t k = 16, n = 16;
  bool bBatched = false;         // b = [1, K, N]
  ElemType aType = ElemType::U8, bType = ElemType::I8, yType = ElemType::U8;
  int64_t za = 128, zy = 128;
  bool perChannel = true, weightZeroPoints = false, withBias = true;
  std::optional<int64_t> actMin, actMax;

  std::string str() const {
    std::string s = "a[";
    for (int64_t d : aLead)
      s += std::to_string(d) + "x";
    return s + std::to_string(k) + "] N" + std::to_string(n) + " a" +
           ir::elemTypeName(aType).str() + " b" + ir::elemTypeName(bType).str() + " y" +
           ir::elemTypeName(yType).str() + " za" + std::to_string(za) +
           (weightZeroPoints ? " zb" : "");
  }

  int64_t run() const {
    ir::Graph g;
    std::vector<int64_t> aDims = aLead;
    aDims.push_back(k);
    ir::Type at(aType, ir::Shape::fromStatic(aDims));
    double sa = randScale(0.005, 0.05);
    at.quant = quant({sa}, {za});
    ir::Value *av = g.addInput("a", at);

    std::vector<int64_t> bDims{k, n};
    if (bBatched)
      bDims.insert(bDims.begin(), 1);
    ir::Tensor bt(bType, bDims);
    int64_t lo = ir::elemTypeMin(bType), hi = ir::elemTypeMax(bType);
    for (int64_t i = 0; i < bt.numElements(); ++i)
      bt.setInt(i, randInt(lo, hi));
    std::vector<double> sb;
    std::vector<int64_t> zb;
    for (int64_t j = 0; j < (perChannel ? n : 1); ++j) {
      sb.push_back(randScale(1e-3, 1e-1));
      zb.push_back(weightZeroPoints ? randInt(lo, hi) : bType == ElemType::U8 ? 128 : 0);
    }
    ir::Value *bv = g.addConstant("b", bt);
    ir::Type btype = bv->type();
    btype.quant = quant(sb, zb,
                        perChannel ? std::optional<int64_t>(int64_t(bDims.size()) - 1)
                                   : std::nullopt);
    bv->setType(btype);
    std::vector<ir::Value *> ops{av, bv};
    if (withBias) {
      ir::Tensor bias(ElemType::I32, {n});
      for (int64_t j = 0; j < n; ++j)
        bias.setInt(j, randInt(-50000, 50000));
      ops.push_back(g.addConstant("bias", bias));
    }
    std::vector<int64_t> yDims = aLead;
    if (bBatched && yDims.size() < 2)
      yDims.insert(yDims.begin(), 1);
    yDims.push_back(n);
    ir::Type yt(yType, ir::Shape::fromStatic(yDims));
    if (yType != ElemType::F32)
      yt.quant = quant({double(float(sa * 0.01 * 40 * std::sqrt(double(k))))}, {zy});
    ir::Node *node = g.createNode(ir::OpKind::QMatMul, ops, {{"y", yt}});
    node->setName("matmul");
    if (actMin)
      node->setAttr(ir::AttrName::act_min, *actMin);
    if (actMax)
      node->setAttr(ir::AttrName::act_max, *actMax);
    g.addOutput(node->result(0));

    ir::Tensor a(aType, aDims);
    for (int64_t i = 0; i < a.numElements(); ++i)
      a.setInt(i, randInt(ir::elemTypeMin(aType), ir::elemTypeMax(aType)));
    return checkAllIsas(*node, a, {}, codegen::emitQMatMulGemm, str());
  }
};

TEST(Qs8Gemm, Gemv) {
  for (int64_t k : {1, 3, 4, 64, 255, 1000})
    for (int64_t n : {1, 7, 16, 65, 200}) {
      GemmCase t;
      t.aLead = {1}, t.k = k, t.n = n;
      EXPECT_GT(t.run(), 0);
    }
  GemmCase vec; // a is 1-D [K]
  vec.aLead = {}, vec.k = 33, vec.n = 40;
  EXPECT_GT(vec.run(), 0);
}

TEST(Qs8Gemm, SequenceRows) {
  for (int64_t m : {2, 5, 6, 12, 13, 31, 128})
    for (int64_t n : {8, 48, 64, 96, 130}) {
      GemmCase t;
      t.aLead = {m}, t.k = 37, t.n = n;
      EXPECT_GT(t.run(), 0);
    }
}

TEST(Qs8Gemm, BatchedLeftBroadcastRight) {
  GemmCase t;
  t.aLead = {3, 7}, t.k = 24, t.n = 20;
  EXPECT_GT(t.run(), 0);
  t.bBatched = true;
  EXPECT_GT(t.run(), 0);
}

TEST(Qs8Gemm, TypesZeroPointsOutputs) {
  for (ElemType aType : {ElemType::U8, ElemType::I8})
    for (ElemType bType : {ElemType::I8, ElemType::U8})
      for (ElemType yType : {ElemType::U8, ElemType::I8, ElemType::F32})
        for (bool zb : {false, true}) {
          GemmCase t;
          t.aLead = {9}, t.k = 45, t.n = 27;
          t.aType = aType, t.bType = bType, t.yType = yType, t.weightZeroPoints = zb;
          t.za = aType == ElemType::U8 ? (zb ? 255 : 0) : (zb ? 127 : -128);
          t.zy = yType == ElemType::I8 ? 10 : 100;
          t.perChannel = !zb || aType == ElemType::U8;
          EXPECT_GT(t.run(), 0) << t.str();
        }
}

TEST(Qs8Gemm, ClampAndNoBias) {
  GemmCase t;
  t.aLead = {10}, t.k = 50, t.n = 33, t.actMin = 128, t.actMax = 200, t.withBias = false;
  EXPECT_GT(t.run(), 0);
}

TEST(Qs8Gemm, RandomShapes) {
  for (int i = 0; i < 30; ++i) {
    GemmCase t;
    t.aLead = {randInt(1, 40)};
    t.k = randInt(1, 300), t.n = randInt(1, 150);
    t.aType = randInt(0, 1) ? ElemType::U8 : ElemType::I8;
    t.za = randInt(ir::elemTypeMin(t.aType), ir::elemTypeMax(t.aType));
    t.weightZeroPoints = randInt(0, 3) == 0;
    t.yType = randInt(0, 4) == 0 ? ElemType::F32 : ElemType::U8;
    EXPECT_GT(t.run(), 0) << t.str();
  }
}

} // namespace
} // namespace qc::test
