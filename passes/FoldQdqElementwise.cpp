// fold-qdq-elementwise: DQ(a), DQ(b) -> Add/Mul -> [Relu/Clip] -> Q(y) becomes
// qc.QAdd / qc.QMul with the activation as an integer clamp (docs/quantized-ir.md).
#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {

using ir::AttrName;
using ir::Node;
using ir::OpKind;
using ir::Value;

class FoldQdqElementwise : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-elementwise"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    return foldEach(
        graph, [](const Node &n) { return n.kind() == OpKind::Add || n.kind() == OpKind::Mul; },
        [&](Node &n) { return tryFold(graph, n); });
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
    Node *folded = graph.createNode(
        op.kind() == OpKind::Add ? OpKind::QAdd : OpKind::QMul, {a->input, b->input},
        {{graph.uniqueName(outName + ".folded"), out->resultType}}, out->q);
    folded->setName(op.name());
    // The activation in output units: Q is monotone, so Q(clip(v, lo, hi)) =
    // clamp(Q(v), Q(lo), Q(hi)); Relu is clip(v, 0, inf).
    if (out->clamp) {
      folded->setAttr(AttrName::act_min, out->clamp->first);
      folded->setAttr(AttrName::act_max, out->clamp->second);
    }
    replaceFolded(graph, replaced, folded, {out->q, out->activation, &op});
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqElementwise() { return std::make_unique<FoldQdqElementwise>(); }

} // namespace qc::passes
