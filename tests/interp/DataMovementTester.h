// A builder for single-node tests of the data-movement ops: operands (as
// tensors, or as bare types for shape inference), attributes, result count;
// then run the node through the interpreter or through shape inference.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "interp/Interpreter.h"
#include "interp/kernels/Kernels.h"
#include "ir/Graph.h"
#include "ir/ShapeInference.h"

namespace qc::testing {

class NodeTester {
public:
  explicit NodeTester(ir::OpKind kind, size_t numResults = 1)
      : kind_(kind), numResults_(numResults) {}

  /// A known operand (its value is visible to shape inference too).
  NodeTester &in(ir::Tensor t) {
    operands_.push_back({t.type(), std::move(t), true});
    return *this;
  }
  /// An operand of which only the type is known (shape inference only).
  NodeTester &inType(ir::Type t) {
    operands_.push_back({std::move(t), std::nullopt, true});
    return *this;
  }
  /// An absent optional operand.
  NodeTester &absent() {
    operands_.push_back({ir::Type(), std::nullopt, false});
    return *this;
  }
  NodeTester &attr(ir::AttrName name, ir::AttrValue value) {
    attrs_.emplace_back(name, std::move(value));
    return *this;
  }

  /// Shape inference of the node.
  llvm::Expected<std::vector<ir::Type>> infer() {
    ir::Node &node = build();
    ir::InferContext ctx{node, {}, {}};
    for (const Operand &o : operands_) {
      ctx.operandTypes.push_back(o.present ? &o.type : nullptr);
      ctx.operandValues.push_back(o.value ? &*o.value : nullptr);
    }
    return ir::inferResultTypes(ctx);
  }

  /// Runs the node in the reference interpreter (inference, then kernel).
  llvm::Expected<std::vector<ir::Tensor>> run() {
    ir::Node &node = build();
    return interp::evaluateNode(node, operandPtrs());
  }

  /// Runs only the kernel, with outputs of the given shapes and types: for
  /// checks the kernel makes itself (run time errors).
  llvm::Error runKernel(llvm::Error (*kernel)(interp::EvalContext &),
                        std::vector<ir::Type> resultTypes) {
    ir::Node &node = build();
    interp::EvalContext ctx{node, operandPtrs(), {}};
    for (const ir::Type &t : resultTypes)
      ctx.outputs.emplace_back(t.elem, t.shape.staticDims());
    return kernel(ctx);
  }

private:
  struct Operand {
    ir::Type type;
    std::optional<ir::Tensor> value;
    bool present;
  };

  ir::Node &build() {
    graph_ = std::make_unique<ir::Graph>();
    std::vector<ir::Value *> operands;
    for (size_t i = 0; i < operands_.size(); ++i)
      operands.push_back(operands_[i].present
                             ? graph_->addInput("x" + std::to_string(i), operands_[i].type)
                             : nullptr);
    std::vector<std::pair<std::string, ir::Type>> results;
    for (size_t i = 0; i < numResults_; ++i)
      results.emplace_back("y" + std::to_string(i), ir::Type());
    ir::Node *node = graph_->createNode(kind_, operands, results);
    for (auto &[name, value] : attrs_)
      node->setAttr(name, value);
    return *node;
  }

  std::vector<const ir::Tensor *> operandPtrs() const {
    std::vector<const ir::Tensor *> ptrs;
    for (const Operand &o : operands_) {
      EXPECT_TRUE(!o.present || o.value) << "run() needs every operand's value";
      ptrs.push_back(o.value ? &*o.value : nullptr);
    }
    return ptrs;
  }

  ir::OpKind kind_;
  size_t numResults_;
  std::vector<Operand> operands_;
  std::vector<std::pair<ir::AttrName, ir::AttrValue>> attrs_;
  std::unique_ptr<ir::Graph> graph_;
};

/// The message of a failed Expected / Error, or "" on success.
template <typename T> std::string errorOf(llvm::Expected<T> e) {
  if (e)
    return "";
  return llvm::toString(e.takeError());
}
inline std::string errorOf(llvm::Error e) { return e ? llvm::toString(std::move(e)) : ""; }

inline std::vector<int64_t> intsOf(const ir::Tensor &t) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getInt(i));
  return v;
}
inline std::vector<double> doublesOf(const ir::Tensor &t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getDouble(i));
  return v;
}

inline std::vector<float> floatsOf(const ir::Tensor &t) {
  const float *d = t.data<float>();
  return std::vector<float>(d, d + t.numElements());
}

inline ir::Tensor i64s(std::vector<int64_t> values) {
  return ir::Tensor::fromInts(ir::ElemType::I64, {int64_t(values.size())}, values);
}
inline ir::Tensor f32s(std::vector<int64_t> dims, std::vector<double> values) {
  return ir::Tensor::fromDoubles(ir::ElemType::F32, std::move(dims), values);
}
/// 0, 1, 2, ... of the given type and dims.
inline ir::Tensor iota(ir::ElemType type, std::vector<int64_t> dims) {
  ir::Tensor t(type, std::move(dims));
  for (int64_t i = 0; i < t.numElements(); ++i)
    t.setInt(i, i);
  return t;
}

} // namespace qc::testing
