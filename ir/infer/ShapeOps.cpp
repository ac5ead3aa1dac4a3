// Shape and type inference for the ops that reshape or create tensors:
// Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Shape, ConstantOfShape, Range.
#include "ir/infer/DataMovementParams.h"
#include "ir/infer/InferRules.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

using namespace dm;

//===----------------------------------------------------------------------===//
// Reshape, Flatten, Transpose, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

namespace {
// A product of dims split into its static part, its symbols (a multiset) and
// whether any dim is unknown.
struct DimProduct {
  int64_t staticPart = 1;
  std::map<std::string, int> symbols;
  bool hasUnknown = false;
  bool overflow = false;

  void add(const Dim &d) {
    if (d.isStatic())
      overflow |= __builtin_mul_overflow(staticPart, d.value(), &staticPart);
    else if (d.isSymbolic())
      ++symbols[d.symbolName()];
    else
      hasUnknown = true;
  }
};

std::optional<QuantParams> perTensorOnly(const Type &in) {
  return carryQuant(in, [](int64_t) -> std::optional<int64_t> { return std::nullopt; });
}
} // namespace

llvm::Expected<std::vector<Type>> inferReshape(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  auto shape = indexList(ctx, 1, "shape");
  if (!shape)
    return shape.takeError();
  Type result(in.elem, Shape::unranked());
  result.quant = perTensorOnly(in);
  if (!*shape) {
    if (std::optional<int64_t> n = indexListLength(ctx, 1))
      result.shape = Shape(unknownDims(size_t(*n)));
    return std::vector<Type>{result};
  }
  const std::vector<int64_t> &values = **shape;
  bool allowZero = ctx.node.getInt(AttrName::allowzero) != 0;
  int64_t inferred = -1; // position of the -1 entry
  bool hasZero = false;
  std::vector<Dim> dims;
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t v = values[i];
    if (v < -1)
      return ctx.error(llvm::formatv("shape value {0} is invalid", v));
    if (v == -1) {
      if (inferred >= 0)
        return ctx.error(llvm::formatv("shape {0} has more than one -1", listStr(values)));
      inferred = int64_t(i);
      dims.push_back(Dim::unknown());
    } else if (v == 0 && !allowZero) {
      // 0 copies the input's extent at the same position.
      if (!in.shape.isRanked()) {
        dims.push_back(Dim::unknown());
      } else if (i >= in.shape.rank()) {
        return ctx.error(llvm::formatv("shape {0} copies dim {1} (0), but the input has rank {2}",
                                       listStr(values), i, in.shape.rank()));
      } else {
        dims.push_back(in.shape[i]);
      }
    } else {
      hasZero |= v == 0;
      dims.push_back(Dim(v));
    }
  }
  if (hasZero && inferred >= 0)
    return ctx.error(llvm::formatv("shape {0} has both 0 (with allowzero) and -1",
                                   listStr(values)));
  if (!in.shape.isRanked()) {
    result.shape = Shape(std::move(dims));
    return std::vector<Type>{result};
  }

  DimProduct inProduct, outProduct;
  for (const Dim &d : in.shape.dims())
    inProduct.add(d);
  for (size_t i = 0; i < dims.size(); ++i)
    if (int64_t(i) != inferred)
      outProduct.add(dims[i]);
  auto mismatch = [&] {
    return ctx.error(llvm::formatv("cannot reshape {0} into shape {1}", in.shape.str(),
                                   listStr(values)));
  };
  if (inProduct.overflow || outProduct.overflow)
    return mismatch();
  if (inferred >= 0) {
    if (outProduct.staticPart == 0)
      return ctx.error(llvm::formatv("shape {0}: -1 cannot be inferred next to a 0 extent",
                                     listStr(values)));
    // Cancel the output's symbols against the input's; what remains of the
    // input is the -1 extent.
    std::map<std::string, int> remaining = inProduct.symbols;
    bool cancels = !inProduct.hasUnknown && !outProduct.hasUnknown;
    for (auto &[name, count] : outProduct.symbols) {
      auto it = remaining.find(name);
      if (it == remaining.end() || it->second < count) {
        cancels = false;
        break;
      }
      if ((it->second -= count) == 0)
        remaining.erase(it);
    }
    Dim &target = dims[size_t(inferred)];
    if (cancels && remaining.empty()) {
      if (inProduct.staticPart % outProduct.staticPart != 0)
        return mismatch();
      target = Dim(inProduct.staticPart / outProduct.staticPart);
    } else if (cancels && remaining.size() == 1 && remaining.begin()->second == 1 &&
               inProduct.staticPart == outProduct.staticPart) {
      target = Dim::symbol(remaining.begin()->first);
    }
  } else if (!inProduct.hasUnknown && !outProduct.hasUnknown &&
             inProduct.symbols == outProduct.symbols &&
             inProduct.staticPart != outProduct.staticPart) {
    return mismatch();
  }
  result.shape = Shape(std::move(dims));
  return std::vector<Type>{result};
}

llvm::Expected<std::vector<Type>> inferFlatten(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  Type result(in.elem, Shape(unknownDims(2)));
  result.quant = perTensorOnly(in);
  if (!in.shape.isRanked())
    return std::vector<Type>{result};
  int64_t rank = int64_t(in.shape.rank());
  int64_t axis = ctx.node.getInt(AttrName::axis);
  if (axis < -rank || axis > rank)
    return ctx.error(llvm::formatv("axis {0} is out of range for rank {1}", axis, rank));
  if (axis < 0)
    axis += rank;
  llvm::ArrayRef<Dim> dims = in.shape.dims();
  result.shape = Shape({productDim(dims.take_front(size_t(axis))),
                        productDim(dims.drop_front(size_t(axis)))});
  return std::vector<Type>{result};
}

llvm::Expected<std::vector<Type>> inferTranspose(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  const std::vector<int64_t> *permAttr = ctx.node.findInts(AttrName::perm);
  if (!in.shape.isRanked() && !permAttr)
    return std::vector<Type>{Type(in.elem, Shape::unranked())};
  int64_t rank = in.shape.isRanked() ? int64_t(in.shape.rank()) : int64_t(permAttr->size());
  std::vector<int64_t> perm;
  if (permAttr) {
    perm = *permAttr;
  } else {
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  }
  std::vector<bool> seen(size_t(rank), false);
  bool valid = int64_t(perm.size()) == rank;
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= rank || seen[size_t(p)]) {
      valid = false;
      break;
    }
    seen[size_t(p)] = true;
  }
  if (!valid)
    return ctx.error(llvm::formatv("perm {0} is not a permutation of the {1} input dims",
                                   listStr(perm), rank));
  std::vector<Dim> dims;
  for (int64_t p : perm)
    dims.push_back(in.shape.isRanked() ? in.shape[p] : Dim::unknown());
  return std::vector<Type>{resultType(in, Shape(std::move(dims)),
                                      [&](int64_t a) -> std::optional<int64_t> {
                                        return int64_t(std::find(perm.begin(), perm.end(), a) -
                                                       perm.begin());
                                      })};
}

llvm::Expected<std::vector<Type>> inferSqueeze(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  auto axes = indexList(ctx, 1, "axes", /*allowScalar=*/true);
  if (!axes)
    return axes.takeError();
  Type unranked(in.elem, Shape::unranked());
  unranked.quant = perTensorOnly(in);
  if (!in.shape.isRanked())
    return std::vector<Type>{unranked};
  int64_t rank = int64_t(in.shape.rank());
  std::vector<bool> squeezed(size_t(rank), false);
  if (*axes) {
    auto normalized = normalizeAxisList(**axes, rank, "axes");
    if (!normalized)
      return wrap(ctx, normalized.takeError());
    for (int64_t a : *normalized) {
      const Dim &d = in.shape[a];
      if (d.isStatic() && d.value() != 1)
        return ctx.error(llvm::formatv("cannot squeeze axis {0} of extent {1}", a, d.value()));
      squeezed[size_t(a)] = true; // a symbolic extent must be 1 at run time
    }
  } else if (ctx.has(1)) {
    // Which axes go is unknown, only how many.
    std::optional<int64_t> n = indexListLength(ctx, 1);
    if (!n)
      return std::vector<Type>{unranked};
    if (*n > rank)
      return ctx.error(llvm::formatv("axes has {0} values but the input has rank {1}", *n, rank));
    Type t(in.elem, Shape(unknownDims(size_t(rank - *n))));
    t.quant = unranked.quant;
    return std::vector<Type>{t};
  } else {
    // No axes: every extent-1 dim goes, which a non-static dim leaves open.
    for (int64_t a = 0; a < rank; ++a) {
      const Dim &d = in.shape[a];
      if (!d.isStatic())
        return std::vector<Type>{unranked};
      squeezed[size_t(a)] = d.value() == 1;
    }
  }
  std::vector<Dim> dims;
  for (int64_t a = 0; a < rank; ++a)
    if (!squeezed[size_t(a)])
      dims.push_back(in.shape[a]);
  return std::vector<Type>{resultType(in, Shape(std::move(dims)),
                                      [&](int64_t a) -> std::optional<int64_t> {
                                        if (squeezed[size_t(a)])
                                          return std::nullopt;
                                        return a - std::count(squeezed.begin(),
                                                              squeezed.begin() + a, true);
                                      })};
}

llvm::Expected<std::vector<Type>> inferUnsqueeze(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  auto axes = indexList(ctx, 1, "axes", /*allowScalar=*/true);
  if (!axes)
    return axes.takeError();
  Type unranked(in.elem, Shape::unranked());
  unranked.quant = perTensorOnly(in);
  if (!in.shape.isRanked())
    return std::vector<Type>{unranked};
  int64_t rank = int64_t(in.shape.rank());
  if (!*axes) {
    std::optional<int64_t> n = indexListLength(ctx, 1);
    if (!n)
      return std::vector<Type>{unranked};
    Type t(in.elem, Shape(unknownDims(size_t(rank + *n))));
    t.quant = unranked.quant;
    return std::vector<Type>{t};
  }
  int64_t outRank = rank + int64_t((*axes)->size());
  auto normalized = normalizeAxisList(**axes, outRank, "axes");
  if (!normalized)
    return wrap(ctx, normalized.takeError());
  std::vector<bool> inserted(size_t(outRank), false);
  for (int64_t a : *normalized)
    inserted[size_t(a)] = true;
  std::vector<Dim> dims;
  std::vector<int64_t> newPosition; // of each input dim
  for (int64_t o = 0, i = 0; o < outRank; ++o) {
    if (inserted[size_t(o)]) {
      dims.push_back(Dim(1));
    } else {
      dims.push_back(in.shape[i++]);
      newPosition.push_back(o);
    }
  }
  return std::vector<Type>{resultType(in, Shape(std::move(dims)),
                                      [&](int64_t a) -> std::optional<int64_t> {
                                        return newPosition[size_t(a)];
                                      })};
}

//===----------------------------------------------------------------------===//
// Shape, ConstantOfShape, Range
//===----------------------------------------------------------------------===//

// Shape stays an op even when every extent is static: the interpreter runs
// it like any other; folding it into a constant is the job of the
// canonicalization passes, not of inference.
llvm::Expected<std::vector<Type>> inferShape(const InferContext &ctx) {
  const Shape &in = ctx.shape(0);
  if (!in.isRanked())
    return std::vector<Type>{Type(ElemType::I64, Shape(unknownDims(1)))};
  auto [first, last] = shapeOpBounds(int64_t(in.rank()), ctx.node.getInt(AttrName::start),
                                     ctx.node.findInt(AttrName::end));
  return std::vector<Type>{Type(ElemType::I64, Shape({last - first}))};
}

llvm::Expected<std::vector<Type>> inferSize(const InferContext &ctx) {
  return std::vector<Type>{Type(ElemType::I64, Shape())};
}

llvm::Expected<std::vector<Type>> inferConstantOfShape(const InferContext &ctx) {
  ElemType elem = ElemType::F32;
  if (const Tensor *value = ctx.node.findTensor(AttrName::value)) {
    if (value->numElements() != 1)
      return ctx.error(llvm::formatv("value must have one element, it has {0}",
                                     value->numElements()));
    elem = value->elemType();
  }
  auto shape = indexList(ctx, 0, "shape");
  if (!shape)
    return shape.takeError();
  if (!*shape) {
    std::optional<int64_t> n = indexListLength(ctx, 0);
    return std::vector<Type>{Type(elem, n ? Shape(unknownDims(size_t(*n))) : Shape::unranked())};
  }
  for (int64_t v : **shape)
    if (v < 0)
      return ctx.error(llvm::formatv("shape {0} has a negative extent", listStr(**shape)));
  Shape out = Shape::fromStatic(**shape);
  if (llvm::Error e = checkResultSize(ctx, out))
    return e;
  return std::vector<Type>{Type(elem, std::move(out))};
}

namespace {
// Range's element count, max(ceil((limit - start) / delta), 0): the
// difference in the element type as ONNX Runtime does, the quotient in double.
llvm::Expected<int64_t> rangeCount(const InferContext &ctx, const Tensor &start,
                                   const Tensor &limit, const Tensor &delta) {
  ElemType t = start.elemType();
  double quotient;
  if (isFloatType(t)) {
    double diff = t == ElemType::F32 ? double(float(limit.getDouble(0)) - float(start.getDouble(0)))
                                     : limit.getDouble(0) - start.getDouble(0);
    double d = delta.getDouble(0);
    if (d == 0)
      return ctx.error("delta is 0");
    quotient = std::ceil(diff / d);
    if (!std::isfinite(quotient) && !std::isnan(quotient))
      return ctx.error("start, limit and delta give an infinite range");
    if (std::isnan(quotient))
      return ctx.error("start, limit or delta is NaN");
  } else {
    // Integers: exact in 128 bits, no overflow for any int64 operands.
    __int128 diff = __int128(limit.getInt(0)) - start.getInt(0);
    __int128 d = delta.getInt(0);
    if (d == 0)
      return ctx.error("delta is 0");
    if ((diff > 0) != (d > 0) || diff == 0)
      return int64_t(0);
    if (d < 0) {
      diff = -diff;
      d = -d;
    }
    __int128 count = (diff + d - 1) / d;
    if (count > kMaxResultElements)
      return ctx.error(llvm::formatv("the range has more than {0} elements", kMaxResultElements));
    return int64_t(count);
  }
  if (quotient <= 0)
    return int64_t(0);
  if (quotient > double(kMaxResultElements))
    return ctx.error(llvm::formatv("the range has more than {0} elements", kMaxResultElements));
  return int64_t(quotient);
}
} // namespace

llvm::Expected<std::vector<Type>> inferRange(const InferContext &ctx) {
  ElemType elem = ctx.type(0).elem;
  if (elem != ElemType::F32 && elem != ElemType::F64 && elem != ElemType::I16 &&
      elem != ElemType::I32 && elem != ElemType::I64)
    return ctx.error(llvm::formatv("element type {0} is not supported (f32, f64, i16, i32, "
                                   "i64)",
                                   elemTypeName(elem)));
  const char *names[] = {"start", "limit", "delta"};
  for (size_t i = 0; i < 3; ++i) {
    const Type &t = ctx.type(i);
    if (t.elem != elem)
      return ctx.error(llvm::formatv("{0} has element type {1}, start has {2}", names[i],
                                     elemTypeName(t.elem), elemTypeName(elem)));
    // A scalar; a one-element 1-D tensor is accepted too.
    int64_t n = t.shape.numElements();
    if (t.shape.isRanked() && (t.shape.rank() > 1 || (n >= 0 && n != 1)))
      return ctx.error(llvm::formatv("{0} must be a scalar, got shape {1}", names[i],
                                     t.shape.str()));
  }
  if (!ctx.value(0) || !ctx.value(1) || !ctx.value(2))
    return std::vector<Type>{Type(elem, Shape(unknownDims(1)))};
  auto count = rangeCount(ctx, *ctx.value(0), *ctx.value(1), *ctx.value(2));
  if (!count)
    return count.takeError();
  return std::vector<Type>{Type(elem, Shape({*count}))};
}

} // namespace qc::ir::infer
