// The reduction index map shared by the Reduce* kernels and qc.QReduceMean.
#pragma once

#include <optional>
#include <vector>

#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

/// For every element of input 0, the flat index of the output element it
/// reduces into, per the axes input (operand 1) and noop_with_empty_axes of
/// ctx.node. Returns nullopt for the identity case (empty axes with
/// noop_with_empty_axes).
std::optional<std::vector<int64_t>> reduceIndexMap(const EvalContext &ctx);

} // namespace qc::interp::kernels
