// Shared pieces of the emitters: ISA names, operand layouts, broadcast
// strides, the emitter registry built from codegen/Emitters.def.
#include "codegen/Emit.h"

#include <numeric>

#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

llvm::StringRef isaName(Isa isa) {
  switch (isa) {
  case Isa::Generic: return "generic";
  case Isa::Avx2: return "avx2";
  case Isa::AvxVnni: return "avxvnni";
  case Isa::Avx512Vnni: return "avx512vnni";
  }
  return "generic";
}

unsigned isaVectorBytes(Isa isa) {
  switch (isa) {
  case Isa::Generic: return 16;
  case Isa::Avx2:
  case Isa::AvxVnni: return 32;
  case Isa::Avx512Vnni: return 64;
  }
  return 16;
}

bool Operand::isIdentityLayout() const {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int>(i))
      return false;
  return true;
}

bool Operand::isNhwc() const {
  return perm.size() == 4 && perm[0] == 0 && perm[1] == 2 && perm[2] == 3 && perm[3] == 1;
}

int64_t Operand::numElements() const {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
}

std::vector<int64_t> Operand::physicalShape() const {
  std::vector<int64_t> phys(shape.size());
  for (size_t i = 0; i < perm.size(); ++i)
    phys[i] = shape[perm[i]];
  return phys;
}

std::vector<int64_t> Operand::logicalStrides() const {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (int i = static_cast<int>(perm.size()) - 1; i >= 0; --i) {
    strides[perm[i]] = stride;
    stride *= shape[perm[i]];
  }
  return strides;
}

std::vector<int64_t> broadcastStrides(const Operand &in, const Operand &out) {
  std::vector<int64_t> inStrides = in.logicalStrides();
  int offset = out.rank() - in.rank();
  std::vector<int64_t> result(out.rank(), 0);
  for (int p = 0; p < out.rank(); ++p) {
    int logical = out.perm[p];
    int inAxis = logical - offset;
    if (inAxis < 0 || in.shape[inAxis] == 1)
      continue; // broadcast
    result[p] = inStrides[inAxis];
  }
  return result;
}

llvm::Expected<qc_nd_shape> buildNdShape(const Operand &out,
                                         llvm::ArrayRef<const Operand *> ins) {
  int numOperands = 1 + static_cast<int>(ins.size());
  if (numOperands > QC_ND_MAX_OPERANDS)
    return llvm::createStringError("%d operands exceed the %d an n-d kernel takes",
                                   numOperands, QC_ND_MAX_OPERANDS);
  std::vector<int64_t> dims = out.physicalShape();
  std::vector<std::vector<int64_t>> strides;
  {
    std::vector<int64_t> outStrides(dims.size());
    int64_t s = 1;
    for (int d = static_cast<int>(dims.size()) - 1; d >= 0; --d) {
      outStrides[d] = s;
      s *= dims[d];
    }
    strides.push_back(outStrides);
  }
  for (const Operand *in : ins)
    strides.push_back(broadcastStrides(*in, out));

  // Drop size-1 dims, then merge d into d-1 where every operand is
  // contiguous across the two.
  std::vector<int64_t> cDims;
  std::vector<std::vector<int64_t>> cStrides(numOperands);
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == 1)
      continue;
    bool merge = !cDims.empty();
    for (int i = 0; merge && i < numOperands; ++i)
      merge = cStrides[i].back() == strides[i][d] * dims[d];
    if (merge) {
      cDims.back() *= dims[d];
      for (int i = 0; i < numOperands; ++i)
        cStrides[i].back() = strides[i][d];
      continue;
    }
    cDims.push_back(dims[d]);
    for (int i = 0; i < numOperands; ++i)
      cStrides[i].push_back(strides[i][d]);
  }
  if (cDims.empty()) {
    cDims.push_back(1);
    for (auto &s : cStrides)
      s.push_back(0);
  }
  if (cDims.size() > QC_ND_MAX_RANK)
    return llvm::createStringError("%zu non-mergeable dimensions exceed the %d an n-d "
                                   "kernel takes",
                                   cDims.size(), QC_ND_MAX_RANK);
  qc_nd_shape nd{};
  nd.rank = static_cast<int32_t>(cDims.size());
  nd.num_operands = numOperands;
  for (size_t d = 0; d < cDims.size(); ++d) {
    nd.dims[d] = cDims[d];
    for (int i = 0; i < numOperands; ++i)
      nd.strides[i][d] = cStrides[i][d];
  }
  return nd;
}

std::vector<uint8_t> toPhysicalBytes(const ir::Tensor &t, llvm::ArrayRef<int> perm) {
  const std::vector<int64_t> &shape = t.dims();
  size_t elemBytes = ir::elemTypeStorageBytes(t.elemType());
  int rank = static_cast<int>(shape.size());
  std::vector<uint8_t> out(t.byteSize());
  const uint8_t *src = reinterpret_cast<const uint8_t *>(t.raw());
  if (rank == 0 || perm.empty()) {
    std::memcpy(out.data(), src, out.size());
    return out;
  }
  std::vector<int64_t> srcStrides(rank);
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    srcStrides[d] = s;
    s *= shape[d];
  }
  std::vector<int64_t> idx(rank, 0); // physical index
  int64_t n = t.numElements();
  for (int64_t i = 0; i < n; ++i) {
    int64_t srcOff = 0;
    for (int p = 0; p < rank; ++p)
      srcOff += idx[p] * srcStrides[perm[p]];
    std::memcpy(out.data() + i * elemBytes, src + srcOff * elemBytes, elemBytes);
    for (int p = rank - 1; p >= 0; --p) {
      if (++idx[p] < shape[perm[p]])
        break;
      idx[p] = 0;
    }
  }
  return out;
}

llvm::Error EmitContext::error(const llvm::Twine &msg) const {
  return llvm::createStringError(
      llvm::formatv("node '{0}' ({1}): {2}", node.name(), node.info().name, msg.str()).str());
}

#define QC_EMITTER(Kind, Fn, Policy)                                           \
  llvm::Expected<std::vector<KernelCall>> Fn(const EmitContext &);
#include "codegen/Emitters.def"

const EmitterInfo *findEmitter(ir::OpKind kind) {
  static const EmitterInfo table[] = {
#define QC_EMITTER(Kind, Fn, Policy) {ir::OpKind::Kind, &Fn, LayoutPolicy::Policy},
#include "codegen/Emitters.def"
      {ir::OpKind::QuantizeLinear, nullptr, LayoutPolicy::Logical}, // sentinel
  };
  for (const EmitterInfo &e : table)
    if (e.kind == kind && e.emit)
      return &e;
  return nullptr;
}

} // namespace qc::codegen
