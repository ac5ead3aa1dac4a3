// Depthwise qc.QConv (group == C, M = C * multiplier), NHWC: folds the
// input zero point into the bias and packs the zero-point-centred weights for
// qs8_dwconv_vec (s8 quads of 4 kernel rows, vector ISAs) or, where that does
// not apply, qs8_dwconv (int16 in int32 lanes); both run over output rows
// (Qs8Dwconv.cpp).
#include <cmath>

#include "codegen/emit/Linear.h"
#include "codegen/emit/QuantEmit.h"
#include "codegen/kernels/Qs8Dwconv.h"
#include "ir/ShapeInference.h"
#include "ir/infer/LinearShapes.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

llvm::Expected<std::vector<KernelCall>> emitQConvDepthwise(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0], &w = ctx.operands[1], &bias = ctx.operands[2];
  const Operand &y = ctx.results[0];
  if (!x.isNhwc() || !y.isNhwc())
    return ctx.error("depthwise conv expects NHWC activations");
  auto xq = perTensorQuant(ctx, 0);
  if (!xq)
    return xq.takeError();
  auto [xScale, xZeroPoint] = *xq;
  auto out = outputStageOf(ctx);
  if (!out)
    return out.takeError();
  const ir::Tensor *wt = w.constant();
  if (!wt || (w.elemType() != ir::ElemType::I8 && w.elemType() != ir::ElemType::U8))
    return ctx.error("weight must be a constant u8/s8 tensor");
  const std::optional<ir::QuantParams> &wq = w.type().quant;
  if (!wq || (wq->axis && *wq->axis != 0) || wq->blockSize != 0)
    return ctx.error("weight must be quantized per tensor or per output channel (axis 0)");
  if (bias.present() && (!bias.constant() || bias.elemType() != ir::ElemType::I32))
    return ctx.error("bias must be a constant i32 tensor");

  ir::InferContext ictx = ir::makeInferContext(ctx.node);
  ir::infer::WindowGeometry g;
  auto shape = ir::infer::convOutputShape(ictx, x.type().shape, w.type().shape, &g);
  if (!shape)
    return shape.takeError();
  if (g.kernel.size() != 2)
    return ctx.error(llvm::formatv("{0}-d depthwise conv is not supported (2-d only)",
                                   g.kernel.size()));

  qc_qs8_dwconv_params p{};
  p.in_h = x.shape[2];
  p.in_w = x.shape[3];
  p.channels = x.shape[1];
  p.out_h = y.shape[2];
  p.out_w = y.shape[3];
  p.out_channels = y.shape[1];
  p.multiplier = p.out_channels / p.channels;
  p.kernel_h = g.kernel[0];
  p.kernel_w = g.kernel[1];
  p.stride_h = g.strides[0];
  p.stride_w = g.strides[1];
  p.dilation_h = g.dilations[0];
  p.dilation_w = g.dilations[1];
  p.pad_top = g.pads[0];
  p.pad_left = g.pads[1];
  p.in_type = *q8TypeCode(x.elemType());
  p.out_type = out->type;
  p.out_zero_point = out->zeroPoint;
  p.out_min = out->lo;
  p.out_max = out->hi;

  // Centred weights [M][kh * kw] = w - zw[m] and the multipliers.
  const int64_t m = p.out_channels, taps = p.kernel_h * p.kernel_w;
  std::vector<int32_t> centred(static_cast<size_t>(taps * m));
  std::vector<int64_t> sums(static_cast<size_t>(m));
  std::vector<float> multiplier(static_cast<size_t>(m));
  bool fitsS8 = true;
  for (int64_t oc = 0; oc < m; ++oc) {
    int64_t zw = wq->zeroPoints[wq->zeroPoints.size() == 1 ? 0 : size_t(oc)];
    double sw = wq->scales[wq->scales.size() == 1 ? 0 : size_t(oc)];
    for (int64_t k = 0; k < taps; ++k) {
      int64_t v = wt->getInt(oc * taps + k) - zw;
      centred[size_t(oc * taps + k)] = int32_t(v);
      sums[size_t(oc)] += v;
      fitsS8 = fitsS8 && v >= -128 && v <= 127;
    }
    multiplier[size_t(oc)] = out->factor(xScale * sw);
    if (!std::isfinite(multiplier[size_t(oc)]))
      return ctx.error(llvm::formatv("requantization multiplier of channel {0} is {1}", oc,
                                     multiplier[size_t(oc)]));
  }
  // bias' = bias - zx * sum_k (w - zw), so that sum_k x * (w - zw) + bias'
  // is the accumulator of zero-point-centred x (padded taps read zx).
  auto foldBias = [&](int64_t zx) -> llvm::Expected<std::vector<int32_t>> {
    std::vector<int32_t> folded(static_cast<size_t>(m));
    for (int64_t oc = 0; oc < m; ++oc) {
      int64_t b = (bias.present() ? bias.constant()->getInt(oc) : 0) - zx * sums[size_t(oc)];
      if (b < INT32_MIN || b > INT32_MAX)
        return ctx.error(llvm::formatv("folded bias of channel {0} ({1}) overflows int32", oc, b));
      folded[size_t(oc)] = int32_t(b);
    }
    return folded;
  };

  KernelCall call;
  const int64_t block = int64_t(isaVectorBytes(ctx.isa)); // channels per block
  // The generic ISA keeps qs8_dwconv: its scalar qs8_dwconv_vec (the packed
  // layout's reference) measured ~10x slower than the plain scalar loop.
  bool vec = ctx.isa != Isa::Generic && p.multiplier == 1 && !out->isFloat && fitsS8 &&
                   (p.kernel_h + 3) / 4 <= QC_DWCONV_VEC_MAX_ROW_GROUPS &&
                   (ctx.isa == Isa::Avx512Vnni || p.channels >= block);
  if (vec) {
    // s8 input runs as u8 x + 128: the folded zero point moves with it.
    const int64_t zxU8 = xZeroPoint + (p.in_type == QC_Q8_S8 ? 128 : 0);
    auto folded = foldBias(zxU8);
    if (!folded)
      return folded.takeError();
    p.in_zero_point_u8 = int32_t(zxU8);
    p.block_channels = int32_t(block);
    // |acc| <= |bias'| + 255 * sum_k |w - zw| (x as u8): with every
    // |acc * M| < 2^30 the product converts to int32 without a clamp.
    p.narrow_clamp = 1;
    for (int64_t oc = 0; oc < m; ++oc) {
      double bound = std::fabs(double((*folded)[size_t(oc)]));
      for (int64_t k = 0; k < taps; ++k)
        bound += 255.0 * std::fabs(double(centred[size_t(oc * taps + k)]));
      if (bound * std::fabs(double(multiplier[size_t(oc)])) >= 1073741824.0)
        p.narrow_clamp = 0;
    }
    // C = 16 or 32 at stride 1: blocks of 4 or 2 adjacent pixels (AVX-512).
    p.pixels_per_block = 1;
    if (ctx.isa == Isa::Avx512Vnni && p.stride_w == 1 && p.kernel_w == 3 &&
        p.dilation_w == 1 && (p.channels == 16 || p.channels == 32))
      p.pixels_per_block = int32_t(block / p.channels);
    const int64_t blocks = qcDwconvBlocks(p.channels, block);
    const int64_t groups = (p.kernel_h + 3) / 4;
    std::vector<int8_t> packed(size_t(blocks * groups * p.kernel_w * 4 * block));
    std::vector<int32_t> biasV(size_t(blocks * block));
    std::vector<float> multV(size_t(blocks * block));
    qcDwconvPackVec(&p, centred.data(), folded->data(), multiplier.data(), packed.data(),
                    biasV.data(), multV.data());
    call.entry = "qs8_dwconv_vec";
    call.consts = {blobOf<int8_t>(packed), blobOf<int32_t>(biasV), blobOf<float>(multV)};
  } else {
    // Weights [kh * kw][M], each the int16 pair (w, 0) in an int32.
    auto folded = foldBias(xZeroPoint);
    if (!folded)
      return folded.takeError();
    std::vector<int32_t> packed(static_cast<size_t>(taps * m));
    for (int64_t oc = 0; oc < m; ++oc)
      for (int64_t k = 0; k < taps; ++k)
        packed[size_t(k * m + oc)] = int32_t(uint16_t(int16_t(centred[size_t(oc * taps + k)])));
    std::vector<uint8_t> padRow(static_cast<size_t>(p.channels), uint8_t(xZeroPoint));
    call.entry = "qs8_dwconv";
    call.consts = {blobOf<int32_t>(packed), blobOf<int32_t>(*folded),
                   blobOf<float>(multiplier), blobOf<uint8_t>(padRow)};
  }
  call.params = paramsOf(p);
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = p.out_h;
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
