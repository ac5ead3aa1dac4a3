// Shared harness of the int8 GEMM/conv kernel tests: builds a one-node graph,
// runs the emitter for each ISA, calls that ISA's native kernel entry over
// all tasks in random splits, and compares with interp::evaluateNode
// bit for bit (both in the kernel's physical layout).
#pragma once

#include <gtest/gtest.h>

#include <cpuid.h>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "codegen/Emit.h"
#include "codegen/emit/Linear.h"
#include "codegen/kernels/KernelAbi.h"
#include "interp/Interpreter.h"

#define QC_DECLARE_KERNEL_VARIANTS(name)                                       \
  extern "C" void qc_##name##__generic(QC_KERNEL_PARAMS);                      \
  extern "C" void qc_##name##__avx2(QC_KERNEL_PARAMS);                         \
  extern "C" void qc_##name##__avxvnni(QC_KERNEL_PARAMS);                      \
  extern "C" void qc_##name##__avx512vnni(QC_KERNEL_PARAMS);

QC_DECLARE_KERNEL_VARIANTS(qs8_conv2d)
QC_DECLARE_KERNEL_VARIANTS(qs8_gemm)

namespace qc::test {

using codegen::Isa;
using ir::ElemType;

constexpr Isa kAllIsas[] = {Isa::Generic, Isa::Avx2, Isa::AvxVnni, Isa::Avx512Vnni};

/// Whether this CPU runs `isa`'s kernels (AVX-VNNI is missing from some
/// CPUs and VMs that have AVX-512 VNNI: that variant is then only compiled).
inline bool cpuRuns(Isa isa) {
  unsigned a, b, c, d;
  switch (isa) {
  case Isa::Generic: return true;
  case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  case Isa::AvxVnni:
    return __builtin_cpu_supports("avx2") && __get_cpuid_count(7, 1, &a, &b, &c, &d) &&
           (a & (1u << 4));
  case Isa::Avx512Vnni:
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
  }
  return false;
}

/// The native entry of `entry` ("qs8_conv2d", "qs8_gemm") for `isa`.
inline qc_kernel_fn nativeEntry(const std::string &entry, Isa isa) {
#define QC_PICK(name)                                                          \
  if (entry == #name)                                                          \
    switch (isa) {                                                             \
    case Isa::Generic: return qc_##name##__generic;                            \
    case Isa::Avx2: return qc_##name##__avx2;                                  \
    case Isa::AvxVnni: return qc_##name##__avxvnni;                            \
    case Isa::Avx512Vnni: return qc_##name##__avx512vnni;                      \
    }
  QC_PICK(qs8_conv2d)
  QC_PICK(qs8_gemm)
#undef QC_PICK
  return nullptr;
}

inline std::mt19937 &rng() {
  static std::mt19937 gen(20261123);
  return gen;
}
inline int64_t randInt(int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng());
}
inline double randScale(double lo, double hi) {
  // log-uniform, exactly an fp32 value
  double l = std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng());
  return double(float(std::exp(l)));
}

inline ir::QuantParams quant(std::vector<double> scales, std::vector<int64_t> zps,
                             std::optional<int64_t> axis = std::nullopt) {
  ir::QuantParams q;
  q.scales = std::move(scales);
  q.zeroPoints = std::move(zps);
  q.axis = axis;
  return q;
}

/// A 64-byte aligned copy of bytes.
struct AlignedBuf {
  std::unique_ptr<uint8_t, decltype(&std::free)> p{nullptr, &std::free};
  explicit AlignedBuf(size_t n) {
    size_t sz = (n + 63) / 64 * 64 + 64;
    p.reset(static_cast<uint8_t *>(std::aligned_alloc(64, sz)));
    std::memset(p.get(), 0xcd, sz);
  }
  uint8_t *data() { return p.get(); }
};

/// Operand descriptor for a value of the one-node graph (no symbolic batch).
inline codegen::Operand operandOf(const ir::Value *v, std::vector<int> perm) {
  codegen::Operand o;
  o.value = v;
  for (const ir::Dim &d : v->type().shape.dims())
    o.shape.push_back(d.value());
  if (perm.empty())
    for (size_t i = 0; i < o.shape.size(); ++i)
      perm.push_back(int(i));
  o.perm = std::move(perm);
  return o;
}

/// Runs `node` through `emit` for every ISA and compares with the
/// interpreter. `x` is the activation (operand 0); `perm` the physical layout
/// of x and y. Returns the number of compared outputs.
inline int64_t checkAllIsas(const ir::Node &node, const ir::Tensor &x, std::vector<int> perm,
                            codegen::EmitFn emit, const std::string &what) {
  std::vector<const ir::Tensor *> operands{&x};
  for (size_t i = 1; i < node.numOperands(); ++i)
    operands.push_back(node.operand(i) ? node.operand(i)->constant() : nullptr);
  auto ref = interp::evaluateNode(node, operands);
  if (!ref) {
    ADD_FAILURE() << what << ": interpreter: " << llvm::toString(ref.takeError());
    return 0;
  }
  std::vector<uint8_t> expected = codegen::toPhysicalBytes((*ref)[0], perm);
  std::vector<uint8_t> xBytes = codegen::toPhysicalBytes(x, perm);
  for (Isa isa : kAllIsas) {
    if (!cpuRuns(isa))
      continue;
    codegen::EmitContext ctx{node, isa, {}, {}};
    for (size_t i = 0; i < node.numOperands(); ++i) {
      if (!node.operand(i)) {
        ctx.operands.push_back(codegen::Operand());
        continue;
      }
      ctx.operands.push_back(operandOf(node.operand(i), i == 0 ? perm : std::vector<int>()));
    }
    ctx.results.push_back(operandOf(node.result(0), perm));
    auto calls = emit(ctx);
    if (!calls) {
      ADD_FAILURE() << what << " [" << codegen::isaName(isa).str()
                    << "]: emitter: " << llvm::toString(calls.takeError());
      return 0;
    }
    AlignedBuf in(xBytes.size());
    std::memcpy(in.data(), xBytes.data(), xBytes.size());
    AlignedBuf outBuf(expected.size());
    for (const codegen::KernelCall &call : *calls) {
      qc_kernel_fn fn = nativeEntry(call.entry, isa);
      if (!fn) {
        ADD_FAILURE() << "no native entry " << call.entry;
        return 0;
      }
      std::vector<AlignedBuf> blobs;
      std::vector<const void *> consts;
      for (const codegen::ConstBlob &b : call.consts) {
        blobs.emplace_back(b.bytes.size());
        std::memcpy(blobs.back().data(), b.bytes.data(), b.bytes.size());
      }
      for (AlignedBuf &b : blobs)
        consts.push_back(b.data());
      std::vector<uint8_t> params = call.params;
      const void *ins[] = {in.data()};
      void *outs[] = {outBuf.data()};
      // Tasks in random contiguous pieces, in random order.
      std::vector<std::pair<int64_t, int64_t>> pieces;
      for (int64_t t = 0; t < call.tasks;) {
        int64_t len = randInt(1, std::max<int64_t>(1, call.tasks / 2));
        len = std::min(len, call.tasks - t);
        pieces.push_back({t, t + len});
        t += len;
      }
      std::shuffle(pieces.begin(), pieces.end(), rng());
      for (auto [b, e] : pieces)
        fn(params.data(), consts.data(), ins, outs, b, e);
    }
    int64_t mismatches = 0;
    size_t firstBad = 0;
    for (size_t i = 0; i < expected.size(); ++i)
      if (expected[i] != outBuf.data()[i] && mismatches++ == 0)
        firstBad = i;
    EXPECT_EQ(mismatches, 0) << what << " [" << codegen::isaName(isa).str()
                             << "]: first differing byte " << firstBad << " of "
                             << expected.size() << ": got " << int(outBuf.data()[firstBad])
                             << ", expected " << int(expected[firstBad]);
  }
  return int64_t(expected.size());
}

} // namespace qc::test
