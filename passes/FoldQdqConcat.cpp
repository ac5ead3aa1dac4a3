// fold-qdq-concat: Concat of dequantized inputs runs on the integers; inputs
// whose parameters differ from the result's are requantized first.
#include <algorithm>
#include <functional>

#include "ir/ShapeInference.h"
#include "passes/Pass.h"
#include "passes/QdqMatch.h"

namespace qc::passes {

namespace {
using ir::Node;
using ir::OpKind;
using ir::Value;

class FoldQdqConcat : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-concat"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    bool changed = false;
    for (Node *node : graph.nodes())
      if (!node->isErased() && node->kind() == OpKind::Concat)
        changed |= rewrite(graph, *node);
    if (changed)
      graph.removeDeadCode();
    return changed;
  }

private:
  static bool rewrite(ir::Graph &graph, Node &concat) {
    Value *result = concat.result();
    // Every input must be dequantized with known parameters.
    std::vector<Node *> dqs;
    std::vector<QdqParams> inParams;
    for (Value *in : concat.operands()) {
      Node *dq = in ? in->producer() : nullptr;
      if (!dq || dq->kind() != OpKind::DequantizeLinear) {
        concat.setRemark("an input is not dequantized");
        return false;
      }
      std::string why;
      std::optional<QdqParams> p = readQdqParams(*dq, why);
      if (!p) {
        concat.setRemark("input " + why);
        return false;
      }
      dqs.push_back(dq);
      inParams.push_back(std::move(*p));
    }

    // The result's parameters: those of the Qs that consume it, else the
    // inputs' shared ones (the DQ then moves after the Concat).
    std::optional<QdqParams> target = consumerParams(graph, *result);
    Node *targetQ = target ? result->uses().front().user : nullptr;
    if (!target) {
      if (std::adjacent_find(inParams.begin(), inParams.end(), std::not_equal_to<>()) !=
          inParams.end()) {
        concat.setRemark("inputs have different parameters and no single QuantizeLinear "
                         "gives the result's");
        return false;
      }
      target = inParams.front();
    }
    // Blocked parameters do not survive joining tensors.
    if (target->quant.blockSize != 0) {
      concat.setRemark("blocked quantization");
      return false;
    }
    for (size_t i = 0; i < inParams.size(); ++i) {
      if (inParams[i] == *target)
        continue;
      // qc.Requantize maps one per-tensor (scale, zero point) to another.
      if (!inParams[i].quant.isPerTensor() || !target->quant.isPerTensor()) {
        concat.setRemark("per-axis input parameters differ from the result's");
        return false;
      }
      // qc.Requantize reads its input's parameters from the type.
      if (!canAttach(graph, dqs[i]->operand(0), inParams[i].quant)) {
        concat.setRemark("input " + std::to_string(i) +
                         " is a graph input or constant whose type lacks its parameters");
        return false;
      }
    }

    // Integer operands with the target parameters; inference then says
    // whether per-axis parameters survive the Concat axis.
    std::vector<ir::Type> intTypes;
    for (Node *dq : dqs) {
      ir::Type t = dq->operand(0)->type();
      t.elem = target->elem;
      t.quant = target->quant;
      intTypes.push_back(std::move(t));
    }
    ir::InferContext ctx = ir::makeInferContext(concat);
    for (size_t i = 0; i < intTypes.size(); ++i) {
      ctx.operandTypes[i] = &intTypes[i];
      ctx.operandValues[i] = nullptr;
    }
    auto inferred = ir::inferResultTypes(ctx);
    if (!inferred) {
      concat.setRemark("no integer form: " + llvm::toString(inferred.takeError()));
      return false;
    }
    if (!(*inferred)[0].quant) {
      concat.setRemark("Concat joins along the per-channel axis");
      return false;
    }

    // DQ(a_i) -> Concat -> Q(y)  =>  Concat(a_i or qc.Requantize(a_i) to y) on the integers
    std::vector<Value *> operands;
    for (size_t i = 0; i < dqs.size(); ++i) {
      Value *x = dqs[i]->operand(0);
      if (inParams[i] == *target) {
        operands.push_back(x);
        continue;
      }
      if (!x->type().quant) {
        ir::Type t = x->type();
        t.quant = inParams[i].quant;
        x->setType(std::move(t));
      }
      Node *requant = graph.createNode(OpKind::Requantize, {x},
                                       {{graph.uniqueName(x->name() + ".rq"), intTypes[i]}},
                                       &concat);
      operands.push_back(requant->result());
    }
    ir::Type intType = result->type();
    intType.elem = target->elem;
    intType.quant = (*inferred)[0].quant;
    std::string name = targetQ ? targetQ->result()->name() : result->name();
    Node *intConcat = graph.createNode(OpKind::Concat, operands,
                                       {{graph.uniqueName(name + ".q"), intType}}, &concat);
    intConcat->setName(concat.name());
    for (const auto &[attr, value] : concat.attrs())
      intConcat->setAttr(attr, value);
    Value *intResult = intConcat->result();

    if (targetQ) {
      // Every consumer is a Q with the target parameters: they all read the
      // integers; a graph output among them keeps its declared type.
      std::vector<Node *> qs;
      for (const ir::Use &use : result->uses())
        qs.push_back(use.user);
      std::stable_partition(qs.begin(), qs.end(),
                            [&](Node *q) { return isGraphOutput(graph, q->result()); });
      if (isGraphOutput(graph, qs.front()->result()))
        intResult->setType(qs.front()->result()->type());
      std::string outName = qs.front()->result()->name();
      for (Node *q : qs) {
        graph.replaceAllUsesWith(q->result(), intResult);
        graph.eraseNode(q);
      }
      graph.renameValue(intResult, outName);
    } else {
      // Float consumers: the inputs' DQ moves after the Concat.
      Node *dq = dqs.front();
      Node *after = graph.createNode(OpKind::DequantizeLinear,
                                     {intResult, dq->operand(1), dq->operand(2)},
                                     {{graph.uniqueName(name + ".dq"), result->type()}}, &concat);
      if (target->quant.axis)
        after->setAttr(ir::AttrName::axis, *target->quant.axis);
      graph.replaceAllUsesWith(result, after->result());
      graph.eraseNode(&concat);
      graph.renameValue(after->result(), name);
    }
    return true;
  }

  /// The parameters of the Qs consuming `v` when v is only quantized, all
  /// with the same parameters, and at most one of them is a graph output.
  static std::optional<QdqParams> consumerParams(const ir::Graph &graph, const Value &v) {
    if (v.uses().empty() || isGraphOutput(graph, &v))
      return std::nullopt;
    std::optional<QdqParams> params;
    size_t outputs = 0;
    for (const ir::Use &use : v.uses()) {
      if (use.user->kind() != OpKind::QuantizeLinear || use.operandIndex != 0)
        return std::nullopt;
      std::string why;
      std::optional<QdqParams> p = readQdqParams(*use.user, why);
      if (!p || (params && *p != *params))
        return std::nullopt;
      params = std::move(p);
      outputs += isGraphOutput(graph, use.user->result());
    }
    if (outputs > 1)
      return std::nullopt;
    return params;
  }

  /// Whether `x`'s type carries (or may be given) `params`.
  static bool canAttach(const ir::Graph &graph, const Value *x, const ir::QuantParams &params) {
    if (x->type().quant)
      return *x->type().quant == params;
    return x->producer() && !isGraphInput(graph, x) && !isGraphOutput(graph, x);
  }
};
} // namespace

std::unique_ptr<Pass> createFoldQdqConcat() { return std::make_unique<FoldQdqConcat>(); }

} // namespace qc::passes
