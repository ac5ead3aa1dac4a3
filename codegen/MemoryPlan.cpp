// Arena planning: liveness intervals to offsets, greedy best fit.
#include "codegen/MemoryPlan.h"

#include <algorithm>
#include <numeric>

namespace qc::codegen {

namespace {
constexpr int64_t kAlign = 64;
int64_t alignUp(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
} // namespace

int64_t planOffsets(const std::vector<PlanItem> &items, std::vector<int64_t> &offsets) {
  offsets.assign(items.size(), 0);
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return items[a].bytes > items[b].bytes; });
  struct Placed {
    int64_t begin, end;
  };
  std::vector<size_t> placed;
  int64_t total = 0;
  for (size_t i : order) {
    const PlanItem &item = items[i];
    int64_t size = alignUp(std::max<int64_t>(item.bytes, 1));
    // Intervals of placed items alive at the same time, by offset.
    std::vector<Placed> busy;
    for (size_t j : placed)
      if (items[j].first <= item.last && item.first <= items[j].last)
        busy.push_back({offsets[j], offsets[j] + alignUp(std::max<int64_t>(items[j].bytes, 1))});
    std::sort(busy.begin(), busy.end(),
              [](const Placed &a, const Placed &b) { return a.begin < b.begin; });
    // Best fit: the smallest gap that holds the item; else after the last.
    int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
    for (const Placed &b : busy) {
      if (b.begin > cursor) {
        int64_t gap = b.begin - cursor;
        if (gap >= size && gap < bestGap) {
          best = cursor;
          bestGap = gap;
        }
      }
      cursor = std::max(cursor, b.end);
    }
    offsets[i] = best >= 0 ? best : cursor;
    total = std::max(total, offsets[i] + size);
    placed.push_back(i);
  }
  return total;
}

void planMemory(Program &program) {
  for (bool batched : {false, true}) {
    std::vector<PlanItem> items;
    std::vector<unsigned> ids;
    for (unsigned b = 0; b < program.buffers.size(); ++b) {
      const Buffer &buf = program.buffers[b];
      if (buf.kind != BufferKind::Arena || buf.batched != batched || buf.firstStep < 0)
        continue;
      items.push_back({buf.bytes, buf.firstStep, buf.lastStep});
      ids.push_back(b);
    }
    std::vector<int64_t> offsets;
    int64_t size = planOffsets(items, offsets);
    for (size_t i = 0; i < ids.size(); ++i)
      program.buffers[ids[i]].offset = offsets[i];
    (batched ? program.arenaBatchBytes : program.arenaStaticBytes) = static_cast<uint64_t>(size);
  }
}

} // namespace qc::codegen
