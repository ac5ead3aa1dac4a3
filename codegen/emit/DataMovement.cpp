// Emitters of the data-movement ops and of the driver's layout copies: every
// op is a strided copy between physical layouts (codegen/kernels/Copy.cpp),
// an index-table copy (Resize nearest, Tile, Pad edge/reflect/wrap) or a row
// Gather.
#include "codegen/Emit.h"
#include "codegen/kernels/Copy.h"
#include "codegen/kernels/RowChunks.h"
#include "interp/Interpreter.h"
#include "interp/kernels/Kernels.h"
#include "ir/infer/DataMovementParams.h"
#include "ir/infer/InferRules.h"

#include <algorithm>
#include <cmath>

#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

namespace {

using ir::AttrName;

/// A strided copy: dims in iteration order (the output's physical order),
/// element strides of both sides per dim.
struct CopySpec {
  std::vector<int64_t> dims, outStrides, inStrides;
  int64_t outOffset = 0, inOffset = 0;
  int elemBytes = 1;
  int srcKind = QC_SRC_IN, srcSlot = 0, dstSlot = 0;
};

llvm::Error checkElemBytes(int elemBytes) {
  if (elemBytes == 1 || elemBytes == 2 || elemBytes == 4 || elemBytes == 8)
    return llvm::Error::success();
  return llvm::createStringError("elements of %d bytes have no copy kernel", elemBytes);
}

/// The copy_nd call of `s`: size-1 dims dropped, dims merged where both
/// sides are contiguous across them, the blocked transpose chosen when the
/// input's unit-stride dim is not the output's.
llvm::Expected<KernelCall> makeCopy(const CopySpec &s) {
  if (llvm::Error e = checkElemBytes(s.elemBytes))
    return e;
  std::vector<int64_t> dims, os, is;
  bool empty = std::any_of(s.dims.begin(), s.dims.end(), [](int64_t d) { return d == 0; });
  if (empty) {
    dims = {0};
    os = is = {1};
  } else {
    for (size_t d = 0; d < s.dims.size(); ++d) {
      if (s.dims[d] == 1)
        continue;
      if (!dims.empty() && os.back() == s.outStrides[d] * s.dims[d] &&
          is.back() == s.inStrides[d] * s.dims[d]) {
        dims.back() *= s.dims[d];
        os.back() = s.outStrides[d];
        is.back() = s.inStrides[d];
        continue;
      }
      dims.push_back(s.dims[d]);
      os.push_back(s.outStrides[d]);
      is.push_back(s.inStrides[d]);
    }
    if (dims.empty()) {
      dims = {1};
      os = is = {1};
    }
  }
  if (dims.size() > QC_ND_MAX_RANK)
    return llvm::createStringError("%zu non-mergeable dimensions exceed the %d a copy takes",
                                   dims.size(), QC_ND_MAX_RANK);
  qc_copy_params p{};
  int r = static_cast<int>(dims.size());
  p.nd.rank = r;
  p.nd.num_operands = 2;
  for (int d = 0; d < r; ++d) {
    p.nd.dims[d] = dims[d];
    p.nd.strides[0][d] = os[d];
    p.nd.strides[1][d] = is[d];
  }
  p.out_offset = s.outOffset;
  p.in_offset = s.inOffset;
  p.elem_bytes = s.elemBytes;
  p.src_kind = s.srcKind;
  p.src_slot = s.srcSlot;
  p.dst_slot = s.dstSlot;
  int64_t outer = 1;
  for (int d = 0; d + 2 < r; ++d)
    outer *= dims[d];
  KernelCall call;
  call.entry = "copy_nd";
  if (r >= 2 && os[r - 1] == 1 && is[r - 1] != 1 && is[r - 2] == 1) {
    if (dims[r - 1] <= QC_COPY_SMALL) {
      p.mode = QC_COPY_INTERLEAVE; // [P, C], e.g. NCHW -> NHWC with few channels
      call.tasks = outer * ((dims[r - 2] + QC_COPY_PIXELS - 1) / QC_COPY_PIXELS);
    } else if (dims[r - 2] <= QC_COPY_SMALL) {
      p.mode = QC_COPY_DEINTERLEAVE; // [C, P], e.g. NHWC -> NCHW with few channels
      call.tasks = outer * ((dims[r - 1] + QC_COPY_PIXELS - 1) / QC_COPY_PIXELS);
    } else {
      p.mode = QC_COPY_TRANSPOSE;
      call.tasks = outer * ((dims[r - 2] + QC_COPY_TILE - 1) / QC_COPY_TILE);
    }
  } else {
    p.mode = QC_COPY_ROWS;
    p.row_chunk = ndRowChunk(p.nd, s.elemBytes);
    call.tasks = ndChunkTasks(p.nd, p.row_chunk);
  }
  call.params = paramsOf(p);
  return call;
}

std::vector<int64_t> rowMajor(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t s = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

std::vector<int> identityPerm(size_t rank) {
  std::vector<int> perm(rank);
  for (size_t i = 0; i < rank; ++i)
    perm[i] = static_cast<int>(i);
  return perm;
}

/// A copy over the logical `shape` visited in the physical order `order`,
/// with logical strides of both sides.
CopySpec logicalSpec(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int> order,
                     llvm::ArrayRef<int64_t> outLogical, llvm::ArrayRef<int64_t> inLogical,
                     int elemBytes) {
  CopySpec s;
  for (int axis : order) {
    s.dims.push_back(shape[axis]);
    s.outStrides.push_back(outLogical[axis]);
    s.inStrides.push_back(inLogical[axis]);
  }
  s.elemBytes = elemBytes;
  return s;
}

int elemBytesOf(const Operand &o) {
  return static_cast<int>(ir::elemTypeStorageBytes(o.elemType()));
}

/// Points a copy's source at node operand `index`: an activation in in[]
/// or a constant blob (logical layout).
void bindSource(const EmitContext &ctx, unsigned index, CopySpec &spec, KernelCall &call) {
  const Operand &op = ctx.operands[index];
  if (const ir::Tensor *t = op.constant()) {
    spec.srcKind = QC_SRC_CONST;
    spec.srcSlot = static_cast<int>(call.consts.size());
    call.consts.push_back(ConstBlob{toPhysicalBytes(*t, {}), 64});
    return;
  }
  spec.srcKind = QC_SRC_IN;
  spec.srcSlot = static_cast<int>(call.inputs.size());
  call.inputs.push_back(index);
}

/// makeCopy for operand `in` of the node into result `out`; errors name the
/// node.
llvm::Expected<KernelCall> nodeCopy(const EmitContext &ctx, CopySpec spec, unsigned in,
                                    unsigned out) {
  KernelCall binding;
  bindSource(ctx, in, spec, binding);
  auto call = makeCopy(spec);
  if (!call)
    return ctx.error(llvm::toString(call.takeError()));
  call->inputs = binding.inputs;
  call->consts = std::move(binding.consts);
  call->outputs = {out};
  return call;
}

llvm::Expected<std::vector<int64_t>> constInts(const EmitContext &ctx, unsigned i,
                                               llvm::StringRef what) {
  const ir::Tensor *t = i < ctx.operands.size() ? ctx.operands[i].constant() : nullptr;
  if (!t)
    return ctx.error(llvm::formatv("{0} must be a constant", what));
  return ir::infer::toInt64s(*t);
}

std::optional<std::vector<int64_t>> optionalConstInts(const EmitContext &ctx, unsigned i) {
  if (i >= ctx.operands.size() || !ctx.operands[i].present() || !ctx.operands[i].constant())
    return std::nullopt;
  return ir::infer::toInt64s(*ctx.operands[i].constant());
}

int64_t normalizedAxis(int64_t axis, int rank) { return axis < 0 ? axis + rank : axis; }

/// A copy_indexed call: per output physical axis a table of source element
/// offsets; the output is written contiguously in its physical order.
llvm::Expected<KernelCall> indexedCopy(const EmitContext &ctx, const Operand &out,
                                       std::vector<std::vector<int64_t>> tables,
                                       unsigned inIndex) {
  int eb = elemBytesOf(out);
  if (llvm::Error e = checkElemBytes(eb))
    return ctx.error(llvm::toString(std::move(e)));
  std::vector<int64_t> phys = out.physicalShape();
  std::vector<int64_t> outStrides = rowMajor(phys);
  qc_copy_indexed_params p{};
  std::vector<int64_t> flat;
  int64_t base = 0; // what the dropped size-1 axes add
  int r = 0;
  for (size_t d = 0; d < phys.size(); ++d) {
    if (phys[d] == 1 && d + 1 != phys.size()) {
      base += tables[d][0];
      continue;
    }
    if (r == QC_INDEXED_MAX_RANK)
      return ctx.error("too many dimensions for an index-table copy");
    p.dims[r] = phys[d];
    p.out_strides[r] = outStrides[d];
    p.table_offset[r] = static_cast<int64_t>(flat.size());
    flat.insert(flat.end(), tables[d].begin(), tables[d].end());
    ++r;
  }
  for (int64_t i = 0; i < p.dims[0]; ++i)
    flat[p.table_offset[0] + i] += base;
  p.rank = r;
  p.elem_bytes = eb;
  const int64_t *inner = flat.data() + p.table_offset[r - 1];
  bool contiguous = true;
  for (int64_t i = 1; i < p.dims[r - 1]; ++i)
    contiguous &= inner[i] == inner[0] + i;
  p.inner_contiguous = contiguous;
  KernelCall call;
  call.entry = "copy_indexed";
  call.params = paramsOf(p);
  call.consts.push_back(blobOf<int64_t>(flat));
  call.inputs = {inIndex};
  call.outputs = {0};
  int64_t rows = 1;
  for (int d = 0; d + 1 < r; ++d)
    rows *= p.dims[d];
  call.tasks = rows;
  return call;
}

} // namespace

llvm::Expected<KernelCall> emitLayoutCopy(const Operand &src, const Operand &dst) {
  if (src.shape != dst.shape)
    return llvm::createStringError("layout copy between different shapes");
  CopySpec s = logicalSpec(dst.shape, dst.perm, dst.logicalStrides(), src.logicalStrides(),
                           elemBytesOf(src));
  auto call = makeCopy(s);
  if (!call)
    return call.takeError();
  call->inputs = {0};
  call->outputs = {0};
  return call;
}

/// Reshape, Flatten, Squeeze, Unsqueeze, Identity: the logical element order
/// is kept; only the physical layouts of the two sides may differ.
llvm::Expected<std::vector<KernelCall>> emitReshapeCopy(const EmitContext &ctx) {
  const Operand &in = ctx.operands[0];
  const Operand &out = ctx.results[0];
  int eb = elemBytesOf(out);
  std::vector<KernelCall> calls;
  auto add = [&](const CopySpec &spec) -> llvm::Error {
    auto call = nodeCopy(ctx, spec, 0, 0);
    if (!call)
      return call.takeError();
    calls.push_back(std::move(*call));
    return llvm::Error::success();
  };
  if (in.shape == out.shape) {
    if (llvm::Error e = add(logicalSpec(out.shape, out.perm, out.logicalStrides(),
                                        in.logicalStrides(), eb)))
      return e;
  } else if (out.isIdentityLayout()) {
    // Write in's logical order: out's bytes viewed as in's logical shape.
    if (llvm::Error e = add(logicalSpec(in.shape, identityPerm(in.shape.size()),
                                        rowMajor(in.shape), in.logicalStrides(), eb)))
      return e;
  } else if (in.isIdentityLayout() || in.constant()) {
    if (llvm::Error e = add(logicalSpec(out.shape, out.perm, out.logicalStrides(),
                                        rowMajor(out.shape), eb)))
      return e;
  } else {
    // Both sides permuted: through logical order in the scratch (out[1]).
    CopySpec toScratch = logicalSpec(in.shape, identityPerm(in.shape.size()),
                                     rowMajor(in.shape), in.logicalStrides(), eb);
    toScratch.dstSlot = 1;
    if (llvm::Error e = add(toScratch))
      return e;
    CopySpec fromScratch = logicalSpec(out.shape, out.perm, out.logicalStrides(),
                                       rowMajor(out.shape), eb);
    auto call = makeCopy(fromScratch);
    if (!call)
      return ctx.error(llvm::toString(call.takeError()));
    qc_copy_params p;
    std::memcpy(&p, call->params.data(), sizeof(p));
    p.src_kind = QC_SRC_OUT;
    p.src_slot = 1;
    call->params = paramsOf(p);
    call->outputs = {0};
    calls.push_back(std::move(*call));
    for (KernelCall &c : calls)
      c.scratchBytes = in.numElements() * eb;
  }
  return calls;
}

llvm::Expected<std::vector<KernelCall>> emitTranspose(const EmitContext &ctx) {
  const Operand &in = ctx.operands[0];
  const Operand &out = ctx.results[0];
  int rank = in.rank();
  std::vector<int64_t> perm;
  if (const auto *p = ctx.node.findInts(AttrName::perm))
    perm = *p;
  else
    for (int i = rank; i-- > 0;)
      perm.push_back(i);
  std::vector<int64_t> inStrides = in.logicalStrides();
  std::vector<int64_t> permuted(rank);
  for (int d = 0; d < rank; ++d)
    permuted[d] = inStrides[perm[d]];
  auto call = nodeCopy(ctx, logicalSpec(out.shape, out.perm, out.logicalStrides(), permuted,
                                        elemBytesOf(out)),
                       0, 0);
  if (!call)
    return call.takeError();
  return std::vector<KernelCall>{std::move(*call)};
}

llvm::Expected<std::vector<KernelCall>> emitConcat(const EmitContext &ctx) {
  const Operand &out = ctx.results[0];
  int64_t axis = normalizedAxis(ctx.node.getInt(AttrName::axis), out.rank());
  std::vector<int64_t> outStrides = out.logicalStrides();
  std::vector<KernelCall> calls;
  int64_t offset = 0;
  for (unsigned i = 0; i < ctx.operands.size(); ++i) {
    const Operand &in = ctx.operands[i];
    if (in.numElements() == 0)
      continue;
    CopySpec spec = logicalSpec(in.shape, out.perm, outStrides, in.logicalStrides(),
                                elemBytesOf(out));
    spec.outOffset = offset * outStrides[axis];
    offset += in.shape[axis];
    auto call = nodeCopy(ctx, spec, i, 0);
    if (!call)
      return call.takeError();
    calls.push_back(std::move(*call));
  }
  return calls;
}

llvm::Expected<std::vector<KernelCall>> emitSplit(const EmitContext &ctx) {
  const Operand &in = ctx.operands[0];
  int64_t axis = normalizedAxis(ctx.node.getInt(AttrName::axis), in.rank());
  std::vector<int64_t> inStrides = in.logicalStrides();
  std::vector<KernelCall> calls;
  int64_t offset = 0;
  for (unsigned j = 0; j < ctx.results.size(); ++j) {
    const Operand &out = ctx.results[j];
    if (!out.present())
      continue;
    CopySpec spec = logicalSpec(out.shape, out.perm, out.logicalStrides(), inStrides,
                                elemBytesOf(out));
    spec.inOffset = offset * inStrides[axis];
    offset += out.shape[axis];
    if (out.numElements() == 0)
      continue;
    auto call = nodeCopy(ctx, spec, 0, j);
    if (!call)
      return call.takeError();
    calls.push_back(std::move(*call));
  }
  return calls;
}

llvm::Expected<std::vector<KernelCall>> emitSlice(const EmitContext &ctx) {
  const Operand &in = ctx.operands[0];
  const Operand &out = ctx.results[0];
  auto starts = constInts(ctx, 1, "starts");
  if (!starts)
    return starts.takeError();
  auto ends = constInts(ctx, 2, "ends");
  if (!ends)
    return ends.takeError();
  auto p = ir::infer::parseSliceParams(in.rank(), *starts, *ends, optionalConstInts(ctx, 3),
                                       optionalConstInts(ctx, 4));
  if (!p)
    return ctx.error(llvm::toString(p.takeError()));
  std::vector<int64_t> inStrides = in.logicalStrides();
  std::vector<int64_t> strides = inStrides;
  int64_t offset = 0;
  for (size_t i = 0; i < p->axes.size(); ++i) {
    size_t a = size_t(p->axes[i]);
    // The batch axis of a batched operand counts 1 per sample: only a full
    // slice of it is a per-sample copy.
    ir::infer::SliceRange r =
        ir::infer::resolveSliceRange(in.shape[a], p->starts[i], p->ends[i], p->steps[i]);
    if (a == 0 && in.batched && (r.size != 1 || r.start != 0))
      return ctx.error("slicing the batch dimension is not supported");
    offset += r.start * inStrides[a];
    strides[a] = inStrides[a] * r.step;
  }
  CopySpec spec = logicalSpec(out.shape, out.perm, out.logicalStrides(), strides,
                              elemBytesOf(out));
  spec.inOffset = offset;
  auto call = nodeCopy(ctx, spec, 0, 0);
  if (!call)
    return call.takeError();
  return std::vector<KernelCall>{std::move(*call)};
}

llvm::Expected<std::vector<KernelCall>> emitExpand(const EmitContext &ctx) {
  const Operand &in = ctx.operands[0];
  const Operand &out = ctx.results[0];
  CopySpec spec;
  spec.dims = out.physicalShape();
  spec.outStrides = rowMajor(spec.dims);
  spec.inStrides = broadcastStrides(in, out);
  spec.elemBytes = elemBytesOf(out);
  auto call = nodeCopy(ctx, spec, 0, 0);
  if (!call)
    return call.takeError();
  return std::vector<KernelCall>{std::move(*call)};
}

llvm::Expected<std::vector<KernelCall>> emitTile(const EmitContext &ctx) {
  const Operand &in = ctx.operands[0];
  const Operand &out = ctx.results[0];
  if (out.numElements() == 0)
    return std::vector<KernelCall>{};
  if (in.constant())
    return ctx.error("Tile of a constant is left to constant folding");
  std::vector<int64_t> inStrides = in.logicalStrides();
  std::vector<std::vector<int64_t>> tables;
  for (int axis : out.perm) {
    std::vector<int64_t> t(out.shape[axis]);
    for (int64_t i = 0; i < out.shape[axis]; ++i)
      t[i] = (i % in.shape[axis]) * inStrides[axis];
    tables.push_back(std::move(t));
  }
  auto call = indexedCopy(ctx, out, std::move(tables), 0);
  if (!call)
    return call.takeError();
  return std::vector<KernelCall>{std::move(*call)};
}


llvm::Expected<std::vector<KernelCall>> emitPad(const EmitContext &ctx) {
  const Operand &in = ctx.operands[0];
  const Operand &out = ctx.results[0];
  if (out.numElements() == 0)
    return std::vector<KernelCall>{};
  if (in.constant())
    return ctx.error("Pad of a constant is left to constant folding");
  auto pads = constInts(ctx, 1, "pads");
  if (!pads)
    return pads.takeError();
  auto amounts = ir::infer::parsePadAmounts(in.rank(), *pads, optionalConstInts(ctx, 3));
  if (!amounts)
    return ctx.error(llvm::toString(amounts.takeError()));
  if (in.batched && ((*amounts)[0].first != 0 || (*amounts)[0].second != 0))
    return ctx.error("padding the batch dimension is not supported");
  llvm::StringRef mode = ctx.node.getString(AttrName::mode);
  int eb = elemBytesOf(out);
  std::vector<int64_t> inStrides = in.logicalStrides();
  std::vector<KernelCall> calls;
  if (mode != "constant") {
    std::vector<std::vector<int64_t>> tables;
    for (int axis : out.perm) {
      std::vector<int64_t> t(out.shape[axis]);
      for (int64_t o = 0; o < out.shape[axis]; ++o)
        t[o] = interp::padSource(mode, o, in.shape[axis], (*amounts)[axis].first,
                         (*amounts)[axis].second) *
               inStrides[axis];
      tables.push_back(std::move(t));
    }
    auto call = indexedCopy(ctx, out, std::move(tables), 0);
    if (!call)
      return call.takeError();
    calls.push_back(std::move(*call));
    return calls;
  }
  // Fill the result with the pad value, then copy the kept input into it.
  std::vector<uint8_t> value(eb, 0);
  if (ctx.operands.size() > 2 && ctx.operands[2].present()) {
    const ir::Tensor *v = ctx.operands[2].constant();
    if (!v)
      return ctx.error("the pad value must be a constant");
    if (v->numElements() > 0)
      std::memcpy(value.data(), v->raw(), eb);
  }
  std::vector<int64_t> outStrides = out.logicalStrides();
  {
    CopySpec fill = logicalSpec(out.shape, out.perm, outStrides,
                                std::vector<int64_t>(out.rank(), 0), eb);
    fill.srcKind = QC_SRC_CONST;
    auto call = makeCopy(fill);
    if (!call)
      return ctx.error(llvm::toString(call.takeError()));
    call->consts.push_back(ConstBlob{value, 64});
    call->outputs = {0};
    calls.push_back(std::move(*call));
  }
  std::vector<int64_t> kept(in.shape);
  CopySpec copy;
  int64_t inOffset = 0, outOffset = 0;
  for (int a = 0; a < in.rank(); ++a) {
    auto [begin, end] = (*amounts)[a];
    int64_t first = std::max<int64_t>(-begin, 0);
    kept[a] = in.shape[a] - first - std::max<int64_t>(-end, 0);
    if (kept[a] <= 0)
      return calls; // all padding
    inOffset += first * inStrides[a];
    outOffset += std::max<int64_t>(begin, 0) * outStrides[a];
  }
  copy = logicalSpec(kept, out.perm, outStrides, inStrides, eb);
  copy.inOffset = inOffset;
  copy.outOffset = outOffset;
  auto call = nodeCopy(ctx, copy, 0, 0);
  if (!call)
    return call.takeError();
  calls.push_back(std::move(*call));
  return calls;
}

llvm::Expected<std::vector<KernelCall>> emitResize(const EmitContext &ctx) {
  const Operand &in = ctx.operands[0];
  const Operand &out = ctx.results[0];
  if (out.numElements() == 0)
    return std::vector<KernelCall>{};
  if (ctx.node.getString(AttrName::mode) != "nearest")
    return ctx.error("only mode 'nearest' has a kernel");
  if (ctx.node.getString(AttrName::coordinate_transformation_mode) == "tf_crop_and_resize")
    return ctx.error("tf_crop_and_resize has no kernel");
  if (in.constant())
    return ctx.error("Resize of a constant is left to constant folding");
  // The reference's own index choice: resize, per axis, a float tensor
  // holding each element's index along that axis.
  std::vector<const ir::Tensor *> operands(ctx.operands.size(), nullptr);
  for (size_t i = 1; i < ctx.operands.size(); ++i)
    if (ctx.operands[i].present()) {
      operands[i] = ctx.operands[i].constant();
      if (!operands[i])
        return ctx.error("roi, scales and sizes must be constants");
    }
  std::vector<int64_t> inStrides = in.logicalStrides();
  std::vector<int64_t> inRowMajor = rowMajor(in.shape);
  std::vector<int64_t> outRowMajor = rowMajor(out.shape);
  std::vector<std::vector<int64_t>> logicalTables(in.rank());
  for (int axis = 0; axis < in.rank(); ++axis) {
    std::vector<int64_t> &t = logicalTables[axis];
    if (in.shape[axis] == out.shape[axis] && in.shape[axis] == 1) {
      t = {0};
      continue;
    }
    ir::Tensor coords(ir::ElemType::F32, in.shape);
    float *c = coords.data<float>();
    for (int64_t i = 0; i < in.numElements(); ++i)
      c[i] = static_cast<float>((i / inRowMajor[axis]) % in.shape[axis]);
    operands[0] = &coords;
    auto result = interp::evaluateNode(ctx.node, operands);
    if (!result)
      return ctx.error(llvm::toString(result.takeError()));
    const ir::Tensor &r = (*result)[0];
    if (r.dims() != out.shape)
      return ctx.error("unexpected result shape of the reference resize");
    for (int64_t o = 0; o < out.shape[axis]; ++o) {
      float v = r.data<float>()[o * outRowMajor[axis]];
      if (!(v >= 0 && v < float(in.shape[axis])) || v != std::floor(v))
        return ctx.error("the reference resize samples outside the input");
      t.push_back(static_cast<int64_t>(v) * inStrides[axis]);
    }
  }
  std::vector<std::vector<int64_t>> tables;
  for (int axis : out.perm)
    tables.push_back(std::move(logicalTables[axis]));
  auto call = indexedCopy(ctx, out, std::move(tables), 0);
  if (!call)
    return call.takeError();
  return std::vector<KernelCall>{std::move(*call)};
}

/// Gather (Logical layouts): data [outer, extent, inner] rows picked by
/// constant or run-time indices.
llvm::Expected<std::vector<KernelCall>> emitGather(const EmitContext &ctx) {
  const Operand &data = ctx.operands[0];
  const Operand &indices = ctx.operands[1];
  int64_t axis = normalizedAxis(ctx.node.getInt(AttrName::axis), data.rank());
  if (axis == 0 && data.batched)
    return ctx.error("gathering along the batch dimension is not supported");
  int eb = elemBytesOf(data);
  qc_gather_rows_params p{};
  p.outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    p.outer *= data.shape[d];
  p.extent = data.shape[axis];
  p.inner_bytes = eb;
  for (int64_t d = axis + 1; d < data.rank(); ++d)
    p.inner_bytes *= data.shape[d];
  p.num_indices = indices.numElements();
  ir::ElemType it = indices.elemType();
  if (it != ir::ElemType::I64 && it != ir::ElemType::I32)
    return ctx.error("indices must be i32 or i64");
  p.index_bytes = it == ir::ElemType::I64 ? 8 : 4;
  KernelCall call;
  call.entry = "gather_rows";
  if (const ir::Tensor *t = data.constant()) {
    p.data_src = QC_SRC_CONST;
    p.data_slot = static_cast<int32_t>(call.consts.size());
    call.consts.push_back(ConstBlob{toPhysicalBytes(*t, {}), 64});
  } else {
    p.data_src = QC_SRC_IN;
    p.data_slot = static_cast<int32_t>(call.inputs.size());
    call.inputs.push_back(0);
  }
  if (const ir::Tensor *t = indices.constant()) {
    for (int64_t i = 0; i < t->numElements(); ++i) {
      int64_t v = t->getInt(i);
      if (v < -p.extent || v >= p.extent)
        return ctx.error(llvm::formatv("index {0} is out of range for an axis of {1}", v,
                                       p.extent));
    }
    p.indices_src = QC_SRC_CONST;
    p.indices_slot = static_cast<int32_t>(call.consts.size());
    call.consts.push_back(ConstBlob{toPhysicalBytes(*t, {}), 64});
  } else {
    p.indices_src = QC_SRC_IN;
    p.indices_slot = static_cast<int32_t>(call.inputs.size());
    call.inputs.push_back(1);
    // Run-time indices are checked: out[1] is the step's status word.
    call.reportsStatus = true;
    p.status_slot = 1;
  }
  call.params = paramsOf(p);
  call.outputs = {0};
  call.tasks = p.outer;
  return std::vector<KernelCall>{std::move(call)};
}

} // namespace qc::codegen
