// Structural verifier of the IR: SSA order, use lists, arity and attributes
// per the op tables, names, constants, quantized types, and agreement of the
// recorded result types with shape inference. Reports the first problem.
#include "ir/Verifier.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "ir/Printer.h"
#include "ir/ShapeInference.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::ir {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string quoted(const Value *v) { return "'" + v->name() + "'"; }

/// A quantized type must be an integer tensor with matching, sane parameters.
llvm::Error verifyQuant(const Value &v) {
  const Type &t = v.type();
  if (!t.quant)
    return llvm::Error::success();
  const QuantParams &q = *t.quant;
  std::string who = "value " + quoted(&v);
  if (!isIntegerType(t.elem))
    return fail(who + ": quantized type " + t.str() + " needs an integer element type");
  if (q.scales.empty() || q.scales.size() != q.zeroPoints.size())
    return fail(llvm::formatv("{0}: quantized type has {1} scales and {2} zero points",
                              who, q.scales.size(), q.zeroPoints.size()));
  if (q.isPerTensor() && q.scales.size() != 1)
    return fail(llvm::formatv("{0}: per-tensor quantization has {1} scales, expected 1",
                              who, q.scales.size()));
  for (double s : q.scales)
    if (!(s > 0) || !std::isfinite(s))
      return fail(who + ": quantization scale " + formatDoubleExact(s) +
                  " is not positive and finite");
  for (int64_t z : q.zeroPoints)
    if (z < elemTypeMin(t.elem) || z > elemTypeMax(t.elem))
      return fail(llvm::formatv("{0}: zero point {1} is out of range for {2}", who, z,
                                elemTypeName(t.elem)));
  if (q.blockSize < 0)
    return fail(llvm::formatv("{0}: negative block size {1}", who, q.blockSize));
  if (q.blockSize && !q.axis)
    return fail(who + ": blocked quantization needs an axis");
  if (!q.axis || !t.shape.isRanked())
    return llvm::Error::success();
  int64_t rank = int64_t(t.shape.rank());
  int64_t axis = *q.axis;
  if (axis < -rank || axis >= rank)
    return fail(llvm::formatv("{0}: quantization axis {1} is out of range for rank {2}",
                              who, axis, rank));
  const Dim &d = t.shape[size_t(axis < 0 ? axis + rank : axis)];
  if (!q.blockSize && d.isStatic() && int64_t(q.scales.size()) != d.value())
    return fail(llvm::formatv("{0}: {1} scales for axis {2} of extent {3}", who,
                              q.scales.size(), axis, d.value()));
  return llvm::Error::success();
}

/// Storage of sub-byte and bool elements must hold values of the type.
llvm::Error verifyConstant(const Value &v) {
  const Tensor &data = *v.constant();
  const Type &t = v.type();
  if (t.elem != data.elemType() || t.shape != Shape::fromStatic(data.dims()))
    return fail("constant " + quoted(&v) + " has type " + t.str() + " but its data is " +
                data.type().str());
  ElemType e = data.elemType();
  if (e == ElemType::I4 || e == ElemType::U4 || e == ElemType::Bool)
    for (int64_t i = 0; i < data.numElements(); ++i) {
      int64_t x = data.getInt(i);
      if (x < elemTypeMin(e) || x > elemTypeMax(e))
        return fail(llvm::formatv("constant {0}: element {1} holds {2}, out of range for {3}",
                                  quoted(&v), i, x, elemTypeName(e)));
    }
  return llvm::Error::success();
}

llvm::Error verifyNodeShape(const Node &node) {
  const OpInfo &info = node.info();
  auto bounds = [](int lo, int hi) {
    return hi < 0 ? llvm::formatv("at least {0}", lo).str()
                  : lo == hi ? std::to_string(lo) : llvm::formatv("{0} to {1}", lo, hi).str();
  };
  int operands = int(node.numOperands());
  if (operands < info.minInputs || (info.maxInputs >= 0 && operands > info.maxInputs))
    return fail(llvm::formatv("{0}: has {1} operands, expected {2}", node.describe(),
                              operands, bounds(info.minInputs, info.maxInputs)));
  int results = int(node.numResults());
  if (results < info.minOutputs || (info.maxOutputs >= 0 && results > info.maxOutputs))
    return fail(llvm::formatv("{0}: has {1} results, expected {2}", node.describe(),
                              results, bounds(info.minOutputs, info.maxOutputs)));
  for (int i = 0; i < info.minInputs; ++i)
    if (!node.operand(size_t(i)))
      return fail(llvm::formatv("{0}: required operand {1} is missing", node.describe(), i));
  const auto &attrs = node.attrs();
  for (size_t i = 0; i < attrs.size(); ++i) {
    const auto &[name, value] = attrs[i];
    const AttrSchema *schema = findAttrSchema(node.kind(), name);
    if (!schema)
      return fail(node.describe() + ": op " + opName(node.kind()) + " has no attribute '" +
                  attrNameString(name) + "'");
    if (schema->kind != attrKindOf(value))
      return fail(node.describe() + ": attribute '" + attrNameString(name) + "' is " +
                  attrKindName(attrKindOf(value)) + ", expected " +
                  attrKindName(schema->kind));
    if (i && attrNameString(attrs[i - 1].first) >= attrNameString(name))
      return fail(node.describe() + ": attribute '" + attrNameString(name) +
                  "' is duplicated or out of order");
  }
  return llvm::Error::success();
}

/// Recorded result types against inference: element types and ranks must
/// match and no static dim may contradict a static inferred dim; recorded
/// types may be more precise (a static dim where inference has a symbol).
llvm::Error verifyResultTypes(const Node &node) {
  llvm::Expected<std::vector<Type>> inferred = inferResultTypes(makeInferContext(node));
  if (!inferred)
    return fail("shape inference failed: " + llvm::toString(inferred.takeError()));
  if (inferred->size() < node.numResults())
    return fail(llvm::formatv("{0}: has {1} results but inference gives {2}",
                              node.describe(), node.numResults(), inferred->size()));
  for (size_t i = 0; i < node.numResults(); ++i) {
    const Value *r = node.result(i);
    const Type &recorded = r->type();
    const Type &expected = (*inferred)[i];
    auto mismatch = [&] {
      return fail(node.describe() + ": result " + quoted(r) + " has type " + recorded.str() +
                  " but inference gives " + expected.str());
    };
    if (recorded.elem != expected.elem)
      return mismatch();
    if (!recorded.shape.isRanked() || !expected.shape.isRanked())
      continue;
    if (recorded.shape.rank() != expected.shape.rank())
      return mismatch();
    for (size_t d = 0; d < recorded.shape.rank(); ++d) {
      const Dim &a = recorded.shape[d], &b = expected.shape[d];
      if (a.isStatic() && b.isStatic() && a.value() != b.value())
        return mismatch();
    }
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error verifyGraph(const Graph &graph) {
  std::set<const Value *> owned;
  std::set<std::string> names;
  for (const auto &v : graph.values()) {
    owned.insert(v.get());
    if (v->name().empty())
      return fail("a value has an empty name");
    if (!names.insert(v->name()).second)
      return fail("value name '" + v->name() + "' is used twice");
  }
  std::vector<Node *> nodes = graph.nodes();
  std::set<const Node *> ownedNodes(nodes.begin(), nodes.end());

  // Graph inputs and constants are defined on entry.
  std::set<const Value *> defined;
  for (const Value *in : graph.inputs()) {
    if (!owned.count(in))
      return fail("graph input '" + in->name() + "' does not belong to the graph");
    if (in->producer() || in->isConstant())
      return fail("graph input " + quoted(in) + " is also a node result or a constant");
    if (!defined.insert(in).second)
      return fail("graph input " + quoted(in) + " is listed twice");
  }
  for (const auto &v : graph.values()) {
    if (v->isConstant()) {
      if (v->producer())
        return fail("constant " + quoted(v.get()) + " also has a producer");
      if (llvm::Error e = verifyConstant(*v))
        return e;
      defined.insert(v.get());
    } else if (!v->producer() && !defined.count(v.get())) {
      return fail("value " + quoted(v.get()) +
                  " is neither a graph input, a constant nor a node result");
    }
    if (llvm::Error e = verifyQuant(*v))
      return e;
  }

  // Nodes: operands defined earlier (topological order), results owned.
  size_t operandCount = 0;
  for (const Node *node : nodes) {
    if (&node->graph() != &graph)
      return fail(node->describe() + ": belongs to another graph");
    for (size_t i = 0; i < node->numOperands(); ++i) {
      const Value *v = node->operand(i);
      if (!v)
        continue;
      ++operandCount;
      if (!owned.count(v))
        return fail(llvm::formatv("{0}: operand {1} does not belong to the graph",
                                  node->describe(), i));
      if (!defined.count(v))
        return fail(llvm::formatv("{0}: operand {1} {2} is used before it is defined",
                                  node->describe(), i, quoted(v)));
      if (std::count(v->uses().begin(), v->uses().end(), Use{const_cast<Node *>(node), unsigned(i)}) != 1)
        return fail(llvm::formatv("{0}: operand {1} is missing from the use list of {2}",
                                  node->describe(), i, quoted(v)));
    }
    for (size_t i = 0; i < node->numResults(); ++i) {
      const Value *r = node->result(i);
      if (!r || !owned.count(r))
        return fail(llvm::formatv("{0}: result {1} does not belong to the graph",
                                  node->describe(), i));
      if (r->producer() != node || r->resultIndex() != i)
        return fail(llvm::formatv("{0}: result {1} {2} does not record its producer",
                                  node->describe(), i, quoted(r)));
      if (!defined.insert(r).second)
        return fail(llvm::formatv("{0}: result {1} is defined twice", node->describe(),
                                  quoted(r)));
    }
    if (llvm::Error e = verifyNodeShape(*node))
      return e;
  }

  // Every use must be an operand of a node of this graph.
  size_t useCount = 0;
  for (const auto &v : graph.values()) {
    if (v->producer() && !ownedNodes.count(v->producer()))
      return fail("value " + quoted(v.get()) + " is produced by a node not in the graph");
    for (const Use &u : v->uses()) {
      ++useCount;
      if (!ownedNodes.count(u.user) || u.user->operand(u.operandIndex) != v.get())
        return fail("value " + quoted(v.get()) + " has a stale use (operand " +
                    std::to_string(u.operandIndex) + ")");
    }
  }
  if (useCount != operandCount)
    return fail(llvm::formatv("use lists hold {0} uses but nodes have {1} operands",
                              useCount, operandCount));

  for (size_t i = 0; i < graph.outputs().size(); ++i) {
    const Value *out = graph.outputs()[i];
    if (!out || !owned.count(out))
      return fail(llvm::formatv("graph output {0} is not a value of the graph", i));
  }

  // Types last: inference may rely on the structure checked above.
  for (const Node *node : nodes)
    if (llvm::Error e = verifyResultTypes(*node))
      return e;
  return llvm::Error::success();
}

} // namespace qc::ir
