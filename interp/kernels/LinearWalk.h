// The loops shared by the float, integer and quantized linear kernels: one
// convolution walk (Conv, ConvInteger, QLinearConv, qc.QConv), one transposed
// convolution walk (ConvTranspose, qc.QConvTranspose) and one batched matrix
// product walk (MatMul, MatMulInteger, QLinearMatMul, qc.QMatMul), parameterized by the
// accumulator type and by what is done with each finished sum.
#pragma once

#include <utility>
#include <vector>

#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

/// Elements of a tensor as doubles / int64, in row-major order.
std::vector<double> toDoubles(const ir::Tensor &t);
std::vector<int64_t> toInts(const ir::Tensor &t);

/// Geometry of a grouped, strided, dilated, padded forward convolution.
struct ConvShape {
  int64_t batch = 0, inChannels = 0, outChannels = 0, group = 1;
  std::vector<int64_t> inSpatial, outSpatial, kernel, strides, dilations, padsBegin;
};

/// The geometry of ctx.node (a Conv-like op) for input `x`, weight `w`
/// (M x C/group x k...) and the allocated output `y`.
llvm::Expected<ConvShape> convShape(const EvalContext &ctx, const ir::Tensor &x,
                                    const ir::Tensor &w, const ir::Tensor &y);

/// Row-major product of `dims`.
inline int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// For every output element y[n, m, o] (o a spatial position) computes
///   sum over c in m's group and kernel taps k of
///     x[n, c, o * stride - padBegin + k * dilation] * w[m, c, k]
/// and calls emit(flatIndexOfY, m, sum). Taps that land in the padding are
/// skipped: they read 0.0 for float convs, and for integer convs (whose `x`
/// and `w` arrive with zero points already subtracted) the padding value is
/// the input zero point, i.e. 0 after the subtraction.
template <typename Acc, typename Emit>
void convolve(const ConvShape &s, const std::vector<Acc> &x, const std::vector<Acc> &w, Emit emit) {
  size_t rank = s.inSpatial.size();
  int64_t inSize = product(s.inSpatial), outSize = product(s.outSpatial);
  int64_t kernelSize = product(s.kernel);
  int64_t inPerGroup = s.inChannels / s.group, outPerGroup = s.outChannels / s.group;
  // Coordinates of every kernel tap, decomposed once.
  std::vector<int64_t> taps(size_t(kernelSize) * rank);
  for (int64_t k = 0; k < kernelSize; ++k)
    for (size_t d = rank, rest = size_t(k); d-- > 0;) {
      taps[size_t(k) * rank + d] = int64_t(rest) % s.kernel[d];
      rest /= size_t(s.kernel[d]);
    }
  std::vector<int64_t> origin(rank);
  // The taps inside the input for one output position: (tap, input offset).
  std::vector<std::pair<int64_t, int64_t>> inside;
  for (int64_t o = 0; o < outSize; ++o) {
    for (size_t d = rank, rest = size_t(o); d-- > 0;) {
      origin[d] = int64_t(rest) % s.outSpatial[d] * s.strides[d] - s.padsBegin[d];
      rest /= size_t(s.outSpatial[d]);
    }
    inside.clear();
    for (int64_t k = 0; k < kernelSize; ++k) {
      int64_t inFlat = 0;
      bool isInside = true;
      for (size_t d = 0; d < rank && isInside; ++d) {
        int64_t pos = origin[d] + taps[size_t(k) * rank + d] * s.dilations[d];
        isInside = pos >= 0 && pos < s.inSpatial[d];
        inFlat = inFlat * s.inSpatial[d] + pos;
      }
      if (isInside)
        inside.emplace_back(k, inFlat);
    }
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t m = 0; m < s.outChannels; ++m) {
        int64_t firstChannel = (m / outPerGroup) * inPerGroup;
        Acc acc = 0;
        for (int64_t c = 0; c < inPerGroup; ++c) {
          const Acc *xPlane = x.data() + (n * s.inChannels + firstChannel + c) * inSize;
          const Acc *wKernel = w.data() + (m * inPerGroup + c) * kernelSize;
          for (auto [k, inFlat] : inside)
            acc += xPlane[inFlat] * wKernel[k];
        }
        emit((n * s.outChannels + m) * outSize + o, m, acc);
      }
  }
}

/// Geometry of a grouped, strided, dilated transposed convolution; pads may
/// be negative (output_shape can ask for more than the full output).
struct ConvTransposeShape {
  int64_t batch = 0, inChannels = 0, outChannels = 0, group = 1;
  std::vector<int64_t> inSpatial, outSpatial, kernel, strides, dilations, padsBegin;
};

/// The geometry of ctx.node (a ConvTranspose-like op) for input `x`, weight
/// `w` (C x M/group x k...) and the allocated output `y`.
llvm::Expected<ConvTransposeShape> convTransposeShape(const EvalContext &ctx, const ir::Tensor &x,
                                                      const ir::Tensor &w, const ir::Tensor &y);

/// The sums of a transposed convolution, one per output element (row-major
/// N x M x spatial): input position i and tap k contribute
/// x[n, c, i] * w[c, m, k] to output position i * stride + k * dilation -
/// padBegin; contributions outside the output are dropped.
template <typename Acc>
std::vector<Acc> convTransposeSums(const ConvTransposeShape &s, const std::vector<Acc> &x,
                                   const std::vector<Acc> &w) {
  size_t rank = s.inSpatial.size();
  int64_t inPerGroup = s.inChannels / s.group, outPerGroup = s.outChannels / s.group;
  int64_t inSize = product(s.inSpatial), outSize = product(s.outSpatial);
  int64_t kernelSize = product(s.kernel);
  std::vector<Acc> acc(size_t(s.batch * s.outChannels * outSize), Acc(0));
  std::vector<int64_t> inCoord(rank), tap(rank);
  for (int64_t i = 0; i < inSize; ++i) {
    for (size_t d = rank, rest = size_t(i); d-- > 0;) {
      inCoord[d] = int64_t(rest) % s.inSpatial[d];
      rest /= size_t(s.inSpatial[d]);
    }
    for (int64_t k = 0; k < kernelSize; ++k) {
      int64_t outFlat = 0;
      bool inside = true;
      for (size_t d = rank, rest = size_t(k); d-- > 0;) {
        tap[d] = int64_t(rest) % s.kernel[d];
        rest /= size_t(s.kernel[d]);
      }
      for (size_t d = 0; d < rank && inside; ++d) {
        int64_t pos = inCoord[d] * s.strides[d] + tap[d] * s.dilations[d] - s.padsBegin[d];
        inside = pos >= 0 && pos < s.outSpatial[d];
        outFlat = outFlat * s.outSpatial[d] + pos;
      }
      if (!inside)
        continue;
      for (int64_t n = 0; n < s.batch; ++n)
        for (int64_t c = 0; c < s.inChannels; ++c) {
          Acc xv = x[size_t((n * s.inChannels + c) * inSize + i)];
          int64_t firstOut = (c / inPerGroup) * outPerGroup;
          for (int64_t m = 0; m < outPerGroup; ++m)
            acc[size_t((n * s.outChannels + firstOut + m) * outSize + outFlat)] +=
                xv * w[size_t((c * outPerGroup + m) * kernelSize + k)];
        }
    }
  }
  return acc;
}

/// Geometry of numpy matmul on static shapes. 1-D operands are promoted
/// (A: [K] -> [1, K], B: [K] -> [K, 1]); the output's flat layout is the same
/// with or without the promoted dims.
struct MatMulShape {
  int64_t m = 0, k = 0, n = 0;
  std::vector<int64_t> aOffsets, bOffsets; // per output batch: matrix offsets
  std::vector<int64_t> fullDims;           // batch..., M, N (promoted kept)
};
MatMulShape matMulShape(llvm::ArrayRef<int64_t> aDims, llvm::ArrayRef<int64_t> bDims);

/// Calls emit(flatOutputIndex, sum_k a[.., i, k] * b[.., k, j]) for every
/// output element, in row-major order.
template <typename Acc, typename Emit>
void matMulWalk(const MatMulShape &s, const std::vector<Acc> &a, const std::vector<Acc> &b,
                Emit emit) {
  int64_t flat = 0;
  for (size_t batch = 0; batch < s.aOffsets.size(); ++batch) {
    const Acc *aMat = a.data() + s.aOffsets[batch];
    const Acc *bMat = b.data() + s.bOffsets[batch];
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t j = 0; j < s.n; ++j) {
        Acc acc = 0;
        for (int64_t kk = 0; kk < s.k; ++kk)
          acc += aMat[i * s.k + kk] * bMat[kk * s.n + j];
        emit(flat++, acc);
      }
  }
}

} // namespace qc::interp::kernels
