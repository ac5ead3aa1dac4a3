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
QC_F32_ENTRIES(QC_TEST_DECLARE_ISA)

namespace qc::f32test {

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
  QC_F32_ENTRIES(QC_TEST_LOOKUP_ENTRY)
  return nullptr;
}

/// Runs the registered emitter of the node for `isa` and the native fp32
/// entries; returns the results in logical layout.
inline llvm::Expected<std::vector<ir::Tensor>> runF32Kernels(const NodeRun &r,
                                                             codegen::Isa isa) {
  return xfmrtest::runKernels(r, isa, nullptr, nullptr, &findF32Entry);
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
