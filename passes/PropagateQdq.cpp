// propagate-qdq: data-movement ops between DequantizeLinear and QuantizeLinear
// run directly on the integer tensor (docs/quantized-ir.md, "Quantized tensors").
#include <algorithm>
#include <functional>
#include <set>

#include "interp/Interpreter.h"
#include "ir/ShapeInference.h"
#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::passes {

namespace {
using ir::Node;
using ir::OpKind;
using ir::Value;

/// Ops that only move, pick or repeat elements: they commute with a
/// dequantization that keeps its parameters.
bool isDataMovement(OpKind kind) {
  switch (kind) {
  case OpKind::Reshape:
  case OpKind::Transpose:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Flatten:
  case OpKind::MaxPool:
  case OpKind::Slice:
  case OpKind::Gather:
  case OpKind::Split:
  case OpKind::Pad:
  case OpKind::Resize:
  case OpKind::Identity:
  case OpKind::Expand:
  case OpKind::Tile:
    return true;
  default:
    return false;
  }
}

/// Why `node` cannot run on the integers behind its DQ input, or nullopt.
std::optional<std::string> integerBlocker(const ir::Graph &graph, const Node &node,
                                          const QdqParams &in) {
  switch (node.kind()) {
  case OpKind::MaxPool:
    // The Indices output has no integer counterpart to hand over.
    if (node.numResults() > 1 &&
        (!node.result(1)->uses().empty() || isGraphOutput(graph, node.result(1))))
      return std::string("its Indices output is used");
    return std::nullopt;
  case OpKind::Resize: {
    // Only nearest picks input elements; other modes interpolate reals.
    const std::string &mode = node.getString(ir::AttrName::mode);
    if (mode != "nearest")
      return "Resize mode '" + mode + "' interpolates";
    // Outside the crop region tf_crop_and_resize writes a float constant.
    if (node.getString(ir::AttrName::coordinate_transformation_mode) == "tf_crop_and_resize")
      return std::string("tf_crop_and_resize extrapolates with a float value");
    return std::nullopt;
  }
  case OpKind::Pad: {
    // Constant padding of the reals with 0.0 is padding the integers with
    // the zero point; edge, reflect and wrap only copy elements.
    if (node.getString(ir::AttrName::mode) != "constant")
      return std::nullopt;
    if (const Value *value = node.operand(2)) {
      if (!value->isConstant())
        return std::string("pad value is not a constant");
      for (int64_t i = 0; i < value->constant()->numElements(); ++i)
        if (double v = value->constant()->getDouble(i); v != 0.0)
          return llvm::formatv("pad value {0} is not 0.0 (the zero point's real value)", v).str();
    }
    // One scalar pad value cannot be the zero point of every channel.
    const std::vector<int64_t> &zps = in.quant.zeroPoints;
    if (std::adjacent_find(zps.begin(), zps.end(), std::not_equal_to<>()) != zps.end())
      return std::string("per-channel zero points differ: no single integer pad value");
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

/// Rewrites one data-movement node; keeps track of the nodes it erased.
class Propagator {
public:
  Propagator(ir::Graph &graph, std::set<Node *> &erased) : graph_(graph), erased_(erased) {}

  bool tryPropagate(Node &node);

private:
  /// Connects the consumers of a float result to its integer counterpart.
  void finishResult(Value *floatResult, Value *intResult, const Node &dq, Node &before);
  void erase(Node *node) {
    erased_.insert(node);
    graph_.eraseNode(node);
  }

  ir::Graph &graph_;
  std::set<Node *> &erased_;
  /// Values that take a name freed by an erased node.
  std::vector<std::pair<Value *, std::string>> renames_;
};

bool Propagator::tryPropagate(Node &node) {
  if (!isDataMovement(node.kind()))
    return false;
  Value *in = node.operand(0);
  Node *dq = in ? in->producer() : nullptr;
  // Only a dequantized data operand moves; float data stays float.
  if (!dq || dq->kind() != OpKind::DequantizeLinear)
    return false;
  std::string why;
  std::optional<QdqParams> params = readQdqParams(*dq, why);
  // Unknown parameters: the result type could not carry them.
  if (!params) {
    node.setRemark("input " + why);
    return false;
  }
  // Blocked parameters do not survive any reshuffling of their axis.
  if (params->quant.blockSize != 0) {
    node.setRemark("input has blocked quantization");
    return false;
  }
  if (std::optional<std::string> blocker = integerBlocker(graph_, node, *params)) {
    node.setRemark(*blocker);
    return false;
  }
  Value *x = dq->operand(0);
  // An annotated input whose DQ says otherwise is inconsistent: leave it.
  if (x->type().quant && *x->type().quant != params->quant) {
    node.setRemark("input type's quantization differs from its DequantizeLinear");
    return false;
  }

  // A constant (a weight) with constant other operands folds: its moved
  // per-channel axis goes into the DQ after it, no Q expects the old one.
  bool folds = x->isConstant() && std::all_of(node.operands().begin() + 1, node.operands().end(),
                                              [](const Value *v) { return !v || v->isConstant(); });

  // The integer op's result types: inference on the quantized input carries
  // (or drops) the parameters as the op moves the axis.
  ir::Type xType = x->type();
  xType.quant = params->quant;
  std::optional<ir::Tensor> padValue;
  if (node.kind() == OpKind::Pad && node.getString(ir::AttrName::mode) == "constant")
    padValue = ir::Tensor::scalarInt(params->elem, params->quant.zeroPoints[0]);
  ir::Type padType = padValue ? padValue->type() : ir::Type();
  ir::InferContext ctx = ir::makeInferContext(node);
  ctx.operandTypes[0] = &xType;
  ctx.operandValues[0] = nullptr;
  if (padValue) {
    ctx.operandTypes.resize(std::max<size_t>(ctx.operandTypes.size(), 3));
    ctx.operandValues.resize(ctx.operandTypes.size());
    ctx.operandTypes[2] = &padType;
    ctx.operandValues[2] = &*padValue;
  }
  auto inferred = ir::inferResultTypes(ctx);
  if (!inferred) {
    node.setRemark("no integer form: " + llvm::toString(inferred.takeError()));
    return false;
  }
  std::vector<std::pair<std::string, ir::Type>> intResults;
  for (size_t i = 0; i < node.numResults(); ++i) {
    ir::Type t = node.result(i)->type();
    t.elem = params->elem;
    t.quant = (*inferred)[i].quant;
    // MaxPool keeps the batch and channel axes in place.
    if (!t.quant && node.kind() == OpKind::MaxPool && params->quant.axis &&
        *params->quant.axis <= 1)
      t.quant = params->quant;
    if ((*inferred)[i].elem != params->elem) {
      node.setRemark("no integer form: inference gives element type " +
                     ir::elemTypeName((*inferred)[i].elem).str());
      return false;
    }
    // Per-channel parameters need the channel axis intact.
    if (!t.quant) {
      node.setRemark(params->quant.axis
                         ? llvm::formatv("{0} moves or resizes the per-channel axis {1}",
                                         node.info().name, *params->quant.axis)
                               .str()
                         : "no integer form: the result type drops the parameters");
      return false;
    }
    // A Transpose that moves the channel axis would leave the per-channel
    // parameters meaning other slices than the Q after it expects.
    if (t.quant->axis && node.kind() == OpKind::Transpose && !folds &&
        *t.quant->axis != *params->quant.axis) {
      node.setRemark(llvm::formatv("Transpose moves the per-channel axis {0} to {1}",
                                   *params->quant.axis, *t.quant->axis)
                         .str());
      return false;
    }
    if (t.quant->axis) {
      const ir::Shape &s = t.shape;
      size_t axis = size_t(*t.quant->axis);
      if (!s.isRanked() || axis >= s.rank() || !s[axis].isStatic() ||
          size_t(s[axis].value()) != t.quant->scales.size()) {
        node.setRemark("result's channel extent does not match its per-channel parameters");
        return false;
      }
    }
    intResults.emplace_back(graph_.uniqueName(node.result(i)->name() + ".q"), std::move(t));
  }

  std::vector<Value *> operands = node.operands();
  operands[0] = x;
  if (folds) {
    // DQ(w) -> op, w and op's other operands constant  =>  DQ(op(w) folded)
    std::vector<const ir::Tensor *> tensors;
    for (Value *v : operands)
      tensors.push_back(v ? v->constant() : nullptr);
    if (padValue) {
      tensors.resize(std::max<size_t>(tensors.size(), 3));
      tensors[2] = &*padValue;
    }
    auto folded = interp::evaluateNode(node, tensors);
    if (!folded) {
      node.setRemark("cannot fold the constant: " + llvm::toString(folded.takeError()));
      return false;
    }
    for (size_t i = 0; i < node.numResults(); ++i) {
      Value *c = graph_.addConstant(intResults[i].first, std::move((*folded)[i]));
      c->setType(intResults[i].second);
      finishResult(node.result(i), c, *dq, node);
    }
  } else {
    // DQ(x) -> op  =>  op(x) on the integers, result typed with x's parameters
    if (padValue) {
      operands.resize(std::max<size_t>(operands.size(), 3));
      operands[2] = graph_.addConstant(graph_.uniqueName(x->name() + ".pad_zp"), *padValue);
    }
    Node *intOp = graph_.createNode(node.kind(), operands, intResults, &node);
    intOp->setName(node.name());
    for (const auto &[attr, value] : node.attrs())
      intOp->setAttr(attr, value);
    for (size_t i = 0; i < node.numResults(); ++i)
      finishResult(node.result(i), intOp->result(i), *dq, node);
  }

  erase(&node);
  if (dq->result()->uses().empty() && !isGraphOutput(graph_, dq->result()))
    erase(dq);
  // Each new value takes the first name freed for it (graph outputs first).
  std::set<Value *> renamed;
  for (auto &[value, name] : renames_)
    if (renamed.insert(value).second && !graph_.findValue(name))
      graph_.renameValue(value, name);
  renames_.clear();
  return true;
}

void Propagator::finishResult(Value *floatResult, Value *intResult, const Node &dq, Node &before) {
  const QdqParams intParams{intResult->type().elem, *intResult->type().quant};
  // Sort the consumers: Qs with x's parameters take the integers as they
  // are, per-tensor Qs with other parameters requantize, the rest (and Qs
  // that must stay for a graph output's declared type) get a DQ.
  std::vector<Node *> equalQs;
  std::vector<std::pair<Node *, QdqParams>> requantParams;
  for (const ir::Use &use : floatResult->uses()) {
    Node *user = use.user;
    if (user->kind() != OpKind::QuantizeLinear || use.operandIndex != 0)
      continue;
    std::string why;
    std::optional<QdqParams> q = readQdqParams(*user, why);
    if (!q)
      continue;
    if (*q == intParams) {
      equalQs.push_back(user);
    } else if (q->quant.isPerTensor() && intParams.quant.isPerTensor() &&
               !isGraphOutput(graph_, user->result())) {
      // A graph output keeps its declared type, which has no room for the
      // parameters qc.Requantize reads; that Q stays behind a DQ.
      requantParams.emplace_back(user, *q);
    }
  }
  // One replaced graph output may take the integer result, declared type
  // included, unless a Requantize reads the parameters from that type.
  bool outputTaken = false;
  std::erase_if(equalQs, [&](Node *q) {
    if (!isGraphOutput(graph_, q->result()))
      return false;
    if (outputTaken || !requantParams.empty())
      return true;
    outputTaken = true;
    return false;
  });
  std::stable_partition(equalQs.begin(), equalQs.end(),
                        [&](Node *q) { return isGraphOutput(graph_, q->result()); });

  for (Node *q : equalQs) {
    // op -> Q(y), y's parameters equal x's  =>  op on the integers
    Value *qResult = q->result();
    if (isGraphOutput(graph_, qResult))
      intResult->setType(qResult->type());
    graph_.replaceAllUsesWith(qResult, intResult);
    renames_.emplace_back(intResult, qResult->name());
    erase(q);
  }
  for (auto &[q, params] : requantParams) {
    // op -> Q(y), other per-tensor parameters  =>  op on the integers -> qc.Requantize
    Value *qResult = q->result();
    ir::Type t = qResult->type();
    t.quant = params.quant;
    Node *requant = graph_.createNode(OpKind::Requantize, {intResult},
                                      {{graph_.uniqueName(qResult->name() + ".rq"), t}}, &before);
    requant->setName(q->name());
    graph_.replaceAllUsesWith(qResult, requant->result());
    renames_.emplace_back(requant->result(), qResult->name());
    erase(q);
  }
  // Float consumers and graph outputs: DQ(x) moves after the op.
  if (floatResult->uses().empty() && !isGraphOutput(graph_, floatResult))
    return;
  Node *after = graph_.createNode(
      OpKind::DequantizeLinear, {intResult, dq.operand(1), dq.operand(2)},
      {{graph_.uniqueName(floatResult->name() + ".dq"), floatResult->type()}}, &before);
  after->setName(dq.name());
  if (intParams.quant.axis)
    after->setAttr(ir::AttrName::axis, *intParams.quant.axis);
  graph_.replaceAllUsesWith(floatResult, after->result());
  renames_.emplace_back(after->result(), floatResult->name());
}

class PropagateQdq : public Pass {
public:
  llvm::StringRef name() const override { return "propagate-qdq"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    bool changed = false;
    // Each rewrite moves a DQ one op down, in front of the next op in
    // topological order, so one sweep carries it through a chain; repeat
    // until nothing moves.
    for (bool progress = true; progress;) {
      progress = false;
      std::set<Node *> erased;
      Propagator propagator(graph, erased);
      for (Node *node : graph.nodes())
        if (!erased.count(node) && propagator.tryPropagate(*node))
          progress = changed = true;
    }
    if (changed)
      graph.removeDeadCode();
    return changed;
  }
};
} // namespace

std::unique_ptr<Pass> createPropagateQdq() { return std::make_unique<PropagateQdq>(); }

} // namespace qc::passes
