// The host side of a kernel: an emitter turns one IR node into kernel calls
// (entry name, constant params block, constant blobs such as pre-packed
// weights) that codegen/ModuleBuilder.cpp turns into LLVM IR.
//
// Emitters are listed once in codegen/Emitters.def. The driver
// (codegen/Lowering.cpp) decides the physical layout of every value, plans
// memory, and calls the emitter with each operand's layout; the emitter packs
// constants at compile time and fills the params struct its kernel source
// (codegen/kernels/<family>.cpp) reads.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "codegen/kernels/Strided.h"
#include "ir/Graph.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace qc::codegen {

/// The kernel variant family a target gets; one bitcode per ISA.
enum class Isa { Generic, Avx2, AvxVnni, Avx512Vnni };
/// "generic", "avx2", "avxvnni", "avx512vnni": the entry-name suffix
/// (codegen/kernels/KernelAbi.h).
llvm::StringRef isaName(Isa isa);
/// Bytes of the widest integer vector the ISA's kernels use (16, 32, 64).
unsigned isaVectorBytes(Isa isa);

/// How an op wants its rank-4 activations laid out. The driver stores a
/// rank-4 activation NHWC when its producer is ChannelsLast or Agnostic
/// (graph inputs, outputs and constants are always logical).
enum class LayoutPolicy {
  /// Rank-4 activation operands and results are NHWC (conv, pools, resize).
  ChannelsLast,
  /// Any layout: the emitter reads each operand's perm (elementwise ops,
  /// quantize/dequantize, copies); results of rank 4 are NHWC.
  Agnostic,
  /// Every operand and result in logical (row-major) layout; the driver
  /// inserts layout conversions.
  Logical,
};

/// One operand or result of a node as the kernel sees it: one batch sample.
struct Operand {
  const ir::Value *value = nullptr; // null: an absent optional operand
  /// Logical shape of one batch sample (the symbolic batch dim counts 1).
  std::vector<int64_t> shape;
  /// Physical order: physical axis i holds logical axis perm[i].
  std::vector<int> perm;
  /// Carries the symbolic batch dim at axis 0: its buffer advances by one
  /// sample per batch step. Unbatched operands are shared by all samples.
  bool batched = false;

  bool present() const { return value != nullptr; }
  const ir::Type &type() const { return value->type(); }
  ir::ElemType elemType() const { return value->type().elem; }
  /// Constant data (in logical layout), or null for activations.
  const ir::Tensor *constant() const { return value ? value->constant() : nullptr; }
  int rank() const { return static_cast<int>(shape.size()); }
  bool isIdentityLayout() const;
  /// perm == {0, 2, 3, 1}.
  bool isNhwc() const;
  int64_t numElements() const;
  std::vector<int64_t> physicalShape() const;
  /// Element strides of each LOGICAL axis in the physical buffer.
  std::vector<int64_t> logicalStrides() const;
};

/// Strides (in elements) with which `in` is read when iterating over the
/// physical axes of `out`, numpy-broadcast: in's axes align right with out's
/// logical axes; broadcast axes get stride 0. Size = out.rank().
std::vector<int64_t> broadcastStrides(const Operand &in, const Operand &out);

/// The coalesced N-d iteration of `out`'s physical shape with `ins` read by
/// broadcastStrides: operand 0 is out, then ins in order. Size-1 dims are
/// dropped and adjacent dims merged where every operand allows it. Fails
/// (naming the node) when more than QC_ND_MAX_RANK dims remain.
llvm::Expected<qc_nd_shape> buildNdShape(const Operand &out,
                                         llvm::ArrayRef<const Operand *> ins);

/// Copies `t` (logical layout) into the physical order `perm`, as raw bytes
/// of its element type (int4 stays one byte per element).
std::vector<uint8_t> toPhysicalBytes(const ir::Tensor &t, llvm::ArrayRef<int> perm);

/// A constant blob handed to the kernel in `consts[i]`.
struct ConstBlob {
  std::vector<uint8_t> bytes;
  uint32_t align = 64;
};

template <class T> ConstBlob blobOf(llvm::ArrayRef<T> values, uint32_t align = 64) {
  static_assert(std::is_trivially_copyable_v<T>);
  ConstBlob b;
  b.bytes.resize(values.size() * sizeof(T));
  if (!values.empty())
    std::memcpy(b.bytes.data(), values.data(), b.bytes.size());
  b.align = align;
  return b;
}

/// The bytes of a kernel params struct (a C struct shared by the host emitter
/// and the kernel source, so both agree on its layout).
template <class P> std::vector<uint8_t> paramsOf(const P &p) {
  static_assert(std::is_trivially_copyable_v<P>);
  std::vector<uint8_t> bytes(sizeof(P));
  std::memcpy(bytes.data(), &p, sizeof(P));
  return bytes;
}

/// One call of a kernel entry over a task space, per batch sample.
struct KernelCall {
  /// Entry base name: "qs8_conv2d" calls qc_qs8_conv2d__<isa>.
  std::string entry;
  std::vector<uint8_t> params;
  std::vector<ConstBlob> consts;
  /// in[]: node operand indices (activations; constants go into consts).
  std::vector<unsigned> inputs;
  /// out[]: node result indices.
  std::vector<unsigned> outputs;
  /// Tasks per batch sample; the runtime spreads [0, tasks * batch) over
  /// threads in contiguous ranges.
  int64_t tasks = 1;
  /// Scratch bytes per batch sample; when > 0 the driver passes a 64-byte
  /// aligned scratch buffer as the last out[] entry.
  int64_t scratchBytes = 0;
  /// The kernel can meet input it cannot process (e.g. a run-time Gather
  /// index out of range): the driver passes the step's int32 status word
  /// (runtime/ModelDesc.h, qc_exec::step_status) as the last out[] entry,
  /// after the scratch; the kernel stores a QC_STEP_* code there.
  bool reportsStatus = false;
  // One scratch buffer serves all calls of a node (sized for the largest),
  // so a call may leave data there for the next (e.g. a packed operand).
};

struct EmitContext {
  const ir::Node &node;
  Isa isa;
  std::vector<Operand> operands; // one per node operand
  std::vector<Operand> results;  // one per node result

  /// An error that names the node: "node 'conv1' (qc.QConv): <msg>".
  llvm::Error error(const llvm::Twine &msg) const;
};

using EmitFn = llvm::Expected<std::vector<KernelCall>> (*)(const EmitContext &);

struct EmitterInfo {
  ir::OpKind kind;
  EmitFn emit;
  LayoutPolicy layout;
};

/// The emitter of `kind` (codegen/Emitters.def), or null when qc has no
/// kernel for the op.
const EmitterInfo *findEmitter(ir::OpKind kind);

/// A copy between two layouts (inputs = {0}: src, outputs = {0}: dst) of the same logical tensor (the driver's layout
/// conversions, and Reshape/Flatten/... when the bytes must move).
/// Implemented with the data-movement kernels (codegen/emit/DataMovement.cpp).
llvm::Expected<KernelCall> emitLayoutCopy(const Operand &src, const Operand &dst);

} // namespace qc::codegen
