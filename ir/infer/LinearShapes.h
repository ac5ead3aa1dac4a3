// Shape rules shared by the Quant and Linear inference rules and by their
// reference kernels: quantization parameter layouts and conv/matmul geometry.
#pragma once

#include "ir/infer/InferRules.h"

namespace qc::ir::infer {

/// How a scale / zero-point tensor of QuantizeLinear or DequantizeLinear maps
/// onto the elements of the data tensor.
struct QuantLayout {
  enum class Kind { PerTensor, PerAxis, Blocked };
  Kind kind = Kind::PerTensor;
  int64_t axis = 0;      // normalized into [0, rank); PerAxis and Blocked only
  int64_t blockSize = 0; // Blocked only
};

/// Classifies `scale` against the data shape `data` with the node's `axis`
/// and `block_size` attributes: a scalar or 1-element tensor is per-tensor;
/// otherwise block_size 0 wants a 1-D tensor of data[axis] elements and
/// block_size > 0 a tensor of the data's shape except ceil(data[axis] /
/// block_size) along the axis. Symbolic extents are accepted unchecked.
llvm::Expected<QuantLayout> quantLayout(const InferContext &ctx, const Shape &data,
                                        const Shape &scale);

/// Checks a zero point's type and shape against its scale: `zeroPointType`
/// must be the quantized type `expectedElem` and the shapes must agree.
llvm::Error checkZeroPoint(const InferContext &ctx, const Type &zeroPoint, ElemType expectedElem,
                           const Shape &scale, llvm::StringRef zeroPointName);

/// Output shape of Conv / ConvInteger / QLinearConv from the input shape
/// (N x C x D1...) and weight shape (M x C/group x k1...): checks ranks and
/// channel counts. When `geometry` is given it receives the window geometry
/// with auto_pad resolved (pads exact only where the input is static).
llvm::Expected<Shape> convOutputShape(const InferContext &ctx, const Shape &x, const Shape &w,
                                      WindowGeometry *geometry = nullptr);

/// Output shape of ConvTranspose from the input (N x C x D1...) and weight
/// (C x M/group x k1...) shapes. When `geometry` is given it receives the
/// begin/end pads that the output_shape / auto_pad rules resolve to (which
/// may be negative: output_shape can ask for more than the full output).
llvm::Expected<Shape> convTransposeOutputShape(const InferContext &ctx, const Shape &x,
                                               const Shape &w, WindowGeometry *geometry = nullptr);

/// Output shape of numpy matmul: 1-D operands are promoted (and the promoted
/// dim removed again), batch dims broadcast, inner extents must agree.
llvm::Expected<Shape> matMulOutputShape(const InferContext &ctx, const Shape &a, const Shape &b);

/// The shape of a per-row (`rowSide`, for the left operand) or per-column
/// parameter of MatMulInteger / QLinearMatMul aligned to its operand so that
/// it broadcasts numpy-style: a 1-element tensor becomes a scalar, a 1-D
/// per-row vector [M] becomes [M, 1]. Errors unless the aligned shape
/// broadcasts onto `operand` without changing it.
llvm::Expected<Shape> alignMatMulParam(const InferContext &ctx, const Shape &operand,
                                       const Shape &param, bool rowSide, llvm::StringRef paramName);

} // namespace qc::ir::infer
