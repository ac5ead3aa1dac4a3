// Graph execution and per-node dispatch of the reference interpreter.
#include "interp/Interpreter.h"

#include <map>

#include "interp/kernels/Kernels.h"
#include "ir/ShapeInference.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::interp {

using ir::Tensor;

llvm::Error EvalContext::error(const llvm::Twine &message) const {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 node.describe() + ": " + message);
}

std::vector<int64_t> broadcastIndexMap(llvm::ArrayRef<int64_t> outDims,
                                       llvm::ArrayRef<int64_t> inDims) {
  size_t rank = outDims.size();
  std::vector<int64_t> inStrides(rank, 0);
  int64_t stride = 1;
  for (size_t i = inDims.size(); i-- > 0;) {
    size_t o = i + rank - inDims.size();
    inStrides[o] = inDims[i] == 1 ? 0 : stride;
    stride *= inDims[i];
  }
  int64_t total = 1;
  for (int64_t d : outDims)
    total *= d;
  std::vector<int64_t> map(static_cast<size_t>(total));
  std::vector<int64_t> idx(rank, 0);
  int64_t flat = 0;
  for (int64_t n = 0; n < total; ++n) {
    map[size_t(n)] = flat;
    for (size_t d = rank; d-- > 0;) {
      ++idx[d];
      flat += inStrides[d];
      if (idx[d] < outDims[d])
        break;
      flat -= inStrides[d] * idx[d];
      idx[d] = 0;
    }
  }
  return map;
}

llvm::Expected<std::vector<Tensor>>
evaluateNode(const ir::Node &node, const std::vector<const Tensor *> &operands) {
  std::vector<ir::Type> operandTypes;
  operandTypes.reserve(operands.size());
  for (const Tensor *t : operands)
    operandTypes.push_back(t ? t->type() : ir::Type());
  ir::InferContext ictx{node, {}, operands};
  for (size_t i = 0; i < operands.size(); ++i)
    ictx.operandTypes.push_back(operands[i] ? &operandTypes[i] : nullptr);
  auto types = ir::inferResultTypes(ictx);
  if (!types)
    return types.takeError();

  EvalContext ctx{node, operands, {}};
  for (const ir::Type &t : *types) {
    if (!t.shape.isStatic())
      return ctx.error("output shape " + t.str() + " is not static with all inputs known");
    ctx.outputs.emplace_back(t.elem, t.shape.staticDims());
  }
  llvm::Error err = [&]() -> llvm::Error {
    switch (node.kind()) {
#define QC_OP(Kind, Name, MinIn, MaxIn, MinOut, MaxOut)                        \
  case ir::OpKind::Kind:                                                       \
    return kernels::eval##Kind(ctx);
#include "ir/Ops.def"
    }
    return ctx.error("unknown op kind");
  }();
  if (err)
    return err;
  return std::move(ctx.outputs);
}

namespace {
llvm::Error checkInput(const ir::Value &decl, const Tensor &t,
                       std::map<std::string, int64_t> &symbols) {
  const ir::Type &type = decl.type();
  auto fail = [&](const std::string &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "input '%s': %s", decl.name().c_str(), why.c_str());
  };
  if (t.elemType() != type.elem)
    return fail(llvm::formatv("element type is {0}, the model expects {1}",
                              ir::elemTypeName(t.elemType()), ir::elemTypeName(type.elem)));
  if (!type.shape.isRanked())
    return llvm::Error::success();
  if (t.rank() != type.shape.rank())
    return fail(llvm::formatv("shape is {0}, the model expects {1}",
                              t.type().shape.str(), type.shape.str()));
  for (size_t i = 0; i < t.rank(); ++i) {
    const ir::Dim &d = type.shape[i];
    int64_t actual = t.dims()[i];
    if (d.isStatic() && d.value() != actual)
      return fail(llvm::formatv("shape is {0}, the model expects {1}",
                                t.type().shape.str(), type.shape.str()));
    if (d.isSymbolic()) {
      auto [it, inserted] = symbols.emplace(d.symbolName(), actual);
      if (!inserted && it->second != actual)
        return fail(llvm::formatv("dimension '{0}' is {1} here but {2} in another input",
                                  d.symbolName(), actual, it->second));
    }
  }
  return llvm::Error::success();
}
} // namespace

llvm::Expected<std::vector<Tensor>> run(const ir::Graph &graph,
                                        const std::vector<Tensor> &inputs) {
  if (inputs.size() != graph.inputs().size())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the model has %zu inputs, %zu were given",
                                   graph.inputs().size(), inputs.size());
  std::map<const ir::Value *, std::shared_ptr<const Tensor>> env;
  std::map<std::string, int64_t> symbols;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (llvm::Error e = checkInput(*graph.inputs()[i], inputs[i], symbols))
      return e;
    env[graph.inputs()[i]] = std::make_shared<const Tensor>(inputs[i]);
  }
  for (ir::Value *c : graph.constants())
    env[c] = c->constantPtr();

  // Free each intermediate after its last use to bound memory on big models.
  std::map<const ir::Value *, size_t> remainingUses;
  for (ir::Node *node : graph.nodes())
    for (ir::Value *v : node->operands())
      if (v)
        ++remainingUses[v];
  for (ir::Value *out : graph.outputs())
    ++remainingUses[out];

  for (ir::Node *node : graph.nodes()) {
    std::vector<const Tensor *> operands;
    for (ir::Value *v : node->operands()) {
      if (!v) {
        operands.push_back(nullptr);
        continue;
      }
      auto it = env.find(v);
      if (it == env.end())
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "%s: operand '%s' has no value",
                                       node->describe().c_str(), v->name().c_str());
      operands.push_back(it->second.get());
    }
    auto results = evaluateNode(*node, operands);
    if (!results)
      return results.takeError();
    if (results->size() < node->numResults())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "%s: computed %zu results, the node has %zu",
                                     node->describe().c_str(), results->size(),
                                     node->numResults());
    for (size_t i = 0; i < node->numResults(); ++i)
      env[node->result(i)] = std::make_shared<const Tensor>(std::move((*results)[i]));
    for (ir::Value *v : node->operands())
      if (v && --remainingUses[v] == 0 && !v->isConstant())
        env.erase(v);
  }

  std::vector<Tensor> outputs;
  for (ir::Value *out : graph.outputs()) {
    auto it = env.find(out);
    if (it == env.end())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "output '%s' was not computed", out->name().c_str());
    outputs.push_back(*it->second);
  }
  return outputs;
}

} // namespace qc::interp
