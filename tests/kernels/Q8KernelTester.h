// Test harness of the int8 kernel families (dwconv, elementwise, quantize,
// pools): builds a one-node graph, runs the reference interpreter on the
// logical tensors, runs the node's emitter and the native kernel entries of
// every ISA (qc_kernels_<isa>) on the physical layouts, and compares the
// results byte for byte.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "codegen/Emit.h"
#include "codegen/kernels/KernelAbi.h"
#include "ir/Graph.h"

namespace qc::test {

/// One node operand: a constant or an activation with its physical perm.
struct OperandSpec {
  ir::Tensor data;             // logical layout
  std::optional<ir::QuantParams> quant;
  bool constant = false;
  std::vector<int> perm;       // empty: identity
  bool absent = false;         // an omitted optional operand
};

struct NodeSpec {
  ir::OpKind kind;
  std::vector<OperandSpec> operands;
  ir::Type result;             // logical type of result 0
  std::vector<int> resultPerm; // empty: identity
  std::vector<std::pair<ir::AttrName, ir::AttrValue>> attrs;
  unsigned numResults = 1;     // MaxPool's indices when 2
};

/// Runs the spec through the interpreter and every ISA's kernels; reports
/// gtest failures (the first mismatching element per ISA). `emitError`
/// receives the emitter's error instead of failing when non-null.
void checkAgainstInterpreter(const NodeSpec &spec, std::string *emitError = nullptr);

/// The native kernel entry qc_<name>__<isa>, or null.
qc_kernel_fn findKernelEntry(const std::string &name, codegen::Isa isa);

// Random data helpers.
ir::Tensor randomTensor(std::mt19937 &rng, ir::ElemType t, std::vector<int64_t> dims,
                        int64_t lo, int64_t hi);
ir::Tensor randomFloatTensor(std::mt19937 &rng, std::vector<int64_t> dims, float lo, float hi);
ir::QuantParams perTensor(double scale, int64_t zeroPoint);
ir::Type quantType(ir::ElemType t, std::vector<int64_t> dims, ir::QuantParams q);
inline const std::vector<int> kNhwc = {0, 2, 3, 1};

} // namespace qc::test
