// Matching helpers shared by the QDQ folding passes: read a Q/DQ node's
// parameters as ir::QuantParams, match activation and weight DQs, find the Q
// that consumes a value through an optional Relu/Clip, build quantized types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ir/Graph.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace qc::passes {

/// A failed match: the message is the reason, ready for Node::setRemark
/// (`remarkFrom` takes it out of an Expected).
llvm::Error mismatch(const llvm::Twine &reason);
/// Consumes the error and returns its message.
std::string remarkFrom(llvm::Error error);

/// Whether `v` is one of the graph's outputs.
bool isGraphOutput(const ir::Graph &graph, const ir::Value *v);
/// Whether `v` is one of the graph's inputs.
bool isGraphInput(const ir::Graph &graph, const ir::Value *v);

/// Quantization parameters from constant scale and (optional) zero point
/// values, as the QLinear* ops give them: one element is per-tensor,
/// otherwise per-axis along `axis` (which the caller has normalized).
/// `who` names the node in the failure reason.
llvm::Expected<ir::QuantParams> quantParamsFrom(const ir::Value *scale, const ir::Value *zeroPoint,
                                                std::optional<int64_t> axis,
                                                const llvm::Twine &who);

/// The parameters of a QuantizeLinear or DequantizeLinear node, read from its
/// constant scale and (optional) zero point operands. A scale of one element
/// (a scalar, or shape [1] as PyTorch writes it) is per-tensor; a 1-D scale is
/// per-axis (axis normalized to the data rank); block_size > 0 is blocked.
/// Fails when the scale or zero point is not constant.
llvm::Expected<ir::QuantParams> quantParamsOf(const ir::Node &qdq);

/// What a DequantizeLinear applies or a QuantizeLinear produces: the integer
/// type and its parameters.
struct QdqParams {
  ir::ElemType elem;
  ir::QuantParams quant;
  bool operator==(const QdqParams &o) const { return elem == o.elem && quant == o.quant; }
};

/// The parameters of a DQ or Q node (read by quantParamsOf) with its integer
/// type; nullopt with `why` set when they are not known at compile time.
std::optional<QdqParams> readQdqParams(const ir::Node &node, std::string &why);

/// `type` with quantization parameters `params` (the element type and shape
/// stay).
ir::Type withQuant(ir::Type type, ir::QuantParams params);

/// A value produced by DequantizeLinear.
struct DqMatch {
  ir::Node *dq = nullptr;
  ir::Value *input = nullptr; // the integer tensor behind the DQ
  ir::QuantParams params;
};

/// `v` = DequantizeLinear(x) of an activation: x is u8 or i8, the parameters
/// are per-tensor and constant, the result is f32.
llvm::Expected<DqMatch> matchActivationDq(ir::Value *v);

/// `v` = DequantizeLinear(w) of a weight: w is an integer constant (u8/i8,
/// or u4/i4 which the caller widens to u8/i8),
/// the parameters are constant, per-tensor or per-axis (not blocked), and the
/// result is f32. The caller checks that the axis is the one it needs.
llvm::Expected<DqMatch> matchWeightDq(ir::Value *v);

/// Gives the integer tensor `x` the quantization parameters `params` in its
/// type, so that qc ops reading it see them. Returns false (and changes
/// nothing) when x already carries different parameters.
bool attachQuantParams(ir::Value *x, const ir::QuantParams &params);

/// ONNX QuantizeLinear of one value: saturate(rne(r / scale) + zp), the
/// division and rounding in fp32 as the reference does.
int64_t quantizeValue(float r, float scale, int64_t zeroPoint, ir::ElemType type);

/// The result type of a per-tensor QuantizeLinear (u8/i8 output, constant
/// parameters, f32 input) with its parameters attached.
llvm::Expected<ir::Type> quantizedResultType(const ir::Node &q);

/// The fused activation clamp [min, max] in the integer units of `quantType`
/// (a per-tensor quantized type): Relu -> [zp, type max]; Clip(lo, hi) with
/// constant (or absent) bounds -> [Q(lo), Q(hi)] within the type's range.
llvm::Expected<std::pair<int64_t, int64_t>> activationClamp(const ir::Node &activation,
                                                            const ir::Type &quantType);

/// The Q that ends a fused pattern.
struct QMatch {
  ir::Node *activation = nullptr; // the fused Relu or Clip, if any
  ir::Node *q = nullptr;
  ir::Type resultType; // Q's result type with its parameters
  /// The clamp from the activation; unset without one.
  std::optional<std::pair<int64_t, int64_t>> clamp;
};

/// Finds the per-tensor QuantizeLinear that is the only consumer of `v`,
/// directly or through a Relu/Clip that is v's only consumer (when
/// `allowActivation`). `v` (and the activation's result) must not be graph
/// outputs: their float values would be lost.
llvm::Expected<QMatch> matchOutputQ(const ir::Graph &graph, ir::Value *v,
                                    bool allowActivation = true);

} // namespace qc::passes
