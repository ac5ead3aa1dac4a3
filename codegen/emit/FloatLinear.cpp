// Emitters of the fp32 linear ops: MatMul and Gemm (Logical; constant B
// packed at compile time, activation B packed at run time into the
// scratch) and Conv (ChannelsLast NHWC; implicit GEMM over packed weights,
// or the depthwise kernel), all over codegen/kernels/F32Gemm.cpp.
#include "codegen/Emit.h"
#include "codegen/kernels/F32Gemm.h"
#include "ir/ShapeInference.h"
#include "ir/infer/LinearShapes.h"

#include <algorithm>

namespace qc::codegen {

namespace {

using ir::ElemType;

int64_t f32GemmNr(Isa isa) {
  switch (isa) {
  case Isa::Avx512Vnni: return QC_F32_NR_AVX512;
  case Isa::Avx2:
  case Isa::AvxVnni: return QC_F32_NR_AVX2;
  case Isa::Generic: return QC_F32_NR_GENERIC;
  }
  return QC_F32_NR_GENERIC;
}

/// K per block: a B slice of kc x NR floats stays in L1.
int64_t f32GemmKc(Isa isa) { return isa == Isa::Avx512Vnni ? 128 : 256; }

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Packs B (B(k, j) = b[k * rowStride + j * colStride]) into NR-column
/// panels, zero-padded: packed[(panel * K + k) * NR + j].
void packB(const float *b, int64_t k, int64_t n, int64_t rowStride, int64_t colStride,
           int64_t nr, std::vector<float> &packed) {
  int64_t panels = ceilDiv(n, nr);
  size_t base = packed.size();
  packed.resize(base + size_t(panels * k * nr), 0.0f);
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < nr && p * nr + j < n; ++j)
        packed[base + size_t((p * k + kk) * nr + j)] =
            b[kk * rowStride + (p * nr + j) * colStride];
}

std::vector<float> toFloats(const ir::Tensor &t) {
  std::vector<float> v(size_t(t.numElements()));
  for (int64_t i = 0; i < t.numElements(); ++i)
    v[size_t(i)] = float(t.getDouble(i));
  return v;
}

/// Row-major strides of `dims`.
std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims) {
  std::vector<int64_t> s(dims.size());
  int64_t acc = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    s[d] = acc;
    acc *= dims[d];
  }
  return s;
}

/// Tiles of a GEMM: up to 72 rows (12 micro-kernel blocks) by up to 8
/// panels; enough tasks for the pool on large problems.
void chooseTiles(int64_t m, int64_t n, int64_t nr, qc_f32_gemm_params &p) {
  p.m_tile = std::min<int64_t>(ceilDiv(m, QC_F32_MR) * QC_F32_MR, 12 * QC_F32_MR);
  int64_t panels = ceilDiv(n, nr);
  p.n_tile = std::min<int64_t>(panels, 8) * nr;
  p.tiles_m = ceilDiv(m, p.m_tile);
  p.tiles_n = ceilDiv(panels * nr, p.n_tile);
}

llvm::Error checkF32(const EmitContext &ctx) {
  for (size_t i = 0; i < ctx.operands.size(); ++i)
    if (ctx.operands[i].present() && ctx.operands[i].elemType() != ElemType::F32)
      return ctx.error(llvm::Twine("fp32 kernels only: operand ") + llvm::Twine(i) + " is " +
                       ir::elemTypeName(ctx.operands[i].elemType()));
  if (ctx.results[0].elemType() != ElemType::F32)
    return ctx.error("fp32 kernels only: result is " +
                     ir::elemTypeName(ctx.results[0].elemType()));
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::vector<KernelCall>> emitF32MatMul(const EmitContext &ctx) {
  if (llvm::Error e = checkF32(ctx))
    return e;
  const Operand &a = ctx.operands[0], &b = ctx.operands[1];
  if (a.constant())
    return ctx.error("a constant left operand is not supported");
  std::vector<int64_t> aDims = a.shape, bDims = b.shape;
  if (aDims.size() == 1)
    aDims.insert(aDims.begin(), 1);
  if (bDims.size() == 1)
    bDims.push_back(1);
  const int64_t m = aDims[aDims.size() - 2], k = aDims.back(), n = bDims.back();
  std::vector<int64_t> aBatch(aDims.begin(), aDims.end() - 2);
  std::vector<int64_t> bBatch(bDims.begin(), bDims.end() - 2);
  size_t rank = std::max(aBatch.size(), bBatch.size());
  aBatch.insert(aBatch.begin(), rank - aBatch.size(), 1);
  bBatch.insert(bBatch.begin(), rank - bBatch.size(), 1);
  std::vector<int64_t> batch(rank);
  for (size_t d = 0; d < rank; ++d)
    batch[d] = std::max(aBatch[d], bBatch[d]);
  const int64_t nr = f32GemmNr(ctx.isa);
  const int64_t panels = ceilDiv(n, nr);
  const int64_t packedStride = panels * k * nr;

  qc_f32_gemm_params p{};
  p.k = k;
  p.n = n;
  p.a_row_stride = k;
  p.a_col_stride = 1;
  p.alpha = 1.0f;
  p.beta = 0.0f;
  p.kc = f32GemmKc(ctx.isa);
  bool bBatched = std::any_of(bBatch.begin(), bBatch.end(), [](int64_t d) { return d != 1; });
  if (!bBatched) {
    // One B for every matrix of A: the batch folds into the rows.
    int64_t rows = m;
    for (int64_t d : batch)
      rows *= d;
    p.m = rows;
    p.batch_rank = 0;
  } else {
    p.m = m;
    // Drop batch dims of extent 1; the rest index A, packed B and Y.
    std::vector<int64_t> aS = stridesOf(aBatch), bS = stridesOf(bBatch), yS = stridesOf(batch);
    for (size_t d = 0; d < rank; ++d) {
      if (batch[d] == 1)
        continue;
      if (p.batch_rank == QC_F32_GEMM_MAX_BATCH_RANK)
        return ctx.error("more than 4 batch dimensions");
      int r = p.batch_rank++;
      p.batch_dims[r] = batch[d];
      p.a_batch_stride[r] = aBatch[d] == 1 ? 0 : aS[d] * m * k;
      p.b_batch_stride[r] = bBatch[d] == 1 ? 0 : bS[d] * packedStride;
      p.y_batch_stride[r] = yS[d] * m * n;
    }
  }
  chooseTiles(p.m, n, nr, p);
  int64_t numMatrices = 1;
  for (int r = 0; r < p.batch_rank; ++r)
    numMatrices *= p.batch_dims[r];

  std::vector<KernelCall> calls;
  KernelCall gemm;
  gemm.entry = "f32_gemm";
  gemm.inputs = {0};
  gemm.outputs = {0};
  gemm.tasks = numMatrices * p.tiles_m * p.tiles_n;
  int64_t bMatrices = 1;
  for (int64_t d : bBatch)
    bMatrices *= d;
  if (const ir::Tensor *bc = b.constant()) {
    std::vector<float> bv = toFloats(*bc), packed;
    for (int64_t i = 0; i < bMatrices; ++i)
      packB(bv.data() + i * k * n, k, n, n, 1, nr, packed);
    p.b_source = QC_F32_B_CONST;
    gemm.consts.push_back(blobOf<float>(packed));
  } else {
    // Pack B at run time into the scratch, one batch matrix per task.
    qc_f32_gemm_pack_b_params pb{};
    pb.k = k;
    pb.n = n;
    pb.row_stride = n;
    pb.col_stride = 1;
    pb.packed_batch_stride = packedStride;
    std::vector<int64_t> bS = stridesOf(bBatch);
    for (size_t d = 0; d < rank; ++d) {
      if (bBatch[d] == 1)
        continue;
      if (pb.batch_rank == QC_F32_GEMM_MAX_BATCH_RANK)
        return ctx.error("more than 4 batch dimensions");
      int r = pb.batch_rank++;
      pb.batch_dims[r] = bBatch[d];
      pb.in_batch_stride[r] = bS[d] * k * n;
    }
    KernelCall pack;
    pack.entry = "f32_gemm_pack_b";
    pack.inputs = {1};
    pack.tasks = bMatrices;
    pack.scratchBytes = bMatrices * packedStride * int64_t(sizeof(float));
    pack.params = paramsOf(pb);
    calls.push_back(std::move(pack));
    p.b_source = QC_F32_B_SCRATCH;
    gemm.scratchBytes = bMatrices * packedStride * int64_t(sizeof(float));
  }
  gemm.params = paramsOf(p);
  calls.push_back(std::move(gemm));
  return calls;
}

llvm::Expected<std::vector<KernelCall>> emitF32Gemm(const EmitContext &ctx) {
  if (llvm::Error e = checkF32(ctx))
    return e;
  const ir::Node &node = ctx.node;
  const Operand &a = ctx.operands[0], &b = ctx.operands[1];
  if (a.constant())
    return ctx.error("a constant left operand is not supported");
  const ir::Tensor *bc = b.constant();
  if (!bc)
    return ctx.error("B must be a constant");
  bool transA = node.getInt(ir::AttrName::transA) != 0;
  bool transB = node.getInt(ir::AttrName::transB) != 0;
  const int64_t m = ctx.results[0].shape[0], n = ctx.results[0].shape[1];
  const int64_t k = transA ? a.shape[0] : a.shape[1];
  const int64_t nr = f32GemmNr(ctx.isa);

  qc_f32_gemm_params p{};
  p.m = m;
  p.n = n;
  p.k = k;
  p.a_row_stride = transA ? 1 : k;
  p.a_col_stride = transA ? m : 1;
  p.alpha = node.getFloat(ir::AttrName::alpha);
  p.beta = node.getFloat(ir::AttrName::beta);
  p.kc = f32GemmKc(ctx.isa);
  p.b_source = QC_F32_B_CONST;
  chooseTiles(m, n, nr, p);

  KernelCall call;
  call.entry = "f32_gemm";
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = p.tiles_m * p.tiles_n;
  std::vector<float> bv = toFloats(*bc), packed;
  packB(bv.data(), k, n, transB ? 1 : n, transB ? k : 1, nr, packed);
  call.consts.push_back(blobOf<float>(packed));

  const Operand &c = ctx.operands.size() > 2 ? ctx.operands[2] : Operand();
  if (c.present() && p.beta != 0.0f) {
    const ir::Tensor *cc = c.constant();
    if (!cc)
      return ctx.error("C must be a constant");
    std::vector<int64_t> cd = cc->dims();
    cd.insert(cd.begin(), 2 - std::min<size_t>(cd.size(), 2), 1);
    p.has_c = 1;
    p.c_slot = 1;
    p.c_row_stride = cd[0] == 1 ? 0 : cd[1];
    p.c_col_stride = cd[1] == 1 ? 0 : 1;
    call.consts.push_back(blobOf<float>(toFloats(*cc)));
  }
  call.params = paramsOf(p);
  return std::vector<KernelCall>{std::move(call)};
}

llvm::Expected<std::vector<KernelCall>> emitF32Conv(const EmitContext &ctx) {
  if (llvm::Error e = checkF32(ctx))
    return e;
  const Operand &x = ctx.operands[0], &w = ctx.operands[1];
  const Operand &y = ctx.results[0];
  if (x.rank() != 4)
    return ctx.error("only 2-d convolution is supported");
  if (!x.isNhwc() || !y.isNhwc())
    return ctx.error("expects NHWC activations");
  const ir::Tensor *wc = w.constant();
  if (!wc)
    return ctx.error("weights must be constant");
  ir::InferContext ictx{ctx.node, {}, {}};
  ir::infer::WindowGeometry g;
  auto shape = ir::infer::convOutputShape(ictx, x.type().shape, w.type().shape, &g);
  if (!shape)
    return ctx.error(llvm::toString(shape.takeError()));
  const int64_t groups = ctx.node.getInt(ir::AttrName::group);
  const int64_t c = x.shape[1], mOut = y.shape[1];
  const int64_t cg = c / groups, mg = mOut / groups;
  const int64_t kh = g.kernel[0], kw = g.kernel[1];
  std::vector<float> wv = toFloats(*wc);
  std::vector<float> bias(size_t(mOut), 0.0f);
  if (ctx.operands.size() > 2 && ctx.operands[2].present()) {
    const ir::Tensor *bc = ctx.operands[2].constant();
    if (!bc)
      return ctx.error("bias must be constant");
    bias = toFloats(*bc);
  }

  if (groups == c && cg == 1) {
    // Depthwise: weights [kh][kw][M].
    qc_f32_dwconv2d_params p{};
    p.in_h = x.shape[2], p.in_w = x.shape[3], p.in_c = c;
    p.out_h = y.shape[2], p.out_w = y.shape[3], p.out_c = mOut;
    p.kernel_h = kh, p.kernel_w = kw;
    p.stride_h = g.strides[0], p.stride_w = g.strides[1];
    p.dilation_h = g.dilations[0], p.dilation_w = g.dilations[1];
    p.pad_top = g.pads[0], p.pad_left = g.pads[1];
    p.multiplier = mOut / c;
    std::vector<float> packed(size_t(kh * kw * mOut));
    for (int64_t mm = 0; mm < mOut; ++mm)
      for (int64_t t = 0; t < kh * kw; ++t)
        packed[size_t(t * mOut + mm)] = wv[size_t(mm * kh * kw + t)];
    KernelCall call;
    call.entry = "f32_dwconv2d";
    call.inputs = {0};
    call.outputs = {0};
    call.tasks = p.out_h;
    call.consts = {blobOf<float>(packed), blobOf<float>(bias)};
    call.params = paramsOf(p);
    return std::vector<KernelCall>{std::move(call)};
  }

  const int64_t nr = f32GemmNr(ctx.isa);
  qc_f32_conv2d_params p{};
  p.in_h = x.shape[2], p.in_w = x.shape[3], p.in_c = c;
  p.out_h = y.shape[2], p.out_w = y.shape[3], p.out_c = mOut;
  p.kernel_h = kh, p.kernel_w = kw;
  p.stride_h = g.strides[0], p.stride_w = g.strides[1];
  p.dilation_h = g.dilations[0], p.dilation_w = g.dilations[1];
  p.pad_top = g.pads[0], p.pad_left = g.pads[1];
  p.groups = groups;
  p.group_in = cg;
  p.group_out = mg;
  p.kc = f32GemmKc(ctx.isa);
  const int64_t pixels = p.out_h * p.out_w;
  p.m_tile = std::min<int64_t>(ceilDiv(pixels, QC_F32_MR) * QC_F32_MR, 12 * QC_F32_MR);
  const int64_t panels = ceilDiv(mg, nr);
  p.n_tile = std::min<int64_t>(panels, 4) * nr;
  p.tiles_m = ceilDiv(pixels, p.m_tile);
  p.tiles_n = ceilDiv(panels * nr, p.n_tile);
  // Per group: B(k, j) with k = (kh * KW + kw) * Cg + c, j = output channel
  // of the group; w is [M][Cg][KH][KW].
  const int64_t kTotal = kh * kw * cg;
  std::vector<float> groupB(size_t(kTotal * mg)), packed;
  for (int64_t gi = 0; gi < groups; ++gi) {
    for (int64_t j = 0; j < mg; ++j)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t t = 0; t < kh * kw; ++t)
          groupB[size_t((t * cg + ci) * mg + j)] =
              wv[size_t(((gi * mg + j) * cg + ci) * kh * kw + t)];
    packB(groupB.data(), kTotal, mg, mg, 1, nr, packed);
  }
  KernelCall call;
  call.entry = "f32_conv2d";
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = groups * p.tiles_m * p.tiles_n;
  call.consts = {blobOf<float>(packed), blobOf<float>(bias),
                 blobOf<float>(std::vector<float>(size_t(cg), 0.0f))};
  call.params = paramsOf(p);
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
