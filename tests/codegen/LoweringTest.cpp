// Lowering (codegen/Lowering.h) and the arena plan (codegen/MemoryPlan.h)
// on text-IR graphs with stand-in emitters: layout assignment and
// propagation, views as aliases, graph I/O binding, batch checks, the
// "no kernel" report, and that planned buffers never overlap while live.
#include <random>

#include "codegen/Lowering.h"
#include "codegen/MemoryPlan.h"
#include "ir/Parser.h"
#include "gtest/gtest.h"

using namespace qc;
using namespace qc::codegen;

namespace {

// Stand-in emitters: one call reading every activation operand, writing
// every result; QConv is ChannelsLast, QAdd Agnostic, QSoftmax Logical.
llvm::Expected<std::vector<KernelCall>> fakeEmit(const EmitContext &ctx) {
  KernelCall call;
  call.entry = "fake_" + ctx.node.info().name.str();
  for (unsigned i = 0; i < ctx.operands.size(); ++i)
    if (ctx.operands[i].present() && !ctx.operands[i].constant())
      call.inputs.push_back(i);
  for (unsigned r = 0; r < ctx.results.size(); ++r)
    call.outputs.push_back(r);
  call.tasks = 4;
  if (ctx.node.kind() == ir::OpKind::QConv)
    call.scratchBytes = 100;
  return std::vector<KernelCall>{call};
}

const EmitterInfo *fakeFind(ir::OpKind kind) {
  static const EmitterInfo table[] = {
      {ir::OpKind::QConv, &fakeEmit, LayoutPolicy::ChannelsLast},
      {ir::OpKind::QAdd, &fakeEmit, LayoutPolicy::Agnostic},
      {ir::OpKind::QSoftmax, &fakeEmit, LayoutPolicy::Logical},
      {ir::OpKind::Relu, &fakeEmit, LayoutPolicy::Agnostic},
      {ir::OpKind::Softmax, &fakeEmit, LayoutPolicy::Logical},
      {ir::OpKind::QuantizeLinear, &fakeEmit, LayoutPolicy::Agnostic},
  };
  for (const EmitterInfo &e : table)
    if (e.kind == kind)
      return &e;
  return nullptr;
}

llvm::Expected<KernelCall> fakeCopy(const Operand &src, const Operand &dst) {
  KernelCall call;
  call.entry = "fake_copy";
  call.inputs = {0};
  call.outputs = {0};
  return call;
}

const LoweringHooks kFake{&fakeFind, &fakeCopy};

std::unique_ptr<ir::Graph> parse(llvm::StringRef text) {
  auto g = ir::parseGraph(text);
  if (!g) {
    ADD_FAILURE() << llvm::toString(g.takeError());
    return nullptr;
  }
  return std::move(*g);
}

Program lower(const ir::Graph &g) {
  auto p = lowerGraph(g, Isa::Avx512Vnni, kFake);
  if (!p) {
    ADD_FAILURE() << llvm::toString(p.takeError());
    return {};
  }
  return std::move(*p);
}

std::string lowerError(const ir::Graph &g) {
  auto p = lowerGraph(g, Isa::Avx512Vnni, kFake);
  if (p) {
    ADD_FAILURE() << "lowering succeeded";
    return "";
  }
  return llvm::toString(p.takeError());
}

std::vector<std::string> entries(const Program &p) {
  std::vector<std::string> e;
  for (const Step &s : p.steps)
    e.push_back(s.call.entry);
  return e;
}

const std::vector<int> kNhwc = {0, 2, 3, 1};

// Every pair of arena buffers of one region that are live at the same
// step occupies disjoint bytes, for batch sizes 1..4.
void expectNoLiveOverlap(const Program &p) {
  for (int64_t batch = 1; batch <= 4; ++batch)
    for (size_t a = 0; a < p.buffers.size(); ++a)
      for (size_t b = a + 1; b < p.buffers.size(); ++b) {
        const Buffer &x = p.buffers[a], &y = p.buffers[b];
        if (x.kind != BufferKind::Arena || y.kind != BufferKind::Arena || x.firstStep < 0 ||
            y.firstStep < 0)
          continue;
        if (x.lastStep < y.firstStep || y.lastStep < x.firstStep)
          continue;
        auto range = [&](const Buffer &u) {
          int64_t begin = u.batched ? int64_t(p.arenaStaticBytes) + u.offset * batch : u.offset;
          int64_t end = begin + (u.batched ? u.bytes * batch : u.bytes);
          EXPECT_EQ(begin % 64, 0) << u.name;
          EXPECT_LE(end, int64_t(p.arenaStaticBytes + p.arenaBatchBytes * batch)) << u.name;
          return std::pair(begin, end);
        };
        auto [xb, xe] = range(x);
        auto [yb, ye] = range(y);
        EXPECT_TRUE(xe <= yb || ye <= xb) << x.name << " and " << y.name << " overlap";
      }
}

const char *kConvChain = R"(
graph @chain(%x: tensor<Nx8x5x5xu8, quant<scale=0.1, zp=128>>) {
  %w = const dense<1> : tensor<8x8x1x1xi8, quant<scale=0.1, zp=0>>
  %a = qc.QConv(%x, %w) name "conv1" : tensor<Nx8x5x5xu8, quant<scale=0.1, zp=128>>
  %b = qc.QConv(%a, %w) name "conv2" : tensor<Nx8x5x5xu8, quant<scale=0.1, zp=128>>
  %c = qc.QAdd(%a, %b) name "add" : tensor<Nx8x5x5xu8, quant<scale=0.1, zp=128>>
  %d = qc.QConv(%c, %w) name "conv3" : tensor<Nx8x5x5xu8, quant<scale=0.1, zp=128>>
  return %d
}
)";

TEST(Lowering, ChannelsLastChainConvertsOnlyAtTheBoundaries) {
  auto g = parse(kConvChain);
  ASSERT_TRUE(g);
  Program p = lower(*g);
  // x: NCHW -> NHWC once; the add keeps NHWC (propagated); the output
  // goes back to NCHW in one copy.
  EXPECT_EQ(entries(p),
            (std::vector<std::string>{"fake_copy", "fake_qc.QConv", "fake_qc.QConv",
                                      "fake_qc.QAdd", "fake_qc.QConv", "fake_copy"}));
  EXPECT_EQ(p.values.at("a").perm, kNhwc);
  EXPECT_EQ(p.values.at("c").perm, kNhwc);
  EXPECT_EQ(p.values.at("x").perm, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(p.batchDimName, "N");
  for (const Step &s : p.steps)
    EXPECT_TRUE(s.batched);
  // The final copy writes exec->outputs[0].
  const Buffer &out = p.buffers[p.steps.back().outBuffers[0]];
  EXPECT_EQ(out.kind, BufferKind::Output);
  EXPECT_EQ(p.inputs[0].dims, (std::vector<int64_t>{-1, 8, 5, 5}));
  // Convs get their scratch as the last out[].
  EXPECT_EQ(p.steps[1].outBuffers.size(), 2u);
  EXPECT_EQ(p.buffers[p.steps[1].outBuffers[1]].bytes, 100);
  expectNoLiveOverlap(p);
}

TEST(Lowering, LogicalConsumerGetsAConversion) {
  auto g = parse(R"(
graph @g(%x: tensor<1x4x3x3xu8, quant<scale=0.1, zp=128>>) {
  %w = const dense<1> : tensor<4x4x1x1xi8, quant<scale=0.1, zp=0>>
  %a = qc.QConv(%x, %w) name "conv" : tensor<1x4x3x3xu8, quant<scale=0.1, zp=128>>
  %b = qc.QSoftmax(%a) {axis = 3} name "sm" : tensor<1x4x3x3xu8, quant<scale=0.00390625, zp=0>>
  %c = qc.QSoftmax(%a) {axis = 3} name "sm2" : tensor<1x4x3x3xu8, quant<scale=0.00390625, zp=0>>
  return %b, %c
}
)");
  ASSERT_TRUE(g);
  Program p = lower(*g);
  // One NHWC -> NCHW conversion shared by both softmaxes; their results
  // are written straight into the outputs.
  EXPECT_EQ(entries(p),
            (std::vector<std::string>{"fake_copy", "fake_qc.QConv", "fake_copy",
                                      "fake_qc.QSoftmax", "fake_qc.QSoftmax"}));
  EXPECT_EQ(p.buffers[p.steps[3].outBuffers[0]].kind, BufferKind::Output);
  EXPECT_EQ(p.buffers[p.steps[4].outBuffers[0]].kind, BufferKind::Output);
  EXPECT_EQ(p.buffers[p.steps[4].outBuffers[0]].index, 1u);
  EXPECT_TRUE(p.batchDimName.empty());
  for (const Step &s : p.steps)
    EXPECT_FALSE(s.batched);
  expectNoLiveOverlap(p);
}

// An f32 NCHW graph input quantized for a conv: the QuantizeLinear writes
// NHWC itself (no relayout step), unless its result is also a graph output
// or has a consumer that is not ChannelsLast.
TEST(Lowering, InputQuantizeWritesNhwcForChannelsLastConsumers) {
  const char *text = R"(
graph @g(%x: tensor<Nx3x6x6xf32>) {
  %s = const dense<0.5> : tensor<f32>
  %z = const dense<3> : tensor<u8>
  %w = const dense<1> : tensor<8x3x1x1xi8, quant<scale=0.1, zp=0>>
  %q = QuantizeLinear(%x, %s, %z) name "quant" : tensor<Nx3x6x6xu8>
  %a = qc.QConv(%q, %w) name "conv" : tensor<Nx8x6x6xu8, quant<scale=0.1, zp=128>>
  return %a%EXTRA
}
)";
  std::string direct = text;
  direct.replace(direct.find("%EXTRA"), 6, "");
  auto g = parse(direct);
  ASSERT_TRUE(g);
  Program p = lower(*g);
  EXPECT_EQ(entries(p), (std::vector<std::string>{"fake_QuantizeLinear", "fake_qc.QConv",
                                                  "fake_copy"}));
  EXPECT_EQ(p.values.at("q").perm, kNhwc);
  EXPECT_EQ(p.values.at("x").perm, (std::vector<int>{0, 1, 2, 3}));

  std::string alsoOutput = text;
  alsoOutput.replace(alsoOutput.find("%EXTRA"), 6, ", %q");
  auto g2 = parse(alsoOutput);
  ASSERT_TRUE(g2);
  Program p2 = lower(*g2);
  EXPECT_EQ(p2.values.at("q").perm, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(entries(p2), (std::vector<std::string>{"fake_QuantizeLinear", "fake_copy",
                                                   "fake_qc.QConv", "fake_copy"}));
  expectNoLiveOverlap(p2);
}

TEST(Lowering, ViewsAliasWhenMemoryOrderAgrees) {
  auto g = parse(R"(
graph @g(%x: tensor<Nx4x3x3xu8, quant<scale=0.1, zp=128>>) {
  %w = const dense<1> : tensor<6x4x3x3xi8, quant<scale=0.1, zp=0>>
  %a = qc.QConv(%x, %w) name "conv" : tensor<Nx6x1x1xu8, quant<scale=0.1, zp=128>>
  %s = const dense<[-1, 6]> : tensor<2xi64>
  %b = Reshape(%a, %s) : tensor<Nx6xu8, quant<scale=0.1, zp=128>>
  %c = Identity(%b) : tensor<Nx6xu8, quant<scale=0.1, zp=128>>
  %d = qc.QSoftmax(%c) {axis = 1} name "sm" : tensor<Nx6xu8, quant<scale=0.00390625, zp=0>>
  return %d
}
)");
  ASSERT_TRUE(g);
  Program p = lower(*g);
  // [N,6,1,1] NHWC has the bytes of NCHW: Reshape and Identity alias it.
  EXPECT_EQ(entries(p), (std::vector<std::string>{"fake_copy", "fake_qc.QConv",
                                                  "fake_qc.QSoftmax"}));
  EXPECT_EQ(p.values.at("b").buffer, p.values.at("a").buffer);
  EXPECT_EQ(p.values.at("c").buffer, p.values.at("a").buffer);
  expectNoLiveOverlap(p);
}

TEST(Lowering, ViewOfNhwcValueIsConvertedFirst) {
  auto g = parse(R"(
graph @g(%x: tensor<1x4x3x3xu8, quant<scale=0.1, zp=128>>) {
  %w = const dense<1> : tensor<4x4x1x1xi8, quant<scale=0.1, zp=0>>
  %a = qc.QConv(%x, %w) name "conv" : tensor<1x4x3x3xu8, quant<scale=0.1, zp=128>>
  %s = const dense<[1, 36]> : tensor<2xi64>
  %b = Reshape(%a, %s) : tensor<1x36xu8, quant<scale=0.1, zp=128>>
  return %b
}
)");
  ASSERT_TRUE(g);
  Program p = lower(*g);
  // NHWC [1,4,3,3] must become NCHW before the flat view; the conversion
  // writes straight into the output.
  EXPECT_EQ(entries(p),
            (std::vector<std::string>{"fake_copy", "fake_qc.QConv", "fake_copy"}));
  EXPECT_EQ(p.buffers[p.steps[2].outBuffers[0]].kind, BufferKind::Output);
}

TEST(Lowering, OutputThatIsAnInputIsCopied) {
  auto g = parse(R"(
graph @g(%x: tensor<2x3xf32>) {
  %s = const dense<[6]> : tensor<1xi64>
  %y = Reshape(%x, %s) : tensor<6xf32>
  return %y, %x
}
)");
  ASSERT_TRUE(g);
  Program p = lower(*g);
  EXPECT_EQ(entries(p), (std::vector<std::string>{"fake_copy", "fake_copy"}));
  EXPECT_EQ(p.buffers[p.steps[0].inBuffers[0]].kind, BufferKind::Input);
  EXPECT_EQ(p.arenaStaticBytes, 0u);
}

TEST(Lowering, MissingKernelsAreListedTogether) {
  auto g = parse(R"(
graph @g(%x: tensor<1x4xf32>) {
  %a = Sigmoid(%x) name "s1" : tensor<1x4xf32>
  %b = Relu(%a) name "r" : tensor<1x4xf32>
  %c = Tanh(%b) name "t1" : tensor<1x4xf32>
  return %c
}
)");
  ASSERT_TRUE(g);
  std::string err = lowerError(*g);
  EXPECT_NE(err.find("no kernel"), std::string::npos) << err;
  EXPECT_NE(err.find("Sigmoid 's1'"), std::string::npos) << err;
  EXPECT_NE(err.find("Tanh 't1'"), std::string::npos) << err;
}

TEST(Lowering, BatchDimErrorsNameTheNode) {
  struct Case {
    const char *ir;
    const char *expect;
  } cases[] = {
      {R"(graph @g(%x: tensor<4xNxf32>) {
  %y = Relu(%x) name "r" : tensor<4xNxf32>
  return %y
})",
       "axis 1"},
      {R"(graph @g(%x: tensor<Nx4xf32>, %z: tensor<Mx4xf32>) {
  %y = Relu(%x) name "r" : tensor<Nx4xf32>
  return %y
})",
       "at most one symbolic"},
      {R"(graph @g(%x: tensor<Nx4xf32>) {
  %y = Softmax(%x) {axis = 0} name "sm" : tensor<Nx4xf32>
  return %y
})",
       "Softmax 'sm'"},
      {R"(graph @g(%x: tensor<Nx4xf32>) {
  %y = Transpose(%x) {perm = [1, 0]} name "tr" : tensor<4xNxf32>
  return %y
})",
       "--input-shape"},
      {R"(graph @g(%x: tensor<Nx4xf32>) {
  %a = const dense<[0]> : tensor<1xi64>
  %y = ReduceSum(%x, %a) {keepdims = 1} name "rs" : tensor<1x4xf32>
  return %y
})",
       "ReduceSum 'rs'"},
  };
  for (const Case &c : cases) {
    auto g = parse(c.ir);
    ASSERT_TRUE(g) << c.ir;
    std::string err = lowerError(*g);
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.ir << "\n" << err;
    EXPECT_NE(err.find("--input-shape"), std::string::npos) << err;
  }
}

TEST(Lowering, MemoryIdentity) {
  EXPECT_TRUE(isMemoryIdentity({1, 7, 1, 1}, kNhwc));
  EXPECT_TRUE(isMemoryIdentity({1, 1, 3, 5}, kNhwc));
  EXPECT_FALSE(isMemoryIdentity({1, 2, 3, 1}, kNhwc));
  EXPECT_TRUE(isMemoryIdentity({2, 3}, std::vector<int>{0, 1}));
}

TEST(MemoryPlan, ReusesDeadBuffersAndNeverOverlapsLiveOnes) {
  // Chain a -> b -> c: a is dead once c is written, so c reuses a's bytes.
  std::vector<PlanItem> chain = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}};
  std::vector<int64_t> off;
  EXPECT_EQ(planOffsets(chain, off), 2048);
  EXPECT_EQ(off[0], off[2]);

  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<PlanItem> items(1 + rng() % 30);
    for (PlanItem &it : items) {
      it.bytes = 1 + rng() % 5000;
      it.first = rng() % 20;
      it.last = it.first + rng() % 6;
    }
    int64_t total = planOffsets(items, off);
    int64_t sum = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(off[i] % 64, 0);
      EXPECT_LE(off[i] + items[i].bytes, total);
      sum += (items[i].bytes + 63) / 64 * 64;
      for (size_t j = i + 1; j < items.size(); ++j) {
        bool live = items[i].first <= items[j].last && items[j].first <= items[i].last;
        bool disjoint =
            off[i] + items[i].bytes <= off[j] || off[j] + items[j].bytes <= off[i];
        EXPECT_TRUE(!live || disjoint) << "trial " << trial << " items " << i << ", " << j;
      }
    }
    EXPECT_LE(total, sum);
  }
}

} // namespace
