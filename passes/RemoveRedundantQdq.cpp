// remove-redundant-qdq: a DequantizeLinear feeding a QuantizeLinear is the
// identity on the integers when their parameters agree, else a qc.Requantize.
#include <algorithm>

#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {
using ir::Node;
using ir::OpKind;
using ir::Value;

/// Whether a qc op reads `v`'s parameters from its type.
bool typeIsRead(const Value *v) {
  return std::any_of(v->uses().begin(), v->uses().end(),
                     [](const ir::Use &u) { return u.user->info().name.starts_with("qc."); });
}

class RemoveRedundantQdq : public Pass {
public:
  llvm::StringRef name() const override { return "remove-redundant-qdq"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    bool changed = false;
    for (Node *q : graph.nodes())
      if (!q->isErased() && q->kind() == OpKind::QuantizeLinear)
        changed |= rewrite(graph, *q);
    if (changed)
      graph.removeDeadCode();
    return changed;
  }

private:
  static bool rewrite(ir::Graph &graph, Node &q) {
    Node *dq = q.operand(0)->producer();
    // Q of a float computation: that is real quantization, it stays.
    if (!dq || dq->kind() != OpKind::DequantizeLinear)
      return false;
    std::string why;
    std::optional<QdqParams> in = readQdqParams(*dq, why), out;
    if (in)
      out = readQdqParams(q, why);
    // Parameters known only at run time: nothing to compare.
    if (!in || !out) {
      q.setRemark(why);
      return false;
    }
    Value *x = dq->operand(0);
    if (*in == *out)
      return forward(graph, q, x);
    return requantize(graph, q, x, *in, *out);
  }

  // DQ(x) -> Q(y), y's parameters equal x's  =>  x
  static bool forward(ir::Graph &graph, Node &q, Value *x) {
    Value *y = q.result();
    if (isGraphOutput(graph, y)) {
      // The output keeps its name; an input's or constant's name must stay too.
      if (!x->producer() || isGraphOutput(graph, x)) {
        q.setRemark("graph output would be an input, constant or other output");
        return false;
      }
      // The output keeps its declared type, which a qc op may need to differ.
      if (x->type().quant != y->type().quant) {
        if (typeIsRead(x)) {
          q.setRemark("graph output's declared type lacks the parameters a qc op reads");
          return false;
        }
        ir::Type t = x->type();
        t.quant = y->type().quant;
        x->setType(t);
      }
    }
    return replaceValue(graph, y, x);
  }

  // DQ(x) -> Q(y), other per-tensor parameters  =>  qc.Requantize(x) to y
  static bool requantize(ir::Graph &graph, Node &q, Value *x, const QdqParams &in,
                         const QdqParams &out) {
    Value *y = q.result();
    // qc.Requantize maps one (scale, zero point) to another.
    if (!in.quant.isPerTensor() || !out.quant.isPerTensor()) {
      q.setRemark("per-axis parameters differ from the DequantizeLinear's");
      return false;
    }
    // A graph output keeps its declared type: no room for y's parameters.
    if (isGraphOutput(graph, y)) {
      q.setRemark("graph output's declared type cannot carry qc.Requantize's parameters");
      return false;
    }
    // qc.Requantize reads x's parameters from its type.
    if (x->type().quant != in.quant) {
      if (x->type().quant) {
        q.setRemark("input type's quantization differs from its DequantizeLinear");
        return false;
      }
      if (!x->producer() || isGraphInput(graph, x) || isGraphOutput(graph, x)) {
        q.setRemark("input is a graph input, output or constant whose type has no parameters");
        return false;
      }
      ir::Type t = x->type();
      t.quant = in.quant;
      x->setType(t);
    }
    ir::Type t = y->type();
    t.quant = out.quant;
    std::string name = y->name();
    Node *requant = graph.createNode(OpKind::Requantize, {x},
                                     {{graph.uniqueName(name + ".rq"), t}}, &q);
    requant->setName(q.name());
    graph.replaceAllUsesWith(y, requant->result());
    graph.eraseNode(&q);
    graph.renameValue(requant->result(), name);
    return true;
  }
};
} // namespace

std::unique_ptr<Pass> createRemoveRedundantQdq() { return std::make_unique<RemoveRedundantQdq>(); }

} // namespace qc::passes
