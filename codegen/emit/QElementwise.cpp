// Emitters of the int8 elementwise ops: qc.QAdd / qc.QMul (broadcasting
// over any layouts), qc.Requantize and qc.QLut (Qs8Elementwise.cpp kernels).
#include <cmath>
#include <cstring>

#include "codegen/emit/QuantEmit.h"
#include "codegen/kernels/Qs8Elementwise.h"
#include "codegen/kernels/RowChunks.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

namespace {

/// Elements per task of the rows of `shape`, with the result's element size.
int64_t rowChunkOf(const EmitContext &ctx, const qc_nd_shape &shape) {
  return ndRowChunk(shape, ir::elemTypeStorageBytes(ctx.results[0].elemType()));
}

/// The call over the row chunks of `shape`, reading operand 0 (and 1) as
/// activations or as constants in consts[].
KernelCall rowCall(const char *entry, std::vector<uint8_t> params, const qc_nd_shape &shape,
                   int64_t rowChunk) {
  KernelCall call;
  call.entry = entry;
  call.params = std::move(params);
  call.outputs = {0};
  call.tasks = ndChunkTasks(shape, rowChunk);
  return call;
}

llvm::Expected<std::vector<KernelCall>> emitBinary(const EmitContext &ctx, bool isMul) {
  auto aq = perTensorQuant(ctx, 0);
  if (!aq)
    return aq.takeError();
  auto bq = perTensorQuant(ctx, 1);
  if (!bq)
    return bq.takeError();
  auto out = outputStageOf(ctx);
  if (!out)
    return out.takeError();
  const Operand &a = ctx.operands[0], &b = ctx.operands[1];
  auto shape = buildNdShape(ctx.results[0], {&a, &b});
  if (!shape)
    return ctx.error(llvm::toString(shape.takeError()));
  qc_qs8_binary_params p{};
  p.shape = *shape;
  p.row_chunk = rowChunkOf(ctx, *shape);
  p.op = isMul ? QC_QS8_MUL : QC_QS8_ADD;
  p.a_type = *q8TypeCode(a.elemType());
  p.b_type = *q8TypeCode(b.elemType());
  p.out_type = out->type;
  p.a_zero_point = aq->second;
  p.b_zero_point = bq->second;
  p.out_zero_point = out->zeroPoint;
  p.out_min = out->lo;
  p.out_max = out->hi;
  // QAdd: ma = float(sa / sy), mb = float(sb / sy); QMul: mm = float(sa sb / sy).
  p.a_multiplier = isMul ? out->factor(aq->first * bq->first) : out->factor(aq->first);
  p.b_multiplier = isMul ? 0.0f : out->factor(bq->first);
  if (!std::isfinite(p.a_multiplier) || !std::isfinite(p.b_multiplier))
    return ctx.error(llvm::formatv("rescale multipliers {0}, {1} are not finite",
                                   p.a_multiplier, p.b_multiplier));
  KernelCall call = rowCall("qs8_binary", {}, *shape, p.row_chunk);
  // Constant operands travel as blobs; the kernel reads in[] in order, so
  // a constant is passed through consts and flagged.
  for (unsigned i = 0; i < 2; ++i) {
    const Operand &op = ctx.operands[i];
    if (const ir::Tensor *c = op.constant()) {
      (i == 0 ? p.a_const : p.b_const) = int32_t(call.consts.size()) + 1;
      call.consts.push_back(ConstBlob{toPhysicalBytes(*c, op.perm), 64});
    } else {
      call.inputs.push_back(i);
    }
  }
  call.params = paramsOf(p);
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace

llvm::Expected<std::vector<KernelCall>> emitQAdd(const EmitContext &ctx) {
  return emitBinary(ctx, false);
}

llvm::Expected<std::vector<KernelCall>> emitQMul(const EmitContext &ctx) {
  return emitBinary(ctx, true);
}

// qy = sat(rne(float(qx - zx) * float(sx / sy)) + zy).
llvm::Expected<std::vector<KernelCall>> emitRequantize(const EmitContext &ctx) {
  auto xq = perTensorQuant(ctx, 0);
  if (!xq)
    return xq.takeError();
  auto out = outputStageOf(ctx);
  if (!out)
    return out.takeError();
  const Operand &x = ctx.operands[0];
  if (x.constant())
    return ctx.error("constant input: expected to be folded");
  auto shape = buildNdShape(ctx.results[0], {&x});
  if (!shape)
    return ctx.error(llvm::toString(shape.takeError()));
  qc_qs8_requantize_params p{};
  p.shape = *shape;
  p.row_chunk = rowChunkOf(ctx, *shape);
  p.in_type = *q8TypeCode(x.elemType());
  p.out_type = out->type;
  p.in_zero_point = xq->second;
  p.out_zero_point = out->zeroPoint;
  p.out_min = out->lo;
  p.out_max = out->hi;
  p.multiplier = out->factor(xq->first);
  if (!std::isfinite(p.multiplier))
    return ctx.error(llvm::formatv("requantization multiplier is {0}", p.multiplier));
  KernelCall call = rowCall("qs8_requantize", paramsOf(p), *shape, p.row_chunk);
  call.inputs = {0};
  return std::vector<KernelCall>{std::move(call)};
}

// qy = table[qx - min(T_x)].
llvm::Expected<std::vector<KernelCall>> emitQLut(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0], &table = ctx.operands[1];
  if (x.elemType() != ir::ElemType::U8 && x.elemType() != ir::ElemType::I8)
    return ctx.error(llvm::formatv("input type {0} is not supported (u8/s8)", x.type().str()));
  const ir::Tensor *t = table.constant();
  if (!t || t->numElements() != 256)
    return ctx.error("table must be a constant of 256 entries");
  unsigned bytes = ir::elemTypeStorageBytes(t->elemType());
  if (bytes != 1 && bytes != 4)
    return ctx.error(llvm::formatv("table element type {0} is not supported (8 or 32 bits)",
                                   ir::elemTypeName(t->elemType())));
  if (x.constant())
    return ctx.error("constant input: expected to be folded");
  auto shape = buildNdShape(ctx.results[0], {&x});
  if (!shape)
    return ctx.error(llvm::toString(shape.takeError()));
  qc_q8_lut_params p{};
  p.shape = *shape;
  p.row_chunk = rowChunkOf(ctx, *shape);
  p.in_type = *q8TypeCode(x.elemType());
  p.out_bytes = int32_t(bytes);
  KernelCall call = rowCall("q8_lut", paramsOf(p), *shape, p.row_chunk);
  call.inputs = {0};
  std::vector<uint8_t> tableBytes(t->byteSize());
  std::memcpy(tableBytes.data(), t->raw(), tableBytes.size());
  call.consts.push_back(ConstBlob{std::move(tableBytes), 64});
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
