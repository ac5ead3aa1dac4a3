// Reference kernels for the elementwise family: arithmetic, activations,
// comparisons, logic, Cast, Identity and Dropout. Cast and the rounding
// helpers shared with it live in ElementwiseCast.cpp.
#include "interp/kernels/ElementwiseUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <optional>

#include "llvm/Support/FormatVariadic.h"

namespace qc::interp::kernels {

using ir::ElemType;
using ir::Tensor;
using namespace elementwise;

namespace {

// Wrapping integer arithmetic (done in uint64: no signed overflow UB; the
// store to a narrower type then wraps like a C cast). Floats: plain math in
// double, rounded to the element type by the caller. A single + - * / of two
// f32 (or f16/bf16) values computed in double and rounded once equals the
// f32 (f16/bf16) operation bit for bit: double has more than 2p+2 bits.
template <typename C> C addOf(C a, C b) {
  if constexpr (std::is_integral_v<C>)
    return C(uint64_t(a) + uint64_t(b));
  else
    return a + b;
}
template <typename C> C subOf(C a, C b) {
  if constexpr (std::is_integral_v<C>)
    return C(uint64_t(a) - uint64_t(b));
  else
    return a - b;
}
template <typename C> C mulOf(C a, C b) {
  if constexpr (std::is_integral_v<C>)
    return C(uint64_t(a) * uint64_t(b));
  else
    return a * b;
}
template <typename C> C negOf(C a) {
  if constexpr (std::is_integral_v<C>)
    return C(uint64_t(0) - uint64_t(a));
  else
    return -a;
}
// NaN-propagating min/max (numpy minimum/maximum, ONNX Min/Max/Clip).
template <typename C> C minOf(C a, C b) {
  if constexpr (std::is_floating_point_v<C>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<C>::quiet_NaN();
  return b < a ? b : a;
}
template <typename C> C maxOf(C a, C b) {
  if constexpr (std::is_floating_point_v<C>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<C>::quiet_NaN();
  return a < b ? b : a;
}

// Applies `step` left to right over all (broadcast) inputs into ctx.out():
// acc = in0, acc = step(acc, in_k). Float results are rounded to the element
// type after every step, as a chain of binary ONNX ops would round.
template <typename C, typename Step>
void foldInputs(EvalContext &ctx, Step step) {
  Tensor &out = ctx.out();
  std::vector<std::vector<int64_t>> maps;
  for (size_t k = 0; k < ctx.inputs.size(); ++k)
    maps.push_back(broadcastIndexMap(out.dims(), ctx.in(k).dims()));
  ElemType t = out.elemType();
  for (int64_t i = 0; i < out.numElements(); ++i) {
    C acc = load<C>(ctx.in(0), maps[0][size_t(i)]);
    for (size_t k = 1; k < maps.size(); ++k)
      acc = roundStep(t, step(acc, load<C>(ctx.in(k), maps[k][size_t(i)])));
    store(out, i, acc);
  }
}

// out[i] = f(in0[i]) in compute type C.
template <typename C, typename F> void mapUnary(EvalContext &ctx, F f) {
  const Tensor &in = ctx.in(0);
  Tensor &out = ctx.out();
  for (int64_t i = 0; i < out.numElements(); ++i)
    store(out, i, C(f(load<C>(in, i))));
}

// A float-only unary op (inference rejected other types): f in double,
// rounded once to the element type.
template <typename F> llvm::Error unaryFloat(EvalContext &ctx, F f) {
  mapUnary<double>(ctx, [&](double x) { return f(x); });
  return llvm::Error::success();
}

// A comparison: out[i] = pred(a[i], b[i]) as bool, broadcasting.
template <typename Pred> llvm::Error compare(EvalContext &ctx, Pred pred) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor &out = ctx.out();
  auto mapA = broadcastIndexMap(out.dims(), a.dims());
  auto mapB = broadcastIndexMap(out.dims(), b.dims());
  dispatchCompute(a.elemType(), [&]<typename C>() {
    for (int64_t i = 0; i < out.numElements(); ++i)
      out.setInt(i, pred(load<C>(a, mapA[size_t(i)]), load<C>(b, mapB[size_t(i)])));
  });
  return llvm::Error::success();
}

// A single-element operand (Clip bounds, Dropout flags).
llvm::Error checkScalar(EvalContext &ctx, size_t i, llvm::StringRef name) {
  if (ctx.in(i).numElements() == 1)
    return llvm::Error::success();
  return ctx.error(llvm::formatv("{0} must be a scalar, got {1} elements", name,
                                 ctx.in(i).numElements()));
}

// Integer base raised to an integer exponent, wrapping like repeated
// multiplication. A negative exponent truncates 1/base^-e toward zero.
llvm::Expected<int64_t> intPow(EvalContext &ctx, int64_t base, bool expNegative,
                               uint64_t expMagnitude) {
  if (expNegative) {
    if (base == 0)
      return ctx.error(llvm::formatv("integer 0 raised to the negative power -{0}",
                                     expMagnitude));
    if (base == 1)
      return 1;
    if (base == -1)
      return (expMagnitude & 1) ? -1 : 1;
    return 0;
  }
  uint64_t result = 1, factor = uint64_t(base);
  for (uint64_t e = expMagnitude; e != 0; e >>= 1) {
    if (e & 1)
      result *= factor;
    factor *= factor;
  }
  return int64_t(result);
}

} // namespace

llvm::Error evalAdd(EvalContext &ctx) {
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    foldInputs<C>(ctx, [](C a, C b) { return addOf(a, b); });
  });
  return llvm::Error::success();
}

llvm::Error evalSub(EvalContext &ctx) {
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    foldInputs<C>(ctx, [](C a, C b) { return subOf(a, b); });
  });
  return llvm::Error::success();
}

llvm::Error evalMul(EvalContext &ctx) {
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    foldInputs<C>(ctx, [](C a, C b) { return mulOf(a, b); });
  });
  return llvm::Error::success();
}

llvm::Error evalDiv(EvalContext &ctx) {
  bool divisionByZero = false;
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    foldInputs<C>(ctx, [&](C a, C b) -> C {
      if constexpr (std::is_integral_v<C>) {
        // Integer division truncates toward zero; MIN / -1 wraps to MIN.
        if (b == 0) {
          divisionByZero = true;
          return 0;
        }
        if constexpr (std::is_signed_v<C>)
          if (b == -1)
            return negOf(a);
      }
      return a / b;
    });
  });
  if (divisionByZero)
    return ctx.error("integer division by zero");
  return llvm::Error::success();
}

llvm::Error evalPow(EvalContext &ctx) {
  const Tensor &base = ctx.in(0), &exponent = ctx.in(1);
  Tensor &out = ctx.out();
  auto mapB = broadcastIndexMap(out.dims(), base.dims());
  auto mapE = broadcastIndexMap(out.dims(), exponent.dims());
  bool intBase = !ir::isFloatType(base.elemType());
  bool intExponent = !ir::isFloatType(exponent.elemType());
  for (int64_t i = 0; i < out.numElements(); ++i) {
    int64_t bi = mapB[size_t(i)], ei = mapE[size_t(i)];
    if (intBase && intExponent) {
      int64_t e = exponent.getInt(ei); // u64 exponents keep their bits
      bool negative = ir::isSignedType(exponent.elemType()) && e < 0;
      uint64_t magnitude = negative ? uint64_t(0) - uint64_t(e) : uint64_t(e);
      auto r = intPow(ctx, base.getInt(bi), negative, magnitude);
      if (!r)
        return r.takeError();
      out.setInt(i, *r);
    } else if (intBase) {
      // numpy: int ** float is computed in double, then cast back (here
      // truncating and saturating like Cast).
      double r = std::pow(double(base.getInt(bi)), exponent.getDouble(ei));
      out.setInt(i, floatToIntBits(r, out.elemType()));
    } else {
      store(out, i, std::pow(base.getDouble(bi), exponent.getDouble(ei)));
    }
  }
  return llvm::Error::success();
}

llvm::Error evalMin(EvalContext &ctx) {
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    foldInputs<C>(ctx, [](C a, C b) { return minOf(a, b); });
  });
  return llvm::Error::success();
}

llvm::Error evalMax(EvalContext &ctx) {
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    foldInputs<C>(ctx, [](C a, C b) { return maxOf(a, b); });
  });
  return llvm::Error::success();
}

llvm::Error evalSum(EvalContext &ctx) {
  foldInputs<double>(ctx, [](double a, double b) { return a + b; });
  return llvm::Error::success();
}

llvm::Error evalMean(EvalContext &ctx) {
  // The rounded sum divided by the count, rounded again (numpy / ORT order).
  foldInputs<double>(ctx, [](double a, double b) { return a + b; });
  Tensor &out = ctx.out();
  double count = double(ctx.inputs.size());
  for (int64_t i = 0; i < out.numElements(); ++i)
    store(out, i, out.getDouble(i) / count);
  return llvm::Error::success();
}

llvm::Error evalSqrt(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return std::sqrt(x); });
}

llvm::Error evalExp(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return std::exp(x); });
}

llvm::Error evalLog(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return std::log(x); });
}

llvm::Error evalErf(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return std::erf(x); });
}

llvm::Error evalNeg(EvalContext &ctx) {
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    mapUnary<C>(ctx, [](C x) { return negOf(x); });
  });
  return llvm::Error::success();
}

llvm::Error evalAbs(EvalContext &ctx) {
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    mapUnary<C>(ctx, [](C x) {
      if constexpr (std::is_floating_point_v<C>)
        return std::fabs(x);
      else if constexpr (std::is_signed_v<C>)
        return x < 0 ? negOf(x) : x; // abs(MIN) wraps to MIN
      else
        return x;
    });
  });
  return llvm::Error::success();
}

llvm::Error evalReciprocal(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return 1.0 / x; });
}

llvm::Error evalFloor(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return std::floor(x); });
}

llvm::Error evalCeil(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return std::ceil(x); });
}

llvm::Error evalRound(EvalContext &ctx) {
  // Half to even: nearbyint in the default rounding mode.
  return unaryFloat(ctx, [](double x) { return std::nearbyint(x); });
}

llvm::Error evalRelu(EvalContext &ctx) {
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    mapUnary<C>(ctx, [](C x) { return x < 0 ? C(0) : x; }); // NaN stays NaN
  });
  return llvm::Error::success();
}

llvm::Error evalLeakyRelu(EvalContext &ctx) {
  double alpha = ctx.node.getFloat(ir::AttrName::alpha);
  return unaryFloat(ctx, [&](double x) { return x < 0 ? alpha * x : x; });
}

llvm::Error evalPRelu(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &slope = ctx.in(1);
  Tensor &out = ctx.out();
  auto mapS = broadcastIndexMap(out.dims(), slope.dims());
  dispatchCompute(out.elemType(), [&]<typename C>() {
    for (int64_t i = 0; i < out.numElements(); ++i) {
      C v = load<C>(x, i);
      store(out, i, v < 0 ? mulOf(load<C>(slope, mapS[size_t(i)]), v) : v);
    }
  });
  return llvm::Error::success();
}

llvm::Error evalClip(EvalContext &ctx) {
  for (size_t i = 1; i < 3; ++i)
    if (ctx.has(i))
      if (llvm::Error e = checkScalar(ctx, i, i == 1 ? "min" : "max"))
        return e;
  dispatchCompute(ctx.out().elemType(), [&]<typename C>() {
    // Absent bounds do not clamp; min > max yields max (numpy clip).
    std::optional<C> lo, hi;
    if (ctx.has(1))
      lo = load<C>(ctx.in(1), 0);
    if (ctx.has(2))
      hi = load<C>(ctx.in(2), 0);
    mapUnary<C>(ctx, [&](C x) {
      if (lo)
        x = maxOf(x, *lo);
      if (hi)
        x = minOf(x, *hi);
      return x;
    });
  });
  return llvm::Error::success();
}

llvm::Error evalSigmoid(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

llvm::Error evalHardSigmoid(EvalContext &ctx) {
  double alpha = ctx.node.getFloat(ir::AttrName::alpha);
  double beta = ctx.node.getFloat(ir::AttrName::beta);
  return unaryFloat(ctx, [&](double x) {
    return std::max(0.0, std::min(1.0, alpha * x + beta));
  });
}

llvm::Error evalHardSwish(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) {
    return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5));
  });
}

llvm::Error evalTanh(EvalContext &ctx) {
  return unaryFloat(ctx, [](double x) { return std::tanh(x); });
}

llvm::Error evalGelu(EvalContext &ctx) {
  if (ctx.node.getString(ir::AttrName::approximate) == "tanh") {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    double k = std::sqrt(2.0 / std::numbers::pi);
    return unaryFloat(ctx, [&](double x) {
      return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
    });
  }
  // 0.5 x (1 + erf(x / sqrt(2)))
  return unaryFloat(ctx, [](double x) {
    return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2));
  });
}

llvm::Error evalWhere(EvalContext &ctx) {
  const Tensor &cond = ctx.in(0), &x = ctx.in(1), &y = ctx.in(2);
  Tensor &out = ctx.out();
  auto mapC = broadcastIndexMap(out.dims(), cond.dims());
  auto mapX = broadcastIndexMap(out.dims(), x.dims());
  auto mapY = broadcastIndexMap(out.dims(), y.dims());
  // Copies the selected element's bytes: exact for every element type.
  size_t bytes = ir::elemTypeStorageBytes(out.elemType());
  for (int64_t i = 0; i < out.numElements(); ++i) {
    bool pickX = cond.getInt(mapC[size_t(i)]) != 0;
    const Tensor &src = pickX ? x : y;
    int64_t si = pickX ? mapX[size_t(i)] : mapY[size_t(i)];
    std::memcpy(out.raw() + size_t(i) * bytes, src.raw() + size_t(si) * bytes, bytes);
  }
  return llvm::Error::success();
}

llvm::Error evalEqual(EvalContext &ctx) {
  return compare(ctx, [](auto a, auto b) { return a == b; });
}

llvm::Error evalLess(EvalContext &ctx) {
  return compare(ctx, [](auto a, auto b) { return a < b; });
}

llvm::Error evalLessOrEqual(EvalContext &ctx) {
  return compare(ctx, [](auto a, auto b) { return a <= b; });
}

llvm::Error evalGreater(EvalContext &ctx) {
  return compare(ctx, [](auto a, auto b) { return a > b; });
}

llvm::Error evalGreaterOrEqual(EvalContext &ctx) {
  return compare(ctx, [](auto a, auto b) { return a >= b; });
}

llvm::Error evalNot(EvalContext &ctx) {
  Tensor &out = ctx.out();
  for (int64_t i = 0; i < out.numElements(); ++i)
    out.setInt(i, ctx.in(0).getInt(i) == 0);
  return llvm::Error::success();
}

llvm::Error evalAnd(EvalContext &ctx) {
  return compare(ctx, [](auto a, auto b) { return a != 0 && b != 0; });
}

llvm::Error evalOr(EvalContext &ctx) {
  return compare(ctx, [](auto a, auto b) { return a != 0 || b != 0; });
}

llvm::Error evalIdentity(EvalContext &ctx) {
  ctx.out() = ctx.in(0);
  return llvm::Error::success();
}

llvm::Error evalDropout(EvalContext &ctx) {
  // Inference mode only: the output is the input, the mask all true.
  if (ctx.has(2)) {
    if (llvm::Error e = checkScalar(ctx, 2, "training_mode"))
      return e;
    if (ctx.in(2).getInt(0) != 0)
      return ctx.error("training mode not supported");
  }
  ctx.out(0) = ctx.in(0);
  if (ctx.outputs.size() > 1) {
    Tensor &mask = ctx.out(1);
    for (int64_t i = 0; i < mask.numElements(); ++i)
      mask.setInt(i, 1);
  }
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
