// Per-op inference rules, one function per op in Ops.def, defined in the
// family files beside this header (Quant, Linear, Elementwise, ...), plus
// helpers those rules share.
#pragma once

#include <optional>

#include "ir/ShapeInference.h"

namespace qc::ir::infer {

#define QC_OP(Kind, Name, MinIn, MaxIn, MinOut, MaxOut)                        \
  llvm::Expected<std::vector<Type>> infer##Kind(const InferContext &ctx);
#include "ir/Ops.def"

/// Numpy-style multidirectional broadcast of two shapes (ONNX semantics).
/// Symbolic dims broadcast against 1 and against an equal symbol.
llvm::Expected<Shape> broadcastShapes(const InferContext &ctx, const Shape &a,
                                      const Shape &b);

/// Normalizes a possibly negative axis into [0, rank); error when out of range.
llvm::Expected<int64_t> normalizeAxis(const InferContext &ctx, int64_t axis,
                                      int64_t rank);

/// Integer contents of a constant 1-D (or scalar) tensor as int64.
std::vector<int64_t> toInt64s(const Tensor &t);

/// Sliding-window geometry of Conv/pools along the spatial dims: resolves
/// auto_pad into explicit pads and computes output extents.
struct WindowGeometry {
  std::vector<int64_t> kernel, strides, dilations;
  std::vector<int64_t> pads; // begin pads then end pads, 2 * spatial rank
};

/// Reads kernel_shape (or `kernelFromWeights` when the attribute is absent),
/// strides, dilations, pads and auto_pad of ctx.node for `spatialRank` dims;
/// resolves SAME_UPPER/SAME_LOWER/VALID against `inputSpatial` (static dims
/// only; symbolic extents with SAME_* yield symbolic-unknown outputs).
llvm::Expected<WindowGeometry>
windowGeometry(const InferContext &ctx, size_t spatialRank,
               llvm::ArrayRef<Dim> inputSpatial,
               std::optional<std::vector<int64_t>> kernelFromWeights);

/// Output extent of one spatial dim (floor or ceil mode); unknown Dim when
/// the input is not static.
Dim windowOutputDim(const Dim &input, int64_t kernel, int64_t stride,
                    int64_t dilation, int64_t padBegin, int64_t padEnd,
                    bool ceilMode);

} // namespace qc::ir::infer
