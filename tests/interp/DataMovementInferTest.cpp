// Shape-inference tests of the data-movement ops where operand values or
// extents are not known: symbolic dims flow through, unknown values give the
// best partial type (rank kept where possible), and quantization follows.
#include "tests/interp/DataMovementTester.h"

#include <limits>

using namespace qc;
using namespace qc::ir;
using qc::testing::errorOf;
using qc::testing::i64s;
using qc::testing::NodeTester;

namespace {

Dim sym(const char *name) { return Dim::symbol(name); }
const Dim kUnknown = Dim::unknown();

Type f32(std::vector<Dim> dims) { return Type(ElemType::F32, Shape(std::move(dims))); }
Type i64(std::vector<Dim> dims) { return Type(ElemType::I64, Shape(std::move(dims))); }

// Infers the node's single result type; on failure records the message.
Type inferOne(NodeTester &t) {
  auto types = t.infer();
  if (!types) {
    ADD_FAILURE() << llvm::toString(types.takeError());
    return Type();
  }
  EXPECT_EQ(types->size(), 1u);
  return types->empty() ? Type() : (*types)[0];
}

void expectInferError(NodeTester &t, const std::string &fragment) {
  std::string message = errorOf(t.infer());
  EXPECT_NE(message.find(fragment), std::string::npos)
      << "message: '" << message << "', expected to contain '" << fragment << "'";
}

TEST(DataMovementInfer, TransposeKeepsSymbols) {
  NodeTester reversed(OpKind::Transpose);
  reversed.inType(f32({sym("N"), 3, 4}));
  EXPECT_EQ(inferOne(reversed).shape, Shape({4, 3, sym("N")}));

  NodeTester perm(OpKind::Transpose);
  perm.inType(f32({sym("N"), 3, 4})).attr(AttrName::perm, std::vector<int64_t>{0, 2, 1});
  EXPECT_EQ(inferOne(perm).shape, Shape({sym("N"), 4, 3}));

  NodeTester unranked(OpKind::Transpose);
  unranked.inType(Type(ElemType::F32, Shape::unranked()))
      .attr(AttrName::perm, std::vector<int64_t>{1, 0});
  EXPECT_EQ(inferOne(unranked).shape, Shape({kUnknown, kUnknown}));

  NodeTester bad(OpKind::Transpose);
  bad.inType(f32({sym("N"), 3})).attr(AttrName::perm, std::vector<int64_t>{1, 1});
  expectInferError(bad, "perm [1, 1] is not a permutation of the 2 input dims");
}

TEST(DataMovementInfer, ReshapeWithUnknownAndSymbolicShapes) {
  // Shape value unknown, its length known: rank known, extents unknown.
  NodeTester unknown(OpKind::Reshape);
  unknown.inType(f32({sym("N"), 3, 4})).inType(i64({3}));
  Type t = inferOne(unknown);
  EXPECT_EQ(t.elem, ElemType::F32);
  EXPECT_EQ(t.shape, Shape({kUnknown, kUnknown, kUnknown}));

  NodeTester unranked(OpKind::Reshape);
  unranked.inType(f32({2, 3})).inType(i64({sym("k")}));
  EXPECT_FALSE(inferOne(unranked).shape.isRanked());

  // 0 copies the symbol; -1 cancels N against N and infers 12.
  NodeTester copy(OpKind::Reshape);
  copy.inType(f32({sym("N"), 3, 4})).in(i64s({0, -1}));
  EXPECT_EQ(inferOne(copy).shape, Shape({sym("N"), 12}));

  NodeTester cancel(OpKind::Reshape);
  cancel.inType(f32({sym("N"), 3, 4})).in(i64s({-1, 12}));
  EXPECT_EQ(inferOne(cancel).shape, Shape({sym("N"), 12}));

  NodeTester merged(OpKind::Reshape);
  merged.inType(f32({sym("N"), sym("S"), 4})).in(i64s({0, -1}));
  EXPECT_EQ(inferOne(merged).shape, Shape({sym("N"), kUnknown}));

  NodeTester mismatch(OpKind::Reshape);
  mismatch.inType(f32({sym("N"), 3, 4})).in(i64s({0, 5, -1}));
  expectInferError(mismatch, "cannot reshape Nx3x4 into shape [0, 5, -1]");
}

TEST(DataMovementInfer, FlattenProducts) {
  NodeTester batch(OpKind::Flatten);
  batch.inType(f32({sym("N"), 3, 4}));
  EXPECT_EQ(inferOne(batch).shape, Shape({sym("N"), 12}));

  NodeTester inner(OpKind::Flatten);
  inner.inType(f32({sym("N"), 3, 4})).attr(AttrName::axis, int64_t(2));
  EXPECT_EQ(inferOne(inner).shape, Shape({kUnknown, 4}));

  NodeTester zero(OpKind::Flatten);
  zero.inType(f32({sym("N"), 0, 4})).attr(AttrName::axis, int64_t(2));
  EXPECT_EQ(inferOne(zero).shape, Shape({0, 4}));
}

TEST(DataMovementInfer, ConcatSymbolicAxisGivesUnknown) {
  NodeTester alongN(OpKind::Concat);
  alongN.inType(f32({sym("N"), 3})).inType(f32({sym("N"), 3})).attr(AttrName::axis, int64_t(0));
  EXPECT_EQ(inferOne(alongN).shape, Shape({kUnknown, 3}));

  NodeTester alongC(OpKind::Concat);
  alongC.inType(f32({sym("N"), 3})).inType(f32({sym("N"), 5})).attr(AttrName::axis, int64_t(-1));
  EXPECT_EQ(inferOne(alongC).shape, Shape({sym("N"), 8}));

  // A static extent beats a symbol on the other axes.
  NodeTester mixed(OpKind::Concat);
  mixed.inType(f32({sym("N"), 3})).inType(f32({2, 5})).attr(AttrName::axis, int64_t(1));
  EXPECT_EQ(inferOne(mixed).shape, Shape({2, 8}));

  NodeTester rank(OpKind::Concat);
  rank.inType(f32({sym("N"), 3})).inType(f32({3})).attr(AttrName::axis, int64_t(0));
  expectInferError(rank, "input 1 has rank 1, input of shape Nx3 has rank 2");
}

TEST(DataMovementInfer, SqueezeUnsqueeze) {
  NodeTester squeeze(OpKind::Squeeze);
  squeeze.inType(f32({sym("N"), 1, 3})).in(i64s({1}));
  EXPECT_EQ(inferOne(squeeze).shape, Shape({sym("N"), 3}));

  // Without axes a symbolic extent may or may not be 1: rank unknown.
  NodeTester all(OpKind::Squeeze);
  all.inType(f32({sym("N"), 1, 3}));
  EXPECT_FALSE(inferOne(all).shape.isRanked());

  NodeTester unknownAxes(OpKind::Squeeze);
  unknownAxes.inType(f32({sym("N"), 1, 3})).inType(i64({1}));
  EXPECT_EQ(inferOne(unknownAxes).shape, Shape({kUnknown, kUnknown}));

  NodeTester unsqueeze(OpKind::Unsqueeze);
  unsqueeze.inType(f32({sym("N"), 3})).in(i64s({0}));
  EXPECT_EQ(inferOne(unsqueeze).shape, Shape({1, sym("N"), 3}));

  NodeTester unknown(OpKind::Unsqueeze);
  unknown.inType(f32({sym("N"), 3})).inType(i64({2}));
  EXPECT_EQ(inferOne(unknown).shape, Shape({kUnknown, kUnknown, kUnknown, kUnknown}));
}

TEST(DataMovementInfer, SliceKnownAndUnknownBounds) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // 0..INT64_MAX by 1 keeps a symbolic extent.
  NodeTester full(OpKind::Slice);
  full.inType(f32({sym("N"), 8})).in(i64s({0, 2})).in(i64s({kMax, 6}));
  EXPECT_EQ(inferOne(full).shape, Shape({sym("N"), 4}));

  NodeTester partial(OpKind::Slice);
  partial.inType(f32({sym("N"), 8})).in(i64s({1})).in(i64s({kMax}));
  EXPECT_EQ(inferOne(partial).shape, Shape({kUnknown, 8}));

  // Bounds unknown, axes known: only the listed axis is unknown.
  NodeTester axes(OpKind::Slice);
  axes.inType(f32({sym("N"), 8})).inType(i64({1})).inType(i64({1})).in(i64s({-1}));
  EXPECT_EQ(inferOne(axes).shape, Shape({sym("N"), kUnknown}));

  // No axes, starts of length 1: axis 0 only.
  NodeTester prefix(OpKind::Slice);
  prefix.inType(f32({4, 8})).inType(i64({1})).inType(i64({1}));
  EXPECT_EQ(inferOne(prefix).shape, Shape({kUnknown, 8}));
}

TEST(DataMovementInfer, GatherSplitTilePadExpand) {
  NodeTester gather(OpKind::Gather);
  gather.inType(f32({sym("N"), 5})).inType(i64({2, 3})).attr(AttrName::axis, int64_t(1));
  EXPECT_EQ(inferOne(gather).shape, Shape({sym("N"), 2, 3}));

  NodeTester split(OpKind::Split, 2);
  split.inType(f32({sym("N"), 6})).attr(AttrName::axis, int64_t(1));
  auto types = split.infer();
  ASSERT_TRUE(bool(types)) << llvm::toString(types.takeError());
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[0].shape, Shape({sym("N"), 3}));
  EXPECT_EQ((*types)[1].shape, Shape({sym("N"), 3}));

  NodeTester splitN(OpKind::Split, 2);
  splitN.inType(f32({sym("N"), 6}));
  types = splitN.infer();
  ASSERT_TRUE(bool(types)) << llvm::toString(types.takeError());
  EXPECT_EQ((*types)[1].shape, Shape({kUnknown, 6}));

  NodeTester splitSum(OpKind::Split, 2);
  splitSum.inType(f32({sym("N"), 6})).in(i64s({2, 3})).attr(AttrName::axis, int64_t(1));
  expectInferError(splitSum, "split sizes [2, 3] sum to 5, but axis 1 has extent 6");

  NodeTester tile(OpKind::Tile);
  tile.inType(f32({sym("N"), 3})).in(i64s({1, 2}));
  EXPECT_EQ(inferOne(tile).shape, Shape({sym("N"), 6}));
  NodeTester tileUnknown(OpKind::Tile);
  tileUnknown.inType(f32({sym("N"), 3})).inType(i64({2}));
  EXPECT_EQ(inferOne(tileUnknown).shape, Shape({kUnknown, kUnknown}));

  NodeTester pad(OpKind::Pad);
  pad.inType(f32({sym("N"), 3})).in(i64s({0, 1, 0, 1}));
  EXPECT_EQ(inferOne(pad).shape, Shape({sym("N"), 5}));
  NodeTester padUnknown(OpKind::Pad);
  padUnknown.inType(f32({sym("N"), 3})).inType(i64({2})).absent().in(i64s({1}));
  EXPECT_EQ(inferOne(padUnknown).shape, Shape({sym("N"), kUnknown}));

  NodeTester expand(OpKind::Expand);
  expand.inType(f32({sym("N"), 1})).in(i64s({1, 5}));
  EXPECT_EQ(inferOne(expand).shape, Shape({sym("N"), 5}));
  // Unknown target of length 3: the static non-1 extent survives.
  NodeTester expandUnknown(OpKind::Expand);
  expandUnknown.inType(f32({4, 1})).inType(i64({3}));
  EXPECT_EQ(inferOne(expandUnknown).shape, Shape({kUnknown, 4, kUnknown}));
}

TEST(DataMovementInfer, ShapeConstantOfShapeRange) {
  NodeTester shape(OpKind::Shape);
  shape.inType(f32({sym("N"), 3}));
  EXPECT_EQ(inferOne(shape), i64({2}));
  NodeTester shapeUnranked(OpKind::Shape);
  shapeUnranked.inType(Type(ElemType::F32, Shape::unranked()));
  EXPECT_EQ(inferOne(shapeUnranked), i64({kUnknown}));

  NodeTester cos(OpKind::ConstantOfShape);
  cos.inType(i64({3}));
  EXPECT_EQ(inferOne(cos), f32({kUnknown, kUnknown, kUnknown}));
  NodeTester cosBad(OpKind::ConstantOfShape);
  cosBad.inType(Type(ElemType::F32, Shape({2})));
  expectInferError(cosBad, "shape must be an integer tensor, got f32");

  NodeTester range(OpKind::Range);
  range.inType(Type(ElemType::I32, Shape())).inType(Type(ElemType::I32, Shape()))
      .inType(Type(ElemType::I32, Shape()));
  EXPECT_EQ(inferOne(range), Type(ElemType::I32, Shape({kUnknown})));
}

TEST(DataMovementInfer, QuantizationFollowsTheData) {
  QuantParams perTensor{{0.5}, {3}, std::nullopt, 0};
  QuantParams perAxis{{0.5, 0.25, 0.125}, {0, 0, 0}, 1, 0};
  Type tensorQ(ElemType::I8, Shape({2, 3, 4}));
  tensorQ.quant = perTensor;
  Type axisQ(ElemType::I8, Shape({2, 3, 4}));
  axisQ.quant = perAxis;

  NodeTester reshape(OpKind::Reshape);
  reshape.inType(tensorQ).in(i64s({6, 4}));
  EXPECT_EQ(inferOne(reshape).quant, perTensor);
  NodeTester reshapeAxis(OpKind::Reshape);
  reshapeAxis.inType(axisQ).in(i64s({6, 4}));
  EXPECT_FALSE(inferOne(reshapeAxis).quant.has_value());

  // Transpose moves the quantized axis: input axis 1 lands at position 2.
  NodeTester transpose(OpKind::Transpose);
  transpose.inType(axisQ).attr(AttrName::perm, std::vector<int64_t>{0, 2, 1});
  std::optional<QuantParams> q = inferOne(transpose).quant;
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->axis, std::optional<int64_t>(2));
  EXPECT_EQ(q->scales, perAxis.scales);

  NodeTester unsqueeze(OpKind::Unsqueeze);
  unsqueeze.inType(axisQ).in(i64s({0}));
  q = inferOne(unsqueeze).quant;
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->axis, std::optional<int64_t>(2));

  // Slicing the quantized axis would need fewer scales: dropped.
  NodeTester slice(OpKind::Slice);
  slice.inType(axisQ).in(i64s({1})).in(i64s({2})).in(i64s({1}));
  EXPECT_FALSE(inferOne(slice).quant.has_value());

  NodeTester shape(OpKind::Shape);
  shape.inType(tensorQ);
  EXPECT_FALSE(inferOne(shape).quant.has_value());
}

} // namespace
