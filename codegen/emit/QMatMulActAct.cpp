// qc.QMatMul with two activations (attention QK^T / PV): numpy-broadcast
// batched int8 matmul; B is packed into the node's scratch at run time
// (qc_qs8_bmm_pack), then qc_qs8_bmm computes and requantizes
// (codegen/kernels/Qs8BatchMatMul.{h,cpp}).
#include "codegen/emit/Linear.h"
#include "codegen/kernels/Qs8BatchMatMul.h"

#include <algorithm>
#include <cmath>

#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

namespace {

llvm::Expected<const ir::QuantParams *> perTensorQuant(const EmitContext &ctx, unsigned i,
                                                       llvm::StringRef what) {
  const Operand &o = ctx.operands[i];
  if (o.elemType() != ir::ElemType::U8 && o.elemType() != ir::ElemType::I8)
    return ctx.error(llvm::formatv("{0} must be u8 or i8", what));
  const auto &q = o.type().quant;
  if (!q || !q->isPerTensor())
    return ctx.error(llvm::formatv("{0} must be quantized per tensor", what));
  return &*q;
}

} // namespace

llvm::Expected<std::vector<KernelCall>> emitQMatMulActAct(const EmitContext &ctx) {
  const Operand &a = ctx.operands[0];
  const Operand &b = ctx.operands[1];
  const Operand &y = ctx.results[0];
  if (a.constant())
    return ctx.error("a constant left operand has no act x act kernel");
  auto aq = perTensorQuant(ctx, 0, "A");
  if (!aq)
    return aq.takeError();
  auto bq = perTensorQuant(ctx, 1, "B");
  if (!bq)
    return bq.takeError();

  std::vector<int64_t> aShape = a.shape, bShape = b.shape;
  if (aShape.size() == 1)
    aShape.insert(aShape.begin(), 1);
  if (bShape.size() == 1)
    bShape.push_back(1);
  if (aShape.size() < 2 || bShape.size() < 2)
    return ctx.error("operands must have rank >= 1");
  int64_t m = aShape[aShape.size() - 2], k = aShape.back(), n = bShape.back();
  if (bShape[bShape.size() - 2] != k)
    return ctx.error(llvm::formatv("inner dims differ: {0} and {1}", k,
                                   bShape[bShape.size() - 2]));

  qc_qs8_bmm_params p{};
  p.m = m;
  p.n = n;
  p.k = k;
  p.k4 = (k + 3) / 4 * 4;
  p.nr = qc_bmm_tile_columns(static_cast<int32_t>(isaVectorBytes(ctx.isa)));
  p.n_tiles = (n + p.nr - 1) / p.nr;
  p.tile_bytes = p.k4 * p.nr;
  p.packed_bytes = (p.n_tiles * (p.tile_bytes + p.nr * 4) + 63) / 64 * 64;

  // Batch dims: right-aligned numpy broadcast; size-1 result dims dropped.
  std::vector<int64_t> aBatch(aShape.begin(), aShape.end() - 2);
  std::vector<int64_t> bBatch(bShape.begin(), bShape.end() - 2);
  size_t rank = std::max(aBatch.size(), bBatch.size());
  aBatch.insert(aBatch.begin(), rank - aBatch.size(), 1);
  bBatch.insert(bBatch.begin(), rank - bBatch.size(), 1);
  auto rowMajorMatrices = [](const std::vector<int64_t> &dims) {
    std::vector<int64_t> s(dims.size());
    int64_t stride = 1;
    for (size_t d = dims.size(); d-- > 0;) {
      s[d] = stride;
      stride *= dims[d];
    }
    return s;
  };
  std::vector<int64_t> aStrides = rowMajorMatrices(aBatch), bStrides = rowMajorMatrices(bBatch);
  p.num_b = 1;
  for (int64_t d : bBatch)
    p.num_b *= d;
  p.out_batches = 1;
  for (size_t d = 0; d < rank; ++d) {
    int64_t extent = std::max(aBatch[d], bBatch[d]);
    if ((aBatch[d] != 1 && aBatch[d] != extent) || (bBatch[d] != 1 && bBatch[d] != extent))
      return ctx.error("batch dims do not broadcast");
    if (extent == 1)
      continue;
    if (p.batch_rank == QC_BMM_MAX_BATCH_RANK)
      return ctx.error("more than 4 batch dims");
    p.batch_dims[p.batch_rank] = extent;
    p.a_batch_stride[p.batch_rank] = aBatch[d] == 1 ? 0 : aStrides[d];
    p.b_batch_stride[p.batch_rank] = bBatch[d] == 1 ? 0 : bStrides[d];
    ++p.batch_rank;
    p.out_batches *= extent;
  }
  p.m_blocks = (m + QC_BMM_ROWS_PER_TASK - 1) / QC_BMM_ROWS_PER_TASK;
  if (y.numElements() != p.out_batches * m * n)
    return ctx.error("result shape does not match the operands");

  bool aSigned = a.elemType() == ir::ElemType::I8;
  bool bSigned = b.elemType() == ir::ElemType::I8;
  p.a_flip = aSigned ? 0x80 : 0;
  p.b_flip = bSigned ? 0 : 0x80;
  p.za_u = static_cast<int32_t>((*aq)->zeroPoints[0] + (aSigned ? 128 : 0));
  p.zb_s = static_cast<int32_t>((*bq)->zeroPoints[0] - (bSigned ? 0 : 128));

  double inScale = (*aq)->scales[0] * (*bq)->scales[0];
  const auto &yq = y.type().quant;
  if (y.elemType() == ir::ElemType::F32 && !yq) {
    p.out_kind = QC_BMM_OUT_F32;
    p.multiplier = static_cast<float>(inScale);
  } else if ((y.elemType() == ir::ElemType::U8 || y.elemType() == ir::ElemType::I8) && yq &&
             yq->isPerTensor()) {
    p.out_kind = y.elemType() == ir::ElemType::U8 ? QC_BMM_OUT_U8 : QC_BMM_OUT_S8;
    p.multiplier = static_cast<float>(inScale / yq->scales[0]);
    int64_t lo = y.elemType() == ir::ElemType::U8 ? 0 : -128;
    int64_t hi = y.elemType() == ir::ElemType::U8 ? 255 : 127;
    lo = std::max(lo, ctx.node.findInt(ir::AttrName::act_min).value_or(lo));
    hi = std::min(hi, ctx.node.findInt(ir::AttrName::act_max).value_or(hi));
    p.zy = static_cast<int32_t>(yq->zeroPoints[0]);
    p.lo = static_cast<float>(lo - p.zy);
    p.hi = static_cast<float>(hi - p.zy);
  } else {
    return ctx.error("result must be u8/i8 quantized per tensor, or f32");
  }
  if (!std::isfinite(p.multiplier))
    return ctx.error("requantization multiplier is not finite");

  KernelCall pack;
  pack.entry = "qs8_bmm_pack";
  pack.inputs = {1};
  pack.outputs = {0};
  pack.tasks = p.num_b * p.n_tiles;
  pack.scratchBytes = p.num_b * p.packed_bytes;
  if (ctx.operands.size() > 2 && ctx.operands[2].present()) {
    const ir::Tensor *bias = ctx.operands[2].constant();
    if (!bias || bias->elemType() != ir::ElemType::I32 || bias->numElements() != n)
      return ctx.error("bias must be a constant i32 [N]");
    p.has_bias = 1;
    pack.consts.push_back(ConstBlob{toPhysicalBytes(*bias, {}), 64});
  }
  pack.params = paramsOf(p);

  KernelCall compute;
  compute.entry = "qs8_bmm";
  compute.params = paramsOf(p);
  compute.inputs = {0};
  compute.outputs = {0};
  compute.tasks = p.out_batches * p.m_blocks;
  compute.scratchBytes = pack.scratchBytes;
  return std::vector<KernelCall>{std::move(pack), std::move(compute)};
}

} // namespace qc::codegen
