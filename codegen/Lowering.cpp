// Graph -> Program: batch analysis, layout assignment (NHWC for conv-like
// ops, propagated through layout-agnostic ones), views as aliases, layout
// conversions where a consumer needs another layout, emitter calls, graph
// I/O binding and the arena plan.
#include "codegen/Lowering.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "codegen/MemoryPlan.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

namespace {

std::vector<int> identityPerm(size_t rank) {
  std::vector<int> p(rank);
  std::iota(p.begin(), p.end(), 0);
  return p;
}

const std::vector<int> kNhwc = {0, 2, 3, 1};

// Logical axes of non-unit extent in physical order.
std::vector<int> nonUnitOrder(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int> perm) {
  std::vector<int> order;
  for (int axis : perm)
    if (shape[axis] != 1)
      order.push_back(axis);
  return order;
}

bool sameMemoryOrder(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int> a,
                     llvm::ArrayRef<int> b) {
  return nonUnitOrder(shape, a) == nonUnitOrder(shape, b);
}

bool isViewOp(ir::OpKind kind) {
  switch (kind) {
  case ir::OpKind::Reshape:
  case ir::OpKind::Flatten:
  case ir::OpKind::Squeeze:
  case ir::OpKind::Unsqueeze:
  case ir::OpKind::Identity:
    return true;
  default:
    return false;
  }
}

// Agnostic ops whose emitters iterate the result's physical layout with any
// operand layout (buildNdShape), so they may change the layout on the way.
bool isLayoutChangingElementwise(ir::OpKind kind) {
  switch (kind) {
  case ir::OpKind::QuantizeLinear:
  case ir::OpKind::DequantizeLinear:
  case ir::OpKind::Requantize:
  case ir::OpKind::QLut:
    return true;
  default:
    return false;
  }
}

bool mentionsNoKernel(llvm::StringRef message) { return message.contains("no kernel"); }

int64_t normalizeAxis(int64_t axis, size_t rank) {
  return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
}

class Lowerer {
public:
  Lowerer(const ir::Graph &graph, Isa isa, const LoweringHooks &hooks)
      : graph_(graph), isa_(isa), hooks_(hooks) {}
  llvm::Expected<Program> run();

private:
  struct ValueState {
    bool placed = false;
    unsigned buffer = 0;
    std::vector<int> perm;
    // The value converted to other layouts, by perm.
    std::map<std::vector<int>, unsigned> converted;
  };

  llvm::Error analyzeBatch();
  llvm::Error checkNodeKeepsSamples(const ir::Node &n);
  llvm::Error mixError(const ir::Node &n, const llvm::Twine &why) const;
  bool isBatched(const ir::Value *v) const { return batched_.count(v) != 0; }
  std::vector<int64_t> sampleShape(const ir::Value *v) const;
  int64_t sampleBytes(const ir::Value *v) const;

  unsigned addBuffer(Buffer b) {
    prog_.buffers.push_back(std::move(b));
    return static_cast<unsigned>(prog_.buffers.size() - 1);
  }
  unsigned newArenaBuffer(const ir::Value *v, const std::string &name);
  Operand operandOf(const ir::Value *v, std::vector<int> perm) const;
  ValueState *stateOf(const ir::Value *v);
  /// The buffer holding `v` in layout `perm` (converting once if needed);
  /// nullopt when a missing kernel stops lowering of the value.
  llvm::Expected<std::optional<unsigned>> bufferFor(const ir::Value *v,
                                                    const std::vector<int> &perm);
  llvm::Error lowerView(const ir::Node &n);
  llvm::Error lowerNode(const ir::Node &n);
  /// `v` is no graph output and every use is by a ChannelsLast node.
  bool feedsOnlyChannelsLast(const ir::Value *v) const;
  llvm::Error bindOutputs();
  void addStep(std::string label, KernelCall call, std::vector<unsigned> in,
               std::vector<unsigned> out);
  void computeLifetimes();
  void noteMissing(std::string what) { missing_.push_back(std::move(what)); }

  const ir::Graph &graph_;
  Isa isa_;
  LoweringHooks hooks_;
  Program prog_;
  std::set<const ir::Value *> batched_;
  std::map<const ir::Value *, ValueState> states_;
  std::vector<std::string> missing_;
};

llvm::Error Lowerer::mixError(const ir::Node &n, const llvm::Twine &why) const {
  return llvm::createStringError(
      llvm::formatv("{0}: {1}: the batch dim '{2}' cannot stay symbolic; pass --input-shape "
                    "to give the inputs static shapes",
                    n.describe(), why.str(), prog_.batchDimName)
          .str());
}

llvm::Error Lowerer::analyzeBatch() {
  auto checkValue = [&](const ir::Value *v) -> llvm::Error {
    const ir::Shape &s = v->type().shape;
    std::string who = v->producer() ? v->producer()->describe() + ": result '" + v->name() + "'"
                                    : "value '" + v->name() + "'";
    if (!s.isRanked())
      return llvm::createStringError(
          who + " has an unknown rank; pass --input-shape to give the inputs static shapes");
    for (size_t i = 0; i < s.rank(); ++i) {
      const ir::Dim &d = s[i];
      if (d.isStatic())
        continue;
      if (d.isUnknown())
        return llvm::createStringError(
            llvm::formatv("{0} has an unknown dimension {1}; pass --input-shape to give the "
                          "inputs static shapes",
                          who, i)
                .str());
      if (i != 0)
        return llvm::createStringError(
            llvm::formatv("{0} has the symbolic dimension '{1}' at axis {2}; only a batch "
                          "dimension at axis 0 can stay symbolic, pass --input-shape",
                          who, d.symbolName(), i)
                .str());
      if (!prog_.batchDimName.empty() && prog_.batchDimName != d.symbolName())
        return llvm::createStringError(
            llvm::formatv("{0} has the symbolic dimension '{1}' but the model already has "
                          "'{2}'; at most one symbolic (batch) dimension is supported, pass "
                          "--input-shape",
                          who, d.symbolName(), prog_.batchDimName)
                .str());
      prog_.batchDimName = d.symbolName();
      batched_.insert(v);
    }
    return llvm::Error::success();
  };
  for (const ir::Value *v : graph_.inputs())
    if (llvm::Error e = checkValue(v))
      return e;
  for (const ir::Node *n : graph_.nodes()) {
    if (n->isErased())
      continue;
    for (const ir::Value *r : n->results())
      if (llvm::Error e = checkValue(r))
        return e;
  }
  for (const ir::Node *n : graph_.nodes())
    if (!n->isErased())
      if (llvm::Error e = checkNodeKeepsSamples(*n))
        return e;
  return llvm::Error::success();
}

// A node may keep the batch symbolic only if it computes each sample from
// the same sample of its inputs.
llvm::Error Lowerer::checkNodeKeepsSamples(const ir::Node &n) {
  bool anyIn = false;
  for (const ir::Value *v : n.operands())
    anyIn |= v && isBatched(v);
  bool allOut = true, anyOut = false;
  for (const ir::Value *r : n.results()) {
    allOut &= isBatched(r);
    anyOut |= isBatched(r);
  }
  if (!anyIn && !anyOut)
    return llvm::Error::success();
  if (!anyIn)
    return mixError(n, "a result has the batch dim but no operand has it");
  if (!allOut)
    return mixError(n, "a result loses the batch dim");
  const ir::Value *x = n.operand(0);
  bool xBatched = x && isBatched(x);
  size_t rank = x ? x->type().shape.rank() : 0;
  auto axisAttr = [&](int64_t dflt) {
    std::optional<int64_t> a = n.findInt(ir::AttrName::axis);
    return normalizeAxis(a ? *a : dflt, rank);
  };
  auto constInts = [&](size_t i) -> std::optional<std::vector<int64_t>> {
    const ir::Value *v = n.operand(i);
    if (!v || !v->constant())
      return std::nullopt;
    std::vector<int64_t> r;
    for (int64_t k = 0; k < v->constant()->numElements(); ++k)
      r.push_back(v->constant()->getInt(k));
    return r;
  };
  switch (n.kind()) {
  case ir::OpKind::Softmax:
  case ir::OpKind::QSoftmax:
  case ir::OpKind::LayerNormalization:
  case ir::OpKind::QLayerNorm:
    if (xBatched && axisAttr(-1) == 0)
      return mixError(n, "it normalizes over axis 0");
    break;
  case ir::OpKind::Concat:
    if (axisAttr(0) == 0)
      return mixError(n, "it concatenates along axis 0");
    break;
  case ir::OpKind::Split:
  case ir::OpKind::Gather:
  case ir::OpKind::Flatten:
    if (xBatched && axisAttr(n.kind() == ir::OpKind::Flatten ? 1 : 0) == 0)
      return mixError(n, "it works along axis 0");
    break;
  case ir::OpKind::QuantizeLinear:
  case ir::OpKind::DequantizeLinear: {
    const ir::Value *scale = n.operand(1);
    if (xBatched && scale && scale->type().shape.rank() > 0 &&
        scale->type().shape.numElements() > 1 && axisAttr(1) == 0)
      return mixError(n, "it is quantized per axis 0");
    break;
  }
  case ir::OpKind::Transpose: {
    const std::vector<int64_t> *perm = n.findInts(ir::AttrName::perm);
    bool moves = perm ? (!perm->empty() && (*perm)[0] != 0) : rank > 1;
    if (xBatched && moves)
      return mixError(n, "it moves axis 0");
    break;
  }
  case ir::OpKind::ReduceMean:
  case ir::OpKind::ReduceSum:
  case ir::OpKind::ReduceMax:
  case ir::OpKind::ReduceMin:
  case ir::OpKind::QReduceMean: {
    if (!xBatched)
      break;
    std::optional<std::vector<int64_t>> axes = constInts(1);
    bool noop = n.findInt(ir::AttrName::noop_with_empty_axes).value_or(0) != 0;
    if (!n.operand(1) && noop)
      break;
    if (!axes || axes->empty())
      return mixError(n, "it reduces over every axis");
    for (int64_t a : *axes)
      if (normalizeAxis(a, rank) == 0)
        return mixError(n, "it reduces over axis 0");
    break;
  }
  case ir::OpKind::Slice: {
    if (!xBatched)
      break;
    std::optional<std::vector<int64_t>> starts = constInts(1), ends = constInts(2);
    std::optional<std::vector<int64_t>> axes = constInts(3), steps = constInts(4);
    if (!starts || !ends || (n.operand(3) && !axes) || (n.operand(4) && !steps))
      return mixError(n, "its slice bounds are not constant");
    for (size_t k = 0; k < starts->size(); ++k) {
      int64_t axis = axes ? normalizeAxis((*axes)[k], rank) : static_cast<int64_t>(k);
      if (axis != 0)
        continue;
      bool whole = (*starts)[k] == 0 && (*ends)[k] >= (int64_t{1} << 31) - 1 &&
                   (!steps || (*steps)[k] == 1);
      if (!whole)
        return mixError(n, "it slices axis 0");
    }
    break;
  }
  case ir::OpKind::MatMul:
  case ir::OpKind::QMatMul: {
    const ir::Value *b = n.operand(1);
    if (b && isBatched(b) && b->type().shape.rank() <= 2)
      return mixError(n, "it contracts over the batch dim");
    if (xBatched && rank == 1)
      return mixError(n, "it contracts over the batch dim");
    break;
  }
  default:
    break;
  }
  // Views keep each sample's elements together only if a sample's size is
  // unchanged.
  if (isViewOp(n.kind()) && xBatched &&
      sampleShape(x).size() > 0 && n.result(0) &&
      ir::Shape::fromStatic(sampleShape(x)).numElements() !=
          ir::Shape::fromStatic(sampleShape(n.result(0))).numElements())
    return mixError(n, "it regroups elements of different samples");
  return llvm::Error::success();
}

std::vector<int64_t> Lowerer::sampleShape(const ir::Value *v) const {
  std::vector<int64_t> dims;
  for (const ir::Dim &d : v->type().shape.dims())
    dims.push_back(d.isStatic() ? d.value() : 1);
  return dims;
}

int64_t Lowerer::sampleBytes(const ir::Value *v) const {
  std::vector<int64_t> s = sampleShape(v);
  int64_t n = std::accumulate(s.begin(), s.end(), int64_t{1}, std::multiplies<>());
  return n * ir::elemTypeStorageBytes(v->type().elem);
}

unsigned Lowerer::newArenaBuffer(const ir::Value *v, const std::string &name) {
  Buffer b;
  b.kind = BufferKind::Arena;
  b.batched = isBatched(v);
  b.bytes = sampleBytes(v);
  b.name = name;
  return addBuffer(std::move(b));
}

Operand Lowerer::operandOf(const ir::Value *v, std::vector<int> perm) const {
  Operand op;
  op.value = v;
  if (!v)
    return op;
  op.shape = sampleShape(v);
  op.perm = std::move(perm);
  op.batched = isBatched(v);
  return op;
}

Lowerer::ValueState *Lowerer::stateOf(const ir::Value *v) {
  auto it = states_.find(v);
  if (it != states_.end())
    return it->second.placed ? &it->second : nullptr;
  if (const ir::Tensor *t = v->constant()) {
    // Constants become read-only data the first time a kernel reads one as
    // an activation (most go into consts[] through their emitter instead).
    prog_.constants.push_back(ConstBlob{toPhysicalBytes(*t, {}), 64});
    Buffer b;
    b.kind = BufferKind::Constant;
    b.index = static_cast<unsigned>(prog_.constants.size() - 1);
    b.bytes = static_cast<int64_t>(t->byteSize());
    b.name = v->name();
    ValueState &s = states_[v];
    s.placed = true;
    s.buffer = addBuffer(std::move(b));
    s.perm = identityPerm(t->rank());
    return &s;
  }
  return nullptr;
}

llvm::Expected<std::optional<unsigned>> Lowerer::bufferFor(const ir::Value *v,
                                                           const std::vector<int> &perm) {
  ValueState *s = stateOf(v);
  if (!s)
    return std::nullopt;
  std::vector<int64_t> shape = sampleShape(v);
  if (sameMemoryOrder(shape, s->perm, perm))
    return s->buffer;
  for (const auto &[p, buf] : s->converted)
    if (sameMemoryOrder(shape, p, perm))
      return buf;
  llvm::Expected<KernelCall> call = hooks_.layoutCopy(operandOf(v, s->perm), operandOf(v, perm));
  if (!call) {
    std::string msg = llvm::toString(call.takeError());
    if (!mentionsNoKernel(msg))
      return llvm::createStringError("layout conversion of '" + v->name() + "': " + msg);
    noteMissing("layout conversion of '" + v->name() + "': " + msg);
    return std::nullopt;
  }
  unsigned dst = newArenaBuffer(v, v->name() + " (relayout)");
  addStep("relayout " + v->name(), std::move(*call), {s->buffer}, {dst});
  s->converted[perm] = dst;
  return dst;
}

llvm::Error Lowerer::lowerView(const ir::Node &n) {
  const ir::Value *x = n.operand(0);
  const ir::Value *y = n.result(0);
  ValueState *s = stateOf(x);
  if (!s)
    return llvm::Error::success(); // its producer is missing a kernel
  std::vector<int> perm = identityPerm(x->type().shape.rank());
  std::vector<int> yPerm = identityPerm(y->type().shape.rank());
  if (n.kind() == ir::OpKind::Identity) {
    perm = s->perm; // any layout: the same bytes
    yPerm = s->perm;
  }
  llvm::Expected<std::optional<unsigned>> buf = bufferFor(x, perm);
  if (!buf)
    return buf.takeError();
  if (!*buf)
    return llvm::Error::success();
  ValueState &ys = states_[y];
  ys.placed = true;
  ys.buffer = **buf;
  ys.perm = yPerm;
  return llvm::Error::success();
}

bool Lowerer::feedsOnlyChannelsLast(const ir::Value *v) const {
  if (v->uses().empty())
    return false;
  for (const ir::Value *o : graph_.outputs())
    if (o == v)
      return false;
  for (const ir::Use &u : v->uses()) {
    const EmitterInfo *info = hooks_.findEmitter(u.user->kind());
    if (!info || info->layout != LayoutPolicy::ChannelsLast || isViewOp(u.user->kind()))
      return false;
  }
  return true;
}

llvm::Error Lowerer::lowerNode(const ir::Node &n) {
  const EmitterInfo *info = hooks_.findEmitter(n.kind());
  if (!info) {
    noteMissing(n.describe() + ": no kernel for op " + std::string(n.info().name) + " yet");
    return llvm::Error::success();
  }
  std::vector<Operand> operands;
  bool anyNhwc = false;
  for (const ir::Value *v : n.operands()) {
    if (!v) {
      operands.push_back(Operand{});
      continue;
    }
    size_t rank = v->type().shape.rank();
    std::vector<int> perm = identityPerm(rank);
    if (!v->constant()) {
      ValueState *s = stateOf(v);
      if (!s)
        return llvm::Error::success(); // a producer is missing a kernel
      if (info->layout == LayoutPolicy::ChannelsLast && rank == 4)
        perm = kNhwc;
      else if (info->layout == LayoutPolicy::Agnostic)
        perm = s->perm;
      anyNhwc |= rank == 4 && perm == kNhwc;
    }
    operands.push_back(operandOf(v, perm));
  }
  std::vector<Operand> results;
  for (const ir::Value *r : n.results()) {
    size_t rank = r->type().shape.rank();
    // An elementwise op between a logical producer (a graph input) and
    // ChannelsLast consumers writes NHWC itself instead of a separate
    // relayout (e.g. the input QuantizeLinear before the stem conv).
    bool nhwc = rank == 4 && (info->layout == LayoutPolicy::ChannelsLast ||
                              (info->layout == LayoutPolicy::Agnostic && anyNhwc) ||
                              (isLayoutChangingElementwise(n.kind()) && feedsOnlyChannelsLast(r)));
    results.push_back(operandOf(r, nhwc ? kNhwc : identityPerm(rank)));
  }

  EmitContext ctx{n, isa_, operands, results};
  llvm::Expected<std::vector<KernelCall>> calls = info->emit(ctx);
  if (!calls) {
    std::string msg = llvm::toString(calls.takeError());
    if (!mentionsNoKernel(msg))
      return llvm::createStringError(msg);
    noteMissing(msg);
    return llvm::Error::success();
  }

  // Operand buffers in the layouts the emitter was given.
  std::vector<std::optional<unsigned>> inBufs(operands.size());
  std::vector<unsigned> outBufs;
  for (const KernelCall &call : *calls)
    for (unsigned i : call.inputs) {
      if (i >= operands.size() || !operands[i].present())
        return llvm::createStringError(llvm::formatv(
            "{0}: the emitter reads operand {1}, which is absent", n.describe(), i).str());
      if (inBufs[i])
        continue;
      llvm::Expected<std::optional<unsigned>> b = bufferFor(operands[i].value, operands[i].perm);
      if (!b)
        return b.takeError();
      if (!*b)
        return llvm::Error::success();
      inBufs[i] = **b;
    }
  for (size_t r = 0; r < results.size(); ++r) {
    unsigned b = newArenaBuffer(results[r].value, results[r].value->name());
    outBufs.push_back(b);
    ValueState &s = states_[results[r].value];
    s.placed = true;
    s.buffer = b;
    s.perm = results[r].perm;
  }
  int64_t scratch = 0;
  for (const KernelCall &call : *calls)
    scratch = std::max(scratch, call.scratchBytes);
  std::optional<unsigned> scratchBuf;
  if (scratch > 0) {
    Buffer b;
    b.bytes = scratch;
    b.batched = false;
    for (const Operand &o : operands)
      b.batched |= o.present() && o.batched;
    b.name = "scratch of " + n.describe();
    scratchBuf = addBuffer(std::move(b));
  }
  std::string label = n.name().empty() ? n.result(0)->name() : n.name();
  for (KernelCall &call : *calls) {
    std::vector<unsigned> in, out;
    for (unsigned i : call.inputs)
      in.push_back(*inBufs[i]);
    for (unsigned r : call.outputs) {
      if (r >= outBufs.size())
        return llvm::createStringError(llvm::formatv(
            "{0}: the emitter writes result {1}, which does not exist", n.describe(), r).str());
      out.push_back(outBufs[r]);
    }
    if (call.scratchBytes > 0)
      out.push_back(*scratchBuf);
    addStep(label, std::move(call), std::move(in), std::move(out));
  }
  return llvm::Error::success();
}

void Lowerer::addStep(std::string label, KernelCall call, std::vector<unsigned> in,
                      std::vector<unsigned> out) {
  Step step;
  step.label = std::move(label);
  step.call = std::move(call);
  step.inBuffers = std::move(in);
  step.outBuffers = std::move(out);
  for (unsigned b : step.inBuffers)
    step.batched |= prog_.buffers[b].batched;
  for (unsigned b : step.outBuffers)
    step.batched |= prog_.buffers[b].batched;
  prog_.steps.push_back(std::move(step));
}

// Graph outputs: the producer writes straight into exec->outputs[j] when
// the value's buffer is a logical-layout arena buffer no other output took;
// otherwise a copy (with a layout change if needed) fills it at the end.
llvm::Error Lowerer::bindOutputs() {
  for (unsigned j = 0; j < graph_.outputs().size(); ++j) {
    const ir::Value *v = graph_.outputs()[j];
    Buffer ob;
    ob.kind = BufferKind::Output;
    ob.index = j;
    ob.batched = isBatched(v);
    ob.bytes = sampleBytes(v);
    ob.name = v->name();
    ValueState *s = stateOf(v);
    if (!s)
      continue; // a kernel is missing upstream
    std::vector<int64_t> shape = sampleShape(v);
    std::vector<int> logical = identityPerm(shape.size());
    std::optional<unsigned> logicalBuf;
    if (sameMemoryOrder(shape, s->perm, logical))
      logicalBuf = s->buffer;
    for (const auto &[p, buf] : s->converted)
      if (!logicalBuf && sameMemoryOrder(shape, p, logical))
        logicalBuf = buf;
    if (logicalBuf && prog_.buffers[*logicalBuf].kind == BufferKind::Arena) {
      Buffer &b = prog_.buffers[*logicalBuf];
      b.kind = BufferKind::Output;
      b.index = j;
      continue;
    }
    std::vector<int> srcPerm = logicalBuf ? logical : s->perm;
    unsigned src = logicalBuf ? *logicalBuf : s->buffer;
    llvm::Expected<KernelCall> call = hooks_.layoutCopy(operandOf(v, srcPerm), operandOf(v, logical));
    if (!call) {
      std::string msg = llvm::toString(call.takeError());
      if (!mentionsNoKernel(msg))
        return llvm::createStringError("graph output '" + v->name() + "': " + msg);
      noteMissing("graph output '" + v->name() + "': " + msg);
      continue;
    }
    unsigned dst = addBuffer(std::move(ob));
    addStep("output " + v->name(), std::move(*call), {src}, {dst});
  }
  return llvm::Error::success();
}

void Lowerer::computeLifetimes() {
  for (int i = 0; i < static_cast<int>(prog_.steps.size()); ++i) {
    const Step &st = prog_.steps[i];
    for (const std::vector<unsigned> *list : {&st.inBuffers, &st.outBuffers})
      for (unsigned b : *list) {
        Buffer &buf = prog_.buffers[b];
        if (buf.firstStep < 0)
          buf.firstStep = i;
        buf.lastStep = std::max(buf.lastStep, i);
      }
  }
}

llvm::Expected<Program> Lowerer::run() {
  if (llvm::Error e = analyzeBatch())
    return e;
  for (unsigned i = 0; i < graph_.inputs().size(); ++i) {
    const ir::Value *v = graph_.inputs()[i];
    Buffer b;
    b.kind = BufferKind::Input;
    b.index = i;
    b.batched = isBatched(v);
    b.bytes = sampleBytes(v);
    b.name = v->name();
    ValueState &s = states_[v];
    s.placed = true;
    s.buffer = addBuffer(std::move(b));
    s.perm = identityPerm(v->type().shape.rank());
  }
  for (const ir::Node *n : graph_.nodes()) {
    if (n->isErased())
      continue;
    llvm::Error e = isViewOp(n->kind()) ? lowerView(*n) : lowerNode(*n);
    if (e)
      return e;
  }
  if (llvm::Error e = bindOutputs())
    return e;
  if (!missing_.empty()) {
    std::string msg = "no kernel yet for " + std::to_string(missing_.size()) + " node(s): ";
    for (size_t i = 0; i < missing_.size(); ++i)
      msg += (i ? "; " : "") + missing_[i];
    return llvm::createStringError(msg);
  }

  auto ioOf = [&](const ir::Value *v) {
    IoTensor t;
    t.name = v->name();
    t.elem = v->type().elem;
    for (const ir::Dim &d : v->type().shape.dims())
      t.dims.push_back(d.isStatic() ? d.value() : -1);
    return t;
  };
  for (const ir::Value *v : graph_.inputs())
    prog_.inputs.push_back(ioOf(v));
  for (const ir::Value *v : graph_.outputs())
    prog_.outputs.push_back(ioOf(v));
  for (const auto &[v, s] : states_)
    if (s.placed && !v->constant())
      prog_.values[v->name()] = ValuePlacement{s.buffer, s.perm};

  computeLifetimes();
  planMemory(prog_);
  return std::move(prog_);
}

} // namespace

bool isMemoryIdentity(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int> perm) {
  return sameMemoryOrder(shape, perm, identityPerm(perm.size()));
}

llvm::Expected<Program> lowerGraph(const ir::Graph &graph, Isa isa,
                                   const LoweringHooks &hooks) {
  return Lowerer(graph, isa, hooks).run();
}

} // namespace qc::codegen
