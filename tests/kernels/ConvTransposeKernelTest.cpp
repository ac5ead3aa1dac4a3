// qc.QConvTranspose's direct kernel (codegen/kernels/Qs8ConvTranspose.cpp)
// on every ISA against the reference interpreter: bit exact over strides,
// dilations, pads, output_padding, groups, per-channel weights, u8/s8 inputs,
// u8/s8/f32 results, NHWC and NCHW layouts.
#include "tests/kernels/XfmrHarness.h"

namespace qc::xfmrtest {
namespace {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;

struct Geometry {
  int64_t c, m, group, h, w, k;
  std::vector<int64_t> strides, pads, dilations, outputPadding;
};

void runCase(std::mt19937 &rng, const Geometry &g, ElemType tx, ElemType ty, bool perChannel,
             const std::vector<int> &perm) {
  Arg x;
  x.data = randomOf(rng, tx, {1, g.c, g.h, g.w});
  x.quant = perTensor(0.05, tx == ElemType::U8 ? 121 : -9);
  x.perm = perm;
  Arg w;
  int64_t mpg = g.m / g.group;
  w.data = randomInts(rng, ElemType::I8, {g.c, mpg, g.k, g.k}, -128, 127);
  w.constant = true;
  ir::QuantParams wq;
  if (perChannel) {
    wq.axis = 1;
    for (int64_t j = 0; j < mpg; ++j) {
      wq.scales.push_back(double(float(0.002 + 0.001 * double(j))));
      wq.zeroPoints.push_back(j % 3 - 1);
    }
  } else {
    wq = perTensor(0.004, 3);
  }
  w.quant = wq;
  Arg bias;
  bias.data = randomInts(rng, ElemType::I32, {g.m}, -3000, 3000);
  bias.constant = true;
  std::optional<ir::QuantParams> yq;
  if (ty != ElemType::F32)
    yq = perTensor(0.2, ty == ElemType::U8 ? 100 : 0);
  std::vector<std::pair<AttrName, ir::AttrValue>> attrs = {
      {AttrName::strides, g.strides},
      {AttrName::pads, g.pads},
      {AttrName::dilations, g.dilations},
      {AttrName::group, g.group},
      {AttrName::output_padding, g.outputPadding}};
  NodeRun r = makeNode(OpKind::QConvTranspose, {x, w, bias}, attrs, {yq}, {ty});
  r.resultPerms = {perm};
  expectAllIsasExact(r, "conv transpose c " + std::to_string(g.c) + " m " + std::to_string(g.m) +
                            " group " + std::to_string(g.group) + " " +
                            ir::elemTypeName(tx).str() + "->" + ir::elemTypeName(ty).str());
}

TEST(ConvTransposeKernels, Geometries) {
  std::mt19937 rng(31);
  const Geometry geometries[] = {
      {5, 7, 1, 4, 5, 3, {2, 2}, {1, 1, 1, 1}, {1, 1}, {1, 1}},
      {16, 8, 1, 6, 6, 2, {2, 2}, {0, 0, 0, 0}, {1, 1}, {0, 0}},
      {6, 4, 2, 5, 3, 3, {1, 2}, {0, 1, 2, 0}, {2, 1}, {0, 1}},
      {3, 3, 3, 4, 4, 4, {2, 2}, {1, 1, 1, 1}, {1, 1}, {0, 0}},
      {3, 300, 1, 2, 2, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, {0, 0}},
  };
  for (const Geometry &g : geometries)
    for (ElemType tx : {ElemType::U8, ElemType::I8})
      for (ElemType ty : {ElemType::U8, ElemType::I8, ElemType::F32})
        for (bool perChannel : {false, true})
          for (const auto &perm : {std::vector<int>{0, 2, 3, 1}, std::vector<int>{0, 1, 2, 3}})
            runCase(rng, g, tx, ty, perChannel, perm);
}

} // namespace
} // namespace qc::xfmrtest
