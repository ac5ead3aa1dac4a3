// Shape and type inference for the Linear op family (Conv, ConvTranspose,
// MatMul, Gemm) and the conv/matmul geometry shared with the Quant family.
#include "ir/infer/LinearShapes.h"

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

namespace {

bool isStaticDim(const Dim &d, int64_t value) { return d.isStatic() && d.value() == value; }

std::string joinInts(llvm::ArrayRef<int64_t> values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? "," : "") + std::to_string(values[i]);
  return s + "]";
}

// Python-style floor division: the ONNX reference splits negative total
// padding of ConvTranspose with `//`.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

llvm::Error checkFloatType(const InferContext &ctx, size_t i, llvm::StringRef what,
                           ElemType expected) {
  ElemType t = ctx.type(i).elem;
  if (t != expected)
    return ctx.error(llvm::formatv("{0} has element type {1}, expected {2} like the input", what,
                                   elemTypeName(t), elemTypeName(expected)));
  return llvm::Error::success();
}

bool isConvFloatType(ElemType t) {
  return t == ElemType::F32 || t == ElemType::F64 || t == ElemType::F16 || t == ElemType::BF16;
}

bool isMatMulType(ElemType t) {
  return isConvFloatType(t) || t == ElemType::I32 || t == ElemType::I64 || t == ElemType::U32 ||
         t == ElemType::U64;
}

// Checks the common frame of Conv-like ops (rank, weight rank, group) and
// returns the kernel extents read from the weight when they are static.
llvm::Expected<std::optional<std::vector<int64_t>>> convFrame(const InferContext &ctx,
                                                              const Shape &x, const Shape &w) {
  if (x.rank() < 3)
    return ctx.error(
        llvm::formatv("input has rank {0}, expected N x C x D1 ... (rank >= 3)", x.rank()));
  if (w.rank() != x.rank())
    return ctx.error(
        llvm::formatv("weight has rank {0} but the input has rank {1}", w.rank(), x.rank()));
  int64_t group = ctx.node.getInt(AttrName::group);
  if (group < 1)
    return ctx.error(llvm::formatv("group {0} is not positive", group));
  std::optional<std::vector<int64_t>> kernel = std::vector<int64_t>();
  for (size_t i = 2; i < w.rank(); ++i) {
    if (!w[i].isStatic()) {
      kernel.reset();
      break;
    }
    kernel->push_back(w[i].value());
  }
  const auto *attr = ctx.node.findInts(AttrName::kernel_shape);
  if (attr && kernel && *attr != *kernel)
    return ctx.error("kernel_shape " + joinInts(*attr) +
                     " does not match the weight's spatial dims " + joinInts(*kernel));
  return kernel;
}

} // namespace

llvm::Expected<Shape> convOutputShape(const InferContext &ctx, const Shape &x, const Shape &w,
                                      WindowGeometry *geometry) {
  if (!x.isRanked() || !w.isRanked())
    return Shape::unranked();
  auto kernel = convFrame(ctx, x, w);
  if (!kernel)
    return kernel.takeError();
  int64_t group = ctx.node.getInt(AttrName::group);
  if (x[1].isStatic() && w[1].isStatic() && x[1].value() != group * w[1].value())
    return ctx.error(llvm::formatv(
        "input has {0} channels but the weight expects {1} (group {2} x weight dim 1 = {3})",
        x[1].value(), group * w[1].value(), group, w[1].value()));
  if (w[0].isStatic() && w[0].value() % group != 0)
    return ctx.error(llvm::formatv("weight has {0} output channels, not a multiple of group {1}",
                                   w[0].value(), group));

  size_t spatial = x.rank() - 2;
  std::vector<Dim> dims = {x[0], w[0]};
  llvm::ArrayRef<Dim> inputSpatial = llvm::ArrayRef(x.dims()).drop_front(2);
  if (!*kernel && !ctx.node.findInts(AttrName::kernel_shape)) {
    // Symbolic kernel extents: nothing to compute the output extents from.
    dims.resize(x.rank(), Dim::unknown());
    return Shape(std::move(dims));
  }
  auto g = windowGeometry(ctx, spatial, inputSpatial, *kernel);
  if (!g)
    return g.takeError();
  for (size_t i = 0; i < spatial; ++i) {
    Dim out = windowOutputDim(inputSpatial[i], g->kernel[i], g->strides[i], g->dilations[i],
                              g->pads[i], g->pads[i + spatial], false);
    if (isStaticDim(out, 0))
      return ctx.error(
          llvm::formatv("spatial dim {0}: input extent {1} with pads {2}+{3} is smaller than the "
                        "dilated kernel extent {4}",
                        i, inputSpatial[i].value(), g->pads[i], g->pads[i + spatial],
                        g->dilations[i] * (g->kernel[i] - 1) + 1));
    dims.push_back(out);
  }
  if (geometry)
    *geometry = std::move(*g);
  return Shape(std::move(dims));
}

llvm::Expected<Shape> convTransposeOutputShape(const InferContext &ctx, const Shape &x,
                                               const Shape &w, WindowGeometry *geometry) {
  if (!x.isRanked() || !w.isRanked())
    return Shape::unranked();
  auto kernel = convFrame(ctx, x, w);
  if (!kernel)
    return kernel.takeError();
  int64_t group = ctx.node.getInt(AttrName::group);
  if (x[1].isStatic() && w[0].isStatic() && x[1].value() != w[0].value())
    return ctx.error(llvm::formatv("input has {0} channels but the weight has {1} (weight dim 0)",
                                   x[1].value(), w[0].value()));
  if (x[1].isStatic() && x[1].value() % group != 0)
    return ctx.error(
        llvm::formatv("input has {0} channels, not a multiple of group {1}", x[1].value(), group));

  size_t spatial = x.rank() - 2;
  Dim outChannels = w[1].isStatic() ? Dim(w[1].value() * group) : Dim::unknown();
  std::vector<Dim> dims = {x[0], outChannels};
  if (!*kernel && !ctx.node.findInts(AttrName::kernel_shape)) {
    dims.resize(x.rank(), Dim::unknown());
    return Shape(std::move(dims));
  }
  // Read and validate the attributes without resolving auto_pad: the
  // transposed convolution resolves it differently (below).
  std::vector<Dim> unknownSpatial(spatial, Dim::unknown());
  auto g = windowGeometry(ctx, spatial, unknownSpatial, *kernel);
  if (!g)
    return g.takeError();

  std::vector<int64_t> outputPadding(spatial, 0);
  if (const auto *op = ctx.node.findInts(AttrName::output_padding); op && !op->empty()) {
    if (op->size() != spatial)
      return ctx.error(
          llvm::formatv("output_padding has {0} values, expected {1}", op->size(), spatial));
    outputPadding = *op;
  }
  for (size_t i = 0; i < spatial; ++i)
    if (outputPadding[i] < 0 ||
        (outputPadding[i] >= g->strides[i] && outputPadding[i] >= g->dilations[i]))
      return ctx.error(llvm::formatv(
          "output_padding {0} along spatial dim {1} must be non-negative and less than "
          "the stride {2} or the dilation {3}",
          outputPadding[i], i, g->strides[i], g->dilations[i]));

  std::vector<int64_t> outputShape;
  if (const auto *os = ctx.node.findInts(AttrName::output_shape); os && !os->empty()) {
    if (os->size() == spatial)
      outputShape = *os;
    else if (os->size() == x.rank()) // N, C and the spatial extents
      outputShape.assign(os->begin() + 2, os->end());
    else
      return ctx.error(
          llvm::formatv("output_shape has {0} values, expected {1}", os->size(), spatial));
  }
  const std::string &autoPad = ctx.node.getString(AttrName::auto_pad);
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  for (size_t i = 0; i < spatial; ++i) {
    const Dim &in = x[2 + i];
    int64_t stride = g->strides[i];
    int64_t effective = g->dilations[i] * (g->kernel[i] - 1) + 1;
    int64_t &padBegin = g->pads[i], &padEnd = g->pads[i + spatial];
    std::optional<int64_t> target;
    if (!outputShape.empty())
      target = outputShape[i];
    else if (same && in.isStatic())
      target = in.value() * stride;
    if (!target && same) {
      dims.push_back(Dim::unknown());
      continue;
    }
    if (!in.isStatic()) {
      dims.push_back(target ? Dim(*target) : Dim::unknown());
      continue;
    }
    int64_t full = stride * (in.value() - 1) + outputPadding[i] + effective;
    if (target) {
      // Spec: total padding split evenly, the odd element at the end for
      // SAME_UPPER and at the beginning otherwise (floor division, as the
      // ONNX reference does, so negative totals extend the end).
      int64_t total = full - *target;
      int64_t half = floorDiv(total, 2);
      padBegin = autoPad == "SAME_UPPER" ? half : total - half;
      padEnd = total - padBegin;
    } else if (autoPad == "VALID") {
      padBegin = padEnd = 0;
    }
    int64_t out = full - padBegin - padEnd;
    if (out <= 0)
      return ctx.error(
          llvm::formatv("spatial dim {0}: output extent {1} is not positive (pads {2}+{3})", i, out,
                        padBegin, padEnd));
    dims.push_back(Dim(out));
  }
  if (geometry)
    *geometry = std::move(*g);
  return Shape(std::move(dims));
}

llvm::Expected<Shape> matMulOutputShape(const InferContext &ctx, const Shape &a, const Shape &b) {
  if (!a.isRanked() || !b.isRanked())
    return Shape::unranked();
  if (a.rank() < 1 || b.rank() < 1)
    return ctx.error(llvm::formatv("operands have ranks {0} and {1}; matmul needs rank >= 1",
                                   a.rank(), b.rank()));
  std::vector<Dim> ad = a.dims(), bd = b.dims();
  if (ad.size() == 1)
    ad.insert(ad.begin(), Dim(1));
  if (bd.size() == 1)
    bd.push_back(Dim(1));
  const Dim &ka = ad.back(), &kb = bd[bd.size() - 2];
  if (ka.isStatic() && kb.isStatic() && ka.value() != kb.value())
    return ctx.error(llvm::formatv("inner dimensions differ: {0} has {1} columns, {2} has {3} rows",
                                   a.str(), ka.value(), b.str(), kb.value()));
  auto batch = broadcastShapes(ctx, Shape(std::vector<Dim>(ad.begin(), ad.end() - 2)),
                               Shape(std::vector<Dim>(bd.begin(), bd.end() - 2)));
  if (!batch)
    return batch.takeError();
  std::vector<Dim> dims = batch->dims();
  if (a.rank() > 1)
    dims.push_back(ad[ad.size() - 2]);
  if (b.rank() > 1)
    dims.push_back(bd.back());
  return Shape(std::move(dims));
}

llvm::Expected<std::vector<Type>> inferConv(const InferContext &ctx) {
  ElemType t = ctx.type(0).elem;
  if (!isConvFloatType(t))
    return ctx.error(llvm::formatv("input element type {0} is not supported "
                                   "(expected f32, f64, f16 or bf16)",
                                   elemTypeName(t)));
  if (llvm::Error e = checkFloatType(ctx, 1, "weight", t))
    return e;
  auto shape = convOutputShape(ctx, ctx.shape(0), ctx.shape(1));
  if (!shape)
    return shape.takeError();
  if (ctx.has(2)) {
    if (llvm::Error e = checkFloatType(ctx, 2, "bias", t))
      return e;
    const Shape &b = ctx.shape(2);
    if (b.isRanked() && b.rank() != 1)
      return ctx.error(llvm::formatv("bias has rank {0}, expected 1", b.rank()));
    if (b.isRanked() && ctx.shape(1).isRanked() && b[0].isStatic() && ctx.shape(1)[0].isStatic() &&
        b[0].value() != ctx.shape(1)[0].value())
      return ctx.error(llvm::formatv("bias has {0} elements, expected {1} output channels",
                                     b[0].value(), ctx.shape(1)[0].value()));
  }
  return std::vector<Type>{Type(t, std::move(*shape))};
}

llvm::Expected<std::vector<Type>> inferConvTranspose(const InferContext &ctx) {
  ElemType t = ctx.type(0).elem;
  if (!isConvFloatType(t))
    return ctx.error(llvm::formatv("input element type {0} is not supported "
                                   "(expected f32, f64, f16 or bf16)",
                                   elemTypeName(t)));
  if (llvm::Error e = checkFloatType(ctx, 1, "weight", t))
    return e;
  auto shape = convTransposeOutputShape(ctx, ctx.shape(0), ctx.shape(1));
  if (!shape)
    return shape.takeError();
  if (ctx.has(2)) {
    if (llvm::Error e = checkFloatType(ctx, 2, "bias", t))
      return e;
    const Shape &b = ctx.shape(2);
    if (b.isRanked() && b.rank() != 1)
      return ctx.error(llvm::formatv("bias has rank {0}, expected 1", b.rank()));
    if (b.isRanked() && shape->isRanked() && b[0].isStatic() && (*shape)[1].isStatic() &&
        b[0].value() != (*shape)[1].value())
      return ctx.error(llvm::formatv("bias has {0} elements, expected {1} output channels",
                                     b[0].value(), (*shape)[1].value()));
  }
  return std::vector<Type>{Type(t, std::move(*shape))};
}

llvm::Expected<std::vector<Type>> inferMatMul(const InferContext &ctx) {
  ElemType t = ctx.type(0).elem;
  if (!isMatMulType(t))
    return ctx.error(llvm::formatv("element type {0} is not supported", elemTypeName(t)));
  if (ctx.type(1).elem != t)
    return ctx.error(llvm::formatv("operand element types differ: {0} and {1}", elemTypeName(t),
                                   elemTypeName(ctx.type(1).elem)));
  auto shape = matMulOutputShape(ctx, ctx.shape(0), ctx.shape(1));
  if (!shape)
    return shape.takeError();
  return std::vector<Type>{Type(t, std::move(*shape))};
}

llvm::Expected<std::vector<Type>> inferGemm(const InferContext &ctx) {
  ElemType t = ctx.type(0).elem;
  if (!isMatMulType(t))
    return ctx.error(llvm::formatv("element type {0} is not supported", elemTypeName(t)));
  for (size_t i = 1; i < 3; ++i)
    if (ctx.has(i) && ctx.type(i).elem != t)
      return ctx.error(llvm::formatv("input {0} has element type {1}, expected {2}", i,
                                     elemTypeName(ctx.type(i).elem), elemTypeName(t)));
  const Shape &a = ctx.shape(0), &b = ctx.shape(1);
  if (!a.isRanked() || !b.isRanked())
    return std::vector<Type>{Type(t, Shape({Dim::unknown(), Dim::unknown()}))};
  if (a.rank() != 2 || b.rank() != 2)
    return ctx.error(
        llvm::formatv("A has rank {0} and B rank {1}; both must be 2-D", a.rank(), b.rank()));
  bool transA = ctx.node.getInt(AttrName::transA) != 0;
  bool transB = ctx.node.getInt(AttrName::transB) != 0;
  Dim m = a[transA ? 1 : 0], ka = a[transA ? 0 : 1];
  Dim kb = b[transB ? 1 : 0], n = b[transB ? 0 : 1];
  if (ka.isStatic() && kb.isStatic() && ka.value() != kb.value())
    return ctx.error(llvm::formatv("inner dimensions differ: A' is {0}x{1}, B' is {2}x{3} "
                                   "(transA={4}, transB={5})",
                                   m.str(), ka.value(), kb.value(), n.str(), int(transA),
                                   int(transB)));
  if (ctx.has(2)) {
    const Shape &c = ctx.shape(2);
    if (c.isRanked()) {
      if (c.rank() > 2)
        return ctx.error(llvm::formatv("C has rank {0}, expected at most 2", c.rank()));
      Dim mn[2] = {m, n};
      for (size_t i = 0; i < c.rank(); ++i) {
        const Dim &cd = c[i], &target = mn[2 - c.rank() + i];
        if (cd.isStatic() && cd.value() != 1 && target.isStatic() && cd.value() != target.value())
          return ctx.error(llvm::formatv("C of shape {0} does not broadcast to {1}x{2}", c.str(),
                                         m.str(), n.str()));
      }
    }
  }
  return std::vector<Type>{Type(t, Shape({m, n}))};
}

} // namespace qc::ir::infer
