// Tests of the elementwise family's shape inference and reference kernels:
// broadcasting, integer wraparound, rounding, Cast edge cases and errors.
// Expected values are hand-computed or from numpy (float64 math rounded to
// the element type), embedded here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "tests/interp/OpTester.h"

namespace qc::interp {
namespace {

using ir::AttrName;
using ir::AttrValue;
using ir::Dim;
using ir::ElemType;
using ir::OpKind;
using ir::Shape;
using ir::Tensor;
using ir::Type;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using testing::OpTester;

Tensor floats(std::vector<int64_t> dims, std::vector<double> v,
              ElemType t = ElemType::F32) {
  return Tensor::fromDoubles(t, std::move(dims), v);
}
Tensor ints(ElemType t, std::vector<int64_t> dims, std::vector<int64_t> v) {
  return Tensor::fromInts(t, std::move(dims), v);
}

// Runs the op and returns its first result; fails the test on error.
Tensor run1(OpTester &op, std::vector<const Tensor *> inputs) {
  auto r = op.run(std::move(inputs));
  if (!r) {
    ADD_FAILURE() << llvm::toString(r.takeError());
    return Tensor();
  }
  return std::move((*r)[0]);
}
Tensor run1(OpKind kind, std::vector<const Tensor *> inputs) {
  OpTester op(kind);
  return run1(op, std::move(inputs));
}

// The error text of running the op; empty when it unexpectedly succeeds.
std::string runError(OpTester &op, std::vector<const Tensor *> inputs) {
  auto r = op.run(std::move(inputs));
  if (r)
    return "";
  return llvm::toString(r.takeError());
}
std::string runError(OpKind kind, std::vector<const Tensor *> inputs) {
  OpTester op(kind);
  return runError(op, std::move(inputs));
}

std::vector<double> doublesOf(const Tensor &t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getDouble(i));
  return v;
}
std::vector<int64_t> intsOf(const Tensor &t) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getInt(i));
  return v;
}
std::vector<uint16_t> bitsOf16(const Tensor &t) {
  return std::vector<uint16_t>(t.data<uint16_t>(), t.data<uint16_t>() + t.numElements());
}

void expectError(const std::string &error, const std::string &needle) {
  EXPECT_NE(error.find(needle), std::string::npos)
      << "error '" << error << "' does not contain '" << needle << "'";
}

// Exact comparison that treats NaN as equal to NaN and tells -0 from +0.
void expectSameDoubles(const std::vector<double> &actual,
                       const std::vector<double> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << "element " << i << " is " << actual[i];
      continue;
    }
    EXPECT_EQ(actual[i], expected[i]) << "element " << i;
    EXPECT_EQ(std::signbit(actual[i]), std::signbit(expected[i])) << "element " << i;
  }
}

// Float results of transcendental functions: within 2 ulp of f32.
void expectNearFloats(const Tensor &t, const std::vector<double> &expected) {
  ASSERT_EQ(t.numElements(), int64_t(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(t.getDouble(int64_t(i)), expected[i],
                2 * std::fabs(expected[i]) * 0x1p-24 + 1e-45)
        << "element " << i;
}

// ---------------------------------------------------------------- Broadcast

TEST(ElementwiseTest, AddScalarBroadcast) {
  Tensor a = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor s = floats({}, {10});
  Tensor r = run1(OpKind::Add, {&a, &s});
  EXPECT_EQ(r.dims(), (std::vector<int64_t>{2, 3}));
  expectSameDoubles(doublesOf(r), {11, 12, 13, 14, 15, 16});
  Tensor r2 = run1(OpKind::Sub, {&s, &a}); // scalar on the left
  expectSameDoubles(doublesOf(r2), {9, 8, 7, 6, 5, 4});
}

TEST(ElementwiseTest, MulRowAndColumnBroadcast) {
  Tensor a = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor row = floats({3}, {1, 10, 100});
  expectSameDoubles(doublesOf(run1(OpKind::Mul, {&a, &row})),
                    {1, 20, 300, 4, 50, 600});
  Tensor col = floats({2, 1}, {2, -1});
  expectSameDoubles(doublesOf(run1(OpKind::Mul, {&a, &col})),
                    {2, 4, 6, -4, -5, -6});
  // Column against row: both sides broadcast to 2x3.
  Tensor outer = run1(OpKind::Add, {&col, &row});
  EXPECT_EQ(outer.dims(), (std::vector<int64_t>{2, 3}));
  expectSameDoubles(doublesOf(outer), {3, 12, 102, 0, 9, 99});
}

TEST(ElementwiseTest, RankDifferentBroadcast) {
  // [2,1,3] + [4,1] -> [2,4,3]: out[i][j][k] = a[i][0][k] + b[j][0].
  Tensor a = floats({2, 1, 3}, {0, 1, 2, 100, 101, 102});
  Tensor b = floats({4, 1}, {0, 10, 20, 30});
  Tensor r = run1(OpKind::Add, {&a, &b});
  ASSERT_EQ(r.dims(), (std::vector<int64_t>{2, 4, 3}));
  std::vector<double> expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k)
        expected.push_back(100 * i + k + 10 * j);
  expectSameDoubles(doublesOf(r), expected);
}

TEST(ElementwiseTest, EmptyTensorBroadcast) {
  Tensor a = floats({0, 3}, {});
  Tensor b = floats({3}, {1, 2, 3});
  Tensor r = run1(OpKind::Add, {&a, &b});
  EXPECT_EQ(r.dims(), (std::vector<int64_t>{0, 3}));
}

// ------------------------------------------------------- Float arithmetic

TEST(ElementwiseTest, F32DivMatchesFloatArithmetic) {
  Tensor one = floats({}, {1});
  Tensor three = floats({}, {3});
  Tensor r = run1(OpKind::Div, {&one, &three});
  EXPECT_EQ(r.data<float>()[0], 1.0f / 3.0f);
  EXPECT_EQ(std::bit_cast<uint32_t>(r.data<float>()[0]), 0x3EAAAAABu);
  // Division by zero in floats: IEEE results.
  Tensor zeros = floats({3}, {0, 0, 0});
  Tensor num = floats({3}, {1, -1, 0});
  expectSameDoubles(doublesOf(run1(OpKind::Div, {&num, &zeros})), {kInf, -kInf, kNaN});
}

TEST(ElementwiseTest, F16AddRoundsTiesToEven) {
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even gives 1.
  // (1 + 2^-10) + 2^-11 is halfway too; the even neighbour is 1 + 2^-9.
  Tensor a = floats({2}, {1.0, 1.0 + 0x1p-10}, ElemType::F16);
  Tensor b = floats({2}, {0x1p-11, 0x1p-11}, ElemType::F16);
  Tensor r = run1(OpKind::Add, {&a, &b});
  EXPECT_EQ(r.elemType(), ElemType::F16);
  EXPECT_EQ(bitsOf16(r), (std::vector<uint16_t>{0x3C00, 0x3C02}));
}

TEST(ElementwiseTest, SumRoundsEachStepLikeF32) {
  // In f32, 1e8 + 1 == 1e8 (the ulp at 1e8 is 8), so the sum is 0; exact
  // arithmetic rounded once would give 1.
  Tensor a = floats({}, {1e8}), b = floats({}, {1}), c = floats({}, {-1e8});
  expectSameDoubles(doublesOf(run1(OpKind::Sum, {&a, &b, &c})), {0});
  Tensor one = floats({2}, {1, 2});
  expectSameDoubles(doublesOf(run1(OpKind::Sum, {&one})), {1, 2});
}

TEST(ElementwiseTest, MeanOfThreeBroadcastInputs) {
  Tensor a = floats({2}, {1, 0}), b = floats({}, {2}), c = floats({1}, {4});
  Tensor r = run1(OpKind::Mean, {&a, &b, &c});
  EXPECT_EQ(r.dims(), (std::vector<int64_t>{2}));
  expectSameDoubles(doublesOf(r), {2.3333332538604736, 2});
}

TEST(ElementwiseTest, MinMaxVariadicAndNaN) {
  Tensor a = floats({3}, {1, 5, kNaN}), b = floats({}, {3}), c = floats({3}, {4, 0, 1});
  expectSameDoubles(doublesOf(run1(OpKind::Min, {&a, &b, &c})), {1, 0, kNaN});
  expectSameDoubles(doublesOf(run1(OpKind::Max, {&a, &b, &c})), {4, 5, kNaN});
  // Unsigned 64-bit values compare as unsigned.
  Tensor u = ints(ElemType::U64, {2}, {-1, 5}); // -1: 2^64 - 1
  Tensor v = ints(ElemType::U64, {2}, {1, 7});
  EXPECT_EQ(intsOf(run1(OpKind::Max, {&u, &v})), (std::vector<int64_t>{-1, 7}));
  EXPECT_EQ(intsOf(run1(OpKind::Min, {&u, &v})), (std::vector<int64_t>{1, 5}));
}

TEST(ElementwiseTest, UnaryFloatFunctions) {
  Tensor x = floats({4}, {-2.5, -0.5, 0.5, 2.5});
  expectSameDoubles(doublesOf(run1(OpKind::Floor, {&x})), {-3, -1, 0, 2});
  expectSameDoubles(doublesOf(run1(OpKind::Ceil, {&x})), {-2, -0.0, 1, 3});
  expectSameDoubles(doublesOf(run1(OpKind::Abs, {&x})), {2.5, 0.5, 0.5, 2.5});
  expectSameDoubles(doublesOf(run1(OpKind::Neg, {&x})), {2.5, 0.5, -0.5, -2.5});
  expectSameDoubles(doublesOf(run1(OpKind::Reciprocal, {&x})), {-0.4f, -2, 2, 0.4f});
  Tensor y = floats({4}, {4, 0, -1, 1});
  expectSameDoubles(doublesOf(run1(OpKind::Sqrt, {&y})), {2, 0, kNaN, 1});
  expectSameDoubles(doublesOf(run1(OpKind::Log, {&y})), {1.3862943649291992, -kInf, kNaN, 0});
  Tensor e = floats({3}, {1, 0, -200});
  expectNearFloats(run1(OpKind::Exp, {&e}), {2.7182817459106445, 1, 0});
  Tensor s = floats({4}, {-2, 0, 1, 20});
  expectNearFloats(run1(OpKind::Sigmoid, {&s}),
                   {0.11920291930437088, 0.5, 0.7310585975646973, 1.0});
  Tensor z = floats({3}, {-1, 0.5, 3});
  expectNearFloats(run1(OpKind::Erf, {&z}),
                   {-0.8427007794380188, 0.5204998850822449, 0.9999778866767883});
  Tensor t = floats({2}, {0.5, -kInf});
  expectNearFloats(run1(OpKind::Tanh, {&t}), {0.46211716532707214, -1});
}

TEST(ElementwiseTest, RoundTiesToEven) {
  Tensor x = floats({9}, {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -kInf});
  expectSameDoubles(doublesOf(run1(OpKind::Round, {&x})),
                    {0, 2, 2, -0.0, -2, -2, 2, 3, -kInf});
}

// --------------------------------------------------------- Integer math

TEST(ElementwiseTest, IntegerWraparound) {
  Tensor a = ints(ElemType::I8, {3}, {127, -128, 100});
  Tensor b = ints(ElemType::I8, {3}, {1, -1, 2});
  EXPECT_EQ(intsOf(run1(OpKind::Add, {&a, &b})), (std::vector<int64_t>{-128, 127, 102}));
  EXPECT_EQ(intsOf(run1(OpKind::Sub, {&a, &b})), (std::vector<int64_t>{126, -127, 98}));
  EXPECT_EQ(intsOf(run1(OpKind::Mul, {&a, &b})), (std::vector<int64_t>{127, -128, -56}));
  Tensor u = ints(ElemType::U8, {2}, {250, 3}), v = ints(ElemType::U8, {2}, {10, 5});
  EXPECT_EQ(intsOf(run1(OpKind::Add, {&u, &v})), (std::vector<int64_t>{4, 8}));
  EXPECT_EQ(intsOf(run1(OpKind::Sub, {&v, &u})), (std::vector<int64_t>{16, 2}));
  // int64 overflow must wrap (computed without signed-overflow UB).
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  Tensor big = ints(ElemType::I64, {2}, {kMax, kMin});
  Tensor two = ints(ElemType::I64, {}, {2});
  EXPECT_EQ(intsOf(run1(OpKind::Add, {&big, &two})), (std::vector<int64_t>{kMin + 1, kMin + 2}));
  EXPECT_EQ(intsOf(run1(OpKind::Mul, {&big, &two})), (std::vector<int64_t>{-2, 0}));
  EXPECT_EQ(intsOf(run1(OpKind::Neg, {&big})), (std::vector<int64_t>{kMin + 1, kMin}));
  EXPECT_EQ(intsOf(run1(OpKind::Abs, {&big})), (std::vector<int64_t>{kMax, kMin}));
  Tensor i32 = ints(ElemType::I32, {2}, {65536, -2147483648LL});
  EXPECT_EQ(intsOf(run1(OpKind::Mul, {&i32, &i32})), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(intsOf(run1(OpKind::Neg, {&i32})), (std::vector<int64_t>{-65536, -2147483648LL}));
}

TEST(ElementwiseTest, IntegerDivTruncatesTowardZero) {
  Tensor a = ints(ElemType::I32, {5}, {7, -7, 7, -7, -2147483648LL});
  Tensor b = ints(ElemType::I32, {5}, {2, 2, -2, -2, -1});
  EXPECT_EQ(intsOf(run1(OpKind::Div, {&a, &b})),
            (std::vector<int64_t>{3, -3, -3, 3, -2147483648LL}));
  Tensor u = ints(ElemType::U8, {2}, {255, 7}), v = ints(ElemType::U8, {}, {2});
  EXPECT_EQ(intsOf(run1(OpKind::Div, {&u, &v})), (std::vector<int64_t>{127, 3}));
  Tensor zero = ints(ElemType::I32, {}, {0});
  expectError(runError(OpKind::Div, {&a, &zero}), "Div 'n': integer division by zero");
}

TEST(ElementwiseTest, PowIntegerAndMixedTypes) {
  Tensor base = ints(ElemType::I32, {6}, {2, 3, -1, 2, 1, -3});
  Tensor exp = ints(ElemType::I64, {6}, {10, -1, -3, 31, -5, 3});
  EXPECT_EQ(intsOf(run1(OpKind::Pow, {&base, &exp})),
            (std::vector<int64_t>{1024, 0, -1, -2147483648LL, 1, -27}));
  // Float base, integer exponent; integer base, float exponent (computed in
  // double, truncated back to the base's type).
  Tensor fb = floats({3}, {2, -2, 0.5});
  Tensor ie = ints(ElemType::I64, {}, {3});
  Tensor r = run1(OpKind::Pow, {&fb, &ie});
  EXPECT_EQ(r.elemType(), ElemType::F32);
  expectSameDoubles(doublesOf(r), {8, -8, 0.125});
  Tensor ib = ints(ElemType::I32, {3}, {2, 9, 3});
  Tensor fe = floats({3}, {0.5, 0.5, -1});
  Tensor r2 = run1(OpKind::Pow, {&ib, &fe});
  EXPECT_EQ(r2.elemType(), ElemType::I32);
  EXPECT_EQ(intsOf(r2), (std::vector<int64_t>{1, 3, 0}));
  Tensor f2 = floats({2}, {-8, 4});
  Tensor half = floats({}, {0.5});
  expectSameDoubles(doublesOf(run1(OpKind::Pow, {&f2, &half})), {kNaN, 2});
  Tensor zero = ints(ElemType::I32, {}, {0}), neg = ints(ElemType::I32, {}, {-1});
  expectError(runError(OpKind::Pow, {&zero, &neg}), "negative power");
}

// ------------------------------------------------------------ Activations

TEST(ElementwiseTest, ReluLeakyReluPRelu) {
  Tensor i = ints(ElemType::I32, {3}, {-5, 0, 7});
  EXPECT_EQ(intsOf(run1(OpKind::Relu, {&i})), (std::vector<int64_t>{0, 0, 7}));
  Tensor x = floats({3}, {-1, 2, kNaN});
  expectSameDoubles(doublesOf(run1(OpKind::Relu, {&x})), {0, 2, kNaN});
  // Default alpha 0.01 (as f32); alpha * x rounds like f32 multiplication.
  expectSameDoubles(doublesOf(run1(OpKind::LeakyRelu, {&x})), {-0.01f, 2, kNaN});
  OpTester leaky(OpKind::LeakyRelu);
  leaky.attr(AttrName::alpha, 0.1f);
  Tensor m3 = floats({}, {-3});
  expectSameDoubles(doublesOf(run1(leaky, {&m3})), {0.1f * -3.0f});

  Tensor p = floats({2, 3}, {-1, 2, -3, 4, -5, 6});
  Tensor slope = floats({3}, {0.5, 0.25, 2});
  expectSameDoubles(doublesOf(run1(OpKind::PRelu, {&p, &slope})),
                    {-0.5, 2, -6, 4, -1.25, 6});
  Tensor pi = ints(ElemType::I64, {2}, {-3, 3}), si = ints(ElemType::I64, {}, {-2});
  EXPECT_EQ(intsOf(run1(OpKind::PRelu, {&pi, &si})), (std::vector<int64_t>{6, 3}));
  Tensor badSlope = floats({4}, {1, 2, 3, 4});
  expectError(runError(OpKind::PRelu, {&p, &badSlope}),
              "PRelu 'n': slope shape [4] does not broadcast to input shape [2x3]");
  // Unidirectional: the slope may not widen X.
  Tensor wide = floats({2, 3}, {1, 1, 1, 1, 1, 1}), narrow = floats({3}, {-1, 1, -1});
  expectError(runError(OpKind::PRelu, {&narrow, &wide}), "does not broadcast");
}

TEST(ElementwiseTest, HardSigmoidAndHardSwish) {
  Tensor x = floats({4}, {-3, -1, 1, 3});
  expectNearFloats(run1(OpKind::HardSigmoid, {&x}),
                   {0, 0.30000001192092896, 0.699999988079071, 1});
  OpTester custom(OpKind::HardSigmoid);
  custom.attr(AttrName::alpha, 0.5f).attr(AttrName::beta, 0.25f);
  Tensor one = floats({}, {1});
  expectSameDoubles(doublesOf(run1(custom, {&one})), {0.75});
  Tensor h = floats({5}, {-4, -1, 1, 2.5, 4});
  expectNearFloats(run1(OpKind::HardSwish, {&h}),
                   {0, -0.3333333432674408, 0.6666666865348816, 2.2916667461395264, 4});
}

TEST(ElementwiseTest, GeluExactAndTanh) {
  Tensor x = floats({8}, {-3, -1, -0.5, 0, 0.5, 1, 2, 3});
  expectNearFloats(run1(OpKind::Gelu, {&x}),
                   {-0.004049694165587425, -0.15865525603294373, -0.1542687714099884, 0,
                    0.3457312285900116, 0.8413447737693787, 1.9544997215270996,
                    2.995950222015381});
  OpTester tanhGelu(OpKind::Gelu);
  tanhGelu.attr(AttrName::approximate, std::string("tanh"));
  expectNearFloats(run1(tanhGelu, {&x}),
                   {-0.003637392073869705, -0.15880800783634186, -0.1542859971523285, 0,
                    0.3457140028476715, 0.8411920070648193, 1.9545977115631104,
                    2.9963626861572266});
}

TEST(ElementwiseTest, ClipOptionalBounds) {
  Tensor x = floats({4}, {-3, 0, 5, kNaN});
  Tensor zero = floats({}, {0}), one = floats({1}, {1});
  expectSameDoubles(doublesOf(run1(OpKind::Clip, {&x, &zero})), {0, 0, 5, kNaN});
  expectSameDoubles(doublesOf(run1(OpKind::Clip, {&x, nullptr, &one})), {-3, 0, 1, kNaN});
  expectSameDoubles(doublesOf(run1(OpKind::Clip, {&x})), {-3, 0, 5, kNaN});
  // min > max: every element becomes max (numpy.clip).
  Tensor five = floats({}, {5});
  expectSameDoubles(doublesOf(run1(OpKind::Clip, {&x, &five, &one})), {1, 1, 1, kNaN});
  Tensor i8 = ints(ElemType::I8, {4}, {-128, -5, 5, 127});
  Tensor lo = ints(ElemType::I8, {}, {-10}), hi = ints(ElemType::I8, {}, {10});
  EXPECT_EQ(intsOf(run1(OpKind::Clip, {&i8, &lo, &hi})), (std::vector<int64_t>{-10, -5, 5, 10}));
  Tensor two = floats({2}, {0, 1});
  expectError(runError(OpKind::Clip, {&x, &two}), "Clip 'n': min must be a scalar");
  expectError(runError(OpKind::Clip, {&i8, &zero}), "element type");
}

// -------------------------------------------- Selection, comparison, logic

TEST(ElementwiseTest, WhereBroadcast) {
  Tensor cond = ints(ElemType::Bool, {2, 1}, {1, 0});
  Tensor x = floats({1, 3}, {1, 2, 3}), y = floats({}, {9});
  Tensor r = run1(OpKind::Where, {&cond, &x, &y});
  ASSERT_EQ(r.dims(), (std::vector<int64_t>{2, 3}));
  expectSameDoubles(doublesOf(r), {1, 2, 3, 9, 9, 9});
  Tensor c3 = ints(ElemType::Bool, {3}, {0, 1, 0});
  Tensor xi = ints(ElemType::I64, {}, {-1}), yi = ints(ElemType::I64, {2, 1}, {10, 20});
  EXPECT_EQ(intsOf(run1(OpKind::Where, {&c3, &xi, &yi})),
            (std::vector<int64_t>{10, -1, 10, 20, -1, 20}));
  Tensor fx = floats({}, {0}), fc = floats({}, {1});
  expectError(runError(OpKind::Where, {&fc, &fx, &fx}),
              "Where 'n': input 0 has element type f32; expected bool");
  expectError(runError(OpKind::Where, {&cond, &fx, &xi}), "must match");
}

TEST(ElementwiseTest, ComparisonsWithNaNAndBroadcast) {
  Tensor a = floats({4}, {1, 2, kNaN, 3}), b = floats({4}, {2, 2, kNaN, 1});
  auto cmp = [&](OpKind k) { return intsOf(run1(k, {&a, &b})); };
  EXPECT_EQ(cmp(OpKind::Equal), (std::vector<int64_t>{0, 1, 0, 0}));
  EXPECT_EQ(cmp(OpKind::Less), (std::vector<int64_t>{1, 0, 0, 0}));
  EXPECT_EQ(cmp(OpKind::LessOrEqual), (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(cmp(OpKind::Greater), (std::vector<int64_t>{0, 0, 0, 1}));
  EXPECT_EQ(cmp(OpKind::GreaterOrEqual), (std::vector<int64_t>{0, 1, 0, 1}));
  EXPECT_EQ(run1(OpKind::Equal, {&a, &b}).elemType(), ElemType::Bool);

  Tensor col = ints(ElemType::I32, {2, 1}, {-1, 5}), row = ints(ElemType::I32, {3}, {-1, 0, 5});
  Tensor r = run1(OpKind::Less, {&col, &row});
  ASSERT_EQ(r.dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(intsOf(r), (std::vector<int64_t>{0, 1, 1, 0, 0, 0}));
  Tensor u = ints(ElemType::U64, {}, {-1}), one = ints(ElemType::U64, {}, {1});
  EXPECT_EQ(intsOf(run1(OpKind::Greater, {&u, &one})), (std::vector<int64_t>{1}));
  Tensor t = ints(ElemType::Bool, {2}, {1, 0}), f = ints(ElemType::Bool, {}, {0});
  EXPECT_EQ(intsOf(run1(OpKind::Equal, {&t, &f})), (std::vector<int64_t>{0, 1}));
}

TEST(ElementwiseTest, NotAndOr) {
  Tensor a = ints(ElemType::Bool, {2, 2}, {0, 0, 1, 1});
  Tensor b = ints(ElemType::Bool, {2}, {0, 1});
  EXPECT_EQ(intsOf(run1(OpKind::Not, {&a})), (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(intsOf(run1(OpKind::And, {&a, &b})), (std::vector<int64_t>{0, 0, 0, 1}));
  EXPECT_EQ(intsOf(run1(OpKind::Or, {&a, &b})), (std::vector<int64_t>{0, 1, 1, 1}));
  Tensor i = ints(ElemType::I32, {2}, {0, 1});
  expectError(runError(OpKind::And, {&i, &i}), "expected bool");
  expectError(runError(OpKind::Not, {&i}), "expected bool");
}

// -------------------------------------------------------------------- Cast

Tensor castTo(const Tensor &in, ElemType to) {
  OpTester op(OpKind::Cast);
  op.attr(AttrName::to, to);
  return run1(op, {&in});
}

TEST(ElementwiseTest, CastFloatToIntTruncatesAndSaturates) {
  Tensor x = floats({7}, {kNaN, 1e10, -1e10, -2.7, 2.7, kInf, -0.0});
  EXPECT_EQ(intsOf(castTo(x, ElemType::I32)),
            (std::vector<int64_t>{0, 2147483647, -2147483648LL, -2, 2, 2147483647, 0}));
  // Negative floats to unsigned saturate at 0 (ints wrap, below).
  Tensor u = floats({4}, {-1.5, 300.7, 255.9, -0.9});
  EXPECT_EQ(intsOf(castTo(u, ElemType::U8)), (std::vector<int64_t>{0, 255, 255, 0}));
  Tensor big = floats({4}, {1e19, -1e19, 9223372036854775808.0, -kInf});
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(intsOf(castTo(big, ElemType::I64)), (std::vector<int64_t>{kMax, kMin, kMax, kMin}));
  Tensor r = castTo(floats({3}, {1e19, -1, 2e19}), ElemType::U64);
  // f32(1e19) is 9999999980506447872.
  EXPECT_EQ(std::vector<uint64_t>(r.data<uint64_t>(), r.data<uint64_t>() + 3),
            (std::vector<uint64_t>{9999999980506447872ULL, 0,
                                   std::numeric_limits<uint64_t>::max()}));
  Tensor i4 = floats({4}, {9.7, -20, -8.9, 7.5});
  EXPECT_EQ(intsOf(castTo(i4, ElemType::I4)), (std::vector<int64_t>{7, -8, -8, 7}));
  Tensor u4 = floats({3}, {-3, 15.9, 16});
  EXPECT_EQ(intsOf(castTo(u4, ElemType::U4)), (std::vector<int64_t>{0, 15, 15}));
}

TEST(ElementwiseTest, CastIntToIntWraps) {
  Tensor i = ints(ElemType::I32, {4}, {-1, 300, 255, -129});
  EXPECT_EQ(intsOf(castTo(i, ElemType::U8)), (std::vector<int64_t>{255, 44, 255, 127}));
  EXPECT_EQ(intsOf(castTo(i, ElemType::I8)), (std::vector<int64_t>{-1, 44, -1, 127}));
  Tensor n = ints(ElemType::I32, {3}, {9, -9, 7});
  EXPECT_EQ(intsOf(castTo(n, ElemType::I4)), (std::vector<int64_t>{-7, 7, 7}));
  Tensor u = ints(ElemType::U64, {1}, {-1});
  EXPECT_EQ(intsOf(castTo(u, ElemType::I64)), (std::vector<int64_t>{-1}));
  EXPECT_EQ(intsOf(castTo(u, ElemType::U16)), (std::vector<int64_t>{65535}));
  Tensor s4 = ints(ElemType::I4, {2}, {-8, 7});
  EXPECT_EQ(intsOf(castTo(s4, ElemType::U16)), (std::vector<int64_t>{65528, 7}));
}

TEST(ElementwiseTest, CastToF16AndBF16RoundsToNearestEven) {
  Tensor x = floats({8}, {1 + 0x1p-11, 1 + 3 * 0x1p-11, 65519, 65520, 0x1p-25,
                          3 * 0x1p-25, -0.0, -kInf});
  EXPECT_EQ(bitsOf16(castTo(x, ElemType::F16)),
            (std::vector<uint16_t>{0x3C00, 0x3C02, 0x7BFF, 0x7C00, 0x0000, 0x0002, 0x8000,
                                   0xFC00}));
  uint16_t nanBits = castTo(floats({}, {kNaN}), ElemType::F16).data<uint16_t>()[0];
  EXPECT_EQ(nanBits & 0x7C00, 0x7C00);
  EXPECT_NE(nanBits & 0x03FF, 0);
  // From f64 in one rounding step: 1 + 2^-11 + 2^-40 is above the halfway
  // point (numpy gives 0x3C01); rounding through f32 first would give 0x3C00.
  Tensor d = floats({1}, {1 + 0x1p-11 + 0x1p-40}, ElemType::F64);
  EXPECT_EQ(bitsOf16(castTo(d, ElemType::F16)), (std::vector<uint16_t>{0x3C01}));
  Tensor d32 = floats({2}, {1 + 0x1p-24, 1 + 0x1p-24 + 0x1p-50}, ElemType::F64);
  expectSameDoubles(doublesOf(castTo(d32, ElemType::F32)), {1, 1 + 0x1p-23});
  Tensor b = floats({4}, {1 + 0x1p-8, 1 + 3 * 0x1p-8, -2, 0x1p-133});
  EXPECT_EQ(bitsOf16(castTo(b, ElemType::BF16)),
            (std::vector<uint16_t>{0x3F80, 0x3F82, 0xC000, 0x0001}));
  // f16 -> f32 is exact.
  Tensor h(ElemType::F16, {1});
  h.data<uint16_t>()[0] = 0x3C01;
  expectSameDoubles(doublesOf(castTo(h, ElemType::F32)), {1.0009765625});
}

TEST(ElementwiseTest, CastIntToFloatRoundsOnce) {
  // 2^60 + 2^52 + 1 is just above halfway between two bf16 values: it rounds
  // up to 2^60 + 2^53 (0x5D81); through f64 (which drops the +1) it would tie
  // to even 2^60 (0x5D80).
  int64_t v = (int64_t(1) << 60) + (int64_t(1) << 52) + 1;
  Tensor i = ints(ElemType::I64, {2}, {v, -v});
  EXPECT_EQ(bitsOf16(castTo(i, ElemType::BF16)), (std::vector<uint16_t>{0x5D81, 0xDD81}));
  Tensor j = ints(ElemType::I64, {3}, {(1 << 24) + 1, (1 << 24) + 3, -7});
  expectSameDoubles(doublesOf(castTo(j, ElemType::F32)), {16777216, 16777220, -7});
  Tensor u = ints(ElemType::U64, {1}, {-1}); // 2^64 - 1
  expectSameDoubles(doublesOf(castTo(u, ElemType::F32)), {0x1p64});
  expectSameDoubles(doublesOf(castTo(u, ElemType::F64)), {0x1p64});
  Tensor h = ints(ElemType::I32, {2}, {65519, 65520});
  EXPECT_EQ(bitsOf16(castTo(h, ElemType::F16)), (std::vector<uint16_t>{0x7BFF, 0x7C00}));
}

TEST(ElementwiseTest, CastToAndFromBool) {
  Tensor x = floats({4}, {0, -0.0, kNaN, 0.1});
  EXPECT_EQ(intsOf(castTo(x, ElemType::Bool)), (std::vector<int64_t>{0, 0, 1, 1}));
  Tensor i = ints(ElemType::I32, {2}, {0, -5});
  EXPECT_EQ(intsOf(castTo(i, ElemType::Bool)), (std::vector<int64_t>{0, 1}));
  Tensor b = ints(ElemType::Bool, {2}, {1, 0});
  expectSameDoubles(doublesOf(castTo(b, ElemType::F16)), {1, 0});
  EXPECT_EQ(intsOf(castTo(b, ElemType::I64)), (std::vector<int64_t>{1, 0}));
}

// ------------------------------------------------------ Identity, Dropout

TEST(ElementwiseTest, IdentityAndDropout) {
  Tensor x = floats({2, 2}, {1, -2, 3, kNaN});
  expectSameDoubles(doublesOf(run1(OpKind::Identity, {&x})), {1, -2, 3, kNaN});
  OpTester dropout(OpKind::Dropout, 2);
  Tensor ratio = floats({}, {0.5});
  Tensor off = ints(ElemType::Bool, {}, {0});
  auto r = dropout.run({&x, &ratio, &off});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  ASSERT_EQ(r->size(), 2u);
  expectSameDoubles(doublesOf((*r)[0]), {1, -2, 3, kNaN});
  EXPECT_EQ((*r)[1].elemType(), ElemType::Bool);
  EXPECT_EQ(intsOf((*r)[1]), (std::vector<int64_t>{1, 1, 1, 1}));
  Tensor on = ints(ElemType::Bool, {}, {1});
  expectError(runError(dropout, {&x, &ratio, &on}),
              "Dropout 'n': training mode not supported");
  expectError(runError(dropout, {&x, nullptr, &ratio}), "expected bool for training_mode");
}

// --------------------------------------------------------------- Inference

Type ty(ElemType e, std::vector<Dim> dims) { return Type(e, Shape(std::move(dims))); }

TEST(ElementwiseInferTest, SymbolicBroadcast) {
  Dim n = Dim::symbol("N"), m = Dim::symbol("M");
  OpTester add(OpKind::Add);
  auto r = add.infer({ty(ElemType::F32, {n, 3}), ty(ElemType::F32, {3})});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ((*r)[0], ty(ElemType::F32, {n, 3}));
  r = add.infer({ty(ElemType::F32, {n, 1}), ty(ElemType::F32, {1, m})});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ((*r)[0], ty(ElemType::F32, {n, m}));
  r = add.infer({ty(ElemType::F32, {n}), ty(ElemType::F32, {m})});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ((*r)[0], ty(ElemType::F32, {Dim::unknown()}));
  r = add.infer({ty(ElemType::F32, {n, 3}), ty(ElemType::F32, {4})});
  ASSERT_FALSE(bool(r));
  expectError(llvm::toString(r.takeError()), "Add 'n': cannot broadcast shapes Nx3 and 4");

  OpTester less(OpKind::Less);
  auto c = less.infer({ty(ElemType::I64, {n, 1}), ty(ElemType::I64, {2})});
  ASSERT_TRUE(bool(c)) << llvm::toString(c.takeError());
  EXPECT_EQ((*c)[0], ty(ElemType::Bool, {n, 2}));

  OpTester where(OpKind::Where);
  auto w = where.infer({ty(ElemType::Bool, {n, 1}), ty(ElemType::F16, {1, 5}),
                        ty(ElemType::F16, {})});
  ASSERT_TRUE(bool(w)) << llvm::toString(w.takeError());
  EXPECT_EQ((*w)[0], ty(ElemType::F16, {n, 5}));

  OpTester cast(OpKind::Cast);
  cast.attr(AttrName::to, ElemType::F16);
  auto k = cast.infer({ty(ElemType::I32, {n, 2})});
  ASSERT_TRUE(bool(k)) << llvm::toString(k.takeError());
  EXPECT_EQ((*k)[0], ty(ElemType::F16, {n, 2}));
}

TEST(ElementwiseInferTest, IdentityKeepsQuantization) {
  Type q = ty(ElemType::U8, {4});
  q.quant = ir::QuantParams{{0.5}, {128}, std::nullopt, 0};
  OpTester id(OpKind::Identity);
  auto r = id.infer({q});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ((*r)[0], q);
}

TEST(ElementwiseInferTest, DropoutResultsAndConstantTrainingMode) {
  OpTester dropout(OpKind::Dropout, 2);
  auto r = dropout.infer({ty(ElemType::F32, {Dim::symbol("B"), 8})});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1], ty(ElemType::Bool, {Dim::symbol("B"), 8}));
  Tensor on = ints(ElemType::Bool, {}, {1});
  auto t = dropout.infer({ty(ElemType::F32, {8}), std::nullopt, on.type()},
                         {nullptr, nullptr, &on});
  ASSERT_FALSE(bool(t));
  expectError(llvm::toString(t.takeError()), "training mode not supported");
}

TEST(ElementwiseInferTest, TypeErrorsNameTheNode) {
  auto errorOf = [](OpTester &op, std::vector<std::optional<Type>> types) {
    auto r = op.infer(std::move(types));
    return r ? std::string() : llvm::toString(r.takeError());
  };
  Type i32 = ty(ElemType::I32, {2}), f32 = ty(ElemType::F32, {2});
  OpTester sqrt(OpKind::Sqrt);
  expectError(errorOf(sqrt, {i32}), "Sqrt 'n': input 0 has element type i32; expected a float");
  OpTester add(OpKind::Add);
  expectError(errorOf(add, {f32, i32}),
              "Add 'n': input 1 has element type i32 but input 0 has f32");
  expectError(errorOf(add, {ty(ElemType::I4, {2}), ty(ElemType::I4, {2})}), "i4");
  OpTester neg(OpKind::Neg);
  expectError(errorOf(neg, {ty(ElemType::U8, {2})}), "Neg 'n': input 0 has element type u8");
  OpTester sum(OpKind::Sum);
  expectError(errorOf(sum, {i32, i32}), "Sum 'n'");
  OpTester pow(OpKind::Pow);
  expectError(errorOf(pow, {ty(ElemType::I8, {2}), i32}), "Pow 'n': input 0 has element type i8");
  OpTester gelu(OpKind::Gelu);
  gelu.attr(AttrName::approximate, std::string("fast"));
  expectError(errorOf(gelu, {f32}), "Gelu 'n': approximate must be 'none' or 'tanh'");
  OpTester cast(OpKind::Cast);
  expectError(errorOf(cast, {f32}), "Cast 'n': attribute 'to' is required");
  OpTester clip(OpKind::Clip);
  expectError(errorOf(clip, {f32, ty(ElemType::F32, {3})}), "min must be a scalar");
  expectError(errorOf(clip, {f32, std::nullopt, ty(ElemType::F64, {})}), "must match");
  OpTester prelu(OpKind::PRelu);
  expectError(errorOf(prelu, {ty(ElemType::I8, {2}), ty(ElemType::I8, {2})}), "PRelu 'n'");
  OpTester maxOp(OpKind::Max);
  expectError(errorOf(maxOp, {f32, std::nullopt}), "Max 'n': input 1 is missing");
}

} // namespace
} // namespace qc::interp
