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

// Ops between the pool and its Q that only reshape: with a per-tensor Q they
// run on the integers unchanged.
bool isReshapeLike(OpKind kind) {
  return kind == OpKind::Flatten || kind == OpKind::Reshape || kind == OpKind::Squeeze ||
         kind == OpKind::Unsqueeze;
}

// The reshape-only chain from `v` (each op the single consumer of the value
// before it, none a graph output) up to its end value.
std::vector<Node *> reshapeChain(const ir::Graph &graph, Value *v) {
  std::vector<Node *> chain;
  while (v->uses().size() == 1 && !isGraphOutput(graph, v)) {
    const ir::Use &use = v->uses().front();
    if (!isReshapeLike(use.user->kind()) || use.operandIndex != 0)
      break;
    chain.push_back(use.user);
    v = use.user->result(0);
  }
  return chain;
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
    // The Q may also come after reshape-only ops (GlobalAveragePool ->
    // Flatten -> Q): they then move behind the pool on the integers.
    std::optional<QMatch> out;
    std::vector<Node *> moved = reshapeChain(graph, result);
    for (size_t keep = moved.size() + 1; keep-- > 0 && !out;) {
      Value *end = keep ? moved[keep - 1]->result(0) : result;
      if (auto m = matchOutputQ(graph, end, /*allowActivation=*/false)) {
        out = std::move(*m);
        moved.resize(keep);
      } else {
        llvm::consumeError(m.takeError());
      }
    }
    // Only a per-tensor Q's parameters survive any reshape.
    if (out && !moved.empty() && !out->resultType.quant->isPerTensor()) {
      out.reset();
      moved.clear();
    }
    if (!out)
      moved.clear();

    // DQ(x) -> AveragePool|GlobalAveragePool|ReduceMean -> [reshapes] -> [Q(y)]
    //   =>  qc.Q<pool>(x) -> [reshapes on the integers]
    attachQuantParams(x->input, x->params);
    Node *q = out ? out->q : nullptr;
    Value *replaced = q ? q->result(0) : result;
    std::string outName = replaced->name();
    std::vector<Value *> operands = {x->input};
    if (pool.kind() == OpKind::ReduceMean && pool.operand(1))
      operands.push_back(pool.operand(1));
    // The quantized type at a point of the chain: its shape, the Q's type.
    auto quantized = [&](const Value *v) {
      ir::Type t = v->type();
      t.elem = out->resultType.elem;
      t.quant = out->resultType.quant;
      return t;
    };
    ir::Type poolType = !q ? result->type() : moved.empty() ? out->resultType : quantized(result);
    Node *folded = graph.createNode(
        kind, operands, {{graph.uniqueName(outName + ".folded"), poolType}}, q ? q : &pool);
    folded->setName(pool.name());
    for (const auto &[attr, value] : pool.attrs())
      folded->setAttr(attr, value);
    Node *last = folded;
    for (Node *op : moved) {
      std::vector<Value *> ops = op->operands();
      ops[0] = last->result(0);
      ir::Type t = op == moved.back() ? out->resultType : quantized(op->result(0));
      Node *intOp = graph.createNode(op->kind(), ops,
                                     {{graph.uniqueName(op->result(0)->name() + ".q"), t}}, q);
      intOp->setName(op->name());
      for (const auto &[attr, value] : op->attrs())
        intOp->setAttr(attr, value);
      last = intOp;
    }
    std::vector<Node *> chain = {q};
    chain.insert(chain.end(), moved.rbegin(), moved.rend());
    chain.push_back(&pool);
    replaceFolded(graph, replaced, last, chain);
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqPool() { return std::make_unique<FoldQdqPool>(); }

} // namespace qc::passes
