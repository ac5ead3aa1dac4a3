// The int8 kernel test harness (Q8KernelTester.h).
#include "Q8KernelTester.h"

#include <cstdio>
#include <cstring>
#include <memory>

#include "codegen/kernels/KernelAbi.h"
#include "interp/Interpreter.h"

// Every entry of the int8 families, per ISA.
#define QC_Q8_TEST_ENTRIES(X)                                                  \
  X(qs8_dwconv)                                                                \
  X(qs8_dwconv_vec)                                                            \
  X(qs8_binary)                                                                \
  X(qs8_requantize)                                                            \
  X(q8_lut)                                                                    \
  X(f32_q8_quantize)                                                           \
  X(q8_f32_dequantize)                                                         \
  X(qs8_avgpool2d)                                                             \
  X(qs8_global_avgpool)                                                        \
  X(maxpool2d)                                                                 \
  X(qs8_reduce_mean)

#define QC_DECLARE_ENTRY(name)                                                 \
  extern "C" void qc_##name##__generic(QC_KERNEL_PARAMS);                      \
  extern "C" void qc_##name##__avx2(QC_KERNEL_PARAMS);                         \
  extern "C" void qc_##name##__avxvnni(QC_KERNEL_PARAMS);                      \
  extern "C" void qc_##name##__avx512vnni(QC_KERNEL_PARAMS);
QC_Q8_TEST_ENTRIES(QC_DECLARE_ENTRY)
#undef QC_DECLARE_ENTRY

namespace qc::test {

using codegen::Isa;

qc_kernel_fn findKernelEntry(const std::string &name, Isa isa) {
#define QC_FIND_ENTRY(n)                                                       \
  if (name == #n) {                                                            \
    switch (isa) {                                                             \
    case Isa::Generic: return &qc_##n##__generic;                              \
    case Isa::Avx2: return &qc_##n##__avx2;                                    \
    case Isa::AvxVnni: return &qc_##n##__avxvnni;                              \
    case Isa::Avx512Vnni: return &qc_##n##__avx512vnni;                        \
    }                                                                          \
  }
  QC_Q8_TEST_ENTRIES(QC_FIND_ENTRY)
#undef QC_FIND_ENTRY
  return nullptr;
}

namespace {

/// A 64-byte aligned byte buffer.
struct Buffer {
  std::unique_ptr<uint8_t[]> storage;
  uint8_t *data = nullptr;
  explicit Buffer(size_t bytes, uint8_t fill = 0xA5) {
    storage.reset(new uint8_t[bytes + 64]);
    data = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(storage.get()) + 63) &
                                       ~uintptr_t(63));
    std::memset(data, fill, bytes);
  }
};

std::vector<int> identityPerm(size_t rank) {
  std::vector<int> p(rank);
  for (size_t i = 0; i < rank; ++i)
    p[i] = int(i);
  return p;
}

/// Whether this CPU runs the ISA's kernels (AVX-VNNI is missing on some
/// AVX-512 machines: those variants are compiled and linked but not run).
bool cpuRuns(Isa isa) {
  switch (isa) {
  case Isa::Generic: return true;
  case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  case Isa::AvxVnni: return __builtin_cpu_supports("avxvnni");
  case Isa::Avx512Vnni:
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
  }
  return false;
}

std::string describeIndex(size_t byteIndex, size_t elemBytes) {
  return "physical element " + std::to_string(byteIndex / elemBytes);
}

} // namespace

void checkAgainstInterpreter(const NodeSpec &spec, std::string *emitError) {
  ir::Graph g;
  std::vector<ir::Value *> values;
  std::vector<const ir::Tensor *> operandTensors;
  for (size_t i = 0; i < spec.operands.size(); ++i) {
    const OperandSpec &o = spec.operands[i];
    if (o.absent) {
      values.push_back(nullptr);
      operandTensors.push_back(nullptr);
      continue;
    }
    ir::Type type = o.data.type();
    type.quant = o.quant;
    ir::Value *v = o.constant ? g.addConstant("c" + std::to_string(i), o.data)
                              : g.addInput("x" + std::to_string(i), type);
    v->setType(type);
    values.push_back(v);
    operandTensors.push_back(&o.data);
  }
  std::vector<std::pair<std::string, ir::Type>> results = {{"y", spec.result}};
  if (spec.numResults == 2)
    results.push_back({"indices", ir::Type(ir::ElemType::I64, spec.result.shape)});
  ir::Node *node = g.createNode(spec.kind, values, results);
  node->setName("node");
  for (const auto &[name, value] : spec.attrs)
    node->setAttr(name, value);

  auto expected = interp::evaluateNode(*node, operandTensors);
  if (!expected) {
    ADD_FAILURE() << "interpreter: " << llvm::toString(expected.takeError());
    return;
  }
  const ir::Tensor &want = (*expected)[0];
  std::vector<int> resultPerm =
      spec.resultPerm.empty() ? identityPerm(spec.result.shape.rank()) : spec.resultPerm;
  std::vector<uint8_t> wantBytes = codegen::toPhysicalBytes(want, resultPerm);
  size_t elemBytes = ir::elemTypeStorageBytes(want.elemType());

  const codegen::EmitterInfo *info = codegen::findEmitter(spec.kind);
  ASSERT_NE(info, nullptr) << "no emitter registered";
  for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::AvxVnni, Isa::Avx512Vnni}) {
    SCOPED_TRACE(std::string("isa ") + codegen::isaName(isa).str());
    if (!cpuRuns(isa)) {
      static bool told = false;
      if (!told)
        std::fprintf(stderr, "note: this CPU lacks %s: its kernels are not run\n",
                     codegen::isaName(isa).str().c_str());
      told = true;
      continue;
    }
    codegen::EmitContext ctx{*node, isa, {}, {}};
    std::vector<std::vector<uint8_t>> physical(spec.operands.size());
    for (size_t i = 0; i < spec.operands.size(); ++i) {
      const OperandSpec &o = spec.operands[i];
      codegen::Operand op;
      if (!o.absent) {
        op.value = values[i];
        op.shape = o.data.dims();
        op.perm = o.perm.empty() ? identityPerm(o.data.rank()) : o.perm;
        physical[i] = codegen::toPhysicalBytes(o.data, op.perm);
      }
      ctx.operands.push_back(op);
    }
    codegen::Operand res;
    res.value = node->result(0);
    res.shape = want.dims();
    res.perm = resultPerm;
    ctx.results.push_back(res);

    auto calls = info->emit(ctx);
    if (!calls) {
      std::string msg = llvm::toString(calls.takeError());
      if (emitError) {
        *emitError = msg;
        return;
      }
      ADD_FAILURE() << "emitter: " << msg;
      return;
    }
    ASSERT_EQ(emitError, nullptr) << "the emitter accepted a node it should reject";
    Buffer outBuf(wantBytes.size() + 64);
    for (const codegen::KernelCall &call : *calls) {
      qc_kernel_fn fn = findKernelEntry(call.entry, isa);
      ASSERT_NE(fn, nullptr) << "unknown entry " << call.entry;
      std::vector<Buffer> constBufs;
      std::vector<const void *> consts;
      for (const codegen::ConstBlob &b : call.consts) {
        constBufs.emplace_back(b.bytes.size() + 1);
        std::memcpy(constBufs.back().data, b.bytes.data(), b.bytes.size());
      }
      for (Buffer &b : constBufs)
        consts.push_back(b.data);
      std::vector<Buffer> inBufs;
      std::vector<const void *> ins;
      for (unsigned i : call.inputs) {
        inBufs.emplace_back(physical[i].size() + 1);
        std::memcpy(inBufs.back().data, physical[i].data(), physical[i].size());
      }
      for (Buffer &b : inBufs)
        ins.push_back(b.data);
      std::vector<void *> outs;
      for (unsigned r : call.outputs) {
        ASSERT_EQ(r, 0u);
        outs.push_back(outBuf.data);
      }
      Buffer scratch(size_t(std::max<int64_t>(call.scratchBytes, 1)));
      if (call.scratchBytes > 0)
        outs.push_back(scratch.data);
      // Uneven task ranges, as threads would split them.
      int64_t split = call.tasks / 3;
      fn(call.params.data(), consts.data(), ins.data(), outs.data(), 0, split);
      fn(call.params.data(), consts.data(), ins.data(), outs.data(), split, call.tasks);
    }
    for (size_t b = 0; b < wantBytes.size(); ++b) {
      if (outBuf.data[b] != wantBytes[b]) {
        size_t e = b / elemBytes * elemBytes;
        int64_t got = 0, exp = 0;
        std::memcpy(&got, outBuf.data + e, elemBytes);
        std::memcpy(&exp, wantBytes.data() + e, elemBytes);
        ADD_FAILURE() << describeIndex(b, elemBytes) << " of " << wantBytes.size() / elemBytes
                      << ": got bytes 0x" << std::hex << got << ", interpreter 0x" << exp;
        break;
      }
    }
    for (size_t b = wantBytes.size(); b < wantBytes.size() + 64; ++b)
      if (outBuf.data[b] != 0xA5) {
        ADD_FAILURE() << "kernel wrote past the end of its output";
        break;
      }
  }
}

ir::Tensor randomTensor(std::mt19937 &rng, ir::ElemType t, std::vector<int64_t> dims,
                        int64_t lo, int64_t hi) {
  ir::Tensor r(t, std::move(dims));
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int64_t i = 0; i < r.numElements(); ++i)
    r.setInt(i, dist(rng));
  return r;
}

ir::Tensor randomFloatTensor(std::mt19937 &rng, std::vector<int64_t> dims, float lo, float hi) {
  ir::Tensor r(ir::ElemType::F32, std::move(dims));
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < r.numElements(); ++i)
    r.setDouble(i, dist(rng));
  return r;
}

ir::QuantParams perTensor(double scale, int64_t zeroPoint) {
  ir::QuantParams q;
  q.scales = {double(float(scale))};
  q.zeroPoints = {zeroPoint};
  return q;
}

ir::Type quantType(ir::ElemType t, std::vector<int64_t> dims, ir::QuantParams q) {
  ir::Type type(t, ir::Shape::fromStatic(dims));
  type.quant = std::move(q);
  return type;
}

} // namespace qc::test
