// Reference-kernel tests of the data-movement ops: hand-computed cases and
// the ONNX spec's examples, edge cases (negative axes and indices, clamping,
// crops, empty extents, every element type) and the errors each op reports.
#include "tests/interp/DataMovementTester.h"

#include <limits>

using namespace qc;
using namespace qc::ir;
using qc::testing::NodeTester;
using qc::testing::doublesOf;
using qc::testing::errorOf;
using qc::testing::f32s;
using qc::testing::floatsOf;
using qc::testing::i64s;
using qc::testing::intsOf;
using qc::testing::iota;

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// Runs the node; on failure records the message and returns no results.
std::vector<Tensor> runOk(NodeTester &t) {
  auto results = t.run();
  if (!results) {
    ADD_FAILURE() << llvm::toString(results.takeError());
    return {};
  }
  return std::move(*results);
}

// Runs the node expecting exactly one result.
Tensor runOne(NodeTester &t) {
  std::vector<Tensor> r = runOk(t);
  EXPECT_EQ(r.size(), 1u);
  return r.empty() ? Tensor() : r[0];
}

// Expects the node to fail with a message containing `fragment`.
void expectError(NodeTester &t, const std::string &fragment) {
  std::string message = errorOf(t.run());
  EXPECT_NE(message.find(fragment), std::string::npos)
      << "message: '" << message << "', expected to contain '" << fragment << "'";
}

using Dims = std::vector<int64_t>;
using Ints = std::vector<int64_t>;
using Floats = std::vector<float>;

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

TEST(ConcatKernel, JoinsAlongInnerAxis) {
  NodeTester t(OpKind::Concat);
  t.in(f32s({2, 2}, {1, 2, 3, 4})).in(f32s({2, 1}, {5, 6})).attr(AttrName::axis, int64_t(1));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{2, 3}));
  EXPECT_EQ(floatsOf(y), (Floats{1, 2, 5, 3, 4, 6}));
}

TEST(ConcatKernel, NegativeAxisAndEmptyInput) {
  NodeTester t(OpKind::Concat);
  t.in(Tensor::fromInts(ElemType::I8, {1, 2}, {-1, 2}))
      .in(Tensor(ElemType::I8, {0, 2}))
      .in(Tensor::fromInts(ElemType::I8, {2, 2}, {3, -4, 5, 6}))
      .attr(AttrName::axis, int64_t(-2));
  Tensor y = runOne(t);
  EXPECT_EQ(y.elemType(), ElemType::I8);
  EXPECT_EQ(y.dims(), (Dims{3, 2}));
  EXPECT_EQ(intsOf(y), (Ints{-1, 2, 3, -4, 5, 6}));
}

TEST(ConcatKernel, Errors) {
  NodeTester mismatch(OpKind::Concat);
  mismatch.in(f32s({2, 2}, {1, 2, 3, 4})).in(f32s({3, 1}, {5, 6, 7}))
      .attr(AttrName::axis, int64_t(1));
  expectError(mismatch, "does not match shape 2x2 outside axis 1");

  NodeTester badAxis(OpKind::Concat);
  badAxis.in(f32s({2}, {1, 2})).in(f32s({1}, {3})).attr(AttrName::axis, int64_t(1));
  expectError(badAxis, "axis 1 is out of range for rank 1");

  NodeTester noAxis(OpKind::Concat);
  noAxis.in(f32s({2}, {1, 2})).in(f32s({1}, {3}));
  expectError(noAxis, "the axis attribute is required");

  NodeTester types(OpKind::Concat);
  types.in(f32s({1}, {1})).in(i64s({2})).attr(AttrName::axis, int64_t(0));
  expectError(types, "input 1 has element type i64, input 0 has f32");

  NodeTester scalars(OpKind::Concat);
  scalars.in(Tensor::scalarFloat(ElemType::F32, 1)).in(Tensor::scalarFloat(ElemType::F32, 2))
      .attr(AttrName::axis, int64_t(0));
  expectError(scalars, "cannot concatenate scalars");
}

//===----------------------------------------------------------------------===//
// Split
//===----------------------------------------------------------------------===//

TEST(SplitKernel, SizesFromInput) {
  NodeTester t(OpKind::Split, 2);
  t.in(f32s({2, 3}, {1, 2, 3, 4, 5, 6})).in(i64s({1, 2})).attr(AttrName::axis, int64_t(1));
  std::vector<Tensor> r = runOk(t);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].dims(), (Dims{2, 1}));
  EXPECT_EQ(floatsOf(r[0]), (Floats{1, 4}));
  EXPECT_EQ(r[1].dims(), (Dims{2, 2}));
  EXPECT_EQ(floatsOf(r[1]), (Floats{2, 3, 5, 6}));
}

TEST(SplitKernel, NumOutputsLastChunkSmaller) {
  // Opset 18: 7 into 3 gives chunks of ceil(7/3) = 3, the last of 1.
  NodeTester t(OpKind::Split, 3);
  t.in(iota(ElemType::I32, {7})).attr(AttrName::num_outputs, int64_t(3));
  std::vector<Tensor> r = runOk(t);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(intsOf(r[0]), (Ints{0, 1, 2}));
  EXPECT_EQ(intsOf(r[1]), (Ints{3, 4, 5}));
  EXPECT_EQ(intsOf(r[2]), (Ints{6}));
}

TEST(SplitKernel, EqualPartsIntoResultsAndZeroSizes) {
  NodeTester t(OpKind::Split, 3);
  t.in(iota(ElemType::U8, {2, 3})).attr(AttrName::axis, int64_t(-1));
  std::vector<Tensor> r = runOk(t);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(intsOf(r[0]), (Ints{0, 3}));
  EXPECT_EQ(intsOf(r[1]), (Ints{1, 4}));
  EXPECT_EQ(intsOf(r[2]), (Ints{2, 5}));

  NodeTester zero(OpKind::Split, 2);
  zero.in(iota(ElemType::F32, {3})).in(i64s({0, 3}));
  r = runOk(zero);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].dims(), (Dims{0}));
  EXPECT_EQ(floatsOf(r[1]), (Floats{0, 1, 2}));
}

TEST(SplitKernel, Errors) {
  NodeTester sum(OpKind::Split, 2);
  sum.in(iota(ElemType::F32, {3})).in(i64s({1, 1}));
  expectError(sum, "split sizes [1, 1] sum to 2, but axis 0 has extent 3");

  NodeTester count(OpKind::Split, 2);
  count.in(iota(ElemType::F32, {4})).attr(AttrName::num_outputs, int64_t(3));
  expectError(count, "num_outputs is 3 but the node has 2 results");

  NodeTester uneven(OpKind::Split, 3);
  uneven.in(iota(ElemType::F32, {4}));
  expectError(uneven, "axis 0 of extent 4 cannot be split into 3 equal parts");

  NodeTester both(OpKind::Split, 2);
  both.in(iota(ElemType::F32, {4})).in(i64s({2, 2})).attr(AttrName::num_outputs, int64_t(2));
  expectError(both, "either the split input or num_outputs");

  NodeTester negative(OpKind::Split, 2);
  negative.in(iota(ElemType::F32, {4})).in(i64s({5, -1}));
  expectError(negative, "split size -1 of result 1 is negative");

  // 5 into 4: chunks of ceil(5/4) = 2 leave -1 for the last.
  NodeTester tooFew(OpKind::Split, 4);
  tooFew.in(iota(ElemType::F32, {5})).attr(AttrName::num_outputs, int64_t(4));
  expectError(tooFew, "axis 0 of extent 5 cannot be split into 4 chunks of 2");
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

TEST(SliceKernel, OnnxSpecExamples) {
  Tensor data = f32s({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  NodeTester stepped(OpKind::Slice);
  stepped.in(data).in(i64s({1, 0})).in(i64s({2, 3})).in(i64s({0, 1})).in(i64s({1, 2}));
  Tensor y = runOne(stepped);
  EXPECT_EQ(y.dims(), (Dims{1, 2}));
  EXPECT_EQ(floatsOf(y), (Floats{5, 7}));

  // Default axes and steps; ends past the extent clamp, -1 counts from the end.
  NodeTester clamped(OpKind::Slice);
  clamped.in(data).in(i64s({0, 1})).in(i64s({-1, 1000}));
  y = runOne(clamped);
  EXPECT_EQ(y.dims(), (Dims{1, 3}));
  EXPECT_EQ(floatsOf(y), (Floats{2, 3, 4}));
}

TEST(SliceKernel, NegativeStepsAndExtremeEnds) {
  NodeTester back(OpKind::Slice);
  back.in(iota(ElemType::I64, {10})).in(i64s({8})).in(i64s({1})).in(i64s({0})).in(i64s({-3}));
  EXPECT_EQ(intsOf(runOne(back)), (Ints{8, 5, 2}));

  NodeTester reversed(OpKind::Slice);
  reversed.in(iota(ElemType::I64, {4})).in(i64s({-1})).in(i64s({kInt64Min})).absent()
      .in(i64s({-1}));
  EXPECT_EQ(intsOf(runOne(reversed)), (Ints{3, 2, 1, 0}));

  NodeTester toEnd(OpKind::Slice);
  toEnd.in(iota(ElemType::I64, {5})).in(i64s({2})).in(i64s({kInt64Max}));
  EXPECT_EQ(intsOf(runOne(toEnd)), (Ints{2, 3, 4}));

  // Start past the end with a negative step clamps to the last element.
  NodeTester past(OpKind::Slice);
  past.in(iota(ElemType::I64, {5})).in(i64s({100})).in(i64s({2})).absent().in(i64s({-2}));
  EXPECT_EQ(intsOf(runOne(past)), (Ints{4}));
}

TEST(SliceKernel, NegativeAxesEmptyResultAndI32Indices) {
  NodeTester t(OpKind::Slice);
  t.in(iota(ElemType::I16, {2, 4}))
      .in(Tensor::fromInts(ElemType::I32, {1}, {1}))
      .in(Tensor::fromInts(ElemType::I32, {1}, {3}))
      .in(Tensor::fromInts(ElemType::I32, {1}, {-1}));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{2, 2}));
  EXPECT_EQ(intsOf(y), (Ints{1, 2, 5, 6}));

  NodeTester empty(OpKind::Slice);
  empty.in(iota(ElemType::F32, {3, 2})).in(i64s({20})).in(i64s({30}));
  EXPECT_EQ(runOne(empty).dims(), (Dims{0, 2}));
}

TEST(SliceKernel, Errors) {
  Tensor data = iota(ElemType::F32, {2, 3});
  NodeTester zeroStep(OpKind::Slice);
  zeroStep.in(data).in(i64s({0})).in(i64s({1})).in(i64s({1})).in(i64s({0}));
  expectError(zeroStep, "step for axis 1 is 0");

  NodeTester dup(OpKind::Slice);
  dup.in(data).in(i64s({0, 0})).in(i64s({1, 1})).in(i64s({1, -1}));
  expectError(dup, "axes names axis 1 twice");

  NodeTester range(OpKind::Slice);
  range.in(data).in(i64s({0})).in(i64s({1})).in(i64s({2}));
  expectError(range, "axes value 2 is out of range for rank 2");

  NodeTester lengths(OpKind::Slice);
  lengths.in(data).in(i64s({0, 0})).in(i64s({1}));
  expectError(lengths, "starts has 2 values but ends has 1");

  NodeTester floatStarts(OpKind::Slice);
  floatStarts.in(data).in(f32s({1}, {0})).in(i64s({1}));
  expectError(floatStarts, "starts must be an integer tensor, got f32");
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

TEST(GatherKernel, OnnxSpecExampleAxis0) {
  NodeTester t(OpKind::Gather);
  t.in(f32s({3, 2}, {1.0, 1.2, 2.3, 3.4, 4.5, 5.7}))
      .in(Tensor::fromInts(ElemType::I64, {2, 2}, {0, 1, 1, 2}));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{2, 2, 2}));
  EXPECT_EQ(floatsOf(y), (Floats{1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f}));
}

TEST(GatherKernel, Axis1NegativeIndicesAndScalarIndex) {
  NodeTester t(OpKind::Gather);
  t.in(f32s({3, 3}, {1.0, 1.2, 1.9, 2.3, 3.4, 3.9, 4.5, 5.7, 5.9}))
      .in(Tensor::fromInts(ElemType::I32, {1, 2}, {0, -1}))
      .attr(AttrName::axis, int64_t(1));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{3, 1, 2}));
  EXPECT_EQ(floatsOf(y), (Floats{1.0f, 1.9f, 2.3f, 3.9f, 4.5f, 5.9f}));

  NodeTester scalar(OpKind::Gather);
  scalar.in(iota(ElemType::Bool, {3, 2})).in(Tensor::scalarInt(ElemType::I64, 0))
      .attr(AttrName::axis, int64_t(-1));
  y = runOne(scalar);
  EXPECT_EQ(y.dims(), (Dims{3}));
  EXPECT_EQ(intsOf(y), (Ints{0, 1, 1})); // bool iota: 0, then non-zero as 1
}

TEST(GatherKernel, Errors) {
  // Known indices are checked by inference; the kernel checks at run time.
  NodeTester inferred(OpKind::Gather);
  inferred.in(iota(ElemType::F32, {3})).in(i64s({1, 3}));
  expectError(inferred, "index 3 is out of range for axis 0 of extent 3");

  NodeTester kernel(OpKind::Gather);
  kernel.in(iota(ElemType::F32, {3})).in(i64s({-4}));
  std::string message = errorOf(kernel.runKernel(interp::kernels::evalGather,
                                                 {Type(ElemType::F32, Shape({1}))}));
  EXPECT_NE(message.find("index -4 (element 0 of indices) is out of range for axis 0 of "
                         "extent 3"),
            std::string::npos)
      << message;

  NodeTester floatIndices(OpKind::Gather);
  floatIndices.in(iota(ElemType::F32, {3})).in(f32s({1}, {0}));
  expectError(floatIndices, "indices must be i32 or i64, got f32");

  NodeTester axis(OpKind::Gather);
  axis.in(iota(ElemType::F32, {3})).in(i64s({0})).attr(AttrName::axis, int64_t(1));
  expectError(axis, "axis 1 is out of range for rank 1");
}

//===----------------------------------------------------------------------===//
// Reshape, Flatten
//===----------------------------------------------------------------------===//

TEST(ReshapeKernel, InferredAndCopiedDims) {
  NodeTester t(OpKind::Reshape);
  t.in(iota(ElemType::I32, {2, 3, 4})).in(i64s({4, -1}));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{4, 6}));
  EXPECT_EQ(y.getInt(23), 23);
  EXPECT_EQ(y.getInt(7), 7);

  NodeTester copy(OpKind::Reshape);
  copy.in(iota(ElemType::I32, {2, 3, 4})).in(i64s({0, -1}));
  EXPECT_EQ(runOne(copy).dims(), (Dims{2, 12}));

  // allowzero: 0 is a real extent (ONNX test_reshape_allowzero_reordered).
  NodeTester zero(OpKind::Reshape);
  zero.in(Tensor(ElemType::F32, {0, 3, 4})).in(i64s({3, 4, 0}))
      .attr(AttrName::allowzero, int64_t(1));
  EXPECT_EQ(runOne(zero).dims(), (Dims{3, 4, 0}));
}

TEST(ReshapeKernel, Errors) {
  Tensor data = iota(ElemType::F32, {2, 3});
  NodeTester count(OpKind::Reshape);
  count.in(data).in(i64s({5}));
  expectError(count, "cannot reshape 2x3 into shape [5]");

  NodeTester indivisible(OpKind::Reshape);
  indivisible.in(data).in(i64s({4, -1}));
  expectError(indivisible, "cannot reshape 2x3 into shape [4, -1]");

  NodeTester twoInferred(OpKind::Reshape);
  twoInferred.in(data).in(i64s({-1, -1}));
  expectError(twoInferred, "has more than one -1");

  NodeTester invalid(OpKind::Reshape);
  invalid.in(data).in(i64s({-2, -3}));
  expectError(invalid, "shape value -2 is invalid");

  NodeTester zeroAndInferred(OpKind::Reshape);
  zeroAndInferred.in(data).in(i64s({0, -1})).attr(AttrName::allowzero, int64_t(1));
  expectError(zeroAndInferred, "has both 0 (with allowzero) and -1");

  NodeTester copyPastRank(OpKind::Reshape);
  copyPastRank.in(data).in(i64s({6, 1, 0}));
  expectError(copyPastRank, "copies dim 2 (0), but the input has rank 2");
}

TEST(FlattenKernel, AxesIncludingEnds) {
  struct Case {
    int64_t axis;
    Dims expected;
  } cases[] = {{2, {6, 4}}, {0, {1, 24}}, {-1, {6, 4}}, {3, {24, 1}}, {-3, {1, 24}}};
  for (const Case &c : cases) {
    NodeTester t(OpKind::Flatten);
    t.in(iota(ElemType::F16, {2, 3, 4})).attr(AttrName::axis, c.axis);
    Tensor y = runOne(t);
    EXPECT_EQ(y.dims(), c.expected) << "axis " << c.axis;
    EXPECT_EQ(y.getDouble(17), 17.0);
  }
  NodeTester bad(OpKind::Flatten);
  bad.in(iota(ElemType::F32, {2, 3, 4})).attr(AttrName::axis, int64_t(4));
  expectError(bad, "axis 4 is out of range for rank 3");
  NodeTester badNegative(OpKind::Flatten);
  badNegative.in(iota(ElemType::F32, {2, 3, 4})).attr(AttrName::axis, int64_t(-4));
  expectError(badNegative, "axis -4 is out of range for rank 3");
}

//===----------------------------------------------------------------------===//
// Transpose, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

TEST(TransposeKernel, DefaultReversesAndPerm) {
  NodeTester t(OpKind::Transpose);
  t.in(f32s({2, 3}, {1, 2, 3, 4, 5, 6}));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{3, 2}));
  EXPECT_EQ(floatsOf(y), (Floats{1, 4, 2, 5, 3, 6}));

  // out[a][b][c] = in[b][c][a] with in[i][j][k] = 4i + 2j + k.
  NodeTester perm(OpKind::Transpose);
  perm.in(iota(ElemType::I64, {2, 2, 2})).attr(AttrName::perm, std::vector<int64_t>{2, 0, 1});
  EXPECT_EQ(intsOf(runOne(perm)), (Ints{0, 2, 4, 6, 1, 3, 5, 7}));
}

TEST(TransposeKernel, EveryElementTypeMovesBitExactly) {
  for (ElemType type : {ElemType::F32, ElemType::F64, ElemType::F16, ElemType::BF16,
                        ElemType::I4, ElemType::U4, ElemType::I8, ElemType::U8, ElemType::I16,
                        ElemType::U16, ElemType::I32, ElemType::U32, ElemType::I64,
                        ElemType::U64, ElemType::Bool}) {
    // Distinct values in range for every type (bool: 0/1).
    Ints values = type == ElemType::Bool ? Ints{0, 1, 1, 0, 0, 1} : Ints{1, 2, 3, 4, 5, 6};
    if (type == ElemType::I4)
      values = {-8, -1, 0, 3, 5, 7};
    NodeTester t(OpKind::Transpose);
    t.in(Tensor::fromInts(type, {2, 3}, values));
    Tensor y = runOne(t);
    EXPECT_EQ(y.elemType(), type);
    Ints expected = {values[0], values[3], values[1], values[4], values[2], values[5]};
    EXPECT_EQ(intsOf(y), expected) << elemTypeName(type).str();
  }
}

TEST(TransposeKernel, Errors) {
  Tensor data = iota(ElemType::F32, {2, 3});
  for (std::vector<int64_t> perm :
       {std::vector<int64_t>{0, 0}, std::vector<int64_t>{0}, std::vector<int64_t>{0, 2},
        std::vector<int64_t>{-1, 0}}) {
    NodeTester t(OpKind::Transpose);
    t.in(data).attr(AttrName::perm, perm);
    expectError(t, "is not a permutation of the 2 input dims");
  }
}

TEST(SqueezeKernel, ListedAllAndNegativeAxes) {
  Tensor data = iota(ElemType::U16, {1, 3, 1, 2});
  NodeTester listed(OpKind::Squeeze);
  listed.in(data).in(i64s({0, 2}));
  Tensor y = runOne(listed);
  EXPECT_EQ(y.dims(), (Dims{3, 2}));
  EXPECT_EQ(intsOf(y), (Ints{0, 1, 2, 3, 4, 5}));

  NodeTester all(OpKind::Squeeze);
  all.in(data);
  EXPECT_EQ(runOne(all).dims(), (Dims{3, 2}));

  NodeTester negative(OpKind::Squeeze);
  negative.in(data).in(i64s({-2}));
  EXPECT_EQ(runOne(negative).dims(), (Dims{1, 3, 2}));

  NodeTester notOne(OpKind::Squeeze);
  notOne.in(data).in(i64s({1}));
  expectError(notOne, "cannot squeeze axis 1 of extent 3");
  NodeTester range(OpKind::Squeeze);
  range.in(data).in(i64s({4}));
  expectError(range, "axes value 4 is out of range for rank 4");
}

TEST(UnsqueezeKernel, SortedUnsortedAndNegativeAxes) {
  Tensor data = iota(ElemType::F32, {3, 2});
  NodeTester sorted(OpKind::Unsqueeze);
  sorted.in(data).in(i64s({0, 3}));
  Tensor y = runOne(sorted);
  EXPECT_EQ(y.dims(), (Dims{1, 3, 2, 1}));
  EXPECT_EQ(floatsOf(y), (Floats{0, 1, 2, 3, 4, 5}));

  NodeTester unsorted(OpKind::Unsqueeze);
  unsorted.in(data).in(i64s({3, 0}));
  EXPECT_EQ(runOne(unsorted).dims(), (Dims{1, 3, 2, 1}));

  // Negative axes count in the result's rank (4 here): -1 is the last.
  NodeTester negative(OpKind::Unsqueeze);
  negative.in(data).in(i64s({-1, 1}));
  EXPECT_EQ(runOne(negative).dims(), (Dims{3, 1, 2, 1}));

  NodeTester dup(OpKind::Unsqueeze);
  dup.in(data).in(i64s({1, 1}));
  expectError(dup, "axes names axis 1 twice");
  NodeTester range(OpKind::Unsqueeze);
  range.in(data).in(i64s({3}));
  expectError(range, "axes value 3 is out of range for rank 3");
}

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

TEST(PadKernel, OnnxSpecModes) {
  Tensor data = f32s({3, 2}, {1.0, 1.2, 2.3, 3.4, 4.5, 5.7});
  struct Case {
    const char *mode;
    Floats expected;
  } cases[] = {
      {"constant", {0, 0, 1.0f, 1.2f, 0, 0, 2.3f, 3.4f, 0, 0, 4.5f, 5.7f}},
      {"reflect", {1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f}},
      {"edge", {1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f}},
  };
  for (const Case &c : cases) {
    NodeTester t(OpKind::Pad);
    t.in(data).in(i64s({0, 2, 0, 0})).attr(AttrName::mode, std::string(c.mode));
    Tensor y = runOne(t);
    EXPECT_EQ(y.dims(), (Dims{3, 4})) << c.mode;
    EXPECT_EQ(floatsOf(y), c.expected) << c.mode;
  }
  // The wrap example of opset 19.
  NodeTester wrap(OpKind::Pad);
  wrap.in(data).in(i64s({2, 1, 1, 1})).attr(AttrName::mode, std::string("wrap"));
  Tensor y = runOne(wrap);
  EXPECT_EQ(y.dims(), (Dims{6, 4}));
  Floats r0 = {1.2f, 1.0f, 1.2f, 1.0f}, r1 = {3.4f, 2.3f, 3.4f, 2.3f},
         r2 = {5.7f, 4.5f, 5.7f, 4.5f};
  Floats expected;
  for (const Floats *row : {&r1, &r2, &r0, &r1, &r2, &r0})
    expected.insert(expected.end(), row->begin(), row->end());
  EXPECT_EQ(floatsOf(y), expected);
}

TEST(PadKernel, NegativePadsCropBeforePadding) {
  Tensor data = Tensor::fromInts(ElemType::I32, {5}, {1, 2, 3, 4, 5});
  NodeTester constant(OpKind::Pad);
  constant.in(data).in(i64s({-1, 2})).in(Tensor::scalarInt(ElemType::I32, 9));
  EXPECT_EQ(intsOf(runOne(constant)), (Ints{2, 3, 4, 5, 9, 9}));

  // edge and reflect read the cropped range [1, 2, 3] / [3, 4, 5].
  NodeTester edge(OpKind::Pad);
  edge.in(data).in(i64s({2, -2})).attr(AttrName::mode, std::string("edge"));
  EXPECT_EQ(intsOf(runOne(edge)), (Ints{1, 1, 1, 2, 3}));
  NodeTester reflect(OpKind::Pad);
  reflect.in(data).in(i64s({-2, 2})).attr(AttrName::mode, std::string("reflect"));
  EXPECT_EQ(intsOf(runOne(reflect)), (Ints{3, 4, 5, 4, 3}));
  // reflect and wrap repeat periodically beyond one period.
  NodeTester longReflect(OpKind::Pad);
  longReflect.in(Tensor::fromInts(ElemType::I32, {3}, {1, 2, 3})).in(i64s({5, 0}))
      .attr(AttrName::mode, std::string("reflect"));
  EXPECT_EQ(intsOf(runOne(longReflect)), (Ints{2, 1, 2, 3, 2, 1, 2, 3}));
  NodeTester wrap(OpKind::Pad);
  wrap.in(data).in(i64s({-3, 5})).attr(AttrName::mode, std::string("wrap"));
  EXPECT_EQ(intsOf(runOne(wrap)), (Ints{4, 5, 4, 5, 4, 5, 4}));
}

TEST(PadKernel, AxesInput) {
  NodeTester t(OpKind::Pad);
  t.in(iota(ElemType::U8, {2, 2})).in(i64s({1, 0})).in(Tensor::scalarInt(ElemType::U8, 7))
      .in(i64s({-1}));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{2, 3}));
  EXPECT_EQ(intsOf(y), (Ints{7, 0, 1, 7, 2, 3}));
}

TEST(PadKernel, Errors) {
  Tensor data = iota(ElemType::F32, {5});
  NodeTester length(OpKind::Pad);
  length.in(data).in(i64s({1}));
  expectError(length, "pads has 1 values, expected 2 (2 per padded axis)");

  NodeTester negative(OpKind::Pad);
  negative.in(data).in(i64s({-3, -3}));
  expectError(negative, "pads (-3, -3) on axis 0 of extent 5 leave a negative extent");

  NodeTester mode(OpKind::Pad);
  mode.in(data).in(i64s({1, 1})).attr(AttrName::mode, std::string("mirror"));
  expectError(mode, "unknown mode 'mirror'");

  NodeTester reflect(OpKind::Pad);
  reflect.in(data).in(i64s({-3, 0})).in(Tensor::scalarFloat(ElemType::F32, 0)).absent()
      .attr(AttrName::mode, std::string("reflect"));
  EXPECT_EQ(floatsOf(runOne(reflect)), (Floats{3, 4})); // crop only: fine
  NodeTester reflectEmpty(OpKind::Pad);
  reflectEmpty.in(data).in(i64s({-5, 1})).attr(AttrName::mode, std::string("reflect"));
  expectError(reflectEmpty, "cannot reflect-pad axis 0: nothing is left of it");

  NodeTester edge(OpKind::Pad);
  edge.in(Tensor(ElemType::F32, {0})).in(i64s({1, 1})).attr(AttrName::mode, std::string("edge"));
  expectError(edge, "cannot edge-pad axis 0: nothing is left of it");

  NodeTester valueType(OpKind::Pad);
  valueType.in(data).in(i64s({1, 1})).in(Tensor::scalarInt(ElemType::I32, 1));
  expectError(valueType, "constant_value has element type i32, the data has f32");
}

//===----------------------------------------------------------------------===//
// Expand, Tile
//===----------------------------------------------------------------------===//

TEST(ExpandKernel, BidirectionalBroadcast) {
  NodeTester t(OpKind::Expand);
  t.in(f32s({3, 1}, {1, 2, 3})).in(i64s({2, 1, 2}));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{2, 3, 2}));
  EXPECT_EQ(floatsOf(y), (Floats{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));

  // A 1 in the shape keeps the input's extent; a shorter shape is allowed.
  NodeTester keep(OpKind::Expand);
  keep.in(f32s({1, 3}, {1, 2, 3})).in(i64s({2, 1}));
  y = runOne(keep);
  EXPECT_EQ(y.dims(), (Dims{2, 3}));
  EXPECT_EQ(floatsOf(y), (Floats{1, 2, 3, 1, 2, 3}));
  NodeTester shorter(OpKind::Expand);
  shorter.in(f32s({3, 1}, {1, 2, 3})).in(i64s({1}));
  EXPECT_EQ(runOne(shorter).dims(), (Dims{3, 1}));
}

TEST(ExpandKernel, Errors) {
  NodeTester incompatible(OpKind::Expand);
  incompatible.in(f32s({3}, {1, 2, 3})).in(i64s({2}));
  expectError(incompatible, "cannot broadcast shapes 3 and 2");
  NodeTester negative(OpKind::Expand);
  negative.in(f32s({1}, {1})).in(i64s({-2}));
  expectError(negative, "shape [-2] has a negative extent");
  NodeTester huge(OpKind::Expand);
  huge.in(f32s({1}, {1})).in(i64s({int64_t(1) << 20, int64_t(1) << 20}));
  expectError(huge, "has more than 4294967296 elements");
}

TEST(TileKernel, OnnxSpecExampleAndZeroRepeats) {
  NodeTester t(OpKind::Tile);
  t.in(iota(ElemType::I64, {2, 2})).in(i64s({2, 2}));
  Tensor y = runOne(t);
  EXPECT_EQ(y.dims(), (Dims{4, 4}));
  EXPECT_EQ(intsOf(y), (Ints{0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3}));

  NodeTester zero(OpKind::Tile);
  zero.in(iota(ElemType::I64, {2, 2})).in(i64s({0, 3}));
  EXPECT_EQ(runOne(zero).dims(), (Dims{0, 6}));

  NodeTester length(OpKind::Tile);
  length.in(iota(ElemType::I64, {2, 2})).in(i64s({2}));
  expectError(length, "repeats has 1 values but the input has rank 2");
  NodeTester negative(OpKind::Tile);
  negative.in(iota(ElemType::I64, {2, 2})).in(i64s({1, -1}));
  expectError(negative, "repeats [1, -1] has a negative value");
}

//===----------------------------------------------------------------------===//
// Shape, ConstantOfShape, Range
//===----------------------------------------------------------------------===//

TEST(ShapeKernel, StartEndNegativeAndClamped) {
  struct Case {
    std::optional<int64_t> start, end;
    Ints expected;
  } cases[] = {{std::nullopt, std::nullopt, {2, 3, 4}},
               {1, std::nullopt, {3, 4}},
               {std::nullopt, -1, {2, 3}},
               {-10, std::nullopt, {2, 3, 4}},
               {1, 10, {3, 4}},
               {2, 1, {}},
               {5, std::nullopt, {}}};
  for (const Case &c : cases) {
    NodeTester t(OpKind::Shape);
    t.in(Tensor(ElemType::U8, {2, 3, 4}));
    if (c.start)
      t.attr(AttrName::start, *c.start);
    if (c.end)
      t.attr(AttrName::end, *c.end);
    Tensor y = runOne(t);
    EXPECT_EQ(y.elemType(), ElemType::I64);
    EXPECT_EQ(intsOf(y), c.expected);
  }
}

TEST(ConstantOfShapeKernel, ValueDefaultAndScalar) {
  NodeTester t(OpKind::ConstantOfShape);
  t.in(i64s({2, 3})).attr(AttrName::value, Tensor::fromInts(ElemType::I32, {1}, {7}));
  Tensor y = runOne(t);
  EXPECT_EQ(y.elemType(), ElemType::I32);
  EXPECT_EQ(y.dims(), (Dims{2, 3}));
  EXPECT_EQ(intsOf(y), (Ints{7, 7, 7, 7, 7, 7}));

  NodeTester zeros(OpKind::ConstantOfShape);
  zeros.in(i64s({2}));
  y = runOne(zeros);
  EXPECT_EQ(y.elemType(), ElemType::F32);
  EXPECT_EQ(floatsOf(y), (Floats{0, 0}));

  // An empty shape gives a scalar.
  NodeTester scalar(OpKind::ConstantOfShape);
  scalar.in(i64s({})).attr(AttrName::value, Tensor::fromDoubles(ElemType::F16, {1}, {1.5}));
  y = runOne(scalar);
  EXPECT_EQ(y.rank(), 0u);
  EXPECT_EQ(doublesOf(y), (std::vector<double>{1.5}));

  NodeTester negative(OpKind::ConstantOfShape);
  negative.in(i64s({2, -1}));
  expectError(negative, "shape [2, -1] has a negative extent");
  NodeTester twoValues(OpKind::ConstantOfShape);
  twoValues.in(i64s({2})).attr(AttrName::value, f32s({2}, {1, 2}));
  expectError(twoValues, "value must have one element, it has 2");
}

TEST(RangeKernel, IntegerAndFloat) {
  auto range = [](ElemType type, double start, double limit, double delta) {
    NodeTester t(OpKind::Range);
    t.in(Tensor::scalarFloat(type, start)).in(Tensor::scalarFloat(type, limit))
        .in(Tensor::scalarFloat(type, delta));
    Tensor y = runOne(t);
    EXPECT_EQ(y.elemType(), type);
    return doublesOf(y);
  };
  using D = std::vector<double>;
  EXPECT_EQ(range(ElemType::I32, 3, 9, 3), (D{3, 6}));           // ONNX example
  EXPECT_EQ(range(ElemType::I64, 10, 4, -2), (D{10, 8, 6}));     // ONNX example
  EXPECT_EQ(range(ElemType::I16, 0, 5, 2), (D{0, 2, 4}));
  EXPECT_EQ(range(ElemType::I64, 0, 0, 1), (D{}));
  EXPECT_EQ(range(ElemType::I64, 5, 0, 1), (D{}));
  EXPECT_EQ(range(ElemType::F32, 0.5, 2, 0.5), (D{0.5, 1.0, 1.5}));
  EXPECT_EQ(range(ElemType::F64, 1, 2.1, 0.5), (D{1.0, 1.5, 2.0}));

  // Extreme int64 operands: the count and values are still exact.
  NodeTester extreme(OpKind::Range);
  extreme.in(Tensor::scalarInt(ElemType::I64, kInt64Min))
      .in(Tensor::scalarInt(ElemType::I64, kInt64Max))
      .in(Tensor::scalarInt(ElemType::I64, kInt64Max));
  EXPECT_EQ(intsOf(runOne(extreme)), (Ints{kInt64Min, -1, kInt64Max - 1}));
}

TEST(RangeKernel, Errors) {
  NodeTester zero(OpKind::Range);
  zero.in(Tensor::scalarInt(ElemType::I32, 0)).in(Tensor::scalarInt(ElemType::I32, 4))
      .in(Tensor::scalarInt(ElemType::I32, 0));
  expectError(zero, "delta is 0");

  NodeTester mixed(OpKind::Range);
  mixed.in(Tensor::scalarInt(ElemType::I32, 0)).in(Tensor::scalarInt(ElemType::I64, 4))
      .in(Tensor::scalarInt(ElemType::I32, 1));
  expectError(mixed, "limit has element type i64, start has i32");

  NodeTester type(OpKind::Range);
  type.in(Tensor::scalarInt(ElemType::U8, 0)).in(Tensor::scalarInt(ElemType::U8, 4))
      .in(Tensor::scalarInt(ElemType::U8, 1));
  expectError(type, "element type u8 is not supported");

  NodeTester shape(OpKind::Range);
  shape.in(i64s({0, 1})).in(Tensor::scalarInt(ElemType::I64, 4))
      .in(Tensor::scalarInt(ElemType::I64, 1));
  expectError(shape, "start must be a scalar, got shape 2");

  NodeTester huge(OpKind::Range);
  huge.in(Tensor::scalarFloat(ElemType::F32, 0)).in(Tensor::scalarFloat(ElemType::F32, 1e30))
      .in(Tensor::scalarFloat(ElemType::F32, 1));
  expectError(huge, "the range has more than 4294967296 elements");
}

} // namespace
