// Weight packing and zero-point folding for the int8 implicit-GEMM kernels
// (codegen/kernels/Qs8Gemm.h): everything about the weights that can be known
// at compile time is computed here, once.
#include "codegen/emit/GemmPacking.h"

#include <cmath>
#include <cstdlib>

#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

int gemmIsaIndex(Isa isa) {
  switch (isa) {
  case Isa::Generic: return QC_QS8_GEMM_GENERIC;
  case Isa::Avx2: return QC_QS8_GEMM_AVX2;
  case Isa::AvxVnni: return QC_QS8_GEMM_AVXVNNI;
  case Isa::Avx512Vnni: return QC_QS8_GEMM_AVX512VNNI;
  }
  return QC_QS8_GEMM_GENERIC;
}

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The micro-tile for `groupOut` columns: the number of accumulator vectors
/// NRV that wastes the fewest padded columns (ties: the wider tile, fewer
/// activation broadcasts per MAC), and the most rows MR the accumulator
/// budget allows (fewer when there are fewer rows, so M = 1 is a GEMV).
void chooseTile(int isa, int64_t groupOut, int64_t rows, int &mr, int &nrv) {
  const int lanes = qc_qs8_gemm_lanes[isa];
  int64_t bestWaste = -1;
  for (int v = qc_qs8_gemm_max_nrv[isa]; v >= 1; --v) {
    int64_t waste = ceilDiv(groupOut, v * lanes) * v * lanes - groupOut;
    if (bestWaste < 0 || waste < bestWaste) {
      bestWaste = waste;
      nrv = v;
    }
  }
  mr = std::min(qc_qs8_gemm_max_acc[isa] / nrv, QC_QS8_GEMM_MAX_MR);
  mr = int(std::min<int64_t>(mr, std::max<int64_t>(rows, 1)));
}

double scaleAt(const ir::QuantParams &q, int64_t c) {
  return q.scales[q.scales.size() == 1 ? 0 : size_t(c)];
}
int64_t zeroPointAt(const ir::QuantParams &q, int64_t c) {
  return q.zeroPoints[q.zeroPoints.size() == 1 ? 0 : size_t(c)];
}

} // namespace

llvm::Expected<std::vector<ConstBlob>> packGemm(const EmitContext &ctx, const GemmWeights &gw,
                                                int64_t rows, qc_qs8_gemm_params &params) {
  const Operand &x = ctx.operands[0];
  const ir::Type &yType = ctx.results[0].type();
  if (x.elemType() != ir::ElemType::U8 && x.elemType() != ir::ElemType::I8)
    return ctx.error("input type " + ir::elemTypeName(x.elemType()) + " is not u8 or i8");
  if (!x.type().quant || !x.type().quant->isPerTensor())
    return ctx.error("input is not per-tensor quantized");
  switch (gw.weightType) {
  case ir::ElemType::I8: case ir::ElemType::U8: case ir::ElemType::I4: case ir::ElemType::U4:
    break;
  default:
    return ctx.error("weight type " + ir::elemTypeName(gw.weightType) + " is not an 8/4-bit integer");
  }
  const ir::QuantParams &xq = *x.type().quant;
  const ir::QuantParams &wq = *gw.weightQuant;
  const int64_t channels = gw.groups * gw.groupOut;
  if (!wq.isPerTensor() && (int64_t(wq.scales.size()) != channels || wq.blockSize != 0))
    return ctx.error(llvm::formatv("weight quantization has {0} scales for {1} output channels",
                                   wq.scales.size(), channels));
  bool floatOut = !yType.quant;
  if (!floatOut && yType.elem != ir::ElemType::U8 && yType.elem != ir::ElemType::I8)
    return ctx.error("result type " + ir::elemTypeName(yType.elem) + " is not u8, i8 or f32");
  if (floatOut && yType.elem != ir::ElemType::F32)
    return ctx.error("float result type " + ir::elemTypeName(yType.elem) + " is not f32");
  if (!floatOut && !yType.quant->isPerTensor())
    return ctx.error("result is not per-tensor quantized");

  const int isa = gemmIsaIndex(ctx.isa);
  const int lanes = qc_qs8_gemm_lanes[isa];
  int mr = 1, nrv = 1;
  chooseTile(isa, gw.groupOut, rows, mr, nrv);
  const int64_t nr = int64_t(nrv) * lanes;
  const int64_t blocks = ceilDiv(gw.groupOut, nr);
  const int64_t cols = blocks * nr; // per group
  const int64_t quads = ceilDiv(gw.groupIn, 4);
  const int64_t k = gw.taps * gw.groupIn;

  // Activations in the u8 domain: s8 x is read as x + 128 (xor 0x80).
  const bool inputSigned = x.elemType() == ir::ElemType::I8;
  const int64_t zx = xq.zeroPoints[0] + (inputSigned ? 128 : 0);
  // Weights in the s8 domain with the same differences w - zw.
  const int64_t weightShift = gw.weightType == ir::ElemType::U8 ? 128 : 0;

  std::vector<int8_t> packed(size_t(gw.groups * blocks * gw.taps * quads * nr * 4), 0);
  std::vector<int32_t> bias(size_t(gw.groups * cols), 0), zw(size_t(gw.groups * cols), 0);
  std::vector<float> mult(size_t(gw.groups * cols), 0.0f);
  bool anyZw = false;
  const int64_t xMaxAbs = std::max(zx, 255 - zx);
  for (int64_t g = 0; g < gw.groups; ++g) {
    for (int64_t j = 0; j < gw.groupOut; ++j) {
      const int64_t m = g * gw.groupOut + j;
      const int64_t zw8 = zeroPointAt(wq, m) - weightShift;
      const int64_t block = j / nr, lane = j % nr;
      int8_t *dst = packed.data() + (g * blocks + block) * gw.taps * quads * nr * 4;
      int64_t sum = 0, absSum = 0;
      for (int64_t t = 0; t < gw.taps; ++t)
        for (int64_t c = 0; c < gw.groupIn; ++c) {
          int64_t w8 = gw.weight(m, t, c) - weightShift;
          dst[((t * quads + c / 4) * nr + lane) * 4 + c % 4] = int8_t(w8);
          sum += w8;
          absSum += std::llabs(w8 - zw8);
        }
      int64_t b = gw.bias ? gw.bias->getInt(m) : 0;
      // The exact accumulator must fit int32; then every int32 wrap on the way
      // (folded bias, products, row-sum terms) cancels modulo 2^32.
      if (absSum * xMaxAbs + std::llabs(b) > INT32_MAX)
        return ctx.error(llvm::formatv("output channel {0}: the int32 accumulator can overflow "
                                       "(K = {1}, bound {2})",
                                       m, k, absSum * xMaxAbs + std::llabs(b)));
      // sum_k (x - zx)(w - zw) = sum_k x w - zx sum_k w - zw sum_k x + K zx zw
      // (x, w, zx, zw in the u8/s8 kernel domains): all but the zw sum_k x
      // term (row sums at run time) are constants.
      int64_t folded = b - zx * sum + k * zx * zw8;
      size_t col = size_t(g * cols + j);
      bias[col] = int32_t(uint32_t(uint64_t(folded)));
      zw[col] = int32_t(zw8);
      anyZw |= zw8 != 0;
      double inScale = xq.scales[0] * scaleAt(wq, m);
      mult[col] = floatOut ? float(inScale) : float(inScale / yType.quant->scales[0]);
      if (!std::isfinite(mult[col]))
        return ctx.error(llvm::formatv("requantization multiplier of channel {0} is {1}", m,
                                       mult[col]));
    }
  }

  params.groups = int32_t(gw.groups);
  params.group_in = int32_t(gw.groupIn);
  params.group_out = int32_t(gw.groupOut);
  params.mr = mr;
  params.nrv = nrv;
  params.n_blocks = int32_t(blocks);
  params.input_signed = inputSigned;
  params.input_zero_point = int32_t(zx);
  params.has_weight_zero_points = anyZw;
  params.output_kind = floatOut ? QC_QS8_GEMM_OUT_F32 : QC_QS8_GEMM_OUT_Q8;
  if (!floatOut) {
    int64_t zy = yType.quant->zeroPoints[0];
    int64_t lo = ir::elemTypeMin(yType.elem), hi = ir::elemTypeMax(yType.elem);
    lo = std::max(lo, ctx.node.findInt(ir::AttrName::act_min).value_or(lo));
    hi = std::min(hi, ctx.node.findInt(ir::AttrName::act_max).value_or(hi));
    if (lo > hi)
      return ctx.error(llvm::formatv("empty activation clamp [{0}, {1}]", lo, hi));
    params.output_zero_point = int32_t(zy);
    params.clamp_lo = float(lo - zy);
    params.clamp_hi = float(hi - zy);
  }

  std::vector<uint8_t> zeroRow(size_t(quads * 4), uint8_t(xq.zeroPoints[0]));
  std::vector<ConstBlob> consts;
  consts.push_back(blobOf<int8_t>(packed));
  consts.push_back(blobOf<int32_t>(bias));
  consts.push_back(blobOf<float>(mult));
  consts.push_back(blobOf<uint8_t>(zeroRow));
  consts.push_back(blobOf<int32_t>(zw));
  return consts;
}

} // namespace qc::codegen
