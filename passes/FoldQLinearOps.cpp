// fold-qlinear-ops: the QOperator format given directly, QLinearConv and
// QLinearMatMul, becomes qc.QConv / qc.QMatMul with the parameters in types.
// ConvInteger/MatMulInteger stay: they already are integer ops.
#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {

using namespace ir;

bool isByteType(ElemType t) { return t == ElemType::U8 || t == ElemType::I8; }

/// The operand positions of a QLinear op: data, its scale and zero point.
struct QLinearOperand {
  size_t data, scale, zeroPoint;
};
constexpr QLinearOperand kInput{0, 1, 2}, kWeight{3, 4, 5}, kOutput{~size_t(0), 6, 7};

/// Everything a fold needs, gathered before the graph is touched.
struct QLinearFold {
  Node *op = nullptr;
  OpKind qcKind = OpKind::QConv;
  QuantParams x, w;
  Type resultType;
};

// The parameters of one operand (or the output) of `op`, per-tensor unless
// `channelAxis` allows per-axis.
llvm::Expected<QuantParams> operandParams(const Node &op, QLinearOperand o,
                                          std::optional<int64_t> channelAxis) {
  return quantParamsFrom(op.operand(o.scale), op.operand(o.zeroPoint), channelAxis, op.describe());
}

// Checks `op` and gathers the fold; touches nothing.
llvm::Expected<QLinearFold> planFold(Node *op) {
  QLinearFold f;
  f.op = op;
  bool isConv = op->kind() == OpKind::QLinearConv;
  f.qcKind = isConv ? OpKind::QConv : OpKind::QMatMul;
  Value *x = op->operand(kInput.data), *w = op->operand(kWeight.data);
  if (!isByteType(x->type().elem) || !isByteType(w->type().elem))
    return mismatch(op->describe() + ": operands are not u8/i8");
  auto xParams = operandParams(*op, kInput, std::nullopt);
  if (!xParams)
    return xParams.takeError();
  f.x = std::move(*xParams);
  // QConv bakes its weight in; QMatMul also takes a per-tensor activation.
  if (isConv && !w->isConstant())
    return mismatch(op->describe() + ": weight is not a constant");
  // Per-channel weights: along M (axis 0) for Conv, along N (the last axis)
  // of a constant 2-D MatMul weight.
  std::optional<int64_t> channelAxis;
  if (isConv)
    channelAxis = 0;
  else if (w->isConstant() && w->type().shape.rank() == 2)
    channelAxis = 1;
  auto wParams = operandParams(*op, kWeight, channelAxis);
  if (!wParams)
    return wParams.takeError();
  f.w = std::move(*wParams);
  auto yParams = operandParams(*op, kOutput, std::nullopt);
  if (!yParams)
    return yParams.takeError();
  f.resultType = withQuant(op->result()->type(), std::move(*yParams));
  // Bias: int32 in units of sx * sw, exactly QConv's.
  if (Value *b = op->operand(8); b && !b->isConstant())
    return mismatch(op->describe() + ": bias is not a constant");
  // The operands' types carry their parameters; other bindings conflict.
  if (x->type().quant && *x->type().quant != f.x)
    return mismatch(op->describe() + ": '" + x->name() +
                    "' is already bound to other quantization parameters");
  if (!w->isConstant() && w->type().quant && *w->type().quant != f.w)
    return mismatch(op->describe() + ": '" + w->name() +
                    "' is already bound to other quantization parameters");
  return f;
}

class FoldQLinearOps : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qlinear-ops"; }

  llvm::Expected<bool> run(Graph &graph) override {
    return foldEach(
        graph,
        [](const Node &n) {
          return n.kind() == OpKind::QLinearConv || n.kind() == OpKind::QLinearMatMul;
        },
        [&](Node &op) {
          return applyOrRemark(op, planFold(&op), [&](const auto &f) { apply(graph, f); });
        });
  }

private:
  // QLinearConv(x, sx, zx, w, sw, zw, sy, zy, B)  =>  qc.QConv(x, w', B) : y's type + (sy, zy)
  // QLinearMatMul(a, sa, za, b, sb, zb, sy, zy)   =>  qc.QMatMul(a, b')  : y's type + (sy, zy)
  void apply(Graph &graph, const QLinearFold &f) {
    Node *op = f.op;
    Value *x = op->operand(kInput.data), *w = op->operand(kWeight.data);
    attachQuantParams(x, f.x);
    Value *weight = w;
    if (w->isConstant()) {
      // A typed copy of the constant: its other users keep the plain one.
      weight = graph.addConstant(graph.uniqueName(w->name() + ".q"), w->constantPtr());
      weight->setType(withQuant(w->type(), f.w));
    } else {
      attachQuantParams(w, f.w);
    }
    std::vector<Value *> operands = {x, weight};
    if (Value *b = op->operand(8))
      operands.push_back(b);
    std::string name = op->result()->name();
    Node *q =
        graph.createNode(f.qcKind, operands, {{graph.uniqueName(name + ".q"), f.resultType}}, op);
    q->setName(op->name());
    if (f.qcKind == OpKind::QConv)
      for (const auto &[attr, value] : op->attrs())
        q->setAttr(attr, value);
    replaceFolded(graph, op->result(), q, {op});
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQLinearOps() { return std::make_unique<FoldQLinearOps>(); }

} // namespace qc::passes
