// qc.QConv, dense or grouped, as an implicit GEMM over NHWC activations
// (kernel qs8_conv2d, codegen/kernels/Qs8Gemm.cpp): rows are output pixels,
// K = kernel_h * kernel_w * C / group.
#include "codegen/emit/GemmPacking.h"
#include "codegen/emit/Linear.h"
#include "ir/infer/LinearShapes.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

llvm::Expected<std::vector<KernelCall>> emitQConvGemm(const EmitContext &ctx) {
  const Operand &x = ctx.operands[0], &w = ctx.operands[1], &y = ctx.results[0];
  const Operand *bias = ctx.operands.size() > 2 && ctx.operands[2].present() ? &ctx.operands[2]
                                                                             : nullptr;
  if (x.rank() != 4 || y.rank() != 4)
    return ctx.error(llvm::formatv("rank-{0} convolution: only 2-D (rank-4) is supported",
                                   x.rank()));
  if (!x.isNhwc() || !y.isNhwc())
    return ctx.error("activations are not NHWC");
  const ir::Tensor *wt = w.constant();
  if (!wt || !w.type().quant)
    return ctx.error("weight is not a quantized constant");
  if (bias && (!bias->constant() || bias->elemType() != ir::ElemType::I32))
    return ctx.error("bias is not an i32 constant");
  const ir::QuantParams &wq = *w.type().quant;
  if (!wq.isPerTensor() && wq.axis != 0)
    return ctx.error(llvm::formatv("weight quantized along axis {0}, not 0", *wq.axis));

  // Window geometry with auto_pad resolved.
  ir::InferContext ictx{ctx.node, {}, {}};
  ir::infer::WindowGeometry geo;
  ir::Shape xShape = ir::Shape::fromStatic(x.shape), wShape = ir::Shape::fromStatic(w.shape);
  if (auto s = ir::infer::convOutputShape(ictx, xShape, wShape, &geo); !s)
    return s.takeError();
  const int64_t batch = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const int64_t m = y.shape[1], oh = y.shape[2], ow = y.shape[3];
  const int64_t group = ctx.node.findInt(ir::AttrName::group).value_or(1);
  if (group < 1 || c % group || m % group || w.shape[0] != m || w.shape[1] != c / group)
    return ctx.error(llvm::formatv("weight {0}x{1} does not fit {2} input and {3} output "
                                   "channels in {4} groups",
                                   w.shape[0], w.shape[1], c, m, group));
  const int64_t kh = w.shape[2], kw = w.shape[3];

  GemmWeights gw;
  gw.groups = group;
  gw.groupIn = c / group;
  gw.groupOut = m / group;
  gw.taps = kh * kw;
  gw.weightType = w.elemType();
  gw.weightQuant = &wq;
  gw.bias = bias ? bias->constant() : nullptr;
  // w is [M, C/group, kh, kw] (logical); tap t = i * kw + j.
  const int64_t perTap = kh * kw, perChannel = gw.groupIn * perTap;
  gw.weight = [wt, perTap, perChannel](int64_t mm, int64_t t, int64_t cc) {
    return wt->getInt(mm * perChannel + cc * perTap + t);
  };

  // Few channels per group: a tap is at most a couple of quads (3 of 4
  // bytes used at C = 3) and the per-tap overhead dominates. Then gather
  // each row's whole window into one packed row of K bytes and run it as a
  // single tap of ceil(K / 4) quads, with the weights packed in the same
  // (tap, channel) order.
  const int64_t kAll = perTap * gw.groupIn, packedK = (kAll + 3) / 4 * 4;
  const bool packRows = perTap > 1 && gw.groupIn < 16 && packedK <= QC_QS8_GEMM_MAX_PACKED_K;
  GemmWeights packedW = gw;
  if (packRows) {
    const int64_t groupIn = gw.groupIn;
    packedW.taps = 1;
    packedW.groupIn = kAll;
    packedW.weight = [wt, perTap, perChannel, groupIn](int64_t mm, int64_t, int64_t k) {
      return wt->getInt(mm * perChannel + (k % groupIn) * perTap + k / groupIn);
    };
  }

  qc_qs8_gemm_params p{};
  auto consts = packGemm(ctx, packRows ? packedW : gw, oh * ow, p);
  if (!consts)
    return consts.takeError();
  if (packRows) {
    p.group_in = int32_t(gw.groupIn);
    p.packed_k = int32_t(packedK);
  }
  p.batch = int32_t(batch);
  p.in_h = int32_t(h);
  p.in_w = int32_t(wd);
  p.in_c = int32_t(c);
  p.out_h = int32_t(oh);
  p.out_w = int32_t(ow);
  p.out_c = int32_t(m);
  p.kernel_h = int32_t(kh);
  p.kernel_w = int32_t(kw);
  p.stride_h = int32_t(geo.strides[0]);
  p.stride_w = int32_t(geo.strides[1]);
  p.dilation_h = int32_t(geo.dilations[0]);
  p.dilation_w = int32_t(geo.dilations[1]);
  p.pad_top = int32_t(geo.pads[0]);
  p.pad_left = int32_t(geo.pads[1]);
  p.row_tiles = int32_t((oh * ow + p.mr - 1) / p.mr);

  KernelCall call;
  call.entry = "qs8_conv2d";
  call.params = paramsOf(p);
  call.consts = std::move(*consts);
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = int64_t(p.groups) * p.n_blocks * p.batch * p.row_tiles;
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
