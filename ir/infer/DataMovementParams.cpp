// The parameter rules of the data-movement ops shared by shape inference and
// the kernels, and the helpers their inference rules share.
#include "ir/infer/DataMovementParams.h"
#include "ir/infer/InferRules.h"

#include <algorithm>

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

//===----------------------------------------------------------------------===//
// Shared parameter rules
//===----------------------------------------------------------------------===//

namespace {
llvm::Error plainError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
} // namespace

llvm::Expected<std::vector<int64_t>>
normalizeAxisList(llvm::ArrayRef<int64_t> axes, int64_t rank, llvm::StringRef what) {
  std::vector<int64_t> out;
  std::vector<bool> seen(size_t(std::max<int64_t>(rank, 0)), false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      return plainError(llvm::formatv("{0} value {1} is out of range for rank {2}",
                                      what, a, rank));
    int64_t n = a < 0 ? a + rank : a;
    if (seen[size_t(n)])
      return plainError(llvm::formatv("{0} names axis {1} twice", what, n));
    seen[size_t(n)] = true;
    out.push_back(n);
  }
  return out;
}

llvm::Expected<SliceParams>
parseSliceParams(int64_t rank, llvm::ArrayRef<int64_t> starts,
                 llvm::ArrayRef<int64_t> ends,
                 const std::optional<std::vector<int64_t>> &axes,
                 const std::optional<std::vector<int64_t>> &steps) {
  size_t n = starts.size();
  if (ends.size() != n)
    return plainError(llvm::formatv("starts has {0} values but ends has {1}", n,
                                    ends.size()));
  if (axes && axes->size() != n)
    return plainError(llvm::formatv("starts has {0} values but axes has {1}", n,
                                    axes->size()));
  if (steps && steps->size() != n)
    return plainError(llvm::formatv("starts has {0} values but steps has {1}", n,
                                    steps->size()));
  SliceParams p;
  if (axes) {
    auto normalized = normalizeAxisList(*axes, rank, "axes");
    if (!normalized)
      return normalized.takeError();
    p.axes = std::move(*normalized);
  } else {
    if (int64_t(n) > rank)
      return plainError(llvm::formatv("starts has {0} values but the input has rank {1}",
                                      n, rank));
    for (size_t i = 0; i < n; ++i)
      p.axes.push_back(int64_t(i));
  }
  p.starts.assign(starts.begin(), starts.end());
  p.ends.assign(ends.begin(), ends.end());
  p.steps = steps ? *steps : std::vector<int64_t>(n, 1);
  for (size_t i = 0; i < n; ++i)
    if (p.steps[i] == 0)
      return plainError(llvm::formatv("step for axis {0} is 0", p.axes[i]));
  return p;
}

SliceRange resolveSliceRange(int64_t dim, int64_t start, int64_t end, int64_t step) {
  SliceRange r;
  r.step = step;
  if (dim == 0)
    return r;
  if (start < 0)
    start += dim; // cannot overflow: dim > 0 and start < 0
  if (end < 0)
    end += dim;
  if (step > 0) {
    r.start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    if (end > r.start)
      r.size = (end - r.start - 1) / step + 1;
  } else {
    r.start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    // -step overflows for INT64_MIN; unsigned arithmetic does not.
    uint64_t stride = uint64_t(0) - uint64_t(step);
    if (r.start > end)
      r.size = int64_t(uint64_t(r.start - end - 1) / stride + 1);
  }
  return r;
}

llvm::Expected<std::vector<std::pair<int64_t, int64_t>>>
parsePadAmounts(int64_t rank, llvm::ArrayRef<int64_t> pads,
                const std::optional<std::vector<int64_t>> &axes) {
  std::vector<int64_t> padded;
  if (axes) {
    auto normalized = normalizeAxisList(*axes, rank, "axes");
    if (!normalized)
      return normalized.takeError();
    padded = std::move(*normalized);
  } else {
    for (int64_t i = 0; i < rank; ++i)
      padded.push_back(i);
  }
  if (pads.size() != 2 * padded.size())
    return plainError(llvm::formatv("pads has {0} values, expected {1} (2 per padded axis)",
                                    pads.size(), 2 * padded.size()));
  std::vector<std::pair<int64_t, int64_t>> amounts(size_t(rank), {0, 0});
  for (size_t i = 0; i < padded.size(); ++i)
    amounts[size_t(padded[i])] = {pads[i], pads[i + padded.size()]};
  return amounts;
}

std::pair<int64_t, int64_t> shapeOpBounds(int64_t rank, int64_t start,
                                          std::optional<int64_t> end) {
  auto clampIndex = [&](int64_t i) {
    return std::clamp<int64_t>(i < 0 ? i + rank : i, 0, rank);
  };
  int64_t first = clampIndex(start);
  int64_t last = end ? clampIndex(*end) : rank;
  return {first, std::max(first, last)};
}

namespace dm {

std::optional<QuantParams> carryQuant(const Type &in, AxisMap mapAxis) {
  if (!in.quant || in.quant->isPerTensor())
    return in.quant;
  std::optional<int64_t> axis = mapAxis(*in.quant->axis);
  if (!axis)
    return std::nullopt;
  QuantParams q = *in.quant;
  q.axis = *axis;
  return q;
}

Type resultType(const Type &in, Shape shape, AxisMap mapAxis) {
  Type t(in.elem, std::move(shape));
  t.quant = carryQuant(in, mapAxis);
  return t;
}

std::vector<Dim> unknownDims(size_t rank) {
  return std::vector<Dim>(rank, Dim::unknown());
}

Dim productDim(llvm::ArrayRef<Dim> dims) {
  int64_t product = 1;
  bool overflow = false; // only for malformed static dims
  const Dim *nonStatic = nullptr;
  size_t numNonStatic = 0;
  for (const Dim &d : dims) {
    if (d.isStatic() && d.value() == 0)
      return Dim(0);
    if (d.isStatic()) {
      if (__builtin_mul_overflow(product, d.value(), &product))
        overflow = true;
    } else {
      nonStatic = &d;
      ++numNonStatic;
    }
  }
  if (overflow)
    return Dim::unknown();
  if (numNonStatic == 0)
    return Dim(product);
  if (numNonStatic == 1 && product == 1)
    return *nonStatic;
  return Dim::unknown();
}

llvm::Error checkResultSize(const InferContext &ctx, const Shape &shape) {
  if (!shape.isRanked())
    return llvm::Error::success();
  int64_t n = 1;
  for (const Dim &d : shape.dims()) {
    if (!d.isStatic() || d.value() == 0)
      continue;
    if (d.value() > kMaxResultElements || n > kMaxResultElements / d.value())
      return ctx.error(llvm::formatv("result shape {0} has more than {1} elements",
                                     shape.str(), kMaxResultElements));
    n *= d.value();
  }
  return llvm::Error::success();
}

llvm::Expected<std::optional<std::vector<int64_t>>>
indexList(const InferContext &ctx, size_t i, llvm::StringRef what,
          bool allowScalar) {
  if (!ctx.has(i))
    return std::nullopt;
  const Type &t = ctx.type(i);
  if (!isIntegerType(t.elem))
    return ctx.error(llvm::formatv("{0} must be an integer tensor, got {1}", what,
                                   elemTypeName(t.elem)));
  if (t.shape.isRanked() && t.shape.rank() != 1 &&
      !(allowScalar && t.shape.rank() == 0))
    return ctx.error(llvm::formatv("{0} must be 1-D, got shape {1}", what,
                                   t.shape.isRanked() && t.shape.rank() == 0
                                       ? std::string("scalar")
                                       : t.shape.str()));
  if (const Tensor *v = ctx.value(i))
    return std::optional<std::vector<int64_t>>(toInt64s(*v));
  return std::nullopt;
}

std::optional<int64_t> indexListLength(const InferContext &ctx, size_t i) {
  if (!ctx.has(i))
    return std::nullopt;
  if (const Tensor *v = ctx.value(i))
    return v->numElements();
  const Shape &s = ctx.shape(i);
  if (s.isRanked() && s.rank() == 0)
    return 1;
  if (s.isRanked() && s.rank() == 1 && s[0].isStatic())
    return s[0].value();
  return std::nullopt;
}

llvm::Error wrap(const InferContext &ctx, llvm::Error e) {
  return ctx.error(llvm::toString(std::move(e)));
}

std::string listStr(llvm::ArrayRef<int64_t> values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

} // namespace dm
} // namespace qc::ir::infer
