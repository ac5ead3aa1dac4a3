// Emitters of qc.QSoftmax and qc.QLayerNorm (Logical layout): row kernels of
// codegen/kernels/Norm.cpp; LayerNorm's scale and bias are dequantized and
// broadcast to the normalized dims here, at compile time.
#include "codegen/Emit.h"
#include "codegen/kernels/Norm.h"
#include "interp/kernels/Kernels.h"

#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

namespace {

/// Element kind and quantization of one side of a norm kernel.
llvm::Error describeSide(const EmitContext &ctx, const Operand &o, llvm::StringRef what,
                         int32_t &kind, int32_t &zp, float &scale) {
  const auto &q = o.type().quant;
  switch (o.elemType()) {
  case ir::ElemType::F32:
    if (q)
      return ctx.error(llvm::formatv("{0} is f32 but quantized", what));
    kind = QC_NORM_F32;
    zp = 0;
    scale = 1;
    return llvm::Error::success();
  case ir::ElemType::U8:
  case ir::ElemType::I8:
    if (!q || !q->isPerTensor())
      return ctx.error(llvm::formatv("{0} must be quantized per tensor", what));
    kind = o.elemType() == ir::ElemType::U8 ? QC_NORM_U8 : QC_NORM_S8;
    zp = static_cast<int32_t>(q->zeroPoints[0]);
    scale = static_cast<float>(q->scales[0]);
    return llvm::Error::success();
  default:
    return ctx.error(llvm::formatv("{0} must be u8, i8 or f32", what));
  }
}

llvm::Expected<qc_norm_io> describeIo(const EmitContext &ctx) {
  qc_norm_io io{};
  if (llvm::Error e =
          describeSide(ctx, ctx.operands[0], "input", io.in_kind, io.in_zp, io.in_scale))
    return e;
  if (llvm::Error e =
          describeSide(ctx, ctx.results[0], "result", io.out_kind, io.out_zp, io.out_scale))
    return e;
  return io;
}

/// A LayerNorm parameter as fp32 (dequantized as DequantizeLinear does),
/// broadcast to the normalized dims `normDims`.
llvm::Expected<std::vector<float>> normParam(const EmitContext &ctx, unsigned i,
                                             llvm::ArrayRef<int64_t> normDims) {
  const Operand &o = ctx.operands[i];
  const ir::Tensor *t = o.constant();
  if (!t)
    return ctx.error(i == 1 ? "scale must be a constant" : "bias must be a constant");
  const auto &q = o.type().quant;
  if (q && !q->isPerTensor())
    return ctx.error("per-axis quantized scale or bias");
  std::vector<int64_t> map = interp::broadcastIndexMap(normDims, t->dims());
  std::vector<float> values(map.size());
  for (size_t c = 0; c < map.size(); ++c) {
    if (q) {
      float v = static_cast<float>(t->getInt(map[c]) - q->zeroPoints[0]);
      values[c] = static_cast<float>(double(v) * double(static_cast<float>(q->scales[0])));
    } else {
      values[c] = static_cast<float>(t->getDouble(map[c]));
    }
  }
  return values;
}

int64_t normalizedAxis(const EmitContext &ctx, int rank) {
  int64_t axis = ctx.node.getInt(ir::AttrName::axis);
  return axis < 0 ? axis + rank : axis;
}

} // namespace

llvm::Expected<std::vector<KernelCall>> emitQSoftmax(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0];
  auto io = describeIo(ctx);
  if (!io)
    return io.takeError();
  int rank = x.rank();
  int64_t axis = normalizedAxis(ctx, rank);
  if (rank == 0 || axis < 0 || axis >= rank)
    return ctx.error("axis out of range");
  if (axis == 0 && x.batched)
    return ctx.error("softmax over the batch dimension is not supported");
  qc_softmax_params p{};
  p.io = *io;
  int64_t outer = 1;
  p.inner = 1;
  for (int d = 0; d < rank; ++d) {
    if (d < axis)
      outer *= x.shape[d];
    else if (d > axis)
      p.inner *= x.shape[d];
  }
  p.extent = x.shape[axis];
  KernelCall call;
  call.entry = "softmax_rows";
  call.params = paramsOf(p);
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = p.extent == 0 ? 0 : outer * p.inner;
  if (call.tasks == 0)
    return std::vector<KernelCall>{};
  return std::vector<KernelCall>{std::move(call)};
}

llvm::Expected<std::vector<KernelCall>> emitQLayerNorm(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0];
  auto io = describeIo(ctx);
  if (!io)
    return io.takeError();
  if (ctx.results.size() > 1)
    return ctx.error("mean / inv_std_dev results have no kernel");
  int rank = x.rank();
  int64_t axis = normalizedAxis(ctx, rank);
  if (axis < 0 || axis >= rank)
    return ctx.error("axis out of range");
  if (axis == 0 && x.batched)
    return ctx.error("normalizing over the batch dimension is not supported");
  qc_layernorm_params p{};
  p.io = *io;
  int64_t rows = 1;
  p.cols = 1;
  for (int d = 0; d < rank; ++d)
    (d < axis ? rows : p.cols) *= x.shape[d];
  p.epsilon = ctx.node.getFloat(ir::AttrName::epsilon);
  std::vector<int64_t> normDims(x.shape.begin() + axis, x.shape.end());
  KernelCall call;
  auto gamma = normParam(ctx, 1, normDims);
  if (!gamma)
    return gamma.takeError();
  call.consts.push_back(blobOf<float>(*gamma));
  if (ctx.operands.size() > 2 && ctx.operands[2].present()) {
    auto beta = normParam(ctx, 2, normDims);
    if (!beta)
      return beta.takeError();
    call.consts.push_back(blobOf<float>(*beta));
    p.has_bias = 1;
  }
  call.entry = "layernorm_rows";
  call.params = paramsOf(p);
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = p.cols == 0 ? 0 : rows;
  if (call.tasks == 0)
    return std::vector<KernelCall>{};
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
