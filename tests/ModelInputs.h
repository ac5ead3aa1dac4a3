// What the whole-model tests (tests/e2e, tests/codegen) share: random inputs
// for a graph and the quantization step of its outputs.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "ir/Graph.h"

namespace qc::testing {

/// Standard-normal float inputs (the test models were calibrated on those),
/// uniform integers over the whole range of integer inputs; symbolic dims
/// bind to `batch`.
inline std::vector<ir::Tensor> randomInputs(const ir::Graph &graph, unsigned seed,
                                            int64_t batch) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<ir::Tensor> inputs;
  for (const ir::Value *in : graph.inputs()) {
    std::vector<int64_t> dims;
    for (const ir::Dim &d : in->type().shape.dims())
      dims.push_back(d.isStatic() ? d.value() : batch);
    ir::ElemType e = in->type().elem;
    ir::Tensor t(e, dims);
    for (int64_t i = 0; i < t.numElements(); ++i) {
      if (ir::isFloatType(e))
        t.setDouble(i, normal(rng));
      else
        t.setInt(i, ir::elemTypeMin(e) +
                        int64_t(rng() % uint64_t(ir::elemTypeMax(e) - ir::elemTypeMin(e) + 1)));
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

/// The scale of the DequantizeLinear producing output `index` of an
/// unfolded graph (one output quantization step), or 0 if there is none.
inline double outputStep(const ir::Graph &graph, size_t index) {
  const ir::Node *dq = graph.outputs()[index]->producer();
  if (!dq || dq->kind() != ir::OpKind::DequantizeLinear)
    return 0.0;
  const ir::Value *scale = dq->operand(1);
  // Exporters route shared scales through Identity nodes.
  while (scale->producer() && scale->producer()->kind() == ir::OpKind::Identity)
    scale = scale->producer()->operand(0);
  return scale->isConstant() ? scale->constant()->getDouble(0) : 0.0;
}

} // namespace qc::testing
