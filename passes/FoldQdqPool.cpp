// fold-qdq-pool: DQ(x) -> AveragePool / GlobalAveragePool / ReduceMean -> [Q(y)]
// becomes qc.QAveragePool / qc.QGlobalAveragePool / qc.QReduceMean, which sum
// the integers and requantize once (or write f32 when no Q follows).
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

using ir::Node;
using ir::OpKind;
using ir::Value;

OpKind integerKind(OpKind kind) {
  switch (kind) {
  case OpKind::AveragePool:
    return OpKind::QAveragePool;
  case OpKind::GlobalAveragePool:
    return OpKind::QGlobalAveragePool;
  default:
    return OpKind::QReduceMean;
  }
}

class FoldQdqPool : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-pool"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    // Candidates first: a fold erases the Q after its pool.
    std::vector<Node *> candidates;
    for (Node *node : graph.nodes())
      if (node->kind() == OpKind::AveragePool || node->kind() == OpKind::GlobalAveragePool ||
          node->kind() == OpKind::ReduceMean)
        candidates.push_back(node);
    bool changed = false;
    for (Node *node : candidates)
      changed |= tryFold(graph, *node);
    return changed;
  }

private:
  bool tryFold(ir::Graph &graph, Node &pool) {
    // The integer sum is rescaled once: one per-tensor u8/i8 input.
    auto x = matchActivationDq(pool.operand(0));
    if (!x) {
      pool.setRemark(remarkFrom(x.takeError()));
      return false;
    }
    // The integer tensor's type carries its parameters: they must agree.
    if (x->input->type().quant && *x->input->type().quant != x->params) {
      pool.setRemark("'" + x->input->name() + "' already carries other quantization parameters");
      return false;
    }
    OpKind kind = integerKind(pool.kind());
    // Every attribute must carry over unchanged (e.g. not an old-opset axes).
    for (const auto &[attr, value] : pool.attrs())
      if (!ir::findAttrSchema(kind, attr)) {
        pool.setRemark("attribute '" + ir::attrNameString(attr).str() + "' has no integer form");
        return false;
      }
    Value *result = pool.result(0);
    // The integer op's float form writes f32 only.
    if (result->type().elem != ir::ElemType::F32) {
      pool.setRemark("result is not f32");
      return false;
    }
    // A single per-tensor Q consumer makes the result quantized; otherwise the
    // integer op writes f32 (float(acc) * float(sx / n)) for the float consumers.
    std::optional<QMatch> out;
    if (auto m = matchOutputQ(graph, result, /*allowActivation=*/false))
      out = std::move(*m);
    else
      llvm::consumeError(m.takeError());

    // DQ(x) -> AveragePool|GlobalAveragePool|ReduceMean -> [Q(y)]  =>  qc.Q<pool>(x)
    attachQuantParams(x->input, x->params);
    Node *q = out ? out->q : nullptr;
    Value *replaced = q ? q->result(0) : result;
    std::string outName = replaced->name();
    std::vector<Value *> operands = {x->input};
    if (pool.kind() == OpKind::ReduceMean && pool.operand(1))
      operands.push_back(pool.operand(1));
    Node *folded = graph.createNode(
        kind, operands,
        {{graph.uniqueName(outName + ".folded"), q ? out->resultType : result->type()}},
        q ? q : &pool);
    folded->setName(pool.name());
    for (const auto &[attr, value] : pool.attrs())
      folded->setAttr(attr, value);
    replaceValue(graph, replaced, folded->result(0));
    if (q)
      graph.eraseNode(q);
    graph.eraseNode(&pool);
    if (!graph.findValue(outName))
      graph.renameValue(folded->result(0), outName);
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqPool() { return std::make_unique<FoldQdqPool>(); }

} // namespace qc::passes
