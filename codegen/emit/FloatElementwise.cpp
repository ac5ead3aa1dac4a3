// Emitters of the fp32 elementwise ops (arithmetic, activations, rounding)
// and Cast: one qc_f32_elementwise / qc_cast call over the broadcast n-d
// iteration of the output's physical layout (any layouts: Agnostic).
#include "codegen/Emit.h"
#include "codegen/kernels/F32Elementwise.h"

#include <cmath>
#include <limits>

namespace qc::codegen {

namespace {

using ir::ElemType;
using ir::OpKind;

// Elements a task should cover at least, so the pool's per-task cost stays
// small next to the work.
constexpr int64_t kTaskElements = 16384;

struct OpMapping {
  OpKind kind;
  qc_f32_op op;
};

constexpr OpMapping kOps[] = {
    {OpKind::Add, QC_F32_ADD},
    {OpKind::Sub, QC_F32_SUB},
    {OpKind::Mul, QC_F32_MUL},
    {OpKind::Div, QC_F32_DIV},
    {OpKind::Pow, QC_F32_POW},
    {OpKind::Min, QC_F32_MIN},
    {OpKind::Max, QC_F32_MAX},
    {OpKind::Sum, QC_F32_ADD},
    {OpKind::Mean, QC_F32_MEAN},
    {OpKind::PRelu, QC_F32_PRELU},
    {OpKind::Neg, QC_F32_NEG},
    {OpKind::Abs, QC_F32_ABS},
    {OpKind::Sqrt, QC_F32_SQRT},
    {OpKind::Reciprocal, QC_F32_RECIPROCAL},
    {OpKind::Exp, QC_F32_EXP},
    {OpKind::Log, QC_F32_LOG},
    {OpKind::Erf, QC_F32_ERF},
    {OpKind::Tanh, QC_F32_TANH},
    {OpKind::Sigmoid, QC_F32_SIGMOID},
    {OpKind::Relu, QC_F32_RELU},
    {OpKind::LeakyRelu, QC_F32_LEAKY_RELU},
    {OpKind::Clip, QC_F32_CLIP},
    {OpKind::HardSigmoid, QC_F32_HARD_SIGMOID},
    {OpKind::HardSwish, QC_F32_HARD_SWISH},
    {OpKind::Gelu, QC_F32_GELU_ERF},
    {OpKind::Floor, QC_F32_FLOOR},
    {OpKind::Ceil, QC_F32_CEIL},
    {OpKind::Round, QC_F32_ROUND},
};

/// Splits the rows of `nd` into tasks of about kTaskElements elements
/// (long rows into chunks).
void splitTasks(const qc_nd_shape &nd, int64_t &chunk, int64_t &chunksPerRow,
                int64_t &unitsPerTask, int64_t &totalUnits, int64_t &tasks) {
  int64_t inner = nd.dims[nd.rank - 1];
  int64_t rows = 1;
  for (int d = 0; d + 1 < nd.rank; ++d)
    rows *= nd.dims[d];
  chunk = inner > 2 * kTaskElements ? kTaskElements : inner;
  chunksPerRow = (inner + chunk - 1) / chunk;
  totalUnits = rows * chunksPerRow;
  unitsPerTask = std::max<int64_t>(1, kTaskElements / std::max<int64_t>(chunk, 1));
  tasks = std::max<int64_t>(1, (totalUnits + unitsPerTask - 1) / unitsPerTask);
}

/// A constant scalar operand's value as float.
std::optional<float> constantScalar(const Operand &op) {
  const ir::Tensor *t = op.constant();
  if (!t || t->numElements() != 1)
    return std::nullopt;
  return static_cast<float>(t->getDouble(0));
}

} // namespace

llvm::Expected<std::vector<KernelCall>> emitF32Elementwise(const EmitContext &ctx) {
  const ir::Node &node = ctx.node;
  qc_f32_op op = QC_F32_COPY;
  for (const OpMapping &m : kOps)
    if (m.kind == node.kind())
      op = m.op;
  if (op == QC_F32_COPY)
    return ctx.error("not an fp32 elementwise op");
  if (node.kind() == OpKind::Gelu && node.getString(ir::AttrName::approximate) == "tanh")
    op = QC_F32_GELU_TANH;

  const Operand &out = ctx.results[0];
  if (out.elemType() != ElemType::F32)
    return ctx.error("fp32 kernels only: result type is " +
                     ir::elemTypeName(out.elemType()));

  qc_f32_elementwise_params p{};
  p.op = op;
  p.alpha = 0.0f;
  p.beta = 0.0f;

  // Operands that become attributes of the kernel: Clip bounds and a
  // constant scalar Pow exponent.
  std::vector<const Operand *> data;
  for (size_t i = 0; i < ctx.operands.size(); ++i) {
    const Operand &o = ctx.operands[i];
    if (node.kind() == OpKind::Clip && i > 0) {
      float bound = i == 1 ? -std::numeric_limits<float>::infinity()
                           : std::numeric_limits<float>::infinity();
      if (o.present()) {
        std::optional<float> v = constantScalar(o);
        if (!v)
          return ctx.error(llvm::Twine(i == 1 ? "min" : "max") +
                           " must be a constant scalar");
        bound = *v;
      }
      (i == 1 ? p.alpha : p.beta) = bound;
      continue;
    }
    if (!o.present())
      continue;
    if (o.elemType() != ElemType::F32)
      return ctx.error(llvm::Twine("fp32 kernels only: operand ") + llvm::Twine(i) +
                       " is " + ir::elemTypeName(o.elemType()));
    data.push_back(&o);
  }
  if (node.kind() == OpKind::Pow)
    if (std::optional<float> e = constantScalar(ctx.operands[1])) {
      p.op = QC_F32_POW_CONST;
      p.alpha = *e;
      data.pop_back();
    }
  if (node.kind() == OpKind::LeakyRelu)
    p.alpha = node.getFloat(ir::AttrName::alpha);
  if (node.kind() == OpKind::HardSigmoid) {
    p.alpha = node.getFloat(ir::AttrName::alpha);
    p.beta = node.getFloat(ir::AttrName::beta);
  }
  if (data.empty() || data.size() > 3)
    return ctx.error(llvm::Twine(data.size()) + " inputs; the fp32 kernel takes 1 to 3");
  p.num_inputs = static_cast<int32_t>(data.size());

  auto nd = buildNdShape(out, data);
  if (!nd)
    return ctx.error(llvm::toString(nd.takeError()));
  p.nd = *nd;

  KernelCall call;
  call.entry = "f32_elementwise";
  call.outputs = {0};
  for (size_t k = 0; k < data.size(); ++k) {
    const Operand &o = *data[k];
    unsigned index = static_cast<unsigned>(&o - ctx.operands.data());
    if (const ir::Tensor *c = o.constant()) {
      p.src_kind[k] = QC_F32_SRC_CONST;
      p.src_slot[k] = static_cast<int32_t>(call.consts.size());
      ConstBlob blob;
      blob.bytes = toPhysicalBytes(*c, o.perm);
      call.consts.push_back(std::move(blob));
    } else {
      p.src_kind[k] = QC_F32_SRC_IN;
      p.src_slot[k] = static_cast<int32_t>(call.inputs.size());
      call.inputs.push_back(index);
    }
  }
  splitTasks(p.nd, p.chunk, p.chunks_per_row, p.units_per_task, p.total_units, call.tasks);
  call.params = paramsOf(p);
  return std::vector<KernelCall>{std::move(call)};
}

llvm::Expected<std::vector<KernelCall>> emitCast(const EmitContext &ctx) {
  auto castType = [](ElemType t) -> std::optional<qc_cast_type> {
    switch (t) {
    case ElemType::F32: return QC_CAST_F32;
    case ElemType::I32: return QC_CAST_I32;
    case ElemType::I64: return QC_CAST_I64;
    case ElemType::U8: return QC_CAST_U8;
    case ElemType::I8: return QC_CAST_S8;
    case ElemType::Bool: return QC_CAST_BOOL;
    default: return std::nullopt;
    }
  };
  const Operand &in = ctx.operands[0];
  const Operand &out = ctx.results[0];
  auto from = castType(in.elemType());
  auto to = castType(out.elemType());
  if (!from || !to)
    return ctx.error("cast from " + ir::elemTypeName(in.elemType()) + " to " +
                     ir::elemTypeName(out.elemType()) +
                     " is not supported (f32, i32, i64, u8, i8, bool are)");
  if (in.constant())
    return ctx.error("cast of a constant should have been folded");
  qc_cast_params p{};
  auto nd = buildNdShape(out, {&in});
  if (!nd)
    return ctx.error(llvm::toString(nd.takeError()));
  p.nd = *nd;
  p.from = *from;
  p.to = *to;
  int64_t inner = p.nd.dims[p.nd.rank - 1];
  int64_t rows = 1;
  for (int d = 0; d + 1 < p.nd.rank; ++d)
    rows *= p.nd.dims[d];
  p.rows_per_task = std::max<int64_t>(1, kTaskElements / std::max<int64_t>(inner, 1));
  KernelCall call;
  call.entry = "cast";
  call.inputs = {0};
  call.outputs = {0};
  call.tasks = (rows + p.rows_per_task - 1) / p.rows_per_task;
  call.params = paramsOf(p);
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
