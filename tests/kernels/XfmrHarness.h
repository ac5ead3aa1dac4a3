// Test harness of the transformer and data-movement kernels: runs one node
// through the reference interpreter and through its emitter + the native
// kernel entries of every ISA (qc_kernels_<isa>) on chosen physical
// layouts, and returns both results in logical layout.
#pragma once

#include <gtest/gtest.h>

#include <ctime>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "codegen/Emit.h"
#include "codegen/kernels/KernelAbi.h"
#include "interp/Interpreter.h"
#include "ir/Graph.h"

// Every entry of the kernels these tests cover, per ISA.
#define QC_XFMR_ENTRIES(X)                                                     \
  X(copy_nd) X(copy_indexed) X(gather_rows) X(qs8_bmm_pack) X(qs8_bmm)        \
      X(softmax_rows) X(layernorm_rows) X(qs8_conv_transpose)
// Declares an entry's four ISA variants (for the X-macro entry lists here
// and in F32Harness.h).
#define QC_TEST_DECLARE_ISA(name)                                              \
  extern "C" void qc_##name##__generic(QC_KERNEL_PARAMS);                      \
  extern "C" void qc_##name##__avx2(QC_KERNEL_PARAMS);                         \
  extern "C" void qc_##name##__avxvnni(QC_KERNEL_PARAMS);                      \
  extern "C" void qc_##name##__avx512vnni(QC_KERNEL_PARAMS);
// In a lookup function over (name, isa): returns entry n's variant.
#define QC_TEST_LOOKUP_ENTRY(n)                                                \
  if (name == #n)                                                              \
    switch (isa) {                                                             \
    case codegen::Isa::Generic: return &qc_##n##__generic;                     \
    case codegen::Isa::Avx2: return &qc_##n##__avx2;                           \
    case codegen::Isa::AvxVnni: return &qc_##n##__avxvnni;                     \
    case codegen::Isa::Avx512Vnni: return &qc_##n##__avx512vnni;               \
    }
QC_XFMR_ENTRIES(QC_TEST_DECLARE_ISA)

namespace qc::xfmrtest {

inline const codegen::Isa kAllIsas[] = {codegen::Isa::Generic, codegen::Isa::Avx2,
                                        codegen::Isa::AvxVnni, codegen::Isa::Avx512Vnni};

/// Whether this CPU runs `isa`'s kernels (this VM, e.g., has AVX-512 VNNI
/// but not the VEX AVX-VNNI). Unsupported variants are skipped, noted once.
inline bool isaSupported(codegen::Isa isa) {
  bool ok = true;
  switch (isa) {
  case codegen::Isa::Generic: break;
  case codegen::Isa::Avx2:
    ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    break;
  case codegen::Isa::AvxVnni:
    ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni");
    break;
  case codegen::Isa::Avx512Vnni:
    ok = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl");
    break;
  }
  static bool noted[4] = {};
  if (!ok && !noted[int(isa)]) {
    noted[int(isa)] = true;
    std::printf("note: this CPU lacks %s: its kernel variant is not run\n",
                codegen::isaName(isa).str().c_str());
  }
  return ok;
}

inline qc_kernel_fn findEntry(const std::string &name, codegen::Isa isa) {
  QC_XFMR_ENTRIES(QC_TEST_LOOKUP_ENTRY)
  return nullptr;
}

/// One operand of the node under test.
struct Arg {
  ir::Tensor data;                      // logical layout
  std::optional<ir::QuantParams> quant; // carried by the value's type
  bool constant = false;
  std::vector<int> perm; // physical order (activations); empty: identity
  bool absent = false;
};

inline std::vector<int> identity(size_t rank) {
  std::vector<int> p(rank);
  for (size_t i = 0; i < rank; ++i)
    p[i] = int(i);
  return p;
}

/// Physical bytes (perm order) back to a logical tensor.
inline ir::Tensor fromPhysical(const std::vector<uint8_t> &bytes, ir::ElemType t,
                               const std::vector<int64_t> &shape, const std::vector<int> &perm) {
  ir::Tensor out(t, shape);
  size_t eb = ir::elemTypeStorageBytes(t);
  int rank = int(shape.size());
  std::vector<int64_t> logicalStrides = ir::rowMajorStrides(shape);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < out.numElements(); ++i) {
    int64_t off = 0;
    for (int p = 0; p < rank; ++p)
      off += idx[p] * logicalStrides[perm[p]];
    std::memcpy(out.raw() + off * eb, bytes.data() + i * eb, eb);
    for (int p = rank - 1; p >= 0; --p) {
      if (++idx[p] < shape[perm[p]])
        break;
      idx[p] = 0;
    }
  }
  return out;
}

struct Aligned {
  std::unique_ptr<uint8_t[]> storage;
  uint8_t *ptr = nullptr;
  explicit Aligned(size_t n, uint8_t fill = 0xA5) : storage(new uint8_t[n + 128]) {
    ptr = storage.get() + (64 - reinterpret_cast<uintptr_t>(storage.get()) % 64);
    std::memset(ptr, fill, n + 64);
  }
};

struct NodeRun {
  std::unique_ptr<ir::Graph> graph = std::make_unique<ir::Graph>();
  ir::Node *node = nullptr;
  std::vector<Arg> args;
  std::vector<ir::Tensor> reference;
  std::vector<std::vector<int>> resultPerms; // empty entries: identity
};

/// Builds a one-node graph of `kind` over `args`; result types come from the
/// interpreter's run (their quantization from `resultQuant`).
inline NodeRun makeNode(ir::OpKind kind, std::vector<Arg> args,
                        std::vector<std::pair<ir::AttrName, ir::AttrValue>> attrs,
                        std::vector<std::optional<ir::QuantParams>> resultQuant = {},
                        std::vector<ir::ElemType> resultElem = {}) {
  NodeRun r;
  std::vector<ir::Value *> operands;
  for (size_t i = 0; i < args.size(); ++i) {
    Arg &a = args[i];
    if (a.absent) {
      operands.push_back(nullptr);
      continue;
    }
    ir::Type t = a.data.type();
    t.quant = a.quant;
    ir::Value *v;
    if (a.constant) {
      v = r.graph->addConstant("c" + std::to_string(i), a.data);
      v->setType(t);
    } else {
      v = r.graph->addInput("in" + std::to_string(i), t);
    }
    operands.push_back(v);
    if (a.perm.empty())
      a.perm = identity(a.data.rank());
  }
  // Provisional result types; refined from the reference run below.
  size_t numResults = std::max<size_t>(1, resultQuant.size());
  std::vector<std::pair<std::string, ir::Type>> results;
  for (size_t i = 0; i < numResults; ++i)
    results.push_back({"out" + std::to_string(i), ir::Type()});
  r.node = r.graph->createNode(kind, operands, results);
  for (auto &[name, value] : attrs)
    r.node->setAttr(name, value);
  std::vector<const ir::Tensor *> ptrs;
  for (const Arg &a : args)
    ptrs.push_back(a.absent ? nullptr : &a.data);
  // Result types matter to the quantized ops: set them before evaluating.
  for (size_t i = 0; i < numResults; ++i) {
    if (i < resultElem.size()) {
      ir::Type t(resultElem[i], ir::Shape());
      t.quant = i < resultQuant.size() ? resultQuant[i] : std::nullopt;
      r.node->result(i)->setType(t);
    }
  }
  auto ref = interp::evaluateNode(*r.node, ptrs);
  EXPECT_TRUE(bool(ref)) << (ref ? "" : llvm::toString(ref.takeError()));
  if (!ref)
    return r;
  r.reference = std::move(*ref);
  for (size_t i = 0; i < r.reference.size(); ++i) {
    ir::Type t = r.reference[i].type();
    if (i < resultQuant.size())
      t.quant = resultQuant[i];
    r.node->result(i)->setType(t);
  }
  r.args = std::move(args);
  return r;
}

/// Runs the node's emitter for `isa` and the native entries (found by
/// `lookup`, findEntry by default), splitting each call's task space in a
/// few uneven ranges. Returns logical results, or an emitter error.
/// With `timing`, runs the whole call sequence timing->repeats times (each
/// call over its full task range) and stores the kernels' seconds per run.
struct Timing {
  int repeats = 1;
  double seconds = 0;
};

inline llvm::Expected<std::vector<ir::Tensor>>
runKernels(const NodeRun &r, codegen::Isa isa,
           llvm::Expected<std::vector<codegen::KernelCall>> (*emitFn)(
               const codegen::EmitContext &) = nullptr,
           Timing *timing = nullptr,
           qc_kernel_fn (*lookup)(const std::string &, codegen::Isa) = nullptr,
           int32_t *stepStatus = nullptr) {
  // The status word of calls that report bad input (KernelCall::
  // reportsStatus); without `stepStatus` a reported failure is an error.
  int32_t localStatus = 0;
  int32_t *status = stepStatus ? stepStatus : &localStatus;
  *status = 0;
  if (!lookup)
    lookup = &findEntry;
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
                 : identity(o.shape.size());
    ctx.results.push_back(o);
  }
  if (!emitFn) {
    const codegen::EmitterInfo *info = codegen::findEmitter(r.node->kind());
    if (!info)
      return llvm::createStringError("no emitter registered");
    emitFn = info->emit;
  }
  llvm::Expected<std::vector<codegen::KernelCall>> calls = emitFn(ctx);
  if (!calls)
    return calls.takeError();

  std::vector<std::vector<uint8_t>> inBytes;
  for (size_t i = 0; i < r.args.size(); ++i)
    inBytes.push_back(r.args[i].absent ? std::vector<uint8_t>()
                                       : codegen::toPhysicalBytes(r.args[i].data,
                                                                  r.args[i].perm));
  std::vector<Aligned> outBufs;
  std::vector<size_t> outSizes;
  for (const codegen::Operand &o : ctx.results) {
    size_t n = size_t(o.numElements()) * ir::elemTypeStorageBytes(o.elemType());
    outSizes.push_back(n);
    outBufs.emplace_back(n);
  }
  int64_t scratch = 0;
  for (const codegen::KernelCall &c : *calls)
    scratch = std::max(scratch, c.scratchBytes);
  Aligned scratchBuf(size_t(scratch) + 64);
  std::vector<Aligned> inBufs;
  for (auto &b : inBytes) {
    inBufs.emplace_back(b.size());
    if (!b.empty())
      std::memcpy(inBufs.back().ptr, b.data(), b.size());
  }
  struct Prepared {
    qc_kernel_fn fn;
    std::vector<Aligned> constBufs;
    std::vector<const void *> consts, ins;
    std::vector<void *> outs;
    std::unique_ptr<Aligned> params;
    int64_t tasks;
  };
  std::vector<Prepared> prepared;
  for (const codegen::KernelCall &c : *calls) {
    qc_kernel_fn fn = lookup(c.entry, isa);
    if (!fn)
      return llvm::createStringError("no native entry " + c.entry);
    std::vector<Aligned> constBufs;
    std::vector<const void *> consts;
    for (const codegen::ConstBlob &b : c.consts) {
      constBufs.emplace_back(b.bytes.size());
      if (!b.bytes.empty())
        std::memcpy(constBufs.back().ptr, b.bytes.data(), b.bytes.size());
      consts.push_back(constBufs.back().ptr);
    }
    std::vector<const void *> ins;
    for (unsigned i : c.inputs)
      ins.push_back(inBufs[i].ptr);
    std::vector<void *> outs;
    for (unsigned i : c.outputs)
      outs.push_back(outBufs[i].ptr);
    if (c.scratchBytes > 0)
      outs.push_back(scratchBuf.ptr);
    if (c.reportsStatus)
      outs.push_back(status);
    auto params = std::make_unique<Aligned>(c.params.size());
    std::memcpy(params->ptr, c.params.data(), c.params.size());
    prepared.push_back({fn, std::move(constBufs), std::move(consts), std::move(ins),
                        std::move(outs), std::move(params), c.tasks});
  }
  for (Prepared &c : prepared) {
    // Uneven ranges: [0, 1), [1, t/3), [t/3, t).
    int64_t t = c.tasks;
    int64_t cuts[] = {0, std::min<int64_t>(1, t), std::max<int64_t>(std::min<int64_t>(1, t), t / 3),
                      t};
    for (int k = 0; k < 3; ++k)
      if (cuts[k + 1] > cuts[k])
        c.fn(c.params->ptr, c.consts.data(), c.ins.data(), c.outs.data(), cuts[k], cuts[k + 1]);
  }
  if (timing) {
    // Thread CPU time: the machine is shared, wall time is not this thread's.
    auto cpuSeconds = [] {
      timespec ts;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
    };
    double start = cpuSeconds();
    for (int rep = 0; rep < timing->repeats; ++rep)
      for (Prepared &c : prepared)
        c.fn(c.params->ptr, c.consts.data(), c.ins.data(), c.outs.data(), 0, c.tasks);
    timing->seconds = (cpuSeconds() - start) / timing->repeats;
  }
  if (!stepStatus && *status != 0)
    return llvm::createStringError("the kernel reported step status " +
                                   std::to_string(*status));
  std::vector<ir::Tensor> results;
  for (size_t i = 0; i < ctx.results.size(); ++i) {
    std::vector<uint8_t> bytes(outBufs[i].ptr, outBufs[i].ptr + outSizes[i]);
    results.push_back(fromPhysical(bytes, ctx.results[i].elemType(), ctx.results[i].shape,
                                   ctx.results[i].perm));
  }
  return results;
}

inline ir::Tensor randomInts(std::mt19937 &rng, ir::ElemType t, std::vector<int64_t> dims,
                             int64_t lo, int64_t hi) {
  ir::Tensor out(t, std::move(dims));
  std::uniform_int_distribution<int64_t> d(lo, hi);
  for (int64_t i = 0; i < out.numElements(); ++i)
    out.setInt(i, d(rng));
  return out;
}

inline ir::Tensor randomFloats(std::mt19937 &rng, std::vector<int64_t> dims, float lo,
                               float hi) {
  ir::Tensor out(ir::ElemType::F32, std::move(dims));
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < out.numElements(); ++i)
    out.data<float>()[i] = d(rng);
  return out;
}

/// Random data of any element type (bytes for integers, floats in [-4, 4]).
inline ir::Tensor randomOf(std::mt19937 &rng, ir::ElemType t, std::vector<int64_t> dims) {
  if (t == ir::ElemType::F32)
    return randomFloats(rng, std::move(dims), -4, 4);
  if (t == ir::ElemType::U8)
    return randomInts(rng, t, std::move(dims), 0, 255);
  if (t == ir::ElemType::I8)
    return randomInts(rng, t, std::move(dims), -128, 127);
  return randomInts(rng, t, std::move(dims), -100000, 100000);
}

inline ir::QuantParams perTensor(double scale, int64_t zp) {
  ir::QuantParams q;
  q.scales = {scale};
  q.zeroPoints = {zp};
  return q;
}

/// Byte-exact comparison; reports the first mismatch.
inline void expectIdentical(const ir::Tensor &ref, const ir::Tensor &got,
                            const std::string &what) {
  ASSERT_EQ(ref.dims(), got.dims()) << what;
  ASSERT_EQ(ref.elemType(), got.elemType()) << what;
  if (std::memcmp(ref.raw(), got.raw(), ref.byteSize()) == 0)
    return;
  size_t eb = ir::elemTypeStorageBytes(ref.elemType());
  for (int64_t i = 0; i < ref.numElements(); ++i)
    if (std::memcmp(ref.raw() + i * eb, got.raw() + i * eb, eb) != 0) {
      ADD_FAILURE() << what << ": first mismatch at flat element " << i << " of "
                    << ref.numElements() << ": reference " << ref.getDouble(i) << ", kernel "
                    << got.getDouble(i);
      return;
    }
}

/// Runs every ISA and expects byte-identical results.
inline void expectAllIsasExact(const NodeRun &r, const std::string &what) {
  ASSERT_FALSE(r.reference.empty()) << what << ": no reference result";
  for (codegen::Isa isa : kAllIsas) {
    if (!isaSupported(isa))
      continue;
    auto got = runKernels(r, isa);
    ASSERT_TRUE(bool(got)) << what << ": " << llvm::toString(got.takeError());
    ASSERT_EQ(got->size(), r.reference.size());
    for (size_t i = 0; i < got->size(); ++i)
      expectIdentical(r.reference[i], (*got)[i],
                      what + " [" + codegen::isaName(isa).str() + "] result " +
                          std::to_string(i));
  }
}

} // namespace qc::xfmrtest
