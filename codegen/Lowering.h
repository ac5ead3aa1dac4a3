// The driver's first half: a folded ir::Graph to a Program — the buffers of
// the model (arena, graph inputs/outputs, constants), each value's physical
// layout, and the kernel calls in execution order. ModuleBuilder turns a
// Program into LLVM IR.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "codegen/Emit.h"
#include "ir/Graph.h"
#include "llvm/Support/Error.h"

namespace qc::codegen {

enum class BufferKind {
  Arena,    // planned into the session's arena (MemoryPlan.h)
  Input,    // exec->inputs[index]
  Output,   // exec->outputs[index]
  Constant, // Program::constants[index], read-only data of the module
};

struct Buffer {
  BufferKind kind = BufferKind::Arena;
  unsigned index = 0;  // graph input/output index, or constant index
  bool batched = false; // one copy per batch sample
  /// Bytes of one sample (batched) or of the whole buffer.
  int64_t bytes = 0;
  /// Arena buffers: byte offset in the static region, or in the batch
  /// region per unit of batch (sample s of a batch B run lives at
  /// staticBytes + offset * B + s * bytes).
  int64_t offset = 0;
  /// Arena buffers: the first and last step that touch the buffer.
  int firstStep = -1, lastStep = -1;
  std::string name; // the value (or "scratch of <node>"), for messages
};

/// One kernel call of the program.
struct Step {
  std::string label; // node name, for symbol names and messages
  KernelCall call;
  /// Buffers passed as in[] and out[] (the node's scratch last, when any).
  std::vector<unsigned> inBuffers, outBuffers;
  /// Runs once per batch sample (tasks * batch in total).
  bool batched = false;
};

/// A graph input or output as the descriptor states it.
struct IoTensor {
  std::string name;
  ir::ElemType elem = ir::ElemType::F32;
  std::vector<int64_t> dims; // -1: the batch dim
};

/// Where a value lives after lowering (for tests and debugging).
struct ValuePlacement {
  unsigned buffer = 0;
  std::vector<int> perm; // physical order of the logical axes
};

struct Program {
  std::vector<Buffer> buffers;
  std::vector<Step> steps;
  std::vector<IoTensor> inputs, outputs;
  std::vector<ConstBlob> constants; // constant values kernels read as in[]
  std::string batchDimName;         // empty: fully static
  uint64_t arenaStaticBytes = 0;
  uint64_t arenaBatchBytes = 0; // per unit of batch
  /// Every activation value by name.
  std::map<std::string, ValuePlacement> values;
};

/// Where lowering finds emitters; tests substitute their own.
struct LoweringHooks {
  const EmitterInfo *(*findEmitter)(ir::OpKind) = &codegen::findEmitter;
  llvm::Expected<KernelCall> (*layoutCopy)(const Operand &, const Operand &) = &emitLayoutCopy;
};

/// Lowers a folded graph for the kernels of `isa`: checks the batch
/// dimension, assigns layouts, runs the emitters, binds graph I/O and plans
/// the arena. Errors name the node; nodes without a kernel are listed
/// together in one error.
llvm::Expected<Program> lowerGraph(const ir::Graph &graph, Isa isa,
                                   const LoweringHooks &hooks = {});

/// True when a tensor of `shape` stored in physical order `perm` has the
/// same bytes in the same order as in row-major logical layout (its
/// non-unit dims keep their relative order), e.g. [1,C,1,1] NHWC.
bool isMemoryIdentity(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int> perm);

} // namespace qc::codegen
