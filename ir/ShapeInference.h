// Type and shape inference: the result types of a node from its operands'
// types and, where known, their constant values. Used by the frontend after
// import, by passes for new nodes, and by the interpreter (with every value
// known) to size its outputs — one implementation of every shape rule.
#pragma once

#include <vector>

#include "ir/Graph.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace qc::ir {

struct InferContext {
  const Node &node;
  /// Per operand; null where the optional operand is absent.
  std::vector<const Type *> operandTypes;
  /// Per operand; null where the value is not known at this point.
  std::vector<const Tensor *> operandValues;

  size_t numOperands() const { return operandTypes.size(); }
  bool has(size_t i) const { return i < operandTypes.size() && operandTypes[i]; }
  const Type &type(size_t i) const { return *operandTypes[i]; }
  const Shape &shape(size_t i) const { return operandTypes[i]->shape; }
  const Tensor *value(size_t i) const {
    return i < operandValues.size() ? operandValues[i] : nullptr;
  }
  /// An error prefixed with the node, e.g. "Conv 'conv1': <message>".
  llvm::Error error(const llvm::Twine &message) const;
};

/// Result types of ctx.node. Checks operand counts, element types and
/// attribute values, and reports what is wrong naming the node.
llvm::Expected<std::vector<Type>> inferResultTypes(const InferContext &ctx);

/// The context for a node of a graph: operand types from the values, operand
/// values from constants.
InferContext makeInferContext(const Node &node);

/// Infers every node's result types in order and sets them. Where a result
/// already has a type (e.g. declared in the ONNX model's value_info) and the
/// inferred one leaves a dim unknown or symbolic, the declared dim is kept;
/// a contradiction between them is an error.
llvm::Error inferGraphTypes(Graph &graph);

} // namespace qc::ir
