// fold-qdq-act-matmul: DQ(a), DQ(b) -> MatMul -> [Relu/Clip] -> [Q] with b an
// activation (attention's QK^T and PV) becomes qc.QMatMul (docs/quantized-ir.md).
#include <algorithm>
#include <cassert>
#include <limits>
#include <memory>

#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::passes {

namespace {

using namespace ir;

constexpr double kInt32Max = double(std::numeric_limits<int32_t>::max());

/// Everything a fold needs, gathered before the graph is touched.
struct ActMatMulFold {
  Node *op = nullptr;
  DqMatch a, b;
  std::optional<QMatch> out; // unset: f32 result
};

// The largest |q - zp| a per-tensor quantized operand can hold.
double maxCentered(const DqMatch &m) {
  ElemType t = m.input->type().elem;
  int64_t zp = m.params.zeroPoints[0];
  return double(std::max(zp - elemTypeMin(t), elemTypeMax(t) - zp));
}

// An operand's integer tensor takes the DQ's parameters into its type; a
// different binding (from another fold) cannot be shared.
llvm::Error checkBinding(const Node &op, const DqMatch &m) {
  const std::optional<QuantParams> &bound = m.input->type().quant;
  if (bound && *bound != m.params)
    return mismatch(op.describe() + ": '" + m.input->name() +
                    "' is already bound to other quantization parameters");
  return llvm::Error::success();
}

// Checks the pattern around `op` and gathers the fold; touches nothing.
llvm::Expected<ActMatMulFold> planFold(const Graph &graph, Node *op) {
  ActMatMulFold f;
  f.op = op;
  // Both operands per-tensor DQs with constant parameters.
  auto a = matchActivationDq(op->operand(0));
  if (!a)
    return a.takeError();
  f.a = std::move(*a);
  auto b = matchActivationDq(op->operand(1));
  if (!b)
    return b.takeError();
  f.b = std::move(*b);
  if (llvm::Error e = checkBinding(*op, f.a))
    return e;
  if (llvm::Error e = checkBinding(*op, f.b))
    return e;
  // x @ x with two DQs of different parameters would need two types for x.
  if (f.a.input == f.b.input && f.a.params != f.b.params)
    return mismatch(op->describe() + ": '" + f.a.input->name() +
                    "' is dequantized with two different parameter sets");
  // The overflow bound needs the reduction length K.
  const Shape &sa = f.a.input->type().shape;
  if (!sa.isRanked() || sa.rank() == 0 || !sa[sa.rank() - 1].isStatic())
    return mismatch(op->describe() + ": reduction length K of a is not static");
  int64_t k = sa[sa.rank() - 1].value();
  // int32 accumulation must not overflow (NUMERICS.md):
  // |acc| <= K * max|qa - za| * max|qb - zb|.
  double bound = double(k) * maxCentered(f.a) * maxCentered(f.b);
  if (bound > kInt32Max)
    return mismatch(llvm::formatv("{0}: int32 accumulator may overflow: |acc| up to {1:e} "
                                  "(K = {2})",
                                  op->describe(), bound, k));
  // With a Q behind it the op requantizes; otherwise it writes fp32.
  auto out = matchOutputQ(graph, op->result());
  if (out)
    f.out = std::move(*out);
  else
    llvm::consumeError(out.takeError());
  return f;
}

// A constant b (raw or behind a DQ) is a weight: fold-qdq-linear's case,
// which packs it and has already given its reason for any refusal.
bool hasWeightOperand(const Node &op) {
  const Value *b = op.operand(1);
  if (b->isConstant())
    return true;
  const Node *dq = b->producer();
  return dq && dq->kind() == OpKind::DequantizeLinear && dq->operand(0)->isConstant();
}

// DQ(a),DQ(b) -> MatMul -> [Relu|Clip] -> Q(y)  =>  qc.QMatMul(a, b) {act_min, act_max} : y's type
// and without the Q: qc.QMatMul(a, b) with the MatMul's f32 result type.
void apply(Graph &graph, const ActMatMulFold &f) {
  Node *op = f.op;
  bool attached =
      attachQuantParams(f.a.input, f.a.params) && attachQuantParams(f.b.input, f.b.params);
  assert(attached && "checked in planFold");
  (void)attached;
  Value *replaced = f.out ? f.out->q->result() : op->result();
  const std::string &name = replaced->name();
  Type type = f.out ? f.out->resultType : op->result()->type();
  Node *q = graph.createNode(OpKind::QMatMul, {f.a.input, f.b.input},
                             {{graph.uniqueName(name + ".q"), type}}, op);
  q->setName(op->name());
  if (f.out && f.out->clamp) {
    q->setAttr(AttrName::act_min, f.out->clamp->first);
    q->setAttr(AttrName::act_max, f.out->clamp->second);
  }
  // Shared DQs stay for their other consumers (dce removes the rest).
  Node *bDq = f.b.dq != f.a.dq ? f.b.dq : nullptr;
  replaceFolded(graph, replaced, q,
                {f.out ? f.out->q : nullptr, f.out ? f.out->activation : nullptr, op, f.a.dq, bDq});
}

class FoldQdqActMatMul : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-act-matmul"; }

  llvm::Expected<bool> run(Graph &graph) override {
    return foldEach(
        graph, [](const Node &n) { return n.kind() == OpKind::MatMul && !hasWeightOperand(n); },
        [&](Node &op) {
          return applyOrRemark(op, planFold(graph, &op), [&](const auto &f) { apply(graph, f); });
        });
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqActMatMul() { return std::make_unique<FoldQdqActMatMul>(); }

} // namespace qc::passes
