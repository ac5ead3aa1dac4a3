// fold-qdq-pool: DQ(x) -> AveragePool / GlobalAveragePool / ReduceMean -> [Q(y)]
// becomes qc.QAveragePool / qc.QGlobalAveragePool / qc.QReduceMean, which sum
// the integers and requantize once (or write f32 when no Q follows).
#include <cstdint>

#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {

using ir::Node;
using ir::OpKind;
using ir::Value;

OpKind integerKind(OpKind kind) {
  switch (kind) {
  case OpKind::AveragePool:
    return OpKind::QAveragePool;
  case OpKind::GlobalAveragePool:
    return OpKind::QGlobalAveragePool;
  default:
    return OpKind::QReduceMean;
  }
}

// The most elements one output sums, when the shapes tell: the kernel
// window, the spatial extent, or the reduced dims (all of them without axes).
std::optional<int64_t> maxWindowElements(const Node &pool) {
  const ir::Shape &x = pool.operand(0)->type().shape;
  if (pool.kind() == OpKind::AveragePool) {
    const std::vector<int64_t> *kernel = pool.findInts(ir::AttrName::kernel_shape);
    if (!kernel)
      return std::nullopt;
    int64_t n = 1;
    for (int64_t k : *kernel)
      n *= k;
    return n;
  }
  if (!x.isStatic())
    return std::nullopt;
  std::vector<int64_t> dims = x.staticDims();
  std::vector<int64_t> reduced;
  if (pool.kind() == OpKind::GlobalAveragePool) {
    for (size_t d = 2; d < dims.size(); ++d)
      reduced.push_back(int64_t(d));
  } else if (const Value *axes = pool.operand(1); axes && axes->constant()) {
    for (int64_t i = 0; i < axes->constant()->numElements(); ++i)
      reduced.push_back(axes->constant()->getInt(i));
  }
  if (reduced.empty())
    return x.numElements();
  int64_t n = 1;
  for (int64_t axis : reduced) {
    int64_t d = axis < 0 ? axis + int64_t(dims.size()) : axis;
    if (d < 0 || d >= int64_t(dims.size()))
      return std::nullopt;
    n *= dims[size_t(d)];
  }
  return n;
}

class FoldQdqPool : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-pool"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    return foldEach(
        graph,
        [](const Node &n) {
          return n.kind() == OpKind::AveragePool || n.kind() == OpKind::GlobalAveragePool ||
                 n.kind() == OpKind::ReduceMean;
        },
        [&](Node &n) { return tryFold(graph, n); });
  }

private:
  bool tryFold(ir::Graph &graph, Node &pool) {
    // The integer sum is rescaled once: one per-tensor u8/i8 input.
    auto x = matchActivationDq(pool.operand(0));
    if (!x) {
      pool.setRemark(remarkFrom(x.takeError()));
      return false;
    }
    // The integer tensor's type carries its parameters: they must agree.
    if (x->input->type().quant && *x->input->type().quant != x->params) {
      pool.setRemark("'" + x->input->name() + "' already carries other quantization parameters");
      return false;
    }
    // sum(q - zx) over n elements must fit the int32 accumulator: |q - zx| <= 255.
    if (auto n = maxWindowElements(pool); n && *n > INT32_MAX / 255) {
      pool.setRemark("a window of " + std::to_string(*n) + " elements may overflow int32");
      return false;
    }
    OpKind kind = integerKind(pool.kind());
    // Every attribute must carry over unchanged (e.g. not an old-opset axes).
    for (const auto &[attr, value] : pool.attrs())
      if (!ir::findAttrSchema(kind, attr)) {
        pool.setRemark("attribute '" + ir::attrNameString(attr).str() + "' has no integer form");
        return false;
      }
    Value *result = pool.result(0);
    // The integer op's float form writes f32 only.
    if (result->type().elem != ir::ElemType::F32) {
      pool.setRemark("result is not f32");
      return false;
    }
    // A single per-tensor Q consumer makes the result quantized; otherwise the
    // integer op writes f32 (float(acc) * float(sx / n)) for the float consumers.
    std::optional<QMatch> out;
    if (auto m = matchOutputQ(graph, result, /*allowActivation=*/false))
      out = std::move(*m);
    else
      llvm::consumeError(m.takeError());

    // DQ(x) -> AveragePool|GlobalAveragePool|ReduceMean -> [Q(y)]  =>  qc.Q<pool>(x)
    attachQuantParams(x->input, x->params);
    Node *q = out ? out->q : nullptr;
    Value *replaced = q ? q->result(0) : result;
    std::string outName = replaced->name();
    std::vector<Value *> operands = {x->input};
    if (pool.kind() == OpKind::ReduceMean && pool.operand(1))
      operands.push_back(pool.operand(1));
    Node *folded = graph.createNode(
        kind, operands,
        {{graph.uniqueName(outName + ".folded"), q ? out->resultType : result->type()}},
        q ? q : &pool);
    folded->setName(pool.name());
    for (const auto &[attr, value] : pool.attrs())
      folded->setAttr(attr, value);
    replaceFolded(graph, replaced, folded, {q, &pool});
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqPool() { return std::make_unique<FoldQdqPool>(); }

} // namespace qc::passes
