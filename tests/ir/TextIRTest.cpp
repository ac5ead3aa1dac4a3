// The IR text form: hand-written snippets print back identically, one node of
// every op and constants of every element type round-trip exactly, and parse
// errors name line:col.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "ir/Parser.h"
#include "ir/Printer.h"

using namespace qc::ir;

namespace {

std::string printParsed(llvm::StringRef text) {
  auto g = parseGraph(text);
  if (!g)
    return "error: " + llvm::toString(g.takeError());
  return printGraph(**g);
}

std::string parseError(llvm::StringRef text) {
  auto g = parseGraph(text);
  if (g)
    return "<parsed without error>";
  return llvm::toString(g.takeError());
}

bool attrEquals(const AttrValue &a, const AttrValue &b) {
  if (a.index() != b.index())
    return false;
  if (const Tensor *t = std::get_if<Tensor>(&a))
    return t->identical(std::get<Tensor>(b));
  if (const float *f = std::get_if<float>(&a)) // compare bits: NaN, -0.0
    return std::bit_cast<uint32_t>(*f) == std::bit_cast<uint32_t>(std::get<float>(b));
  if (const auto *fs = std::get_if<std::vector<float>>(&a)) {
    const auto &gs = std::get<std::vector<float>>(b);
    if (fs->size() != gs.size())
      return false;
    for (size_t i = 0; i < fs->size(); ++i)
      if (std::bit_cast<uint32_t>((*fs)[i]) != std::bit_cast<uint32_t>(gs[i]))
        return false;
    return true;
  }
  if (const auto *i = std::get_if<int64_t>(&a))
    return *i == std::get<int64_t>(b);
  if (const auto *str = std::get_if<std::string>(&a))
    return *str == std::get<std::string>(b);
  if (const auto *is = std::get_if<std::vector<int64_t>>(&a))
    return *is == std::get<std::vector<int64_t>>(b);
  if (const auto *ss = std::get_if<std::vector<std::string>>(&a))
    return *ss == std::get<std::vector<std::string>>(b);
  return std::get<ElemType>(a) == std::get<ElemType>(b);
}

/// A value of `kind` different from the schema default.
AttrValue sampleAttr(const AttrSchema &schema) {
  const AttrValue *def = schema.defaultValue ? &*schema.defaultValue : nullptr;
  switch (schema.kind) {
  case AttrKind::Int:
    return def ? std::get<int64_t>(*def) + 3 : int64_t(-7);
  case AttrKind::Float:
    return def ? std::get<float>(*def) * 3.0f + 0.1f : 1e-7f;
  case AttrKind::String:
    return std::string("sample \"q\\\" \n\tname\x01");
  case AttrKind::Ints:
    return std::vector<int64_t>{1, -2, std::numeric_limits<int64_t>::max()};
  case AttrKind::Floats:
    return std::vector<float>{0.5f, -1e-5f, std::numeric_limits<float>::infinity()};
  case AttrKind::Strings:
    return std::vector<std::string>{"a", "b c", ""};
  case AttrKind::Tensor:
    return Tensor::fromDoubles(ElemType::F16, {2}, {1.5, -0.0});
  case AttrKind::Elem:
    return ElemType::U4;
  }
  return int64_t(0);
}

} // namespace

TEST(TextIR, HandWrittenSnippetsPrintBackIdentically) {
  const char *snippets[] = {
      // The canonical example: symbolic batch, weights, absent operand,
      // multiple results, a named node, several opsets.
      R"(graph @main(%x: tensor<Nx3x8x8xf32>, %scale: tensor<f32>) {
  opset "" 17
  opset "com.microsoft" 1
  %w = const dense<0.5> : tensor<4x3x3x3xf32>
  %zp = const dense<[0, 1, -128, 127]> : tensor<4xi8>
  %y = Conv(%x, %w, _) {pads = [1, 1, 1, 1], strides = [1, 1]} : tensor<Nx4x8x8xf32>
  %a, %b = Split(%y) {axis = 1, num_outputs = 2} : tensor<Nx2x8x8xf32>, tensor<Nx2x8x8xf32>
  %q = QuantizeLinear(%a, %scale) name "q_a" : tensor<Nx2x8x8xu8>
  return %q, %b
}
)",
      // ONNX-style names that need quotes, odd symbols, unknown and unranked
      // shapes, quantized types, every attribute kind.
      R"(graph @"torch-jit export"(%input.1: tensor<"batch x"x?x16xf32>, %"onnx::Conv_12": tensor<*xi8, quant<axis=0, scale=[0.5, 0.25], zp=[0, 1]>>, %"shape\n": tensor<2xi64>) {
  %w4 = const dense<[-8, 7, 0, -1, 1, 2, 3, 4]> : tensor<4x2xi4, quant<axis=1, block=2, scale=[0.5, 1], zp=[0, -1]>>
  %"/layer1/Gelu_output_0" = Gelu(%input.1) {approximate = "tanh"} name "gelu \"1\"\01" : tensor<"batch x"x?x16xf32>
  %c = Cast(%"onnx::Conv_12") {saturate = 0, to = f16} : tensor<*xf16>
  %s = ConstantOfShape(%"shape\n") {value = dense<[1.5]> : tensor<1xf32>} : tensor<?x?xf32>
  %l = LeakyRelu(%s) {alpha = 0.1} : tensor<?x?xf32>
  %g = Gemm(%l, %l) {alpha = 1e-05, beta = -inf, transA = 1} : tensor<?x?xf32>
  %r = Resize(%input.1, _, _, %"shape\n") {axes = [-1], coordinate_transformation_mode = "asymmetric", cubic_coeff_a = 100.0} : tensor<batch_sizex?x?xf32>
  return %"/layer1/Gelu_output_0", %c, %w4, %input.1
}
)",
      // No inputs, no opsets, no outputs.
      R"(graph @empty() {
  return
}
)",
  };
  for (const char *text : snippets)
    EXPECT_EQ(printParsed(text), text);
}

TEST(TextIR, NonCanonicalInputPrintsCanonically) {
  // Comments, free spacing, a constant after a node, `name` before the
  // attributes, an int literal for a float attribute, a splat for a single
  // element, 1/0 for bools and a quoted symbol that needs no quotes.
  const char *text = R"(// RUN: qc-opt %s | FileCheck %s
graph @g ( %x : tensor<"N"x4xf32> ) {   // trailing comment
  %r = LeakyRelu( %x ) name "leaky"
       { alpha = 2 }
       : tensor<Nx4xf32>
  // CHECK: const
  %one = const dense<7> : tensor<1xi32>
  %b = const dense<[1, 0, true]> : tensor<3xbool>
  return %r,%one, %b
}
)";
  EXPECT_EQ(printParsed(text), R"(graph @g(%x: tensor<Nx4xf32>) {
  %one = const dense<[7]> : tensor<1xi32>
  %b = const dense<[true, false, true]> : tensor<3xbool>
  %r = LeakyRelu(%x) {alpha = 2.0} name "leaky" : tensor<Nx4xf32>
  return %r, %one, %b
}
)");
}

TEST(TextIR, SymbolicDimsWithSeparatorCharactersAreQuoted) {
  Type t(ElemType::F32, Shape({Dim::symbol("max_len"), Dim::symbol("N"), Dim::symbol("a b"),
                               Dim::symbol("7"), Dim(2)}));
  EXPECT_EQ(t.str(), R"(tensor<"max_len"xNx"a b"x"7"x2xf32>)");
  Graph g;
  g.addOutput(g.addInput("x", t));
  auto parsed = parseGraph(printGraph(g));
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ((*parsed)->inputs()[0]->type(), t);
}

TEST(TextIR, EveryOpRoundTrips) {
  for (const OpInfo &info : allOps()) {
    for (bool maximal : {true, false}) {
      SCOPED_TRACE(info.name.str() + (maximal ? " (max arity)" : " (min arity)"));
      Graph g;
      g.opsets()[""] = 21;
      Type in(ElemType::F32, Shape({2, 3}));
      int numOperands = maximal ? (info.maxInputs < 0 ? info.minInputs + 2 : info.maxInputs)
                                : info.minInputs;
      int numResults = maximal ? (info.maxOutputs < 0 ? info.minOutputs + 2 : info.maxOutputs)
                               : info.minOutputs;
      std::vector<Value *> operands;
      for (int i = 0; i < numOperands; ++i) {
        bool absent = maximal && i >= info.minInputs && i == numOperands - 2;
        operands.push_back(absent ? nullptr
                                  : g.addInput("in" + std::to_string(i), in));
      }
      std::vector<std::pair<std::string, Type>> results;
      for (int i = 0; i < numResults; ++i)
        results.emplace_back("out." + std::to_string(i),
                             Type(ElemType::I8, Shape({Dim::symbol("N"), Dim::unknown()})));
      Node *node = g.createNode(info.kind, operands, results);
      node->setName(info.name.str() + "/node");
      for (const AttrSchema *schema : attrSchemas(info.kind))
        node->setAttr(schema->name, sampleAttr(*schema));
      for (Value *r : node->results())
        g.addOutput(r);

      std::string printed = printGraph(g);
      auto parsed = parseGraph(printed);
      ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError()) << "\n" << printed;
      EXPECT_EQ(printGraph(**parsed), printed);

      // The parsed graph holds the same node, not just the same text.
      ASSERT_EQ((*parsed)->numNodes(), 1u);
      const Node &back = *(*parsed)->nodes()[0];
      EXPECT_EQ(back.kind(), info.kind);
      EXPECT_EQ(back.name(), node->name());
      ASSERT_EQ(back.numOperands(), node->numOperands());
      for (size_t i = 0; i < back.numOperands(); ++i)
        EXPECT_EQ(back.operand(i) == nullptr, node->operand(i) == nullptr) << i;
      ASSERT_EQ(back.numResults(), node->numResults());
      EXPECT_EQ(back.result(0)->type(), node->result(0)->type());
      ASSERT_EQ(back.attrs().size(), attrSchemas(info.kind).size());
      for (size_t i = 0; i < back.attrs().size(); ++i) {
        EXPECT_EQ(back.attrs()[i].first, node->attrs()[i].first);
        EXPECT_TRUE(attrEquals(back.attrs()[i].second, node->attrs()[i].second))
            << attrNameString(back.attrs()[i].first).str();
      }
    }
  }
}

namespace {
// One constant per line, checked against hand-derived spellings.
struct ConstantCase {
  Tensor data;
  const char *expected; // the printed line without the leading "  %c = const "
};

Tensor fromBits16(ElemType t, std::vector<uint16_t> bits) {
  Tensor r(t, {int64_t(bits.size())});
  std::copy(bits.begin(), bits.end(), r.data<uint16_t>());
  return r;
}
} // namespace

TEST(TextIR, ConstantsOfEveryElementTypeRoundTripBitExactly) {
  const float fInf = std::numeric_limits<float>::infinity();
  const double dInf = std::numeric_limits<double>::infinity();
  std::vector<ConstantCase> cases = {
      {Tensor::fromDoubles(ElemType::F32, {11},
                           {std::nan(""), -0.0, fInf, -fInf, std::bit_cast<float>(1u),
                            std::numeric_limits<float>::max(), 0.1, 1e-5, 100, 16777216,
                            std::numeric_limits<float>::min()}),
       "dense<[nan, -0.0, inf, -inf, 1e-45, 3.4028235e+38, 0.1, 1e-05, 100.0, "
       "16777216.0, 1.1754944e-38]> : tensor<11xf32>"},
      {Tensor::fromDoubles(ElemType::F64, {7},
                           {std::nan(""), -0.0, std::bit_cast<double>(uint64_t(1)),
                            std::numeric_limits<double>::max(), 0.1, 1e16, -dInf}),
       "dense<[nan, -0.0, 5e-324, 1.7976931348623157e+308, 0.1, 1e+16, -inf]> : "
       "tensor<7xf64>"},
      // f16: max 65504 (shortest "65500"), smallest denormal, -0, inf, NaN, 1/3, 0.1.
      {fromBits16(ElemType::F16, {0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555, 0x2e66}),
       "dense<[65500.0, 6e-08, -0.0, inf, -inf, nan, 0.3333, 0.1]> : tensor<8xf16>"},
      // bf16: 0.333984375 (0.33 would round to 0.330078125), max, smallest
      // denormal 2^-133, -0, NaN, 1.
      {fromBits16(ElemType::BF16, {0x3eab, 0x7f7f, 0x0001, 0x8000, 0x7fc0, 0x3f80}),
       "dense<[0.334, 3.39e+38, 9e-41, -0.0, nan, 1.0]> : tensor<6xbf16>"},
      {Tensor::fromInts(ElemType::I4, {2, 2}, {-8, 7, 0, -1}),
       "dense<[-8, 7, 0, -1]> : tensor<2x2xi4>"},
      {Tensor::fromInts(ElemType::U4, {3}, {0, 15, 8}), "dense<[0, 15, 8]> : tensor<3xu4>"},
      {Tensor::fromInts(ElemType::I8, {2}, {-128, 127}), "dense<[-128, 127]> : tensor<2xi8>"},
      {Tensor::fromInts(ElemType::U8, {2}, {0, 255}), "dense<[0, 255]> : tensor<2xu8>"},
      {Tensor::fromInts(ElemType::I16, {2}, {-32768, 32767}),
       "dense<[-32768, 32767]> : tensor<2xi16>"},
      {Tensor::fromInts(ElemType::U16, {2}, {65535, 1}), "dense<[65535, 1]> : tensor<2xu16>"},
      {Tensor::fromInts(ElemType::I32, {2}, {-2147483648LL, 2147483647}),
       "dense<[-2147483648, 2147483647]> : tensor<2xi32>"},
      {Tensor::fromInts(ElemType::U32, {2}, {4294967295LL, 0}),
       "dense<[4294967295, 0]> : tensor<2xu32>"},
      {Tensor::fromInts(ElemType::I64, {2},
                        {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}),
       "dense<[-9223372036854775808, 9223372036854775807]> : tensor<2xi64>"},
      {Tensor::fromInts(ElemType::U64, {2}, {-1, 0}),
       "dense<[18446744073709551615, 0]> : tensor<2xu64>"},
      {Tensor::fromInts(ElemType::Bool, {2}, {1, 0}), "dense<[true, false]> : tensor<2xbool>"},
      // Scalars, splats, empty tensors.
      {Tensor::scalarFloat(ElemType::F32, 2.5), "dense<2.5> : tensor<f32>"},
      {Tensor::fromDoubles(ElemType::F32, {10, 10}, std::vector<double>(100, 0.25)),
       "dense<0.25> : tensor<10x10xf32>"},
      {Tensor(ElemType::F32, {0, 3}), "dense<[]> : tensor<0x3xf32>"},
  };
  // NaNs with a payload have no decimal spelling: raw bytes instead.
  Tensor payload(ElemType::F32, {2});
  payload.data<uint32_t>()[0] = 0x7fc00001;
  payload.data<uint32_t>()[1] = 0xffc00000; // plain negative NaN
  cases.push_back({payload, R"(dense_hex<"0100c07f0000c0ff"> : tensor<2xf32>)"});
  Tensor negNan(ElemType::F32, {1});
  negNan.data<uint32_t>()[0] = 0xffc00000;
  cases.push_back({negNan, "dense<[-nan]> : tensor<1xf32>"});
  // Large tensors print as hex of the storage bytes (little-endian).
  std::vector<int64_t> ramp(65);
  for (int64_t i = 0; i < 65; ++i)
    ramp[size_t(i)] = i - 1;
  std::string rampHex = "ff";
  for (int i = 0; i < 64; ++i)
    rampHex += {"0123456789abcdef"[i / 16], "0123456789abcdef"[i % 16]};
  std::string rampLine = "dense_hex<\"" + rampHex + "\"> : tensor<65xi8>";
  cases.push_back({Tensor::fromInts(ElemType::I8, {65}, ramp), rampLine.c_str()});

  for (const ConstantCase &c : cases) {
    SCOPED_TRACE(c.expected);
    Graph g;
    g.addOutput(g.addConstant("c", c.data));
    std::string printed = printGraph(g);
    EXPECT_EQ(printed, "graph @\"\"() {\n  %c = const " + std::string(c.expected) +
                           "\n  return %c\n}\n");
    auto parsed = parseGraph(printed);
    ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
    const Tensor *back = (*parsed)->findValue("c")->constant();
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->identical(c.data));
    EXPECT_EQ(printGraph(**parsed), printed);
  }
}

TEST(TextIR, FloatAttributesPrintShortestExactText) {
  EXPECT_EQ(formatFloatExact(1.0f), "1.0");
  EXPECT_EQ(formatFloatExact(0.1f), "0.1");
  EXPECT_EQ(formatFloatExact(1e-5f), "1e-05");
  EXPECT_EQ(formatFloatExact(-0.0f), "-0.0");
  EXPECT_EQ(formatFloatExact(123456789.0f), "123456790.0"); // float is 123456792
  EXPECT_EQ(formatFloatExact(0.0001f), "0.0001");
  EXPECT_EQ(formatFloatExact(1e16f), "1e+16");
  EXPECT_EQ(formatFloatExact(std::numeric_limits<float>::quiet_NaN()), "nan");
  EXPECT_EQ(formatDoubleExact(0.1), "0.1");
  EXPECT_EQ(formatDoubleExact(double(0.1f)), "0.10000000149011612");
  EXPECT_EQ(formatDoubleExact(1.0), "1");
  EXPECT_EQ(formatDoubleExact(1e300), "1e+300");
}

TEST(TextIR, QuotingAndEscapes) {
  EXPECT_EQ(quoteString("a\"b\\c\nd\te\x7f\x01"), R"("a\"b\\c\nd\te\7F\01")");
  EXPECT_EQ(formatValueName("input.1"), "%input.1");
  EXPECT_EQ(formatValueName("onnx::Conv_12"), R"(%"onnx::Conv_12")");
  EXPECT_EQ(formatValueName(""), R"(%"")");
  EXPECT_EQ(formatSymbolName("batch_size"), "batch_size");
  EXPECT_EQ(formatSymbolName("max_len"), R"("max_len")");
  // Parsing the escapes gives the original bytes back.
  auto g = parseGraph(R"(graph @g(%"a\"b\\c\nd\te\7F\01": tensor<f32>) { return })");
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_EQ((*g)->inputs()[0]->name(), "a\"b\\c\nd\te\x7f\x01");
}

TEST(TextIR, ParseErrorsNameLineAndColumn) {
  struct Case {
    const char *text;
    const char *message;
  } cases[] = {
      {"graph @g(%x: tensor<f32>) {\n  %y = Foo(%x) : tensor<f32>\n  return %y\n}",
       "<input>:2:8: unknown op 'Foo'"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Relu(%z) : tensor<f32>\n  return %y\n}",
       "<input>:2:13: undefined value %z"},
      {"graph @g(%x: tensor<f32>) {\n  %x = Relu(%x) : tensor<f32>\n  return %x\n}",
       "<input>:2:3: value %x is defined twice"},
      {"graph @g(%x: tensor<f32>, %x: tensor<f32>) {\n  return\n}",
       "<input>:1:27: value %x is defined twice"},
      {"graph @g(%x: tensor<f32>) {\n  %y, %y = Split(%x) : tensor<f32>, tensor<f32>\n  return\n}",
       "<input>:2:7: value %y is defined twice"},
      {"graph @g(%x: tensor<2x3xf33>) {\n  return\n}",
       "<input>:1:25: unknown element type 'f33'"},
      {"graph @g(%x: tensor<2x3a>) {\n  return\n}",
       "<input>:1:23: unknown element type '3a'"},
      {"graph @g(%x: tensor<2x3xf32) {\n  return\n}",
       "<input>:1:28: expected '>' to close the type"},
      {"graph @g(%x: tensor<2x?f32>) {\n  return\n}",
       "<input>:1:24: expected 'x' after a dimension"},
      {"graph @g(%x: tensor<4xi8, quant<scale=0.5>>) {\n  return\n}",
       "<input>:1:42: quant<...> needs scale= and zp="},
      {"graph @g(%x: tensor<f32>) {\n  %a, %b = Split(%x) {num_outputs = 2} : tensor<f32>\n"
       "  return\n}",
       "<input>:2:53: Split has 2 results but 1 result types are given"},
      {"graph @g(%x: tensor<f32>) {\n  %a = Relu(%x) : tensor<f32>, tensor<f32>\n  return\n}",
       "<input>:2:32: Relu has 1 results but more result types are given"},
      {"graph @g(%x: tensor<f32>) {\n  %a = Relu(%x)\n  return %a\n}",
       "<input>:2:16: Relu has 1 results but 0 result types are given"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Relu(%x) {axis = 1} : tensor<f32>\n  return\n}",
       "<input>:2:18: op Relu has no attribute 'axis'"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Relu(%x) {bogus = 1} : tensor<f32>\n  return\n}",
       "<input>:2:18: op Relu has no attribute 'bogus'"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Softmax(%x) {axis = 1.5} : tensor<f32>\n  return\n}",
       "<input>:2:28: attribute 'axis' of Softmax expects an int"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Softmax(%x) {axis = 1, axis = 2} : tensor<f32>\n"
       "  return\n}",
       "<input>:2:31: attribute 'axis' given twice"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Cast(%x) {to = f7} : tensor<f32>\n  return\n}",
       "<input>:2:23: unknown element type 'f7'"},
      {"graph @g() {\n  %c = const dense<[1, 2, 3]> : tensor<2xi32>\n  return\n}",
       "<input>:2:33: constant has 3 values but tensor<2xi32> has 2 elements"},
      {"graph @g() {\n  %c = const dense<[1, 300]> : tensor<2xu8>\n  return\n}",
       "<input>:2:24: value 300 is out of range for u8"},
      {"graph @g() {\n  %c = const dense<[1, 9223372036854775808]> : tensor<2xi64>\n  return\n}",
       "<input>:2:24: value 9223372036854775808 is out of range for i64"},
      {"graph @g() {\n  %c = const dense<0.5> : tensor<2xi8>\n  return\n}",
       "<input>:2:20: expected an integer for i8, got '0.5'"},
      {"graph @g() {\n  %c = const dense<1> : tensor<Nxf32>\n  return\n}",
       "<input>:2:25: constant type tensor<Nxf32> must have a static shape"},
      {"graph @g() {\n  %c = const dense<0> : tensor<100000x100000xi8>\n  return\n}",
       "<input>:2:25: constant type tensor<100000x100000xi8> is too large"},
      {"graph @g() {\n  %c = const dense<0> : tensor<4294967296x4294967296xi8>\n  return\n}",
       "<input>:2:25: constant type tensor<4294967296x4294967296xi8> is too large"},
      {"graph @g() {\n  %c = const dense_hex<\"0102\"> : tensor<3xi8>\n  return\n}",
       "<input>:2:24: dense_hex data has 2 bytes but tensor<3xi8> needs 3"},
      {"graph @g() {\n  %c = const dense_hex<\"10\"> : tensor<1xi4>\n  return\n}",
       "<input>:2:24: dense_hex element 0 (16) is out of range for i4"},
      {"graph @g() {\n  %c = const dense<[1, 2> : tensor<2xi8>\n  return\n}",
       "<input>:2:25: expected ']' to close the element list"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Relu(%x) name \"oops : tensor<f32>\n  return\n}",
       "<input>:2:22: unterminated string"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Relu(%x) : tensor<f32>\n", //
       "<input>:3:1: unexpected end of input: expected 'return'"},
      {"graph @g() {\n  return\n}\n}", "<input>:4:1: unexpected text after the graph"},
      {"graph @g() {\n  return _\n}", "<input>:2:9: expected '}' after 'return' (it must be "
                                      "the last statement)"},
      {"graph @g() {\n  opset \"\" 17\n  opset \"\" 18\n  return\n}",
       R"(<input>:3:9: opset for domain "" given twice)"},
      {"graph @g(%x: tensor<f32>) {\n  %y = Relu(%x, @) : tensor<f32>\n  return\n}",
       "<input>:2:17: expected an operand (%name or _)"},
      {"graph @g(%x: tensor<f32>) {\n  %y = LeakyRelu(%x) {alpha = 1.5.} : tensor<f32>\n"
       "  return\n}",
       "<input>:2:31: malformed number '1.5.'"},
      {"graph main() {}", "<input>:1:7: expected '@' and the graph name"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(parseError(c.text), c.message) << c.text;
}

TEST(TextIR, BufferNameAppearsInErrors) {
  auto g = parseGraph("graph @g() {\n  %y = Nope() : tensor<f32>\n  return\n}", "test.qcir");
  ASSERT_FALSE(bool(g));
  EXPECT_EQ(llvm::toString(g.takeError()), "test.qcir:2:8: unknown op 'Nope'");
}
