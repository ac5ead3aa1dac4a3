// Shape and type inference for Resize (opset 19 semantics: axes,
// keep_aspect_ratio_policy, antialias, half_pixel_symmetric), and the plan of
// per-dimension scales and extents its kernel shares.
#include "ir/infer/Resize.h"

#include <cmath>
#include <cstdio>

#include "ir/infer/InferRules.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

namespace {

constexpr size_t kRoi = 1, kScales = 2, kSizes = 3;
/// Output extents beyond this are rejected (and could not convert to int64).
constexpr double kMaxExtent = double(int64_t(1) << 48);

llvm::Error checkOneOf(const InferContext &ctx, AttrName name,
                       llvm::ArrayRef<llvm::StringRef> allowed) {
  const std::string &v = ctx.node.getString(name);
  if (llvm::is_contained(allowed, llvm::StringRef(v)))
    return llvm::Error::success();
  std::string list;
  for (llvm::StringRef a : allowed)
    list += (list.empty() ? "" : ", ") + a.str();
  return ctx.error(llvm::formatv("{0} '{1}' is not one of {2}", attrNameString(name), v, list));
}

llvm::Error checkAttributes(const InferContext &ctx) {
  if (llvm::Error e = checkOneOf(ctx, AttrName::mode, {"nearest", "linear", "cubic"}))
    return e;
  // tf_half_pixel_for_nn is opset 11's; it has no newer equivalent.
  if (llvm::Error e = checkOneOf(ctx, AttrName::coordinate_transformation_mode,
                                 {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                                  "align_corners", "asymmetric", "tf_crop_and_resize",
                                  "tf_half_pixel_for_nn"}))
    return e;
  if (llvm::Error e = checkOneOf(ctx, AttrName::nearest_mode,
                                 {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}))
    return e;
  if (llvm::Error e = checkOneOf(ctx, AttrName::keep_aspect_ratio_policy,
                                 {"stretch", "not_larger", "not_smaller"}))
    return e;
  int64_t antialias = ctx.node.getInt(AttrName::antialias);
  int64_t excludeOutside = ctx.node.getInt(AttrName::exclude_outside);
  if ((antialias != 0 && antialias != 1) || (excludeOutside != 0 && excludeOutside != 1))
    return ctx.error(llvm::formatv("antialias ({0}) and exclude_outside ({1}) must be 0 or 1",
                                   antialias, excludeOutside));
  if (antialias && ctx.node.getString(AttrName::mode) == "nearest")
    return ctx.error("antialias is not supported with mode 'nearest'");
  return llvm::Error::success();
}

/// Shortest "%g"-style text of a scale, for messages.
std::string formatScale(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", s);
  return buffer;
}

/// Whether optional input `i` is given: present and not an empty tensor
/// (opset 11-13 models pass an empty tensor for "absent").
bool isGiven(const InferContext &ctx, size_t i) {
  if (!ctx.has(i))
    return false;
  if (const Tensor *v = ctx.value(i))
    return v->numElements() != 0;
  const Shape &s = ctx.shape(i);
  return !(s.isStatic() && s.numElements() == 0);
}

/// Checks a 1-D input of `count` values (one per resized axis).
llvm::Error checkVector(const InferContext &ctx, size_t i, llvm::StringRef what,
                        size_t count, bool wantFloat) {
  const Type &t = ctx.type(i);
  if (wantFloat ? !isFloatType(t.elem) : !isIntegerType(t.elem))
    return ctx.error(llvm::formatv("{0} has element type {1}, expected {2}", what,
                                   elemTypeName(t.elem), wantFloat ? "f32" : "i64"));
  if (!t.shape.isRanked())
    return llvm::Error::success();
  if (t.shape.rank() != 1)
    return ctx.error(llvm::formatv("{0} has shape {1}, expected 1-D", what, t.shape.str()));
  if (t.shape[0].isStatic() && size_t(t.shape[0].value()) != count)
    return ctx.error(llvm::formatv("{0} has {1} values, expected {2}", what,
                                   t.shape[0].value(), count));
  return llvm::Error::success();
}

} // namespace

llvm::Expected<ResizePlan> planResize(const InferContext &ctx) {
  if (llvm::Error e = checkAttributes(ctx))
    return e;
  const Shape &x = ctx.shape(0);
  assert(x.isRanked() && "planResize needs a ranked input");
  int64_t rank = int64_t(x.rank());

  // Axes the roi/scales/sizes inputs refer to.
  std::vector<int64_t> axes;
  if (const auto *a = ctx.node.findInts(AttrName::axes)) {
    std::vector<bool> seen(size_t(rank), false);
    for (int64_t axis : *a) {
      auto n = normalizeAxis(ctx, axis, rank);
      if (!n)
        return n.takeError();
      if (seen[size_t(*n)])
        return ctx.error(llvm::formatv("axis {0} is repeated in axes", axis));
      seen[size_t(*n)] = true;
      axes.push_back(*n);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  size_t numAxes = axes.size();

  ResizePlan plan;
  plan.resized.assign(size_t(rank), false);
  plan.scales.assign(size_t(rank), 1.0);
  plan.outDims = x.dims();
  plan.roiStart.assign(size_t(rank), 0.0);
  plan.roiEnd.assign(size_t(rank), 1.0);
  for (int64_t a : axes)
    plan.resized[size_t(a)] = true;

  bool cropAndResize =
      ctx.node.getString(AttrName::coordinate_transformation_mode) == "tf_crop_and_resize";
  if (isGiven(ctx, kRoi)) {
    if (llvm::Error e = checkVector(ctx, kRoi, "roi", 2 * numAxes, /*wantFloat=*/true))
      return e;
    if (const Tensor *roi = ctx.value(kRoi)) {
      for (int64_t i = 0; i < roi->numElements(); ++i)
        if (!std::isfinite(roi->getDouble(i)))
          return ctx.error(llvm::formatv("roi value {0} is not finite", i));
      for (size_t i = 0; i < numAxes; ++i) {
        plan.roiStart[size_t(axes[i])] = roi->getDouble(int64_t(i));
        plan.roiEnd[size_t(axes[i])] = roi->getDouble(int64_t(numAxes + i));
      }
      plan.roiKnown = true;
    }
  } else if (cropAndResize) {
    return ctx.error("coordinate_transformation_mode 'tf_crop_and_resize' needs the roi input");
  } else {
    plan.roiKnown = true;
  }

  bool haveScales = isGiven(ctx, kScales), haveSizes = isGiven(ctx, kSizes);
  if (haveScales == haveSizes)
    return ctx.error(haveScales ? "scales and sizes are both given, expected exactly one"
                                : "neither scales nor sizes is given, expected exactly one");

  if (haveScales) {
    if (llvm::Error e = checkVector(ctx, kScales, "scales", numAxes, /*wantFloat=*/true))
      return e;
    const Tensor *scales = ctx.value(kScales);
    for (size_t i = 0; i < numAxes; ++i) {
      size_t d = size_t(axes[i]);
      if (!scales) {
        plan.scales[d] = std::nullopt;
        plan.outDims[d] = Dim::unknown();
        continue;
      }
      double s = scales->getDouble(int64_t(i));
      if (!(s > 0) || !std::isfinite(s))
        return ctx.error("scale " + llvm::Twine(formatScale(s)) + " for axis " + llvm::Twine(d) +
                         " is not positive and finite");
      plan.scales[d] = s;
      if (x[d].isStatic()) {
        double extent = std::floor(double(x[d].value()) * s);
        if (extent > kMaxExtent)
          return ctx.error("scale " + llvm::Twine(formatScale(s)) + " makes axis " +
                           llvm::Twine(d) + " larger than 2^48 elements");
        plan.outDims[d] = Dim(int64_t(extent));
      }
      else if (s != 1.0)
        plan.outDims[d] = Dim::unknown();
    }
    return plan;
  }

  if (llvm::Error e = checkVector(ctx, kSizes, "sizes", numAxes, /*wantFloat=*/false))
    return e;
  const Tensor *sizes = ctx.value(kSizes);
  if (!sizes) {
    for (int64_t a : axes) {
      plan.scales[size_t(a)] = std::nullopt;
      plan.outDims[size_t(a)] = Dim::unknown();
    }
    return plan;
  }
  std::vector<int64_t> wanted = toInt64s(*sizes);
  bool allStatic = true;
  for (size_t i = 0; i < numAxes; ++i) {
    size_t d = size_t(axes[i]);
    if (wanted[i] <= 0)
      return ctx.error(llvm::formatv("size {0} for axis {1} is not positive", wanted[i], d));
    if (double(wanted[i]) > kMaxExtent)
      return ctx.error(llvm::formatv("size {0} for axis {1} is larger than 2^48", wanted[i], d));
    if (x[d].isStatic() && x[d].value() == 0)
      return ctx.error(llvm::formatv("axis {0} has extent 0 and cannot be resized to {1}", d,
                                     wanted[i]));
    allStatic = allStatic && x[d].isStatic();
  }

  const std::string &policy = ctx.node.getString(AttrName::keep_aspect_ratio_policy);
  if (policy == "stretch") {
    for (size_t i = 0; i < numAxes; ++i) {
      size_t d = size_t(axes[i]);
      plan.outDims[d] = Dim(wanted[i]);
      plan.scales[d] = x[d].isStatic() ? std::optional<double>(double(wanted[i]) /
                                                                double(x[d].value()))
                                       : std::nullopt;
    }
    return plan;
  }
  if (!allStatic) {
    for (int64_t a : axes) {
      plan.scales[size_t(a)] = std::nullopt;
      plan.outDims[size_t(a)] = Dim::unknown();
    }
    return plan;
  }
  // One scale for all resized axes, so the aspect ratio is kept; the output
  // extent rounds half up (as the spec's round_int).
  double scale = policy == "not_larger" ? INFINITY : 0.0;
  for (size_t i = 0; i < numAxes; ++i) {
    double s = double(wanted[i]) / double(x[size_t(axes[i])].value());
    scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
  }
  for (int64_t a : axes) {
    size_t d = size_t(a);
    double extent = std::floor(scale * double(x[d].value()) + 0.5);
    if (extent > kMaxExtent)
      return ctx.error(llvm::formatv("keep_aspect_ratio_policy makes axis {0} larger than "
                                     "2^48 elements",
                                     d));
    plan.scales[d] = scale;
    plan.outDims[d] = Dim(int64_t(extent));
  }
  return plan;
}

llvm::Expected<std::vector<Type>> inferResize(const InferContext &ctx) {
  const Type &in = ctx.type(0);
  if (!isFloatType(in.elem) && !isIntegerType(in.elem))
    return ctx.error(llvm::formatv("input has element type {0}, expected a numeric type",
                                   elemTypeName(in.elem)));
  // Interpolation weights sum to 1: per-tensor quantization carries over.
  Type out(in.elem, Shape::unranked());
  if (in.quant && in.quant->isPerTensor())
    out.quant = in.quant;
  if (!in.shape.isRanked()) {
    if (llvm::Error e = checkAttributes(ctx))
      return e;
    return std::vector<Type>{out};
  }
  auto plan = planResize(ctx);
  if (!plan)
    return plan.takeError();
  out.shape = Shape(plan->outDims);
  return std::vector<Type>{out};
}

} // namespace qc::ir::infer
