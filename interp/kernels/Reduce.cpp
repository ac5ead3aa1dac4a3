// Reference kernels for ReduceMean/Sum/Max/Min. Float inputs accumulate in
// double; integer inputs exactly in 64 bits (sums wrap to the output type as
// a sum in that type would). Reductions over an empty set give the identity
// of the operation: 0 for Sum, -inf/+inf (or the type's min/max) for
// Max/Min, NaN (0 for integers) for Mean.
#include "interp/kernels/ReduceWalk.h"

#include <cmath>
#include <cstring>

namespace qc::interp::kernels {

using ir::ElemType;
using ir::Tensor;

std::optional<std::vector<int64_t>> reduceIndexMap(const EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  int64_t rank = int64_t(x.rank());
  std::vector<bool> reduced(size_t(rank), false);
  bool anyAxis = false;
  if (ctx.has(1)) {
    // Shape inference already checked the axes (range, duplicates).
    const Tensor &axes = ctx.in(1);
    for (int64_t i = 0; i < axes.numElements(); ++i) {
      int64_t a = axes.getInt(i);
      reduced[size_t(a < 0 ? a + rank : a)] = true;
      anyAxis = true;
    }
  }
  if (!anyAxis) {
    if (ctx.node.getInt(ir::AttrName::noop_with_empty_axes))
      return std::nullopt;
    std::fill(reduced.begin(), reduced.end(), true);
  }
  // Output strides over the input's dims, 0 along reduced dims.
  std::vector<int64_t> outStrides(size_t(rank), 0);
  int64_t stride = 1;
  for (int64_t d = rank; d-- > 0;) {
    if (reduced[size_t(d)])
      continue;
    outStrides[size_t(d)] = stride;
    stride *= x.dims()[size_t(d)];
  }
  std::vector<int64_t> map(size_t(x.numElements()));
  std::vector<int64_t> index(size_t(rank), 0);
  int64_t out = 0;
  for (int64_t i = 0; i < x.numElements(); ++i) {
    map[size_t(i)] = out;
    for (int64_t d = rank; d-- > 0;) {
      ++index[size_t(d)];
      out += outStrides[size_t(d)];
      if (index[size_t(d)] < x.dims()[size_t(d)])
        break;
      out -= outStrides[size_t(d)] * index[size_t(d)];
      index[size_t(d)] = 0;
    }
  }
  return map;
}

namespace {

enum class ReduceKind { Mean, Sum, Max, Min };

void reduceFloat(const Tensor &x, const std::vector<int64_t> &map, ReduceKind kind,
                 Tensor &y) {
  int64_t n = y.numElements();
  double init = kind == ReduceKind::Max ? -INFINITY : kind == ReduceKind::Min ? INFINITY : 0.0;
  std::vector<double> acc(size_t(n), init);
  std::vector<int64_t> count(size_t(n), 0);
  for (int64_t i = 0; i < x.numElements(); ++i) {
    double v = x.getDouble(i);
    double &a = acc[size_t(map[size_t(i)])];
    ++count[size_t(map[size_t(i)])];
    switch (kind) {
    case ReduceKind::Mean:
    case ReduceKind::Sum: a += v; break;
    // NaN propagates, as numpy's maximum/minimum reductions do.
    case ReduceKind::Max: a = std::isnan(v) || v > a ? v : a; break;
    case ReduceKind::Min: a = std::isnan(v) || v < a ? v : a; break;
    }
  }
  for (int64_t o = 0; o < n; ++o) {
    double v = acc[size_t(o)];
    if (kind == ReduceKind::Mean)
      v = count[size_t(o)] ? v / double(count[size_t(o)]) : NAN;
    y.setDouble(o, v);
  }
}

void reduceInt(const Tensor &x, const std::vector<int64_t> &map, ReduceKind kind,
               Tensor &y) {
  int64_t n = y.numElements();
  ElemType t = x.elemType();
  bool unsigned64 = t == ElemType::U64;
  // Order two values of the type (u64 does not fit int64's order).
  auto less = [&](int64_t a, int64_t b) {
    return unsigned64 ? uint64_t(a) < uint64_t(b) : a < b;
  };
  int64_t lowest = unsigned64 ? 0 : ir::elemTypeMin(t);
  int64_t highest = unsigned64 ? int64_t(~uint64_t(0)) : ir::elemTypeMax(t);
  if (t == ElemType::Bool) {
    lowest = 0;
    highest = 1;
  }
  int64_t init = kind == ReduceKind::Max ? lowest : kind == ReduceKind::Min ? highest : 0;
  std::vector<int64_t> acc(size_t(n), init);
  std::vector<int64_t> count(size_t(n), 0);
  for (int64_t i = 0; i < x.numElements(); ++i) {
    int64_t v = x.getInt(i);
    int64_t &a = acc[size_t(map[size_t(i)])];
    ++count[size_t(map[size_t(i)])];
    switch (kind) {
    case ReduceKind::Mean:
    case ReduceKind::Sum: a = int64_t(uint64_t(a) + uint64_t(v)); break; // wraps
    case ReduceKind::Max: a = less(a, v) ? v : a; break;
    case ReduceKind::Min: a = less(v, a) ? v : a; break;
    }
  }
  for (int64_t o = 0; o < n; ++o) {
    int64_t v = acc[size_t(o)];
    if (kind == ReduceKind::Mean) {
      // The mean truncates toward zero, as the reference's float mean cast
      // back to the integer type.
      double sum = unsigned64 ? double(uint64_t(v)) : double(v);
      double mean = count[size_t(o)] ? std::trunc(sum / double(count[size_t(o)])) : 0.0;
      y.setDouble(o, mean);
      continue;
    }
    y.setInt(o, v);
  }
}

llvm::Error evalReduce(EvalContext &ctx, ReduceKind kind) {
  const Tensor &x = ctx.in(0);
  Tensor &y = ctx.out();
  std::optional<std::vector<int64_t>> map = reduceIndexMap(ctx);
  if (!map) {
    std::memcpy(y.raw(), x.raw(), x.byteSize());
    return llvm::Error::success();
  }
  if (ir::isFloatType(x.elemType()))
    reduceFloat(x, *map, kind, y);
  else
    reduceInt(x, *map, kind, y);
  return llvm::Error::success();
}

} // namespace

llvm::Error evalReduceMean(EvalContext &ctx) { return evalReduce(ctx, ReduceKind::Mean); }
llvm::Error evalReduceSum(EvalContext &ctx) { return evalReduce(ctx, ReduceKind::Sum); }
llvm::Error evalReduceMax(EvalContext &ctx) { return evalReduce(ctx, ReduceKind::Max); }
llvm::Error evalReduceMin(EvalContext &ctx) { return evalReduce(ctx, ReduceKind::Min); }

} // namespace qc::interp::kernels
