// qc.QMatMul with a constant right operand b [K, N] (or [1, ..., K, N]):
// every row of a (all leading dims flattened) times the packed b, with the
// int8 implicit-GEMM kernel as a 1x1 convolution over rows (qs8_gemm).
#include "codegen/emit/GemmPacking.h"
#include "codegen/emit/Linear.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

llvm::Expected<std::vector<KernelCall>> emitQMatMulGemm(const EmitContext &ctx) {
  const Operand &a = ctx.operands[0], &b = ctx.operands[1], &y = ctx.results[0];
  const Operand *bias = ctx.operands.size() > 2 && ctx.operands[2].present() ? &ctx.operands[2]
                                                                             : nullptr;
  const ir::Tensor *bt = b.constant();
  if (!bt || !b.type().quant)
    return ctx.error("right operand is not a quantized constant");
  if (!a.isIdentityLayout() || !y.isIdentityLayout())
    return ctx.error("operands are not in row-major layout");
  if (b.rank() < 2)
    return ctx.error("rank-1 right operand is not supported");
  for (int d = 0; d + 2 < b.rank(); ++d)
    if (b.shape[d] != 1)
      return ctx.error(llvm::formatv("right operand batch dim {0} is {1}: only broadcast "
                                     "(size-1) batch dims are supported",
                                     d, b.shape[d]));
  if (a.rank() < 1)
    return ctx.error("scalar left operand");
  const int64_t k = b.shape[b.rank() - 2], n = b.shape[b.rank() - 1];
  if (a.shape.back() != k)
    return ctx.error(llvm::formatv("inner extents {0} and {1} differ", a.shape.back(), k));
  if (bias && (!bias->constant() || bias->elemType() != ir::ElemType::I32))
    return ctx.error("bias is not an i32 constant");
  const ir::QuantParams &bq = *b.type().quant;
  if (!bq.isPerTensor() && *bq.axis != b.rank() - 1 && *bq.axis != -1)
    return ctx.error(llvm::formatv("right operand quantized along axis {0}, not the last",
                                   *bq.axis));
  // Rows: every leading element of a; the result has the same rows.
  int64_t rows = a.numElements() / k;
  if (y.numElements() != rows * n)
    return ctx.error(llvm::formatv("result has {0} elements, expected {1} x {2}",
                                   y.numElements(), rows, n));

  GemmWeights gw;
  gw.groups = 1;
  gw.groupIn = k;
  gw.groupOut = n;
  gw.taps = 1;
  gw.weightType = b.elemType();
  gw.weightQuant = &bq;
  gw.bias = bias ? bias->constant() : nullptr;
  gw.weight = [bt, n](int64_t col, int64_t, int64_t kk) { return bt->getInt(kk * n + col); };

  qc_qs8_gemm_params p{};
  auto consts = packGemm(ctx, gw, rows, p);
  if (!consts)
    return consts.takeError();
  p.batch = 1;
  p.in_h = 1;
  p.in_w = int32_t(rows);
  p.in_c = int32_t(k);
  p.out_h = 1;
  p.out_w = int32_t(rows);
  p.out_c = int32_t(n);
  p.kernel_h = p.kernel_w = 1;
  p.stride_h = p.stride_w = 1;
  p.dilation_h = p.dilation_w = 1;
  p.row_tiles = int32_t((rows + p.mr - 1) / p.mr);

  KernelCall call;
  call.entry = "qs8_gemm";
  call.params = paramsOf(p);
  call.consts = std::move(*consts);
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = int64_t(p.n_blocks) * p.row_tiles;
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
