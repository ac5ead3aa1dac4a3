// Shape and type inference for the data-movement ops that pick, join or
// pad elements: Concat, Split, Slice, Gather, Pad, Expand, Tile.
#include "ir/infer/DataMovementParams.h"
#include "ir/infer/InferRules.h"

#include <algorithm>
#include <limits>

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

using namespace dm;

namespace {
// Dims of equal-extent positions of several inputs (Concat): static beats
// symbolic, equal symbols stay, different symbols become unknown.
Dim mergeEqualDims(const Dim &a, const Dim &b) {
  if (a == b)
    return a;
  if (a.isStatic())
    return a;
  if (b.isStatic())
    return b;
  return Dim::unknown();
}

} // namespace

//===----------------------------------------------------------------------===//
// Concat, Split
//===----------------------------------------------------------------------===//

llvm::Expected<std::vector<Type>> inferConcat(const InferContext &ctx) {
  std::optional<int64_t> axisAttr = ctx.node.findInt(AttrName::axis);
  if (!axisAttr)
    return ctx.error("the axis attribute is required");
  const Type *first = nullptr; // the first ranked input
  for (size_t i = 0; i < ctx.numOperands(); ++i) {
    if (!ctx.has(i))
      return ctx.error(llvm::formatv("input {0} is missing", i));
    if (ctx.type(i).elem != ctx.type(0).elem)
      return ctx.error(llvm::formatv("input {0} has element type {1}, input 0 has {2}", i,
                                     elemTypeName(ctx.type(i).elem),
                                     elemTypeName(ctx.type(0).elem)));
    if (!first && ctx.shape(i).isRanked())
      first = &ctx.type(i);
  }
  bool sameQuant = true;
  for (size_t i = 1; i < ctx.numOperands(); ++i)
    sameQuant &= ctx.type(i).quant == ctx.type(0).quant;
  Type result(ctx.type(0).elem, Shape::unranked());
  if (!first) {
    if (sameQuant)
      result.quant = ctx.type(0).quant;
    return std::vector<Type>{result};
  }
  int64_t rank = int64_t(first->shape.rank());
  if (rank == 0)
    return ctx.error("cannot concatenate scalars");
  auto axis = normalizeAxis(ctx, *axisAttr, rank);
  if (!axis)
    return axis.takeError();

  std::vector<Dim> dims = first->shape.dims();
  bool axisKnown = true;
  int64_t axisExtent = 0;
  for (size_t i = 0; i < ctx.numOperands(); ++i) {
    const Shape &s = ctx.shape(i);
    if (!s.isRanked()) {
      axisKnown = false;
      continue;
    }
    if (int64_t(s.rank()) != rank)
      return ctx.error(llvm::formatv("input {0} has rank {1}, input of shape {2} has rank {3}",
                                     i, s.rank(), first->shape.str(), rank));
    for (int64_t d = 0; d < rank; ++d) {
      if (d == *axis)
        continue;
      if (s[d].isStatic() && dims[d].isStatic() && s[d].value() != dims[d].value())
        return ctx.error(llvm::formatv(
            "input {0} of shape {1} does not match shape {2} outside axis {3}", i,
            s.str(), first->shape.str(), *axis));
      dims[d] = mergeEqualDims(dims[d], s[d]);
    }
    if (s[*axis].isStatic())
      axisExtent += s[*axis].value();
    else
      axisKnown = false;
  }
  if (ctx.numOperands() > 1)
    dims[*axis] = axisKnown ? Dim(axisExtent) : Dim::unknown();
  result.shape = Shape(std::move(dims));
  if (sameQuant)
    result.quant = carryQuant(ctx.type(0), [&](int64_t a) -> std::optional<int64_t> {
      return a == *axis ? std::nullopt : std::optional<int64_t>(a);
    });
  return std::vector<Type>{result};
}

llvm::Expected<std::vector<Type>> inferSplit(const InferContext &ctx) {
  int64_t numResults = int64_t(ctx.node.numResults());
  if (numResults < 1)
    return ctx.error("has no results");
  std::optional<int64_t> numOutputs = ctx.node.findInt(AttrName::num_outputs);
  if (numOutputs && ctx.has(1))
    return ctx.error("takes either the split input or num_outputs, not both");
  if (numOutputs && *numOutputs != numResults)
    return ctx.error(llvm::formatv("num_outputs is {0} but the node has {1} results",
                                   *numOutputs, numResults));
  auto split = indexList(ctx, 1, "split");
  if (!split)
    return split.takeError();
  if (std::optional<int64_t> n = indexListLength(ctx, 1); n && *n != numResults)
    return ctx.error(llvm::formatv("split has {0} values but the node has {1} results",
                                   *n, numResults));
  const Type &in = ctx.type(0);
  if (!in.shape.isRanked())
    return std::vector<Type>(size_t(numResults), Type(in.elem, Shape::unranked()));
  int64_t rank = int64_t(in.shape.rank());
  if (rank == 0)
    return ctx.error("cannot split a scalar");
  auto axis = normalizeAxis(ctx, ctx.node.getInt(AttrName::axis), rank);
  if (!axis)
    return axis.takeError();
  const Dim &dim = in.shape[*axis];

  std::vector<Dim> sizes(size_t(numResults), Dim::unknown());
  if (*split) {
    int64_t sum = 0;
    for (size_t i = 0; i < (*split)->size(); ++i) {
      int64_t s = (**split)[i];
      if (s < 0)
        return ctx.error(llvm::formatv("split size {0} of result {1} is negative", s, i));
      sizes[i] = Dim(s);
      sum += s;
    }
    if (dim.isStatic() && sum != dim.value())
      return ctx.error(llvm::formatv("split sizes {0} sum to {1}, but axis {2} has extent {3}",
                                     listStr(**split), sum, *axis, dim.value()));
  } else if (ctx.has(1)) {
    // Sizes given but not known here: each unknown, unless there is only one.
    if (numResults == 1)
      sizes[0] = dim;
  } else if (numResults == 1) {
    sizes[0] = dim;
  } else if (dim.isStatic()) {
    int64_t extent = dim.value();
    if (numOutputs) {
      // Opset 18: chunks of ceil(extent / n), the last one smaller.
      int64_t chunk = (extent + numResults - 1) / numResults;
      int64_t last = extent - chunk * (numResults - 1);
      if (last < 0)
        return ctx.error(llvm::formatv("axis {0} of extent {1} cannot be split into {2} chunks "
                                       "of {3}",
                                       *axis, extent, numResults, chunk));
      std::fill(sizes.begin(), sizes.end(), Dim(chunk));
      sizes.back() = Dim(last);
    } else {
      if (extent % numResults != 0)
        return ctx.error(llvm::formatv("axis {0} of extent {1} cannot be split into {2} equal "
                                       "parts",
                                       *axis, extent, numResults));
      std::fill(sizes.begin(), sizes.end(), Dim(extent / numResults));
    }
  }

  std::vector<Type> results;
  for (const Dim &size : sizes) {
    Shape s = in.shape;
    s.dims()[*axis] = size;
    results.push_back(resultType(in, std::move(s), [&](int64_t a) -> std::optional<int64_t> {
      return a == *axis ? std::nullopt : std::optional<int64_t>(a);
    }));
  }
  return results;
}

//===----------------------------------------------------------------------===//
// Slice, Gather
//===----------------------------------------------------------------------===//

namespace {
// Whether a slice of a non-static extent surely keeps all of it (the usual
// "0 to INT_MAX" and "-1 to INT_MIN by -1" forms; extents past 2^31 are not
// realistic tensors).
bool isFullSlice(int64_t start, int64_t end, int64_t step) {
  constexpr int64_t kBig = std::numeric_limits<int32_t>::max();
  if (step == 1)
    return start == 0 && end >= kBig;
  if (step == -1)
    return (start == -1 || start >= kBig) && end <= -kBig;
  return false;
}
} // namespace

llvm::Expected<std::vector<Type>> inferSlice(const InferContext &ctx) {
  auto starts = indexList(ctx, 1, "starts");
  if (!starts)
    return starts.takeError();
  auto ends = indexList(ctx, 2, "ends");
  if (!ends)
    return ends.takeError();
  auto axes = indexList(ctx, 3, "axes");
  if (!axes)
    return axes.takeError();
  auto steps = indexList(ctx, 4, "steps");
  if (!steps)
    return steps.takeError();
  const Type &in = ctx.type(0);
  if (!in.shape.isRanked())
    return std::vector<Type>{Type(in.elem, Shape::unranked())};
  int64_t rank = int64_t(in.shape.rank());
  if (rank == 0)
    return ctx.error("cannot slice a scalar");

  std::vector<Dim> dims = in.shape.dims();
  std::vector<bool> sliced(size_t(rank), false);
  bool valuesKnown = *starts && *ends && (!ctx.has(3) || *axes) && (!ctx.has(4) || *steps);
  if (valuesKnown) {
    auto p = parseSliceParams(rank, **starts, **ends, *axes, *steps);
    if (!p)
      return wrap(ctx, p.takeError());
    for (size_t i = 0; i < p->axes.size(); ++i) {
      int64_t a = p->axes[i];
      sliced[size_t(a)] = true;
      if (dims[a].isStatic())
        dims[a] = Dim(resolveSliceRange(dims[a].value(), p->starts[i], p->ends[i],
                                        p->steps[i]).size);
      else if (!isFullSlice(p->starts[i], p->ends[i], p->steps[i]))
        dims[a] = Dim::unknown();
    }
  } else {
    // Which axes are sliced, as far as the known operands tell.
    std::optional<std::vector<int64_t>> slicedAxes;
    if (*axes) {
      auto normalized = normalizeAxisList(**axes, rank, "axes");
      if (!normalized)
        return wrap(ctx, normalized.takeError());
      slicedAxes = std::move(*normalized);
    } else if (!ctx.has(3)) {
      std::optional<int64_t> n = indexListLength(ctx, 1);
      if (n && *n > rank)
        return ctx.error(llvm::formatv("starts has {0} values but the input has rank {1}",
                                       *n, rank));
      if (n) {
        slicedAxes.emplace();
        for (int64_t i = 0; i < *n; ++i)
          slicedAxes->push_back(i);
      }
    }
    if (!slicedAxes)
      std::fill(sliced.begin(), sliced.end(), true);
    else
      for (int64_t a : *slicedAxes)
        sliced[size_t(a)] = true;
    for (int64_t a = 0; a < rank; ++a)
      if (sliced[size_t(a)] && !(dims[a].isStatic() && dims[a].value() == 0))
        dims[a] = Dim::unknown();
  }
  return std::vector<Type>{resultType(in, Shape(std::move(dims)),
                                      [&](int64_t a) -> std::optional<int64_t> {
                                        if (sliced[size_t(a)])
                                          return std::nullopt;
                                        return a;
                                      })};
}

llvm::Expected<std::vector<Type>> inferGather(const InferContext &ctx) {
  const Type &data = ctx.type(0);
  const Type &indices = ctx.type(1);
  if (indices.elem != ElemType::I32 && indices.elem != ElemType::I64)
    return ctx.error(llvm::formatv("indices must be i32 or i64, got {0}",
                                   elemTypeName(indices.elem)));
  if (!data.shape.isRanked() || !indices.shape.isRanked())
    return std::vector<Type>{Type(data.elem, Shape::unranked())};
  int64_t rank = int64_t(data.shape.rank());
  if (rank == 0)
    return ctx.error("cannot gather from a scalar");
  auto axis = normalizeAxis(ctx, ctx.node.getInt(AttrName::axis), rank);
  if (!axis)
    return axis.takeError();
  const Dim &extent = data.shape[*axis];
  if (const Tensor *v = ctx.value(1); v && extent.isStatic()) {
    for (int64_t i = 0; i < v->numElements(); ++i) {
      int64_t index = v->getInt(i);
      if (index < -extent.value() || index >= extent.value())
        return ctx.error(llvm::formatv("index {0} is out of range for axis {1} of extent {2}",
                                       index, *axis, extent.value()));
    }
  }
  const std::vector<Dim> &d = data.shape.dims();
  std::vector<Dim> dims(d.begin(), d.begin() + *axis);
  dims.insert(dims.end(), indices.shape.dims().begin(), indices.shape.dims().end());
  dims.insert(dims.end(), d.begin() + *axis + 1, d.end());
  int64_t indicesRank = int64_t(indices.shape.rank());
  return std::vector<Type>{resultType(data, Shape(std::move(dims)),
                                      [&](int64_t a) -> std::optional<int64_t> {
                                        if (a == *axis)
                                          return std::nullopt;
                                        return a < *axis ? a : a + indicesRank - 1;
                                      })};
}

//===----------------------------------------------------------------------===//
// Pad, Expand, Tile
//===----------------------------------------------------------------------===//

llvm::Expected<std::vector<Type>> inferPad(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  const std::string &mode = ctx.node.getString(AttrName::mode);
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return ctx.error("unknown mode '" + mode + "'");
  auto pads = indexList(ctx, 1, "pads");
  if (!pads)
    return pads.takeError();
  auto axes = indexList(ctx, 3, "axes");
  if (!axes)
    return axes.takeError();
  if (ctx.has(2)) {
    const Type &value = ctx.type(2);
    if (value.elem != in.elem)
      return ctx.error(llvm::formatv("constant_value has element type {0}, the data has {1}",
                                     elemTypeName(value.elem), elemTypeName(in.elem)));
    int64_t n = value.shape.numElements();
    if (value.shape.isRanked() && (value.shape.rank() > 1 || n > 1))
      return ctx.error("constant_value must be a scalar, got shape " + value.shape.str());
  }
  if (!in.shape.isRanked())
    return std::vector<Type>{Type(in.elem, Shape::unranked())};
  int64_t rank = int64_t(in.shape.rank());
  std::vector<Dim> dims = in.shape.dims();
  std::vector<bool> padded(size_t(rank), false);

  if (*pads && (!ctx.has(3) || *axes)) {
    auto amounts = parsePadAmounts(rank, **pads, *axes);
    if (!amounts)
      return wrap(ctx, amounts.takeError());
    for (int64_t a = 0; a < rank; ++a) {
      auto [begin, end] = (*amounts)[size_t(a)];
      if (begin == 0 && end == 0)
        continue;
      padded[size_t(a)] = true;
      if (!dims[a].isStatic()) {
        dims[a] = Dim::unknown();
        continue;
      }
      int64_t extent = dims[a].value();
      auto tooLarge = [](int64_t v) {
        return v < -kMaxResultElements || v > kMaxResultElements;
      };
      if (tooLarge(begin) || tooLarge(end))
        return ctx.error(llvm::formatv("pads ({0}, {1}) on axis {2} are too large", begin, end, a));
      if (extent + begin + end < 0)
        return ctx.error(llvm::formatv("pads ({0}, {1}) on axis {2} of extent {3} leave a "
                                       "negative extent",
                                       begin, end, a, extent));
      dims[a] = Dim(extent + begin + end);
      // Non-constant modes read the (cropped) input to fill the padding.
      int64_t kept = extent - std::max<int64_t>(-begin, 0) - std::max<int64_t>(-end, 0);
      if (mode == "constant" || (begin <= 0 && end <= 0))
        continue;
      // Pads longer than the extent are fine: reflect and wrap repeat
      // periodically (as numpy does for single-sided pads).
      if (kept <= 0)
        return ctx.error(llvm::formatv("cannot {0}-pad axis {1}: nothing is left of it",
                                       mode, a));
    }
  } else {
    std::optional<std::vector<int64_t>> listed;
    if (*axes) {
      auto normalized = normalizeAxisList(**axes, rank, "axes");
      if (!normalized)
        return wrap(ctx, normalized.takeError());
      listed = std::move(*normalized);
    }
    for (int64_t a = 0; a < rank; ++a) {
      bool maybePadded =
          !listed || std::find(listed->begin(), listed->end(), a) != listed->end();
      if (maybePadded) {
        padded[size_t(a)] = true;
        dims[a] = Dim::unknown();
      }
    }
  }
  Shape shape(std::move(dims));
  if (llvm::Error e = checkResultSize(ctx, shape))
    return e;
  return std::vector<Type>{resultType(in, std::move(shape),
                                      [&](int64_t a) -> std::optional<int64_t> {
                                        if (padded[size_t(a)])
                                          return std::nullopt;
                                        return a;
                                      })};
}

llvm::Expected<std::vector<Type>> inferExpand(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  auto shape = indexList(ctx, 1, "shape");
  if (!shape)
    return shape.takeError();
  if (!in.shape.isRanked())
    return std::vector<Type>{Type(in.elem, Shape::unranked())};
  int64_t rank = int64_t(in.shape.rank());
  Shape out;
  if (*shape) {
    for (int64_t v : **shape)
      if (v < 0)
        return ctx.error(llvm::formatv("shape {0} has a negative extent", listStr(**shape)));
    auto b = broadcastShapes(ctx, in.shape, Shape::fromStatic(**shape));
    if (!b)
      return b.takeError();
    out = std::move(*b);
  } else {
    std::optional<int64_t> n = indexListLength(ctx, 1);
    if (!n)
      return std::vector<Type>{Type(in.elem, Shape::unranked())};
    // An unknown target extent is the input's where that is not 1.
    int64_t outRank = std::max(rank, *n);
    std::vector<Dim> dims = unknownDims(size_t(outRank));
    for (int64_t a = 0; a < rank; ++a) {
      const Dim &d = in.shape[a];
      if (d.isStatic() && d.value() != 1)
        dims[size_t(a + outRank - rank)] = d;
    }
    out = Shape(std::move(dims));
  }
  if (llvm::Error e = checkResultSize(ctx, out))
    return e;
  int64_t shift = int64_t(out.rank()) - rank;
  return std::vector<Type>{resultType(in, out, [&](int64_t a) -> std::optional<int64_t> {
    if (!(out[a + shift] == in.shape[a]))
      return std::nullopt;
    return a + shift;
  })};
}

llvm::Expected<std::vector<Type>> inferTile(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  auto repeats = indexList(ctx, 1, "repeats");
  if (!repeats)
    return repeats.takeError();
  std::optional<int64_t> n = indexListLength(ctx, 1);
  if (!in.shape.isRanked()) {
    Shape s = n ? Shape(unknownDims(size_t(*n))) : Shape::unranked();
    return std::vector<Type>{Type(in.elem, std::move(s))};
  }
  int64_t rank = int64_t(in.shape.rank());
  if (n && *n != rank)
    return ctx.error(llvm::formatv("repeats has {0} values but the input has rank {1}", *n,
                                   rank));
  std::vector<Dim> dims = in.shape.dims();
  for (int64_t a = 0; a < rank; ++a) {
    Dim &d = dims[size_t(a)];
    if (!*repeats) {
      if (!(d.isStatic() && d.value() == 0))
        d = Dim::unknown();
      continue;
    }
    int64_t r = (**repeats)[size_t(a)];
    if (r < 0)
      return ctx.error(llvm::formatv("repeats {0} has a negative value", listStr(**repeats)));
    if (r == 0 || (d.isStatic() && d.value() == 0))
      d = Dim(0);
    else if (d.isStatic() && d.value() > kMaxResultElements / r)
      return ctx.error(llvm::formatv("repeats {0} make a result of more than {1} elements",
                                     listStr(**repeats), kMaxResultElements));
    else if (d.isStatic())
      d = Dim(d.value() * r);
    else if (r != 1)
      d = Dim::unknown();
  }
  Shape shape(std::move(dims));
  if (llvm::Error e = checkResultSize(ctx, shape))
    return e;
  return std::vector<Type>{resultType(in, std::move(shape),
                                      [&](int64_t a) -> std::optional<int64_t> {
                                        if (!*repeats || (**repeats)[size_t(a)] != 1)
                                          return std::nullopt;
                                        return a;
                                      })};
}

} // namespace qc::ir::infer
