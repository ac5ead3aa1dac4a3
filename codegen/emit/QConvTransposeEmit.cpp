// Emitter of qc.QConvTranspose (2-d, ChannelsLast, though the kernel reads
// any layout's strides): weights centred and packed per group and tap with
// the output channels contiguous, per-channel factors and bias as constants
// (codegen/kernels/Qs8ConvTranspose.{h,cpp}). The geometry (pads from
// output_shape / auto_pad included) comes from the interpreter's own rule.
#include "codegen/Emit.h"
#include "codegen/kernels/Qs8ConvTranspose.h"
#include "interp/kernels/LinearWalk.h"

#include <algorithm>
#include <cmath>

namespace qc::codegen {

llvm::Expected<std::vector<KernelCall>> emitQConvTranspose(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0];
  const Operand &wOp = ctx.operands[1];
  const Operand &y = ctx.results[0];
  const ir::Tensor *w = wOp.constant();
  if (!w)
    return ctx.error("weights must be a constant");
  if (x.rank() != 4 || y.rank() != 4)
    return ctx.error("only 2-d transposed convolutions have a kernel");
  if (x.elemType() != ir::ElemType::U8 && x.elemType() != ir::ElemType::I8)
    return ctx.error("input must be u8 or i8");
  const auto &xq = x.type().quant;
  const auto &wq = wOp.type().quant;
  if (!xq || !xq->isPerTensor() || !wq)
    return ctx.error("input must be quantized per tensor, weights quantized");

  // The interpreter's geometry for one sample.
  ir::Tensor xs(x.elemType(), x.shape), ys(y.elemType(), y.shape);
  interp::EvalContext ectx{ctx.node, {&xs, w}, {}};
  auto s = interp::kernels::convTransposeShape(ectx, xs, *w, ys);
  if (!s)
    return ctx.error(llvm::toString(s.takeError()));
  if (s->inSpatial.size() != 2)
    return ctx.error("only 2-d transposed convolutions have a kernel");

  qc_qs8_conv_transpose_params p{};
  p.c = s->inChannels;
  p.m = s->outChannels;
  p.group = s->group;
  p.ih = s->inSpatial[0];
  p.iw = s->inSpatial[1];
  p.oh = s->outSpatial[0];
  p.ow = s->outSpatial[1];
  p.kh = s->kernel[0];
  p.kw = s->kernel[1];
  p.stride_h = s->strides[0];
  p.stride_w = s->strides[1];
  p.dil_h = s->dilations[0];
  p.dil_w = s->dilations[1];
  p.pad_h = s->padsBegin[0];
  p.pad_w = s->padsBegin[1];
  std::vector<int64_t> xStrides = x.logicalStrides(), yStrides = y.logicalStrides();
  p.x_sc = xStrides[1];
  p.x_sh = xStrides[2];
  p.x_sw = xStrides[3];
  p.y_sm = yStrides[1];
  p.y_sh = yStrides[2];
  p.y_sw = yStrides[3];
  p.x_signed = x.elemType() == ir::ElemType::I8;
  p.zx = static_cast<int32_t>(xq->zeroPoints[0]);

  const int64_t cpg = p.c / p.group, mpg = p.m / p.group, taps = p.kh * p.kw;
  auto at = [](const std::vector<int64_t> &v, int64_t i) {
    return v[v.size() == 1 ? 0 : size_t(i)];
  };
  auto scaleAt = [](const std::vector<double> &v, int64_t i) {
    return v[v.size() == 1 ? 0 : size_t(i)];
  };
  // [group][kh][kw][c][j] <- w[g * cpg + c][j][kh][kw] - zw[j].
  std::vector<int32_t> packed(size_t(p.group * taps * cpg * mpg));
  for (int64_t g = 0; g < p.group; ++g)
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t c = 0; c < cpg; ++c)
        for (int64_t j = 0; j < mpg; ++j)
          packed[size_t(((g * taps + t) * cpg + c) * mpg + j)] = static_cast<int32_t>(
              w->getInt(((g * cpg + c) * mpg + j) * taps + t) - at(wq->zeroPoints, j));

  std::vector<int32_t> bias(size_t(p.m), 0);
  if (ctx.operands.size() > 2 && ctx.operands[2].present()) {
    const ir::Tensor *b = ctx.operands[2].constant();
    if (!b || b->numElements() != p.m)
      return ctx.error("bias must be a constant [M]");
    for (int64_t m = 0; m < p.m; ++m)
      bias[size_t(m)] = static_cast<int32_t>(b->getInt(m));
  }

  const auto &yq = y.type().quant;
  bool f32 = y.elemType() == ir::ElemType::F32 && !yq;
  if (!f32 && !((y.elemType() == ir::ElemType::U8 || y.elemType() == ir::ElemType::I8) && yq &&
                yq->isPerTensor()))
    return ctx.error("result must be u8/i8 quantized per tensor, or f32");
  std::vector<float> factors(size_t(p.m));
  for (int64_t m = 0; m < p.m; ++m) {
    double inScale = xq->scales[0] * scaleAt(wq->scales, m % mpg);
    factors[size_t(m)] = f32 ? static_cast<float>(inScale)
                             : static_cast<float>(inScale / yq->scales[0]);
    if (!std::isfinite(factors[size_t(m)]))
      return ctx.error("requantization multiplier is not finite");
  }
  if (f32) {
    p.out_kind = QC_CT_OUT_F32;
  } else {
    bool u8 = y.elemType() == ir::ElemType::U8;
    p.out_kind = u8 ? QC_CT_OUT_U8 : QC_CT_OUT_S8;
    int64_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
    lo = std::max(lo, ctx.node.findInt(ir::AttrName::act_min).value_or(lo));
    hi = std::min(hi, ctx.node.findInt(ir::AttrName::act_max).value_or(hi));
    p.zy = static_cast<int32_t>(yq->zeroPoints[0]);
    p.lo = static_cast<float>(lo - p.zy);
    p.hi = static_cast<float>(hi - p.zy);
  }

  KernelCall call;
  call.entry = "qs8_conv_transpose";
  call.params = paramsOf(p);
  call.consts.push_back(blobOf<int32_t>(packed));
  call.consts.push_back(blobOf<int32_t>(bias));
  call.consts.push_back(blobOf<float>(factors));
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = p.oh;
  if (p.oh == 0 || p.ow == 0 || p.m == 0)
    return std::vector<KernelCall>{};
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
