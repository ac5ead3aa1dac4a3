// Reference kernel for Resize (opset 19): nearest, n-linear and cubic
// interpolation, every coordinate transformation mode, antialiased linear and
// cubic downsampling. Interpolation is separable: each output coordinate
// along each dim samples a few input indices with weights (the ONNX
// reference's 1-D rule), and an output element is the weighted sum over the
// product of its per-dim samples.
#include "interp/kernels/Kernels.h"

#include <cmath>

#include "ir/infer/Resize.h"

namespace qc::interp::kernels {

using ir::Tensor;

namespace {

enum class Mode { Nearest, Linear, Cubic };

struct Options {
  Mode mode;
  std::string coordinateMode, nearestMode;
  double cubicA;
  bool excludeOutside, antialias;
};

struct Tap {
  int64_t index; // clamped into the input
  double weight;
};

/// The samples of one output coordinate along one dim; `outside` when
/// tf_crop_and_resize maps it outside the input (extrapolation_value).
struct Sample {
  bool outside = false;
  std::vector<Tap> taps;
};

/// The input coordinate output coordinate `o` maps to (ONNX
/// coordinate_transformation_mode); nullopt when outside the crop region.
std::optional<double> inputCoordinate(const Options &opt, int64_t o, int64_t inLen,
                                      int64_t outLen, double scale, double roiStart,
                                      double roiEnd) {
  double x = double(o);
  double in = double(inLen);
  double outWidth = scale * in; // the unrounded output extent
  const std::string &m = opt.coordinateMode;
  if (m == "align_corners")
    return outWidth == 1 ? 0.0 : x * (in - 1) / (outWidth - 1);
  if (m == "asymmetric")
    return x / scale;
  if (m == "pytorch_half_pixel")
    return outWidth == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  if (m == "half_pixel")
    return (x + 0.5) / scale - 0.5;
  if (m == "half_pixel_symmetric") {
    // Centers the (rounded) output on the input.
    double adjustment = double(outLen) / outWidth;
    double offset = in / 2 * (1 - adjustment);
    return offset + (x + 0.5) / scale - 0.5;
  }
  if (m == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  assert(m == "tf_crop_and_resize" && "mode checked by shape inference");
  double c = outWidth == 1 ? (roiEnd - roiStart) * (in - 1) / 2
                           : x * (roiEnd - roiStart) * (in - 1) / (outWidth - 1);
  c += roiStart * (in - 1);
  if (c < 0 || c > in - 1)
    return std::nullopt;
  return c;
}

/// The Keys cubic convolution kernel with parameter a.
double cubicKernel(double x, double a) {
  x = std::abs(x);
  if (x <= 1)
    return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2)
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

Sample sampleAt(const Options &opt, int64_t o, int64_t inLen, int64_t outLen, double scale,
                double roiStart, double roiEnd) {
  Sample s;
  std::optional<double> coord =
      inputCoordinate(opt, o, inLen, outLen, scale, roiStart, roiEnd);
  if (!coord) {
    s.outside = true;
    return s;
  }
  // x = left + ratio with ratio in (0, 1]: an integral coordinate takes its
  // left neighbour with ratio 1 (the reference's neighbour preference).
  double left = std::floor(*coord);
  double ratio = *coord - left;
  if (ratio == 0) {
    left -= 1;
    ratio = 1;
  }
  int64_t base = int64_t(left);

  std::vector<Tap> taps; // unclamped indices
  switch (opt.mode) {
  case Mode::Nearest: {
    bool right;
    const std::string &m = opt.nearestMode;
    if (ratio == 1 || m == "ceil")
      right = true;
    else if (m == "floor")
      right = false;
    else if (m == "round_prefer_ceil")
      right = ratio >= 0.5;
    else
      right = ratio > 0.5; // round_prefer_floor
    taps.push_back({base + (right ? 1 : 0), 1.0});
    break;
  }
  case Mode::Linear:
    if (!opt.antialias) {
      taps = {{base, 1 - ratio}, {base + 1, ratio}};
      break;
    }
    {
      // The triangle filter stretched by 1/scale when downsampling.
      double s = std::min(scale, 1.0);
      int64_t start = int64_t(std::floor(-1 / s)) + 1;
      for (int64_t k = start; k < 1 - start + 1; ++k)
        taps.push_back({base + k, std::clamp(1 - std::abs((double(k) - ratio) * s), 0.0, 1.0)});
    }
    break;
  case Mode::Cubic:
    if (!opt.antialias) {
      for (int64_t k = -1; k <= 2; ++k)
        taps.push_back({base + k, cubicKernel(double(k) - ratio, opt.cubicA)});
      break;
    }
    {
      double s = std::min(scale, 1.0);
      int64_t start = int64_t(std::floor(-2 / s)) + 1;
      for (int64_t k = start; k < 2 - start; ++k)
        taps.push_back({base + k, cubicKernel(s * (double(k) - ratio), opt.cubicA)});
    }
    break;
  }

  if (opt.mode != Mode::Nearest) {
    if (opt.excludeOutside)
      for (Tap &t : taps)
        if (t.index < 0 || t.index >= inLen)
          t.weight = 0;
    // Antialiased filters and exclude_outside renormalize to a sum of 1.
    if (opt.antialias || opt.excludeOutside) {
      double sum = 0;
      for (const Tap &t : taps)
        sum += t.weight;
      if (sum != 0)
        for (Tap &t : taps)
          t.weight /= sum;
    }
  }
  // Edge padding: indices outside the input read its border element. Taps
  // of weight 0 contribute nothing and are dropped (so an inf neighbour
  // cannot turn into NaN).
  for (Tap t : taps) {
    if (t.weight == 0)
      continue;
    t.index = std::clamp<int64_t>(t.index, 0, inLen - 1);
    s.taps.push_back(t);
  }
  return s;
}

/// Advances a multi-index over `extents` in row-major order; false after
/// the last one.
bool nextIndex(std::vector<int64_t> &index, llvm::ArrayRef<int64_t> extents) {
  for (size_t d = index.size(); d-- > 0;) {
    if (++index[d] < extents[d])
      return true;
    index[d] = 0;
  }
  return false;
}

/// The sum over the product of the per-dim taps of weight * input element.
double weightedSum(const Tensor &x, llvm::ArrayRef<int64_t> inStrides,
                   llvm::ArrayRef<const Sample *> samples) {
  size_t rank = samples.size();
  std::vector<int64_t> tap(rank, 0), counts(rank, 0);
  for (size_t d = 0; d < rank; ++d) {
    counts[d] = int64_t(samples[d]->taps.size());
    if (counts[d] == 0)
      return 0;
  }
  double sum = 0;
  do {
    double weight = 1;
    int64_t flat = 0;
    for (size_t d = 0; d < rank; ++d) {
      const Tap &t = samples[d]->taps[size_t(tap[d])];
      weight *= t.weight;
      flat += t.index * inStrides[d];
    }
    sum += weight * x.getDouble(flat);
  } while (nextIndex(tap, counts));
  return sum;
}

/// Rounds half to even and saturates to an integer type's range.
int64_t roundToInt(double v, ir::ElemType t) {
  double lo = double(ir::elemTypeMin(t)), hi = double(ir::elemTypeMax(t));
  if (std::isnan(v))
    return 0;
  double r = std::nearbyint(v);
  if (r <= lo)
    return ir::elemTypeMin(t);
  if (r >= hi)
    return ir::elemTypeMax(t);
  return int64_t(r);
}

} // namespace

llvm::Error evalResize(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  Tensor &y = ctx.out();

  std::vector<ir::Type> types;
  for (const Tensor *t : ctx.inputs)
    types.push_back(t ? t->type() : ir::Type());
  ir::InferContext ictx{ctx.node, {}, ctx.inputs};
  for (size_t i = 0; i < types.size(); ++i)
    ictx.operandTypes.push_back(ctx.inputs[i] ? &types[i] : nullptr);
  auto plan = ir::infer::planResize(ictx);
  if (!plan)
    return plan.takeError();

  const ir::Node &node = ctx.node;
  Options opt;
  const std::string &mode = node.getString(ir::AttrName::mode);
  opt.mode = mode == "nearest" ? Mode::Nearest : mode == "linear" ? Mode::Linear : Mode::Cubic;
  opt.coordinateMode = node.getString(ir::AttrName::coordinate_transformation_mode);
  opt.nearestMode = node.getString(ir::AttrName::nearest_mode);
  opt.cubicA = node.getFloat(ir::AttrName::cubic_coeff_a);
  opt.excludeOutside = node.getInt(ir::AttrName::exclude_outside) == 1;
  opt.antialias = node.getInt(ir::AttrName::antialias) == 1;

  size_t rank = x.rank();
  // Per dim and output coordinate: the input samples.
  std::vector<std::vector<Sample>> samples(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t inLen = x.dims()[d], outLen = y.dims()[d];
    for (int64_t o = 0; o < outLen; ++o) {
      if (!plan->resized[d]) {
        samples[d].push_back(Sample{false, {{o, 1.0}}});
        continue;
      }
      assert(plan->scales[d] && "all inputs are known when evaluating");
      samples[d].push_back(sampleAt(opt, o, inLen, outLen, *plan->scales[d],
                                    plan->roiStart[d], plan->roiEnd[d]));
    }
  }

  std::vector<int64_t> inStrides = ir::rowMajorStrides(x.dims());
  double extrapolation = node.getFloat(ir::AttrName::extrapolation_value);
  bool isFloat = ir::isFloatType(x.elemType());
  std::vector<int64_t> outIndex(rank, 0);
  std::vector<const Sample *> at(rank);
  for (int64_t o = 0; o < y.numElements(); ++o) {
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) {
      at[d] = &samples[d][size_t(outIndex[d])];
      outside = outside || at[d]->outside;
    }
    if (outside) {
      if (isFloat)
        y.setDouble(o, extrapolation);
      else
        y.setInt(o, roundToInt(extrapolation, x.elemType()));
    } else if (opt.mode == Mode::Nearest) {
      // One tap per dim: copy the element exactly.
      int64_t flat = 0;
      for (size_t d = 0; d < rank; ++d)
        flat += at[d]->taps[0].index * inStrides[d];
      if (isFloat)
        y.setDouble(o, x.getDouble(flat));
      else
        y.setInt(o, x.getInt(flat));
    } else {
      double v = weightedSum(x, inStrides, at);
      if (isFloat)
        y.setDouble(o, v);
      else
        y.setInt(o, roundToInt(v, x.elemType()));
    }
    nextIndex(outIndex, y.dims());
  }
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
