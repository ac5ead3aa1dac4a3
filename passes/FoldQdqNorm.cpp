// fold-qdq-norm: [DQ(x)] -> Softmax / LayerNormalization -> [Q(y)] becomes
// qc.QSoftmax / qc.QLayerNorm reading the integer input and/or writing the
// integer output directly, when at least one side is quantized.
#include <algorithm>

#include "interp/Interpreter.h"
#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {

using ir::AttrName;
using ir::Node;
using ir::OpKind;
using ir::Value;

class FoldQdqNorm : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-norm"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    return foldEach(
        graph,
        [](const Node &n) {
          return n.kind() == OpKind::Softmax || n.kind() == OpKind::LayerNormalization;
        },
        [&](Node &n) { return tryFold(graph, n); });
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
        if (!op.result(i)->uses().empty() || isGraphOutput(graph, op.result(i))) {
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
          operands.push_back(
              data ? graph.addConstant(graph.uniqueName(v->name() + ".const"), std::move(*data))
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
    replaceFolded(graph, replaced, folded, {q, &op});
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqNorm() { return std::make_unique<FoldQdqNorm>(); }

} // namespace qc::passes
