// A one-node graph for interpreter tests: the node evaluated on concrete
// tensors, or its result types inferred from operand types.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interp/Interpreter.h"
#include "ir/Graph.h"
#include "ir/ShapeInference.h"

namespace qc::testing {

/// One node in its own graph, evaluated on concrete tensors (null operands
/// are absent optional inputs) or type-inferred from declared types.
class OpTester {
public:
  explicit OpTester(ir::OpKind kind, unsigned numResults = 1)
      : kind_(kind), numResults_(numResults) {}

  OpTester &attr(ir::AttrName name, ir::AttrValue value) {
    attrs_.emplace_back(name, std::move(value));
    return *this;
  }

  llvm::Expected<std::vector<ir::Tensor>> run(std::vector<const ir::Tensor *> inputs) {
    std::vector<ir::Type> types;
    std::vector<bool> present;
    for (const ir::Tensor *t : inputs) {
      types.push_back(t ? t->type() : ir::Type());
      present.push_back(t != nullptr);
    }
    ir::Node *node = build(types, present);
    return interp::evaluateNode(*node, inputs);
  }

  /// Result types from operand types (nullopt: absent); `constants` (null
  /// entries: not constant) are the operand values inference may see.
  llvm::Expected<std::vector<ir::Type>> infer(std::vector<std::optional<ir::Type>> types,
                                              std::vector<const ir::Tensor *> constants = {}) {
    std::vector<ir::Type> plain;
    std::vector<bool> present;
    for (auto &t : types) {
      plain.push_back(t.value_or(ir::Type()));
      present.push_back(t.has_value());
    }
    ir::Node *node = build(plain, present);
    ir::InferContext ctx = ir::makeInferContext(*node);
    for (size_t i = 0; i < constants.size(); ++i)
      if (constants[i])
        ctx.operandValues[i] = constants[i];
    return ir::inferResultTypes(ctx);
  }

private:
  ir::Node *build(const std::vector<ir::Type> &types, const std::vector<bool> &present) {
    graph_ = std::make_unique<ir::Graph>();
    std::vector<ir::Value *> operands;
    for (size_t i = 0; i < types.size(); ++i)
      operands.push_back(present[i] ? graph_->addInput("in" + std::to_string(i), types[i])
                                    : nullptr);
    std::vector<std::pair<std::string, ir::Type>> results;
    for (unsigned i = 0; i < numResults_; ++i)
      results.emplace_back("out" + std::to_string(i), ir::Type());
    ir::Node *node = graph_->createNode(kind_, operands, results);
    node->setName("n");
    for (auto &[name, value] : attrs_)
      node->setAttr(name, value);
    return node;
  }

  ir::OpKind kind_;
  unsigned numResults_;
  std::vector<std::pair<ir::AttrName, ir::AttrValue>> attrs_;
  std::unique_ptr<ir::Graph> graph_;
};

} // namespace qc::testing
