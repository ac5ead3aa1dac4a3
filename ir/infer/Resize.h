// Resize's resolved per-dimension geometry (scales, output extents, crop
// region), shared by its shape inference and the interpreter's kernel so
// both derive sizes and scales from one implementation.
#pragma once

#include <optional>
#include <vector>

#include "ir/ShapeInference.h"

namespace qc::ir::infer {

struct ResizePlan {
  /// Per input dim: whether the dim is resized (listed in `axes`, or every
  /// dim when `axes` is absent). Other dims are copied unchanged.
  std::vector<bool> resized;
  /// Per input dim: the scale the coordinate transformation uses (1 for dims
  /// not resized); nullopt where scales/sizes or the input extent are not
  /// known.
  std::vector<std::optional<double>> scales;
  /// Per input dim: the output extent.
  std::vector<Dim> outDims;
  /// Per input dim: the crop region of tf_crop_and_resize in normalized
  /// coordinates (0 and 1 where roi does not apply); valid when roiKnown.
  std::vector<double> roiStart, roiEnd;
  bool roiKnown = false;
};

/// Validates Resize's attributes and inputs (X ranked) and resolves its
/// geometry from the known constant inputs.
llvm::Expected<ResizePlan> planResize(const InferContext &ctx);

} // namespace qc::ir::infer
