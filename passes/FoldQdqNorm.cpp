// fold-qdq-norm: [DQ(x)] -> Softmax / LayerNormalization -> [Q(y)] becomes
// qc.QSoftmax / qc.QLayerNorm reading the integer input and/or writing the
// integer output directly, when at least one side is quantized.
#include <algorithm>
#include <cmath>

#include "interp/Interpreter.h"
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

class FoldQdqNorm : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-norm"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    // Candidates first: a fold erases the Q after its op.
    std::vector<Node *> candidates;
    for (Node *node : graph.nodes())
      if (node->kind() == OpKind::Softmax || node->kind() == OpKind::LayerNormalization)
        candidates.push_back(node);
    bool changed = false;
    for (Node *node : candidates)
      changed |= tryFold(graph, *node);
    return changed;
  }

private:
  // LayerNormalization's scale or bias when it is DQ(integer constant): its
  // f32 value, evaluated now; nullopt (with the reason) otherwise.
  static std::optional<ir::Tensor> dequantizedConstant(Value *v, std::string &why) {
    Node *dq = v->producer();
    bool foldable = dq && dq->kind() == OpKind::DequantizeLinear;
    for (size_t i = 0; foldable && i < dq->numOperands(); ++i)
      foldable = !dq->operand(i) || dq->operand(i)->isConstant();
    // QLayerNorm takes its affine parameters as compile-time constants.
    if (!foldable) {
      why = "'" + v->name() + "' is not a constant";
      return std::nullopt;
    }
    std::vector<const ir::Tensor *> operands;
    for (Value *operand : dq->operands())
      operands.push_back(operand ? operand->constant() : nullptr);
    auto result = interp::evaluateNode(*dq, operands);
    if (!result) {
      why = "cannot dequantize '" + v->name() + "': " + llvm::toString(result.takeError());
      return std::nullopt;
    }
    if ((*result)[0].elemType() != ir::ElemType::F32) {
      why = "'" + v->name() + "' is not f32";
      return std::nullopt;
    }
    return std::move((*result)[0]);
  }

  bool tryFold(ir::Graph &graph, Node &op) {
    Value *in = op.operand(0), *out = op.result(0);
    // The qc ops compute in f32 between the integer sides.
    if (in->type().elem != ir::ElemType::F32 || out->type().elem != ir::ElemType::F32) {
      op.setRemark("not f32");
      return false;
    }
    // Input side: the integer tensor behind a per-tensor DQ (whose type does
    // not already carry other parameters), else the float input.
    std::optional<DqMatch> x;
    if (auto m = matchActivationDq(in)) {
      if (!m->input->type().quant || *m->input->type().quant == m->params)
        x = std::move(*m);
    } else {
      llvm::consumeError(m.takeError());
    }
    // Output side: a single per-tensor Q consumer, else f32 for float consumers.
    std::optional<QMatch> y;
    if (auto m = matchOutputQ(graph, out, /*allowActivation=*/false))
      y = std::move(*m);
    else
      llvm::consumeError(m.takeError());
    Node *q = y ? y->q : nullptr;
    std::vector<Value *> operands = {x ? x->input : in};
    // Float on both sides: nothing to fuse.
    if (!x && !q) {
      op.setRemark("neither the input nor the output is per-tensor u8/i8 quantized");
      return false;
    }
    if (op.kind() == OpKind::LayerNormalization) {
      // Mean and InvStdDev outputs have no integer form.
      for (size_t i = 1; i < op.numResults(); ++i)
        if (!op.result(i)->uses().empty() ||
            isGraphOutput(graph, op.result(i))) {
          op.setRemark("uses the Mean or InvStdDev output");
          return false;
        }
      // QLayerNorm normalizes in f32 (stash_type 1).
      if (op.getInt(AttrName::stash_type) != 1) {
        op.setRemark("stash_type is not 1 (f32)");
        return false;
      }
      // Affine parameters: f32 constants, or DQ(constant) dequantized now.
      std::vector<std::pair<Value *, std::optional<ir::Tensor>>> affine;
      for (size_t i : {size_t(1), size_t(2)}) {
        Value *v = op.operand(i);
        if (!v || (v->isConstant() && v->type().elem == ir::ElemType::F32)) {
          affine.emplace_back(v, std::nullopt);
          continue;
        }
        std::string why;
        auto data = dequantizedConstant(v, why);
        if (!data) {
          op.setRemark(why);
          return false;
        }
        affine.emplace_back(v, std::move(data));
      }
      for (auto &[v, data] : affine)
        if (v)
          operands.push_back(data ? graph.addConstant(graph.uniqueName(v->name() + ".const"),
                                                      std::move(*data))
                                  : v);
    }

    // [DQ(x)] -> Softmax|LayerNormalization -> [Q(y)]  =>  qc.QSoftmax|qc.QLayerNorm(x)
    if (x)
      attachQuantParams(x->input, x->params);
    Value *replaced = q ? q->result(0) : out;
    ir::Type resultType = q ? y->resultType : out->type();
    std::string outName = replaced->name();
    OpKind kind = op.kind() == OpKind::Softmax ? OpKind::QSoftmax : OpKind::QLayerNorm;
    Node *folded = graph.createNode(
        kind, operands, {{graph.uniqueName(outName + ".folded"), resultType}}, q ? q : &op);
    folded->setName(op.name());
    for (AttrName attr : {AttrName::axis, AttrName::epsilon})
      if (op.hasAttr(attr) && ir::findAttrSchema(kind, attr))
        folded->setAttr(attr, *op.findAttr(attr));
    replaceValue(graph, replaced, folded->result(0));
    if (q)
      graph.eraseNode(q);
    graph.eraseNode(&op);
    if (!graph.findValue(outName))
      graph.renameValue(folded->result(0), outName);
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqNorm() { return std::make_unique<FoldQdqNorm>(); }

} // namespace qc::passes
