// Matching helpers shared by the QDQ folding passes (see QdqMatch.h).
#include "passes/QdqMatch.h"

#include <algorithm>
#include <cmath>

#include "llvm/Support/FormatVariadic.h"

namespace qc::passes {

using namespace ir;

llvm::Error mismatch(const llvm::Twine &reason) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), reason);
}

std::string remarkFrom(llvm::Error error) { return llvm::toString(std::move(error)); }

bool isGraphOutput(const Graph &graph, const Value *v) {
  return std::find(graph.outputs().begin(), graph.outputs().end(), v) != graph.outputs().end();
}

bool isGraphInput(const Graph &graph, const Value *v) {
  return std::find(graph.inputs().begin(), graph.inputs().end(), v) != graph.inputs().end();
}

llvm::Expected<QuantParams> quantParamsFrom(const Value *scale, const Value *zeroPoint,
                                            std::optional<int64_t> axis, const llvm::Twine &who) {
  // Parameters computed at run time cannot become part of a type.
  if (!scale || !scale->isConstant())
    return mismatch(who + ": scale is not a constant");
  if (zeroPoint && !zeroPoint->isConstant())
    return mismatch(who + ": zero point is not a constant");
  const Tensor &s = *scale->constant();
  if (zeroPoint && zeroPoint->constant()->numElements() != s.numElements())
    return mismatch(llvm::formatv("{0}: {1} scales but {2} zero points", who.str(), s.numElements(),
                                  zeroPoint->constant()->numElements()));
  QuantParams params;
  for (int64_t i = 0; i < s.numElements(); ++i) {
    // Scales are fp32 values (ir/Type.h): the reference computes in fp32.
    params.scales.push_back(double(float(s.getDouble(i))));
    params.zeroPoints.push_back(zeroPoint ? zeroPoint->constant()->getInt(i) : 0);
  }
  // One element (scalar or [1]) is per-tensor, whatever the axis says.
  if (s.numElements() != 1) {
    if (!axis)
      return mismatch(who + ": parameters are not per tensor");
    params.axis = axis;
  }
  return params;
}

llvm::Expected<QuantParams> quantParamsOf(const Node &qdq) {
  assert((qdq.kind() == OpKind::QuantizeLinear || qdq.kind() == OpKind::DequantizeLinear) &&
         "not a Q or DQ");
  int64_t blockSize = qdq.getInt(AttrName::block_size);
  std::optional<int64_t> axis;
  const Value *scale = qdq.operand(1);
  if (scale && scale->isConstant() && (scale->constant()->numElements() != 1 || blockSize != 0)) {
    const Shape &data = qdq.operand(0)->type().shape;
    if (!data.isRanked() || data.rank() == 0)
      return mismatch(qdq.describe() + ": per-axis parameters on an unranked or scalar input");
    int64_t rank = int64_t(data.rank());
    int64_t a = qdq.getInt(AttrName::axis);
    if (a < -rank || a >= rank)
      return mismatch(
          llvm::formatv("{0}: axis {1} out of range for rank {2}", qdq.describe(), a, rank));
    axis = a < 0 ? a + rank : a;
  }
  auto params = quantParamsFrom(scale, qdq.operand(2), axis, qdq.describe());
  if (!params)
    return params.takeError();
  if (blockSize != 0) {
    params->axis = axis;
    params->blockSize = blockSize;
  }
  return params;
}

std::optional<QdqParams> readQdqParams(const Node &node, std::string &why) {
  // DQ -> Q round trips are exact with fp32 arithmetic, the reference's.
  if (node.operand(1)->type().elem != ir::ElemType::F32) {
    why = node.describe() + ": scale is not f32";
    return std::nullopt;
  }
  llvm::Expected<ir::QuantParams> quant = quantParamsOf(node);
  if (!quant) {
    why = remarkFrom(quant.takeError());
    return std::nullopt;
  }
  ir::ElemType elem = node.kind() == OpKind::DequantizeLinear ? node.operand(0)->type().elem
                                                               : node.result()->type().elem;
  return QdqParams{elem, std::move(*quant)};
}

Type withQuant(Type type, QuantParams params) {
  type.quant = std::move(params);
  return type;
}

namespace {
bool isByteType(ElemType t) { return t == ElemType::U8 || t == ElemType::I8; }

bool isInt4Type(ElemType t) { return t == ElemType::U4 || t == ElemType::I4; }

// The common part of activation and weight DQ matching; `allowInt4`: the
// input may also be i4/u4 (weights, widened to 8 bits by the folds).
llvm::Expected<DqMatch> matchDq(Value *v, bool allowInt4 = false) {
  Node *dq = v ? v->producer() : nullptr;
  if (!dq || dq->kind() != OpKind::DequantizeLinear)
    return mismatch(llvm::Twine("'") + (v ? v->name() : "") +
                    "' is not produced by DequantizeLinear");
  // The qc ops write and read fp32 reals only.
  if (v->type().elem != ElemType::F32)
    return mismatch(dq->describe() + ": result is " + elemTypeName(v->type().elem).str() +
                    ", not f32");
  Value *input = dq->operand(0);
  if (!isByteType(input->type().elem) && !(allowInt4 && isInt4Type(input->type().elem)))
    return mismatch(dq->describe() + ": input is " + elemTypeName(input->type().elem).str() +
                    (allowInt4 ? ", not u8/i8/u4/i4" : ", not u8/i8"));
  auto params = quantParamsOf(*dq);
  if (!params)
    return params.takeError();
  return DqMatch{dq, input, std::move(*params)};
}
} // namespace

llvm::Expected<DqMatch> matchActivationDq(Value *v) {
  auto m = matchDq(v);
  if (!m)
    return m.takeError();
  // The integer op takes one (scale, zero point) for the whole activation.
  if (!m->params.isPerTensor() || m->params.blockSize != 0)
    return mismatch(m->dq->describe() + ": activation is not quantized per tensor");
  return m;
}

llvm::Expected<DqMatch> matchWeightDq(Value *v) {
  auto m = matchDq(v, /*allowInt4=*/true);
  if (!m)
    return m.takeError();
  // Folding bakes the weight into the integer op: it must be known now.
  if (!m->input->isConstant())
    return mismatch(m->dq->describe() + ": weight is not a constant");
  // Blocked scales have no per-output-channel form in the qc ops.
  if (m->params.blockSize != 0)
    return mismatch(llvm::formatv("{0}: blocked quantization (block_size {1}) is not supported",
                                  m->dq->describe(), m->params.blockSize));
  return m;
}

bool attachQuantParams(Value *x, const QuantParams &params) {
  if (x->type().quant)
    return *x->type().quant == params;
  x->setType(withQuant(x->type(), params));
  return true;
}

int64_t quantizeValue(float r, float scale, int64_t zeroPoint, ElemType type) {
  float q = std::nearbyint(r / scale); // fp32 divide, round half to even
  double v = double(q) + double(zeroPoint);
  v = std::clamp(v, double(elemTypeMin(type)), double(elemTypeMax(type)));
  return int64_t(v);
}

llvm::Expected<Type> quantizedResultType(const Node &q) {
  assert(q.kind() == OpKind::QuantizeLinear && "not a Q");
  const Type &result = q.result()->type();
  if (!isByteType(result.elem))
    return mismatch(q.describe() + ": output is " + elemTypeName(result.elem).str() +
                    ", not u8/i8");
  if (q.operand(0)->type().elem != ElemType::F32)
    return mismatch(q.describe() + ": input is not f32");
  auto params = quantParamsOf(q);
  if (!params)
    return params.takeError();
  // The integer ops requantize to one (scale, zero point).
  if (!params->isPerTensor() || params->blockSize != 0)
    return mismatch(q.describe() + ": output is not quantized per tensor");
  return withQuant(result, std::move(*params));
}

llvm::Expected<std::pair<int64_t, int64_t>> activationClamp(const Node &activation,
                                                            const Type &quantType) {
  assert(quantType.quant && quantType.quant->isPerTensor() && "per-tensor type expected");
  float scale = float(quantType.quant->scales[0]);
  int64_t zeroPoint = quantType.quant->zeroPoints[0];
  int64_t lo = elemTypeMin(quantType.elem), hi = elemTypeMax(quantType.elem);
  // Relu(v) then Q: Q is monotone and Q(0) = zp, so the result is max(Q(v), zp).
  if (activation.kind() == OpKind::Relu)
    return std::make_pair(std::clamp(zeroPoint, lo, hi), hi);
  if (activation.kind() != OpKind::Clip)
    return mismatch(activation.describe() + ": not Relu or Clip");
  // Clip(v, a, b) then Q = clamp(Q(v), Q(a), Q(b)) since Q is monotone.
  int64_t clampLo = lo, clampHi = hi;
  for (size_t i : {1, 2}) {
    const Value *bound = activation.operand(i);
    if (!bound)
      continue;
    if (!bound->isConstant() || bound->constant()->numElements() != 1)
      return mismatch(activation.describe() + ": bounds are not scalar constants");
    double b = bound->constant()->getDouble(0);
    if (std::isnan(b))
      return mismatch(activation.describe() + ": bound is NaN");
    int64_t q = quantizeValue(float(b), scale, zeroPoint, quantType.elem);
    (i == 1 ? clampLo : clampHi) = q;
  }
  if (clampLo > clampHi)
    return mismatch(activation.describe() + ": empty clamp range (min > max)");
  return std::make_pair(clampLo, clampHi);
}

llvm::Expected<QMatch> matchOutputQ(const Graph &graph, Value *v, bool allowActivation) {
  // Another consumer (or the caller of the model) needs the float value.
  if (!v->hasOneUse() || isGraphOutput(graph, v))
    return mismatch("'" + v->name() + "' has other consumers than a QuantizeLinear");
  QMatch m;
  Node *user = v->uses()[0].user;
  if (allowActivation && (user->kind() == OpKind::Relu || user->kind() == OpKind::Clip) &&
      v->uses()[0].operandIndex == 0) {
    m.activation = user;
    Value *act = user->result();
    if (!act->hasOneUse() || isGraphOutput(graph, act))
      return mismatch(user->describe() + ": result has other consumers than a QuantizeLinear");
    user = act->uses()[0].user;
  }
  if (user->kind() != OpKind::QuantizeLinear ||
      user->operand(0) != (m.activation ? m.activation->result() : v))
    return mismatch("'" + v->name() + "' does not feed a QuantizeLinear");
  m.q = user;
  auto type = quantizedResultType(*user);
  if (!type)
    return type.takeError();
  m.resultType = std::move(*type);
  if (m.activation) {
    auto clamp = activationClamp(*m.activation, m.resultType);
    if (!clamp)
      return clamp.takeError();
    m.clamp = *clamp;
  }
  return m;
}

} // namespace qc::passes
