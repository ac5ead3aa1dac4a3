// Emitters of the fp32 normalizations, reductions and average pools:
// Softmax, LayerNormalization, ReduceSum/Mean/Max/Min (Logical),
// BatchNormalization (Agnostic), AveragePool and GlobalAveragePool (NHWC),
// over codegen/kernels/F32Norm.cpp.
#include "codegen/Emit.h"
#include "codegen/kernels/F32Norm.h"
#include "ir/ShapeInference.h"
#include "ir/infer/InferRules.h"

#include <algorithm>
#include <cmath>

namespace qc::codegen {

namespace {

using ir::ElemType;

llvm::Error checkF32(const EmitContext &ctx, size_t numData) {
  for (size_t i = 0; i < std::min(numData, ctx.operands.size()); ++i)
    if (ctx.operands[i].present() && ctx.operands[i].elemType() != ElemType::F32)
      return ctx.error(llvm::Twine("fp32 kernels only: operand ") + llvm::Twine(i) + " is " +
                       ir::elemTypeName(ctx.operands[i].elemType()));
  if (ctx.results[0].elemType() != ElemType::F32)
    return ctx.error("fp32 kernels only: result is " +
                     ir::elemTypeName(ctx.results[0].elemType()));
  if (ctx.operands[0].constant())
    return ctx.error("a constant input should have been folded");
  return llvm::Error::success();
}

int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

std::vector<float> toFloats(const ir::Tensor &t) {
  std::vector<float> v(size_t(t.numElements()));
  for (int64_t i = 0; i < t.numElements(); ++i)
    v[size_t(i)] = float(t.getDouble(i));
  return v;
}

/// `t` broadcast (numpy, right-aligned) to `dims`, flattened row-major.
std::vector<float> broadcastTo(const ir::Tensor &t, const std::vector<int64_t> &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  std::vector<float> out(static_cast<size_t>(n));
  const std::vector<int64_t> &td = t.dims();
  size_t offset = dims.size() - td.size();
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t src = 0;
    for (size_t d = 0; d < td.size(); ++d)
      src = src * td[d] + (td[d] == 1 ? 0 : idx[d + offset]);
    out[size_t(i)] = float(t.getDouble(src));
    for (size_t d = dims.size(); d-- > 0;) {
      if (++idx[d] < dims[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

KernelCall singleCall(const char *entry, std::vector<uint8_t> params, int64_t tasks) {
  KernelCall call;
  call.entry = entry;
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = std::max<int64_t>(tasks, 1);
  call.params = std::move(params);
  return call;
}

} // namespace

llvm::Expected<std::vector<KernelCall>> emitF32Softmax(const EmitContext &ctx) {
  if (llvm::Error e = checkF32(ctx, 1))
    return e;
  const Operand &x = ctx.operands[0];
  int64_t axis = normalizeAxis(ctx.node.getInt(ir::AttrName::axis), x.rank());
  qc_f32_softmax_params p{1, 1, 1};
  for (int64_t d = 0; d < x.rank(); ++d)
    (d < axis ? p.outer : d == axis ? p.extent : p.inner) *= x.shape[size_t(d)];
  return std::vector<KernelCall>{singleCall("f32_softmax", paramsOf(p), p.outer)};
}

llvm::Expected<std::vector<KernelCall>> emitF32LayerNorm(const EmitContext &ctx) {
  if (llvm::Error e = checkF32(ctx, 1))
    return e;
  if (ctx.results.size() > 1 && std::any_of(ctx.results.begin() + 1, ctx.results.end(),
                                            [](const Operand &r) { return r.present(); }))
    return ctx.error("the mean and inverse standard deviation outputs are not supported");
  const Operand &x = ctx.operands[0];
  int64_t axis = normalizeAxis(ctx.node.getInt(ir::AttrName::axis), x.rank());
  qc_f32_layernorm_params p{};
  p.rows = p.cols = 1;
  std::vector<int64_t> normDims;
  for (int64_t d = 0; d < x.rank(); ++d) {
    (d < axis ? p.rows : p.cols) *= x.shape[size_t(d)];
    if (d >= axis)
      normDims.push_back(x.shape[size_t(d)]);
  }
  p.epsilon = ctx.node.getFloat(ir::AttrName::epsilon);
  p.rows_per_task = std::max<int64_t>(1, 8192 / std::max<int64_t>(p.cols, 1));
  const ir::Tensor *scale = ctx.operands[1].constant();
  if (!scale)
    return ctx.error("scale must be constant");
  std::vector<float> bias(size_t(p.cols), 0.0f);
  if (ctx.operands.size() > 2 && ctx.operands[2].present()) {
    const ir::Tensor *b = ctx.operands[2].constant();
    if (!b)
      return ctx.error("bias must be constant");
    bias = broadcastTo(*b, normDims);
  }
  KernelCall call = singleCall("f32_layernorm", paramsOf(p),
                               (p.rows + p.rows_per_task - 1) / p.rows_per_task);
  call.consts = {blobOf<float>(broadcastTo(*scale, normDims)), blobOf<float>(bias)};
  return std::vector<KernelCall>{std::move(call)};
}

llvm::Expected<std::vector<KernelCall>> emitF32BatchNorm(const EmitContext &ctx) {
  if (llvm::Error e = checkF32(ctx, 1))
    return e;
  const Operand &x = ctx.operands[0];
  if (x.rank() < 2)
    return ctx.error("input rank must be at least 2");
  const int64_t channels = x.shape[1];
  std::vector<float> packed(size_t(3 * channels));
  std::vector<std::vector<float>> params;
  for (size_t i = 1; i <= 4; ++i) {
    const ir::Tensor *t = ctx.operands[i].constant();
    if (!t)
      return ctx.error("scale, bias, mean and variance must be constant");
    params.push_back(toFloats(*t));
  }
  double epsilon = ctx.node.getFloat(ir::AttrName::epsilon);
  for (int64_t c = 0; c < channels; ++c) {
    // The reference's (x - mean) * invStd * scale + bias, with invStd *
    // scale computed in double and rounded once.
    double invStd = 1.0 / std::sqrt(double(params[3][size_t(c)]) + epsilon);
    packed[size_t(c)] = params[2][size_t(c)];
    packed[size_t(channels + c)] = float(invStd * double(params[0][size_t(c)]));
    packed[size_t(2 * channels + c)] = params[1][size_t(c)];
  }
  // The per-channel operand: logical shape [C, 1, ...] aligned with x's
  // axes 1..; its element offset is the channel.
  Operand channel;
  channel.value = x.value;
  channel.shape.assign(size_t(x.rank() - 1), 1);
  channel.shape[0] = channels;
  for (int i = 0; i < x.rank() - 1; ++i)
    channel.perm.push_back(i);
  qc_f32_batchnorm_params p{};
  auto nd = buildNdShape(ctx.results[0], {&x, &channel});
  if (!nd)
    return ctx.error(llvm::toString(nd.takeError()));
  p.nd = *nd;
  p.channels = channels;
  int64_t inner = p.nd.dims[p.nd.rank - 1];
  p.rows_per_task = std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1));
  KernelCall call = singleCall("f32_batchnorm", paramsOf(p),
                               (ndRows(p.nd) + p.rows_per_task - 1) / p.rows_per_task);
  call.consts = {blobOf<float>(packed)};
  return std::vector<KernelCall>{std::move(call)};
}

llvm::Expected<std::vector<KernelCall>> emitF32Reduce(const EmitContext &ctx) {
  if (llvm::Error e = checkF32(ctx, 1))
    return e;
  const Operand &x = ctx.operands[0];
  const int64_t rank = x.rank();
  std::vector<bool> reduced(size_t(rank), false);
  bool any = false;
  if (ctx.operands.size() > 1 && ctx.operands[1].present()) {
    const ir::Tensor *axes = ctx.operands[1].constant();
    if (!axes)
      return ctx.error("axes must be constant");
    for (int64_t i = 0; i < axes->numElements(); ++i) {
      reduced[size_t(normalizeAxis(axes->getInt(i), rank))] = true;
      any = true;
    }
  }
  if (!any) {
    if (ctx.node.getInt(ir::AttrName::noop_with_empty_axes))
      return ctx.error("an identity reduction should have been removed");
    std::fill(reduced.begin(), reduced.end(), true);
  }
  // [outer][extent][inner]: the reduced axes (ignoring extent-1 axes) must
  // be adjacent.
  int first = -1, last = -1;
  for (int64_t d = 0; d < rank; ++d)
    if (reduced[size_t(d)] && x.shape[size_t(d)] != 1) {
      first = first < 0 ? int(d) : first;
      last = int(d);
    }
  qc_f32_reduce_params p{1, 1, 1, 0, 0};
  for (int64_t d = 0; d < rank; ++d) {
    int64_t e = x.shape[size_t(d)];
    if (e == 1)
      continue;
    if (first >= 0 && d >= first && d <= last) {
      if (!reduced[size_t(d)])
        return ctx.error("reduced axes must be adjacent (up to extent-1 axes)");
      p.extent *= e;
    } else {
      (first < 0 || d < first ? p.outer : p.inner) *= e;
    }
  }
  switch (ctx.node.kind()) {
  case ir::OpKind::ReduceSum: p.kind = QC_F32_REDUCE_SUM; break;
  case ir::OpKind::ReduceMean: p.kind = QC_F32_REDUCE_MEAN; break;
  case ir::OpKind::ReduceMax: p.kind = QC_F32_REDUCE_MAX; break;
  default: p.kind = QC_F32_REDUCE_MIN; break;
  }
  return std::vector<KernelCall>{singleCall("f32_reduce", paramsOf(p), p.outer)};
}

llvm::Expected<std::vector<KernelCall>> emitF32AveragePool(const EmitContext &ctx) {
  if (llvm::Error e = checkF32(ctx, 1))
    return e;
  const Operand &x = ctx.operands[0], &y = ctx.results[0];
  if (x.rank() != 4 || !x.isNhwc() || !y.isNhwc())
    return ctx.error("expects 2-d NHWC activations");
  qc_f32_avgpool_params p{};
  p.in_h = x.shape[2], p.in_w = x.shape[3], p.channels = x.shape[1];
  p.out_h = y.shape[2], p.out_w = y.shape[3];
  p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
  if (ctx.node.kind() == ir::OpKind::GlobalAveragePool) {
    p.kernel_h = p.in_h, p.kernel_w = p.in_w;
  } else {
    ir::Type xType = x.type();
    ir::InferContext ictx{ctx.node, {&xType}, {}};
    std::vector<ir::Dim> spatial(xType.shape.dims().begin() + 2, xType.shape.dims().end());
    auto g = ir::infer::windowGeometry(ictx, 2, spatial, std::nullopt);
    if (!g)
      return ctx.error(llvm::toString(g.takeError()));
    p.kernel_h = g->kernel[0], p.kernel_w = g->kernel[1];
    p.stride_h = g->strides[0], p.stride_w = g->strides[1];
    p.dilation_h = g->dilations[0], p.dilation_w = g->dilations[1];
    p.pad_top = g->pads[0], p.pad_left = g->pads[1];
    p.pad_bottom = g->pads[2], p.pad_right = g->pads[3];
    p.count_include_pad = int32_t(ctx.node.getInt(ir::AttrName::count_include_pad));
  }
  return std::vector<KernelCall>{singleCall("f32_avgpool", paramsOf(p), p.out_h)};
}

} // namespace qc::codegen
