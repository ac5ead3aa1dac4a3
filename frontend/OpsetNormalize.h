// Rewrites older-opset ONNX node forms into the newest-opset semantics the IR
// defines (attributes that became inputs, legacy Softmax, Resize-10, ...).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/ImportDetail.h"
#include "ir/Graph.h"

namespace qc::frontend::detail {

/// A node on its way into the graph: operands resolved, attributes not yet
/// converted. Normalization edits it before the ir::Node is created.
struct PendingNode {
  const onnx::NodeProto *proto = nullptr;
  ir::OpKind kind{};
  /// "Conv 'name'" or "Conv producing 'y'": for messages.
  std::string where;
  /// Base for names of values created for this node (node or output name).
  std::string nameBase;
  std::vector<ir::Value *> operands; // null: absent optional input
  std::vector<std::string> resultNames;
  /// Attributes still to be converted through the schema.
  std::vector<const onnx::AttributeProto *> attrs;
  /// Attributes normalization already produced in IR form.
  std::vector<std::pair<ir::AttrName, ir::AttrValue>> setAttrs;
  /// Set when normalization emitted the node's replacement itself.
  bool handled = false;
};

struct NormalizeContext {
  ir::Graph &graph;
  int64_t opset; // the model's default-domain opset version
  llvm::StringRef modelDir;
  /// The type of `v` as far as it is known now (inferred so far or
  /// declared), or null when unknown.
  std::function<llvm::Expected<const ir::Type *>(ir::Value *)> knownType;
  /// The initial type of a new node result: its declaration, or unknown.
  std::function<ir::Type(const std::string &)> resultType;
  /// A value name starting with `base` that no value (present or still to
  /// be imported) has.
  std::function<std::string(const std::string &)> freshName;
};

/// Rewrites `node` into newest-opset form, adding constants (and for legacy
/// Softmax whole replacement nodes) to the graph.
llvm::Error normalizeNode(PendingNode &node, NormalizeContext &ctx);

} // namespace qc::frontend::detail
