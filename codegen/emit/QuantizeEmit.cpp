// Emitters of ONNX QuantizeLinear (f32 -> u8/s8) and DequantizeLinear
// (u8/s8/i32 -> f32), per tensor or per axis, over any layout: the scale and
// zero point arrays are extra n-d operands strided along the LOGICAL axis.
#include <cmath>

#include "codegen/emit/QuantEmit.h"
#include "codegen/kernels/Quantize.h"
#include "codegen/kernels/RowChunks.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

namespace {

/// The parameters of a Q/DQ node as kernel operands.
struct QdqParams {
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;
  Operand layout; // shape 1 except along the axis (identity perm)
};

llvm::Expected<QdqParams> qdqParamsOf(const EmitContext &ctx, const Operand &data) {
  const Operand &scale = ctx.operands[1], &zp = ctx.operands[2];
  const ir::Tensor *s = scale.constant();
  if (!s || scale.elemType() != ir::ElemType::F32)
    return ctx.error("scale must be a constant f32 tensor");
  const ir::Tensor *z = zp.present() ? zp.constant() : nullptr;
  if (zp.present() && !z)
    return ctx.error("zero point must be a constant");
  if (ctx.node.getInt(ir::AttrName::block_size) != 0)
    return ctx.error("blocked quantization is not supported");
  QdqParams q;
  int64_t count = s->numElements();
  if (z && z->numElements() != count)
    return ctx.error(llvm::formatv("zero point has {0} elements, scale {1}", z->numElements(),
                                   count));
  q.layout.shape.assign(size_t(data.rank()), 1);
  q.layout.perm.resize(size_t(data.rank()));
  for (int i = 0; i < data.rank(); ++i)
    q.layout.perm[size_t(i)] = i;
  if (s->rank() >= 1 && count > 1) {
    int64_t axis = ctx.node.getInt(ir::AttrName::axis);
    if (axis < 0)
      axis += data.rank();
    if (axis < 0 || axis >= data.rank() || data.shape[size_t(axis)] != count)
      return ctx.error(llvm::formatv("{0} per-axis parameters do not match axis {1}", count,
                                     ctx.node.getInt(ir::AttrName::axis)));
    if (axis == 0 && data.batched)
      return ctx.error("per-axis parameters along the batch dim are not supported");
    q.layout.shape[size_t(axis)] = count;
  }
  for (int64_t i = 0; i < count; ++i) {
    q.scales.push_back(float(s->getDouble(i)));
    q.zeroPoints.push_back(z ? int32_t(z->getInt(i)) : 0);
  }
  return q;
}

/// [..., P, C] with x's unit stride along P, out's along C (dense) and
/// parameters constant along P: planes to channels-last.
bool isInterleave(const qc_nd_shape &s) {
  const int r = s.rank;
  if (r < 2 || s.dims[r - 1] > QC_QUANTIZE_MAX_INTERLEAVE)
    return false;
  return s.strides[0][r - 1] == 1 && s.strides[0][r - 2] == s.dims[r - 1] &&
         s.strides[1][r - 2] == 1 && s.strides[2][r - 2] == 0 && s.strides[3][r - 2] == 0;
}

int64_t outerOf(const qc_nd_shape &s) {
  int64_t outer = 1;
  for (int d = 0; d + 2 < s.rank; ++d)
    outer *= s.dims[d];
  return outer;
}

KernelCall qdqCall(const char *entry, std::vector<uint8_t> params, int64_t tasks,
                   const QdqParams &q) {
  KernelCall call;
  call.entry = entry;
  call.params = std::move(params);
  call.consts = {blobOf<float>(q.scales), blobOf<int32_t>(q.zeroPoints)};
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = tasks;
  return call;
}

} // namespace

// y = sat(rne(x / scale) + zp), the quotient in fp32.
llvm::Expected<std::vector<KernelCall>> emitQuantizeLinear(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0], &y = ctx.results[0];
  if (x.elemType() != ir::ElemType::F32)
    return ctx.error(llvm::formatv("input type {0} is not supported (f32)", x.type().str()));
  if (y.elemType() != ir::ElemType::U8 && y.elemType() != ir::ElemType::I8)
    return ctx.error(llvm::formatv("result type {0} is not supported (u8/s8)", y.type().str()));
  if (x.constant())
    return ctx.error("constant input: expected to be folded");
  auto q = qdqParamsOf(ctx, x);
  if (!q)
    return q.takeError();
  auto shape = buildNdShape(y, {&x, &q->layout, &q->layout});
  if (!shape)
    return ctx.error(llvm::toString(shape.takeError()));
  qc_f32_q8_quantize_params p{};
  p.shape = *shape;
  p.out_type = *q8TypeCode(y.elemType());
  int64_t tasks;
  if (isInterleave(*shape)) {
    p.mode = QC_QUANTIZE_INTERLEAVE;
    int64_t pixels = shape->dims[shape->rank - 2];
    tasks = outerOf(*shape) * ((pixels + QC_QUANTIZE_PIXELS - 1) / QC_QUANTIZE_PIXELS);
  } else {
    p.mode = QC_QUANTIZE_ROWS;
    p.row_chunk = ndRowChunk(*shape, 1);
    tasks = ndChunkTasks(*shape, p.row_chunk);
  }
  return std::vector<KernelCall>{qdqCall("f32_q8_quantize", paramsOf(p), tasks, *q)};
}

// y = float(x - zp) * scale.
llvm::Expected<std::vector<KernelCall>> emitDequantizeLinear(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0], &y = ctx.results[0];
  ir::ElemType t = x.elemType();
  if (t != ir::ElemType::U8 && t != ir::ElemType::I8 && t != ir::ElemType::I32)
    return ctx.error(llvm::formatv("input type {0} is not supported (u8/s8/i32)",
                                   x.type().str()));
  if (y.elemType() != ir::ElemType::F32)
    return ctx.error(llvm::formatv("result type {0} is not supported (f32)", y.type().str()));
  if (x.constant())
    return ctx.error("constant input: expected to be folded");
  auto q = qdqParamsOf(ctx, x);
  if (!q)
    return q.takeError();
  auto shape = buildNdShape(y, {&x, &q->layout, &q->layout});
  if (!shape)
    return ctx.error(llvm::toString(shape.takeError()));
  qc_q8_f32_dequantize_params p{};
  p.shape = *shape;
  p.in_type = *q8TypeCode(t);
  p.row_chunk = ndRowChunk(*shape, 4);
  return std::vector<KernelCall>{
      qdqCall("q8_f32_dequantize", paramsOf(p), ndChunkTasks(*shape, p.row_chunk), *q)};
}

} // namespace qc::codegen
