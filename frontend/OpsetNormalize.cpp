// Older-opset ONNX forms -> the newest-opset semantics of ir/Ops.def. Each
// rewrite keeps the results identical; an old attribute that cannot be
// expressed is an error, never dropped.
#include "frontend/OpsetNormalize.h"

#include <algorithm>

namespace qc::frontend::detail {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;

namespace {

// Removes and returns the attribute `name` of the pending node, if present.
const onnx::AttributeProto *takeAttr(PendingNode &n, llvm::StringRef name) {
  auto it = std::find_if(n.attrs.begin(), n.attrs.end(),
                         [&](const onnx::AttributeProto *a) { return a->name() == name; });
  if (it == n.attrs.end())
    return nullptr;
  const onnx::AttributeProto *a = *it;
  n.attrs.erase(it);
  return a;
}

llvm::Error wrongType(const PendingNode &n, const onnx::AttributeProto &a, int expected) {
  return makeError(n.where + ": attribute '" + a.name() + "' has type " +
                   attributeTypeName(attributeType(a)) + ", expected " +
                   attributeTypeName(expected));
}

llvm::Expected<std::vector<int64_t>> intsOf(const PendingNode &n, const onnx::AttributeProto &a) {
  if (attributeType(a) != onnx::AttributeProto::INTS)
    return wrongType(n, a, onnx::AttributeProto::INTS);
  return std::vector<int64_t>(a.ints().begin(), a.ints().end());
}

llvm::Expected<float> floatOf(const PendingNode &n, const onnx::AttributeProto &a) {
  if (attributeType(a) != onnx::AttributeProto::FLOAT)
    return wrongType(n, a, onnx::AttributeProto::FLOAT);
  return a.f();
}

llvm::Expected<int64_t> intOf(const PendingNode &n, const onnx::AttributeProto &a) {
  if (attributeType(a) != onnx::AttributeProto::INT)
    return wrongType(n, a, onnx::AttributeProto::INT);
  return int64_t(a.i());
}

llvm::Expected<std::string> stringOf(const PendingNode &n, const onnx::AttributeProto &a) {
  if (attributeType(a) != onnx::AttributeProto::STRING)
    return wrongType(n, a, onnx::AttributeProto::STRING);
  return a.s();
}

void setOperand(PendingNode &n, size_t index, ir::Value *v) {
  if (n.operands.size() <= index)
    n.operands.resize(index + 1, nullptr);
  n.operands[index] = v;
}

ir::Value *addInt64s(NormalizeContext &ctx, const PendingNode &n, llvm::StringRef suffix,
                     const std::vector<int64_t> &values) {
  ir::Tensor t = ir::Tensor::fromInts(ElemType::I64, {int64_t(values.size())}, values);
  return ctx.graph.addConstant(ctx.freshName(n.nameBase + "." + suffix.str()), std::move(t));
}

// An opset<N attribute that became input `index` as a 1-D int64 tensor.
llvm::Error intsAttrToInput(NormalizeContext &ctx, PendingNode &n, llvm::StringRef name,
                            size_t index, bool required) {
  const onnx::AttributeProto *a = takeAttr(n, name);
  if (!a) {
    if (required)
      return makeError(n.where + ": required attribute '" + name + "' is missing");
    return llvm::Error::success();
  }
  if (n.operands.size() > index && n.operands[index])
    return makeError(n.where + ": has both attribute '" + name + "' and input " +
                     llvm::Twine(index));
  auto values = intsOf(n, *a);
  if (!values)
    return values.takeError();
  setOperand(n, index, addInt64s(ctx, n, name, *values));
  return llvm::Error::success();
}

// A scalar input whose element type must equal that of operand `typeFrom`
// (Clip's min/max, Pad's constant_value): needs the operand's type now.
llvm::Error scalarAttrToInput(NormalizeContext &ctx, PendingNode &n, llvm::StringRef name,
                              size_t index, size_t typeFrom) {
  const onnx::AttributeProto *a = takeAttr(n, name);
  if (!a)
    return llvm::Error::success();
  auto value = floatOf(n, *a);
  if (!value)
    return value.takeError();
  ir::Value *src = typeFrom < n.operands.size() ? n.operands[typeFrom] : nullptr;
  if (!src)
    return makeError(n.where + ": input " + llvm::Twine(typeFrom) + " is missing");
  auto type = ctx.knownType(src);
  if (!type)
    return type.takeError();
  if (!*type)
    return makeError(n.where + ": the element type of input '" + src->name() +
                     "' is unknown, so attribute '" + name +
                     "' cannot become an input (declare its type or enable shape inference)");
  ElemType elem = (*type)->elem;
  if (!ir::isFloatType(elem))
    return makeError(n.where + ": attribute '" + name + "' needs a float input, input '" +
                     src->name() + "' is " + ir::elemTypeName(elem));
  setOperand(n, index,
             ctx.graph.addConstant(ctx.freshName(n.nameBase + "." + name.str()),
                                   ir::Tensor::scalarFloat(elem, *value)));
  return llvm::Error::success();
}

// Softmax < 13 flattens the input to 2-D at `axis` and normalizes each row.
// When `axis` is the last dim that is the new Softmax; otherwise emit
//   Shape(x) -> Flatten(x, axis) -> Softmax(axis=-1) -> Reshape(to the Shape).
llvm::Error normalizeLegacySoftmax(NormalizeContext &ctx, PendingNode &n) {
  int64_t axis = 1; // the legacy default
  if (const onnx::AttributeProto *a = takeAttr(n, "axis")) {
    auto v = intOf(n, *a);
    if (!v)
      return v.takeError();
    axis = *v;
  }
  if (!n.attrs.empty())
    return makeError(n.where + ": unknown attribute '" + n.attrs.front()->name() + "'");
  if (n.operands.size() != 1 || !n.operands[0] || n.resultNames.size() != 1)
    return makeError(n.where + ": expected 1 input and 1 output");
  ir::Value *x = n.operands[0];
  auto type = ctx.knownType(x);
  if (!type)
    return type.takeError();
  if (*type && (*type)->shape.isRanked()) {
    int64_t rank = int64_t((*type)->shape.rank());
    if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
      return makeError(n.where + ": axis " + llvm::Twine(axis) + " is out of range for rank " +
                       llvm::Twine(rank));
    if (axis < 0)
      axis += rank;
    if (axis == rank - 1 || rank == 0) {
      n.setAttrs.emplace_back(AttrName::axis, int64_t(-1));
      return llvm::Error::success();
    }
  } else if (axis == -1) {
    n.setAttrs.emplace_back(AttrName::axis, int64_t(-1));
    return llvm::Error::success();
  }

  ir::Graph &g = ctx.graph;
  const std::string &base = n.nameBase;
  ir::Type unknown(ElemType::F32, ir::Shape::unranked());
  ir::Node *shape = g.createNode(
      OpKind::Shape, {x},
      {{ctx.freshName(base + ".shape"), ir::Type(ElemType::I64, ir::Shape::unranked())}});
  ir::Node *flatten =
      g.createNode(OpKind::Flatten, {x}, {{ctx.freshName(base + ".flat"), unknown}});
  flatten->setAttr(AttrName::axis, axis);
  ir::Node *softmax = g.createNode(OpKind::Softmax, {flatten->result()},
                                   {{ctx.freshName(base + ".softmax2d"), unknown}});
  softmax->setAttr(AttrName::axis, int64_t(-1));
  // The result has x's shape; say so where x's type is known, since the
  // Reshape's target is only known at run time.
  ir::Type resultType = ctx.resultType(n.resultNames[0]);
  if (!resultType.shape.isRanked() && *type)
    resultType = ir::Type((*type)->elem, (*type)->shape);
  ir::Node *reshape = g.createNode(OpKind::Reshape, {softmax->result(), shape->result()},
                                   {{n.resultNames[0], resultType}});
  std::string name = n.proto->name();
  if (!name.empty()) {
    shape->setName(name + "/shape");
    flatten->setName(name + "/flatten");
    softmax->setName(name);
    reshape->setName(name + "/reshape");
  }
  n.handled = true;
  return llvm::Error::success();
}

// A constant operand with no elements stands for an absent one (Resize 11
// required roi and scales; exporters pass empty tensors).
void dropEmptyConstant(PendingNode &n, size_t index) {
  if (index < n.operands.size() && n.operands[index] && n.operands[index]->isConstant() &&
      n.operands[index]->constant()->numElements() == 0)
    n.operands[index] = nullptr;
}

llvm::Error normalizeResize(NormalizeContext &ctx, PendingNode &n) {
  if (ctx.opset < 11) {
    // Resize-10 (X, scales) maps x_out to x_out / scale (asymmetric) for
    // both modes. Its nearest rounding, per the opset-10 test cases and ONNX
    // Runtime, is floor when upsampling and ceil when downsampling; only one
    // nearest_mode exists now, so mixed directions cannot be expressed.
    if (n.operands.size() != 2 || !n.operands[1])
      return makeError(n.where + ": opset " + llvm::Twine(ctx.opset) +
                       " Resize takes 2 inputs (X, scales), got " + llvm::Twine(n.operands.size()));
    for (const onnx::AttributeProto *a : n.attrs)
      if (a->name() != "mode")
        return makeError(n.where + ": unknown attribute '" + a->name() + "'");
    std::string mode = "nearest";
    if (const onnx::AttributeProto *a = takeAttr(n, "mode")) {
      auto v = stringOf(n, *a);
      if (!v)
        return v.takeError();
      mode = *v;
    }
    ir::Value *scales = n.operands[1];
    n.operands = {n.operands[0], nullptr, scales};
    n.setAttrs.emplace_back(AttrName::mode, mode);
    n.setAttrs.emplace_back(AttrName::coordinate_transformation_mode, std::string("asymmetric"));
    if (mode != "nearest")
      return llvm::Error::success();
    if (!scales->isConstant())
      return makeError(n.where + ": opset " + llvm::Twine(ctx.opset) +
                       " nearest Resize needs constant scales (its rounding depends on "
                       "whether each scale is below 1)");
    bool up = false, down = false;
    for (int64_t i = 0; i < scales->constant()->numElements(); ++i) {
      double scale = scales->constant()->getDouble(i);
      up |= scale > 1;
      down |= scale < 1;
    }
    if (up && down)
      return makeError(n.where + ": opset " + llvm::Twine(ctx.opset) +
                       " nearest Resize that upsamples some axes and downsamples "
                       "others is unsupported");
    n.setAttrs.emplace_back(AttrName::nearest_mode, std::string(down ? "ceil" : "floor"));
    return llvm::Error::success();
  }
  dropEmptyConstant(n, 1);
  dropEmptyConstant(n, 2);
  if (ctx.opset >= 13)
    return llvm::Error::success();
  // tf_half_pixel_for_nn (removed in opset 13) maps x_out to
  // (x_out + 0.5) / scale, which is half_pixel's value + 0.5; for nearest
  // rounding: round_prefer_floor(v + 0.5) == ceil(v), floor(v + 0.5) ==
  // round_prefer_ceil(v).
  auto it = std::find_if(n.attrs.begin(), n.attrs.end(), [](const onnx::AttributeProto *a) {
    return a->name() == "coordinate_transformation_mode";
  });
  if (it == n.attrs.end() || (*it)->s() != "tf_half_pixel_for_nn")
    return llvm::Error::success();
  std::string mode = "nearest", nearest = "round_prefer_floor";
  for (const onnx::AttributeProto *a : n.attrs) {
    if (a->name() == "mode" && attributeType(*a) == onnx::AttributeProto::STRING)
      mode = a->s();
    if (a->name() == "nearest_mode" && attributeType(*a) == onnx::AttributeProto::STRING)
      nearest = a->s();
  }
  if (mode != "nearest")
    return makeError(n.where +
                     ": coordinate_transformation_mode tf_half_pixel_for_nn "
                     "with mode '" +
                     mode + "' is unsupported");
  std::string equivalent;
  if (nearest == "round_prefer_floor")
    equivalent = "ceil";
  else if (nearest == "floor")
    equivalent = "round_prefer_ceil";
  else
    return makeError(n.where +
                     ": coordinate_transformation_mode tf_half_pixel_for_nn "
                     "with nearest_mode '" +
                     nearest + "' is unsupported");
  takeAttr(n, "coordinate_transformation_mode");
  takeAttr(n, "nearest_mode");
  n.setAttrs.emplace_back(AttrName::coordinate_transformation_mode, std::string("half_pixel"));
  n.setAttrs.emplace_back(AttrName::nearest_mode, equivalent);
  return llvm::Error::success();
}

// Opset 18 Split needs either the split input or num_outputs.
void setSplitOutputs(PendingNode &n) {
  if (n.operands.size() < 2 || !n.operands[1])
    n.setAttrs.emplace_back(AttrName::num_outputs, int64_t(n.resultNames.size()));
}

} // namespace

llvm::Error normalizeNode(PendingNode &n, NormalizeContext &ctx) {
  int64_t v = ctx.opset;
  // Opsets 1-6 carried an in-place memory hint that does not affect results.
  if (v < 7)
    takeAttr(n, "consumed_inputs");
  switch (n.kind) {
  case OpKind::Concat:
    // Concat 1-3: axis was optional with default 1.
    if (v < 4 && std::none_of(n.attrs.begin(), n.attrs.end(),
                              [](const onnx::AttributeProto *a) { return a->name() == "axis"; }))
      n.setAttrs.emplace_back(AttrName::axis, int64_t(1));
    return llvm::Error::success();
  case OpKind::PRelu:
    // PRelu 1-6 defined the slope's broadcasting differently (per channel).
    if (v < 7)
      return makeError(n.where + ": PRelu of opset " + llvm::Twine(v) +
                       " is unsupported (opset 7 or newer needed)");
    return llvm::Error::success();
  case OpKind::Clip:
    if (v < 11) {
      if (llvm::Error e = scalarAttrToInput(ctx, n, "min", 1, 0))
        return e;
      return scalarAttrToInput(ctx, n, "max", 2, 0);
    }
    return llvm::Error::success();
  case OpKind::Pad:
    if (v < 11) {
      if (llvm::Error e = intsAttrToInput(ctx, n, "pads", 1, /*required=*/true))
        return e;
      return scalarAttrToInput(ctx, n, "value", 2, 0);
    }
    return llvm::Error::success();
  case OpKind::Slice:
    if (v < 10) {
      if (llvm::Error e = intsAttrToInput(ctx, n, "starts", 1, true))
        return e;
      if (llvm::Error e = intsAttrToInput(ctx, n, "ends", 2, true))
        return e;
      return intsAttrToInput(ctx, n, "axes", 3, false);
    }
    return llvm::Error::success();
  case OpKind::Split:
    if (v < 13)
      if (llvm::Error e = intsAttrToInput(ctx, n, "split", 1, false))
        return e;
    if (v < 18)
      setSplitOutputs(n);
    return llvm::Error::success();
  case OpKind::Squeeze:
    return v < 13 ? intsAttrToInput(ctx, n, "axes", 1, false) : llvm::Error::success();
  case OpKind::Unsqueeze:
    return v < 13 ? intsAttrToInput(ctx, n, "axes", 1, true) : llvm::Error::success();
  case OpKind::ReduceSum:
    return v < 13 ? intsAttrToInput(ctx, n, "axes", 1, false) : llvm::Error::success();
  case OpKind::ReduceMean:
  case OpKind::ReduceMax:
  case OpKind::ReduceMin:
    return v < 18 ? intsAttrToInput(ctx, n, "axes", 1, false) : llvm::Error::success();
  case OpKind::Softmax:
    return v < 13 ? normalizeLegacySoftmax(ctx, n) : llvm::Error::success();
  case OpKind::Resize:
    return normalizeResize(ctx, n);
  case OpKind::Dropout:
    // Inference: Dropout is the identity whatever the ratio.
    if (v < 12)
      takeAttr(n, "ratio");
    if (v < 7)
      takeAttr(n, "is_test"); // an inference compiler runs it as the test mode

    return llvm::Error::success();
  case OpKind::BatchNormalization:
    if (v < 9)
      return makeError(n.where + ": BatchNormalization of opset " + llvm::Twine(v) +
                       " is unsupported (opset 9 or newer needed)");
    return llvm::Error::success();
  default:
    return llvm::Error::success();
  }
}

} // namespace qc::frontend::detail
