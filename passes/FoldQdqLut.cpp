// fold-qdq-lut: DQ(x) -> elementwise float ops of x alone -> Q(y) becomes
// qc.QLut(x, table), the table computed by running the reference interpreter
// on every value x can hold (exact by construction; docs/quantized-ir.md).
#include <algorithm>
#include <map>
#include <set>

#include "interp/Interpreter.h"
#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {

using ir::Node;
using ir::OpKind;
using ir::Value;

// Ops computing each output element from the same element of their inputs
// (other inputs being scalars), so a chain of them is a function of one x.
bool isElementwise(OpKind kind) {
  switch (kind) {
  case OpKind::Sigmoid:
  case OpKind::Tanh:
  case OpKind::HardSwish:
  case OpKind::HardSigmoid:
  case OpKind::Gelu:
  case OpKind::LeakyRelu:
  case OpKind::PRelu:
  case OpKind::Relu:
  case OpKind::Clip:
  case OpKind::Exp:
  case OpKind::Log:
  case OpKind::Erf:
  case OpKind::Neg:
  case OpKind::Abs:
  case OpKind::Sqrt:
  case OpKind::Reciprocal:
  case OpKind::Floor:
  case OpKind::Ceil:
  case OpKind::Round:
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
  case OpKind::Pow:
  case OpKind::Min:
  case OpKind::Max:
    return true;
  default:
    return false;
  }
}

// Chains longer than this are not what exporters write; stop looking.
constexpr size_t kMaxRegionNodes = 32;

// The float ops between the DQs of one integer tensor and a Q.
struct Region {
  std::vector<Node *> dqs;   // DQ(x) nodes (one per consumer after duplicate-dq)
  std::vector<Node *> nodes; // in graph order
};

class FoldQdqLut : public Pass {
public:
  llvm::StringRef name() const override { return "fold-qdq-lut"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    // The candidates are the Qs that end an elementwise chain.
    return foldEach(
        graph,
        [](const Node &n) {
          return n.kind() == OpKind::QuantizeLinear && n.operand(0)->producer() &&
                 isElementwise(n.operand(0)->producer()->kind());
        },
        [&](Node &q) { return tryFold(graph, q); });
  }

private:
  // Walks back from the Q's input to the DQs; an error says why the ops in
  // between are not a function of one quantized tensor.
  static llvm::Expected<Region> collectRegion(ir::Graph &graph, Node &q) {
    Region region;
    std::set<Node *> inRegion;
    std::vector<Value *> worklist = {q.operand(0)};
    while (!worklist.empty()) {
      Value *v = worklist.back();
      worklist.pop_back();
      Node *p = v->producer();
      if (v->isConstant()) {
        // Scalars broadcast to every element; a larger constant varies per element.
        if (v->constant()->numElements() != 1)
          return mismatch("constant '" + v->name() + "' is not a scalar");
        continue;
      }
      if (!p)
        return mismatch("depends on the float input '" + v->name() + "'");
      if (p->kind() == OpKind::DequantizeLinear) {
        // A second quantized input makes it a binary function.
        if (!region.dqs.empty() && region.dqs[0]->operand(0) != p->operand(0))
          return mismatch("depends on two quantized tensors");
        if (std::find(region.dqs.begin(), region.dqs.end(), p) == region.dqs.end())
          region.dqs.push_back(p);
        continue;
      }
      if (inRegion.count(p))
        continue;
      // Only elementwise ops keep the result a per-element function of x.
      if (!isElementwise(p->kind()) || p->numResults() != 1)
        return mismatch(p->describe() + " is not an elementwise op");
      if (inRegion.size() >= kMaxRegionNodes)
        return mismatch("the chain is longer than " + std::to_string(kMaxRegionNodes) + " ops");
      inRegion.insert(p);
      for (Value *operand : p->operands())
        if (operand)
          worklist.push_back(operand);
    }
    if (region.dqs.empty())
      return mismatch("no dequantized input");
    for (Node *n : graph.nodes())
      if (inRegion.count(n))
        region.nodes.push_back(n);
    // Intermediate float values needed outside the chain must stay computed.
    for (Node *n : region.nodes) {
      Value *r = n->result(0);
      if (isGraphOutput(graph, r))
        return mismatch("'" + r->name() + "' is a graph output");
      for (const ir::Use &use : r->uses())
        if (!inRegion.count(use.user) && use.user != &q)
          return mismatch("'" + r->name() + "' has a use outside the chain");
    }
    // The Q must be the only consumer of the chain's result.
    if (!q.operand(0)->hasOneUse() || isGraphOutput(graph, q.operand(0)))
      return mismatch("'" + q.operand(0)->name() + "' has a use outside the chain");
    return region;
  }

  // T[i] = Q_y(f(DQ_x(min + i))) for every integer x can hold (2^bits entries,
  // generic in the width though qc.QLut takes u8/i8 only today), computed by the
  // reference interpreter node by node on a tensor of all those integers.
  static llvm::Expected<ir::Tensor> computeTable(const Region &region, Node &q) {
    ir::ElemType xElem = region.dqs[0]->operand(0)->type().elem;
    int64_t lo = ir::elemTypeMin(xElem), hi = ir::elemTypeMax(xElem);
    ir::Tensor indices(xElem, {hi - lo + 1});
    for (int64_t i = 0; i <= hi - lo; ++i)
      indices.setInt(i, lo + i);
    std::map<const Value *, ir::Tensor> env;
    auto evaluate = [&](const Node &node, const Value *replaced,
                        const ir::Tensor *replacement) -> llvm::Error {
      std::vector<const ir::Tensor *> operands;
      for (Value *v : node.operands()) {
        if (!v)
          operands.push_back(nullptr);
        else if (v == replaced)
          operands.push_back(replacement);
        else if (v->isConstant())
          operands.push_back(v->constant());
        else
          operands.push_back(&env.at(v));
      }
      auto results = interp::evaluateNode(node, operands);
      if (!results)
        return results.takeError();
      env[node.result(0)] = std::move((*results)[0]);
      return llvm::Error::success();
    };
    for (Node *dq : region.dqs)
      if (llvm::Error e = evaluate(*dq, dq->operand(0), &indices))
        return e;
    for (Node *n : region.nodes)
      if (llvm::Error e = evaluate(*n, nullptr, nullptr))
        return e;
    if (llvm::Error e = evaluate(q, nullptr, nullptr))
      return e;
    // Scalar operands of rank > 1 may have added leading unit dims.
    return env.at(q.result(0)).reshaped({hi - lo + 1});
  }

  bool tryFold(ir::Graph &graph, Node &q) {
    Node *last = q.operand(0)->producer();
    // The table holds the integers of one per-tensor u8/i8 output.
    auto resultType = quantizedResultType(q);
    if (!resultType) {
      remark(*last, remarkFrom(resultType.takeError()));
      return false;
    }
    auto region = collectRegion(graph, q);
    if (!region) {
      remark(*last, "no lookup table: " + remarkFrom(region.takeError()));
      return false;
    }
    // The table is indexed by the integers of one per-tensor u8/i8 input.
    auto x = matchActivationDq(region->dqs[0]->result(0));
    if (!x) {
      remark(*last, remarkFrom(x.takeError()));
      return false;
    }
    // After duplicate-dq every consumer has its own DQ: they must all agree.
    for (Node *other : region->dqs) {
      auto m = matchActivationDq(other->result(0));
      if (!m || m->params != x->params) {
        if (!m)
          llvm::consumeError(m.takeError());
        remark(*last, "'" + x->input->name() + "' is dequantized with different parameters");
        return false;
      }
    }
    // The integer tensor's type carries its parameters: they must agree.
    if (x->input->type().quant && *x->input->type().quant != x->params) {
      remark(*last, "'" + x->input->name() + "' already carries other quantization parameters");
      return false;
    }
    // A table maps each element of x to one element of y: same shape.
    if (!(x->input->type().shape == q.result(0)->type().shape)) {
      remark(*last, "the chain broadcasts x to another shape");
      return false;
    }
    auto table = computeTable(*region, q);
    if (!table) {
      remark(*last, "cannot evaluate the chain: " + remarkFrom(table.takeError()));
      return false;
    }

    // DQ(x) -> f1 -> ... -> fn -> Q(y)  =>  qc.QLut(x, T), T[q] = Q_y(f(DQ_x(q)))
    Value *out = q.result(0);
    std::string outName = out->name();
    Value *tableValue = graph.addConstant(graph.uniqueName(outName + ".table"), std::move(*table));
    attachQuantParams(x->input, x->params);
    Node *folded = graph.createNode(OpKind::QLut, {x->input, tableValue},
                                    {{graph.uniqueName(outName + ".folded"), *resultType}}, &q);
    folded->setName(last->name());
    std::vector<Node *> chain = {&q};
    chain.insert(chain.end(), region->nodes.rbegin(), region->nodes.rend());
    replaceFolded(graph, out, folded, chain);
    return true;
  }

  // Binary ops reach here after fold-qdq-elementwise: keep its more specific remark.
  static void remark(Node &node, std::string why) {
    if (node.remark().empty())
      node.setRemark(std::move(why));
  }
};

} // namespace

std::unique_ptr<Pass> createFoldQdqLut() { return std::make_unique<FoldQdqLut>(); }

} // namespace qc::passes
