// Reference kernels for the data-movement and shape ops. They move elements
// as raw bytes (elemTypeStorageBytes each), so one kernel serves every type.
// Shape inference has already validated the operands and sized the outputs;
// parameters are re-derived with the rules shared with it
// (ir/infer/DataMovementParams.h) so the two cannot disagree.
#include "interp/kernels/Kernels.h"
#include "ir/infer/DataMovementParams.h"
#include "ir/infer/InferRules.h"

#include <algorithm>
#include <cstring>

#include "llvm/Support/FormatVariadic.h"

namespace qc::interp::kernels {

using ir::AttrName;
using ir::ElemType;
using ir::Tensor;

namespace {

size_t elemBytes(const Tensor &t) { return ir::elemTypeStorageBytes(t.elemType()); }

int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

void copyBytes(std::byte *dst, const std::byte *src, size_t n) {
  if (n) // memcpy with a null pointer is undefined even for 0 bytes
    std::memcpy(dst, src, n);
}

// Calls f(index) for every multi-index of `dims`, in row-major order.
template <typename F> void forEachIndex(llvm::ArrayRef<int64_t> dims, F f) {
  if (product(dims) == 0)
    return;
  std::vector<int64_t> index(dims.size(), 0);
  while (true) {
    f(llvm::ArrayRef<int64_t>(index));
    size_t d = dims.size();
    while (d > 0 && ++index[d - 1] == dims[d - 1])
      index[--d] = 0;
    if (d == 0)
      return;
  }
}

// Copies the input unchanged into an output of the same element count
// (Reshape, Flatten, Squeeze, Unsqueeze).
llvm::Error copyAll(EvalContext &ctx) {
  const Tensor &in = ctx.in(0);
  Tensor &out = ctx.out();
  if (out.byteSize() != in.byteSize())
    return ctx.error(llvm::formatv("result of {0} bytes for an input of {1} (shape "
                                   "inference bug)",
                                   out.byteSize(), in.byteSize()));
  copyBytes(out.raw(), in.raw(), in.byteSize());
  return llvm::Error::success();
}

std::optional<std::vector<int64_t>> optionalInts(const EvalContext &ctx, size_t i) {
  if (!ctx.has(i))
    return std::nullopt;
  return ir::infer::toInt64s(ctx.in(i));
}

llvm::Error wrap(const EvalContext &ctx, llvm::Error e) {
  return ctx.error(llvm::toString(std::move(e)));
}

int64_t normalized(int64_t axis, size_t rank) {
  return axis < 0 ? axis + int64_t(rank) : axis;
}

} // namespace

//===----------------------------------------------------------------------===//
// Concat, Split, Slice, Gather
//===----------------------------------------------------------------------===//

llvm::Error evalConcat(EvalContext &ctx) {
  Tensor &out = ctx.out();
  int64_t axis = normalized(ctx.node.getInt(AttrName::axis), out.rank());
  int64_t outer = product(llvm::ArrayRef(out.dims()).take_front(size_t(axis)));
  std::byte *dst = out.raw();
  // Row-major: each outer index holds one contiguous block per input.
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor *in : ctx.inputs) {
      size_t block = size_t(product(llvm::ArrayRef(in->dims()).drop_front(size_t(axis)))) *
                     elemBytes(*in);
      copyBytes(dst, in->raw() + size_t(o) * block, block);
      dst += block;
    }
  }
  return llvm::Error::success();
}

llvm::Error evalSplit(EvalContext &ctx) {
  const Tensor &in = ctx.in(0);
  int64_t axis = normalized(ctx.node.getInt(AttrName::axis), in.rank());
  llvm::ArrayRef<int64_t> dims = in.dims();
  int64_t outer = product(dims.take_front(size_t(axis)));
  size_t inner = size_t(product(dims.drop_front(size_t(axis) + 1))) * elemBytes(in);
  // The result extents along the axis come from shape inference.
  for (int64_t o = 0; o < outer; ++o) {
    const std::byte *src = in.raw() + size_t(o * dims[size_t(axis)]) * inner;
    for (Tensor &out : ctx.outputs) {
      size_t block = size_t(out.dims()[size_t(axis)]) * inner;
      copyBytes(out.raw() + size_t(o) * block, src, block);
      src += block;
    }
  }
  return llvm::Error::success();
}

llvm::Error evalSlice(EvalContext &ctx) {
  const Tensor &in = ctx.in(0);
  Tensor &out = ctx.out();
  auto p = ir::infer::parseSliceParams(int64_t(in.rank()), ir::infer::toInt64s(ctx.in(1)),
                                       ir::infer::toInt64s(ctx.in(2)), optionalInts(ctx, 3),
                                       optionalInts(ctx, 4));
  if (!p)
    return wrap(ctx, p.takeError());
  std::vector<int64_t> start(in.rank(), 0), step(in.rank(), 1);
  for (size_t i = 0; i < p->axes.size(); ++i) {
    size_t a = size_t(p->axes[i]);
    ir::infer::SliceRange r =
        ir::infer::resolveSliceRange(in.dims()[a], p->starts[i], p->ends[i], p->steps[i]);
    start[a] = r.start;
    step[a] = r.step;
  }
  std::vector<int64_t> strides = ir::rowMajorStrides(in.dims());
  size_t bytes = elemBytes(in);
  std::byte *dst = out.raw();
  forEachIndex(out.dims(), [&](llvm::ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d)
      offset += (start[d] + index[d] * step[d]) * strides[d];
    copyBytes(dst, in.raw() + size_t(offset) * bytes, bytes);
    dst += bytes;
  });
  return llvm::Error::success();
}

llvm::Error evalGather(EvalContext &ctx) {
  const Tensor &data = ctx.in(0);
  const Tensor &indices = ctx.in(1);
  int64_t axis = normalized(ctx.node.getInt(AttrName::axis), data.rank());
  llvm::ArrayRef<int64_t> dims = data.dims();
  int64_t extent = dims[size_t(axis)];
  int64_t outer = product(dims.take_front(size_t(axis)));
  size_t inner = size_t(product(dims.drop_front(size_t(axis) + 1))) * elemBytes(data);
  std::vector<int64_t> rows(size_t(indices.numElements()));
  for (int64_t i = 0; i < indices.numElements(); ++i) {
    int64_t index = indices.getInt(i);
    if (index < -extent || index >= extent)
      return ctx.error(llvm::formatv("index {0} (element {1} of indices) is out of range for "
                                     "axis {2} of extent {3}",
                                     index, i, axis, extent));
    rows[size_t(i)] = index < 0 ? index + extent : index;
  }
  std::byte *dst = ctx.out().raw();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t row : rows) {
      copyBytes(dst, data.raw() + size_t(o * extent + row) * inner, inner);
      dst += inner;
    }
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Reshape, Flatten, Transpose, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

llvm::Error evalReshape(EvalContext &ctx) { return copyAll(ctx); }
llvm::Error evalFlatten(EvalContext &ctx) { return copyAll(ctx); }
llvm::Error evalSqueeze(EvalContext &ctx) { return copyAll(ctx); }
llvm::Error evalUnsqueeze(EvalContext &ctx) { return copyAll(ctx); }

llvm::Error evalTranspose(EvalContext &ctx) {
  const Tensor &in = ctx.in(0);
  std::vector<int64_t> perm;
  if (const auto *p = ctx.node.findInts(AttrName::perm))
    perm = *p;
  else
    for (size_t i = in.rank(); i-- > 0;)
      perm.push_back(int64_t(i));
  std::vector<int64_t> strides = ir::rowMajorStrides(in.dims());
  size_t bytes = elemBytes(in);
  std::byte *dst = ctx.out().raw();
  // Result dim d is input dim perm[d].
  forEachIndex(ctx.out().dims(), [&](llvm::ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d)
      offset += index[d] * strides[size_t(perm[d])];
    copyBytes(dst, in.raw() + size_t(offset) * bytes, bytes);
    dst += bytes;
  });
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Pad, Expand, Tile
//===----------------------------------------------------------------------===//

} // namespace qc::interp::kernels

namespace qc::interp {
// Negative pads crop first; the other modes then read the cropped extent:
// reflect mirrors without repeating the edge, edge repeats it, wrap is
// periodic.
int64_t padSource(llvm::StringRef mode, int64_t o, int64_t extent, int64_t begin,
                  int64_t end) {
  int64_t first = std::max<int64_t>(-begin, 0);
  int64_t kept = extent - first - std::max<int64_t>(-end, 0);
  int64_t p = o - std::max<int64_t>(begin, 0); // position in the cropped range
  if (p >= 0 && p < kept)
    return first + p;
  if (mode == "constant")
    return -1;
  if (mode == "edge")
    return first + std::clamp<int64_t>(p, 0, kept - 1);
  if (mode == "wrap")
    return first + ((p % kept) + kept) % kept;
  // reflect
  if (kept == 1)
    return first;
  int64_t period = 2 * (kept - 1);
  int64_t m = ((p % period) + period) % period;
  return first + (m < kept ? m : period - m);
}
} // namespace qc::interp

namespace qc::interp::kernels {

llvm::Error evalPad(EvalContext &ctx) {
  const Tensor &in = ctx.in(0);
  Tensor &out = ctx.out();
  auto amounts = ir::infer::parsePadAmounts(int64_t(in.rank()), ir::infer::toInt64s(ctx.in(1)),
                                            optionalInts(ctx, 3));
  if (!amounts)
    return wrap(ctx, amounts.takeError());
  llvm::StringRef mode = ctx.node.getString(AttrName::mode);
  size_t bytes = elemBytes(in);
  std::vector<std::byte> constant(bytes, std::byte{0});
  if (mode == "constant" && ctx.has(2) && ctx.in(2).numElements() > 0)
    copyBytes(constant.data(), ctx.in(2).raw(), bytes);

  // Per axis, the source index of every result position.
  std::vector<std::vector<int64_t>> sources(in.rank());
  for (size_t a = 0; a < in.rank(); ++a)
    for (int64_t o = 0; o < out.dims()[a]; ++o)
      sources[a].push_back(padSource(mode, o, in.dims()[a], (*amounts)[a].first,
                                     (*amounts)[a].second));
  std::vector<int64_t> strides = ir::rowMajorStrides(in.dims());
  std::byte *dst = out.raw();
  forEachIndex(out.dims(), [&](llvm::ArrayRef<int64_t> index) {
    int64_t offset = 0;
    bool isPadding = false;
    for (size_t d = 0; d < index.size() && !isPadding; ++d) {
      int64_t s = sources[d][size_t(index[d])];
      isPadding = s < 0;
      offset += s * strides[d];
    }
    copyBytes(dst, isPadding ? constant.data() : in.raw() + size_t(offset) * bytes, bytes);
    dst += bytes;
  });
  return llvm::Error::success();
}

llvm::Error evalExpand(EvalContext &ctx) {
  const Tensor &in = ctx.in(0);
  Tensor &out = ctx.out();
  std::vector<int64_t> map = broadcastIndexMap(out.dims(), in.dims());
  size_t bytes = elemBytes(in);
  for (size_t i = 0; i < map.size(); ++i)
    copyBytes(out.raw() + i * bytes, in.raw() + size_t(map[i]) * bytes, bytes);
  return llvm::Error::success();
}

llvm::Error evalTile(EvalContext &ctx) {
  const Tensor &in = ctx.in(0);
  std::vector<int64_t> strides = ir::rowMajorStrides(in.dims());
  size_t bytes = elemBytes(in);
  std::byte *dst = ctx.out().raw();
  forEachIndex(ctx.out().dims(), [&](llvm::ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d)
      offset += (index[d] % in.dims()[d]) * strides[d];
    copyBytes(dst, in.raw() + size_t(offset) * bytes, bytes);
    dst += bytes;
  });
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Shape, ConstantOfShape, Range
//===----------------------------------------------------------------------===//

llvm::Error evalShape(EvalContext &ctx) {
  const Tensor &in = ctx.in(0);
  auto [first, last] = ir::infer::shapeOpBounds(int64_t(in.rank()),
                                                ctx.node.getInt(AttrName::start),
                                                ctx.node.findInt(AttrName::end));
  for (int64_t i = first; i < last; ++i)
    ctx.out().setInt(i - first, in.dims()[size_t(i)]);
  return llvm::Error::success();
}

llvm::Error evalSize(EvalContext &ctx) {
  ctx.out().setInt(0, ctx.in(0).numElements());
  return llvm::Error::success();
}

llvm::Error evalConstantOfShape(EvalContext &ctx) {
  const Tensor *value = ctx.node.findTensor(AttrName::value);
  if (!value)
    return llvm::Error::success(); // the default: f32 zeros, already zero-filled
  Tensor &out = ctx.out();
  size_t bytes = elemBytes(out);
  for (int64_t i = 0; i < out.numElements(); ++i)
    copyBytes(out.raw() + size_t(i) * bytes, value->raw(), bytes);
  return llvm::Error::success();
}

namespace {
// output[i] = start + i * delta, computed in the element type as ONNX
// specifies.
template <typename T> void fillRange(Tensor &out, T start, T delta) {
  T *data = out.data<T>();
  for (int64_t i = 0; i < out.numElements(); ++i)
    data[i] = T(start + T(i) * delta);
}
} // namespace

llvm::Error evalRange(EvalContext &ctx) {
  const Tensor &start = ctx.in(0);
  const Tensor &delta = ctx.in(2);
  Tensor &out = ctx.out();
  switch (out.elemType()) {
  case ElemType::F32:
    fillRange<float>(out, start.data<float>()[0], delta.data<float>()[0]);
    break;
  case ElemType::F64:
    fillRange<double>(out, start.data<double>()[0], delta.data<double>()[0]);
    break;
  default:
    // Integers: every value lies between start and limit, so it fits the
    // type; unsigned math keeps the intermediate i * delta from overflowing.
    for (int64_t i = 0; i < out.numElements(); ++i)
      out.setInt(i, int64_t(uint64_t(start.getInt(0)) + uint64_t(i) * uint64_t(delta.getInt(0))));
    break;
  }
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
