// fold-qdq-elementwise: DQ(a), DQ(b) -> Add/Mul -> [Relu/Clip] -> Q(y) becomes
// qc.QAdd / qc.QMul with the activation as an integer clamp (docs/quantized-ir.md).
#include <algorithm>
#include <cmath>

#include "passes/Pass.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {
//SHIM-BEGIN
// TEMPORARY until passes/QdqMatch.h lands: same names and contracts.
llvm::Error mismatch(const llvm::Twine &reason) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), reason.str());
}
std::string remarkFrom(llvm::Error error) { return llvm::toString(std::move(error)); }
bool isGraphOutput(const ir::Graph &graph, const ir::Value *v) {
  return std::find(graph.outputs().begin(), graph.outputs().end(), v) != graph.outputs().end();
}
const ir::Tensor *scalarConstant(const ir::Value *v) {
  if (!v || !v->isConstant() || v->constant()->numElements() != 1)
    return nullptr;
  return v->constant();
}
llvm::Expected<ir::QuantParams> quantParamsOf(const ir::Node &node) {
  const ir::Tensor *scale = scalarConstant(node.operand(1));
  if (!scale || scale->elemType() != ir::ElemType::F32 ||
      node.getInt(ir::AttrName::block_size) != 0)
    return mismatch("not per-tensor");
  const ir::Tensor *zp = scalarConstant(node.operand(2));
  if (node.operand(2) && !zp)
    return mismatch("not per-tensor");
  ir::QuantParams p;
  p.scales = {double(float(scale->getDouble(0)))};
  p.zeroPoints = {zp ? zp->getInt(0) : 0};
  return p;
}
ir::Type withQuant(ir::Type t, ir::QuantParams p) {
  t.quant = std::move(p);
  return t;
}
struct DqMatch {
  ir::Node *dq = nullptr;
  ir::Value *input = nullptr;
  ir::QuantParams params;
};
bool isByte(ir::ElemType t) { return t == ir::ElemType::U8 || t == ir::ElemType::I8; }
llvm::Expected<DqMatch> matchActivationDq(ir::Value *v) {
  ir::Node *dq = v->producer();
  if (!dq || dq->kind() != ir::OpKind::DequantizeLinear)
    return mismatch("'" + v->name() + "' is not dequantized");
  auto p = quantParamsOf(*dq);
  if (!p || !isByte(dq->operand(0)->type().elem) || v->type().elem != ir::ElemType::F32) {
    if (!p)
      llvm::consumeError(p.takeError());
    return mismatch("'" + v->name() + "' is not a per-tensor u8/i8 dequantization");
  }
  return DqMatch{dq, dq->operand(0), *p};
}
bool attachQuantParams(ir::Value *x, const ir::QuantParams &params) {
  if (x->type().quant)
    return *x->type().quant == params;
  x->setType(withQuant(x->type(), params));
  return true;
}
int64_t quantizeValue(float r, float scale, int64_t zp, ir::ElemType type) {
  float q = std::nearbyint(r / scale) + float(zp);
  q = std::clamp(q, float(ir::elemTypeMin(type)), float(ir::elemTypeMax(type)));
  return int64_t(q);
}
llvm::Expected<ir::Type> quantizedResultType(const ir::Node &q) {
  auto p = quantParamsOf(q);
  if (!p)
    return p.takeError();
  if (!isByte(q.result(0)->type().elem))
    return mismatch("Q output is not u8/i8");
  return withQuant(q.result(0)->type(), *p);
}
llvm::Expected<std::pair<int64_t, int64_t>> activationClamp(const ir::Node &act,
                                                             const ir::Type &t) {
  const ir::QuantParams &y = *t.quant;
  int64_t lo = ir::elemTypeMin(t.elem), hi = ir::elemTypeMax(t.elem);
  if (act.kind() == ir::OpKind::Relu)
    return std::make_pair(std::max(lo, y.zeroPoints[0]), hi);
  for (size_t i : {size_t(1), size_t(2)}) {
    const ir::Value *b = act.operand(i);
    if (!b)
      continue;
    if (!scalarConstant(b))
      return mismatch("clip bound is not constant");
    int64_t v = quantizeValue(float(b->constant()->getDouble(0)), float(y.scales[0]),
                              y.zeroPoints[0], t.elem);
    (i == 1 ? lo : hi) = i == 1 ? std::max(lo, v) : std::min(hi, v);
  }
  return std::make_pair(lo, hi);
}
struct QMatch {
  ir::Node *activation = nullptr;
  ir::Node *q = nullptr;
  ir::Type resultType;
  std::optional<std::pair<int64_t, int64_t>> clamp;
};
llvm::Expected<QMatch> matchOutputQ(const ir::Graph &graph, ir::Value *v,
                                    bool allowActivation = true) {
  QMatch m;
  if (isGraphOutput(graph, v) || !v->hasOneUse())
    return mismatch("'" + v->name() + "' has other uses");
  ir::Node *user = v->uses()[0].user;
  if (allowActivation && (user->kind() == ir::OpKind::Relu || user->kind() == ir::OpKind::Clip) &&
      user->operand(0) == v) {
    m.activation = user;
    v = user->result(0);
    if (isGraphOutput(graph, v) || !v->hasOneUse())
      return mismatch("'" + v->name() + "' has other uses");
    user = v->uses()[0].user;
  }
  if (user->kind() != ir::OpKind::QuantizeLinear || user->operand(0) != v)
    return mismatch("'" + v->name() + "' is not quantized");
  auto t = quantizedResultType(*user);
  if (!t)
    return t.takeError();
  m.q = user;
  m.resultType = *t;
  if (m.activation) {
    auto c = activationClamp(*m.activation, m.resultType);
    if (!c)
      return c.takeError();
    m.clamp = *c;
  }
  return m;
}
//SHIM-END
} // namespace

namespace {

using ir::AttrName;
using ir::Node;
using ir::OpKind;
using ir::Value;

class FoldQdqElementwise : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-elementwise"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    // Candidates first: a fold erases the Relu/Q nodes after its Add/Mul.
    std::vector<Node *> candidates;
    for (Node *node : graph.nodes())
      if (node->kind() == OpKind::Add || node->kind() == OpKind::Mul)
        candidates.push_back(node);
    bool changed = false;
    for (Node *node : candidates)
      changed |= tryFold(graph, *node);
    return changed;
  }

private:
  bool tryFold(ir::Graph &graph, Node &op) {
    // QAdd/QMul read two per-tensor u8/i8 tensors (a DQ'd constant counts).
    auto a = matchActivationDq(op.operand(0));
    if (!a) {
      op.setRemark(remarkFrom(a.takeError()));
      return false;
    }
    auto b = matchActivationDq(op.operand(1));
    if (!b) {
      op.setRemark(remarkFrom(b.takeError()));
      return false;
    }
    // The integer tensors' types carry their parameters: they must agree.
    for (const DqMatch *m : {&*a, &*b})
      if (m->input->type().quant && *m->input->type().quant != m->params) {
        op.setRemark("'" + m->input->name() + "' already carries other quantization parameters");
        return false;
      }
    if (a->input == b->input && a->params != b->params) {
      op.setRemark("'" + a->input->name() + "' is dequantized with two parameter sets");
      return false;
    }
    // QAdd/QMul produce quantized results only (no f32 form): a Q must follow,
    // possibly through a Relu/Clip that becomes the clamp.
    auto out = matchOutputQ(graph, op.result(0));
    if (!out) {
      op.setRemark(remarkFrom(out.takeError()));
      return false;
    }

    // DQ(a),DQ(b) -> Add|Mul -> [Relu|Clip] -> Q(y)  =>  qc.QAdd|qc.QMul(a, b) clamp
    attachQuantParams(a->input, a->params);
    attachQuantParams(b->input, b->params);
    Value *replaced = out->q->result(0);
    std::string outName = replaced->name();
    Node *folded = graph.createNode(op.kind() == OpKind::Add ? OpKind::QAdd : OpKind::QMul,
                                    {a->input, b->input},
                                    {{graph.uniqueName(outName + ".folded"), out->resultType}},
                                    out->q);
    folded->setName(op.name());
    // The activation in output units: Q is monotone, so Q(clip(v, lo, hi)) =
    // clamp(Q(v), Q(lo), Q(hi)); Relu is clip(v, 0, inf).
    if (out->clamp) {
      folded->setAttr(AttrName::act_min, out->clamp->first);
      folded->setAttr(AttrName::act_max, out->clamp->second);
    }
    replaceValue(graph, replaced, folded->result(0));
    for (Node *dead : {out->q, out->activation, &op})
      if (dead)
        graph.eraseNode(dead);
    if (!graph.findValue(outName))
      graph.renameValue(folded->result(0), outName);
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqElementwise() { return std::make_unique<FoldQdqElementwise>(); }

} // namespace qc::passes
