// The IR: a Graph owns typed SSA Values and Nodes (op + operands + results +
// typed attributes). Values are graph inputs, constants (initializers) or
// node results; nodes are kept in a topological order.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/Op.h"
#include "ir/Tensor.h"
#include "ir/Type.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace qc::ir {

class Node;
class Graph;

/// One use of a value: operand `operandIndex` of `user`.
struct Use {
  Node *user;
  unsigned operandIndex;
  bool operator==(const Use &o) const {
    return user == o.user && operandIndex == o.operandIndex;
  }
};

class Value {
public:
  const std::string &name() const { return name_; }
  const Type &type() const { return type_; }
  void setType(Type t) { type_ = std::move(t); }

  /// The node producing this value, or null for graph inputs and constants.
  Node *producer() const { return producer_; }
  unsigned resultIndex() const { return resultIndex_; }

  bool isConstant() const { return constant_ != nullptr; }
  /// Constant data (initializer); null unless isConstant().
  const Tensor *constant() const { return constant_.get(); }
  std::shared_ptr<const Tensor> constantPtr() const { return constant_; }

  const std::vector<Use> &uses() const { return uses_; }
  bool hasOneUse() const { return uses_.size() == 1; }

private:
  friend class Graph;
  friend class Node;
  Value(std::string name, Type type) : name_(std::move(name)), type_(std::move(type)) {}

  std::string name_;
  Type type_;
  Node *producer_ = nullptr;
  unsigned resultIndex_ = 0;
  std::shared_ptr<const Tensor> constant_;
  std::vector<Use> uses_;
};

class Node {
public:
  OpKind kind() const { return kind_; }
  const OpInfo &info() const { return opInfo(kind_); }
  /// The node's name (ONNX NodeProto.name); may be empty.
  const std::string &name() const { return name_; }
  void setName(std::string n) { name_ = std::move(n); }
  /// "Conv 'layer1.conv'" or "Conv producing 'y'" when unnamed: for messages.
  std::string describe() const;

  size_t numOperands() const { return operands_.size(); }
  /// Operand i, or null when the optional input is absent (or i is past the
  /// last operand).
  Value *operand(size_t i) const {
    return i < operands_.size() ? operands_[i] : nullptr;
  }
  const std::vector<Value *> &operands() const { return operands_; }
  void setOperand(size_t i, Value *v); // keeps use lists right

  size_t numResults() const { return results_.size(); }
  Value *result(size_t i = 0) const { return results_[i]; }
  const std::vector<Value *> &results() const { return results_; }

  // Attributes. get* return the explicit value or the schema default and
  // assert that one exists; find* return null/nullopt when neither exists.
  bool hasAttr(AttrName n) const; // explicitly set
  const AttrValue *findAttr(AttrName n) const; // explicit, else default
  void setAttr(AttrName n, AttrValue v);       // asserts the schema allows it
  void removeAttr(AttrName n);
  /// Explicitly set attributes, sorted by name.
  const std::vector<std::pair<AttrName, AttrValue>> &attrs() const { return attrs_; }

  int64_t getInt(AttrName n) const;
  float getFloat(AttrName n) const;
  const std::string &getString(AttrName n) const;
  const std::vector<int64_t> &getInts(AttrName n) const;
  ElemType getElem(AttrName n) const;
  std::optional<int64_t> findInt(AttrName n) const;
  std::optional<float> findFloat(AttrName n) const;
  const std::vector<int64_t> *findInts(AttrName n) const;
  const std::vector<float> *findFloats(AttrName n) const;
  const Tensor *findTensor(AttrName n) const;
  std::optional<ElemType> findElem(AttrName n) const;

  Graph &graph() const { return *graph_; }

  /// Why a pass left this node as it is (e.g. "weight is not constant"),
  /// for the fold report; the last pass to look at the node wins. Not
  /// printed in the text form.
  const std::string &remark() const { return remark_; }

  /// True once Graph::eraseNode removed this node. Erased nodes stay
  /// allocated until Graph::releaseErasedNodes (the pass manager calls it
  /// after each pass), so a pass iterating a nodes() snapshot can skip them
  /// instead of touching freed memory. Their results are gone.
  bool isErased() const { return erased_; }
  void setRemark(std::string r) { remark_ = std::move(r); }

private:
  friend class Graph;
  Node(Graph *g, OpKind kind) : graph_(g), kind_(kind) {}

  Graph *graph_;
  OpKind kind_;
  std::string name_;
  std::vector<Value *> operands_;
  std::vector<Value *> results_;
  std::vector<std::pair<AttrName, AttrValue>> attrs_;
  std::string remark_;
  bool erased_ = false;
};

class Graph {
public:
  Graph() = default;
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;
  /// A deep copy (values, constants shared, nodes, attributes).
  std::unique_ptr<Graph> clone() const;

  const std::string &name() const { return name_; }
  void setName(std::string n) { name_ = std::move(n); }
  /// ONNX opset imports of the source model: domain ("" = ai.onnx) -> version.
  std::map<std::string, int64_t> &opsets() { return opsets_; }
  const std::map<std::string, int64_t> &opsets() const { return opsets_; }

  // Creating values. Names must be unique in the graph; uniqueName() makes one.
  Value *addInput(std::string name, Type type);
  Value *addConstant(std::string name, Tensor data); // type from the data
  Value *addConstant(std::string name, std::shared_ptr<const Tensor> data);
  std::string uniqueName(llvm::StringRef base) const;
  /// Gives `v` a new name, which must be unused (e.g. freed by erasing the
  /// value that had it): rewrites keep user-visible output names this way.
  void renameValue(Value *v, std::string name);

  /// Appends a node at the end of the node list (or before `before` when
  /// given). Results get the given names and types; their types may be
  /// filled in later by shape inference.
  Node *createNode(OpKind kind, llvm::ArrayRef<Value *> operands,
                   llvm::ArrayRef<std::pair<std::string, Type>> results,
                   Node *before = nullptr);
  /// Removes a node whose results have no uses (see Node::isErased).
  void eraseNode(Node *n);
  /// Frees the nodes eraseNode removed.
  void releaseErasedNodes() { erasedNodes_.clear(); }
  /// Redirects every use of `from` (and graph outputs) to `to`.
  void replaceAllUsesWith(Value *from, Value *to);
  /// Removes nodes whose results are all unused and not graph outputs, then
  /// constants nobody uses.
  void removeDeadCode();
  /// Re-sorts nodes topologically, stable w.r.t. the current order; returns
  /// an error naming a node on a cycle.
  llvm::Error sortTopologically();

  const std::vector<Value *> &inputs() const { return inputs_; }
  const std::vector<Value *> &outputs() const { return outputs_; }
  void addOutput(Value *v) { outputs_.push_back(v); }
  void setOutput(size_t i, Value *v) { outputs_[i] = v; }

  /// Nodes in topological order.
  std::vector<Node *> nodes() const;
  size_t numNodes() const { return nodes_.size(); }
  /// Constants in creation order.
  std::vector<Value *> constants() const;
  /// Every value: inputs, constants, node results.
  const std::vector<std::unique_ptr<Value>> &values() const { return values_; }
  Value *findValue(llvm::StringRef name) const;

private:
  Value *newValue(std::string name, Type type);

  std::string name_;
  std::map<std::string, int64_t> opsets_;
  std::vector<std::unique_ptr<Value>> values_;
  std::map<std::string, Value *, std::less<>> valuesByName_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::unique_ptr<Node>> erasedNodes_;
  std::vector<Value *> inputs_;
  std::vector<Value *> outputs_;
};

} // namespace qc::ir
