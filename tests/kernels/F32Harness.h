// Test harness of the fp32 kernels: a node's emitter plus the native entries
// of every ISA (qc_kernels_<isa>) against the reference interpreter, with a
// relative-error comparison that reports the largest error seen. Node
// building and layout helpers come from XfmrHarness.h.
#pragma once

#include <cmath>
#include <cstdio>

#include "tests/kernels/XfmrHarness.h"

#define QC_F32_ENTRIES(X)                                                      \
  X(f32_elementwise) X(cast) X(f32_gemm) X(f32_gemm_pack_b) X(f32_conv2d)      \
  X(f32_dwconv2d) X(f32_softmax) X(f32_layernorm) X(f32_batchnorm)             \
  X(f32_reduce) X(f32_avgpool)
#define QC_F32_DECLARE_ISA(name)                                               \
  extern "C" void qc_##name##__generic(QC_KERNEL_PARAMS);                      \
  extern "C" void qc_##name##__avx2(QC_KERNEL_PARAMS);                         \
  extern "C" void qc_##name##__avxvnni(QC_KERNEL_PARAMS);                      \
  extern "C" void qc_##name##__avx512vnni(QC_KERNEL_PARAMS);
QC_F32_ENTRIES(QC_F32_DECLARE_ISA)
#undef QC_F32_DECLARE_ISA

namespace qc::f32test {

using xfmrtest::Aligned;
using xfmrtest::Arg;
using xfmrtest::kAllIsas;
using xfmrtest::makeNode;
using xfmrtest::NodeRun;

/// An operand of the node under test (logical layout unless perm is set).
inline Arg argOf(ir::Tensor t) {
  Arg a;
  a.data = std::move(t);
  return a;
}

inline qc_kernel_fn findF32Entry(const std::string &name, codegen::Isa isa) {
#define QC_F32_LOOKUP(n)                                                       \
  if (name == #n)                                                              \
    switch (isa) {                                                             \
    case codegen::Isa::Generic: return &qc_##n##__generic;                     \
    case codegen::Isa::Avx2: return &qc_##n##__avx2;                           \
    case codegen::Isa::AvxVnni: return &qc_##n##__avxvnni;                     \
    case codegen::Isa::Avx512Vnni: return &qc_##n##__avx512vnni;               \
    }
  QC_F32_ENTRIES(QC_F32_LOOKUP)
#undef QC_F32_LOOKUP
  return nullptr;
}

/// Runs the registered emitter of the node for `isa` and the native entries
/// (each call's tasks in uneven ranges, several calls sharing one scratch
/// buffer); returns the results in logical layout.
inline llvm::Expected<std::vector<ir::Tensor>> runF32Kernels(const NodeRun &r,
                                                             codegen::Isa isa) {
  codegen::EmitContext ctx{*r.node, isa, {}, {}};
  for (size_t i = 0; i < r.args.size(); ++i) {
    codegen::Operand o;
    if (!r.args[i].absent) {
      o.value = r.node->operand(i);
      o.shape = r.args[i].data.dims();
      o.perm = r.args[i].perm;
    }
    ctx.operands.push_back(o);
  }
  for (size_t i = 0; i < r.reference.size(); ++i) {
    codegen::Operand o;
    o.value = r.node->result(i);
    o.shape = r.reference[i].dims();
    o.perm = i < r.resultPerms.size() && !r.resultPerms[i].empty()
                 ? r.resultPerms[i]
                 : xfmrtest::identity(o.shape.size());
    ctx.results.push_back(o);
  }
  const codegen::EmitterInfo *info = codegen::findEmitter(r.node->kind());
  if (!info)
    return llvm::createStringError("no emitter registered");
  auto calls = info->emit(ctx);
  if (!calls)
    return calls.takeError();
  std::vector<Aligned> inBufs;
  for (size_t i = 0; i < r.args.size(); ++i) {
    std::vector<uint8_t> b;
    if (!r.args[i].absent)
      b = codegen::toPhysicalBytes(r.args[i].data, r.args[i].perm);
    inBufs.emplace_back(b.size());
    if (!b.empty())
      std::memcpy(inBufs.back().ptr, b.data(), b.size());
  }
  std::vector<Aligned> outBufs;
  for (const codegen::Operand &o : ctx.results)
    outBufs.emplace_back(size_t(o.numElements()) * ir::elemTypeStorageBytes(o.elemType()));
  int64_t scratch = 0;
  for (const codegen::KernelCall &c : *calls)
    scratch = std::max(scratch, c.scratchBytes);
  Aligned scratchBuf(size_t(scratch) + 64);
  for (const codegen::KernelCall &c : *calls) {
    qc_kernel_fn fn = findF32Entry(c.entry, isa);
    if (!fn)
      return llvm::createStringError("no native entry " + c.entry);
    std::vector<Aligned> constBufs;
    std::vector<const void *> consts;
    for (const codegen::ConstBlob &b : c.consts) {
      constBufs.emplace_back(b.bytes.size());
      if (!b.bytes.empty())
        std::memcpy(constBufs.back().ptr, b.bytes.data(), b.bytes.size());
    }
    for (Aligned &b : constBufs)
      consts.push_back(b.ptr);
    std::vector<const void *> ins;
    for (unsigned i : c.inputs)
      ins.push_back(inBufs[i].ptr);
    std::vector<void *> outs;
    for (unsigned i : c.outputs)
      outs.push_back(outBufs[i].ptr);
    if (c.scratchBytes > 0)
      outs.push_back(scratchBuf.ptr);
    Aligned params(c.params.size());
    std::memcpy(params.ptr, c.params.data(), c.params.size());
    int64_t t = c.tasks;
    int64_t cuts[] = {0, std::min<int64_t>(1, t),
                      std::max<int64_t>(std::min<int64_t>(1, t), t / 3), t};
    for (int k = 0; k < 3; ++k)
      if (cuts[k + 1] > cuts[k])
        fn(params.ptr, consts.data(), ins.data(), outs.data(), cuts[k], cuts[k + 1]);
  }
  std::vector<ir::Tensor> results;
  for (size_t i = 0; i < ctx.results.size(); ++i) {
    const codegen::Operand &o = ctx.results[i];
    size_t n = size_t(o.numElements()) * ir::elemTypeStorageBytes(o.elemType());
    std::vector<uint8_t> bytes(outBufs[i].ptr, outBufs[i].ptr + n);
    results.push_back(xfmrtest::fromPhysical(bytes, o.elemType(), o.shape, o.perm));
  }
  return results;
}

/// The error measure of fp32 results: |got - ref| / max(|ref|, floor), NaN
/// only against NaN, infinities exactly. `floor` is the scale below which
/// errors count as absolute (denormals, sums that cancel).
inline double relError(double ref, double got, double floor) {
  if (std::isnan(ref))
    return std::isnan(got) ? 0.0 : INFINITY;
  if (std::isinf(ref))
    return got == ref ? 0.0 : INFINITY;
  if (!std::isfinite(got))
    return INFINITY;
  return std::fabs(got - ref) / std::max(std::fabs(ref), floor);
}

/// Runs every ISA and expects every element within `tolerance` (relError
/// with `floor`, or per-element floors when given). Returns the largest
/// error seen over all ISAs.
inline double expectAllIsasClose(const NodeRun &r, const std::string &what,
                                 double tolerance, double floor = 1e-37,
                                 const std::vector<double> *floors = nullptr) {
  double worst = 0;
  for (codegen::Isa isa : kAllIsas) {
    auto got = runF32Kernels(r, isa);
    EXPECT_TRUE(bool(got)) << what << ": " << (got ? "" : llvm::toString(got.takeError()));
    if (!got)
      return INFINITY;
    for (size_t k = 0; k < got->size(); ++k) {
      const ir::Tensor &ref = r.reference[k], &g = (*got)[k];
      EXPECT_EQ(ref.dims(), g.dims()) << what;
      int reported = 0;
      for (int64_t i = 0; i < ref.numElements(); ++i) {
        double f = floors ? (*floors)[size_t(i)] : floor;
        double e = relError(ref.getDouble(i), g.getDouble(i), f);
        worst = std::max(worst, e);
        if (e > tolerance && reported++ < 3)
          ADD_FAILURE() << what << " [" << codegen::isaName(isa).str() << "] element " << i
                        << ": reference " << ref.getDouble(i) << ", kernel " << g.getDouble(i)
                        << " (error " << e << ")";
      }
    }
  }
  return worst;
}

/// Runs every ISA and expects byte-identical results (Cast, exact ops).
inline void expectAllIsasIdentical(const NodeRun &r, const std::string &what) {
  for (codegen::Isa isa : kAllIsas) {
    auto got = runF32Kernels(r, isa);
    ASSERT_TRUE(bool(got)) << what << ": " << llvm::toString(got.takeError());
    for (size_t i = 0; i < got->size(); ++i)
      xfmrtest::expectIdentical(r.reference[i], (*got)[i],
                                what + " [" + codegen::isaName(isa).str() + "]");
  }
}

inline const std::vector<int> kNhwc = {0, 2, 3, 1};

} // namespace qc::f32test
