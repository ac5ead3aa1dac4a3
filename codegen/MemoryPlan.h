// The static memory plan of a Program: arena offsets from buffer lifetimes,
// greedy best fit, 64-byte aligned, one plan for the static region and one
// (per unit of batch) for the batch region.
#pragma once

#include <cstdint>
#include <vector>

#include "codegen/Lowering.h"

namespace qc::codegen {

/// One arena buffer to place: size in bytes, live over steps [first, last].
struct PlanItem {
  int64_t bytes = 0;
  int first = 0, last = 0;
};

/// Offsets (64-byte aligned) such that items whose lifetimes intersect do
/// not overlap; returns the region size. Deterministic: larger items first,
/// ties by index.
int64_t planOffsets(const std::vector<PlanItem> &items, std::vector<int64_t> &offsets);

/// Fills offset of every Arena buffer of `program` and its arena sizes.
void planMemory(Program &program);

} // namespace qc::codegen
