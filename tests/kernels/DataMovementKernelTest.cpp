// Data-movement kernels (codegen/kernels/Copy.cpp via codegen/emit/
// DataMovement.cpp) on every ISA against the reference interpreter: byte
// exact, NCHW and NHWC source (and result) layouts, elements of 1, 2, 4, 8
// bytes.
#include "runtime/ModelDesc.h"
#include "tests/kernels/XfmrHarness.h"

namespace qc::xfmrtest {
namespace {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;

const ElemType kTypes[] = {ElemType::U8, ElemType::I8, ElemType::I16, ElemType::F32,
                           ElemType::I64};
const std::vector<int> kNchw = {0, 1, 2, 3};
const std::vector<int> kNhwc = {0, 2, 3, 1};

std::string label(ElemType t, const std::vector<int> &in, const std::vector<int> &out) {
  auto p = [](const std::vector<int> &perm) {
    std::string s;
    for (int a : perm)
      s += std::to_string(a);
    return s;
  };
  return std::string(ir::elemTypeName(t)) + " in " + p(in) + " out " + p(out);
}

Arg act(ir::Tensor t, std::vector<int> perm = {}) {
  Arg a;
  a.data = std::move(t);
  a.perm = std::move(perm);
  return a;
}

Arg constInts(std::vector<int64_t> values, ElemType t = ElemType::I64) {
  Arg a;
  a.data = ir::Tensor::fromInts(t, {int64_t(values.size())}, values);
  a.constant = true;
  return a;
}

llvm::Expected<std::vector<codegen::KernelCall>> layoutCopyOnly(const codegen::EmitContext &c) {
  auto call = codegen::emitLayoutCopy(c.operands[0], c.results[0]);
  if (!call)
    return call.takeError();
  return std::vector<codegen::KernelCall>{std::move(*call)};
}

TEST(DataMovementKernels, LayoutCopyAllSizesAndLayouts) {
  std::mt19937 rng(1);
  const std::vector<std::vector<int64_t>> shapes = {
      {1, 3, 5, 7}, {1, 64, 56, 56}, {1, 17, 1, 1}, {1, 1, 9, 33}, {1, 35, 16, 16}};
  for (ElemType t : kTypes)
    for (const auto &shape : shapes)
      for (const auto &inPerm : {kNchw, kNhwc})
        for (const auto &outPerm : {kNchw, kNhwc}) {
          NodeRun r = makeNode(OpKind::Identity, {act(randomOf(rng, t, shape), inPerm)}, {});
          r.resultPerms = {outPerm};
          for (codegen::Isa isa : kAllIsas) {
            if (!isaSupported(isa))
              continue;
            auto got = runKernels(r, isa, &layoutCopyOnly);
            ASSERT_TRUE(bool(got)) << llvm::toString(got.takeError());
            expectIdentical(r.reference[0], (*got)[0],
                            label(t, inPerm, outPerm) + " " + codegen::isaName(isa).str());
          }
        }
}

TEST(DataMovementKernels, Transpose) {
  std::mt19937 rng(2);
  const std::vector<std::vector<int64_t>> perms = {{0, 2, 3, 1}, {0, 3, 1, 2}, {0, 2, 1, 3},
                                                   {3, 2, 1, 0}, {0, 1, 3, 2}};
  for (ElemType t : kTypes)
    for (const auto &perm : perms)
      for (const auto &inPerm : {kNchw, kNhwc}) {
        NodeRun r = makeNode(OpKind::Transpose, {act(randomOf(rng, t, {1, 19, 6, 21}), inPerm)},
                             {{AttrName::perm, perm}});
        for (const auto &outPerm : {kNchw, kNhwc}) {
          r.resultPerms = {outPerm};
          expectAllIsasExact(r, "transpose " + label(t, inPerm, outPerm));
        }
      }
  // Attention's [B, S, H, D] -> [B, H, S, D] and [B, H, D, S].
  for (ElemType t : {ElemType::U8, ElemType::F32}) {
    NodeRun r = makeNode(OpKind::Transpose, {act(randomOf(rng, t, {1, 65, 4, 24}))},
                         {{AttrName::perm, std::vector<int64_t>{0, 2, 3, 1}}});
    expectAllIsasExact(r, "attention transpose");
  }
}

TEST(DataMovementKernels, ReshapeFamily) {
  std::mt19937 rng(3);
  for (ElemType t : kTypes) {
    // NHWC rank 4 -> flat (classifier heads).
    for (const auto &inPerm : {kNchw, kNhwc}) {
      NodeRun r = makeNode(OpKind::Flatten, {act(randomOf(rng, t, {1, 12, 3, 5}), inPerm)},
                           {{AttrName::axis, int64_t(1)}});
      expectAllIsasExact(r, "flatten " + label(t, inPerm, {}));
      NodeRun s = makeNode(OpKind::Reshape,
                           {act(randomOf(rng, t, {1, 12, 3, 5}), inPerm),
                            constInts({1, 6, 2, 15})},
                           {});
      for (const auto &outPerm : {kNchw, kNhwc}) {
        s.resultPerms = {outPerm};
        expectAllIsasExact(s, "reshape " + label(t, inPerm, outPerm));
      }
    }
    NodeRun sq = makeNode(OpKind::Squeeze, {act(randomOf(rng, t, {1, 40, 1, 1}), kNhwc),
                                            constInts({2, 3})},
                          {});
    expectAllIsasExact(sq, "squeeze");
    NodeRun un = makeNode(OpKind::Unsqueeze, {act(randomOf(rng, t, {1, 7, 9})), constInts({2})},
                          {});
    un.resultPerms = {kNhwc};
    expectAllIsasExact(un, "unsqueeze to nhwc");
  }
}

TEST(DataMovementKernels, ConcatAndSplit) {
  std::mt19937 rng(4);
  for (ElemType t : kTypes)
    for (const auto &perm : {kNchw, kNhwc})
      for (int64_t axis : {1, 2, 3, -1}) {
        std::vector<int64_t> a = {1, 5, 6, 7}, b = {1, 5, 6, 7};
        int64_t ax = axis < 0 ? axis + 4 : axis;
        b[ax] = 3;
        NodeRun r = makeNode(OpKind::Concat,
                             {act(randomOf(rng, t, a), perm), act(randomOf(rng, t, b), perm),
                              act(randomOf(rng, t, a), kNchw)},
                             {{AttrName::axis, axis}});
        for (const auto &outPerm : {kNchw, kNhwc}) {
          r.resultPerms = {outPerm};
          expectAllIsasExact(r, "concat axis " + std::to_string(axis) + " " +
                                    label(t, perm, outPerm));
        }
        NodeRun s = makeNode(OpKind::Split,
                             {act(randomOf(rng, t, {1, 9, 9, 9}), perm), constInts({2, 5, 2})},
                             {{AttrName::axis, axis}}, {std::nullopt, std::nullopt, std::nullopt});
        s.resultPerms = {kNhwc, kNchw, kNhwc};
        expectAllIsasExact(s, "split axis " + std::to_string(axis) + " " + label(t, perm, {}));
      }
}

TEST(DataMovementKernels, Slice) {
  std::mt19937 rng(5);
  for (ElemType t : kTypes)
    for (const auto &perm : {kNchw, kNhwc}) {
      NodeRun r = makeNode(OpKind::Slice,
                           {act(randomOf(rng, t, {1, 10, 9, 13}), perm), constInts({1, -2, 12}),
                            constInts({9, 0, -100}), constInts({1, 2, 3}),
                            constInts({2, -3, -1})},
                           {});
      for (const auto &outPerm : {kNchw, kNhwc}) {
        r.resultPerms = {outPerm};
        expectAllIsasExact(r, "slice " + label(t, perm, outPerm));
      }
    }
}

TEST(DataMovementKernels, Gather) {
  std::mt19937 rng(6);
  for (ElemType t : kTypes)
    for (ElemType it : {ElemType::I64, ElemType::I32})
      for (int64_t axis : {0, 1, 2})
        for (bool constIdx : {true, false}) {
          ir::Tensor data = randomOf(rng, t, {7, 5, 3});
          int64_t extent = data.dims()[axis];
          ir::Tensor idx = randomInts(rng, it, {2, 3}, -extent, extent - 1);
          Arg indices = act(idx);
          indices.constant = constIdx;
          NodeRun r = makeNode(OpKind::Gather, {act(data), indices}, {{AttrName::axis, axis}});
          expectAllIsasExact(r, "gather axis " + std::to_string(axis));
        }
  // An embedding table: constant data, run-time ids.
  Arg table = act(randomOf(rng, ElemType::F32, {50, 16}));
  table.constant = true;
  NodeRun e = makeNode(OpKind::Gather, {table, act(randomInts(rng, ElemType::I64, {1, 9}, 0, 49))},
                       {{AttrName::axis, int64_t(0)}});
  expectAllIsasExact(e, "embedding gather");
}

// A run-time index outside [-extent, extent) is reported through the step's
// status word (and never read out of bounds: ASan runs this too); in-range
// ones leave it 0.
TEST(DataMovementKernels, GatherReportsIndicesOutOfRange) {
  std::mt19937 rng(16);
  Arg table = act(randomOf(rng, ElemType::F32, {50, 16}));
  table.constant = true;
  NodeRun r = makeNode(OpKind::Gather, {table, act(randomInts(rng, ElemType::I64, {1, 4}, 0, 49))},
                       {{AttrName::axis, int64_t(0)}});
  for (int64_t bad : {int64_t(50), int64_t(-51), int64_t(1) << 40, INT64_MIN}) {
    for (codegen::Isa isa : kAllIsas) {
      if (!isaSupported(isa))
        continue;
      int32_t status = -1;
      ASSERT_TRUE(bool(runKernels(r, isa, nullptr, nullptr, nullptr, &status)));
      EXPECT_EQ(status, QC_STEP_OK);
      int64_t good = r.args[1].data.getInt(2);
      r.args[1].data.setInt(2, bad);
      ASSERT_TRUE(bool(runKernels(r, isa, nullptr, nullptr, nullptr, &status)));
      EXPECT_EQ(status, QC_STEP_INDEX_OUT_OF_RANGE) << "index " << bad;
      auto strict = runKernels(r, isa);
      EXPECT_FALSE(bool(strict)) << "index " << bad;
      if (!strict)
        llvm::consumeError(strict.takeError());
      r.args[1].data.setInt(2, good);
    }
  }
}

TEST(DataMovementKernels, Pad) {
  std::mt19937 rng(7);
  for (ElemType t : kTypes)
    for (const auto &perm : {kNchw, kNhwc})
      for (std::string mode : {"constant", "edge", "reflect", "wrap"}) {
        Arg value = act(randomOf(rng, t, {}));
        value.constant = true;
        std::vector<Arg> args = {act(randomOf(rng, t, {1, 6, 7, 5}), perm),
                                 constInts({0, 1, 2, -1, 0, 0, 3, 2})};
        if (mode == "constant")
          args.push_back(value);
        NodeRun r = makeNode(OpKind::Pad, args, {{AttrName::mode, mode}});
        for (const auto &outPerm : {kNchw, kNhwc}) {
          r.resultPerms = {outPerm};
          expectAllIsasExact(r, "pad " + mode + " " + label(t, perm, outPerm));
        }
      }
}

TEST(DataMovementKernels, ResizeNearest) {
  std::mt19937 rng(8);
  struct Mode {
    std::string coord, nearest;
  };
  const Mode modes[] = {{"asymmetric", "floor"},
                        {"half_pixel", "round_prefer_floor"},
                        {"align_corners", "round_prefer_ceil"},
                        {"pytorch_half_pixel", "ceil"}};
  for (ElemType t : {ElemType::U8, ElemType::I8, ElemType::F32})
    for (const auto &perm : {kNchw, kNhwc})
      for (const Mode &m : modes)
        for (std::vector<float> scales :
             {std::vector<float>{1, 1, 2, 2}, std::vector<float>{1, 1, 0.6f, 1.7f}}) {
          Arg absent;
          absent.absent = true;
          Arg sc;
          sc.data = ir::Tensor(ElemType::F32, {4});
          std::memcpy(sc.data.raw(), scales.data(), 16);
          sc.constant = true;
          NodeRun r = makeNode(OpKind::Resize,
                               {act(randomOf(rng, t, {1, 5, 7, 6}), perm), absent, sc},
                               {{AttrName::mode, std::string("nearest")},
                                {AttrName::coordinate_transformation_mode, m.coord},
                                {AttrName::nearest_mode, m.nearest}});
          r.resultPerms = {kNhwc};
          expectAllIsasExact(r, "resize " + m.coord + " " + m.nearest + " " + label(t, perm, {}));
        }
}

TEST(DataMovementKernels, ExpandAndTile) {
  std::mt19937 rng(9);
  for (ElemType t : kTypes)
    for (const auto &perm : {kNchw, kNhwc}) {
      NodeRun e = makeNode(OpKind::Expand,
                           {act(randomOf(rng, t, {1, 3, 1, 5}), perm), constInts({1, 3, 4, 5})},
                           {});
      for (const auto &outPerm : {kNchw, kNhwc}) {
        e.resultPerms = {outPerm};
        expectAllIsasExact(e, "expand " + label(t, perm, outPerm));
      }
      NodeRun r = makeNode(OpKind::Tile,
                           {act(randomOf(rng, t, {1, 3, 4, 5}), perm), constInts({1, 2, 3, 1})},
                           {});
      for (const auto &outPerm : {kNchw, kNhwc}) {
        r.resultPerms = {outPerm};
        expectAllIsasExact(r, "tile " + label(t, perm, outPerm));
      }
    }
}

} // namespace
} // namespace qc::xfmrtest
