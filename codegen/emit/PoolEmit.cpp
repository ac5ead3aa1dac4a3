// Emitters of the pooling ops: qc.QAveragePool, MaxPool (u8/s8/f32) and
// qc.QGlobalAveragePool over NHWC, qc.QReduceMean over logical layouts
// (Qs8Pool.cpp kernels).
#include <cmath>

#include "codegen/emit/QuantEmit.h"
#include "codegen/kernels/Qs8Pool.h"
#include "ir/ShapeInference.h"
#include "ir/infer/InferRules.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

namespace {

/// The 2-d window of a pool node over NHWC x and y.
llvm::Expected<qc_pool2d_window> windowOf(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0], &y = ctx.results[0];
  if (x.rank() != 4 || !x.isNhwc() || !y.isNhwc())
    return ctx.error(llvm::formatv("{0}-d pooling is not supported (2-d NHWC only)",
                                   x.rank() - 2));
  ir::InferContext ictx = ir::makeInferContext(ctx.node);
  std::vector<ir::Dim> spatial = {ir::Dim(x.shape[2]), ir::Dim(x.shape[3])};
  auto g = ir::infer::windowGeometry(ictx, 2, spatial, std::nullopt);
  if (!g)
    return g.takeError();
  qc_pool2d_window w{};
  w.in_h = x.shape[2];
  w.in_w = x.shape[3];
  w.channels = x.shape[1];
  w.out_h = y.shape[2];
  w.out_w = y.shape[3];
  w.kernel_h = g->kernel[0];
  w.kernel_w = g->kernel[1];
  w.stride_h = g->strides[0];
  w.stride_w = g->strides[1];
  w.dilation_h = g->dilations[0];
  w.dilation_w = g->dilations[1];
  w.pad_top = g->pads[0];
  w.pad_left = g->pads[1];
  w.pad_bottom = g->pads[2];
  w.pad_right = g->pads[3];
  if (y.shape[1] != w.channels)
    return ctx.error("pooling changes the channel count");
  return w;
}

KernelCall oneCall(const char *entry, std::vector<uint8_t> params, int64_t tasks) {
  KernelCall call;
  call.entry = entry;
  call.params = std::move(params);
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = tasks;
  return call;
}

llvm::Error checkActivation(const EmitContext &ctx) {
  if (ctx.operands[0].constant())
    return ctx.error("constant input: expected to be folded");
  return llvm::Error::success();
}

} // namespace

// acc = sum (qx - zx) over the window; inScale = sx / n.
llvm::Expected<std::vector<KernelCall>> emitQAveragePool(const EmitContext &ctx) {
  if (llvm::Error e = checkActivation(ctx))
    return std::move(e);
  auto xq = perTensorQuant(ctx, 0);
  if (!xq)
    return xq.takeError();
  auto out = outputStageOf(ctx);
  if (!out)
    return out.takeError();
  auto w = windowOf(ctx);
  if (!w)
    return w.takeError();
  qc_qs8_avgpool2d_params p{};
  p.window = *w;
  p.in_scale = xq->first;
  p.out_scale = out->isFloat ? 0.0 : out->scale;
  p.count_include_pad = int32_t(ctx.node.getInt(ir::AttrName::count_include_pad));
  p.in_type = *q8TypeCode(ctx.operands[0].elemType());
  p.out_type = out->type;
  p.in_zero_point = xq->second;
  p.out_zero_point = out->zeroPoint;
  p.out_min = out->lo;
  p.out_max = out->hi;
  return std::vector<KernelCall>{oneCall("qs8_avgpool2d", paramsOf(p), w->out_h)};
}

// The first maximum of each window; the indices output is not supported.
llvm::Expected<std::vector<KernelCall>> emitMaxPool(const EmitContext &ctx) {
  if (llvm::Error e = checkActivation(ctx))
    return std::move(e);
  if (ctx.node.numResults() > 1 && ctx.node.result(1)) {
    const ir::Value *indices = ctx.node.result(1);
    bool used = !indices->uses().empty();
    for (const ir::Value *o : ctx.node.graph().outputs())
      used = used || o == indices;
    if (used)
      return ctx.error("the indices output of MaxPool is not supported");
  }
  ir::ElemType t = ctx.operands[0].elemType();
  if (t != ir::ElemType::U8 && t != ir::ElemType::I8 && t != ir::ElemType::F32)
    return ctx.error(llvm::formatv("input type {0} is not supported (u8/s8/f32)",
                                   ctx.operands[0].type().str()));
  if (ctx.results[0].elemType() != t)
    return ctx.error("result type differs from the input type");
  auto w = windowOf(ctx);
  if (!w)
    return w.takeError();
  qc_maxpool2d_params p{};
  p.window = *w;
  p.type = *q8TypeCode(t);
  return std::vector<KernelCall>{oneCall("maxpool2d", paramsOf(p), w->out_h)};
}

// acc[c] = sum over the plane of (qx - zx); inScale = sx / plane size.
llvm::Expected<std::vector<KernelCall>> emitQGlobalAveragePool(const EmitContext &ctx) {
  if (llvm::Error e = checkActivation(ctx))
    return std::move(e);
  auto xq = perTensorQuant(ctx, 0);
  if (!xq)
    return xq.takeError();
  auto out = outputStageOf(ctx);
  if (!out)
    return out.takeError();
  const Operand &x = ctx.operands[0];
  if (x.rank() < 3)
    return ctx.error(llvm::formatv("input rank {0} is below 3", x.rank()));
  std::vector<int64_t> strides = x.logicalStrides();
  qc_qs8_global_avgpool_params p{};
  p.channels = x.shape[1];
  p.channel_stride = strides[1];
  p.spatial = 1;
  for (int d = 2; d < x.rank(); ++d)
    p.spatial *= x.shape[size_t(d)];
  p.spatial_stride = strides.back();
  // The spatial dims must merge into one strided run.
  for (int d = 2; d + 1 < x.rank(); ++d)
    if (strides[size_t(d)] != strides[size_t(d) + 1] * x.shape[size_t(d) + 1])
      return ctx.error("the spatial dims of the input layout are not contiguous");
  p.multiplier = out->factor(xq->first / double(std::max<int64_t>(p.spatial, 1)));
  p.in_type = *q8TypeCode(x.elemType());
  p.out_type = out->type;
  p.in_zero_point = xq->second;
  p.out_zero_point = out->zeroPoint;
  p.out_min = out->lo;
  p.out_max = out->hi;
  int64_t blocks = (p.channels + 63) / 64;
  return std::vector<KernelCall>{oneCall("qs8_global_avgpool", paramsOf(p), blocks)};
}

// acc = sum over the reduced axes of (qx - zx); inScale = sx / count.
llvm::Expected<std::vector<KernelCall>> emitQReduceMean(const EmitContext &ctx) {
  if (llvm::Error e = checkActivation(ctx))
    return std::move(e);
  auto xq = perTensorQuant(ctx, 0);
  if (!xq)
    return xq.takeError();
  auto out = outputStageOf(ctx);
  if (!out)
    return out.takeError();
  const Operand &x = ctx.operands[0];
  int rank = x.rank();
  std::vector<bool> reduced(size_t(rank), false);
  bool anyAxis = false;
  if (ctx.operands.size() > 1 && ctx.operands[1].present()) {
    const ir::Tensor *axes = ctx.operands[1].constant();
    if (!axes)
      return ctx.error("axes must be a constant");
    for (int64_t i = 0; i < axes->numElements(); ++i) {
      int64_t a = axes->getInt(i);
      a = a < 0 ? a + rank : a;
      if (a < 0 || a >= rank)
        return ctx.error(llvm::formatv("axis {0} is out of range for rank {1}",
                                       axes->getInt(i), rank));
      reduced[size_t(a)] = true;
      anyAxis = true;
    }
  }
  if (!anyAxis && !ctx.node.getInt(ir::AttrName::noop_with_empty_axes))
    std::fill(reduced.begin(), reduced.end(), true);
  if (rank > 0 && reduced[0] && x.batched)
    return ctx.error("reducing over the batch dim is not supported");

  qc_qs8_reduce_mean_params p{};
  std::vector<int64_t> strides = x.logicalStrides();
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    if (x.shape[size_t(d)] == 1)
      continue; // no contribution to indexing
    bool isReduced = reduced[size_t(d)];
    int32_t &r = isReduced ? p.reduced_rank : p.kept_rank;
    if (r == QC_REDUCE_MAX_RANK)
      return ctx.error(llvm::formatv("more than {0} dims", QC_REDUCE_MAX_RANK));
    (isReduced ? p.reduced_dims : p.kept_dims)[r] = x.shape[size_t(d)];
    (isReduced ? p.reduced_strides : p.kept_strides)[r] = strides[size_t(d)];
    ++r;
    if (isReduced)
      count *= x.shape[size_t(d)];
  }
  if (!ctx.results[0].isIdentityLayout())
    return ctx.error("the result must be in logical layout");
  p.multiplier = out->factor(xq->first / double(count));
  p.in_type = *q8TypeCode(x.elemType());
  p.out_type = out->type;
  p.in_zero_point = xq->second;
  p.out_zero_point = out->zeroPoint;
  p.out_min = out->lo;
  p.out_max = out->hi;
  return std::vector<KernelCall>{
      oneCall("qs8_reduce_mean", paramsOf(p), ctx.results[0].numElements())};
}

} // namespace qc::codegen
