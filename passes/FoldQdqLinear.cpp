// fold-qdq-linear: DQ -> Conv/ConvTranspose/MatMul/Gemm -> [Relu/Clip] -> Q
// becomes one qc.QConv / qc.QConvTranspose / qc.QMatMul (docs/quantized-ir.md).
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <tuple>

#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::passes {

namespace {

using namespace ir;

constexpr double kInt32Max = double(std::numeric_limits<int32_t>::max());

/// Everything a fold needs, gathered before the graph is touched.
struct LinearFold {
  Node *op = nullptr;
  OpKind qcKind = OpKind::QConv;
  DqMatch x, w;
  Node *biasDq = nullptr;               // erased with the pattern when dead
  Node *biasAdd = nullptr;              // a float bias Add after the op, absorbed
  Value *fullC = nullptr;               // Gemm's float C varying per row: added in float
  std::shared_ptr<const Tensor> weight; // as the qc op reads it
  QuantParams weightParams;             // axis / scales as the qc op reads them
  bool weightRewritten = false;         // transposed or rescaled: a new constant
  std::vector<int64_t> bias;            // i32 per output channel; empty: none
  std::optional<QMatch> out;            // unset: f32 result
};

// Where the output channel lives in the weight, as the qc op reads it.
struct WeightLayout {
  int64_t axis;     // the per-axis quantization axis the qc op expects
  int64_t channels; // output channels M (or N)
};

// Per-output-channel sums of |qw - zw| over the weights feeding that channel:
// with |qx - zx| <= maxX, |acc[m]| <= maxX * sum[m] + |bias[m]| exactly.
std::vector<double> weightAbsSums(const LinearFold &f, int64_t channels) {
  const Tensor &w = *f.weight;
  const QuantParams &p = f.weightParams;
  std::vector<double> sums(size_t(channels), 0.0);
  const std::vector<int64_t> &dims = w.dims();
  auto zp = [&](int64_t c) { return p.isPerTensor() ? p.zeroPoints[0] : p.zeroPoints[c]; };
  int64_t n = w.numElements();
  if (f.qcKind == OpKind::QMatMul) { // [K, N], channel = column
    int64_t cols = dims[1];
    for (int64_t e = 0; e < n; ++e)
      sums[size_t(e % cols)] += std::fabs(double(w.getInt(e) - zp(e % cols)));
    return sums;
  }
  if (f.qcKind == OpKind::QConv) { // [M, C/g, k...], channel = dim 0
    int64_t inner = n / dims[0];
    for (int64_t e = 0; e < n; ++e)
      sums[size_t(e / inner)] += std::fabs(double(w.getInt(e) - zp(e / inner)));
    return sums;
  }
  // ConvTranspose [C, M/g, k...]: channel g * M/g + j reads w[c, j] for c in
  // group g; summing over every c bounds it from above.
  int64_t perGroup = dims[1], inner = n / (dims[0] * dims[1]);
  std::vector<double> byJ(size_t(perGroup), 0.0);
  for (int64_t e = 0; e < n; ++e) {
    int64_t j = (e / inner) % perGroup;
    byJ[size_t(j)] += std::fabs(double(w.getInt(e) - zp(j)));
  }
  for (int64_t m = 0; m < channels; ++m)
    sums[size_t(m)] = byJ[size_t(m % perGroup)];
  return sums;
}

// Reads the bias (Conv B or Gemm C) into integers in units of sx * sw[m]:
// DQ(int32) with that scale is used as is (ONNX Runtime's format); a float
// constant (PyTorch's) becomes rne(beta * b[m] / (sx * sw[m])).
// `shapeChecked`: b's shape was already checked to broadcast along the
// channel only (a bias Add), so any b of M elements is one per channel.
llvm::Error readBias(LinearFold &f, Value *b, int64_t channels, double beta,
                     bool shapeChecked = false) {
  auto inScale = [&](int64_t m) {
    const QuantParams &p = f.weightParams;
    // ConvTranspose's M/group scales repeat across the groups: m mod M/group.
    return f.x.params.scales[0] * p.scales[size_t(m) % p.scales.size()];
  };
  // A bias of one value or [1, M] broadcasts like [M] (Gemm's C).
  auto perChannel = [&](const Tensor &t) -> std::optional<std::function<int64_t(int64_t)>> {
    int64_t n = t.numElements();
    if (n == 1)
      return [](int64_t) { return int64_t(0); };
    const std::vector<int64_t> &d = t.dims();
    bool rowVector =
        n == channels && (shapeChecked || d.size() == 1 || (d.size() == 2 && d[0] == 1));
    if (!rowVector)
      return std::nullopt;
    return [](int64_t m) { return m; };
  };
  std::vector<double> real(static_cast<size_t>(channels), 0.0);
  std::vector<int64_t> direct;
  if (Node *dq = b->producer(); dq && dq->kind() == OpKind::DequantizeLinear) {
    Value *q = dq->operand(0);
    if (q->type().elem != ElemType::I32 || !q->isConstant())
      return mismatch(f.op->describe() + ": bias is not DequantizeLinear of an int32 constant");
    auto params = quantParamsOf(*dq);
    if (!params)
      return params.takeError();
    auto index = perChannel(*q->constant());
    if (!index || params->blockSize != 0 ||
        (!params->isPerTensor() && int64_t(params->scales.size()) != channels))
      return mismatch(f.op->describe() + ": bias is not one value per output channel");
    bool sameUnits = beta == 1.0;
    for (int64_t m = 0; m < channels; ++m) {
      double sb = params->isPerTensor() ? params->scales[0] : params->scales[size_t(m)];
      int64_t v = q->constant()->getInt((*index)(m));
      real[size_t(m)] = beta * double(v) * sb;
      direct.push_back(v);
      // ONNX Runtime writes the bias scale as float(sx * sw): same units.
      sameUnits &= std::fabs(sb / inScale(m) - 1.0) < 1e-6;
    }
    f.biasDq = dq;
    if (sameUnits) {
      f.bias = std::move(direct);
      return llvm::Error::success();
    }
  } else if (b->isConstant() && isFloatType(b->type().elem)) {
    auto index = perChannel(*b->constant());
    if (!index)
      return mismatch(f.op->describe() + ": bias is not one value per output channel");
    for (int64_t m = 0; m < channels; ++m)
      real[size_t(m)] = beta * b->constant()->getDouble((*index)(m));
  } else {
    return mismatch(f.op->describe() +
                    ": bias is neither DequantizeLinear of an int32 constant nor a float constant");
  }
  for (int64_t m = 0; m < channels; ++m) {
    double q = std::nearbyint(real[size_t(m)] / inScale(m));
    if (!(std::fabs(q) <= kInt32Max))
      return mismatch(llvm::formatv("{0}: bias {1} of channel {2} does not fit int32 in units of "
                                    "{3:e}",
                                    f.op->describe(), real[size_t(m)], m, inScale(m)));
    f.bias.push_back(int64_t(q));
  }
  return llvm::Error::success();
}

// The weight's layout for each op; fails for unsupported forms.
llvm::Expected<WeightLayout> weightLayout(LinearFold &f) {
  const Node &op = *f.op;
  const std::vector<int64_t> &dims = f.weight->dims();
  int64_t group = op.findInt(AttrName::group).value_or(1);
  switch (op.kind()) {
  case OpKind::Conv:
    return WeightLayout{0, dims[0]};
  case OpKind::ConvTranspose:
    // Per-axis along 1 has M/group scales: output channel m uses m mod M/group.
    return WeightLayout{1, dims[1] * group};
  default:
    return WeightLayout{1, dims[1]};
  }
}

// Gemm: B^T becomes [K, N] (and its per-axis 0 becomes 1); alpha scales the
// weight's scales, so inScale[n] = sx * sw[n] * alpha.
llvm::Error prepareGemmWeight(LinearFold &f) {
  const Node &op = *f.op;
  float alpha = op.getFloat(AttrName::alpha);
  // A scale must stay positive; a negative alpha would need negated weights.
  if (!(alpha > 0.0f))
    return mismatch(llvm::formatv("{0}: alpha {1} is not positive", op.describe(), alpha));
  if (op.getInt(AttrName::transB)) {
    const Tensor &w = *f.weight;
    int64_t n = w.dims()[0], k = w.dims()[1];
    Tensor t(w.elemType(), {k, n});
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j)
        t.setInt(j * n + i, w.getInt(i * k + j));
    f.weight = std::make_shared<const Tensor>(std::move(t));
    if (f.weightParams.axis)
      f.weightParams.axis = 1 - *f.weightParams.axis;
    f.weightRewritten = true;
  }
  if (alpha != 1.0f) {
    for (double &s : f.weightParams.scales)
      s = double(float(s * double(alpha)));
    f.weightRewritten = true;
  }
  return llvm::Error::success();
}

// op -> Add(op, b) with b a float constant that only varies along the output
// channel (PyTorch's Linear: MatMul(x, w^T) + b): the Add, or null.
Node *matchBiasAdd(const Graph &graph, const LinearFold &f) {
  Value *y = f.op->result();
  // The op's own float result must not be needed by anything else.
  if (y->uses().size() != 1 || isGraphOutput(graph, y))
    return nullptr;
  Node *add = y->uses().front().user;
  if (add->kind() != OpKind::Add)
    return nullptr;
  Value *b = add->operand(add->operand(0) == y ? 1 : 0);
  // Add(y, y) or a run-time bias is no constant bias.
  if (b == y || !b->isConstant() || !isFloatType(b->type().elem))
    return nullptr;
  const Shape &ys = y->type().shape;
  const std::vector<int64_t> &d = b->constant()->dims();
  // The bias must not broadcast the result to a larger shape: its rank fits
  // and every dimension but the channel's is 1.
  if (!ys.isRanked() || d.size() > ys.rank())
    return nullptr;
  size_t channelAxis = f.qcKind == OpKind::QMatMul ? ys.rank() - 1 : 1;
  for (size_t i = 0; i < d.size(); ++i) {
    size_t axis = ys.rank() - d.size() + i;
    if (d[i] != 1 && axis != channelAxis)
      return nullptr;
  }
  return add;
}

// Gemm's C as a float constant of [M, N] or [M, 1] with M > 1: it varies
// along the rows, which a per-output-channel int32 bias cannot express.
bool isRowVaryingC(const Value &c) {
  if (!c.isConstant() || !isFloatType(c.type().elem))
    return false;
  const std::vector<int64_t> &d = c.constant()->dims();
  return d.size() == 2 && d[0] > 1;
}

// i4/u4 weights (stored one per byte) become i8/u8 with the same values and
// zero points: the integer op's sums are the same, exactly.
void widenInt4Weight(LinearFold &f) {
  ElemType t = f.weight->elemType();
  if (t != ElemType::I4 && t != ElemType::U4)
    return;
  const Tensor &w = *f.weight;
  Tensor wide(t == ElemType::I4 ? ElemType::I8 : ElemType::U8, w.dims());
  for (int64_t i = 0; i < w.numElements(); ++i)
    wide.setInt(i, w.getInt(i));
  f.weight = std::make_shared<const Tensor>(std::move(wide));
  f.weightRewritten = true;
}

// Checks the pattern around `op` and gathers the fold; touches nothing.
llvm::Expected<LinearFold> planFold(const Graph &graph, Node *op) {
  LinearFold f;
  f.op = op;
  switch (op->kind()) {
  case OpKind::Conv:
    f.qcKind = OpKind::QConv;
    break;
  case OpKind::ConvTranspose:
    f.qcKind = OpKind::QConvTranspose;
    break;
  default:
    f.qcKind = OpKind::QMatMul;
    break;
  }
  // Gemm's A^T is not a QMatMul operand (it would need a transposed activation).
  if (op->kind() == OpKind::Gemm && op->getInt(AttrName::transA))
    return mismatch(op->describe() + ": transA=1 is not folded");
  auto x = matchActivationDq(op->operand(0));
  if (!x)
    return x.takeError();
  f.x = std::move(*x);
  // x's type carries its parameters; a different binding cannot be shared.
  if (f.x.input->type().quant && *f.x.input->type().quant != f.x.params)
    return mismatch(op->describe() + ": '" + f.x.input->name() +
                    "' is already bound to other quantization parameters");
  auto w = matchWeightDq(op->operand(1));
  if (!w)
    return w.takeError();
  f.w = std::move(*w);
  f.weight = f.w.input->constantPtr();
  f.weightParams = f.w.params;
  widenInt4Weight(f);
  size_t weightRank = f.weight->rank();
  bool isMatMul = f.qcKind == OpKind::QMatMul;
  if (isMatMul && weightRank != 2)
    return mismatch(llvm::formatv("{0}: weight has rank {1}, not 2", op->describe(), weightRank));
  if (!isMatMul && (weightRank < 3 || op->operand(0)->type().shape.rank() != weightRank))
    return mismatch(op->describe() + ": weight and input ranks do not fit a convolution");
  if (op->kind() == OpKind::Gemm) {
    if (op->operand(0)->type().shape.rank() != 2)
      return mismatch(op->describe() + ": input is not 2-D");
    if (llvm::Error e = prepareGemmWeight(f))
      return e;
  }
  auto layout = weightLayout(f);
  if (!layout)
    return layout.takeError();
  // Per-channel weights must be per OUTPUT channel: the requantization
  // multiplier is one per output channel.
  if (f.weightParams.axis && *f.weightParams.axis != layout->axis)
    return mismatch(llvm::formatv("{0}: weight is quantized per channel along axis {1}, not the "
                                  "output-channel axis {2}",
                                  op->describe(), *f.w.params.axis, layout->axis));
  // Bias: Conv's B, Gemm's beta * C.
  Value *bias = op->operand(2);
  double beta = op->kind() == OpKind::Gemm ? double(op->getFloat(AttrName::beta)) : 1.0;
  if (bias && beta != 0.0 && op->kind() == OpKind::Gemm && isRowVaryingC(*bias)) {
    // A C that differs per row is no per-channel bias: the MACs fold, C is
    // added to the f32 result in float (the Q after it stays).
    f.fullC = bias;
  } else if (bias && beta != 0.0) {
    if (llvm::Error e = readBias(f, bias, layout->channels, beta))
      return e;
  } else if ((f.biasAdd = matchBiasAdd(graph, f))) {
    // A float bias Add after an op without bias: b / (sx * sw[m]) rounded
    // into the int32 bias, as ONNX Runtime's and PyTorch's quantizers do.
    Value *y = op->result();
    Value *b = f.biasAdd->operand(f.biasAdd->operand(0) == y ? 1 : 0);
    // A bias beyond int32 stays a float Add; the op still folds without it.
    if (llvm::Error e = readBias(f, b, layout->channels, 1.0, /*shapeChecked=*/true)) {
      f.biasAdd->setRemark(remarkFrom(std::move(e)));
      f.biasAdd = nullptr;
      f.bias.clear();
    }
  }
  // int32 accumulation must not overflow (NUMERICS.md): bound it exactly.
  ElemType xt = f.x.input->type().elem;
  int64_t zx = f.x.params.zeroPoints[0];
  double maxX = double(std::max(zx - elemTypeMin(xt), elemTypeMax(xt) - zx));
  std::vector<double> sums = weightAbsSums(f, layout->channels);
  for (int64_t m = 0; m < layout->channels; ++m) {
    double b = f.bias.empty() ? 0.0 : std::fabs(double(f.bias[size_t(m)]));
    double bound = maxX * sums[size_t(m)] + b;
    if (bound > kInt32Max)
      return mismatch(llvm::formatv("{0}: int32 accumulator may overflow: |acc| up to {1:e} in "
                                    "channel {2}",
                                    op->describe(), bound, m));
  }
  // With a Q behind it the op requantizes; otherwise it writes fp32.
  if (f.fullC)
    return f;
  auto out = matchOutputQ(graph, f.biasAdd ? f.biasAdd->result() : op->result());
  if (out)
    f.out = std::move(*out);
  else
    llvm::consumeError(out.takeError());
  return f;
}

class FoldQdqLinear : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-linear"; }

  llvm::Expected<bool> run(Graph &graph) override {
    weights_.clear();
    return foldEach(
        graph,
        [](const Node &n) {
          return n.kind() == OpKind::Conv || n.kind() == OpKind::ConvTranspose ||
                 n.kind() == OpKind::MatMul || n.kind() == OpKind::Gemm;
        },
        [&](Node &op) {
          return applyOrRemark(op, planFold(graph, &op), [&](const auto &f) { apply(graph, f); });
        });
  }

private:
  // The quantized weight constant; folds of one weight constant with the
  // same parameters share it (transposed or rescaled copies are not shared).
  Value *weightValue(Graph &graph, const LinearFold &f) {
    Type type = withQuant(f.weight->type(), f.weightParams);
    if (!f.weightRewritten)
      for (const auto &[source, value] : weights_)
        if (source == f.w.input && value->type() == type)
          return value;
    Value *v = graph.addConstant(graph.uniqueName(f.w.input->name() + ".q"), f.weight);
    v->setType(std::move(type));
    if (!f.weightRewritten)
      weights_.emplace_back(f.w.input, v);
    return v;
  }

  // DQ(x),DQ(w),[b] -> Conv|ConvTranspose|MatMul|Gemm -> [Add(b)] -> [Relu|Clip] -> Q(y)
  //   =>  qc.QConv|QConvTranspose|QMatMul(x, w, b) {act_min, act_max} : y's type
  // and without the Q: the same qc op with the op's f32 result type.
  void apply(Graph &graph, const LinearFold &f) {
    Node *op = f.op;
    bool attached = attachQuantParams(f.x.input, f.x.params);
    assert(attached && "checked in planFold");
    (void)attached;
    std::vector<Value *> operands = {f.x.input, weightValue(graph, f)};
    Value *replaced = f.out ? f.out->q->result() : f.biasAdd ? f.biasAdd->result() : op->result();
    std::string name = replaced->name();
    if (!f.bias.empty()) {
      Tensor b = Tensor::fromInts(ElemType::I32, {int64_t(f.bias.size())}, f.bias);
      operands.push_back(
          graph.addConstant(graph.uniqueName(op->result()->name() + ".bias"), std::move(b)));
    }
    Type type = f.out ? f.out->resultType : replaced->type();
    Node *q = graph.createNode(f.qcKind, operands, {{graph.uniqueName(name + ".q"), type}}, op);
    q->setName(op->name());
    if (f.qcKind != OpKind::QMatMul)
      for (const auto &[attr, value] : op->attrs())
        q->setAttr(attr, value);
    if (f.out && f.out->clamp) {
      q->setAttr(AttrName::act_min, f.out->clamp->first);
      q->setAttr(AttrName::act_max, f.out->clamp->second);
    }
    if (f.fullC) {
      // DQ(x),DQ(w) -> Gemm(C [M, N])  =>  Add(qc.QMatMul(x, w) : f32, beta * C)
      Value *c = f.fullC;
      if (float beta = op->getFloat(AttrName::beta); beta != 1.0f) {
        Tensor scaled = *c->constant();
        for (int64_t i = 0; i < scaled.numElements(); ++i)
          scaled.setDouble(i, double(beta * float(scaled.getDouble(i))));
        c = graph.addConstant(graph.uniqueName(c->name() + ".beta"), std::move(scaled));
      }
      Node *add = graph.createNode(OpKind::Add, {q->result(), c},
                                   {{graph.uniqueName(name + ".c"), op->result()->type()}}, op);
      add->setRemark("Gemm's C varies per row: added in float after the integer MatMul");
      replaceFolded(graph, replaced, add, {op, f.x.dq, f.w.dq});
      return;
    }
    // Shared DQs stay for their other consumers (dce removes the rest).
    replaceFolded(graph, replaced, q,
                  {f.out ? f.out->q : nullptr, f.out ? f.out->activation : nullptr, f.biasAdd, op,
                   f.x.dq, f.w.dq, f.biasDq});
  }

  std::vector<std::pair<Value *, Value *>> weights_; // weight, its quantized form
};

} // namespace

std::unique_ptr<Pass> createFoldQdqLinear() { return std::make_unique<FoldQdqLinear>(); }

} // namespace qc::passes
