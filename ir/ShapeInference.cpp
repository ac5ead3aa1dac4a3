// Dispatch of per-op inference rules, graph-level inference, shared helpers.
#include "ir/ShapeInference.h"

#include "ir/infer/InferRules.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::ir {

llvm::Error InferContext::error(const llvm::Twine &message) const {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 node.describe() + ": " + message);
}

llvm::Expected<std::vector<Type>> inferResultTypes(const InferContext &ctx) {
  const OpInfo &info = ctx.node.info();
  int present = int(ctx.numOperands());
  if (present < info.minInputs || (info.maxInputs >= 0 && present > info.maxInputs))
    return ctx.error(llvm::formatv("has {0} inputs, expected {1} to {2}", present,
                                   info.minInputs,
                                   info.maxInputs < 0 ? std::string("any")
                                                      : std::to_string(info.maxInputs)));
  for (int i = 0; i < info.minInputs && i < present; ++i)
    if (!ctx.has(size_t(i)))
      return ctx.error(llvm::formatv("required input {0} is missing", i));

  llvm::Expected<std::vector<Type>> types = [&]() -> llvm::Expected<std::vector<Type>> {
    switch (ctx.node.kind()) {
#define QC_OP(Kind, Name, MinIn, MaxIn, MinOut, MaxOut)                        \
  case OpKind::Kind:                                                           \
    return infer::infer##Kind(ctx);
#include "ir/Ops.def"
    }
    return ctx.error("unknown op kind");
  }();
  if (!types)
    return types.takeError();
  int results = int(types->size());
  if (results < info.minOutputs || (info.maxOutputs >= 0 && results > info.maxOutputs))
    return ctx.error(llvm::formatv("inference produced {0} results", results));
  return types;
}

InferContext makeInferContext(const Node &node) {
  InferContext ctx{node, {}, {}};
  for (Value *v : node.operands()) {
    ctx.operandTypes.push_back(v ? &v->type() : nullptr);
    ctx.operandValues.push_back(v ? v->constant() : nullptr);
  }
  return ctx;
}

namespace {
// Merges a declared type (value_info) into an inferred one: the declared dim
// wins where inference knows less; contradictions are errors.
llvm::Error mergeDeclared(const Node &node, const Value &result, Type &inferred) {
  const Type &declared = result.type();
  if (!declared.shape.isRanked())
    return llvm::Error::success();
  if (!inferred.shape.isRanked()) {
    inferred.shape = declared.shape;
    return llvm::Error::success();
  }
  auto mismatch = [&] {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "%s: result '%s' is declared %s but inferred %s", node.describe().c_str(),
        result.name().c_str(), declared.str().c_str(), inferred.str().c_str());
  };
  if (declared.elem != inferred.elem)
    return mismatch();
  if (declared.shape.rank() != inferred.shape.rank())
    return declared.shape.rank() == 0 && declared.shape.dims().empty()
               ? llvm::Error::success() // a bare "no shape" declaration
               : mismatch();
  for (size_t i = 0; i < declared.shape.rank(); ++i) {
    const Dim &d = declared.shape[i];
    Dim &r = inferred.shape.dims()[i];
    if (r.isStatic() && d.isStatic() && r.value() != d.value())
      return mismatch();
    if (!r.isStatic() && !d.isUnknown() && !(r.isSymbolic() && d.isSymbolic()))
      r = d;
  }
  return llvm::Error::success();
}
} // namespace

llvm::Error inferGraphTypes(Graph &graph) {
  for (Node *node : graph.nodes()) {
    InferContext ctx = makeInferContext(*node);
    auto types = inferResultTypes(ctx);
    if (!types)
      return types.takeError();
    if (types->size() < node->numResults())
      return ctx.error(llvm::formatv("has {0} results but the op defines {1}",
                                     node->numResults(), types->size()));
    for (size_t i = 0; i < node->numResults(); ++i) {
      Value *r = node->result(i);
      Type t = (*types)[i];
      if (llvm::Error e = mergeDeclared(*node, *r, t))
        return e;
      if (!t.quant)
        t.quant = r->type().quant;
      r->setType(std::move(t));
    }
  }
  return llvm::Error::success();
}

namespace infer {

llvm::Expected<Shape> broadcastShapes(const InferContext &ctx, const Shape &a,
                                      const Shape &b) {
  if (!a.isRanked() || !b.isRanked())
    return Shape::unranked();
  size_t rank = std::max(a.rank(), b.rank());
  std::vector<Dim> dims(rank);
  for (size_t i = 0; i < rank; ++i) {
    Dim da = i + a.rank() >= rank ? a[i + a.rank() - rank] : Dim(1);
    Dim db = i + b.rank() >= rank ? b[i + b.rank() - rank] : Dim(1);
    if (da == db)
      dims[i] = da;
    else if (da.isStatic() && da.value() == 1)
      dims[i] = db;
    else if (db.isStatic() && db.value() == 1)
      dims[i] = da;
    else if (da.isStatic() && db.isStatic())
      return ctx.error(llvm::formatv("cannot broadcast shapes {0} and {1}",
                                     a.str(), b.str()));
    else if (da.isStatic())
      dims[i] = da; // the symbolic side must be equal at run time (or 1)
    else if (db.isStatic())
      dims[i] = db;
    else
      dims[i] = Dim::unknown();
  }
  return Shape(std::move(dims));
}

llvm::Expected<int64_t> normalizeAxis(const InferContext &ctx, int64_t axis,
                                      int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1) || (rank == 0 && axis != 0 && axis != -1))
    return ctx.error(llvm::formatv("axis {0} is out of range for rank {1}", axis, rank));
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> toInt64s(const Tensor &t) {
  std::vector<int64_t> out(size_t(t.numElements()));
  for (int64_t i = 0; i < t.numElements(); ++i)
    out[size_t(i)] = t.getInt(i);
  return out;
}

Dim windowOutputDim(const Dim &input, int64_t kernel, int64_t stride,
                    int64_t dilation, int64_t padBegin, int64_t padEnd,
                    bool ceilMode) {
  if (!input.isStatic())
    return Dim::unknown();
  int64_t effective = dilation * (kernel - 1) + 1;
  int64_t span = input.value() + padBegin + padEnd - effective;
  if (span < 0)
    return Dim(0);
  int64_t out = ceilMode ? (span + stride - 1) / stride + 1 : span / stride + 1;
  // With ceil_mode the last window must start inside the input or the begin
  // padding (ONNX / PyTorch rule).
  if (ceilMode && (out - 1) * stride >= input.value() + padBegin)
    --out;
  return Dim(out);
}

llvm::Expected<WindowGeometry>
windowGeometry(const InferContext &ctx, size_t spatialRank,
               llvm::ArrayRef<Dim> inputSpatial,
               std::optional<std::vector<int64_t>> kernelFromWeights) {
  const Node &node = ctx.node;
  WindowGeometry g;
  if (const auto *k = node.findInts(AttrName::kernel_shape))
    g.kernel = *k;
  else if (kernelFromWeights)
    g.kernel = *kernelFromWeights;
  else
    return ctx.error("kernel_shape is required");
  if (g.kernel.size() != spatialRank)
    return ctx.error(llvm::formatv("kernel_shape has {0} dims, input has {1} spatial dims",
                                   g.kernel.size(), spatialRank));
  auto readOr = [&](AttrName name, size_t n, int64_t fill) -> llvm::Expected<std::vector<int64_t>> {
    const auto *v = node.findInts(name);
    if (!v || v->empty())
      return std::vector<int64_t>(n, fill);
    if (v->size() != n)
      return ctx.error(llvm::formatv("{0} has {1} values, expected {2}",
                                     attrNameString(name), v->size(), n));
    return *v;
  };
  auto strides = readOr(AttrName::strides, spatialRank, 1);
  if (!strides)
    return strides.takeError();
  auto dilations = readOr(AttrName::dilations, spatialRank, 1);
  if (!dilations)
    return dilations.takeError();
  auto pads = readOr(AttrName::pads, 2 * spatialRank, 0);
  if (!pads)
    return pads.takeError();
  g.strides = *strides;
  g.dilations = *dilations;
  g.pads = *pads;
  for (size_t i = 0; i < spatialRank; ++i) {
    if (g.kernel[i] <= 0 || g.strides[i] <= 0 || g.dilations[i] <= 0)
      return ctx.error("kernel_shape, strides and dilations must be positive");
    if (g.pads[i] < 0 || g.pads[i + spatialRank] < 0)
      return ctx.error("pads must be non-negative");
  }
  const std::string &autoPad = node.getString(AttrName::auto_pad);
  if (autoPad == "NOTSET")
    return g;
  if (autoPad == "VALID") {
    std::fill(g.pads.begin(), g.pads.end(), 0);
    return g;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.error("unknown auto_pad '" + autoPad + "'");
  for (size_t i = 0; i < spatialRank; ++i) {
    if (!inputSpatial[i].isStatic())
      continue; // resolved when the extent is known
    int64_t in = inputSpatial[i].value();
    int64_t out = (in + g.strides[i] - 1) / g.strides[i];
    int64_t effective = g.dilations[i] * (g.kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * g.strides[i] + effective - in);
    int64_t small = total / 2, large = total - total / 2;
    g.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    g.pads[i + spatialRank] = autoPad == "SAME_UPPER" ? large : small;
  }
  return g;
}

} // namespace infer
} // namespace qc::ir
