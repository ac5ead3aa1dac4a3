// fp32 elementwise kernels: one row loop over a broadcast qc_nd_shape,
// instantiated per operation (the op is a constant of the params block, so a
// specialized node keeps only its own loop), plus Cast. The math comes from
// MathApprox.h: branch-free, so every loop vectorizes.
#include "codegen/kernels/F32Elementwise.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/MathApprox.h"

namespace {

namespace ma = mathapprox;

#define QC_MATH_INLINE_LAMBDA __attribute__((always_inline))

QC_MATH_INLINE float quietNan() { return __builtin_nanf(""); }

// NaN-propagating min/max (numpy minimum/maximum, the interpreter's minOf).
QC_MATH_INLINE float minNan(float a, float b) {
  float m = b < a ? b : a;
  return (int(ma::isNan(a)) | int(ma::isNan(b))) ? quietNan() : m;
}
QC_MATH_INLINE float maxNan(float a, float b) {
  float m = a < b ? b : a;
  return (int(ma::isNan(a)) | int(ma::isNan(b))) ? quietNan() : m;
}

QC_MATH_INLINE bool isIntegral(float b) { return ma::floorf(b) == b; }

// a ** b as e^(b ln|a|) with the sign of a for odd integral b; NaN for a
// negative base with a non-integral exponent; x ** 0 = 1 ** y = 1.
QC_MATH_INLINE float powf(float a, float b) {
  float y = ma::expf(b * ma::logf(ma::absf(a)));
  float half = b * 0.5f;
  bool integral = isIntegral(b);
  bool odd = int(integral) & int(ma::absf(b) < 16777216.0f) & int(!isIntegral(half));
  y = (int(a < 0.0f) & int(odd)) ? -y : y;
  y = (int(a < 0.0f) & int(!integral)) ? quietNan() : y;
  y = b == 0.0f ? 1.0f : y;
  return a == 1.0f ? 1.0f : y;
}

// x ** e for the constant exponent of a node: exact forms for the common
// ones (x*x is what the reference's pow rounds to; sqrt is correctly
// rounded; pow(-0, 0.5) = +0 and pow(-inf, 0.5) = inf unlike sqrt).
QC_MATH_INLINE float powConst(float x, float e) {
  if (e == 2.0f)
    return x * x;
  if (e == 1.0f)
    return x;
  if (e == 0.5f) {
    float s = __builtin_sqrtf(x);
    s = x == 0.0f ? 0.0f : s;
    return x == -__builtin_inff() ? __builtin_inff() : s;
  }
  if (e == -1.0f)
    return 1.0f / x;
  if (e == 3.0f) {
    // x^3 rounded once: the square in double is exact.
    double d = double(x) * double(x);
    return float(d * double(x));
  }
  return powf(x, e);
}

QC_MATH_INLINE float unary(int op, float x, float alpha, float beta) {
  switch (op) {
  case QC_F32_NEG: return -x;
  case QC_F32_ABS: return ma::absf(x);
  case QC_F32_SQRT: return __builtin_sqrtf(x);
  case QC_F32_RECIPROCAL: return 1.0f / x;
  case QC_F32_EXP: return ma::expf(x);
  case QC_F32_LOG: return ma::logf(x);
  case QC_F32_ERF: return ma::erff(x);
  case QC_F32_TANH: return ma::tanhf(x);
  case QC_F32_SIGMOID: return ma::sigmoidf(x);
  case QC_F32_RELU: return x < 0.0f ? 0.0f : x;
  case QC_F32_LEAKY_RELU: {
    float s = alpha * x;
    return x < 0.0f ? s : x;
  }
  case QC_F32_CLIP: return minNan(maxNan(x, alpha), beta);
  case QC_F32_HARD_SIGMOID: {
    // max(0, min(1, alpha x + beta)) with std::min/max's NaN behaviour (the
    // reference's: NaN gives 1), alpha x + beta rounded once.
    float v = float(double(alpha) * double(x) + double(beta));
    v = v < 1.0f ? v : 1.0f;
    return 0.0f < v ? v : 0.0f;
  }
  case QC_F32_HARD_SWISH: {
    double v = double(x) / 6.0 + 0.5;
    v = v < 1.0 ? v : 1.0;
    v = 0.0 < v ? v : 0.0;
    return float(double(x) * v);
  }
  case QC_F32_GELU_ERF: return ma::geluErf(x);
  case QC_F32_GELU_TANH: return ma::geluTanh(x);
  case QC_F32_FLOOR: return ma::floorf(x);
  case QC_F32_CEIL: return ma::ceilf(x);
  case QC_F32_ROUND: return ma::roundEven(x);
  case QC_F32_POW_CONST: return powConst(x, alpha);
  default: return x;
  }
}

QC_MATH_INLINE float binary(int op, float a, float b) {
  switch (op) {
  case QC_F32_ADD:
  case QC_F32_MEAN: return a + b;
  case QC_F32_SUB: return a - b;
  case QC_F32_MUL: return a * b;
  case QC_F32_DIV: return a / b;
  case QC_F32_POW: return powf(a, b);
  case QC_F32_MIN: return minNan(a, b);
  case QC_F32_MAX: return maxNan(a, b);
  case QC_F32_PRELU: {
    float s = a * b;
    return a < 0.0f ? s : a;
  }
  default: return a;
  }
}

// out[i] = f(a[i], b[i], c[i]) over one row: the unit-stride case written
// out so the native (unspecialized) kernel vectorizes too; in specialized
// code the strides are constants and the general loop vectorizes alike.
// Vector width of the loops: AVX-512 kernels are compiled with
// -mtune=generic, which would otherwise keep the vectorizer at ymm.
#if defined(QC_ISA_AVX512VNNI)
#define QC_F32_VECTORIZE _Pragma("clang loop vectorize_width(16) interleave_count(2)")
#else
#define QC_F32_VECTORIZE _Pragma("clang loop vectorize(enable) interleave_count(2)")
#endif

template <bool kUnit, class F>
QC_MATH_INLINE void rowLoop(float *o, const float *a, const float *b, const float *c, int64_t n,
                    const int64_t *s, F f) {
  if constexpr (kUnit) {
    QC_F32_VECTORIZE
    for (int64_t i = 0; i < n; ++i)
      o[i] = f(a[i], b[i], c[i]);
  } else {
    QC_F32_VECTORIZE
    for (int64_t i = 0; i < n; ++i)
      o[i * s[0]] = f(a[i * s[1]], b[i * s[2]], c[i * s[3]]);
  }
}

template <class F>
void runRows(const qc_f32_elementwise_params &p, float *out, const float *const *src,
             int64_t unitBegin, int64_t unitEnd, F f) {
  const qc_nd_shape &nd = p.nd;
  int64_t s[4] = {1, 0, 0, 0};
  const int inner = nd.rank - 1;
  for (int i = 0; i < nd.num_operands; ++i)
    s[i] = nd.strides[i][inner];
  // Absent inputs alias input 0 (never read: f ignores them).
  for (int i = nd.num_operands; i < 4; ++i)
    s[i] = s[1];
  bool unit = s[0] == 1 && s[1] == 1 && s[2] == 1 && s[3] == 1;
  for (int64_t u = unitBegin; u < unitEnd; ++u) {
    int64_t row = u / p.chunks_per_row;
    int64_t first = (u % p.chunks_per_row) * p.chunk;
    int64_t count = nd.dims[inner] - first;
    count = count < p.chunk ? count : p.chunk;
    int64_t off[QC_ND_MAX_OPERANDS];
    ndRowOffsets(nd, row, off);
    for (int i = 0; i < 4; ++i)
      off[i] += first * s[i];
    for (int i = nd.num_operands; i < 4; ++i)
      off[i] = off[1];
    float *o = out + off[0];
    const float *a = src[0] + off[1];
    const float *b = src[1] + off[2];
    const float *c = src[2] + off[3];
    if (unit)
      rowLoop<true>(o, a, b, c, count, s, f);
    else
      rowLoop<false>(o, a, b, c, count, s, f);
  }
}

// Instantiates the row loop for one op with the arity of the node.
template <int kOp>
void runOp(const qc_f32_elementwise_params &p, float *out, const float *const *src,
           int64_t u0, int64_t u1) {
  const float alpha = p.alpha, beta = p.beta;
  if constexpr (kOp >= QC_F32_NEG) {
    runRows(p, out, src, u0, u1,
            [=](float a, float, float) QC_MATH_INLINE_LAMBDA { return unary(kOp, a, alpha, beta); });
  } else if constexpr (kOp == QC_F32_MEAN) {
    const float count = float(p.num_inputs);
    if (p.num_inputs == 3)
      runRows(p, out, src, u0, u1, [=](float a, float b, float c) QC_MATH_INLINE_LAMBDA {
        float sum = a + b;
        sum = sum + c;
        return sum / count;
      });
    else if (p.num_inputs == 2)
      runRows(p, out, src, u0, u1, [=](float a, float b, float) QC_MATH_INLINE_LAMBDA {
        float sum = a + b;
        return sum / count;
      });
    else
      runRows(p, out, src, u0, u1, [](float a, float, float) QC_MATH_INLINE_LAMBDA { return a; });
  } else {
    if (p.num_inputs == 3)
      runRows(p, out, src, u0, u1, [](float a, float b, float c) QC_MATH_INLINE_LAMBDA {
        float ab = binary(kOp, a, b);
        return binary(kOp, ab, c);
      });
    else if (p.num_inputs == 2)
      runRows(p, out, src, u0, u1,
              [](float a, float b, float) QC_MATH_INLINE_LAMBDA { return binary(kOp, a, b); });
    else
      runRows(p, out, src, u0, u1, [](float a, float, float) QC_MATH_INLINE_LAMBDA { return a; });
  }
}


template <int kOp> void dispatch(int op, const qc_f32_elementwise_params &p, float *out,
                                 const float *const *src, int64_t u0, int64_t u1) {
  if constexpr (kOp < QC_F32_OP_COUNT) {
    if (op == kOp)
      return runOp<kOp>(p, out, src, u0, u1);
    return dispatch<kOp + 1>(op, p, out, src, u0, u1);
  }
}

// ---- Cast ----------------------------------------------------------------

template <class From, class To> inline To castOne(From v) {
  if constexpr (__is_same(To, bool)) {
    return v != From(0); // NaN != 0: true
  } else if constexpr (__is_same(From, float) && !__is_same(To, float)) {
    // Truncate toward zero, saturate, NaN -> 0. The bounds are the type's
    // limits as floats: values at or beyond them saturate.
    constexpr double kMin = __is_same(To, int64_t)   ? -9223372036854775808.0
                            : __is_same(To, int32_t) ? -2147483648.0
                            : __is_same(To, int8_t)  ? -128.0
                                                     : 0.0;
    constexpr double kMax = __is_same(To, int64_t)   ? 9223372036854775807.0
                            : __is_same(To, int32_t) ? 2147483647.0
                            : __is_same(To, int8_t)  ? 127.0
                                                     : 255.0;
    float t = v;
    t = t <= float(kMin) ? float(kMin) : t;
    bool high = v >= float(kMax);
    t = high ? 0.0f : t;
    t = ma::isNan(v) ? 0.0f : t;
    To r = To(t);
    To top = __is_same(To, int64_t)   ? To(9223372036854775807LL)
             : __is_same(To, int32_t) ? To(2147483647)
                                      : To(kMax);
    return high ? top : r;
  } else {
    return To(v); // int -> float rounds to nearest even; int -> int wraps
  }
}

template <class From, class To>
void castRows(const qc_cast_params &p, const void *in, void *out, int64_t r0, int64_t r1) {
  const From *src = static_cast<const From *>(in);
  To *dst = static_cast<To *>(out);
  ndForEachRow(p.nd, r0, r1, [&](const int64_t *off, int64_t n, const int64_t *s) {
    To *o = dst + off[0];
    const From *x = src + off[1];
    if (s[0] == 1 && s[1] == 1) {
      QC_F32_VECTORIZE
      for (int64_t i = 0; i < n; ++i)
        o[i] = castOne<From, To>(x[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        o[i * s[0]] = castOne<From, To>(x[i * s[1]]);
    }
  });
}

template <class From>
void castFrom(const qc_cast_params &p, const void *in, void *out, int64_t r0, int64_t r1) {
  switch (p.to) {
  case QC_CAST_F32: return castRows<From, float>(p, in, out, r0, r1);
  case QC_CAST_I32: return castRows<From, int32_t>(p, in, out, r0, r1);
  case QC_CAST_I64: return castRows<From, int64_t>(p, in, out, r0, r1);
  case QC_CAST_U8: return castRows<From, uint8_t>(p, in, out, r0, r1);
  case QC_CAST_S8: return castRows<From, int8_t>(p, in, out, r0, r1);
  case QC_CAST_BOOL: return castRows<From, bool>(p, in, out, r0, r1);
  }
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(f32_elementwise)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_elementwise_params *>(params_);
  const float *src[3];
  for (int i = 0; i < 3; ++i) {
    int k = i < p.num_inputs ? i : 0;
    const void *base = p.src_kind[k] == QC_F32_SRC_CONST ? consts[p.src_slot[k]]
                                                         : in[p.src_slot[k]];
    src[i] = static_cast<const float *>(base);
  }
  int64_t u0 = task_begin * p.units_per_task;
  int64_t u1 = task_end * p.units_per_task;
  u1 = u1 < p.total_units ? u1 : p.total_units;
  dispatch<0>(p.op, p, static_cast<float *>(out[0]), src, u0, u1);
}

QC_KERNEL_EXTERN void QC_KERNEL(cast)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_cast_params *>(params_);
  int64_t rows = ndRows(p.nd);
  int64_t r0 = task_begin * p.rows_per_task;
  int64_t r1 = task_end * p.rows_per_task;
  r1 = r1 < rows ? r1 : rows;
  switch (p.from) {
  case QC_CAST_F32: return castFrom<float>(p, in[0], out[0], r0, r1);
  case QC_CAST_I32: return castFrom<int32_t>(p, in[0], out[0], r0, r1);
  case QC_CAST_I64: return castFrom<int64_t>(p, in[0], out[0], r0, r1);
  case QC_CAST_U8: return castFrom<uint8_t>(p, in[0], out[0], r0, r1);
  case QC_CAST_S8: return castFrom<int8_t>(p, in[0], out[0], r0, r1);
  case QC_CAST_BOOL: return castFrom<bool>(p, in[0], out[0], r0, r1);
  }
}
