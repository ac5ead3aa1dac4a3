// Parameter rules of the data-movement ops (Slice ranges, Pad amounts, axis
// lists, Shape bounds), shared by their shape inference and reference kernels
// so the two cannot disagree, and helpers of their inference rules.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "ir/ShapeInference.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace qc::ir::infer {

/// Upper bound on the element count of a data-movement result whose extents
/// come from operand values (ConstantOfShape, Expand, Tile, Pad, Range): a
/// malformed model must get an error, not an allocation failure.
constexpr int64_t kMaxResultElements = int64_t(1) << 32;

// The rules below return errors without a node prefix: callers add it.

/// Normalizes a list of possibly negative axes into [0, rank); errors name
/// `what` and the offending value, and reject duplicates.
llvm::Expected<std::vector<int64_t>>
normalizeAxisList(llvm::ArrayRef<int64_t> axes, int64_t rank, llvm::StringRef what);

/// Slice's operands after validation: axes normalized (defaulting to
/// 0..n-1), steps defaulting to 1, all lists of the same length.
struct SliceParams {
  std::vector<int64_t> axes, starts, ends, steps;
};
llvm::Expected<SliceParams>
parseSliceParams(int64_t rank, llvm::ArrayRef<int64_t> starts,
                 llvm::ArrayRef<int64_t> ends,
                 const std::optional<std::vector<int64_t>> &axes,
                 const std::optional<std::vector<int64_t>> &steps);

/// One sliced axis: first input index, step and output extent, after ONNX's
/// rules (negative indices count from the end, then clamping to [0, dim] for
/// positive steps and [-1, dim - 1] for negative ones). `step` must not be 0.
struct SliceRange {
  int64_t start = 0, step = 1, size = 0;
};
SliceRange resolveSliceRange(int64_t dim, int64_t start, int64_t end, int64_t step);

/// Pad amounts per dimension (begin, end) from Pad's `pads` operand
/// ([x1_begin, x2_begin, ..., x1_end, x2_end] over `axes`, default all).
llvm::Expected<std::vector<std::pair<int64_t, int64_t>>>
parsePadAmounts(int64_t rank, llvm::ArrayRef<int64_t> pads,
                const std::optional<std::vector<int64_t>> &axes);

/// The [first, last) range of dims Shape(start, end) returns for a rank.
std::pair<int64_t, int64_t> shapeOpBounds(int64_t rank, int64_t start,
                                          std::optional<int64_t> end);

/// Helpers of the data-movement inference rules.
namespace dm {

/// Where a per-axis quantized axis goes through an op (nullopt: dropped).
using AxisMap = llvm::function_ref<std::optional<int64_t>(int64_t)>;

/// Quantization carried from a data-movement input to its result: the same
/// integers mean the same reals, so per-tensor parameters carry over as they
/// are; per-axis ones only when `mapAxis` says where the quantized axis went
/// (nullopt: the op resizes or reshuffles that axis, so they are dropped).
std::optional<QuantParams> carryQuant(const Type &in, AxisMap mapAxis);
/// The input's element type with `shape` and the carried quantization.
Type resultType(const Type &in, Shape shape, AxisMap mapAxis);

std::vector<Dim> unknownDims(size_t rank);
/// Product of dims: static when all are; a lone symbol times static 1s stays
/// that symbol; a static 0 makes it 0 whatever the rest; else unknown.
Dim productDim(llvm::ArrayRef<Dim> dims);
/// Rejects a result shape of more than kMaxResultElements static elements.
llvm::Error checkResultSize(const InferContext &ctx, const Shape &shape);

/// An index-like operand (shape, axes, pads, starts, repeats, ...): checks it
/// is an integer list (1-D, or a scalar when `allowScalar`) and returns its
/// values when known; nullopt when absent or not known.
llvm::Expected<std::optional<std::vector<int64_t>>>
indexList(const InferContext &ctx, size_t i, llvm::StringRef what,
          bool allowScalar = false);
/// The length of an index-list operand when its value or shape tells.
std::optional<int64_t> indexListLength(const InferContext &ctx, size_t i);

/// A prefix-less error from the rules above, prefixed with the node.
llvm::Error wrap(const InferContext &ctx, llvm::Error e);
/// "[1, 2, 3]", for messages.
std::string listStr(llvm::ArrayRef<int64_t> values);

} // namespace dm
} // namespace qc::ir::infer
